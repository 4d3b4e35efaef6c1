//! The spectrum sweep as a bench: `cargo bench --bench spectrum` runs the shipped `quick`
//! scenario end to end with the built `spectrum` binary and writes its report, so that
//! `cargo bench` alone leaves both criterion's report and spectrum's.
//!
//! Not a criterion bench (`harness = false`, own `main`): it accepts and ignores the
//! arguments cargo and criterion pass (`--bench`, filters, `--save-baseline`, ...). A
//! filter that does not match `spectrum/quick` skips it, as criterion skips its benches.
//! Without `--bench` (`cargo test --benches`) or with `--test` (`cargo bench -- --test`)
//! it runs the same sweep into a separate folder, as a smoke test.

use std::path::PathBuf;
use std::process::{Command, ExitCode};

const EXE: &str = env!("CARGO_BIN_EXE_spectrum");
const ID: &str = "spectrum/quick";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let flag = |f: &str| args.iter().any(|a| a == f);
    if flag("--list") {
        println!("{ID}: bench");
        return ExitCode::SUCCESS;
    }
    // Criterion's rule: a positional argument is a filter on the bench id. Values of
    // criterion's options that take one (e.g. `--save-baseline NAME`) are not filters.
    let filters = positional(&args);
    if !filters.is_empty() && !filters.iter().any(|f| ID.contains(f.as_str())) {
        return ExitCode::SUCCESS;
    }
    let smoke = !flag("--bench") || flag("--test");
    let out = target_dir().join(if smoke {
        "spectrum-bench-test"
    } else {
        "spectrum-bench"
    });

    println!("{ID}: spectrum run quick --out {}", out.display());
    let status = Command::new(EXE)
        .args(["run", "quick", "--out"])
        .arg(&out)
        .status();
    match status {
        Ok(s) if s.success() => {
            println!("{ID}: results {}", out.join("results.json").display());
            println!("{ID}: report  {}", out.join("index.html").display());
            ExitCode::SUCCESS
        }
        Ok(s) => {
            eprintln!("{ID}: `spectrum run quick` failed ({s}); see its output above");
            ExitCode::FAILURE
        }
        Err(e) => {
            eprintln!("{ID}: could not run {EXE}: {e}");
            ExitCode::FAILURE
        }
    }
}

/// The positional arguments: everything not an option and not the value of a criterion
/// option that takes one.
fn positional(args: &[String]) -> Vec<String> {
    const WITH_VALUE: &[&str] = &[
        "--color",
        "-c",
        "--save-baseline",
        "-s",
        "--baseline",
        "-b",
        "--baseline-lenient",
        "--load-baseline",
        "--format",
        "--profile-time",
        "--sample-size",
        "--warm-up-time",
        "--measurement-time",
        "--plotting-backend",
        "--output-format",
        "--nresamples",
        "--noise-threshold",
        "--confidence-level",
        "--significance-level",
    ];
    let mut out = Vec::new();
    let mut skip_next = false;
    for a in args {
        if skip_next {
            skip_next = false;
        } else if WITH_VALUE.contains(&a.as_str()) {
            skip_next = true;
        } else if !a.starts_with('-') {
            out.push(a.clone());
        }
    }
    out
}

/// Cargo's target folder: the bench runs as `<target>/<profile>/deps/spectrum-<hash>`.
fn target_dir() -> PathBuf {
    std::env::current_exe()
        .ok()
        .and_then(|exe| Some(exe.parent()?.parent()?.parent()?.to_path_buf()))
        .unwrap_or_else(|| PathBuf::from("target"))
}
