//! Two regimes in one sample: a figure that flips between two levels.
//!
//! On a shared VM an unpinned ping-pong sometimes costs ≈ 2 µs per switch and sometimes
//! 20–50 µs (a wake-up across vCPUs that waits for the hypervisor). A median of such
//! batches reports one level as if it were the cost and hides the other. [`regimes`]
//! splits the sorted sample at the gap that best separates it on a log scale (the
//! optimal two-cluster split of one dimension, Fisher 1958 / Jenks) and calls it two
//! regimes when the clusters' medians are at least [`LEVELS_APART`]× apart and the gap
//! between them is wider than either cluster's own spread.

use serde::{Deserialize, Serialize};

use super::median;

/// The least ratio of the two levels' medians that counts as two regimes.
pub const LEVELS_APART: f64 = 2.0;

/// One level of a sample.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Regime {
    /// The median of the values at this level.
    pub median: f64,
    /// Lowest value at this level.
    pub min: f64,
    /// Highest value at this level.
    pub max: f64,
    /// Share of the sample at this level, 0–1.
    pub share: f64,
}

/// A sample's levels: one, or a low and a high one.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Regimes {
    /// The levels, lowest first (one or two).
    pub levels: Vec<Regime>,
}

impl Regimes {
    /// True when the sample flips between two levels.
    pub fn two(&self) -> bool {
        self.levels.len() == 2
    }
}

/// The regimes of `values` (positive, finite; others are dropped); `None` when empty.
pub fn regimes(values: &[f64]) -> Option<Regimes> {
    let mut v: Vec<f64> = values
        .iter()
        .copied()
        .filter(|x| x.is_finite() && *x > 0.0)
        .collect();
    if v.is_empty() {
        return None;
    }
    v.sort_by(f64::total_cmp);
    let one = || Regimes {
        levels: vec![level(&v, v.len())],
    };
    if v.len() < 4 {
        return Some(one());
    }
    let logs: Vec<f64> = v.iter().map(|x| x.ln()).collect();
    // The split (1..n-1) with the least within-cluster sum of squares of the logs.
    let sse = |s: &[f64]| {
        let m = s.iter().sum::<f64>() / s.len() as f64;
        s.iter().map(|x| (x - m).powi(2)).sum::<f64>()
    };
    let at = (1..v.len())
        .min_by(|&a, &b| {
            (sse(&logs[..a]) + sse(&logs[a..])).total_cmp(&(sse(&logs[..b]) + sse(&logs[b..])))
        })
        .unwrap_or(1);
    let (low, high) = (&v[..at], &v[at..]);
    let gap = high[0] / low[low.len() - 1];
    let inner = (low[low.len() - 1] / low[0]).max(high[high.len() - 1] / high[0]);
    if median(high) / median(low) >= LEVELS_APART && gap > inner.min(LEVELS_APART) {
        let n = v.len();
        Some(Regimes {
            levels: vec![level(low, n), level(high, n)],
        })
    } else {
        Some(one())
    }
}

fn level(part: &[f64], total: usize) -> Regime {
    Regime {
        median: median(part),
        min: part[0],
        max: part[part.len() - 1],
        share: part.len() as f64 / total as f64,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_steady_sample_is_one_regime() {
        let r = regimes(&[2.0, 2.1, 1.9, 2.05, 2.2, 1.95]).unwrap();
        assert!(!r.two());
        assert_eq!(r.levels[0].share, 1.0);
        assert!(regimes(&[]).is_none());
    }

    #[test]
    fn two_levels_are_reported_with_their_shares() {
        let r = regimes(&[2.0, 2.1, 35.0, 1.9, 41.0, 2.05, 28.0, 2.2]).unwrap();
        assert!(r.two(), "{r:?}");
        let (lo, hi) = (r.levels[0], r.levels[1]);
        assert!((lo.median - 2.05).abs() < 1e-9, "{lo:?}");
        assert!((hi.median - 35.0).abs() < 1e-9, "{hi:?}");
        assert!((lo.share - 0.625).abs() < 1e-9 && (hi.share - 0.375).abs() < 1e-9);
    }

    #[test]
    fn a_wide_but_continuous_sample_is_one_regime() {
        // Spread evenly from 1 to 8: no gap separates two levels.
        let v: Vec<f64> = (0..16).map(|i| 1.0 + i as f64 * 7.0 / 15.0).collect();
        assert!(!regimes(&v).unwrap().two());
    }
}
