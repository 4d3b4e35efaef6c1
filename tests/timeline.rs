//! The per-op timeline: every model records the spans of its sampled ops, their three
//! states add up to each op's wall time, and two Python threads running pure-Python CPU
//! work take turns (about half of each CPU half is spent ready but not running).

use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use spectrum::metrics::{Span, Timeline};
use spectrum::model::{self, trace, CellSpec, OpLog};
use spectrum::scenario::{AsyncCpu, Cell, ModelKind, Runtime};
use spectrum::workload::Calibration;

fn spec(cell: Cell, ops: u64, iters_per_us: f64) -> CellSpec {
    CellSpec {
        cell,
        ops,
        warmup_ops: 0,
        calibration: Calibration::from_samples(vec![iters_per_us]),
        repetition: 0,
        python_path: Some(PathBuf::from(env!("CARGO_MANIFEST_DIR"))),
        io_server: None,
        trace_ops: ops,
        python_exe: None,
        speed_reference: None,
        file_dir: None,
    }
}

/// One model at a time: the tests of this file run in parallel threads, and a
/// timeline's ready-not-running share counts waiting for a core — another test's
/// workers would read as the GIL.
static ONE_AT_A_TIME: Mutex<()> = Mutex::new(());

/// Runs `ops` ops of `spec` with every op sampled; the window's timeline.
fn timeline(spec: &CellSpec) -> Timeline {
    let _alone = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    let mut m = spectrum::dispatch::build(spec).unwrap();
    let log = Arc::new(OpLog::with_trace(0..spec.ops, spec.trace_ops));
    let origin = trace::mono_ns();
    let mut out = m.run(0..spec.ops, &log).unwrap();
    let wall = trace::mono_ns() - origin;
    let (_, spans) = model::collect_latency(m.as_mut(), &mut out, &log).unwrap();
    Timeline::from_spans(spans, origin, spec.ops, spec.cell.concurrency, wall)
}

/// Every op sampled once, inside the window, on a known lane, its states adding up.
fn check_lanes(t: &Timeline, ops: u64, what: &str) {
    assert_eq!(t.spans.len() as u64, ops, "{what}: one span per sampled op");
    for s in &t.spans {
        assert!(
            s.worker < t.workers,
            "{what}: lane {} of {}",
            s.worker,
            t.workers
        );
        assert!(s.start <= s.cpu_end && s.cpu_end <= s.end, "{what}: {s:?}");
        assert!(s.end <= t.window_ns, "{what}: span past the window {s:?}");
        assert_eq!(
            s.computing() + s.ready() + s.io(),
            s.end - s.start,
            "{what}"
        );
    }
    // Per worker, the states of its ops add up to the wall time of its ops.
    for w in 0..t.workers {
        let mine: Vec<&Span> = t.spans.iter().filter(|s| s.worker == w).collect();
        let wall: u64 = mine.iter().map(|s| s.end - s.start).sum();
        let (c, r, i) = t.totals(Some(w));
        assert_eq!(c + r + i, wall, "{what}: worker {w}");
    }
}

#[test]
fn rust_models_record_a_span_per_sampled_op() {
    for (model, async_cpu) in [
        (ModelKind::Sequential, None),
        (ModelKind::Thread, None),
        (ModelKind::Rayon, None),
        (ModelKind::Async, Some(AsyncCpu::Inline)),
        (ModelKind::Async, Some(AsyncCpu::Offload)),
    ] {
        let n = if model == ModelKind::Sequential { 1 } else { 2 };
        let cell = Cell {
            async_cpu,
            ..Cell::sleep_op(Runtime::Rust, model, 200.0, 300.0, n)
        };
        let t = timeline(&spec(cell, 24, 50.0));
        let what = format!("rust {model:?} {async_cpu:?}");
        check_lanes(&t, 24, &what);
        // Each op waits 300 µs on a timer: its I/O half is at least that.
        assert!(t.spans.iter().all(|s| s.io() >= 300_000), "{what}");
        // The CPU half computes: it used CPU time.
        let (computing, _, _) = t.totals(None);
        assert!(computing > 0, "{what}: no CPU time recorded");
    }
}

#[test]
fn cpython_threads_record_spans_on_their_lanes() {
    let cell = Cell::sleep_op(Runtime::Cpython, ModelKind::Thread, 500.0, 500.0, 2);
    let t = timeline(&spec(cell, 16, 2.0));
    check_lanes(&t, 16, "cpython thread");
}

#[cfg(feature = "python")]
#[test]
fn two_python_threads_take_turns_on_the_gil() {
    // Pure-Python CPU ops of ~2 ms on 2 threads: with one GIL only one computes at a
    // time, so each CPU half waits about as long as it runs. Generous bounds: the share
    // is 0.5 in theory, and a busy machine adds waiting for a core.
    let cell = Cell::sleep_op(Runtime::Python, ModelKind::Thread, 2000.0, 0.0, 2);
    let t = timeline(&spec(cell, 60, 2.0));
    check_lanes(&t, 60, "python thread");
    let share = t.ready_share();
    assert!((0.25..0.9).contains(&share), "ready share {share}");
    // The GIL's mark, whatever else the host runs: the two threads' computing never
    // adds up to more than one core over the window. (A lone thread's ready share is no
    // contrast to hold this against: on this VM the hypervisor's steal time alone has
    // read 0.3-0.6 for a single thread, and it counts as ready-not-running.)
    let (computing, _, _) = t.totals(None);
    let cores_busy = computing as f64 / t.extent_ns().max(1) as f64;
    assert!(
        cores_busy < 1.15,
        "two Python threads computed {cores_busy:.2} cores' worth at once"
    );
}
