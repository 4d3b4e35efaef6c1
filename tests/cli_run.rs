//! `spectrum` as a user runs it: list, a small run with its outputs, bad input and its
//! exit code 2, and the internal calibrate subcommand.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use spectrum::results::{read_results, CellStatus, Results};

const EXE: &str = env!("CARGO_BIN_EXE_spectrum");

fn spectrum(args: &[&str]) -> Output {
    Command::new(EXE).args(args).output().unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// A two-cell scenario of tiny pure-CPU and half-sleep ops.
fn tiny_scenario(dir: &Path) -> PathBuf {
    let path = dir.join("tiny.toml");
    std::fs::write(
        &path,
        r#"
name = "tiny"
description = "two small sequential cells"

[defaults]
op_time = "200us"
ops = 50
repetitions = 2
warmup = 0.1
timeout = "10s"

[sweep]
runtime = "rust"
model = "sequential"
io_fraction = [0.0, 0.5]
concurrency = 1
io = "sleep"
"#,
    )
    .unwrap();
    path
}

#[test]
fn list_shows_the_shipped_scenarios_models_and_io_kinds() {
    let out = spectrum(&["list"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let s = text(&out.stdout);
    for name in [
        "spectrum",
        "quick",
        "sequential",
        "thread",
        "process",
        "async",
        "sleep",
    ] {
        assert!(s.contains(name), "missing {name} in:\n{s}");
    }
    assert!(s.contains("Demos"), "{s}");
}

#[test]
fn a_run_writes_results_and_prints_the_table() {
    let dir = tempfile::tempdir().unwrap();
    let scenario = tiny_scenario(dir.path());
    let out_dir = dir.path().join("out");
    let out = spectrum(&[
        "run",
        scenario.to_str().unwrap(),
        "--out",
        out_dir.to_str().unwrap(),
        "--no-report",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let results: Results = read_results(&out_dir.join("results.json")).unwrap();
    assert_eq!(results.cells.len(), 2);
    assert!(!results.run.interrupted);
    assert!(results.calibration.contains_key("rust"));
    assert!(results.run.started_at.ends_with('Z'));
    assert!(results.environment.rustc.starts_with("rustc"));
    for c in &results.cells {
        assert_eq!(c.status, CellStatus::Ok, "{:?}", c.error);
        assert_eq!(c.repetitions.len(), 2);
        assert_eq!(c.repetitions[0].ops, 50);
        assert_eq!(c.repetitions[0].warmup_ops, 5);
    }
    let table = text(&out.stdout);
    // The compact table: a runtime's line, then its models.
    assert!(
        table.contains("ops/s") && table.contains("\nrust · I/O by sleep · 200 µs ops\nsequential"),
        "{table}"
    );
    // The default order is rounds: repetition 2 of the first cell starts after
    // repetition 1 of the second; off a terminal each round start gets a line.
    assert!(results.run.interleaved);
    let (a, b) = (&results.cells[0].repetitions, &results.cells[1].repetitions);
    assert!(a[0].started_at_s > 0.0, "{:?}", a[0].started_at_s);
    assert!(
        a[0].started_at_s < b[0].started_at_s
            && b[0].started_at_s < a[1].started_at_s
            && a[1].started_at_s < b[1].started_at_s,
        "not in rounds: a {:?}, b {:?}",
        (a[0].started_at_s, a[1].started_at_s),
        (b[0].started_at_s, b[1].started_at_s)
    );
    let stderr = text(&out.stderr);
    assert!(stderr.contains("round 2/2"), "{stderr}");
}

#[test]
fn no_interleave_runs_cell_by_cell() {
    let dir = tempfile::tempdir().unwrap();
    let scenario = tiny_scenario(dir.path());
    let out_dir = dir.path().join("out");
    let out = spectrum(&[
        "run",
        scenario.to_str().unwrap(),
        "--out",
        out_dir.to_str().unwrap(),
        "--no-report",
        "--no-probes",
        "--no-interleave",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let results: Results = read_results(&out_dir.join("results.json")).unwrap();
    assert!(!results.run.interleaved);
    assert_eq!(results.cells.len(), 2);
    let (a, b) = (&results.cells[0].repetitions, &results.cells[1].repetitions);
    assert!(
        a[0].started_at_s < a[1].started_at_s
            && a[1].started_at_s < b[0].started_at_s
            && b[0].started_at_s < b[1].started_at_s,
        "not cell by cell: a {:?}, b {:?}",
        (a[0].started_at_s, a[1].started_at_s),
        (b[0].started_at_s, b[1].started_at_s)
    );
    assert!(
        !text(&out.stderr).contains("round "),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn json_quick_and_filter() {
    let dir = tempfile::tempdir().unwrap();
    let scenario = tiny_scenario(dir.path());
    let out_dir = dir.path().join("out");
    let out = spectrum(&[
        "run",
        scenario.to_str().unwrap(),
        "--out",
        out_dir.to_str().unwrap(),
        "--no-report",
        "--quick",
        "--json",
        "--filter",
        "f0.00",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let results: Results = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(results.cells.len(), 1);
    assert_eq!(results.run.params.repetitions, 1);
    // --quick: a tenth of the ops.
    assert_eq!(results.cells[0].repetitions[0].ops, 5);
}

#[test]
fn a_filter_that_matches_nothing_is_bad_input() {
    let dir = tempfile::tempdir().unwrap();
    let scenario = tiny_scenario(dir.path());
    let out = spectrum(&[
        "run",
        scenario.to_str().unwrap(),
        "--out",
        dir.path().join("out").to_str().unwrap(),
        "--filter",
        "rayon",
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("--filter 'rayon'"),
        "{}",
        text(&out.stderr)
    );
    assert!(!dir.path().join("out/results.json").exists());
}

#[test]
fn a_bad_scenario_is_exit_2_naming_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("broken.toml");
    std::fs::write(&path, "name = \"x\"\n[sweep]\nmodle = \"thread\"\n").unwrap();
    let out = spectrum(&["run", path.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("broken.toml"),
        "{}",
        text(&out.stderr)
    );

    let out = spectrum(&["run", "no-such-scenario.toml"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("no-such-scenario"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn bad_flags_and_unknown_demos_are_exit_2() {
    assert_eq!(spectrum(&["run", "--no-such-flag"]).status.code(), Some(2));
    let out = spectrum(&["demo", "no-such-demo"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("no demo named 'no-such-demo'"));
    let out = spectrum(&["calibrate", "--runtime", "java"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("rust, python, cpython"));
}

#[test]
fn calibrate_prints_json() {
    let out = spectrum(&["calibrate", "--runtime", "rust"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(v["calibration"]["iters_per_us"].as_f64().unwrap() > 0.0);
    assert!(v["python"].is_null());
}
