//! Statistics shared by the summary, the verdicts and the baseline comparison: medians
//! and quantiles, bootstrap intervals over repetitions, least-squares fits, and the
//! split of a two-regime sample.
//!
//! One home for them, so that a cell's interval in the report, a verdict's and a
//! comparison's are computed the same way. Everything here is deterministic: the
//! bootstrap uses a fixed seed, so the same data always gives the same interval and a
//! report rendered twice from one `results.json` says the same thing.

mod bootstrap;
mod fit;
mod regimes;

pub use bootstrap::{bootstrap, ratio_of_medians, Interval, CONFIDENCE, RESAMPLES};
pub use fit::{least_squares, Fit, MIN_FIT_POINTS};
pub use regimes::{regimes, Regime, Regimes};

/// Median of `values` (mean of the middle two for an even count; 0 when empty).
pub fn median(values: &[f64]) -> f64 {
    quantile(values, 0.5)
}

/// The `q`-quantile of `values` (0 ≤ q ≤ 1) by linear interpolation between order
/// statistics (Hyndman & Fan type 7, the default of R and numpy); 0 when empty.
pub fn quantile(values: &[f64], q: f64) -> f64 {
    let mut v: Vec<f64> = values.iter().copied().filter(|x| !x.is_nan()).collect();
    if v.is_empty() {
        return 0.0;
    }
    v.sort_by(f64::total_cmp);
    quantile_sorted(&v, q)
}

/// [`quantile`] of an already sorted, NaN-free, non-empty slice.
pub(crate) fn quantile_sorted(v: &[f64], q: f64) -> f64 {
    let h = (v.len() - 1) as f64 * q.clamp(0.0, 1.0);
    let lo = h.floor() as usize;
    let hi = h.ceil() as usize;
    v[lo] + (h - lo as f64) * (v[hi] - v[lo])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn medians_and_quantiles() {
        assert_eq!(median(&[]), 0.0);
        assert_eq!(median(&[3.0, 1.0, 2.0]), 2.0);
        assert_eq!(median(&[4.0, 1.0, 2.0, 3.0]), 2.5);
        assert_eq!(quantile(&[1.0, 2.0, 3.0, 4.0, 5.0], 0.25), 2.0);
        assert_eq!(quantile(&[1.0, 2.0], 1.0), 2.0);
        assert_eq!(quantile(&[f64::NAN, 1.0], 0.5), 1.0);
    }
}
