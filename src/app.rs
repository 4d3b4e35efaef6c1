//! Dispatch of the subcommands to the library (the binary's only entry point), and the
//! mapping of outcomes to exit codes: 0 ok, 1 failed cells or an error, 2 bad input,
//! 3 disk full while saving results, 130 interrupted.

use anyhow::{Context, Result};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use crate::cli::{Cli, Command, DemoArgs, ExportArgs, ReportArgs, RunArgs};
use crate::driver::{self, RunOptions, UsageError};
use crate::export::Exports;
use crate::results;
use crate::scenario::{IoKind, ModelKind, Plan, Runtime};

/// Runs the command line; returns the exit code for a completed command.
pub fn main(cli: Cli) -> Result<ExitCode> {
    match cli.command {
        None => run(RunArgs::default()),
        Some(Command::Run(args)) => run(args),
        Some(Command::Report(args)) => report(args),
        Some(Command::List) => list(),
        Some(Command::Completions(args)) => completions(args.shell),
        Some(Command::Demo(args)) => demo(args),
        Some(Command::Cell) => driver::child::cell_main().map(|()| ExitCode::SUCCESS),
        Some(Command::Worker) => crate::model::process::worker_main().map(|()| ExitCode::SUCCESS),
        Some(Command::Calibrate(args)) => {
            driver::calibrate_main(&args.runtime, args.python_workloads.as_deref())
                .map(|()| ExitCode::SUCCESS)
        }
        Some(Command::Probe) => crate::probe::probe_main().map(|()| ExitCode::SUCCESS),
        Some(Command::DelayServer(args)) => {
            crate::io::server::main(args.spread).map(|()| ExitCode::SUCCESS)
        }
    }
}

/// Exit code of a run stopped because its results could not be saved for want of space.
pub const DISK_FULL_EXIT: u8 = 3;

/// The exit code for an error that ended a command: 2 for bad input (a scenario mistake,
/// a bad flag or a busy output folder anywhere in the error's chain), 3 for a full disk
/// while saving results,
/// 0 for a closed stdout (`spectrum list | head` is not an error), 1 otherwise.
pub fn exit_code_for(err: &anyhow::Error) -> u8 {
    if is_broken_pipe(err) {
        0
    } else if err.downcast_ref::<results::DiskFull>().is_some() {
        // Attached as a context, which `chain()` does not yield as its own type;
        // anyhow's downcast finds a context at any depth.
        DISK_FULL_EXIT
    } else if err.chain().any(|e| {
        e.is::<UsageError>()
            || e.is::<crate::scenario::ScenarioError>()
            || e.is::<results::FolderBusy>()
            || e.is::<crate::export::ExportError>()
    }) {
        2
    } else {
        1
    }
}

/// True when the error is a write to a closed pipe (the reader went away): a clean exit,
/// as ripgrep does it, rather than an error message about the pager.
pub fn is_broken_pipe(err: &anyhow::Error) -> bool {
    err.chain().any(|e| {
        e.downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}

/// `spectrum run`.
fn run(args: RunArgs) -> Result<ExitCode> {
    let plan = load_plan(args.scenario.as_deref())?;
    // Checked before the run: minutes of measuring must not end on an unwritable path.
    let exports = exports_of(&args.export);
    exports.check(&[], 1)?;
    let opts = RunOptions {
        out_dir: args.out,
        filter: args.filter,
        quick: args.quick,
        repetitions: args.repetitions,
        python_workloads: args.python_workloads,
        exe: None,
        no_report: args.no_report,
        no_probes: args.no_probes,
        quiet: false,
        no_interleave: args.no_interleave,
        command: std::env::args().collect(),
    };
    let outcome = driver::run_plan(&plan, &opts)?;
    let exported = export(&exports, std::slice::from_ref(&outcome.results), None)
        .with_context(|| {
            format!(
                "the results are saved in '{}'; export them again with `spectrum report` and the same flag",
                crate::text::path(&outcome.results_path)
            )
        })?;
    let text = if args.json {
        serde_json::to_string_pretty(&outcome.results).context("could not serialize results")?
    } else {
        // The table, then what it adds up to: verdicts, the main caveat, the files.
        crate::report::run_summary(
            &outcome.results,
            &crate::report::RunWritten {
                report: outcome.report_path.as_deref(),
                results: Some(&outcome.results_path),
                exports: &exported,
            },
            args.wide,
        )
    };
    finish(&outcome, &text)
}

/// Prints a run's closing text and gives its exit code: 130 when interrupted, 1 when a
/// cell failed. A reader that went away (`spectrum run | head`) is no error: the results
/// are saved, and the exit code still tells how the run went.
fn finish(outcome: &driver::RunOutcome, text: &str) -> Result<ExitCode> {
    match print_stdout(text) {
        Err(e) if !is_broken_pipe(&e) => return Err(e),
        _ => {}
    }
    Ok(if outcome.interrupted {
        ExitCode::from(driver::INTERRUPTED_EXIT)
    } else if outcome.failed() > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

/// `spectrum demo [NAME]`: the list of demos, or one demo run through the driver into
/// `reports/demo-NAME` (its page is rendered by the report, like any run's).
fn demo(args: DemoArgs) -> Result<ExitCode> {
    let Some(name) = args.name else {
        print_stdout(&format!(
            "Demos (spectrum demo NAME [--quick] [--out DIR]):\n{}",
            crate::demo::list_text().trim_end()
        ))?;
        return Ok(ExitCode::SUCCESS);
    };
    let Some(demo) = crate::demo::find(&name) else {
        let names: Vec<&str> = crate::demo::ALL.iter().map(|d| d.name).collect();
        return Err(UsageError(format!(
            "no demo named '{}'; the demos are: {} (`spectrum demo` describes them)",
            crate::text::escape(&name),
            names.join(", ")
        ))
        .into());
    };
    let plan = demo.plan()?;
    let opts = RunOptions {
        out_dir: Some(args.out.unwrap_or_else(|| demo.out_dir())),
        filter: args.filter,
        quick: args.quick,
        python_workloads: args.python_workloads,
        // No demo reads the switch and spawn probes; they would add seconds to a
        // one-minute lesson.
        no_probes: true,
        command: std::env::args().collect(),
        ..RunOptions::default()
    };
    let outcome = driver::run_plan(&plan, &opts)?;
    let text = crate::report::demo_text(&outcome.results, demo, outcome.report_path.as_deref());
    finish(&outcome, &text)
}

/// The exports the flags ask for.
fn exports_of(args: &ExportArgs) -> Exports {
    Exports::new(
        args.export_csv.clone(),
        args.export_markdown.clone(),
        args.export_json.clone(),
        args.export_trace.clone(),
    )
}

/// Writes the exports of `files` (compared with `comparison` when given); the paths
/// written.
fn export(
    exports: &Exports,
    files: &[results::Results],
    comparison: Option<(&results::Comparison, &str)>,
) -> Result<Vec<PathBuf>> {
    if exports.is_empty() {
        return Ok(Vec::new());
    }
    let merged = results::merge(files);
    exports.write(&crate::export::Input {
        files,
        merged: &merged,
        comparison,
    })
}

/// `spectrum completions SHELL`: the completion script on stdout.
fn completions(shell: clap_complete::Shell) -> Result<ExitCode> {
    use clap::CommandFactory;
    let mut script = Vec::new();
    clap_complete::generate(shell, &mut Cli::command(), "spectrum", &mut script);
    let mut out = std::io::stdout().lock();
    out.write_all(&script)?;
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}

/// Loads the scenario named on the command line (a path or a shipped name; none: the
/// built-in default).
fn load_plan(scenario: Option<&str>) -> Result<Plan> {
    Ok(crate::scenario::load(scenario)?)
}

/// `spectrum report`.
fn report(args: ReportArgs) -> Result<ExitCode> {
    // A results file that is missing or is not one is bad input (exit 2), like a
    // broken scenario.
    let read = |p: &Path| results::read_results(p).map_err(|e| UsageError(format!("{e:#}")));
    let all = args
        .results
        .iter()
        .map(|p| read(p))
        .collect::<Result<Vec<_>, _>>()?;
    let baseline = args.baseline.as_deref().map(read).transpose()?;
    let exports = exports_of(&args.export);
    let mut inputs = args.results.clone();
    inputs.extend(args.baseline.clone());
    exports.check(&inputs, all.len())?;
    let baseline_name = args
        .baseline
        .as_deref()
        .map(crate::text::path)
        .unwrap_or_default();
    if args.json {
        let comparison = baseline
            .as_ref()
            .map(|b| results::compare(&results::merge(&all), b, args.noise_threshold));
        export(
            &exports,
            &all,
            comparison.as_ref().map(|c| (c, baseline_name.as_str())),
        )?;
        let v = crate::report::verdicts_json(&all);
        print_stdout(
            &serde_json::to_string_pretty(&v).context("could not serialize the verdicts")?,
        )?;
        return Ok(ExitCode::SUCCESS);
    }
    let out_dir = args.out.unwrap_or_else(|| folder_of(&args.results[0]));
    // A run writing into that folder will render its own report at its end.
    results::check_unlocked(&out_dir)?;
    let written = crate::report::write_report(
        &all,
        baseline.as_ref().map(|b| crate::report::Baseline {
            results: b,
            threshold: args.noise_threshold,
        }),
        &out_dir,
    )
    .with_context(|| {
        format!(
            "could not render the report into '{}'",
            crate::text::path(&out_dir)
        )
    })?;
    let exported = export(
        &exports,
        &all,
        written
            .comparison
            .as_ref()
            .map(|c| (c, baseline_name.as_str())),
    )?;
    let mut text = String::new();
    if let (Some(c), Some(path)) = (&written.comparison, &args.baseline) {
        text.push_str(&crate::text::escape_lines(
            &c.summary(&crate::text::path(path)),
        ));
    } else if let Some(demo) = match all.as_slice() {
        [one] => crate::demo::of_scenario(&one.scenario.name),
        _ => None,
    } {
        // A demo's results re-rendered: its lesson, as `spectrum demo` printed it.
        text.push_str(&crate::report::demo_text(&all[0], demo, None));
        text.push('\n');
    } else {
        text.push_str(&crate::text::escape_lines(&crate::report::verdicts_text(
            &all,
        )));
    }
    text.push_str(&format!(
        "report: {}\ndata:   {}",
        crate::text::path(&written.page),
        crate::text::path(&written.data)
    ));
    for p in exported {
        text.push_str(&format!("\nexport: {}", crate::text::path(&p)));
    }
    print_stdout(&text)?;
    Ok(ExitCode::SUCCESS)
}

/// The folder a file is in (`.` for a bare file name).
fn folder_of(path: &Path) -> PathBuf {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

/// `spectrum list`.
fn list() -> Result<ExitCode> {
    let mut out = String::from("Scenarios (spectrum run NAME):\n");
    out.push_str(&crate::scenario::list_text());
    out.push_str("\nRuntimes:\n");
    for (rt, what) in runtimes_text() {
        out.push_str(&format!("  {:<12}{what}\n", rt.as_str()));
    }
    out.push_str("\nModels (runtimes that support them):\n");
    for m in ModelKind::ALL {
        let rts: Vec<&str> = Runtime::ALL
            .into_iter()
            .filter(|&r| m.supported_by(r))
            .map(Runtime::as_str)
            .collect();
        out.push_str(&format!("  {:<16}{}\n", m.as_str(), rts.join(", ")));
    }
    out.push_str(
        "\nPython interpreters (scenario key `interpreter` of runtime cpython: NAME or a path):\n",
    );
    out.push_str(&crate::python::interpreters::list_text(
        &crate::python::interpreters::discover(),
    ));
    out.push_str("\nI/O kinds:\n");
    for io in IoKind::ALL {
        out.push_str(&format!("  {:<12}{}\n", io.as_str(), io.describe()));
    }
    out.push_str("\nDemos (spectrum demo NAME [--quick]):\n");
    out.push_str(&crate::demo::list_text());
    print_stdout(out.trim_end())?;
    Ok(ExitCode::SUCCESS)
}

/// One line per runtime for `spectrum list`: what runs the ops, and whether this build
/// has it.
fn runtimes_text() -> [(Runtime, String); 3] {
    let python = if cfg!(feature = "python") {
        "CPython embedded in spectrum (pyo3)".to_string()
    } else {
        "not built in: this spectrum was built without the `python` feature (no embedded \
         interpreter); its cells are skipped"
            .to_string()
    };
    let interpreter = crate::python::interpreter();
    [
        (Runtime::Rust, "native Rust".to_string()),
        (Runtime::Python, python),
        (
            Runtime::Cpython,
            format!(
                "a plain python3 process: {}",
                crate::text::path(&interpreter)
            ),
        ),
    ]
}

/// Prints `text` and a newline on stdout; a closed pipe comes back as an error that
/// [`exit_code_for`] maps to a clean exit.
fn print_stdout(text: &str) -> Result<()> {
    let mut out = std::io::stdout().lock();
    writeln!(out, "{text}")?;
    out.flush()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exit_codes_tell_bad_input_a_full_disk_and_failures_apart() {
        let io = |code| anyhow::Error::new(std::io::Error::from_raw_os_error(code));
        let full = io(libc::ENOSPC)
            .context(results::DiskFull("the disk is full".into()))
            .context("more context on top");
        assert_eq!(exit_code_for(&full), DISK_FULL_EXIT);
        let usage = anyhow::Error::new(UsageError("bad flag".into())).context("while running");
        assert_eq!(exit_code_for(&usage), 2);
        assert_eq!(exit_code_for(&io(libc::EACCES)), 1);
        assert_eq!(exit_code_for(&io(libc::EPIPE)), 0);
    }
}
