//! Memory per unit is a property of the model, not of the measured window: the same
//! threads (or tokio tasks) fitted over the same N give the same KiB per unit whether
//! the window lasts 0.1 s or much longer. spectrum's own op log, 8 bytes per op, grows
//! with the window — 0.5 KiB per thread over 0.6 s of 10 ms ops, a third of a task over
//! 1.2 s of 50 ms ops — and is left out; a figure that counted it fails here.

use std::process::Command;

use spectrum::results::read_results;
use spectrum::stats::least_squares;

const EXE: &str = env!("CARGO_BIN_EXE_spectrum");

/// KiB per unit fitted over the `model` cells of a run with a window of `window_s` at
/// `ns` workers, ops of `op_time`, every repetition a point.
fn kib_per_unit(
    dir: &std::path::Path,
    model: &str,
    ns: &str,
    op_time: &str,
    window_s: f64,
) -> (f64, f64) {
    let scenario = dir.join(format!("mem-{model}-{window_s}.toml"));
    std::fs::write(
        &scenario,
        format!(
            r#"
name = "mem"
description = "units at pure I/O"
[defaults]
op_time = "{op_time}"
duration = "{window_s}s"
repetitions = 2
warmup = 0.1
timeout = "60s"
[sweep]
runtime = "rust"
model = "{model}"
io_fraction = 1.0
concurrency = {ns}
"#
        ),
    )
    .unwrap();
    let out_dir = dir.join(format!("out-{model}-{window_s}"));
    let out = Command::new(EXE)
        .arg("run")
        .arg(&scenario)
        .args(["--no-probes", "--no-report", "--out"])
        .arg(&out_dir)
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let r = read_results(&out_dir.join("results.json")).unwrap();
    let points: Vec<(f64, f64)> = r
        .cells
        .iter()
        .map(|c| {
            let m = c.repetitions[0]
                .window_memory()
                .expect("window memory recorded");
            assert!(m.harness_kib > 0, "the op log is counted apart: {m:?}");
            (f64::from(c.cell.concurrency), m.model_kib() as f64)
        })
        .collect();
    let fit = least_squares(&points).expect("three N");
    (fit.slope.estimate, fit.r2)
}

/// The two windows' slopes agree within 10%.
fn same_within_ten_percent(what: &str, short: f64, long: f64) {
    let ratio = long / short;
    assert!(
        (0.9..=1.1).contains(&ratio),
        "{short:.3} KiB per {what} at 0.1 s vs {long:.3} with the longer window"
    );
}

#[test]
fn kib_per_thread_does_not_depend_on_the_window() {
    let dir = tempfile::tempdir().unwrap();
    let (short, r2_short) = kib_per_unit(dir.path(), "thread", "[40, 160, 640]", "10ms", 0.1);
    let (long, r2_long) = kib_per_unit(dir.path(), "thread", "[40, 160, 640]", "10ms", 0.6);
    // A thread holds kilobytes (its stack pages, its TLS): generous bounds.
    assert!(short > 2.0 && short < 64.0, "{short} KiB per thread");
    assert!(r2_short > 0.95 && r2_long > 0.95, "R² {r2_short} {r2_long}");
    same_within_ten_percent("thread", short, long);
}

#[test]
fn kib_per_task_does_not_depend_on_the_window() {
    let dir = tempfile::tempdir().unwrap();
    // Many tasks, so that the slope outweighs how glibc spreads small allocations over
    // its per-thread arenas (the tokio workers'), which moves a task's figure by ±10%
    // from one process to the next at a few thousand tasks; long ops keep the wake-ups
    // of 8000 tasks within what two cores serve.
    let (short, _) = kib_per_unit(dir.path(), "async", "[500, 2000, 8000]", "50ms", 0.1);
    // 1.2 s of 50 ms ops: 24 ops, 192 bytes of log per task — were the log counted, a
    // third more than at 0.1 s.
    let (long, _) = kib_per_unit(dir.path(), "async", "[500, 2000, 8000]", "50ms", 1.2);
    // A task holds hundreds of bytes, far less than a thread.
    assert!(short > 0.1 && short < 2.0, "{short} KiB per task");
    same_within_ten_percent("task", short, long);
}
