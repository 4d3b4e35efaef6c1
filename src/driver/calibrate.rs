//! Kernel calibration, once per runtime of a plan, each in its own child process (the
//! hidden `spectrum calibrate` subcommand) so the driver's own state never colours it.

use anyhow::{anyhow, Context, Result};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::io::Write;
use std::path::Path;
use std::sync::atomic::AtomicBool;
use std::time::Duration;

use super::spawn::{run_child, ChildRun, Ending};
use super::UsageError;
use crate::metrics::PythonInfo;
use crate::scenario::{Cell, Runtime};
use crate::workload::{calibrate_rust, Calibration};

/// What `spectrum calibrate` prints: one JSON document.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CalibrationReport {
    /// The kernel's calibration in that runtime.
    pub calibration: Calibration,
    /// The interpreter, for the Python runtimes.
    #[serde(default)]
    pub python: Option<PythonInfo>,
}

/// Parses a runtime name as the command line gives it.
pub fn parse_runtime(name: &str) -> Result<Runtime, UsageError> {
    Runtime::ALL
        .into_iter()
        .find(|r| r.as_str() == name)
        .ok_or_else(|| {
            let names: Vec<&str> = Runtime::ALL.iter().map(|r| r.as_str()).collect();
            UsageError(format!(
                "unknown runtime '{name}'. Choose from: {}",
                names.join(", ")
            ))
        })
}

/// The `calibrate` subcommand: calibrates `runtime` here and prints the report as JSON.
pub fn calibrate_main(runtime: &str, python_workloads: Option<&Path>) -> Result<()> {
    let runtime = parse_runtime(runtime)?;
    let report = match runtime {
        Runtime::Rust => CalibrationReport {
            calibration: calibrate_rust(),
            python: None,
        },
        Runtime::Python | Runtime::Cpython => {
            let dir = crate::python::locate_workloads(python_workloads)?;
            let (calibration, info) = crate::python::calibrate(runtime, &dir)?;
            CalibrationReport {
                calibration,
                python: Some(info),
            }
        }
    };
    let mut out = std::io::stdout().lock();
    serde_json::to_writer(&mut out, &report).context("could not write the calibration")?;
    writeln!(out).context("could not write the calibration")?;
    Ok(())
}

/// Calibrations of one runtime a run takes at most: a disturbed one is taken again.
pub(crate) const ATTEMPTS: u32 = 3;

/// Calibrates each of `runtimes` in a child of `exe`, taking a disturbed calibration
/// (samples spread beyond [`Calibration::SPREAD_MAX`]) again, up to [`ATTEMPTS`] times,
/// and keeping the tightest; one still disturbed is kept with `disturbed` set. A runtime
/// that fails maps to its error message (its cells then fail with it); `None` means the
/// run was interrupted.
pub fn calibrate_runtimes(
    exe: &Path,
    runtimes: &[Runtime],
    python_path: Option<&Path>,
    timeout: Duration,
    stop: &AtomicBool,
) -> Result<Option<BTreeMap<Runtime, Result<CalibrationReport, String>>>> {
    let mut out = BTreeMap::new();
    for &rt in runtimes {
        let mut best: Option<CalibrationReport> = None;
        let mut last_err = None;
        let mut taken_count = 0;
        for attempt in 1..=ATTEMPTS {
            taken_count = attempt;
            let Some(taken) = calibrate_once(exe, &[rt], python_path, timeout, stop)? else {
                return Ok(None);
            };
            match taken.into_values().next() {
                Some(Ok(r)) => {
                    let tighter = best
                        .as_ref()
                        .is_none_or(|b| r.calibration.spread() < b.calibration.spread());
                    let settled = !r.calibration.is_disturbed();
                    if tighter {
                        best = Some(r);
                    }
                    if settled {
                        break;
                    }
                }
                Some(Err(e)) => {
                    last_err = Some(e);
                    break;
                }
                None => break,
            }
        }
        let result = match (best, last_err) {
            (Some(mut r), _) => {
                r.calibration.attempts = taken_count;
                r.calibration.disturbed = r.calibration.is_disturbed();
                Ok(r)
            }
            (None, Some(e)) => Err(e),
            (None, None) => Err(format!("no calibration of the {} kernel", rt.as_str())),
        };
        out.insert(rt, result);
    }
    Ok(Some(out))
}

/// One calibration child per runtime of `runtimes`.
fn calibrate_once(
    exe: &Path,
    runtimes: &[Runtime],
    python_path: Option<&Path>,
    timeout: Duration,
    stop: &AtomicBool,
) -> Result<Option<BTreeMap<Runtime, Result<CalibrationReport, String>>>> {
    let mut out = BTreeMap::new();
    for &rt in runtimes {
        let mut args = vec!["calibrate", "--runtime", rt.as_str()];
        let path_arg;
        if let (true, Some(p)) = (rt.is_python(), python_path) {
            path_arg = p.to_string_lossy().into_owned();
            args.extend(["--python-workloads", &path_arg]);
        }
        let run = run_child(exe, &args, &[], b"", timeout, stop)
            .with_context(|| format!("could not start the {} calibration", rt.as_str()))?;
        if run.ending == Ending::Interrupted {
            return Ok(None);
        }
        let result = match run.describe_failure(timeout) {
            Some(why) => Err(format!(
                "calibration of the {} kernel: the child {why}{}",
                rt.as_str(),
                stderr_suffix(&run)
            )),
            None => serde_json::from_str::<CalibrationReport>(run.stdout.trim())
                .map_err(|e| {
                    format!(
                        "calibration of the {} kernel printed bad JSON: {e}",
                        rt.as_str()
                    )
                })
                .and_then(|r| {
                    if r.calibration.iters_per_us > 0.0 {
                        Ok(r)
                    } else {
                        Err(anyhow!("zero iterations per µs").to_string())
                    }
                }),
        };
        out.insert(rt, result);
    }
    Ok(Some(out))
}

/// One warning per runtime whose kept calibration is still disturbed.
pub(crate) fn disturbed_warnings(calibrations: &BTreeMap<String, Calibration>) -> Vec<String> {
    calibrations
        .iter()
        .filter(|(_, c)| c.disturbed)
        .map(|(rt, c)| {
            format!(
                "the {rt} kernel's calibration was disturbed: its samples spread {:.0}% ({:.3}–{:.3} iterations/µs) after {} attempts, beyond the {:.0}% a quiet machine gives; the {rt} ops' nominal length is uncertain (efficiencies use the kernel speed measured beside each window; raw ops/s and comparisons with other runs are marked)",
                c.spread() * 100.0,
                c.min_iters_per_us,
                c.max_iters_per_us,
                c.attempts,
                Calibration::SPREAD_MAX * 100.0
            )
        })
        .collect()
}

/// Start and end calibrations whose medians differ by more than this share.
pub(crate) const END_DRIFT: f64 = 0.10;

/// One warning per runtime whose kernel ran more than [`END_DRIFT`] faster or slower at
/// the end of the run than at its start.
pub(crate) fn drift_warnings(
    start: &BTreeMap<String, Calibration>,
    end: &BTreeMap<String, Calibration>,
) -> Vec<String> {
    start
        .iter()
        .filter_map(|(rt, s)| {
            let e = end.get(rt)?;
            let ratio = e.iters_per_us / s.iters_per_us;
            (ratio.is_finite() && (ratio - 1.0).abs() > END_DRIFT).then(|| {
                format!(
                    "the {rt} kernel ran at {ratio:.2}× its start-of-run speed when calibrated again at the end ({:.3} vs {:.3} iterations/µs): the machine's speed changed during the run; see each cell's kernel_speed checks",
                    e.iters_per_us, s.iters_per_us
                )
            })
        })
        .collect()
}

/// The runtimes a sweep of `cells` calibrates: each cell's own (a Python one also
/// describes its interpreter) and the one whose kernel sizes its CPU half (Rust for a
/// native half in Python). Without a usable `python_workloads` folder the Python
/// runtimes are left out: their cells fail with the reason instead.
pub(crate) fn runtimes_to_calibrate(cells: &[Cell], python_usable: bool) -> Vec<Runtime> {
    let mut runtimes: Vec<Runtime> = cells
        .iter()
        .flat_map(|c| [c.runtime, crate::python::calibration_runtime(c)])
        .filter(|r| python_usable || !r.is_python())
        .collect();
    runtimes.sort();
    runtimes.dedup();
    runtimes
}

/// What a failed child left on stderr, for an error message: `": <headline>"`, then the
/// tail of stderr on the following lines (a backtrace, a traceback). Empty when stderr is.
pub(crate) fn stderr_suffix(run: &ChildRun) -> String {
    let headline = run.stderr_headline();
    if headline.is_empty() {
        return String::new();
    }
    let tail = run.stderr_tail(20, 3000);
    if tail == headline {
        format!(": {headline}")
    } else {
        format!(": {headline}\n--- stderr (last lines) ---\n{tail}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_disturbed_calibration_is_named() {
        let mut spread = Calibration::from_samples(vec![107.0, 300.0, 465.0]);
        assert!(spread.is_disturbed());
        spread.disturbed = true;
        spread.attempts = 3;
        let quiet = Calibration::from_samples(vec![560.0, 566.0, 570.0]);
        assert!(!quiet.is_disturbed());
        let w = disturbed_warnings(&BTreeMap::from([
            ("rust".to_string(), spread),
            ("python".to_string(), quiet),
        ]));
        assert_eq!(w.len(), 1, "{w:?}");
        assert!(
            w[0].contains("rust kernel's calibration was disturbed"),
            "{w:?}"
        );
        assert!(w[0].contains("after 3 attempts"), "{w:?}");
    }

    #[test]
    fn only_a_change_over_ten_percent_warns() {
        let cal = |r: f64| Calibration::from_samples(vec![r]);
        let start = BTreeMap::from([
            ("rust".to_string(), cal(100.0)),
            ("python".to_string(), cal(2.0)),
        ]);
        let end = BTreeMap::from([
            ("rust".to_string(), cal(95.0)),
            ("python".to_string(), cal(1.2)),
        ]);
        let w = drift_warnings(&start, &end);
        assert_eq!(w.len(), 1, "{w:?}");
        assert!(w[0].contains("python kernel ran at 0.60×"), "{w:?}");
        assert!(drift_warnings(&start, &BTreeMap::new()).is_empty());
    }
}
