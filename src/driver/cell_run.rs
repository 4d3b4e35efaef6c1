//! One cell: prepared once, then run one repetition at a time (each in a fresh child),
//! checked, accumulated, and finished into a [`CellResult`].
//!
//! The driver decides the order (rounds across cells, or cell by cell); this module only
//! knows one cell, so both orders share one code path.

use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;
use std::time::Duration;

use super::calibrate::stderr_suffix;
use super::spawn::{run_child, ChildRun, Ending};
use crate::metrics::{Measurement, Summary};
use crate::model::CellSpec;
use crate::results::{CellResult, CellStatus};
use crate::scenario::Cell;
use crate::workload::Calibration;

/// Everything a cell's repetitions share.
pub(crate) struct CellJob<'a> {
    /// The executable whose `cell` subcommand measures.
    pub exe: &'a Path,
    /// The cell.
    pub cell: &'a Cell,
    /// Ops in the window, and warm-up ops.
    pub ops: u64,
    /// Warm-up ops.
    pub warmup_ops: u64,
    /// Ops sampled for the timeline, in the first repetition only (the timeline is a
    /// picture of one window; more would only grow results.json).
    pub trace_ops: u64,
    /// Repetitions.
    pub repetitions: u32,
    /// Per-repetition timeout.
    pub timeout: Duration,
    /// Calibration of the cell's runtime, or why there is none.
    pub calibration: Result<Calibration, String>,
    /// Python runtimes: the `python_workloads` folder, or why it was not found.
    pub python_path: Option<Result<PathBuf, String>>,
    /// `cpython` cells with an `interpreter`: the `python3` it resolved to.
    pub python_exe: Option<PathBuf>,
    /// Its interpreter's own kernel speed, for the speed check.
    pub speed_reference: Option<f64>,
    /// Cores for the ideal bound.
    pub cores: usize,
}

/// A cell in progress: its job, what it needs to run, and the repetitions so far.
pub(crate) struct CellRun<'a> {
    job: CellJob<'a>,
    /// The calibration and Python path, or why the cell cannot run at all.
    prepared: Result<(Calibration, Option<PathBuf>), String>,
    reps: Vec<Measurement>,
    /// Why the cell failed; once set, it runs no more repetitions.
    error: Option<String>,
}

/// What one call to [`CellRun::run_next`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Step {
    /// A repetition ran and passed its checks.
    Measured,
    /// The cell failed (at set-up or in this repetition) and is finished.
    Failed,
    /// A signal stopped the repetition; nothing of it is kept.
    Interrupted,
}

impl<'a> CellRun<'a> {
    /// Prepares `job` once; a cell that cannot run is failed from the start.
    pub fn new(job: CellJob<'a>) -> CellRun<'a> {
        let prepared = prepare(&job);
        CellRun {
            job,
            prepared,
            reps: Vec::new(),
            error: None,
        }
    }

    /// The cell's id.
    pub fn id(&self) -> String {
        self.job.cell.id()
    }

    /// Repetitions measured so far.
    pub fn done_repetitions(&self) -> usize {
        self.reps.len()
    }

    /// True once the cell failed or measured every repetition.
    pub fn is_finished(&self) -> bool {
        self.error.is_some() || self.reps.len() >= self.job.repetitions as usize
    }

    /// Runs the cell's next repetition; `started_at_s` (seconds since the run's start)
    /// is recorded in its measurement. Does nothing (`Failed`) on a finished failed cell.
    pub fn run_next(&mut self, stop: &AtomicBool, started_at_s: f64) -> Step {
        if self.error.is_some() {
            return Step::Failed;
        }
        let (calibration, python_path) = match &self.prepared {
            Ok(p) => p.clone(),
            Err(why) => {
                self.error = Some(why.clone());
                return Step::Failed;
            }
        };
        let r = self.reps.len() as u32;
        let n = self.job.repetitions;
        let spec = CellSpec {
            cell: self.job.cell.clone(),
            ops: self.job.ops,
            warmup_ops: self.job.warmup_ops,
            calibration,
            repetition: r,
            python_path,
            io_server: None,
            trace_ops: if r == 0 { self.job.trace_ops } else { 0 },
            python_exe: self.job.python_exe.clone(),
            speed_reference: self.job.speed_reference,
            file_dir: None,
        };
        match run_repetition(&self.job, &spec, stop) {
            Err(None) => Step::Interrupted,
            Err(Some(why)) => {
                self.error = Some(format!("repetition {}/{n}: {why}", r + 1));
                Step::Failed
            }
            Ok(mut m) => {
                m.started_at_s = started_at_s;
                // Same ops, same work: a different checksum means a model skipped,
                // repeated or mixed up ops in one of the runs.
                let differs = self
                    .reps
                    .first()
                    .filter(|first| first.checksum != m.checksum);
                if let Some(first) = differs {
                    self.error = Some(format!(
                        "repetition {}/{n}: checksum {:#x} differs from repetition 1's {:#x} for the same ops",
                        r + 1,
                        m.checksum,
                        first.checksum
                    ));
                    self.reps.push(m);
                    return Step::Failed;
                }
                self.reps.push(m);
                Step::Measured
            }
        }
    }

    /// The cell as it stands, for `results.json`: `None` while it has neither a
    /// repetition nor an error (a cell with nothing to show is not written). An
    /// unfinished ok cell is summarised over the repetitions it has; the length of its
    /// `repetitions` array tells that it is short.
    pub fn result(&self) -> Option<CellResult> {
        if self.reps.is_empty() && self.error.is_none() {
            return None;
        }
        let status = if self.error.is_some() {
            CellStatus::Failed
        } else {
            CellStatus::Ok
        };
        // A failed cell keeps its raw repetitions but gets no summary: figures from a
        // cell that crashed or did different work must not reach a chart.
        let summary = match status {
            CellStatus::Ok => Summary::of(&self.reps, self.job.cell, self.job.cores),
            CellStatus::Failed => None,
        };
        Some(CellResult {
            id: self.job.cell.id(),
            label: self.job.cell.model_label(),
            cell: self.job.cell.clone(),
            status,
            error: self.error.clone(),
            repetitions: self.reps.clone(),
            summary,
        })
    }
}

/// The calibration and Python path, or why the cell cannot run at all.
fn prepare(job: &CellJob<'_>) -> Result<(Calibration, Option<PathBuf>), String> {
    // The missing workloads folder first: it is the cause of a missing Python calibration.
    let python_path = match &job.python_path {
        None => None,
        Some(Ok(p)) => Some(p.clone()),
        Some(Err(why)) => return Err(why.clone()),
    };
    let calibration = job.calibration.clone()?;
    Ok((calibration, python_path))
}

/// One repetition in a fresh child. `Err(None)`: interrupted; `Err(Some(why))`: failed.
fn run_repetition(
    job: &CellJob<'_>,
    spec: &CellSpec,
    stop: &AtomicBool,
) -> Result<Measurement, Option<String>> {
    let input = serde_json::to_vec(spec).map_err(|e| Some(format!("bad cell spec: {e}")))?;
    let run = run_child(job.exe, &["cell"], &[], &input, job.timeout, stop)
        .map_err(|e| Some(format!("{e:#}")))?;
    if run.ending == Ending::Interrupted {
        return Err(None);
    }
    if let Some(why) = run.describe_failure(job.timeout) {
        return Err(Some(format!("the child {why}{}", stderr_of(&run))));
    }
    let mut m =
        parse_measurement(&run.stdout).map_err(|why| Some(format!("{why}{}", stderr_of(&run))))?;
    if m.ops != spec.ops {
        return Err(Some(format!(
            "the child measured {} ops, asked for {}",
            m.ops, spec.ops
        )));
    }
    m.whole_child = Some(run.rusage);
    Ok(m)
}

fn stderr_of(run: &ChildRun) -> String {
    stderr_suffix(run)
}

/// The measurement is the last stdout line that parses: a model (or Python code) may
/// have printed before it.
fn parse_measurement(stdout: &str) -> Result<Measurement, String> {
    let mut last_err = None;
    for line in stdout
        .lines()
        .rev()
        .filter(|l| l.trim_start().starts_with('{'))
    {
        match serde_json::from_str::<Measurement>(line) {
            Ok(m) => return Ok(m),
            Err(e) => {
                last_err.get_or_insert(e);
            }
        }
    }
    Err(match last_err {
        Some(e) => format!("the child printed a measurement that is not valid JSON: {e}"),
        None => "the child exited without printing a measurement".into(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_last_json_line_is_the_measurement() {
        let m = Measurement {
            ops: 7,
            ..Measurement::default()
        };
        let text = format!(
            "hello\n{{not json\n{}\n",
            serde_json::to_string(&m).unwrap()
        );
        assert_eq!(parse_measurement(&text).unwrap().ops, 7);
        assert!(parse_measurement("")
            .unwrap_err()
            .contains("without printing"));
        assert!(parse_measurement("{oops}")
            .unwrap_err()
            .contains("not valid JSON"));
    }

    #[test]
    fn a_cell_that_cannot_run_fails_once_and_is_written_without_repetitions() {
        let cell =
            super::super::plan::tests::cell(crate::scenario::ModelKind::Sequential, 100.0, 0.0, 1);
        let run = |calibration: Result<Calibration, String>| {
            CellRun::new(CellJob {
                exe: Path::new("/nonexistent/spectrum"),
                cell: &cell,
                ops: 10,
                warmup_ops: 0,
                trace_ops: 0,
                repetitions: 3,
                timeout: Duration::from_secs(1),
                calibration,
                python_path: None,
                python_exe: None,
                speed_reference: None,
                cores: 1,
            })
        };
        // Nothing ran yet: nothing to write.
        let fresh = run(Err("unused".into()));
        assert!(!fresh.is_finished());
        assert!(fresh.result().is_none());

        let mut broken = run(Err("no calibration for runtime rust".into()));
        let stop = AtomicBool::new(false);
        assert_eq!(broken.run_next(&stop, 0.0), Step::Failed);
        assert!(broken.is_finished());
        // A later round does not run it again.
        assert_eq!(broken.run_next(&stop, 1.0), Step::Failed);
        let r = broken.result().unwrap();
        assert_eq!(r.status, CellStatus::Failed);
        assert_eq!(r.error.as_deref(), Some("no calibration for runtime rust"));
        assert!(r.repetitions.is_empty() && r.summary.is_none());
    }
}
