//! `spectrum demo` as a learner runs it: the list, a mistyped name (exit 2), and one demo
//! narrowed to its Rust cells, which writes the demo's page beside the full report.

use std::process::{Command, Output};

const EXE: &str = env!("CARGO_BIN_EXE_spectrum");

fn spectrum(args: &[&str]) -> Output {
    Command::new(EXE).args(args).output().unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn the_list_names_every_demo_with_its_time() {
    let out = spectrum(&["demo"]);
    assert!(out.status.success());
    let list = text(&out.stdout);
    for d in spectrum::demo::ALL {
        let line = list
            .lines()
            .find(|l| l.trim_start().starts_with(d.name))
            .unwrap_or_else(|| panic!("{} missing from:\n{list}", d.name));
        assert!(line.contains(" s, ~") && line.contains("--quick"), "{line}");
    }
    // `spectrum list` shows them under Demos, not among the scenarios.
    let all = text(&spectrum(&["list"]).stdout);
    let (scenarios, demos) = all.split_once("Demos").expect("a Demos heading");
    assert!(!scenarios.contains("demo-gil"), "{scenarios}");
    assert!(demos.contains("gil"));
}

#[test]
fn a_mistyped_demo_is_bad_input_that_names_the_demos() {
    let out = spectrum(&["demo", "gill"]);
    assert_eq!(out.status.code(), Some(2));
    let err = text(&out.stderr);
    assert!(
        err.contains("no demo named 'gill'") && err.contains("gil, "),
        "{err}"
    );
}

/// Runs demo `name` with `--quick` on its Rust cells into a temporary folder; returns the
/// folder (kept alive), the output folder and what it printed.
fn rust_cells_of(name: &str) -> (tempfile::TempDir, std::path::PathBuf, String) {
    let dir = tempfile::tempdir().unwrap();
    let out_dir = dir.path().join(name);
    let out = spectrum(&[
        "demo",
        name,
        "--quick",
        "--filter",
        "rust/",
        "--out",
        out_dir.to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    (dir, out_dir, stdout)
}

#[test]
fn a_demo_writes_its_page_and_the_full_report() {
    let (_dir, out_dir, stdout) = rust_cells_of("gil");
    assert!(stdout.starts_with("Demo gil:"), "{stdout}");
    assert!(stdout.contains("Try next:") && stdout.contains("index.html"));
    let page = std::fs::read_to_string(out_dir.join("index.html")).unwrap();
    assert!(page.contains("spectrum demo: gil") && page.contains("href=\"full.html\""));
    assert!(page.contains("worker 1"), "the Rust threads' timeline");
    let full = std::fs::read_to_string(out_dir.join("full.html")).unwrap();
    assert!(
        full.contains("id=\"timelines\""),
        "the full report's timelines"
    );
    // `spectrum report` renders the demo's page again from its results.
    std::fs::remove_file(out_dir.join("index.html")).unwrap();
    let again = spectrum(&["report", out_dir.join("results.json").to_str().unwrap()]);
    assert!(again.status.success(), "{}", text(&again.stderr));
    let page = std::fs::read_to_string(out_dir.join("index.html")).unwrap();
    assert!(page.contains("spectrum demo: gil"));
}

#[test]
fn the_race_demo_counts_the_updates_its_rust_threads_lose() {
    let (_dir, out_dir, stdout) = rust_cells_of("race");
    // Whether the racy threads lost any is the scheduler's call: only the shape here.
    assert!(stdout.contains("increments lost"), "{stdout}");
    assert!(stdout.contains("0 updates lost with a fix"), "{stdout}");
    let results = std::fs::read_to_string(out_dir.join("results.json")).unwrap();
    assert!(results.contains("\"counted\""), "each repetition's tally");
    let page = std::fs::read_to_string(out_dir.join("index.html")).unwrap();
    assert!(page.contains("spectrum demo: race") && page.contains("<svg"));
}
