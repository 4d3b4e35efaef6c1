//! Comparing a run against a baseline, cell by cell: the ratio new/old of the median
//! throughput, and whether the change is beyond the spread of the repetitions.
//!
//! "Beyond the spread" means the two ranges of repetitions (`Spread.min..=max`) do not
//! overlap: every new repetition was faster (or slower) than every old one. A change
//! whose ranges overlap is *within noise*, whatever its ratio. With a single repetition
//! on either side there is no spread to judge by; the comparison says so.

use serde::Serialize;

use super::merge::Merged;
use super::{CellStatus, Results};
use crate::metrics::Spread;

/// How a cell's throughput moved against the baseline.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Change {
    /// Every new repetition beat every old one.
    Faster,
    /// Every new repetition fell behind every old one.
    Slower,
    /// The repetitions' ranges overlap: the change is inside the noise.
    WithinNoise,
}

impl Change {
    /// Words for the report.
    pub fn describe(self) -> &'static str {
        match self {
            Change::Faster => "faster, beyond the spread",
            Change::Slower => "slower, beyond the spread",
            Change::WithinNoise => "within noise",
        }
    }
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
    /// `new.median / old.median`.
    pub ratio: f64,
    /// Faster, slower, or within noise.
    pub change: Change,
    /// True when either side had fewer than two repetitions: the spread is unknown and
    /// any difference counts as beyond it.
    pub spread_unknown: bool,
}

/// The whole comparison.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Comparison {
    /// Cells measured in both runs, in the new run's order.
    pub cells: Vec<CellComparison>,
    /// Cell ids with no measured counterpart in the baseline (new, or failed there).
    pub only_new: Vec<String>,
    /// Baseline cell ids with no measured counterpart in the new run.
    pub only_old: Vec<String>,
}

/// Compares every measured cell of `new` with the baseline cell of the same id.
pub fn compare(new: &Merged, old: &Results) -> Comparison {
    let measured_old = |id: &str| {
        old.cells
            .iter()
            .find(|c| c.id == id && c.status == CellStatus::Ok)
            .and_then(|c| c.summary.map(|s| (s, c.repetitions.len())))
    };
    let mut out = Comparison::default();
    for sc in &new.cells {
        let c = &sc.result;
        let Some(s) = c.summary.filter(|_| c.status == CellStatus::Ok) else {
            continue;
        };
        let Some((o, old_reps)) = measured_old(&c.id) else {
            out.only_new.push(new.display_id(sc));
            continue;
        };
        let (n, b) = (s.ops_per_s, o.ops_per_s);
        let ratio = if b.median > 0.0 {
            n.median / b.median
        } else {
            f64::NAN
        };
        let change = if n.min > b.max {
            Change::Faster
        } else if n.max < b.min {
            Change::Slower
        } else {
            Change::WithinNoise
        };
        out.cells.push(CellComparison {
            id: new.display_id(sc),
            label: c.label.clone(),
            new: n,
            old: b,
            ratio,
            change,
            spread_unknown: c.repetitions.len() < 2 || old_reps < 2,
        });
    }
    for c in &old.cells {
        let measured_new = new
            .cells
            .iter()
            .any(|sc| sc.result.id == c.id && sc.result.status == CellStatus::Ok);
        if c.status == CellStatus::Ok && !measured_new {
            out.only_old.push(c.id.clone());
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::results::merge;

    fn fixture() -> Results {
        serde_json::from_str(include_str!("../../tests/fixtures/fixture-results.json"))
            .expect("fixture parses")
    }

    /// Scales every repetition's throughput of the cells matching `pred`.
    fn scaled(mut r: Results, factor: f64, pred: impl Fn(&str) -> bool) -> Results {
        for c in r.cells.iter_mut().filter(|c| pred(&c.id)) {
            if let Some(s) = c.summary.as_mut() {
                s.ops_per_s.median *= factor;
                s.ops_per_s.min *= factor;
                s.ops_per_s.max *= factor;
            }
        }
        r
    }

    #[test]
    fn identical_runs_are_within_noise() {
        let r = fixture();
        let cmp = compare(&merge(std::slice::from_ref(&r)), &r);
        assert!(!cmp.cells.is_empty());
        assert!(cmp.cells.iter().all(|c| c.change == Change::WithinNoise));
        assert!(cmp.cells.iter().all(|c| (c.ratio - 1.0).abs() < 1e-12));
        assert!(cmp.only_new.is_empty() && cmp.only_old.is_empty());
    }

    #[test]
    fn a_big_change_is_beyond_the_spread_and_a_small_one_is_not() {
        let old = fixture();
        let new = scaled(old.clone(), 1.5, |id| id.starts_with("rust/thread/"));
        let new = scaled(new, 0.5, |id| id.starts_with("rust/process/"));
        // The fixture's repetitions span about 3.5%: a 1% change stays inside.
        let new = scaled(new, 1.01, |id| id.starts_with("rust/rayon/"));
        let cmp = compare(&merge(&[new]), &old);
        let by = |p: &'static str| cmp.cells.iter().filter(move |c| c.id.starts_with(p));
        assert!(by("rust/thread/").all(|c| c.change == Change::Faster && c.ratio > 1.4));
        assert!(by("rust/process/").all(|c| c.change == Change::Slower));
        assert!(by("rust/rayon/").all(|c| c.change == Change::WithinNoise));
    }

    #[test]
    fn cells_missing_on_one_side_are_listed() {
        let old = fixture();
        let mut new = old.clone();
        new.cells.retain(|c| !c.id.starts_with("rust/rayon/"));
        let cmp = compare(&merge(&[new]), &old);
        assert_eq!(cmp.only_old.len(), 10);
        assert!(cmp.only_new.is_empty());
    }
}
