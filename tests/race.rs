//! The race demo's counting cells through the models: every form and model gives the
//! same checksum for the same ops (the increments attempted), the fixes lose nothing,
//! a race never counts more than was attempted, and each run counts from zero.
//!
//! One test function: the Rust counter is process-wide, and the test harness would run
//! separate tests on parallel threads against it.

use std::path::PathBuf;

use spectrum::model::{self, CellSpec};
use spectrum::scenario::{Cell, Counter, ModelKind, Runtime};
use spectrum::workload::Calibration;

/// Increments per op: 50 µs of CPU at a fixed 40 iterations/µs.
const PER_OP: u64 = 2_000;

fn spec(runtime: Runtime, model: ModelKind, form: Counter) -> CellSpec {
    CellSpec {
        cell: Cell {
            counter: Some(form),
            switch_interval_us: runtime.is_python().then_some(1.0),
            ..Cell::sleep_op(runtime, model, 50.0, 0.0, 2)
        },
        ops: 40,
        warmup_ops: 4,
        calibration: Calibration::from_samples(vec![40.0]),
        repetition: 0,
        python_path: Some(PathBuf::from(env!("CARGO_MANIFEST_DIR"))),
        io_server: None,
        trace_ops: 5,
        python_exe: None,
        speed_reference: None,
        file_dir: None,
    }
}

#[test]
fn every_form_counts_the_window_alone_and_the_fixes_lose_nothing() {
    let cells = [
        (Runtime::Rust, ModelKind::Sequential, Counter::Racy),
        (Runtime::Rust, ModelKind::Thread, Counter::Racy),
        (Runtime::Rust, ModelKind::Thread, Counter::Atomic),
        (Runtime::Rust, ModelKind::Thread, Counter::Locked),
        (Runtime::Python, ModelKind::Sequential, Counter::Racy),
        (Runtime::Python, ModelKind::Thread, Counter::RacyCall),
        (Runtime::Python, ModelKind::Thread, Counter::Locked),
        (Runtime::Cpython, ModelKind::Thread, Counter::Locked),
    ];
    for (runtime, kind, form) in cells {
        let spec = spec(runtime, kind, form);
        let id = spec.cell.id();
        let mut m = spectrum::dispatch::build(&spec).unwrap_or_else(|e| panic!("{id}: {e:#}"));
        if runtime.is_python() {
            // The results say the interval the window ran with, not the default.
            assert_eq!(m.info()["switch_interval_s"], 1e-6, "{id}");
        }
        // A warm-up, then the window: the window's tally must not include the warm-up.
        for ops in [0..spec.warmup_ops, 0..spec.ops] {
            let n = ops.end - ops.start;
            let (out, _) =
                model::run_collected(m.as_mut(), ops).unwrap_or_else(|e| panic!("{id}: {e:#}"));
            assert_eq!(out.checksum, n * PER_OP, "{id}: checksum = increments");
            let t = out.counter.unwrap_or_else(|| panic!("{id}: no tally"));
            assert_eq!(t.increments, n * PER_OP, "{id}");
            assert!(t.counted <= t.increments, "{id}: {t:?}");
            if form == Counter::Atomic || form == Counter::Locked || kind == ModelKind::Sequential {
                assert_eq!(t.lost(), 0, "{id}: {t:?}");
            }
        }
    }
}
