//! One cell: its repetitions, each in a fresh child, checked and summarised.

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
    /// Repetitions.
    pub repetitions: u32,
    /// Per-repetition timeout.
    pub timeout: Duration,
    /// Calibration of the cell's runtime, or why there is none.
    pub calibration: Result<Calibration, String>,
    /// Python runtimes: the `python_workloads` folder, or why it was not found.
    pub python_path: Option<Result<PathBuf, String>>,
    /// Cores for the ideal bound.
    pub cores: usize,
}

/// Runs every repetition of `job`. `None`: interrupted (the cell is dropped, not half
/// recorded).
pub(crate) fn run_cell(job: &CellJob<'_>, stop: &AtomicBool) -> Option<CellResult> {
    let mut reps: Vec<Measurement> = Vec::new();
    let error = match prepare(job) {
        Err(why) => Some(why),
        Ok((calibration, python_path)) => {
            let mut error = None;
            for r in 0..job.repetitions {
                let spec = CellSpec {
                    cell: job.cell.clone(),
                    ops: job.ops,
                    warmup_ops: job.warmup_ops,
                    calibration,
                    repetition: r,
                    python_path: python_path.clone(),
                };
                match run_repetition(job, &spec, stop) {
                    Err(None) => return None,
                    Err(Some(why)) => {
                        error = Some(format!("repetition {}/{}: {why}", r + 1, job.repetitions));
                        break;
                    }
                    Ok(m) => {
                        // Same ops, same work: a different checksum means a model skipped,
                        // repeated or mixed up ops in one of the runs.
                        if let Some(first) = reps.first() {
                            if first.checksum != m.checksum {
                                error = Some(format!(
                                    "repetition {}/{}: checksum {:#x} differs from repetition 1's {:#x} for the same ops",
                                    r + 1,
                                    job.repetitions,
                                    m.checksum,
                                    first.checksum
                                ));
                                reps.push(m);
                                break;
                            }
                        }
                        reps.push(m);
                    }
                }
            }
            error
        }
    };
    let status = if error.is_some() {
        CellStatus::Failed
    } else {
        CellStatus::Ok
    };
    // A failed cell keeps its raw repetitions but gets no summary: figures from a cell
    // that crashed or did different work must not reach a chart.
    let summary = match status {
        CellStatus::Ok => Summary::of(&reps, job.cell.ideal_ops_per_s(job.cores)),
        CellStatus::Failed => None,
    };
    Some(CellResult {
        id: job.cell.id(),
        label: job.cell.model_label(),
        cell: job.cell.clone(),
        status,
        error,
        repetitions: reps,
        summary,
    })
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
}
