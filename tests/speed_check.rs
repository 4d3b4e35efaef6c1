//! The speed check as a user meets it: a real `spectrum run` records each repetition's
//! kernel speed before and after its window, and calibrates again at the end.

use std::process::Command;

use spectrum::results::{read_results, CellStatus};
use spectrum::scenario::Runtime;

const EXE: &str = env!("CARGO_BIN_EXE_spectrum");

#[test]
fn a_run_records_the_speed_around_every_window() {
    let dir = tempfile::tempdir().unwrap();
    let scenario = dir.path().join("speed.toml");
    // Rust in the cell process, Python through worker processes, and python3's runner:
    // the three places the check is taken.
    std::fs::write(
        &scenario,
        r#"
name = "speed"
description = "one cell per place the speed check runs"

[defaults]
op_time = "200us"
ops = 20
repetitions = 2
warmup = 0.1
timeout = "30s"

[sweep]
runtime = "rust"
model = "sequential"
io_fraction = 0.0
concurrency = 1
io = "sleep"

[[include]]
runtime = "python"
model = "process"
io_fraction = 0.0
concurrency = 2

[[include]]
runtime = "cpython"
model = "sequential"
io_fraction = 0.0
concurrency = 1
"#,
    )
    .unwrap();
    let out_dir = dir.path().join("out");
    let out = Command::new(EXE)
        .args([
            "run",
            scenario.to_str().unwrap(),
            "--no-report",
            "--no-probes",
            "--out",
        ])
        .arg(&out_dir)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    let results = read_results(&out_dir.join("results.json")).unwrap();
    assert_eq!(results.cells.len(), 3);
    for c in &results.cells {
        assert_eq!(c.status, CellStatus::Ok, "{:?}", c.error);
        assert_eq!(c.repetitions.len(), 2);
        for m in &c.repetitions {
            let (before, after) = (m.kernel_speed_before, m.kernel_speed_after);
            assert!(before.is_some() && after.is_some(), "{}: {m:?}", c.id);
            let (before, after) = (before.unwrap(), after.unwrap());
            if c.cell.runtime == Runtime::Rust {
                // Generous: a direction, not a figure (the machine is shared).
                for r in [before, after] {
                    assert!((0.3..=3.0).contains(&r), "{}: speed ratio {r}", c.id);
                }
            } else {
                assert!(before > 0.0 && after > 0.0, "{}: {m:?}", c.id);
            }
        }
    }
    for rt in ["rust", "python", "cpython"] {
        assert!(
            results.calibration_end.contains_key(rt),
            "{rt}: {results:?}"
        );
    }
}
