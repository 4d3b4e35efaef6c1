//! The load keys: `background`, `background_model` and `switch_interval` — their cells
//! and ids (the convoy's threads and processes, the offload's tasks), and the tables
//! refused.

use super::*;
use crate::scenario::*;

const IO_THREAD: &str = "name = \"t\"\n[sweep]\nruntime = \"python\"\nmodel = \"thread\"\nio_fraction = 1.0\nconcurrency = 1\nio = \"tcp\"\nop_time = \"50us\"\n";

#[test]
fn each_load_and_interval_is_a_cell_of_its_own() {
    let p = plan(&format!(
        "{IO_THREAD}background = [0, 1, 2]\nswitch_interval = [\"5ms\", \"0.1ms\"]\n"
    ));
    assert_eq!(p.cells.len(), 6);
    let ids: Vec<String> = p.cells.iter().map(Cell::id).collect();
    assert!(
        ids.contains(&"python/thread,cpu=py,io=py,si=5ms/tcp/f1.00/op50/c1".to_string()),
        "{ids:?}"
    );
    assert!(
        ids.contains(
            &"python/thread,cpu=py,io=py,bg=2thread,si=100us/tcp/f1.00/op50/c1".to_string()
        ),
        "{ids:?}"
    );
    let zero: Vec<&Cell> = p.cells.iter().filter(|c| c.background.is_none()).collect();
    assert_eq!(
        zero.len(),
        2,
        "no load is one cell per interval, whatever the model"
    );
    // The keys round-trip through results.json.
    let c = p.cells.iter().find(|c| c.background.is_some()).unwrap();
    let back: Cell = serde_json::from_str(&serde_json::to_string(c).unwrap()).unwrap();
    assert_eq!(&back, c);
}

#[test]
fn a_load_model_applies_to_every_count_above_zero() {
    let p = plan(&format!(
        "{IO_THREAD}background = [0, 1]\nbackground_model = [\"thread\", \"process\"]\n"
    ));
    let loads: Vec<Option<Background>> = p.cells.iter().map(|c| c.background).collect();
    assert_eq!(loads.len(), 3, "{loads:?}");
    assert!(loads.contains(&Some(Background {
        units: 1,
        model: BackgroundModel::Process
    })));
    assert!(p.cells.iter().all(|c| c.switch_interval_us.is_none()));
}

#[test]
fn a_native_load_is_skipped_in_cpython_with_a_note() {
    let p = plan("name = \"t\"\n[sweep]\nruntime = [\"python\", \"cpython\"]\nmodel = \"thread\"\nio_fraction = 1.0\nconcurrency = 1\nbackground = 1\nbackground_model = \"native\"\n");
    assert_eq!(p.cells.len(), 1);
    assert_eq!(p.cells[0].runtime, Runtime::Python);
    assert!(
        p.notes.iter().any(|n| n.contains("background_model")),
        "{:?}",
        p.notes
    );
}

#[test]
fn convoy_keys_without_python_cells_are_refused_with_line_and_fix() {
    let e = err(&format!("{BASE}background = 1\n"));
    assert_err(
        &e,
        Some(6),
        "sweep.background",
        &[
            "applies to Rust cells only as tasks beside async cells",
            "add \"async\" to `model`",
        ],
    );
    let e = err("name = \"t\"\n[sweep]\nruntime = \"python\"\nmodel = \"process\"\nio_fraction = 1.0\nconcurrency = 2\nbackground = 1\n");
    assert_err(
        &e,
        Some(7),
        "sweep.background",
        &["only applies to sequential, thread and async cells"],
    );
    let e = err(&format!("{IO_THREAD}switch_interval = \"0us\"\n"));
    assert_err(
        &e,
        Some(9),
        "sweep.switch_interval",
        &["outside 1 µs – 1 s"],
    );
    let e = err(&format!("{IO_THREAD}background = 17\n"));
    assert_err(&e, Some(9), "sweep.background", &["17 is outside 0..=16"]);
}

const ASYNC_IO: &str = "name = \"t\"\n[sweep]\nruntime = [\"rust\", \"python\"]\nmodel = \"async\"\nio_fraction = 1.0\nconcurrency = 4\nio = \"tcp\"\n";

#[test]
fn async_cells_carry_tasks_on_their_own_runtime_in_every_runtime() {
    let p = plan(&format!(
        "{ASYNC_IO}background = [0, 2]\nasync_cpu = [\"inline\", \"pool\"]\n"
    ));
    // Rust and Python, alone and beside 2 tasks, inline and on a pool.
    assert_eq!(p.cells.len(), 8);
    let ids: Vec<String> = p.cells.iter().map(Cell::id).collect();
    assert!(
        ids.contains(&"rust/async+pool,bg=2task/tcp/f1.00/op1000/c4".to_string()),
        "{ids:?}"
    );
    assert!(p
        .cells
        .iter()
        .filter_map(|c| c.background)
        .all(|b| b.model == BackgroundModel::Task && b.units == 2));
    // Tasks given by name, beside a table of threads and tasks: only the async cells
    // get them.
    let p = plan("name = \"t\"\n[sweep]\nruntime = \"python\"\nmodel = [\"thread\", \"async\"]\nio_fraction = 1.0\nconcurrency = 2\nbackground = 1\nbackground_model = [\"thread\", \"task\"]\n");
    for c in &p.cells {
        let want = match c.model {
            ModelKind::Async => BackgroundModel::Task,
            _ => BackgroundModel::Thread,
        };
        assert_eq!(c.background.map(|b| b.model), Some(want), "{}", c.id());
    }
}

#[test]
fn a_load_that_reaches_no_cell_is_refused_with_line_and_fix() {
    let e = err("name = \"t\"\n[sweep]\nruntime = \"rust\"\nmodel = \"thread\"\nio_fraction = 1.0\nconcurrency = 2\nbackground = 1\n");
    assert_err(
        &e,
        Some(7),
        "sweep.background",
        &[
            "only as tasks beside async cells",
            "\"python\" to `runtime`",
        ],
    );
    let e = err(&format!(
        "{ASYNC_IO}background = 1\nbackground_model = \"thread\"\n"
    ));
    assert_err(
        &e,
        Some(9),
        "sweep.background_model",
        &["\"thread\" only applies to Python sequential and thread cells"],
    );
    let e = err(&format!(
        "{IO_THREAD}background = 1\nbackground_model = \"task\"\n"
    ));
    assert_err(
        &e,
        Some(10),
        "sweep.background_model",
        &["\"task\" only applies to async cells", "add \"async\""],
    );
}
