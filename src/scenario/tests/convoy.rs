//! The convoy's keys: `background`, `background_model` and `switch_interval` — their
//! cells and ids, and the tables refused.

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
            "only applies to Python cells",
            "add \"python\" or \"cpython\"",
        ],
    );
    let e = err("name = \"t\"\n[sweep]\nruntime = \"python\"\nmodel = \"async\"\nio_fraction = 1.0\nconcurrency = 2\nbackground = 1\n");
    assert_err(
        &e,
        Some(7),
        "sweep.background",
        &["only applies to sequential and thread cells"],
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
