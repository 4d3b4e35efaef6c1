//! The per-cell summary over repetitions: the figures the table, charts and verdicts use.

use serde::{Deserialize, Serialize};

use super::{ideal_ops_per_s, LatencySummary, Measurement};
use crate::scenario::Cell;

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

use crate::stats::median;

/// Efficiency above `1 + EFFICIENCY_TOLERANCE` is beyond what the measurement's own
/// accuracy explains (the speed check is the median of three 5 ms kernel calls, steady
/// to a few per cent): the cell is flagged as a measurement problem.
pub const EFFICIENCY_TOLERANCE: f64 = 0.05;

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
    /// Peak RSS of the cell (cell process + worker processes), KiB: the processes'
    /// lifetime peak (`ru_maxrss`), set-up included.
    pub max_rss_kib: u64,
    /// What the model held at the window's peak, KiB (cell process + workers): peak RSS
    /// during the window less spectrum's op log (see `metrics::memory`). Median over
    /// repetitions; absent in older files.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub model_rss_kib: Option<u64>,
    /// The ideal bound for this cell on this machine at the *calibrated* kernel speed
    /// (the op's nominal length), ops/s.
    pub ideal_ops_per_s: f64,
    /// `ops_per_s.median / ideal_ops_per_s`: efficiency against the nominal op.
    pub efficiency: f64,
    /// The kernel's speed around the windows as a ratio to the calibration (median over
    /// repetitions of each one's speed checks); absent when none was measured.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kernel_speed: Option<f64>,
    /// Efficiency against the ideal bound at the kernel speed measured around each
    /// window (the CPU half takes `cpu_us / speed`): median and range over repetitions.
    /// This is the efficiency the report and the table show; it does not depend on the
    /// machine's speed when the run was calibrated. Absent without speed checks.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub efficiency_at_speed: Option<Spread>,
    /// `tcp` cells: the delay server's figures over the windows (medians over
    /// repetitions), kept apart from the cell's own.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub server: Option<ServerSummary>,
}

/// A server whose replies went out later than this share of the I/O half, at the
/// median, was the limit of its cell: the far end, not the model, set the throughput.
pub const SERVER_LIMITED_SHARE: f64 = 0.10;

/// The delay server's side of a `tcp` cell: how late its replies went out and what it
/// cost the machine (the far end of the network, not the model's cost).
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct ServerSummary {
    /// Median lateness of its replies after their deadline, µs.
    pub lateness_p50_us: f64,
    /// 99th percentile of that lateness, µs.
    pub lateness_p99_us: f64,
    /// The server's user CPU per op, µs.
    pub user_us_per_op: f64,
    /// The server's system CPU per op, µs.
    pub sys_us_per_op: f64,
    /// The most connections it held at once.
    pub connections_max: u64,
}

impl ServerSummary {
    /// True when the server's replies went out later than [`SERVER_LIMITED_SHARE`] of
    /// an I/O half of `io_us` at the median: it, not the model, limited the cell (one
    /// thread writes every reply; past some 30 000–70 000 replies a second on a 2-core
    /// VM it falls behind).
    pub fn limited(&self, io_us: f64) -> bool {
        io_us > 0.0 && self.lateness_p50_us > SERVER_LIMITED_SHARE * io_us
    }
}

impl Summary {
    /// The efficiency to show: at the measured kernel speed where it was measured,
    /// else against the nominal op.
    pub fn shown_efficiency(&self) -> f64 {
        self.efficiency_at_speed
            .map_or(self.efficiency, |e| e.median)
    }

    /// True when the efficiency is above 1 by more than the measurement explains.
    pub fn efficiency_suspect(&self) -> bool {
        self.shown_efficiency() > 1.0 + EFFICIENCY_TOLERANCE
    }
}

/// The ideal bound of `cell` with `cores` cores when the kernel runs at `speed` times
/// its calibrated rate (the CPU half then takes `cpu_us / speed`).
pub fn ideal_at_speed(cell: &Cell, speed: f64, cores: usize) -> f64 {
    let speed = if speed.is_finite() && speed > 0.0 {
        speed
    } else {
        1.0
    };
    ideal_ops_per_s(cell.cpu_us / speed, cell.io_us, cell.concurrency, cores)
}

/// Each repetition's efficiency at the kernel speed measured around its window (`None`
/// for a repetition without a speed check).
pub fn efficiencies_at_speed(reps: &[Measurement], cell: &Cell, cores: usize) -> Vec<Option<f64>> {
    reps.iter()
        .map(|m| {
            let ideal = ideal_at_speed(cell, m.kernel_speed()?, cores);
            (ideal.is_finite() && ideal > 0.0).then(|| m.ops_per_s / ideal)
        })
        .collect()
}

impl Summary {
    /// Summarises the repetitions of `cell` measured on a machine of `cores` cores.
    /// Returns `None` when there is no repetition.
    pub fn of(reps: &[Measurement], cell: &Cell, cores: usize) -> Option<Summary> {
        if reps.is_empty() {
            return None;
        }
        let ideal_ops_per_s = cell.ideal_ops_per_s(cores);
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
            model_rss_kib: reps
                .iter()
                .map(|m| m.window_memory().map(|w| w.model_kib() as f64))
                .collect::<Option<Vec<f64>>>()
                .map(|v| median(&v) as u64),
            ideal_ops_per_s,
            efficiency,
            kernel_speed: reps
                .iter()
                .map(Measurement::kernel_speed)
                .collect::<Option<Vec<f64>>>()
                .map(|v| median(&v)),
            efficiency_at_speed: efficiencies_at_speed(reps, cell, cores)
                .into_iter()
                .collect::<Option<Vec<f64>>>()
                .map(|v| Spread::of(&v)),
            server: reps
                .iter()
                .map(|m| m.server.map(|s| (m.ops, s)))
                .collect::<Option<Vec<_>>>()
                .map(|v| {
                    let col = |f: &dyn Fn(u64, &crate::io::server::ServerStats) -> f64| {
                        median(&v.iter().map(|(ops, s)| f(*ops, s)).collect::<Vec<_>>())
                    };
                    let per_op = |ops: u64, x: f64| if ops > 0 { x / ops as f64 } else { 0.0 };
                    ServerSummary {
                        lateness_p50_us: col(&|_, s| s.lateness_us.p50),
                        lateness_p99_us: col(&|_, s| s.lateness_us.p99),
                        user_us_per_op: col(&|o, s| per_op(o, s.user_s * 1e6)),
                        sys_us_per_op: col(&|o, s| per_op(o, s.sys_s * 1e6)),
                        connections_max: col(&|_, s| s.connections_max as f64) as u64,
                    }
                }),
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

    /// A pure-CPU cell of 1 ms ops on one worker: its ideal bound is 1000 ops/s.
    fn cell() -> Cell {
        Cell::sleep_op(
            crate::scenario::Runtime::Rust,
            crate::scenario::ModelKind::Sequential,
            1000.0,
            0.0,
            1,
        )
    }

    #[test]
    fn medians_and_efficiency() {
        let reps = [rep(400.0, 100), rep(500.0, 200), rep(600.0, 300)];
        let s = Summary::of(&reps, &cell(), 2).unwrap();
        assert_eq!(s.ops_per_s.median, 500.0);
        assert!((s.ops_per_s.rel_range - 0.4).abs() < 1e-9);
        assert_eq!(s.ideal_ops_per_s, 1000.0);
        assert_eq!(s.efficiency, 0.5);
        assert_eq!(s.ctx_voluntary_per_op, 2.0);
        assert!((s.cpu_user_us_per_op - 5000.0).abs() < 1e-6);
        assert_eq!(s.max_rss_kib, 2048);
        // No speed checks, no memory record: those figures are absent, not zero.
        assert!(s.kernel_speed.is_none() && s.efficiency_at_speed.is_none());
        assert!(s.model_rss_kib.is_none());
        assert_eq!(s.shown_efficiency(), 0.5);
    }

    #[test]
    fn efficiency_at_speed_uses_each_window_s_kernel_speed() {
        // The kernel ran at half its calibrated speed around a window that did 500 ops/s
        // of nominally 1 ms ops: the ops really took 2 ms, so 500 ops/s is the bound.
        let mut slow = rep(500.0, 0);
        slow.kernel_speed_before = Some(0.5);
        slow.kernel_speed_after = Some(0.5);
        let mut fast = rep(1000.0, 0);
        fast.kernel_speed_before = Some(1.0);
        fast.kernel_speed_after = Some(1.0);
        let s = Summary::of(&[slow.clone(), fast.clone(), fast], &cell(), 2).unwrap();
        let e = s.efficiency_at_speed.unwrap();
        assert!(
            (e.min - 1.0).abs() < 1e-9 && (e.max - 1.0).abs() < 1e-9,
            "{e:?}"
        );
        assert_eq!(s.kernel_speed, Some(1.0));
        // Against the nominal op, the slow window looks like half the work.
        let only_slow = Summary::of(&[slow], &cell(), 2).unwrap();
        assert_eq!(only_slow.efficiency, 0.5);
        assert!((only_slow.shown_efficiency() - 1.0).abs() < 1e-9);
        assert!(!only_slow.efficiency_suspect());
    }

    #[test]
    fn the_model_s_memory_leaves_the_op_log_out() {
        let mut r = rep(500.0, 0);
        r.memory = Some(crate::metrics::WindowMemory {
            before_kib: 900,
            peak_kib: 1000,
            harness_kib: 100,
            windowed: true,
        });
        let s = Summary::of(&[r], &cell(), 2).unwrap();
        assert_eq!(s.model_rss_kib, Some(900));
    }

    #[test]
    fn no_repetitions_no_summary() {
        assert!(Summary::of(&[], &cell(), 2).is_none());
    }
}
