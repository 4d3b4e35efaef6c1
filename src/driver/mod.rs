//! The driver: runs a [`Plan`]'s cells, each repetition in a fresh child process, and
//! turns what the children measured into [`Results`].
//!
//! Order of a run: check the plan against the flags, this build and this machine
//! (`plan.rs`), claim the output folder (`output.rs`: a lock, no stale report), collect
//! the environment, calibrate each runtime in a child, then the repetitions in rounds
//! across cells (or cell by cell with `--no-interleave`, see `rounds.rs`): spawn, wait
//! (timeout, Ctrl-C), check, and rewrite `results.json` atomically after every
//! repetition, so that whatever stops the driver, the file holds every finished
//! repetition.

mod calibrate;
mod cell_run;
pub mod child;
mod interrupt;
mod output;
mod plan;
mod probes;
mod progress;
mod rounds;
pub mod spawn;
pub mod speed;
mod time;

pub use calibrate::{calibrate_main, parse_runtime, CalibrationReport};
pub use interrupt::INTERRUPTED_EXIT;
pub use plan::{
    effective_params, estimated_cell_seconds, filter_cells, op_counts, MAX_OPS, QUICK_WINDOW_S,
};
pub use time::{now_rfc3339, parse_rfc3339, rfc3339};

use anyhow::{Context, Result};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use crate::metrics::Environment;
use crate::results::{CellStatus, Results, RunRecord, ScenarioRecord, SCHEMA};
use crate::scenario::{Plan, RunParams, Runtime};
use cell_run::{CellJob, CellRun, Step};
use interrupt::Interrupt;
use progress::Progress;

/// A mistake on the command line (not in a scenario file): exit code 2.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct UsageError(pub String);

/// How to run a plan: the `spectrum run` flags, as plain data.
#[derive(Debug, Clone, Default)]
pub struct RunOptions {
    /// Output folder; default `reports/<scenario name>`.
    pub out_dir: Option<PathBuf>,
    /// Keep only the cells whose id contains every comma-separated term.
    pub filter: Option<String>,
    /// One repetition and a window of at most 0.1 s per cell.
    pub quick: bool,
    /// Overrides the scenario's repetitions.
    pub repetitions: Option<u32>,
    /// Folder holding `python_workloads` (else located by [`crate::python::locate_workloads`]).
    pub python_workloads: Option<PathBuf>,
    /// The spectrum executable whose `cell` subcommand measures; default: this process's.
    /// Benches and tests pass `env!("CARGO_BIN_EXE_spectrum")`.
    pub exe: Option<PathBuf>,
    /// Skip the HTML report.
    pub no_report: bool,
    /// Skip the switch and spawn probe (`results.probes` stays absent).
    pub no_probes: bool,
    /// No progress output on stderr.
    pub quiet: bool,
    /// Run each cell's repetitions back to back, cell by cell, instead of in rounds
    /// across cells (the default; see `RunRecord::interleaved`).
    pub no_interleave: bool,
    /// The command line, recorded in the results.
    pub command: Vec<String>,
}

/// What a run produced.
#[derive(Debug)]
pub struct RunOutcome {
    /// The results, as written.
    pub results: Results,
    /// Where `results.json` is.
    pub results_path: PathBuf,
    /// Where the HTML report is, when it was rendered.
    pub report_path: Option<PathBuf>,
    /// True when Ctrl-C, SIGTERM or SIGHUP stopped the run.
    pub interrupted: bool,
}

impl RunOutcome {
    /// Number of cells that failed.
    pub fn failed(&self) -> usize {
        self.results
            .cells
            .iter()
            .filter(|c| c.status == CellStatus::Failed)
            .count()
    }
}

/// Runs `plan` as `opts` say; writes `results.json` (and the report) into the output folder.
pub fn run_plan(plan: &Plan, opts: &RunOptions) -> Result<RunOutcome> {
    plan::check_repetitions(opts.repetitions)?;
    let params = effective_params(&plan.params, opts.quick, opts.repetitions);
    let cells = filter_cells(&plan.cells, opts.filter.as_deref());
    let (cells, build_note) = plan::runnable_cells(cells, cfg!(feature = "python"));
    // Each `interpreter` a cpython cell asks for, found on this machine (or its cells
    // left out with a note naming what was looked for).
    let (cells, interpreters, interpreter_notes) =
        crate::python::interpreters::resolve_cells(cells);
    if cells.is_empty() {
        let why = match &opts.filter {
            _ if build_note.is_some() => "every cell to run is a `python` cell, and this \
                 spectrum was built without the embedded interpreter (cargo feature `python`); \
                 rebuild with default features, or use runtime = \"cpython\" (a plain python3)"
                .to_string(),
            Some(f) => format!(
                "--filter '{}' matches none of the {} cells of scenario '{}' (`spectrum list` and the cell ids in results.json show what there is)",
                crate::text::escape(f),
                plan.cells.len(),
                plan.name
            ),
            None => format!("scenario '{}' has no cells to run", plan.name),
        };
        return Err(UsageError(why).into());
    }
    plan::check_fits_timeout(
        plan,
        &cells,
        &params,
        crate::metrics::available_cores(),
        opts.quick,
    )?;
    let exe = match &opts.exe {
        Some(p) => p.clone(),
        None => std::env::current_exe().context("could not locate the spectrum executable")?,
    };
    let out_dir = opts
        .out_dir
        .clone()
        .unwrap_or_else(|| Path::new("reports").join(&plan.name));
    let mut output = output::OutputFolder::claim(&out_dir)?;
    let results_path = output.results_path().to_path_buf();
    let timeout = plan::timeout(&params);
    let interrupt = Interrupt::install()?;

    // Every cell process and worker inherits it: a tcp cell holds a file per connection.
    // (A limit that cannot be raised stays as it is; the per-cell check says so.)
    let _ = crate::io::raise_fd_limit();
    let mut environment = Environment::collect();
    let cores = environment.available_cores;
    let note = |line: &str| {
        if !opts.quiet {
            progress::say(line);
        }
    };
    if let Some(w) = environment.busy_warning() {
        note(&format!("warning: {w}"));
    }
    for n in plan
        .notes
        .iter()
        .chain(&build_note)
        .chain(&interpreter_notes)
    {
        note(&format!("note: {n}"));
    }
    environment.interpreters = interpreters.values().cloned().collect();

    // Python cells share one workloads folder, found once.
    let has_python = cells.iter().any(|c| c.runtime.is_python());
    let python_path: Option<Result<PathBuf, String>> = has_python.then(|| {
        crate::python::locate_workloads(opts.python_workloads.as_deref())
            .map_err(|e| format!("{e:#}"))
    });

    let runtimes = calibrate::runtimes_to_calibrate(&cells, !matches!(python_path, Some(Err(_))));
    let usable_path = python_path.as_ref().and_then(|r| r.as_ref().ok());
    let cal_timeout = timeout.max(Duration::from_secs(120));
    let mut results = new_results(plan, &params, &opts.command);
    results.notes.extend(build_note);
    results.notes.extend(interpreter_notes);
    // Repetitions record their start relative to this, the run's `started_at`.
    let run_start = Instant::now();
    let interleaved = !opts.no_interleave;
    results.run.interleaved = interleaved;
    // The same calibration children run at the start and again at the end of the run.
    let calibrate_all = || {
        calibrate::calibrate_runtimes(
            &exe,
            &runtimes,
            usable_path.map(PathBuf::as_path),
            cal_timeout,
            interrupt.flag(),
        )
    };
    let calibrations = calibrate_all()?;
    let mut interrupted = calibrations.is_none();
    let calibrations = calibrations.unwrap_or_default();
    for (rt, cal) in &calibrations {
        if let Ok(report) = cal {
            results
                .calibration
                .insert(rt.as_str().to_string(), report.calibration);
            if environment.python.is_none() {
                environment.python.clone_from(&report.python);
            }
        }
    }
    let embedded = calibrations
        .get(&Runtime::Python)
        .and_then(|c| c.as_ref().ok())
        .and_then(|r| r.python.as_ref());
    if let Some(n) = plan::gil_axis_note(&cells, embedded) {
        note(&format!("note: {n}"));
        results.notes.push(n);
    }
    results.environment = environment;
    // Each named interpreter's own kernel speed: the reference of its cells' speed
    // checks (their ops stay sized by the default python3's calibration).
    let mut speed_refs: BTreeMap<String, f64> = BTreeMap::new();
    if let (false, Some(dir)) = (interrupted, usable_path) {
        for (name, info) in &interpreters {
            match crate::python::calibrate_with(Path::new(&info.executable), dir) {
                Ok((cal, _)) => {
                    speed_refs.insert(name.clone(), cal.iters_per_us);
                    results.calibration.insert(format!("cpython@{name}"), cal);
                }
                Err(e) => note(&format!(
                    "warning: could not calibrate interpreter {name}: {e:#}; its cells' speed checks read against the default python3"
                )),
            }
        }
    }
    for w in calibrate::disturbed_warnings(&results.calibration) {
        note(&format!("WARNING: {w}"));
    }
    if !interrupted && !opts.no_probes {
        note("probing switch and spawn costs…");
        match probes::probe_costs(&exe, probes::PROBE_TIMEOUT, interrupt.flag())? {
            None => interrupted = true,
            Some(Ok(p)) => results.probes = Some(p),
            Some(Err(why)) => note(&format!(
                "warning: {why}; the run goes on without switch and spawn costs"
            )),
        }
    }
    output.save(&results)?;

    let estimates: Vec<f64> = cells
        .iter()
        .map(|c| estimated_cell_seconds(c, &params, cores, opts.quick))
        .collect();
    let mut runs: Vec<CellRun> = cells
        .iter()
        .map(|cell| {
            let (ops, warmup_ops) = op_counts(cell, &params, cores, opts.quick);
            CellRun::new(CellJob {
                exe: &exe,
                cell,
                ops,
                warmup_ops,
                trace_ops: params.timeline,
                repetitions: params.repetitions,
                timeout,
                calibration: cell_calibration(&calibrations, cell),
                python_path: if cell.runtime.is_python() {
                    python_path.clone()
                } else {
                    None
                },
                python_exe: cell
                    .interpreter
                    .as_ref()
                    .and_then(|i| interpreters.get(i))
                    .map(|i| PathBuf::from(&i.executable)),
                speed_reference: cell
                    .interpreter
                    .as_ref()
                    .and_then(|i| speed_refs.get(i).copied()),
                cores,
            })
        })
        .collect();
    let reps = params.repetitions as usize;
    let mut progress = Progress::new(
        cells.len(),
        reps,
        estimates.iter().sum(),
        interleaved,
        opts.quiet,
    );
    for slot in rounds::schedule(cells.len(), reps, interleaved) {
        if interrupted || interrupt.requested() {
            interrupted = true;
            break;
        }
        if slot.cell == 0 {
            progress.start_round(slot.round);
        }
        let run = &mut runs[slot.cell];
        if run.is_finished() {
            continue; // failed in an earlier round
        }
        progress.start_repetition(slot.round, &run.id());
        let before = run.done_repetitions();
        let started_at_s = run_start.elapsed().as_secs_f64();
        let step = run.run_next(interrupt.flag(), started_at_s);
        let per_rep = estimates[slot.cell] / reps as f64;
        match step {
            Step::Interrupted => {
                interrupted = true;
                break;
            }
            Step::Measured => progress.finish_repetition(per_rep),
            // The failed repetition and the ones it skips.
            Step::Failed => progress.skip_repetitions(per_rep * reps.saturating_sub(before) as f64),
        }
        if run.is_finished() {
            if let Some(result) = run.result() {
                progress.finish_cell(&result);
            }
        }
        // Plan order, whatever the round; cells with nothing yet are left out.
        results.cells = runs.iter().filter_map(CellRun::result).collect();
        results.run.finished_at = now_rfc3339();
        output.save(&results)?;
    }
    progress.finish();
    interrupted |= interrupt.requested();
    if !interrupted {
        // Calibrate again: did the machine run the kernels at the same speed at the end?
        let end = calibrate_all()?;
        interrupted = end.is_none();
        for (rt, report) in end.unwrap_or_default() {
            if let Ok(report) = report {
                results
                    .calibration_end
                    .insert(rt.as_str().to_string(), report.calibration);
            }
        }
        for w in calibrate::drift_warnings(&results.calibration, &results.calibration_end) {
            note(&format!("warning: {w}"));
        }
    }
    if interrupted {
        let finished = runs.iter().filter(|r| r.is_finished()).count();
        let partial = runs
            .iter()
            .filter(|r| !r.is_finished() && r.done_repetitions() > 0)
            .count();
        note(&format!(
            "interrupted: {finished} of {} cells finished, {partial} more with some of their repetitions",
            cells.len()
        ));
    }
    results.run.interrupted = interrupted;
    results.run.finished_at = now_rfc3339();
    output.save(&results)?;
    note(&format!("results: {}", results_path.display()));

    let report_path = if opts.no_report {
        None
    } else {
        render_report(&results, &out_dir, &note)
    };
    Ok(RunOutcome {
        results,
        results_path,
        report_path,
        interrupted,
    })
}

/// The results of a run that has just started: no cells yet, and `interrupted` until
/// the run ends, so that a file left by a killed driver says so.
fn new_results(plan: &Plan, params: &RunParams, command: &[String]) -> Results {
    Results {
        schema: SCHEMA.to_string(),
        spectrum_version: env!("CARGO_PKG_VERSION").to_string(),
        scenario: ScenarioRecord {
            name: plan.name.clone(),
            description: plan.description.clone(),
            source: plan.source.clone(),
            text: plan.text.clone(),
        },
        environment: Environment::default(),
        calibration: BTreeMap::new(),
        calibration_end: BTreeMap::new(),
        run: RunRecord {
            started_at: now_rfc3339(),
            finished_at: now_rfc3339(),
            interrupted: true,
            interleaved: false,
            command: command.to_vec(),
            params: params.clone(),
        },
        notes: plan.notes.clone(),
        probes: None,
        cells: Vec::new(),
    }
}

/// The calibration that sizes `cell`'s CPU half, or why there is none (its own runtime's
/// calibration failing fails it too: that runtime is what runs it).
fn cell_calibration(
    calibrations: &BTreeMap<Runtime, Result<CalibrationReport, String>>,
    cell: &crate::scenario::Cell,
) -> Result<crate::workload::Calibration, String> {
    let get = |rt: Runtime| match calibrations.get(&rt) {
        Some(Ok(r)) => Ok(r.calibration),
        Some(Err(why)) => Err(why.clone()),
        None => Err(format!("no calibration for runtime {}", rt.as_str())),
    };
    get(cell.runtime)?;
    get(crate::python::calibration_runtime(cell))
}

/// Renders the HTML report; a failure is a note, not an error — the results are safe and
/// `spectrum report` can render them later.
fn render_report(results: &Results, out_dir: &Path, note: &dyn Fn(&str)) -> Option<PathBuf> {
    match crate::report::write_report(std::slice::from_ref(results), None, out_dir) {
        Ok(w) => {
            note(&format!("report:  {}", w.page.display()));
            Some(w.page)
        }
        Err(e) => {
            let msg = format!("{e:#}");
            if msg.contains("not built yet") {
                note("note: the HTML report is not available in this build yet");
            } else {
                note(&format!(
                    "warning: could not render the report ({msg}); the results are saved — retry with `spectrum report {}`",
                    out_dir.join("results.json").display()
                ));
            }
            None
        }
    }
}
