//! What the driver decides before running anything: the effective run parameters
//! (`--quick`, `--repetitions`), the cells kept by `--filter` and by this build, each
//! cell's op counts, and the checks that refuse a run before it starts.

use std::time::Duration;

use super::UsageError;
use crate::metrics::PythonInfo;
use crate::scenario::{
    Budget, Cell, Plan, RunParams, Runtime, ScenarioError, REPETITIONS_MAX, TIMEOUT_MAX_S,
    TIMEOUT_MIN_S,
};

/// Upper bound on the ops of one repetition: a cell with a tiny (or empty) op and a long
/// window must not allocate or run for ever ([`crate::scenario::OPS_MAX`]).
pub const MAX_OPS: u64 = crate::scenario::OPS_MAX;

/// The longest measured window of a `--quick` run, seconds.
pub const QUICK_WINDOW_S: f64 = 0.1;

/// The parameters a run really uses: the scenario's, adjusted by `--quick` and
/// `--repetitions` (the results record these, not the file's).
pub fn effective_params(params: &RunParams, quick: bool, repetitions: Option<u32>) -> RunParams {
    let mut p = params.clone();
    if quick {
        p.repetitions = 1;
        p.budget = match p.budget {
            Budget::Duration(d) => Budget::Duration(d.min(QUICK_WINDOW_S)),
            Budget::Ops(n) => Budget::Ops(n.div_ceil(10).max(1)),
        };
    }
    if let Some(r) = repetitions {
        p.repetitions = r.max(1);
    }
    p
}

/// `--repetitions` within 1..=[`REPETITIONS_MAX`], the range a scenario file allows (the
/// command line checks it too; this guards the library's callers).
pub(crate) fn check_repetitions(repetitions: Option<u32>) -> Result<(), UsageError> {
    match repetitions {
        Some(n) if !(1..=REPETITIONS_MAX).contains(&n) => Err(UsageError(format!(
            "--repetitions {n} is outside 1..={REPETITIONS_MAX}; give a whole number from 1 \
             to {REPETITIONS_MAX}"
        ))),
        _ => Ok(()),
    }
}

/// A repetition's timeout as a `Duration`. A parsed scenario keeps it within 1 ms – 24 h;
/// a `RunParams` built elsewhere is clamped to that range rather than panicking in the
/// conversion.
pub(crate) fn timeout(params: &RunParams) -> Duration {
    let (min, max) = (TIMEOUT_MIN_S, TIMEOUT_MAX_S);
    let s = params.timeout_s;
    Duration::from_secs_f64(if s.is_nan() { max } else { s.clamp(min, max) })
}

/// Ops in the measured window of one repetition of `cell`, and warm-up ops before it.
///
/// `Ops(n)` is taken as is; `Duration(d)` becomes `ceil(ideal_ops_per_s * d)`: sizing by
/// the ideal bound means a model slower than ideal runs *longer* than `d`, never shorter,
/// so a slow model is never measured over a uselessly short window. `quick` also caps the
/// window at [`QUICK_WINDOW_S`] of ideal throughput. Every worker gets at least one op.
pub fn op_counts(cell: &Cell, params: &RunParams, cores: usize, quick: bool) -> (u64, u64) {
    let ideal = cell.ideal_ops_per_s(cores);
    let for_window = |secs: f64| -> u64 {
        let n = (ideal * secs).ceil();
        // An empty op has an infinite bound: take the cap.
        if n.is_finite() && n >= 0.0 {
            n.min(MAX_OPS as f64) as u64
        } else {
            MAX_OPS
        }
    };
    let mut ops = match params.budget {
        Budget::Ops(n) => n,
        Budget::Duration(d) => for_window(d),
    };
    if quick {
        ops = ops.min(for_window(QUICK_WINDOW_S));
    }
    let ops = ops.clamp(u64::from(cell.concurrency.max(1)), MAX_OPS.max(1));
    let warmup = (ops as f64 * params.warmup.max(0.0)).ceil() as u64;
    (ops, warmup.min(MAX_OPS))
}

/// Fails when a repetition of some cell cannot finish within the timeout even at the
/// ideal rate on this machine (`cores`): `ops = 1000` of 1 s ops under `timeout = 5s`.
///
/// An error rather than a note: the ideal rate bounds what any model achieves, so such
/// a repetition is certain to be killed, and running it only spends `timeout` per
/// repetition to record a failure. The error names the slowest cell, how many are like
/// it, and the scenario line to change.
pub(crate) fn check_fits_timeout(
    plan: &Plan,
    cells: &[Cell],
    params: &RunParams,
    cores: usize,
    quick: bool,
) -> Result<(), ScenarioError> {
    let mut late = 0;
    let mut worst: Option<(f64, u64, u64, &Cell)> = None;
    for cell in cells {
        let ideal = cell.ideal_ops_per_s(cores);
        if !(ideal.is_finite() && ideal > 0.0) {
            continue;
        }
        let (ops, warmup) = op_counts(cell, params, cores, quick);
        let secs = (ops + warmup) as f64 / ideal;
        if secs >= params.timeout_s {
            late += 1;
            if worst.is_none_or(|(s, ..)| secs > s) {
                worst = Some((secs, ops, warmup, cell));
            }
        }
    }
    let Some((secs, ops, warmup, cell)) = worst else {
        return Ok(());
    };
    let key = match params.budget {
        Budget::Ops(_) => "ops",
        Budget::Duration(_) => "timeout",
    };
    let others = match late {
        1 => String::new(),
        n => format!(" ({} more cells like it)", n - 1),
    };
    Err(ScenarioError {
        file: plan.source.clone(),
        line: plan.defaults_lines.get(key).copied(),
        field: format!("defaults.{key}"),
        problem: format!(
            "{ops} ops and {warmup} warm-up ops of {cell} take at least {} s at the ideal \
             rate on this machine's {cores} cores, longer than the {} s timeout: every \
             repetition would be killed{others}",
            round_up(secs),
            params.timeout_s
        ),
        fix: format!(
            "lower `ops`, or give a timeout well above {} s",
            round_up(secs)
        ),
    })
}

/// Seconds rounded up to what a message needs: 3 significant digits.
fn round_up(secs: f64) -> f64 {
    if secs <= 0.0 || !secs.is_finite() {
        return secs;
    }
    let scale = 10f64.powi(2 - secs.log10().floor() as i32);
    (secs * scale).ceil() / scale
}

/// The cells whose id contains every comma-separated term of `filter` (blank terms are
/// ignored). `None` keeps them all.
pub fn filter_cells(cells: &[Cell], filter: Option<&str>) -> Vec<Cell> {
    let terms: Vec<&str> = filter
        .unwrap_or("")
        .split(',')
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .collect();
    cells
        .iter()
        .filter(|c| {
            let id = c.id();
            terms.iter().all(|t| id.contains(t))
        })
        .cloned()
        .collect()
}

/// The cells this build can run, and a note on those it cannot: without the `python`
/// feature (`embedded` false) there is no embedded interpreter, so `python` cells are
/// left out before the run, with a note, rather than failed one by one.
pub(crate) fn runnable_cells(cells: Vec<Cell>, embedded: bool) -> (Vec<Cell>, Option<String>) {
    if embedded {
        return (cells, None);
    }
    let before = cells.len();
    let kept: Vec<Cell> = cells
        .into_iter()
        .filter(|c| c.runtime != Runtime::Python)
        .collect();
    let skipped = before - kept.len();
    let note = (skipped > 0).then(|| {
        format!(
            "skipped {skipped} cells of runtime python: this spectrum was built without the \
             embedded interpreter (cargo feature `python`); rebuild with default features to \
             run them"
        )
    });
    (kept, note)
}

/// A note when the embedded interpreter runs without a GIL (spectrum built against a
/// free-threaded CPython, `PYO3_PYTHON=.../3.13t/bin/python3`): the `gil = held |
/// released` axis of its native-helper cells then compares nothing. The cells still
/// run (they measure the native helpers without a GIL), and the note says so rather
/// than letting the axis read as a GIL effect.
pub(crate) fn gil_axis_note(cells: &[Cell], embedded: Option<&PythonInfo>) -> Option<String> {
    let info = embedded.filter(|i| !i.gil_enabled)?;
    let n = cells
        .iter()
        .filter(|c| c.runtime == Runtime::Python && c.gil.is_some())
        .count();
    (n > 0).then(|| {
        format!(
            "the embedded interpreter ({}) runs without a GIL: `gil = held | released` is \
             meaningless for its {n} cells with a native half (held and released measure \
             the same thing here)",
            info.release
        )
    })
}

/// A rough wall-clock estimate of one cell, seconds: every repetition's warm-up and
/// window at the ideal rate plus the cell's start-up estimate (the progress bar's ETA).
pub fn estimated_cell_seconds(cell: &Cell, params: &RunParams, cores: usize, quick: bool) -> f64 {
    let (ops, warmup) = op_counts(cell, params, cores, quick);
    let ideal = cell.ideal_ops_per_s(cores);
    let run = if ideal.is_finite() && ideal > 0.0 {
        (ops + warmup) as f64 / ideal
    } else {
        0.0
    };
    f64::from(params.repetitions.max(1)) * (run + cell.startup_estimate_s())
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::scenario::{ModelKind, Runtime};

    /// A plain Rust cell of `cpu_us` + `io_us` with `concurrency` workers.
    pub(crate) fn cell(model: ModelKind, cpu_us: f64, io_us: f64, concurrency: u32) -> Cell {
        Cell::sleep_op(Runtime::Rust, model, cpu_us, io_us, concurrency)
    }

    fn params(budget: Budget) -> RunParams {
        RunParams {
            budget,
            repetitions: 3,
            warmup: 0.1,
            timeout_s: 60.0,
            timeline: 0,
        }
    }

    #[test]
    fn the_gil_axis_is_called_meaningless_without_a_gil() {
        let mut c = Cell::sleep_op(Runtime::Python, ModelKind::Thread, 100.0, 0.0, 2);
        c.gil = Some(crate::scenario::Gil::Released);
        let mut info = PythonInfo {
            release: "3.13.5".into(),
            gil_enabled: true,
            ..Default::default()
        };
        assert_eq!(gil_axis_note(&[c.clone()], Some(&info)), None);
        info.gil_enabled = false;
        let n = gil_axis_note(&[c.clone()], Some(&info)).unwrap();
        assert!(n.contains("without a GIL") && n.contains("1 cells"), "{n}");
        c.gil = None;
        assert_eq!(gil_axis_note(&[c], Some(&info)), None);
    }

    #[test]
    fn fixed_ops_are_taken_as_is() {
        let c = cell(ModelKind::Thread, 1000.0, 0.0, 4);
        assert_eq!(
            op_counts(&c, &params(Budget::Ops(500)), 2, false),
            (500, 50)
        );
    }

    #[test]
    fn duration_uses_the_ideal_bound() {
        // 1 ms pure CPU on 2 cores, 4 workers: ideal 2000 ops/s; 0.5 s → 1000 ops.
        let c = cell(ModelKind::Thread, 1000.0, 0.0, 4);
        let (ops, warmup) = op_counts(&c, &params(Budget::Duration(0.5)), 2, false);
        assert_eq!((ops, warmup), (1000, 100));
        // Pure I/O, 10 ms, 1000 workers: 100 000 ops/s → 0.01 s = 1000 ops.
        let c = cell(ModelKind::Async, 0.0, 10_000.0, 1000);
        assert_eq!(
            op_counts(&c, &params(Budget::Duration(0.01)), 2, false).0,
            1000
        );
    }

    #[test]
    fn every_worker_gets_an_op_and_the_cap_holds() {
        let c = cell(ModelKind::Async, 0.0, 1_000_000.0, 64);
        assert_eq!(
            op_counts(&c, &params(Budget::Duration(0.001)), 2, false).0,
            64
        );
        let empty = cell(ModelKind::Sequential, 0.0, 0.0, 1);
        assert_eq!(
            op_counts(&empty, &params(Budget::Duration(1.0)), 2, false).0,
            MAX_OPS
        );
    }

    #[test]
    fn quick_shortens_the_window_and_repetitions() {
        let p = effective_params(&params(Budget::Duration(2.0)), true, None);
        assert_eq!((p.repetitions, p.budget), (1, Budget::Duration(0.1)));
        let p = effective_params(&params(Budget::Ops(1000)), true, Some(2));
        assert_eq!((p.repetitions, p.budget), (2, Budget::Ops(100)));
        // 1 ms sequential: ideal 1000 ops/s, quick caps 5000 ops at 0.1 s = 100.
        let c = cell(ModelKind::Sequential, 1000.0, 0.0, 1);
        assert_eq!(op_counts(&c, &params(Budget::Ops(5000)), 2, true).0, 100);
    }

    #[test]
    fn a_timeout_from_anywhere_converts_without_panicking() {
        for (s, want) in [
            (60.0, 60.0),
            (1e300, 86_400.0),
            (f64::INFINITY, 86_400.0),
            (f64::NAN, 86_400.0),
            (-1.0, 1e-3),
        ] {
            let p = RunParams {
                timeout_s: s,
                ..params(Budget::Ops(1))
            };
            assert_eq!(timeout(&p).as_secs_f64(), want, "{s}");
        }
    }

    /// Issue 10, item 10: `ops = 1000` of 1 s ops under a 5 s timeout was accepted.
    #[test]
    fn a_budget_the_timeout_cannot_hold_is_an_error() {
        let plan = crate::scenario::parse(
            "name = \"t\"\n[defaults]\nop_time = \"1s\"\nops = 1000\ntimeout = \"5s\"\n\
             [sweep]\nmodel = [\"sequential\", \"thread\"]\nio_fraction = 0.5\nconcurrency = 2\n",
            "t.toml",
        )
        .unwrap();
        let e = check_fits_timeout(&plan, &plan.cells, &plan.params, 2, false).unwrap_err();
        assert_eq!((e.line, e.field.as_str()), (Some(4), "defaults.ops"));
        let text = e.to_string();
        assert!(
            text.contains("1000 ops and 100 warm-up ops of rust/sequential/sleep/f0.50/op1000000/c1 take at least 1100 s"),
            "{text}"
        );
        assert!(text.contains("longer than the 5 s timeout"), "{text}");
        assert!(text.contains("(1 more cells like it)"), "{text}");
        // Eight ops of the thread cell fit: 2 ops/s at best, 9 with warm-up take 4.5 s.
        let mut p = plan.params.clone();
        p.budget = Budget::Ops(8);
        assert!(check_fits_timeout(&plan, &plan.cells[1..], &p, 2, false).is_ok());
    }

    #[test]
    fn shipped_scenarios_fit_their_timeouts_on_one_core() {
        for (name, text) in crate::scenario::shipped() {
            let plan = crate::scenario::parse(text, name).unwrap();
            for (cores, quick) in [(1, false), (1, true), (2, false), (64, false)] {
                let p = effective_params(&plan.params, quick, None);
                check_fits_timeout(&plan, &plan.cells, &p, cores, quick)
                    .unwrap_or_else(|e| panic!("{name} on {cores} cores: {e}"));
            }
        }
    }

    #[test]
    fn python_cells_are_left_out_without_the_embedded_interpreter() {
        let mut py = cell(ModelKind::Thread, 1000.0, 0.0, 2);
        py.runtime = Runtime::Python;
        let mut cpy = py.clone();
        cpy.runtime = Runtime::Cpython;
        let rust = cell(ModelKind::Thread, 1000.0, 0.0, 2);
        let all = vec![rust.clone(), py, cpy.clone()];
        assert_eq!(runnable_cells(all.clone(), true), (all.clone(), None));
        let (kept, note) = runnable_cells(all, false);
        assert_eq!(kept, vec![rust, cpy]);
        assert!(note
            .unwrap()
            .starts_with("skipped 1 cells of runtime python"));
    }

    #[test]
    fn filter_needs_every_term() {
        let cells = vec![
            cell(ModelKind::Thread, 1000.0, 0.0, 2),
            cell(ModelKind::Async, 1000.0, 0.0, 2),
            cell(ModelKind::Thread, 0.0, 1000.0, 2),
        ];
        assert_eq!(filter_cells(&cells, None).len(), 3);
        assert_eq!(filter_cells(&cells, Some("thread")).len(), 2);
        let kept = filter_cells(&cells, Some("rust, thread,f1.00"));
        assert_eq!(kept, vec![cells[2].clone()]);
        assert!(filter_cells(&cells, Some("rayon")).is_empty());
    }
}
