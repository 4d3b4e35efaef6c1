//! The race demo's `counter` key: its cells and ids, the forms a runtime lacks skipped
//! with a note, and the tables refused (with line and fix).

use super::*;
use crate::scenario::*;

/// Pure-CPU sequential and thread cells, two workers; the counter line is line 7.
const CPU: &str = "name = \"t\"\n[sweep]\nruntime = [\"rust\", \"python\"]\nmodel = [\"sequential\", \"thread\"]\nio_fraction = 0.0\nconcurrency = 2\n";

#[test]
fn each_form_is_a_cell_of_its_own_and_a_missing_one_is_skipped_with_a_note() {
    let p = plan(&format!(
        "{CPU}counter = [\"racy\", \"racy_call\", \"atomic\", \"locked\"]\n"
    ));
    let ids: Vec<String> = p.cells.iter().map(Cell::id).collect();
    // Rust: racy, atomic, locked; Python: racy, racy_call, locked — each on one thread
    // and on two.
    assert_eq!(p.cells.len(), 12, "{ids:?}");
    for id in [
        "rust/thread,counter=racy/sleep/f0.00/op1000/c2",
        "rust/sequential,counter=atomic/sleep/f0.00/op1000/c1",
        "python/thread,cpu=py,io=py,counter=racy_call/sleep/f0.00/op1000/c2",
        "python/thread,cpu=py,io=py,counter=locked/sleep/f0.00/op1000/c2",
    ] {
        assert!(ids.contains(&id.to_string()), "{id} not in {ids:?}");
    }
    assert!(!ids
        .iter()
        .any(|i| i.starts_with("python") && i.contains("atomic")));
    assert!(!ids
        .iter()
        .any(|i| i.starts_with("rust") && i.contains("racy_call")));
    for (form, runtime) in [("atomic", "python"), ("racy_call", "rust")] {
        assert!(
            p.notes
                .iter()
                .any(|n| n.contains(&format!("counter = \"{form}\""))
                    && n.contains(&format!("skipped it for runtime {runtime}"))),
            "{:?}",
            p.notes
        );
    }
    // The key round-trips through results.json; a cell without it reads as before.
    let c = p.cells.iter().find(|c| c.counter.is_some()).unwrap();
    let back: Cell = serde_json::from_str(&serde_json::to_string(c).unwrap()).unwrap();
    assert_eq!(&back, c);
    let plain = Cell::sleep_op(Runtime::Rust, ModelKind::Thread, 1.0, 0.0, 2);
    assert!(!serde_json::to_string(&plain).unwrap().contains("counter"));
}

#[test]
fn an_exclude_table_can_name_a_form() {
    let p = plan(&format!(
        "{CPU}counter = [\"racy\", \"locked\"]\n[[exclude]]\nmodel = \"sequential\"\ncounter = \"locked\"\n"
    ));
    assert!(!p
        .cells
        .iter()
        .any(|c| c.model == ModelKind::Sequential && c.counter == Some(Counter::Locked)));
    assert_eq!(p.cells.len(), 6);
}

#[test]
fn a_form_only_one_runtime_has_is_an_empty_plan_for_the_other() {
    let e = err("name = \"t\"\n[sweep]\nruntime = \"python\"\nmodel = \"thread\"\nio_fraction = 0.0\nconcurrency = 2\ncounter = \"atomic\"\n");
    assert_err(&e, Some(2), "sweep", &["no cell", "fetch_add"]);
}

#[test]
fn counter_outside_pure_cpu_sequential_and_thread_cells_is_refused_with_line_and_fix() {
    let e = err("name = \"t\"\n[sweep]\nmodel = [\"thread\", \"async\"]\nio_fraction = 0.0\nconcurrency = 2\ncounter = \"racy\"\n");
    assert_err(
        &e,
        Some(6),
        "sweep.counter",
        &[
            "only applies to sequential and thread cells",
            "model \"async\"",
            "remove the key",
        ],
    );
    let e = err(&format!("{BASE}counter = \"atomic\"\n"));
    assert_err(
        &e,
        Some(6),
        "sweep.counter",
        &["pure-CPU op", "io_fraction = 0.5", "set io_fraction = 0.0"],
    );
    let e = err(&format!("{CPU}cpu_impl = \"native\"\ncounter = \"racy\"\n"));
    assert_err(&e, Some(8), "sweep.counter", &["cpu_impl = \"native\""]);
    // Given in [sweep], it reaches an include's cells too: the include is refused,
    // naming where the key was written.
    let e = err(&format!(
        "{CPU}counter = \"racy\"\n[[include]]\nmodel = \"process\"\n"
    ));
    assert_err(
        &e,
        Some(7),
        "include[1].counter",
        &["(given in [sweep])", "model \"process\""],
    );
    let e = err(&format!("{CPU}counter = \"racey\"\n"));
    assert_err(
        &e,
        Some(7),
        "sweep.counter",
        &["racy, racy_call, atomic, locked"],
    );
}
