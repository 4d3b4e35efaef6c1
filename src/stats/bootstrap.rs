//! Percentile bootstrap intervals over repetitions.
//!
//! A repetition (a fresh child process, its own window) is the unit of measurement: the
//! ops inside one window share the machine's state and are not independent. So every
//! interval here resamples *repetitions*: each sample is drawn with replacement, the
//! statistic is computed from the resampled medians, and the interval is the
//! 2.5th–97.5th percentile of [`RESAMPLES`] such statistics (Efron & Tibshirani, *An
//! Introduction to the Bootstrap*, 1993, ch. 13; criterion.rs uses the same method for
//! its change estimates).
//!
//! With three repetitions per side, the interval of a ratio of medians is about
//! `[min_a / max_b, max_a / min_b]`: honest about how little three runs tell. With a
//! single repetition there is no spread to resample; the interval is then the point
//! widened by [`ASSUMED_SPREAD`] on each side and marked `assumed`, so a one-repetition
//! run (`--quick`) still reaches a verdict on large effects but says it did not measure
//! its noise.
//!
//! No crate is used: the few that exist pull in a parallel runtime for what is, here,
//! a few thousand draws over three to ten numbers; a seeded SplitMix64 keeps the result
//! reproducible bit for bit.

use serde::{Deserialize, Serialize};

use super::median;

/// Bootstrap resamples per interval.
pub const RESAMPLES: usize = 4000;
/// Two-sided confidence of every interval.
pub const CONFIDENCE: f64 = 0.95;
/// Relative half-width assumed when a sample has a single value: ±10%.
pub const ASSUMED_SPREAD: f64 = 0.10;
/// The seed of every resampling: the same data always gives the same interval.
const SEED: u64 = 0x5EC7_0B00_7357_A11D;

/// A point estimate with its confidence interval.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Interval {
    /// The statistic of the medians of the samples as measured.
    pub estimate: f64,
    /// Lower bound of the interval.
    pub low: f64,
    /// Upper bound of the interval.
    pub high: f64,
    /// Two-sided confidence (0.95).
    pub confidence: f64,
    /// Fewest values in any sample behind it (repetitions).
    pub n: usize,
    /// True when a sample had one value only: the bounds are the estimate ±10%,
    /// assumed, not measured.
    #[serde(default)]
    pub assumed: bool,
}

impl Interval {
    /// An interval from its bounds (tests and synthetic figures).
    pub fn new(estimate: f64, low: f64, high: f64, n: usize) -> Interval {
        Interval {
            estimate,
            low,
            high,
            confidence: CONFIDENCE,
            n,
            assumed: false,
        }
    }

    /// True when the whole interval lies below `x`.
    pub fn below(&self, x: f64) -> bool {
        self.high < x
    }

    /// True when the whole interval lies above `x`.
    pub fn above(&self, x: f64) -> bool {
        self.low > x
    }

    /// The interval with every figure mapped through `f` (monotone increasing).
    pub fn map(self, f: impl Fn(f64) -> f64) -> Interval {
        Interval {
            estimate: f(self.estimate),
            low: f(self.low),
            high: f(self.high),
            ..self
        }
    }
}

/// The interval of `stat` over the medians of `samples` (one slice per cell, each value
/// one repetition). `None` when a sample is empty or the statistic is not finite.
///
/// `stat` receives the medians in the order of `samples`.
pub fn bootstrap(samples: &[&[f64]], stat: impl Fn(&[f64]) -> f64) -> Option<Interval> {
    let clean: Vec<Vec<f64>> = samples
        .iter()
        .map(|s| s.iter().copied().filter(|x| x.is_finite()).collect())
        .collect();
    if clean.iter().any(Vec::is_empty) {
        return None;
    }
    let medians: Vec<f64> = clean.iter().map(|s| median(s)).collect();
    let estimate = stat(&medians);
    if !estimate.is_finite() {
        return None;
    }
    let n = clean.iter().map(Vec::len).min().unwrap_or(0);
    let mut rng = SplitMix64(SEED);
    let mut draws = Vec::with_capacity(RESAMPLES);
    let mut scratch: Vec<Vec<f64>> = clean.iter().map(|s| vec![0.0; s.len()]).collect();
    let mut meds = vec![0.0; clean.len()];
    for _ in 0..RESAMPLES {
        for ((sample, buf), m) in clean.iter().zip(&mut scratch).zip(&mut meds) {
            for slot in buf.iter_mut() {
                *slot = sample[rng.below(sample.len())];
            }
            *m = median(buf);
        }
        let v = stat(&meds);
        if v.is_finite() {
            draws.push(v);
        }
    }
    if draws.len() < RESAMPLES / 2 {
        return None;
    }
    draws.sort_by(f64::total_cmp);
    let tail = (1.0 - CONFIDENCE) / 2.0;
    let mut out = Interval::new(
        estimate,
        super::quantile_sorted(&draws, tail),
        super::quantile_sorted(&draws, 1.0 - tail),
        n,
    );
    // A sample of one value has no spread of its own: widen as for a single point.
    if n == 1 {
        let (a, b) = (
            estimate * (1.0 - ASSUMED_SPREAD),
            estimate * (1.0 + ASSUMED_SPREAD),
        );
        out.low = out.low.min(a.min(b));
        out.high = out.high.max(a.max(b));
        out.assumed = true;
    }
    Some(out)
}

/// The interval of `median(a) / median(b)`.
pub fn ratio_of_medians(a: &[f64], b: &[f64]) -> Option<Interval> {
    bootstrap(&[a, b], |m| m[0] / m[1])
}

/// SplitMix64 (Steele, Lea & Flood 2014): a tiny, well-mixed generator; quality far
/// beyond what drawing indices into a handful of repetitions needs.
struct SplitMix64(u64);

impl SplitMix64 {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A uniform index below `n` (n ≥ 1); the modulo bias is < 2^-50 for n ≤ 1000.
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_ratio_of_tight_samples_is_tight() {
        let a = [200.0, 201.0, 199.0];
        let b = [100.0, 100.5, 99.5];
        let r = ratio_of_medians(&a, &b).unwrap();
        assert!((r.estimate - 2.0).abs() < 1e-12);
        assert!(r.low > 1.97 && r.high < 2.03, "{r:?}");
        assert!(!r.assumed);
        assert_eq!(r.n, 3);
    }

    #[test]
    fn three_repetitions_span_about_min_over_max() {
        let a = [90.0, 100.0, 110.0];
        let b = [100.0, 100.0, 100.0];
        let r = ratio_of_medians(&a, &b).unwrap();
        assert_eq!((r.low, r.high), (0.9, 1.1), "{r:?}");
    }

    #[test]
    fn the_same_data_gives_the_same_interval() {
        let a = [3.0, 5.0, 4.0, 4.5, 3.2];
        let b = [2.0, 2.5, 2.2, 2.4, 1.9];
        assert_eq!(ratio_of_medians(&a, &b), ratio_of_medians(&a, &b));
    }

    #[test]
    fn one_repetition_is_assumed_not_measured() {
        let r = ratio_of_medians(&[200.0], &[100.0]).unwrap();
        assert!(r.assumed);
        assert!(
            (r.low - 1.8).abs() < 1e-9 && (r.high - 2.2).abs() < 1e-9,
            "{r:?}"
        );
        // One side of one value still widens the interval.
        let r = ratio_of_medians(&[200.0], &[100.0, 101.0, 99.0]).unwrap();
        assert!(r.assumed && r.low <= 1.8 * 1.0001, "{r:?}");
    }

    #[test]
    fn empty_or_broken_samples_give_none() {
        assert!(ratio_of_medians(&[], &[1.0]).is_none());
        assert!(ratio_of_medians(&[1.0], &[0.0]).is_none());
        assert!(ratio_of_medians(&[f64::NAN], &[1.0]).is_none());
    }

    #[test]
    fn several_samples_and_any_statistic() {
        // (a / b) / (c / d): the GIL-released speed-up against Rust's.
        let s = bootstrap(
            &[
                &[4.0, 4.1, 3.9],
                &[2.0, 2.0, 2.0],
                &[4.0, 4.0, 4.0],
                &[2.0, 2.0, 2.0],
            ],
            |m| (m[0] / m[1]) / (m[2] / m[3]),
        )
        .unwrap();
        assert!((s.estimate - 1.0).abs() < 1e-12);
        assert!(s.low >= 0.97 && s.high <= 1.03, "{s:?}");
        assert!(s.below(1.1) && s.above(0.9));
    }
}
