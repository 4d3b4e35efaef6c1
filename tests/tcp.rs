//! The `tcp` I/O kind end to end: every model waits on a connection of its own to the
//! delay server and does the same ops (same checksum); connections never outlive the
//! model (no descriptor leaks); a cell whose server dies mid-window fails with the
//! reason. One test binary of its own: it counts this process's open descriptors, which
//! tests running beside it would change.

use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use spectrum::io::server::DelayServer;
use spectrum::model::{process, run_collected, CellSpec};
use spectrum::results::{read_results, CellStatus};
use spectrum::scenario::{AsyncCpu, Cell, IoKind, ModelKind, Runtime};
use spectrum::workload::Calibration;

const EXE: &str = env!("CARGO_BIN_EXE_spectrum");

/// The tests of this file run one at a time: one counts this process's descriptors,
/// which the other's child processes (their pipes) would change.
static ONE_AT_A_TIME: std::sync::Mutex<()> = std::sync::Mutex::new(());

fn open_fds() -> usize {
    std::fs::read_dir("/proc/self/fd").unwrap().count()
}

fn spec(
    runtime: Runtime,
    model: ModelKind,
    async_cpu: Option<AsyncCpu>,
    server: &DelayServer,
) -> CellSpec {
    CellSpec {
        cell: Cell {
            io: IoKind::Tcp,
            async_cpu,
            ..Cell::sleep_op(runtime, model, 100.0, 300.0, 4)
        },
        ops: 40,
        warmup_ops: 4,
        calibration: Calibration::from_samples(vec![if runtime == Runtime::Rust {
            50.0
        } else {
            2.0
        }]),
        repetition: 0,
        python_path: Some(PathBuf::from(env!("CARGO_MANIFEST_DIR"))),
        io_server: Some(server.addr()),
        trace_ops: 0,
        python_exe: None,
        speed_reference: None,
        file_dir: None,
    }
}

#[test]
fn every_model_waits_on_its_own_connection_with_the_same_checksum_and_no_leak() {
    let _one = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    std::env::set_var(process::EXE_ENV, EXE);
    let mut server = DelayServer::start(std::path::Path::new(EXE)).unwrap();
    let mut cases = vec![
        (Runtime::Rust, ModelKind::Sequential, None),
        (Runtime::Rust, ModelKind::Thread, None),
        (Runtime::Rust, ModelKind::Process, None),
        (Runtime::Rust, ModelKind::Async, Some(AsyncCpu::Inline)),
        (Runtime::Rust, ModelKind::Async, Some(AsyncCpu::Offload)),
        (Runtime::Rust, ModelKind::Rayon, None),
        (Runtime::Cpython, ModelKind::Thread, None),
        (Runtime::Cpython, ModelKind::Async, Some(AsyncCpu::Inline)),
        (Runtime::Cpython, ModelKind::Process, None),
    ];
    if cfg!(feature = "python") {
        cases.extend([
            (Runtime::Python, ModelKind::Sequential, None),
            (Runtime::Python, ModelKind::Thread, None),
            (Runtime::Python, ModelKind::Async, Some(AsyncCpu::Inline)),
        ]);
    }
    // Per runtime, the sequential checksum is the reference (Python's kernel is the twin
    // of Rust's, with its own calibration here, so its iteration counts differ).
    let mut reference: Vec<(Runtime, u64)> = Vec::new();
    let before = open_fds();
    for (runtime, kind, cpu) in cases {
        let s = spec(runtime, kind, cpu, &server);
        server.mark().unwrap();
        let (out, latency) = {
            let mut m = spectrum::dispatch::build(&s)
                .unwrap_or_else(|e| panic!("{runtime:?} {kind:?}: {e:#}"));
            run_collected(m.as_mut(), 0..s.warmup_ops).unwrap();
            run_collected(m.as_mut(), 0..s.ops)
                .unwrap_or_else(|e| panic!("{runtime:?} {kind:?}: {e:#}"))
        };
        assert_eq!(latency.len(), s.ops, "{runtime:?} {kind:?}");
        // Every op waited for its reply: at least the 300 µs the server was asked for.
        assert!(
            latency.summary().min >= 300.0,
            "{runtime:?} {kind:?}: {:?}",
            latency.summary()
        );
        let stats = server.stats().unwrap();
        assert_eq!(
            stats.requests,
            s.warmup_ops + s.ops,
            "{runtime:?} {kind:?}: one request per op"
        );
        let want = *reference
            .iter()
            .find(|(r, _)| *r == runtime)
            .map(|(_, c)| c)
            .unwrap_or(&out.checksum);
        if !reference.iter().any(|(r, _)| *r == runtime) {
            reference.push((runtime, out.checksum));
        }
        if runtime != Runtime::Rust {
            // The cpython and embedded runtimes share the Python kernel.
            let py = reference
                .iter()
                .find(|(r, _)| *r != Runtime::Rust)
                .map(|(_, c)| *c);
            assert_eq!(Some(out.checksum), py, "{runtime:?} {kind:?}: checksum");
        } else {
            assert_eq!(out.checksum, want, "{runtime:?} {kind:?}: checksum");
        }
        // The model's connections are closed with it: the server holds none after a
        // moment (it sees the resets), and this process holds no more descriptors.
        let deadline = Instant::now() + Duration::from_secs(5);
        while server.stats().unwrap().connections_open > 0 && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(20));
        }
        assert_eq!(
            server.stats().unwrap().connections_open,
            0,
            "{runtime:?} {kind:?}"
        );
        if open_fds() != before {
            let list: Vec<String> = std::fs::read_dir("/proc/self/fd")
                .unwrap()
                .flatten()
                .map(|e| format!("{:?}", std::fs::read_link(e.path())))
                .collect();
            panic!("{runtime:?} {kind:?}: descriptors leaked: {list:?}");
        }
    }
}

#[test]
fn a_cell_whose_server_dies_mid_window_fails_with_the_reason() {
    let _one = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    let dir = tempfile::tempdir().unwrap();
    let scenario = dir.path().join("dies.toml");
    std::fs::write(
        &scenario,
        r#"
name = "dies"
description = "a tcp cell whose delay server is killed during its window"
[defaults]
op_time = "200ms"
ops = 40
repetitions = 1
warmup = 0.0
timeout = "60s"
[sweep]
model = "thread"
io_fraction = 1.0
io = "tcp"
concurrency = 2
"#,
    )
    .unwrap();
    let out_dir = dir.path().join("out");
    let mut run = Command::new(EXE)
        .arg("run")
        .arg(&scenario)
        .args(["--no-probes", "--no-report", "--out"])
        .arg(&out_dir)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    // Find the delay server (a grandchild: `spectrum cell` started it) and kill it
    // once the window is under way (the window lasts 20 × 200 ms).
    let deadline = Instant::now() + Duration::from_secs(30);
    let pid = loop {
        assert!(Instant::now() < deadline, "no delay server appeared");
        if let Some(pid) = find_server(run.id()) {
            break pid;
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    std::thread::sleep(Duration::from_millis(1500));
    // SAFETY: a signal to the delay server this test's run started.
    unsafe { libc::kill(pid as libc::pid_t, libc::SIGKILL) };
    let status = run.wait().unwrap();
    assert_eq!(status.code(), Some(1), "a failed cell exits 1");
    let r = read_results(&out_dir.join("results.json")).unwrap();
    let cell = &r.cells[0];
    assert_eq!(cell.status, CellStatus::Failed);
    let why = cell.error.as_deref().unwrap_or("");
    assert!(why.contains("delay server died"), "{why}");
    assert!(why.contains("SIGKILL") || why.contains("signal 9"), "{why}");
}

/// The pid of a `delay-server` process descended from `ancestor`.
fn find_server(ancestor: u32) -> Option<u32> {
    for entry in std::fs::read_dir("/proc").ok()?.flatten() {
        let Ok(pid) = entry.file_name().to_string_lossy().parse::<u32>() else {
            continue;
        };
        let cmdline = std::fs::read(format!("/proc/{pid}/cmdline")).unwrap_or_default();
        if !String::from_utf8_lossy(&cmdline).contains("delay-server") {
            continue;
        }
        // Walk up the parents to the run.
        let mut p = pid;
        for _ in 0..4 {
            let stat = std::fs::read_to_string(format!("/proc/{p}/stat")).unwrap_or_default();
            let ppid: u32 = stat
                .rsplit(')')
                .next()
                .and_then(|rest| rest.split_whitespace().nth(1))
                .and_then(|x| x.parse().ok())
                .unwrap_or(0);
            if ppid == ancestor {
                return Some(pid);
            }
            p = ppid;
        }
    }
    None
}
