//! Issue 10 ("Hardening"), item 18: the Rust-only build (`cargo build
//! --no-default-features`). It never touches Python at build time; at run time `python`
//! cells are skipped with a note (not failed), and `spectrum list` says the embedded
//! runtime is not built in. CI runs these with `cargo test --no-default-features --test
//! no_python`; they need no Python on the machine.
#![cfg(not(feature = "python"))]

use std::process::Command;

use spectrum::results::{read_results, CellStatus};
use spectrum::scenario::Runtime;

const EXE: &str = env!("CARGO_BIN_EXE_spectrum");

#[test]
fn list_says_the_embedded_runtime_is_not_built_in() {
    let out = Command::new(EXE).arg("list").output().unwrap();
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    let line = text
        .lines()
        .find(|l| l.trim_start().starts_with("python "))
        .unwrap_or_else(|| panic!("no python runtime line in:\n{text}"));
    assert!(line.contains("not built in"), "{line}");
}

#[test]
fn python_cells_are_skipped_with_a_note_and_the_run_succeeds() {
    let dir = tempfile::tempdir().unwrap();
    let scenario = dir.path().join("s.toml");
    std::fs::write(
        &scenario,
        r#"
name = "mixed"

[defaults]
op_time = "1ms"
ops = 20
repetitions = 1
timeout = "60s"

[sweep]
runtime = ["rust", "python"]
model = "sequential"
io_fraction = 0.5
concurrency = 1
"#,
    )
    .unwrap();
    let out_dir = dir.path().join("out");
    let out = Command::new(EXE)
        .arg("run")
        .arg(&scenario)
        .arg("--out")
        .arg(&out_dir)
        .args(["--no-probes", "--no-report"])
        .output()
        .unwrap();
    let said = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{said}");
    assert!(
        said.contains("note: skipped 1 cells of runtime python"),
        "{said}"
    );
    let results = read_results(&out_dir.join("results.json")).unwrap();
    let runtimes: Vec<Runtime> = results.cells.iter().map(|c| c.cell.runtime).collect();
    assert_eq!(runtimes, [Runtime::Rust]);
    assert!(results.cells.iter().all(|c| c.status == CellStatus::Ok));
    assert!(
        results.notes.iter().any(|n| n.contains("built without")),
        "{:?}",
        results.notes
    );

    // Nothing but python cells: nothing to run, said plainly.
    let text = std::fs::read_to_string(&scenario).unwrap();
    let only_python = dir.path().join("p.toml");
    std::fs::write(
        &only_python,
        text.replace(r#"["rust", "python"]"#, r#""python""#),
    )
    .unwrap();
    let out = Command::new(EXE)
        .arg("run")
        .arg(&only_python)
        .arg("--out")
        .arg(&out_dir)
        .arg("--no-probes")
        .output()
        .unwrap();
    let said = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{said}");
    assert!(
        said.contains("built without the embedded interpreter"),
        "{said}"
    );
}
