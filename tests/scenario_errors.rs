//! Bad scenarios through the real binary: `spectrum run BAD.toml` exits with code 2 and
//! one error line naming the file, the line, the field and the fix — never a panic, and
//! never a half-written output folder.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// Runs `spectrum run <scenario> --out <dir>/out` and returns its output.
fn run(dir: &Path, scenario: &str) -> Output {
    Command::new(env!("CARGO_BIN_EXE_spectrum"))
        .args(["run", scenario, "--out"])
        .arg(dir.join("out"))
        .output()
        .expect("could not start the spectrum binary")
}

/// Writes `text` to `<dir>/bad.toml` and returns the path as given to `run`.
fn write(dir: &Path, text: &str) -> PathBuf {
    let path = dir.join("bad.toml");
    std::fs::write(&path, text).unwrap();
    path
}

/// Asserts exit code 2, no panic, no output folder, and a stderr holding every needle.
fn assert_bad_input(dir: &Path, out: &Output, needles: &[&str]) {
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "stderr: {stderr}");
    assert!(!stderr.contains("panicked"), "stderr: {stderr}");
    assert!(
        !dir.join("out").exists(),
        "nothing may be written on bad input"
    );
    for n in needles {
        assert!(stderr.contains(n), "stderr {stderr:?} should contain {n:?}");
    }
}

#[test]
fn io_fraction_out_of_range() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(
        dir.path(),
        "name = \"bad\"\n[sweep]\nmodel = \"thread\"\nconcurrency = 2\nio_fraction = 1.5\n",
    );
    let out = run(dir.path(), path.to_str().unwrap());
    let want = format!(
        "{}:5: sweep.io_fraction: 1.5 is outside [0, 1]; use a share between 0 (pure CPU) \
         and 1 (pure I/O)",
        path.display()
    );
    assert_bad_input(dir.path(), &out, &[&want]);
}

#[test]
fn unknown_key_lists_the_valid_keys() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "name = \"bad\"\n[defaults]\nrepetitons = 2\n");
    let out = run(dir.path(), path.to_str().unwrap());
    assert_bad_input(
        dir.path(),
        &out,
        &[
            ":3: defaults.repetitons: unknown key `repetitons`",
            "did you mean `repetitions`?",
            "Choose from: op_time, duration, ops, repetitions, warmup, timeout, timeline.",
        ],
    );
}

#[test]
fn unknown_model_and_bad_duration() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(
        dir.path(),
        "name = \"bad\"\n[sweep]\nmodel = \"fibers\"\nio_fraction = 0\nconcurrency = 2\n",
    );
    let out = run(dir.path(), path.to_str().unwrap());
    assert_bad_input(
        dir.path(),
        &out,
        &[
            ":3: sweep.model: unknown value \"fibers\"",
            "Choose from: sequential, thread",
        ],
    );

    let path = write(
        dir.path(),
        "name = \"bad\"\n[defaults]\nduration = \"5 minutes\"\n",
    );
    let out = run(dir.path(), path.to_str().unwrap());
    assert_bad_input(
        dir.path(),
        &out,
        &[":3: defaults.duration:", "us, µs, ms or s"],
    );
}

#[test]
fn toml_syntax_error() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "name = \"bad\"\n[sweep\n");
    let out = run(dir.path(), path.to_str().unwrap());
    assert_bad_input(dir.path(), &out, &[":2: TOML syntax"]);
}

#[test]
fn unknown_scenario_name_lists_the_shipped_ones() {
    let dir = tempfile::tempdir().unwrap();
    let out = run(dir.path(), "no-such-scenario");
    assert_bad_input(
        dir.path(),
        &out,
        &[
            "no-such-scenario: no such scenario file or shipped scenario",
            "spectrum, quick",
        ],
    );
}
