//! Issue 10 ("Hardening"), bad input through the real binary: every case is exit code 2
//! with a message naming the file, line and field (or the flag) and the fix, printed
//! with control characters escaped, before anything is run or written.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const EXE: &str = env!("CARGO_BIN_EXE_spectrum");

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

/// `spectrum run <scenario> --out <dir>/out <extra>`; asserts exit code 2 and that
/// nothing was written; returns stderr.
fn run_rejected(scenario: &Path, extra: &[&str]) -> String {
    let out_dir = scenario.parent().unwrap().join("out");
    let out = Command::new(EXE)
        .arg("run")
        .arg(scenario)
        .arg("--out")
        .arg(&out_dir)
        .args(extra)
        .output()
        .unwrap();
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(2), "stderr:\n{err}");
    assert!(!out_dir.exists(), "bad input wrote {}", out_dir.display());
    err
}

/// A valid one-cell scenario with `defaults` and `sweep` lines added.
fn scenario(defaults: &str, sweep: &str) -> String {
    format!(
        "name = \"hard\"\n\n[defaults]\nop_time = \"1ms\"\n{defaults}\n\n[sweep]\n\
         model = \"sequential\"\nio_fraction = 0.5\nconcurrency = 1\n{sweep}\n"
    )
}

/// No raw control character reaches the terminal (newlines end lines, as they should).
fn assert_printable(text: &str) {
    for c in text.chars() {
        assert!(
            c == '\n' || !(c.is_control() || ('\u{202a}'..='\u{202e}').contains(&c)),
            "raw {:?} in {text:?}",
            c
        );
    }
}

/// Item 3: ESC, BEL, CR, NUL and U+202E from a scenario are echoed escaped.
#[test]
fn control_characters_in_a_scenario_are_escaped() {
    let dir = tempfile::tempdir().unwrap();
    let hostile = r#""thr\u001b[2J\u0007ead\r\u0000\u202e""#;
    for (defaults, sweep) in [
        ("", format!("runtime = {hostile}")),
        ("", r#""k\u001b]0;pwned\u0007" = 1"#.to_string()),
        (&*format!("timeout = {hostile}"), String::new()),
    ] {
        let path = write(dir.path(), "s.toml", &scenario(defaults, &sweep));
        let err = run_rejected(&path, &[]);
        assert_printable(&err);
        assert!(err.contains("\\u{1b}"), "{err}");
    }
    // A name given on the command line: a scenario path, a filter.
    let out = Command::new(EXE)
        .args(["run", "no\u{1b}[31mfile\r.toml"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert_printable(&stderr(&out));
    assert!(
        stderr(&out).contains("no\\u{1b}[31mfile\\r.toml"),
        "{}",
        stderr(&out)
    );
    let path = write(dir.path(), "ok.toml", &scenario("ops = 10", ""));
    let err = run_rejected(&path, &["--filter", "\u{1b}]0;x\u{7}", "--no-probes"]);
    assert_printable(&err);
    assert!(err.contains("--filter '\\u{1b}]0;x\\u{7}'"), "{err}");
}

/// Item 4: `--repetitions` takes 1..=100 like the file; a huge count used to be planned
/// up front ("memory allocation of 64000000000 bytes failed").
#[test]
fn repetitions_flag_is_range_checked_before_anything() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "ok.toml", &scenario("ops = 10", ""));
    for n in ["1000000000", "0", "101"] {
        let err = run_rejected(&path, &["--repetitions", n]);
        assert!(err.contains("--repetitions"), "{err}");
        assert!(err.contains("1..=100"), "{err}");
    }
}

/// Item 6: `timeout = 1e300` used to panic converting to a `Duration` (exit 101).
#[test]
fn huge_durations_are_bad_input_not_a_panic() {
    let dir = tempfile::tempdir().unwrap();
    for line in ["timeout = 1e300", "timeout = 2e19", "duration = 1e300"] {
        let path = write(dir.path(), "s.toml", &scenario(line, ""));
        let err = run_rejected(&path, &[]);
        assert!(err.contains("s.toml:5: defaults."), "{err}");
        assert!(err.contains("is outside"), "{err}");
        assert!(!err.contains("panicked"), "{err}");
    }
}

/// Item 11: a symbolic link loop is not "no such scenario file"; a dangling link says
/// where it points.
#[test]
fn scenario_path_messages_say_what_is_wrong() {
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = (dir.path().join("a.toml"), dir.path().join("b.toml"));
    std::os::unix::fs::symlink(&b, &a).unwrap();
    std::os::unix::fs::symlink(&a, &b).unwrap();
    let err = run_rejected(&a, &[]);
    assert!(err.contains("a symbolic link loop"), "{err}");
    assert!(!err.contains("no such scenario file"), "{err}");
    let dangling = dir.path().join("d.toml");
    std::os::unix::fs::symlink("gone.toml", &dangling).unwrap();
    let err = run_rejected(&dangling, &[]);
    assert!(
        err.contains("is a symbolic link to 'gone.toml', which does not exist"),
        "{err}"
    );
    let err = run_rejected(Path::new("/dev/zero"), &[]);
    assert!(err.contains("is a character device"), "{err}");
}

/// Item 11: `"-1s"` was reported as an unknown unit.
#[test]
fn a_negative_duration_is_called_negative() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "s.toml", &scenario("timeout = \"-1s\"", ""));
    let err = run_rejected(&path, &[]);
    assert!(
        err.contains("s.toml:5: defaults.timeout: \"-1s\" is negative"),
        "{err}"
    );
}

/// Item 10: an `ops` budget the timeout cannot hold, and one above the cap (it used to be
/// cut to ten million without a word), are errors before anything runs.
#[test]
fn ops_budgets_must_fit_the_timeout_and_the_cap() {
    let dir = tempfile::tempdir().unwrap();
    let text = scenario("ops = 1000\ntimeout = \"5s\"", "").replace("\"1ms\"", "\"1s\"");
    let path = write(dir.path(), "s.toml", &text);
    let err = run_rejected(&path, &[]);
    assert!(err.contains("s.toml:5: defaults.ops: 1000 ops"), "{err}");
    assert!(err.contains("longer than the 5 s timeout"), "{err}");
    let path = write(
        dir.path(),
        "s.toml",
        &scenario("ops = 1_000_000_000_000", ""),
    );
    let err = run_rejected(&path, &[]);
    assert!(
        err.contains("1000000000000 is above the cap of 10000000 ops"),
        "{err}"
    );
}
