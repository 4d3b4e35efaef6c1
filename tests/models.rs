//! The native execution models through the public API: every model runs exactly the ops
//! it is given and agrees with `sequential` on their checksum; set-up is reusable; worker
//! processes never outlive the model; I/O-bound work overlaps under every concurrent model.
//!
//! Ops are tiny (tens of microseconds) so each test stays well under a second.

use std::process::{Command, Stdio};
use std::sync::Once;
use std::time::{Duration, Instant};

use spectrum::model::{process, run_collected, CellSpec};
use spectrum::scenario::{AsyncCpu, Cell, ModelKind, Runtime};
use spectrum::workload::Calibration;

/// Points the process model at the real binary: this test executable has no `worker`
/// subcommand. Set once, before any test spawns a worker.
fn use_spectrum_exe() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| std::env::set_var(process::EXE_ENV, env!("CARGO_BIN_EXE_spectrum")));
}

/// A Rust cell of `model` with `cpu_us` + `io_us` ops and `n` workers. The calibration is
/// fixed (no timing): the checksums only depend on it being the same everywhere.
fn spec(
    model: ModelKind,
    async_cpu: Option<AsyncCpu>,
    cpu_us: f64,
    io_us: f64,
    n: u32,
) -> CellSpec {
    CellSpec {
        cell: Cell {
            async_cpu,
            ..Cell::sleep_op(Runtime::Rust, model, cpu_us, io_us, n)
        },
        ops: 100,
        warmup_ops: 10,
        calibration: Calibration::from_samples(vec![20.0]),
        repetition: 0,
        python_path: None,
        io_server: None,
        trace_ops: 0,
        python_exe: None,
        speed_reference: None,
        file_dir: None,
    }
}

/// Every native model, with the async variants.
fn all_models() -> Vec<(ModelKind, Option<AsyncCpu>)> {
    vec![
        (ModelKind::Sequential, None),
        (ModelKind::Thread, None),
        (ModelKind::Process, None),
        (ModelKind::Async, Some(AsyncCpu::Inline)),
        (ModelKind::Async, Some(AsyncCpu::Offload)),
        (ModelKind::Async, Some(AsyncCpu::Pool)),
        (ModelKind::Rayon, None),
    ]
}

#[test]
fn every_model_runs_every_op_with_the_sequential_checksum() {
    use_spectrum_exe();
    let base = spec(ModelKind::Sequential, None, 50.0, 50.0, 1);
    let mut seq = spectrum::dispatch::build(&base).unwrap();
    let want_warm = run_collected(seq.as_mut(), 0..30).unwrap().0.checksum;
    let want = run_collected(seq.as_mut(), 30..230).unwrap().0.checksum;
    assert_ne!(want, 0);
    for (kind, cpu) in all_models() {
        let s = spec(kind, cpu, 50.0, 50.0, 4);
        let mut m = spectrum::dispatch::build(&s).unwrap_or_else(|e| panic!("{kind:?}: {e:#}"));
        // Warm-up then the window, on the same set-up.
        let (warm, warm_latency) = run_collected(m.as_mut(), 0..30).unwrap();
        assert_eq!(warm_latency.len(), 30, "{kind:?} {cpu:?} warm-up");
        assert_eq!(warm.checksum, want_warm, "{kind:?} {cpu:?} warm-up");
        let (out, latency) = run_collected(m.as_mut(), 30..230).unwrap();
        assert_eq!(latency.len(), 200, "{kind:?} {cpu:?}");
        assert_eq!(out.checksum, want, "{kind:?} {cpu:?}");
        assert_eq!(
            out.workers.is_some(),
            kind == ModelKind::Process,
            "{kind:?}"
        );
        // A latency covers at least the op's sleep.
        assert!(
            latency.summary().min >= 50.0,
            "{kind:?} {:?}",
            latency.summary()
        );
    }
}

#[test]
fn more_workers_than_ops_and_empty_ranges_are_fine() {
    use_spectrum_exe();
    for (kind, cpu) in all_models() {
        let mut m = spectrum::dispatch::build(&spec(kind, cpu, 10.0, 0.0, 8)).unwrap();
        assert_eq!(
            run_collected(m.as_mut(), 5..5).unwrap().1.len(),
            0,
            "{kind:?}"
        );
        assert_eq!(
            run_collected(m.as_mut(), 0..3).unwrap().1.len(),
            3,
            "{kind:?}"
        );
    }
}

#[test]
fn zero_concurrency_is_an_error_not_a_panic() {
    use_spectrum_exe();
    for kind in [
        ModelKind::Thread,
        ModelKind::Process,
        ModelKind::Async,
        ModelKind::Rayon,
    ] {
        let err = spectrum::dispatch::build(&spec(kind, None, 10.0, 0.0, 0)).err();
        let msg = format!("{:#}", err.expect("concurrency 0 must fail"));
        assert!(msg.contains("concurrency"), "{kind:?}: {msg}");
    }
}

#[test]
fn process_workers_report_their_rusage() {
    use_spectrum_exe();
    let mut m = spectrum::dispatch::build(&spec(ModelKind::Process, None, 200.0, 0.0, 2)).unwrap();
    let w = run_collected(m.as_mut(), 0..100)
        .unwrap()
        .0
        .workers
        .unwrap();
    assert!(w.user_s + w.sys_s > 0.0, "{w:?}");
    assert!(w.max_rss_kib > 0, "{w:?}");
}

/// True while `pid` names a process, zombies included (a zombie was not reaped).
fn exists(pid: u32) -> bool {
    // SAFETY: signal 0 only checks that the process exists.
    unsafe { libc::kill(pid as libc::pid_t, 0) == 0 }
}

/// True while `pid` names a process that is not a zombie. An orphan's reaping is up to
/// whatever adopts it (in a container, possibly nobody), so dead-but-unreaped counts as
/// dead when the process is not our child.
fn running(pid: u32) -> bool {
    match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
        // The state follows the command name in parentheses, which may hold spaces.
        Ok(stat) => stat
            .rsplit_once(')')
            .map(|(_, rest)| !rest.trim_start().starts_with('Z'))
            .unwrap_or(true),
        Err(_) => false,
    }
}

#[test]
fn no_worker_outlives_the_model() {
    use_spectrum_exe();
    let m = process::ProcessModel::spawn(
        &spec(ModelKind::Process, None, 10.0, 10.0, 3),
        env!("CARGO_BIN_EXE_spectrum").as_ref(),
    )
    .unwrap();
    let pids = m.pids();
    assert_eq!(pids.len(), 3);
    assert!(pids.iter().all(|&p| running(p)));
    drop(m);
    // Dropped means stopped and reaped: the pids are gone, not zombies.
    assert!(pids.iter().all(|&p| !exists(p)), "{pids:?}");
}

#[test]
fn a_worker_killed_mid_run_fails_the_run_without_hanging() {
    let mut m = process::ProcessModel::spawn(
        &spec(ModelKind::Process, None, 0.0, 2000.0, 2),
        env!("CARGO_BIN_EXE_spectrum").as_ref(),
    )
    .unwrap();
    let victim = m.pids()[1];
    let killer = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(50));
        // SAFETY: sends a signal to our own worker.
        unsafe { libc::kill(victim as libc::pid_t, libc::SIGKILL) };
    });
    let t = Instant::now();
    let err = run_collected(&mut m, 0..400).expect_err("a killed worker must fail the run");
    killer.join().unwrap();
    let msg = format!("{err:#}");
    assert!(
        msg.contains("worker 1") && msg.contains(&victim.to_string()),
        "{msg}"
    );
    assert!(msg.contains("signal"), "{msg}");
    // The healthy worker's 200 sleeps of 2 ms are read first; no hang beyond that.
    assert!(t.elapsed() < Duration::from_secs(10));
    // The model stays failed rather than answering out of step.
    assert!(run_collected(&mut m, 0..2).is_err());
}

#[test]
fn the_worker_rejects_a_bad_spec_with_a_message() {
    let out = Command::new(env!("CARGO_BIN_EXE_spectrum"))
        .arg("worker")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .and_then(|mut c| {
            use std::io::Write;
            c.stdin.take().unwrap().write_all(b"{not a spec}\n")?;
            c.wait_with_output()
        })
        .unwrap();
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("cell spec"), "{stderr}");
}

#[test]
fn pure_io_overlaps_under_every_concurrent_model() {
    use_spectrum_exe();
    // The best of `tries` timed runs: other work on a loaded machine only ever slows a
    // run down, and the sequential baseline being slowed only makes the check easier.
    let time = |kind, cpu, tries| {
        let mut m = spectrum::dispatch::build(&spec(kind, cpu, 0.0, 2000.0, 10)).unwrap();
        run_collected(m.as_mut(), 0..10).unwrap();
        (0..tries)
            .map(|_| {
                let t = Instant::now();
                // 100 ops, not fewer: a debug build's fixed cost per run (histograms
                // built and scanned per worker process) must stay small next to the sleeps.
                assert_eq!(run_collected(m.as_mut(), 10..110).unwrap().1.len(), 100);
                t.elapsed().as_secs_f64()
            })
            .fold(f64::INFINITY, f64::min)
    };
    let seq = time(ModelKind::Sequential, None, 1);
    for (kind, cpu) in all_models().into_iter().skip(1) {
        let t = time(kind, cpu, 3);
        // Ideal is 10x; 3x leaves room for a loaded 2-core machine.
        assert!(
            seq / t > 3.0,
            "{kind:?} {cpu:?}: {t:.4}s vs sequential {seq:.4}s"
        );
    }
}

/// The death-signal test's helper: runs only when re-executed by that test. It builds a
/// process model, prints its workers' pids and waits to be killed.
#[test]
#[ignore = "helper process for workers_die_with_their_parent"]
fn helper_hold_workers() {
    if std::env::var_os("SPECTRUM_TEST_HOLD_WORKERS").is_none() {
        return;
    }
    let m = process::ProcessModel::spawn(
        &spec(ModelKind::Process, None, 10.0, 0.0, 2),
        env!("CARGO_BIN_EXE_spectrum").as_ref(),
    )
    .unwrap();
    let pids: Vec<String> = m.pids().iter().map(|p| p.to_string()).collect();
    println!("PIDS {}", pids.join(" "));
    std::thread::sleep(Duration::from_secs(30));
}

#[test]
fn workers_die_with_their_parent() {
    use std::io::BufRead;
    let mut helper = Command::new(std::env::current_exe().unwrap())
        .args([
            "--ignored",
            "--exact",
            "helper_hold_workers",
            "--nocapture",
            "--test-threads=1",
        ])
        .env("SPECTRUM_TEST_HOLD_WORKERS", "1")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut pids = Vec::new();
    for line in std::io::BufReader::new(helper.stdout.take().unwrap()).lines() {
        let Ok(line) = line else { break };
        // libtest prints "test helper_hold_workers ... " on the same line first.
        if let Some((_, rest)) = line.split_once("PIDS ") {
            pids = rest
                .split(' ')
                .filter_map(|p| p.parse::<u32>().ok())
                .collect();
            break;
        }
    }
    // SIGKILL: the helper gets no chance to clean up; only the death signal can.
    helper.kill().unwrap();
    helper.wait().unwrap();
    assert_eq!(pids.len(), 2, "the helper did not report its workers");
    let deadline = Instant::now() + Duration::from_secs(5);
    while pids.iter().any(|&p| running(p)) && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(10));
    }
    assert!(
        pids.iter().all(|&p| !running(p)),
        "workers outlived their parent: {pids:?}"
    );
}
