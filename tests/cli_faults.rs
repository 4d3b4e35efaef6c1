//! The driver's fault isolation, through the real binary: cells that raise, panic,
//! abort or hang become failed cells with their reason, the sweep goes on, Ctrl-C stops a
//! run cleanly, and no child process outlives the run.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use spectrum::results::{read_results, CellStatus};

const EXE: &str = env!("CARGO_BIN_EXE_spectrum");
/// The environment variable that tags every process of one test run.
const TAG: &str = "SPECTRUM_TEST_RUN_TAG";

/// A value unique to this test run, for [`TAG`].
fn unique_tag(name: &str) -> String {
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    format!("{name}-{}-{nanos}", std::process::id())
}

/// Pids of live (non-zombie) processes whose environment holds `TAG=tag`.
fn tagged_processes(tag: &str) -> Vec<u32> {
    let needle = format!("{TAG}={tag}");
    let mut found = Vec::new();
    for entry in std::fs::read_dir("/proc").unwrap().flatten() {
        let Ok(pid) = entry.file_name().to_string_lossy().parse::<u32>() else {
            continue;
        };
        let Ok(env) = std::fs::read(entry.path().join("environ")) else {
            continue;
        };
        let tagged = env.split(|&b| b == 0).any(|var| var == needle.as_bytes());
        if tagged {
            found.push(pid);
        }
    }
    found
}

/// Waits a little for tagged processes to vanish (a SIGKILLed process needs a moment),
/// then asserts there are none.
fn assert_no_orphans(tag: &str) {
    let deadline = Instant::now() + Duration::from_secs(3);
    loop {
        let left = tagged_processes(tag);
        if left.is_empty() {
            return;
        }
        if Instant::now() > deadline {
            let cmds: Vec<String> = left
                .iter()
                .map(|p| std::fs::read_to_string(format!("/proc/{p}/cmdline")).unwrap_or_default())
                .collect();
            panic!("orphan processes after the run: {left:?} {cmds:?}");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn write_scenario(dir: &Path, text: &str) -> PathBuf {
    let path = dir.join("scenario.toml");
    std::fs::write(&path, text).unwrap();
    path
}

#[test]
fn failing_cells_are_recorded_and_the_sweep_goes_on() {
    let dir = tempfile::tempdir().unwrap();
    let scenario = write_scenario(
        dir.path(),
        r#"
name = "faults"
description = "every way a cell can fail, between two good cells"

[defaults]
op_time = "1ms"
ops = 20
repetitions = 2
warmup = 0.1
timeout = "2s"

[sweep]
runtime = "rust"
model = "fault"
io_fraction = 0.5
concurrency = 1
io = "sleep"
fault = ["error", "panic", "abort", "hang"]

[[include]]
runtime = "rust"
model = "sequential"
io_fraction = [0.0, 0.5]
concurrency = 1
io = "sleep"
"#,
    );
    let out = dir.path().join("out");
    let tag = unique_tag("faults");
    let output = Command::new(EXE)
        .arg("run")
        .arg(&scenario)
        .arg("--out")
        .arg(&out)
        .arg("--no-report")
        .env(TAG, &tag)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "stderr:\n{stderr}");
    assert_no_orphans(&tag);

    let results = read_results(&out.join("results.json")).unwrap();
    assert!(!results.run.interrupted);
    assert_eq!(
        results.cells.len(),
        6,
        "every cell ran: {:?}",
        results.cells
    );
    let reason = |fault: &str| -> String {
        let c = results
            .cells
            .iter()
            .find(|c| c.id.contains(&format!("fault={fault}")))
            .unwrap_or_else(|| panic!("no {fault} cell"));
        assert_eq!(c.status, CellStatus::Failed, "{c:?}");
        assert!(c.summary.is_none());
        c.error.clone().unwrap()
    };
    assert!(reason("error").contains("failing at set-up on purpose"));
    let panic = reason("panic");
    assert!(
        panic.contains("panic") && panic.contains("panicking on purpose"),
        "{panic}"
    );
    assert!(reason("abort").contains("SIGABRT"));
    assert!(reason("hang").contains("timed out"));

    let ok: Vec<_> = results
        .cells
        .iter()
        .filter(|c| c.status == CellStatus::Ok)
        .collect();
    assert_eq!(ok.len(), 2, "{:?}", results.cells);
    for c in ok {
        assert_eq!(c.repetitions.len(), 2);
        assert!(c.repetitions.iter().all(|m| m.whole_child.is_some()));
        assert_eq!(c.repetitions[0].checksum, c.repetitions[1].checksum);
        let s = c.summary.expect("ok cells have a summary");
        assert!(s.ops_per_s.median > 0.0 && s.efficiency > 0.0, "{s:?}");
    }
    // The table names the failures and their reasons.
    let table = String::from_utf8_lossy(&output.stdout);
    assert!(table.contains("4 failed cell(s)"), "{table}");
    assert!(table.contains("SIGABRT"), "{table}");
    // Failures are reported as they happen, on stderr.
    assert!(stderr.contains("FAILED"), "{stderr}");
}

/// Pure-sleep cells of about half a second each: slow, but no CPU load.
const SLOW: &str = r#"
name = "slow"
description = "slow cells to interrupt"

[defaults]
ops = 40
repetitions = 1
warmup = 0.0
timeout = "30s"

[sweep]
runtime = "rust"
model = "sequential"
io_fraction = 1.0
op_time = ["10ms", "11ms", "12ms", "13ms", "14ms", "15ms"]
concurrency = 1
io = "sleep"
"#;

/// Starts a run of [`SLOW`] (with `extra` flags) tagged with `tag` and returns once its
/// first cell is in `results.json`.
fn start_slow_run(dir: &Path, tag: &str, extra: &[&str]) -> (std::process::Child, PathBuf) {
    let scenario = write_scenario(dir, SLOW);
    let out = dir.join("out");
    let results_path = out.join("results.json");
    let mut child = Command::new(EXE)
        .arg("run")
        .arg(&scenario)
        .arg("--out")
        .arg(&out)
        .arg("--no-report")
        .args(extra)
        .env(TAG, tag)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    // Wait for the first cell to be written.
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let done = read_results(&results_path).map_or(0, |r| r.cells.len());
        if done >= 1 {
            break;
        }
        assert!(Instant::now() < deadline, "no cell finished in time");
        assert!(child.try_wait().unwrap().is_none(), "the run ended early");
        std::thread::sleep(Duration::from_millis(20));
    }
    (child, results_path)
}

#[test]
fn ctrl_c_keeps_the_finished_cells_and_exits_130() {
    let dir = tempfile::tempdir().unwrap();
    let tag = unique_tag("ctrlc");
    let (mut child, results_path) = start_slow_run(dir.path(), &tag, &[]);
    // SAFETY: signalling our own child by pid.
    unsafe { libc::kill(child.id() as libc::pid_t, libc::SIGINT) };
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(130));
    assert_no_orphans(&tag);

    let results = read_results(&results_path).unwrap();
    assert!(results.run.interrupted);
    let n = results.cells.len();
    assert!((1..6).contains(&n), "{n} cells");
    assert!(results.cells.iter().all(|c| c.status == CellStatus::Ok));
}

#[test]
fn a_killed_driver_leaves_valid_results_and_no_children() {
    let dir = tempfile::tempdir().unwrap();
    let tag = unique_tag("kill9");
    let (mut child, results_path) = start_slow_run(dir.path(), &tag, &[]);
    child.kill().unwrap(); // SIGKILL: no handler runs
    child.wait().unwrap();
    // The cell child dies with the driver (PR_SET_PDEATHSIG).
    assert_no_orphans(&tag);
    let results = read_results(&results_path).unwrap();
    assert!(results.run.interrupted, "an unfinished file says so");
    assert!(!results.cells.is_empty());
}

#[test]
fn ctrl_c_in_a_round_keeps_the_finished_repetitions() {
    let dir = tempfile::tempdir().unwrap();
    let tag = unique_tag("ctrlc_rounds");
    // Two rounds of six cells: stopped early in round 1, the cells that ran have one
    // repetition of two.
    let (mut child, results_path) =
        start_slow_run(dir.path(), &tag, &["--repetitions", "2", "--no-probes"]);
    // SAFETY: signalling our own child by pid.
    unsafe { libc::kill(child.id() as libc::pid_t, libc::SIGINT) };
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(130));
    assert_no_orphans(&tag);

    let results = read_results(&results_path).unwrap();
    assert!(results.run.interrupted);
    assert!(results.run.interleaved);
    assert!(!results.cells.is_empty());
    for c in &results.cells {
        assert_eq!(c.status, CellStatus::Ok, "{c:?}");
        assert!(c.error.is_none(), "{c:?}");
        assert!((1..=2).contains(&c.repetitions.len()), "{c:?}");
        assert!(c.summary.is_some(), "a short cell is summarised: {c:?}");
    }
    assert!(
        results.cells.iter().any(|c| c.repetitions.len() == 1),
        "stopped in round 1, yet every cell finished: {:?}",
        results.cells
    );
}
