//! Issue 10 ("Hardening"), a run under hostile conditions, through the real binary: its
//! output streams closed, a stale report in its folder, SIGHUP, a module planted in the
//! working directory.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use spectrum::results::read_results;

const EXE: &str = env!("CARGO_BIN_EXE_spectrum");

/// Five pure-sleep Rust cells, about half a second in all: no CPU load.
const SLEEPY: &str = r#"
name = "sleepy"

[defaults]
ops = 20
repetitions = 1
warmup = 0.0
timeout = "30s"

[sweep]
model = "sequential"
io_fraction = 1.0
op_time = ["5ms", "6ms", "7ms", "8ms", "9ms"]
concurrency = 1
"#;

fn scenario(dir: &Path, text: &str) -> PathBuf {
    let path = dir.join("s.toml");
    std::fs::write(&path, text).unwrap();
    path
}

/// Item 14: `spectrum run X 2>&1 | head -2` used to die on the closed pipe (exit 101),
/// leaving a results.json of 0 cells. The run goes on, saves every cell, and its exit
/// code still says how it went (1: one cell fails on purpose).
#[test]
fn a_closed_output_pipe_does_not_stop_the_run() {
    let dir = tempfile::tempdir().unwrap();
    let failing = "[[include]]\nmodel = \"fault\"\nfault = \"error\"\nop_time = \"5ms\"\n\
                   concurrency = 1\n";
    let path = scenario(dir.path(), &format!("{SLEEPY}{failing}"));
    let out = dir.path().join("out");
    let script = r#""$0" run "$1" --out "$2" --no-probes 2>&1 | head -2 >/dev/null; exit "${PIPESTATUS[0]}""#;
    let status = Command::new("bash")
        .args(["-c", script])
        .arg(EXE)
        .arg(&path)
        .arg(&out)
        .status()
        .unwrap();
    assert_eq!(
        status.code(),
        Some(1),
        "a closed pipe ended the run: {status}"
    );
    let results = read_results(&out.join("results.json")).unwrap();
    assert_eq!(results.cells.len(), 6, "every cell was saved");
    assert!(!results.run.interrupted);
    assert!(out.join("index.html").is_file(), "the report was rendered");
}

/// Item 14: a report from an earlier run never stays beside this run's results.
#[test]
fn a_stale_report_is_removed_when_a_run_starts() {
    let dir = tempfile::tempdir().unwrap();
    let path = scenario(dir.path(), SLEEPY);
    let out = dir.path().join("out");
    std::fs::create_dir(&out).unwrap();
    std::fs::write(out.join("index.html"), "<html>an old run</html>").unwrap();
    let status = Command::new(EXE)
        .arg("run")
        .arg(&path)
        .arg("--out")
        .arg(&out)
        .args(["--no-probes", "--no-report", "--filter", "op5000"])
        .stderr(Stdio::null())
        .stdout(Stdio::null())
        .status()
        .unwrap();
    assert_eq!(status.code(), Some(0));
    assert!(!out.join("index.html").exists(), "the old report is gone");
    assert_eq!(
        read_results(&out.join("results.json")).unwrap().cells.len(),
        1
    );
}

/// Waits until `results` holds at least one cell, or panics after 30 s.
fn wait_for_a_cell(child: &mut std::process::Child, results: &Path) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while read_results(results).map_or(true, |r| r.cells.is_empty()) {
        assert!(Instant::now() < deadline, "no cell finished in time");
        assert!(child.try_wait().unwrap().is_none(), "the run ended early");
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// Item 15: SIGHUP (a closed terminal) used to kill the driver without the interrupted
/// summary; it stops the run like SIGTERM: exit 130, finished cells kept, and marked.
#[test]
fn sighup_stops_the_run_like_sigterm() {
    let dir = tempfile::tempdir().unwrap();
    // Slower cells than SLEEPY, so the run is still going when the signal comes.
    let path = scenario(dir.path(), &SLEEPY.replace("ops = 20", "ops = 60"));
    let out = dir.path().join("out");
    let mut child = Command::new(EXE)
        .arg("run")
        .arg(&path)
        .arg("--out")
        .arg(&out)
        .arg("--no-probes")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let results = out.join("results.json");
    wait_for_a_cell(&mut child, &results);
    // SAFETY: signalling our own child by pid.
    unsafe { libc::kill(child.id() as libc::pid_t, libc::SIGHUP) };
    let output = child.wait_with_output().unwrap();
    let said = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(130), "{said}");
    assert!(said.contains("interrupted: "), "{said}");
    let r = read_results(&results).unwrap();
    assert!(r.run.interrupted);
    assert!((1..5).contains(&r.cells.len()), "{} cells", r.cells.len());
}

/// Item 2: `python3 -m python_workloads.runner` put the working directory first on
/// `sys.path`, so a `traceback.py` planted where the user ran spectrum executed inside
/// the runner. Modules the runner, the calibration and the embedded interpreter import
/// are planted in the run's working directory; none may run, and the cells still find
/// the workloads.
#[test]
fn modules_planted_in_the_working_directory_are_never_imported() {
    let dir = tempfile::tempdir().unwrap();
    let cwd = dir.path().join("cwd");
    std::fs::create_dir(&cwd).unwrap();
    for module in [
        "traceback",
        "json",
        "time",
        "resource",
        "asyncio",
        "threading",
    ] {
        let marker = dir.path().join(format!("imported-{module}"));
        std::fs::write(
            cwd.join(format!("{module}.py")),
            format!("open({:?}, 'w').close()\n", marker.to_str().unwrap()),
        )
        .unwrap();
    }
    let path = scenario(
        dir.path(),
        r#"
name = "planted"

[defaults]
op_time = "1ms"
ops = 20
repetitions = 1
timeout = "60s"

[sweep]
runtime = ["cpython", "python"]
model = "sequential"
io_fraction = 0.5
concurrency = 1
"#,
    );
    let out = dir.path().join("out");
    let run = Command::new(EXE)
        .current_dir(&cwd)
        .arg("run")
        .arg(&path)
        .arg("--out")
        .arg(&out)
        .args(["--no-probes", "--no-report"])
        .output()
        .unwrap();
    let said = String::from_utf8_lossy(&run.stderr);
    let imported: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with("imported-"))
        .collect();
    assert!(
        imported.is_empty(),
        "planted modules ran: {imported:?}\n{said}"
    );
    assert_eq!(run.status.code(), Some(0), "{said}");
    let results = read_results(&out.join("results.json")).unwrap();
    assert_eq!(
        results.cells.len(),
        if cfg!(feature = "python") { 2 } else { 1 }
    );
    assert!(results.calibration.contains_key("cpython"));
}
