//! Command-line definitions (clap) and nothing else: the library never sees clap.

use clap::{Args, Parser, Subcommand};
use std::path::PathBuf;

/// Processes, threads or async tasks? Measure the CPU↔I/O spectrum on this machine.
#[derive(Debug, Parser)]
#[command(name = "spectrum", version, about, long_about = None)]
pub struct Cli {
    /// What to do; with none, `run` the default scenario.
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run a scenario: every cell in its own child process; writes results.json and the report.
    Run(RunArgs),
    /// Render the report from results files without re-running (merge several; compare).
    Report(ReportArgs),
    /// Show the shipped scenarios, the models and the I/O kinds.
    List,
    /// Teaching demos that show one effect at a time.
    Demo(DemoArgs),
    /// Print a shell completion script: `spectrum completions bash > ~/.local/share/bash-completion/completions/spectrum`.
    Completions(CompletionsArgs),
    /// Internal: measure one repetition of one cell (spec as JSON on stdin).
    #[command(hide = true)]
    Cell,
    /// Internal: a worker process of the `process` model (commands on stdin).
    #[command(hide = true)]
    Worker,
    /// Internal: calibrate a runtime's kernel and print the calibration as JSON.
    #[command(hide = true)]
    Calibrate(CalibrateArgs),
    /// Internal: measure switch and spawn costs and print them as JSON.
    #[command(hide = true)]
    Probe,
    /// Internal: the delay server of the `tcp` I/O kind (control commands on stdin).
    #[command(hide = true)]
    DelayServer(DelayServerArgs),
}

/// `spectrum run`.
#[derive(Debug, Args, Default)]
pub struct RunArgs {
    /// Scenario file (TOML) or the name of a shipped scenario; default: the built-in `spectrum`.
    pub scenario: Option<String>,
    /// Output folder (default: `reports/<scenario name>`).
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// A fast smoke run: one repetition per cell and a short measured window.
    #[arg(long)]
    pub quick: bool,
    /// Run only the cells whose id contains every comma-separated term (e.g. `rust,thread,f1.00`).
    #[arg(long, value_name = "EXPR")]
    pub filter: Option<String>,
    /// Print the results JSON on stdout instead of the summary table.
    #[arg(long)]
    pub json: bool,
    /// Override the scenario's repetitions per cell (1 to 100, as in a scenario file).
    #[arg(long, value_name = "N",
          value_parser = clap::value_parser!(u32).range(1..=i64::from(crate::scenario::REPETITIONS_MAX)))]
    pub repetitions: Option<u32>,
    /// Folder holding the `python_workloads` package (default: $SPECTRUM_PYTHON_WORKLOADS,
    /// else the one beside the source tree).
    #[arg(long, value_name = "DIR")]
    pub python_workloads: Option<PathBuf>,
    /// Do not render the HTML report.
    #[arg(long)]
    pub no_report: bool,
    /// Do not measure switch and spawn costs before the cells (the report's claim 4).
    #[arg(long)]
    pub no_probes: bool,
    /// Run each cell's repetitions back to back, cell by cell, instead of in rounds
    /// (repetition 1 of every cell, then repetition 2, …), which spread every cell over
    /// the whole run so a slow phase of a shared machine does not hit one cell alone.
    #[arg(long)]
    pub no_interleave: bool,
    /// Print every column of the summary table, every cell id and every caveat in full
    /// (the default table fits 100 columns).
    #[arg(long)]
    pub wide: bool,
    /// Files to export the results to.
    #[command(flatten)]
    pub export: ExportArgs,
}

/// The export flags of `run` and `report` (hyperfine's names).
#[derive(Debug, Args, Default, Clone)]
pub struct ExportArgs {
    /// Write one CSV row per cell (identity, then the summary figures; docs/report.md
    /// lists the columns).
    #[arg(long, value_name = "FILE")]
    pub export_csv: Option<PathBuf>,
    /// Write a Markdown table per runtime with the machine and the run, ready to paste
    /// (with --baseline: each cell's change too).
    #[arg(long, value_name = "FILE")]
    pub export_markdown: Option<PathBuf>,
    /// Copy the results JSON (`spectrum.results/1`) to FILE.
    #[arg(long, value_name = "FILE")]
    pub export_json: Option<PathBuf>,
    /// Write the per-op timelines as Chrome trace-event JSON (open it in
    /// ui.perfetto.dev or chrome://tracing): one track per worker, slices for computing,
    /// ready-not-running and waiting on I/O.
    #[arg(long, value_name = "FILE")]
    pub export_trace: Option<PathBuf>,
}

/// `spectrum report`.
#[derive(Debug, Args)]
pub struct ReportArgs {
    /// One or more results.json files; several are merged.
    #[arg(required = true)]
    pub results: Vec<PathBuf>,
    /// Output folder (default: the folder of the first results file).
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// An older results file to compare against, cell by cell: writes
    /// `comparison.html` and `comparison.json` (never the run's own `index.html`) and
    /// prints what changed.
    #[arg(long, value_name = "OLD.json")]
    pub baseline: Option<PathBuf>,
    /// With --baseline: changes within ±this share are no change, even when the
    /// repetitions say they are real (default 0.05: ±5%; `3%` is accepted too).
    #[arg(long, value_name = "SHARE", value_parser = parse_share, default_value = "0.05")]
    pub noise_threshold: f64,
    /// Print the verdicts as JSON on stdout (every claim's outcome, findings, figures
    /// and intervals) instead of writing the page.
    #[arg(long)]
    pub json: bool,
    /// Files to export the results to.
    #[command(flatten)]
    pub export: ExportArgs,
}

/// `spectrum completions`.
#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell to complete for.
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

/// A share in (0, 1): `0.05` or `5%`.
fn parse_share(s: &str) -> Result<f64, String> {
    let (text, scale) = match s.trim().strip_suffix('%') {
        Some(p) => (p, 100.0),
        None => (s.trim(), 1.0),
    };
    let v: f64 = text
        .trim()
        .parse()
        .map_err(|_| format!("'{s}' is not a number; give a share such as 0.05 or 5%"))?;
    let v = v / scale;
    if v > 0.0 && v < 1.0 {
        Ok(v)
    } else {
        Err(format!(
            "{s} is outside (0, 1); give a share such as 0.05 or 5%"
        ))
    }
}

/// `spectrum demo`.
#[derive(Debug, Args)]
pub struct DemoArgs {
    /// The demo to run; without one, the demos are listed.
    pub name: Option<String>,
    /// Output folder (default: reports/demo-NAME).
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// One short repetition per cell: the demo in about 15 s, with a wider margin of
    /// error.
    #[arg(long)]
    pub quick: bool,
    /// Keep only the cells whose id contains every comma-separated term.
    #[arg(long)]
    pub filter: Option<String>,
    /// Folder holding the `python_workloads` package (default: $SPECTRUM_PYTHON_WORKLOADS,
    /// else the one beside the source tree).
    #[arg(long, value_name = "DIR")]
    pub python_workloads: Option<PathBuf>,
}

/// `spectrum calibrate` (internal).
#[derive(Debug, Args)]
pub struct CalibrateArgs {
    /// `rust` or `python`.
    #[arg(long, default_value = "rust")]
    pub runtime: String,
    /// Python runtimes: the folder holding `python_workloads`.
    #[arg(long)]
    pub python_workloads: Option<PathBuf>,
}

/// `spectrum delay-server` (internal).
#[derive(Debug, Args)]
pub struct DelayServerArgs {
    /// Spread each reply's due time by ±this share of its delay, fixed per token
    /// (0: exactly the delay asked for).
    #[arg(long, default_value_t = 0.0)]
    pub spread: f64,
}
