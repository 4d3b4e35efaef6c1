//! What the GIL toggle changes, as directions with generous margins (own test binary:
//! no other test may hold this process's GIL meanwhile).
#![cfg(feature = "python")]

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Instant;

use spectrum::model::{self, CellSpec, OpLog};
use spectrum::scenario::{Cell, Gil, Impl, ModelKind, Runtime};
use spectrum::workload::Calibration;

/// Wall time of `ops` pure-I/O ops (native sleep of `io_us`) on `n` embedded threads.
fn native_sleep_wall(gil: Gil, n: u32, ops: u64, io_us: f64) -> f64 {
    let cell = Cell {
        gil: Some(gil),
        cpu_impl: Some(Impl::Native),
        io_impl: Some(Impl::Native),
        ..Cell::sleep_op(Runtime::Python, ModelKind::Thread, 0.0, io_us, n)
    };
    let spec = CellSpec {
        cell,
        ops,
        warmup_ops: 0,
        calibration: Calibration::from_samples(vec![1.0]),
        repetition: 0,
        python_path: Some(PathBuf::from(env!("CARGO_MANIFEST_DIR"))),
        io_server: None,
        trace_ops: 0,
        python_exe: None,
        speed_reference: None,
        file_dir: None,
    };
    let mut m = spectrum::dispatch::build(&spec).unwrap();
    model::run_collected(m.as_mut(), 0..n as u64).unwrap();
    let log = Arc::new(OpLog::new(0..ops));
    let t = Instant::now();
    let mut out = m.run(0..ops, &log).unwrap();
    let took = t.elapsed().as_secs_f64();
    assert_eq!(
        model::collect_latency(m.as_mut(), &mut out, &log)
            .unwrap()
            .0
            .len(),
        ops
    );
    took
}

#[test]
fn releasing_the_gil_overlaps_native_sleeps() {
    // 4 threads, 24 sleeps of 5 ms: held ≈ 24 × 5 ms (the sleeps serialize on the GIL),
    // released ≈ 6 × 5 ms (they overlap). Expect at least a 2× gap, not the ideal 4×.
    let held = native_sleep_wall(Gil::Held, 4, 24, 5000.0);
    let released = native_sleep_wall(Gil::Released, 4, 24, 5000.0);
    assert!(
        held > 2.0 * released,
        "held {held:.3} s vs released {released:.3} s"
    );
    assert!(held > 0.1, "held sleeps must serialize: {held:.3} s");
}
