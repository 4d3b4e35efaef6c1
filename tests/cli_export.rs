//! Exports, the summary's two widths and shell completions, as a user runs them: the
//! files `--export-*` write from a run and from a results file, the refusals (exit 2,
//! nothing written) and `spectrum completions`.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const EXE: &str = env!("CARGO_BIN_EXE_spectrum");

fn spectrum(args: &[&str]) -> Output {
    Command::new(EXE).args(args).output().unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn fixture() -> String {
    format!(
        "{}/tests/fixtures/fixture-results.json",
        env!("CARGO_MANIFEST_DIR")
    )
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// Two tiny Rust cells, one repetition each: a run of a second or two.
fn tiny_scenario(dir: &Path) -> PathBuf {
    let path = dir.join("tiny.toml");
    std::fs::write(
        &path,
        r#"
name = "tiny"
description = "two small cells"

[defaults]
op_time = "200us"
ops = 40
repetitions = 1
warmup = 0.1
timeout = "10s"

[sweep]
runtime = "rust"
model = ["sequential", "thread"]
io_fraction = 0.5
concurrency = 2
io = "sleep"
"#,
    )
    .unwrap();
    path
}

#[test]
fn a_run_exports_csv_markdown_and_json_and_ends_with_where_they_are() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let scenario = tiny_scenario(d);
    let out_dir = d.join("out");
    let (csv, md, json) = (
        d.join("x/cells.csv"),
        d.join("cells.md"),
        d.join("copy.json"),
    );
    let out = spectrum(&[
        "run",
        s(&scenario),
        "--out",
        s(&out_dir),
        "--no-report",
        "--no-probes",
        "--export-csv",
        s(&csv),
        "--export-markdown",
        s(&md),
        "--export-json",
        s(&json),
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    let csv_text = std::fs::read_to_string(&csv).unwrap();
    assert_eq!(
        csv_text.lines().count(),
        3,
        "a header and two cells:\n{csv_text}"
    );
    assert!(csv_text.starts_with("id,runtime,model,variant,io,io_fraction,"));
    assert!(std::fs::read_to_string(&md).unwrap().contains("### rust\n"));
    assert_eq!(
        std::fs::read(&json).unwrap(),
        std::fs::read(out_dir.join("results.json")).unwrap()
    );
    // The closing block: verdicts, then the files; every line fits 100 columns.
    assert!(stdout.contains("Verdicts (95% intervals"), "{stdout}");
    assert!(stdout.contains(&format!("Results: {}", s(&out_dir.join("results.json")))));
    assert!(stdout.trim_end().ends_with(&format!(
        "Exports: {}, {}, {}",
        s(&csv),
        s(&md),
        s(&json)
    )));
    let widest = stdout.lines().map(|l| l.chars().count()).max().unwrap();
    assert!(widest <= 100, "{widest} columns:\n{stdout}");
    // `--wide`: the full ids.
    let wide = spectrum(&[
        "run",
        s(&scenario),
        "--out",
        s(&out_dir),
        "--no-report",
        "--no-probes",
        "--wide",
    ]);
    assert_eq!(wide.status.code(), Some(0), "{}", text(&wide.stderr));
    assert!(text(&wide.stdout).contains("rust/thread/sleep/f0.50/op200/c2"));
}

#[test]
fn an_unwritable_export_stops_the_run_before_it_starts() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let scenario = tiny_scenario(d);
    let file = d.join("a-file");
    std::fs::write(&file, "").unwrap();
    let out_dir = d.join("out");
    let out = spectrum(&[
        "run",
        s(&scenario),
        "--out",
        s(&out_dir),
        "--export-csv",
        s(&file.join("cells.csv")),
    ]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
    let err = text(&out.stderr);
    assert!(
        err.starts_with("Error: --export-csv: cannot write"),
        "{err}"
    );
    assert!(err.contains("is a file, not a folder"), "{err}");
    assert!(!out_dir.exists(), "nothing ran, nothing was written");
}

#[test]
fn report_exports_from_a_results_file_and_refuses_a_merged_json() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let csv = d.join("cells.csv");
    let md = d.join("cells.md");
    let out = spectrum(&[
        "report",
        &fixture(),
        "--out",
        s(d),
        "--export-csv",
        s(&csv),
        "--export-markdown",
        s(&md),
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(std::fs::read_to_string(&csv).unwrap().lines().count(), 121);
    assert!(text(&out.stdout).contains(&format!("export: {}", s(&md))));
    let two = spectrum(&[
        "report",
        &fixture(),
        &fixture(),
        "--out",
        s(d),
        "--export-json",
        s(&d.join("j.json")),
    ]);
    assert_eq!(two.status.code(), Some(2));
    assert!(text(&two.stderr).contains("--export-json: copies one results file"));
    assert!(!d.join("j.json").exists());
}

#[test]
fn completions_for_each_shell_and_a_clear_refusal_of_an_unknown_one() {
    for shell in ["bash", "zsh", "fish"] {
        let out = spectrum(&["completions", shell]);
        assert_eq!(out.status.code(), Some(0), "{shell}");
        let script = text(&out.stdout);
        assert!(
            script.contains("spectrum") && script.contains("export-csv"),
            "{shell}"
        );
    }
    let out = spectrum(&["completions", "tcsh"]);
    assert_eq!(out.status.code(), Some(2));
    let err = text(&out.stderr);
    assert!(
        err.contains("'tcsh'") && err.contains("bash") && err.contains("zsh"),
        "{err}"
    );
}
