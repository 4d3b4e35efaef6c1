//! The per-cell summary over repetitions: the figures the table, charts and verdicts use.

use serde::{Deserialize, Serialize};

use super::{LatencySummary, Measurement};

/// A figure measured once per repetition: its median and range.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct Spread {
    /// Median over repetitions.
    pub median: f64,
    /// Lowest repetition.
    pub min: f64,
    /// Highest repetition.
    pub max: f64,
    /// `(max - min) / median`: 0.05 means the repetitions spanned 5% of the median.
    pub rel_range: f64,
}

impl Spread {
    /// The spread of `values` (NaN-free; empty gives zeros).
    pub fn of(values: &[f64]) -> Spread {
        if values.is_empty() {
            return Spread::default();
        }
        let median = median(values);
        let min = values.iter().copied().fold(f64::INFINITY, f64::min);
        let max = values.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        let rel_range = if median > 0.0 {
            (max - min) / median
        } else {
            0.0
        };
        Spread {
            median,
            min,
            max,
            rel_range,
        }
    }
}

/// Median of `values` (mean of the middle two for an even count).
pub(crate) fn median(values: &[f64]) -> f64 {
    let mut v = values.to_vec();
    v.sort_by(|a, b| a.total_cmp(b));
    let n = v.len();
    if n == 0 {
        0.0
    } else if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    }
}

/// A cell's figures, over its repetitions (medians unless said otherwise).
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct Summary {
    /// Throughput, ops/s: median and range over repetitions.
    pub ops_per_s: Spread,
    /// Latency percentiles, µs: each the median of the repetitions' values.
    pub latency_us: LatencySummary,
    /// Voluntary context switches per op over the window (cell process + workers).
    pub ctx_voluntary_per_op: f64,
    /// Involuntary context switches per op over the window.
    pub ctx_involuntary_per_op: f64,
    /// User CPU seconds over the window.
    pub cpu_user_s: f64,
    /// System CPU seconds over the window.
    pub cpu_sys_s: f64,
    /// User CPU microseconds per op.
    pub cpu_user_us_per_op: f64,
    /// System CPU microseconds per op.
    pub cpu_sys_us_per_op: f64,
    /// Peak RSS of the cell (cell process + worker processes), KiB.
    pub max_rss_kib: u64,
    /// The ideal bound for this cell on this machine, ops/s.
    pub ideal_ops_per_s: f64,
    /// `ops_per_s.median / ideal_ops_per_s`.
    pub efficiency: f64,
}

impl Summary {
    /// Summarises the repetitions of a cell whose ideal bound is `ideal_ops_per_s`.
    /// Returns `None` when there is no repetition.
    pub fn of(reps: &[Measurement], ideal_ops_per_s: f64) -> Option<Summary> {
        if reps.is_empty() {
            return None;
        }
        let col = |f: &dyn Fn(&Measurement) -> f64| -> f64 {
            median(&reps.iter().map(f).collect::<Vec<_>>())
        };
        let per_op = |m: &Measurement, x: f64| if m.ops > 0 { x / m.ops as f64 } else { 0.0 };
        let ops_per_s = Spread::of(&reps.iter().map(|m| m.ops_per_s).collect::<Vec<_>>());
        let latency_us = LatencySummary {
            count: col(&|m| m.latency_us.count as f64) as u64,
            mean: col(&|m| m.latency_us.mean),
            min: col(&|m| m.latency_us.min),
            p50: col(&|m| m.latency_us.p50),
            p90: col(&|m| m.latency_us.p90),
            p99: col(&|m| m.latency_us.p99),
            p999: col(&|m| m.latency_us.p999),
            max: col(&|m| m.latency_us.max),
        };
        let efficiency = if ideal_ops_per_s.is_finite() && ideal_ops_per_s > 0.0 {
            ops_per_s.median / ideal_ops_per_s
        } else {
            0.0
        };
        Some(Summary {
            ops_per_s,
            latency_us,
            ctx_voluntary_per_op: col(&|m| per_op(m, m.window_rusage().ctx_voluntary as f64)),
            ctx_involuntary_per_op: col(&|m| per_op(m, m.window_rusage().ctx_involuntary as f64)),
            cpu_user_s: col(&|m| m.window_rusage().user_s),
            cpu_sys_s: col(&|m| m.window_rusage().sys_s),
            cpu_user_us_per_op: col(&|m| per_op(m, m.window_rusage().user_s * 1e6)),
            cpu_sys_us_per_op: col(&|m| per_op(m, m.window_rusage().sys_s * 1e6)),
            max_rss_kib: col(&|m| m.window_rusage().max_rss_kib as f64) as u64,
            ideal_ops_per_s,
            efficiency,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::metrics::Rusage;

    fn rep(ops_per_s: f64, vol: u64) -> Measurement {
        Measurement {
            ops: 100,
            wall_s: 100.0 / ops_per_s,
            ops_per_s,
            rusage: Rusage {
                user_s: 0.5,
                sys_s: 0.1,
                ctx_voluntary: vol,
                ctx_involuntary: 0,
                max_rss_kib: 2048,
            },
            ..Measurement::default()
        }
    }

    #[test]
    fn medians_and_efficiency() {
        let reps = [rep(900.0, 100), rep(1000.0, 200), rep(1100.0, 300)];
        let s = Summary::of(&reps, 2000.0).unwrap();
        assert_eq!(s.ops_per_s.median, 1000.0);
        assert!((s.ops_per_s.rel_range - 0.2).abs() < 1e-9);
        assert_eq!(s.efficiency, 0.5);
        assert_eq!(s.ctx_voluntary_per_op, 2.0);
        assert!((s.cpu_user_us_per_op - 5000.0).abs() < 1e-6);
        assert_eq!(s.max_rss_kib, 2048);
    }

    #[test]
    fn no_repetitions_no_summary() {
        assert!(Summary::of(&[], 1.0).is_none());
    }
}
