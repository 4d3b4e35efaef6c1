//! Calibration: how many kernel iterations one microsecond of CPU buys in each runtime.
//!
//! Run once at the start of a sweep (in a child process, like every measurement) and
//! stored in the results, so "1 ms of CPU" means 1 ms in Rust and in Python alike.

use serde::{Deserialize, Serialize};
use std::time::Instant;

use super::kernel;

/// The calibration of one runtime's kernel.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Calibration {
    /// Kernel iterations per microsecond of one core (median of the samples).
    pub iters_per_us: f64,
    /// Slowest and fastest sample, iterations per microsecond: the spread of the estimate.
    pub min_iters_per_us: f64,
    /// Fastest sample, iterations per microsecond.
    pub max_iters_per_us: f64,
    /// Number of timed samples behind the median.
    pub samples: u32,
    /// Calibrations taken before this one was kept: a disturbed one (samples spread
    /// beyond [`Calibration::SPREAD_MAX`]) is taken again, up to three times in all.
    #[serde(default = "one")]
    pub attempts: u32,
    /// True when even the last attempt's samples spread beyond the bound: the machine
    /// was busy while the run was calibrated, so the ops' nominal length is uncertain
    /// (the report marks the cells it sized).
    #[serde(default)]
    pub disturbed: bool,
}

fn one() -> u32 {
    1
}

impl Calibration {
    /// The widest spread of the samples, `(max - min) / median`, of an undisturbed
    /// calibration. The Rust kernel's samples span 1–3% on a quiet machine, the Python
    /// kernel's up to about 15% (its speed flips on a shared VM).
    pub const SPREAD_MAX: f64 = 0.15;

    /// `(max - min) / median` of the samples.
    pub fn spread(&self) -> f64 {
        if self.iters_per_us > 0.0 {
            (self.max_iters_per_us - self.min_iters_per_us) / self.iters_per_us
        } else {
            f64::INFINITY
        }
    }

    /// True when the samples spread beyond [`Calibration::SPREAD_MAX`].
    pub fn is_disturbed(&self) -> bool {
        self.spread() > Self::SPREAD_MAX
    }

    /// Iterations that take `us` microseconds (0 for no CPU half).
    pub fn iters_for_us(&self, us: f64) -> u64 {
        if us <= 0.0 {
            0
        } else {
            (us * self.iters_per_us).round().max(1.0) as u64
        }
    }

    /// Builds a calibration from per-sample rates (iterations per µs).
    pub fn from_samples(mut rates: Vec<f64>) -> Calibration {
        assert!(!rates.is_empty(), "calibration needs at least one sample");
        rates.sort_by(|a, b| a.total_cmp(b));
        Calibration {
            iters_per_us: rates[rates.len() / 2],
            min_iters_per_us: rates[0],
            max_iters_per_us: rates[rates.len() - 1],
            samples: rates.len() as u32,
            attempts: 1,
            disturbed: false,
        }
    }
}

/// Calibrates the Rust kernel: grows the iteration count until one call takes at least
/// 20 ms (long enough that the clock's resolution is noise), then times 7 such calls.
pub fn calibrate_rust() -> Calibration {
    let mut iters: u64 = 10_000;
    loop {
        let t = Instant::now();
        kernel(1, iters);
        if t.elapsed().as_secs_f64() >= 0.02 {
            break;
        }
        iters *= 2;
    }
    let rates = (0..7)
        .map(|i| {
            let t = Instant::now();
            kernel(i + 2, iters);
            iters as f64 / (t.elapsed().as_secs_f64() * 1e6)
        })
        .collect();
    Calibration::from_samples(rates)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iters_for_us_scales_and_rounds() {
        let c = Calibration::from_samples(vec![100.0, 300.0, 200.0]);
        assert_eq!(c.iters_per_us, 200.0);
        assert_eq!(c.min_iters_per_us, 100.0);
        assert_eq!(c.iters_for_us(0.0), 0);
        assert_eq!(c.iters_for_us(10.0), 2000);
        assert_eq!(c.iters_for_us(0.001), 1);
    }
}
