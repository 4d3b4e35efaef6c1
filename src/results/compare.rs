//! Comparing a run against a baseline, cell by cell: is a change real?
//!
//! Per cell, the ratio new ÷ old of the median throughput with a 95% bootstrap interval
//! over both runs' repetitions (`stats::ratio_of_medians`; the method criterion.rs uses
//! for its change estimates, over repetitions here because each repetition is its own
//! process and window). As in criterion, a change smaller than the *noise threshold*
//! (default 5%, `--noise-threshold`) is no change even when it is significant:
//!
//! - `faster` / `slower`: the whole interval lies beyond ±threshold;
//! - `no_change`: the whole interval lies within ±threshold;
//! - `inconclusive`: the interval straddles a threshold — the repetitions are too
//!   spread to say either.
//!
//! The calibrations come first. A cell with a CPU half does work whose length depends on
//! the machine: on the calibration (which fixed its ops' iteration counts) and on the
//! kernel's speed while it ran — and on a shared VM both move by 5–15% between runs of
//! the same binary (the Rust kernel was calibrated at 557, 635 and 604 iterations/µs in
//! three back-to-back runs here). Its raw ratio then compares unlike things, so such a
//! cell is judged on the *normalised* ratio — new ÷ old of its efficiency at the kernel
//! speed measured beside each window — wherever both files have the speed checks; the
//! raw ratio and its own change are shown beside it. A pure-I/O cell is judged raw.

use serde::Serialize;

use super::merge::Merged;
use super::{CellResult, CellStatus, Results};
use crate::metrics::{efficiencies_at_speed, Spread};
use crate::stats::{ratio_of_medians, Interval};

/// The default noise threshold: changes within ±5% are no change.
pub const DEFAULT_NOISE_THRESHOLD: f64 = 0.05;

/// How a cell's throughput moved against the baseline.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Change {
    /// Faster by more than the threshold, the whole interval beyond it.
    Faster,
    /// Slower by more than the threshold, the whole interval beyond it.
    Slower,
    /// The whole interval within ±threshold.
    NoChange,
    /// The interval straddles the threshold: the repetitions cannot decide.
    Inconclusive,
}

impl Change {
    /// Words for the report.
    pub fn describe(self) -> &'static str {
        match self {
            Change::Faster => "faster",
            Change::Slower => "slower",
            Change::NoChange => "no change",
            Change::Inconclusive => "inconclusive",
        }
    }

    /// The change an interval of new ÷ old shows against `threshold`.
    pub fn of(i: &Interval, threshold: f64) -> Change {
        if i.low > 1.0 + threshold {
            Change::Faster
        } else if i.high < 1.0 - threshold {
            Change::Slower
        } else if i.low >= 1.0 - threshold && i.high <= 1.0 + threshold {
            Change::NoChange
        } else {
            Change::Inconclusive
        }
    }
}

/// Which ratio a cell's change was judged on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Basis {
    /// Throughput as measured.
    Raw,
    /// Efficiency at the kernel speed measured around each window: the runs' ops
    /// differed in size or their machines ran the kernel at different speeds.
    Normalised,
}

/// One cell present, and measured, in both runs.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CellComparison {
    /// The new cell's id, prefixed with its file's tag when several files were merged.
    pub id: String,
    /// The model label.
    pub label: String,
    /// New throughput, ops/s.
    pub new: Spread,
    /// Baseline throughput, ops/s.
    pub old: Spread,
    /// new ÷ old of the median throughput, with its interval.
    pub raw: Interval,
    /// new ÷ old of the efficiency at the measured kernel speed (absent without speed
    /// checks in both files).
    pub normalised: Option<Interval>,
    /// The cell's kernel ran at this ratio new ÷ old of its absolute speed (iterations
    /// per µs around the windows); absent without speed checks.
    pub kernel_speed_ratio: Option<f64>,
    /// Which ratio the change was judged on.
    pub basis: Basis,
    /// The change.
    pub change: Change,
    /// What the raw ratio alone would say (the same as `change` when judged raw).
    pub raw_change: Change,
}

impl CellComparison {
    /// The interval the change was judged on.
    pub fn judged(&self) -> &Interval {
        match (self.basis, &self.normalised) {
            (Basis::Normalised, Some(n)) => n,
            _ => &self.raw,
        }
    }
}

/// One runtime's calibration in both runs.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CalibrationChange {
    /// `rust`, `python` or `cpython`.
    pub runtime: String,
    /// Baseline iterations per µs.
    pub old: f64,
    /// New iterations per µs.
    pub new: f64,
    /// new ÷ old.
    pub ratio: f64,
    /// True when the ratio is beyond the noise threshold: the runs' ops of this runtime
    /// have different iteration counts, and its cells are judged normalised.
    pub differs: bool,
}

/// The whole comparison.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Comparison {
    /// The noise threshold used, as a share (0.05 = ±5%).
    pub threshold: f64,
    /// Both runs' calibrations, runtime by runtime.
    pub calibrations: Vec<CalibrationChange>,
    /// Cells measured in both runs, in the new run's order.
    pub cells: Vec<CellComparison>,
    /// Cell ids with no measured counterpart in the baseline (new, or failed there).
    pub only_new: Vec<String>,
    /// Baseline cell ids with no measured counterpart in the new run.
    pub only_old: Vec<String>,
}

impl Comparison {
    /// How many cells show `change`.
    pub fn count(&self, change: Change) -> usize {
        self.cells.iter().filter(|c| c.change == change).count()
    }

    /// A few lines for the terminal: what changed, the calibrations, the cells beyond
    /// the threshold.
    pub fn summary(&self, baseline: &str) -> String {
        let mut out = format!(
            "Compared with {baseline} (noise threshold ±{:.0}%, 95% bootstrap intervals over the repetitions): {} faster, {} slower, {} no change, {} inconclusive",
            self.threshold * 100.0,
            self.count(Change::Faster),
            self.count(Change::Slower),
            self.count(Change::NoChange),
            self.count(Change::Inconclusive),
        );
        let normalised = self
            .cells
            .iter()
            .filter(|c| c.basis == Basis::Normalised)
            .count();
        if normalised > 0 {
            let raw = |c: Change| {
                self.cells
                    .iter()
                    .filter(|x| x.basis == Basis::Normalised && x.raw_change == c)
                    .count()
            };
            out.push_str(&format!(
                "; the {normalised} cells with a CPU half are judged on their efficiency at the measured kernel speed (on raw throughput alone: {} faster, {} slower)",
                raw(Change::Faster),
                raw(Change::Slower)
            ));
        }
        out.push('\n');
        for c in &self.calibrations {
            out.push_str(&format!(
                "  calibration {}: {:.3} vs {:.3} iterations/µs ({:.2}×){}\n",
                c.runtime,
                c.new,
                c.old,
                c.ratio,
                if c.differs {
                    " — the ops differ in size: raw throughput compares different work"
                } else {
                    ""
                }
            ));
        }
        for c in self
            .cells
            .iter()
            .filter(|c| matches!(c.change, Change::Faster | Change::Slower))
        {
            let j = c.judged();
            out.push_str(&format!(
                "  {} {}: {:.3}× [{:.3}–{:.3}]{}\n",
                c.change.describe(),
                c.id,
                j.estimate,
                j.low,
                j.high,
                if c.basis == Basis::Normalised {
                    " normalised"
                } else {
                    ""
                }
            ));
        }
        if !self.only_new.is_empty() || !self.only_old.is_empty() {
            out.push_str(&format!(
                "  {} cells only in the new run, {} only in the baseline\n",
                self.only_new.len(),
                self.only_old.len()
            ));
        }
        out
    }
}

/// Compares every measured cell of `new` with the baseline cell of the same id, with
/// changes within ±`threshold` counted as no change.
pub fn compare(new: &Merged, old: &Results, threshold: f64) -> Comparison {
    let mut out = Comparison {
        threshold,
        ..Comparison::default()
    };
    // The calibrations of the (first) new file against the baseline's.
    let new_cal = new.sources.first().map(|s| &s.results.calibration);
    for (rt, o) in &old.calibration {
        if let Some(n) = new_cal.and_then(|c| c.get(rt)) {
            let ratio = n.iters_per_us / o.iters_per_us;
            out.calibrations.push(CalibrationChange {
                runtime: rt.clone(),
                old: o.iters_per_us,
                new: n.iters_per_us,
                ratio,
                differs: (ratio - 1.0).abs() > threshold,
            });
        }
    }
    let measured = |c: &CellResult| c.status == CellStatus::Ok && c.summary.is_some();
    for sc in &new.cells {
        let c = &sc.result;
        if !measured(c) {
            continue;
        }
        let Some(o) = old.cells.iter().find(|o| o.id == c.id && measured(o)) else {
            out.only_new.push(new.display_id(sc));
            continue;
        };
        let src = &new.sources[sc.source].results;
        if let Some(cmp) = compare_cell(new.display_id(sc), c, src, o, old, threshold) {
            out.cells.push(cmp);
        }
    }
    for c in &old.cells {
        let measured_new = new
            .cells
            .iter()
            .any(|sc| sc.result.id == c.id && measured(&sc.result));
        if measured(c) && !measured_new {
            out.only_old.push(c.id.clone());
        }
    }
    out
}

/// One cell of each run; `None` when a ratio cannot be formed (a zero throughput).
fn compare_cell(
    id: String,
    new: &CellResult,
    new_file: &Results,
    old: &CellResult,
    old_file: &Results,
    threshold: f64,
) -> Option<CellComparison> {
    let ops = |c: &CellResult| {
        c.repetitions
            .iter()
            .map(|m| m.ops_per_s)
            .collect::<Vec<_>>()
    };
    let raw = ratio_of_medians(&ops(new), &ops(old))?;
    let eff = |c: &CellResult, f: &Results| {
        efficiencies_at_speed(
            &c.repetitions,
            &c.cell,
            f.environment.available_cores.max(1),
        )
        .into_iter()
        .collect::<Option<Vec<f64>>>()
    };
    let normalised = match (eff(new, new_file), eff(old, old_file)) {
        (Some(a), Some(b)) => ratio_of_medians(&a, &b),
        _ => None,
    };
    // The kernel's absolute speed around the windows: the speed-check ratio times the
    // calibration it is a ratio to.
    let rt = crate::python::calibration_runtime(&new.cell);
    let absolute = |c: &CellResult, f: &Results| {
        let cal = f.calibration.get(rt.as_str())?;
        Some(c.summary?.kernel_speed? * cal.iters_per_us)
    };
    let kernel_speed_ratio = match (absolute(new, new_file), absolute(old, old_file)) {
        (Some(a), Some(b)) if b > 0.0 => Some(a / b),
        _ => None,
    };
    // Only a cell with a CPU half does work whose length is the machine's.
    let basis = if new.cell.cpu_us > 0.0 && normalised.is_some() {
        Basis::Normalised
    } else {
        Basis::Raw
    };
    let judged = match (basis, &normalised) {
        (Basis::Normalised, Some(n)) => n,
        _ => &raw,
    };
    let change = Change::of(judged, threshold);
    let raw_change = Change::of(&raw, threshold);
    Some(CellComparison {
        id,
        label: new.label.clone(),
        new: new.summary?.ops_per_s,
        old: old.summary?.ops_per_s,
        raw,
        normalised,
        kernel_speed_ratio,
        basis,
        change,
        raw_change,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::results::merge;

    fn fixture() -> Results {
        serde_json::from_str(include_str!("../../tests/fixtures/fixture-results.json"))
            .expect("fixture parses")
    }

    /// Scales every repetition's throughput of the cells matching `pred` by `factor`,
    /// times a per-repetition wobble of ±`noise` (repetition k gets 1 + noise·(k−1)),
    /// and refreshes the summaries.
    fn scaled(mut r: Results, factor: f64, noise: f64, pred: impl Fn(&str) -> bool) -> Results {
        let cores = r.environment.available_cores.max(1);
        for c in r.cells.iter_mut().filter(|c| pred(&c.id)) {
            for (k, m) in c.repetitions.iter_mut().enumerate() {
                let wobble = 1.0 + noise * (k as f64 - 1.0);
                m.ops_per_s *= factor * wobble;
            }
            c.summary = crate::metrics::Summary::of(&c.repetitions, &c.cell, cores);
        }
        r
    }

    #[test]
    fn identical_runs_show_no_change() {
        let r = fixture();
        let cmp = compare(
            &merge(std::slice::from_ref(&r)),
            &r,
            DEFAULT_NOISE_THRESHOLD,
        );
        assert!(!cmp.cells.is_empty());
        assert!(
            cmp.cells.iter().all(|c| c.change == Change::NoChange),
            "{:#?}",
            cmp.cells.iter().find(|c| c.change != Change::NoChange)
        );
        assert!(cmp
            .cells
            .iter()
            .all(|c| (c.raw.estimate - 1.0).abs() < 1e-12));
        assert!(cmp.only_new.is_empty() && cmp.only_old.is_empty());
    }

    #[test]
    fn noise_is_no_change_and_a_real_change_is_reported() {
        let old = fixture();
        // Every cell: a ±2% wobble between repetitions, no real change.
        let noisy = scaled(old.clone(), 1.0, 0.02, |_| true);
        let cmp = compare(&merge(&[noisy]), &old, DEFAULT_NOISE_THRESHOLD);
        assert_eq!(
            cmp.count(Change::Faster) + cmp.count(Change::Slower),
            0,
            "{}",
            cmp.summary("old")
        );
        // A real 20% change on the thread cells, with the same noise on top.
        let new = scaled(old.clone(), 1.2, 0.02, |id| id.starts_with("rust/thread/"));
        let cmp = compare(&merge(&[new]), &old, DEFAULT_NOISE_THRESHOLD);
        let threads: Vec<&CellComparison> = cmp
            .cells
            .iter()
            .filter(|c| c.id.starts_with("rust/thread/"))
            .collect();
        assert!(!threads.is_empty());
        assert!(
            threads.iter().all(|c| c.change == Change::Faster),
            "{}",
            cmp.summary("old")
        );
        assert!(cmp
            .cells
            .iter()
            .filter(|c| !c.id.starts_with("rust/thread/"))
            .all(|c| c.change == Change::NoChange));
        assert!(cmp.summary("old").contains("faster rust/thread/"));
    }

    #[test]
    fn a_straddling_interval_is_inconclusive() {
        let i = Interval::new(1.03, 0.99, 1.08, 3);
        assert_eq!(Change::of(&i, 0.05), Change::Inconclusive);
        assert_eq!(
            Change::of(&Interval::new(1.0, 0.97, 1.04, 3), 0.05),
            Change::NoChange
        );
        assert_eq!(
            Change::of(&Interval::new(1.2, 1.1, 1.3, 3), 0.05),
            Change::Faster
        );
        assert_eq!(
            Change::of(&Interval::new(0.8, 0.7, 0.9, 3), 0.05),
            Change::Slower
        );
    }

    #[test]
    fn a_different_calibration_is_judged_on_the_normalised_ratio() {
        let old = fixture();
        let mut new = old.clone();
        // The new run calibrated Rust 2.4× slower: its CPU ops did 2.4× fewer
        // iterations, so a pure-CPU cell ran 2.4× more ops per second, and its speed
        // checks (against the lower calibration) read 2.4×.
        for cal in new.calibration.values_mut() {
            cal.iters_per_us /= 2.4;
        }
        let cores = new.environment.available_cores.max(1);
        for c in &mut new.cells {
            if c.cell.cpu_us > 0.0 && c.cell.io_us == 0.0 {
                for m in &mut c.repetitions {
                    m.ops_per_s *= 2.4;
                    m.kernel_speed_before = Some(m.kernel_speed_before.unwrap_or(1.0) * 2.4);
                    m.kernel_speed_after = Some(m.kernel_speed_after.unwrap_or(1.0) * 2.4);
                }
                c.summary = crate::metrics::Summary::of(&c.repetitions, &c.cell, cores);
            }
        }
        let mut old = old;
        for c in &mut old.cells {
            for m in &mut c.repetitions {
                m.kernel_speed_before = Some(m.kernel_speed_before.unwrap_or(1.0));
                m.kernel_speed_after = Some(m.kernel_speed_after.unwrap_or(1.0));
            }
            c.summary = crate::metrics::Summary::of(&c.repetitions, &c.cell, cores);
        }
        let cmp = compare(&merge(&[new]), &old, DEFAULT_NOISE_THRESHOLD);
        assert!(cmp.calibrations.iter().all(|c| c.differs));
        let cpu: Vec<&CellComparison> = cmp
            .cells
            .iter()
            .filter(|c| c.id.contains("/f0.00/"))
            .collect();
        assert!(!cpu.is_empty());
        for c in cpu {
            assert!(c.raw.estimate > 2.0, "{c:?}");
            assert_eq!(c.basis, Basis::Normalised, "{c:?}");
            assert_eq!(c.change, Change::NoChange, "{c:?}");
        }
        assert!(cmp.summary("old").contains("the ops differ in size"));
    }
}
