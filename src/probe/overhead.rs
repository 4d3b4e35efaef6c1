//! Measurement overhead: what recording one op costs, on the same code the models run.
//!
//! Inside the measured window a native model reads the clock before the op and calls
//! [`OpLog::record_since`] after it (a second clock read and one relaxed store into the
//! op's slot, which was allocated and touched before the window); after the window the
//! log is folded into the HDR histogram ([`OpLog::to_recorder`]). Paths that record
//! straight into a [`Recorder`] pay two clock reads and a bucket increment. Each is
//! timed here with an empty op, so the figure is pure overhead.

use std::hint::black_box;
use std::time::{Duration, Instant};

use crate::metrics::Recorder;
use crate::model::trace::{mono_ns, thread_cpu_ns, CpuHalf};
use crate::model::OpLog;

/// Share of the smallest op the recording path may cost at most.
pub const OVERHEAD_BUDGET: f64 = 0.01;

/// Ops per log when a path is timed in chunks (512 KiB of log, and as much again of
/// spans for the traced path).
const CHUNK: u64 = 65_536;

/// Which recording path to time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RecordingPath {
    /// In the window: clock read, empty op, [`OpLog::record_since`] (clock read + store).
    LogInWindow,
    /// After the window: folding one logged op into the histogram.
    LogFold,
    /// Clock read, empty op, [`Recorder::record_since`] (clock read + bucket increment).
    Histogram,
    /// A sampled op of a timeline: two monotonic and two thread-CPU clock reads around
    /// an empty CPU half, and [`OpLog::record_span`] (the first `timeline` ops only).
    TracedInWindow,
}

impl RecordingPath {
    /// Every path, in the order benches show them.
    pub const ALL: [RecordingPath; 4] = [
        RecordingPath::LogInWindow,
        RecordingPath::LogFold,
        RecordingPath::Histogram,
        RecordingPath::TracedInWindow,
    ];

    /// A short name for bench ids, e.g. `log_in_window`.
    pub fn label(self) -> &'static str {
        match self {
            RecordingPath::LogInWindow => "log_in_window",
            RecordingPath::LogFold => "log_fold",
            RecordingPath::Histogram => "histogram",
            RecordingPath::TracedInWindow => "traced_in_window",
        }
    }
}

/// Runs the recording path `n` times on empty ops and returns how long that took. Set-up
/// (allocating and touching the logs, the histogram) is outside the returned time, as
/// it is outside a cell's window; `n` is covered in logs of at most 64 Ki ops, so the
/// memory stays bounded whatever `n`.
pub fn record_ops(path: RecordingPath, n: u64) -> Duration {
    let mut took = Duration::ZERO;
    let mut left = n;
    while left > 0 {
        let len = left.min(CHUNK);
        left -= len;
        let log = OpLog::with_trace(0..len, len);
        match path {
            RecordingPath::LogInWindow => {
                let began = Instant::now();
                for i in 0..len {
                    let start = Instant::now();
                    black_box(());
                    log.record_since(i, start);
                }
                took += began.elapsed();
            }
            RecordingPath::LogFold => {
                for i in 0..len {
                    log.record_since(i, Instant::now());
                }
                let began = Instant::now();
                let folded = log.to_recorder();
                took += began.elapsed();
                black_box(folded);
            }
            RecordingPath::Histogram => {
                let mut recorder = Recorder::new();
                let began = Instant::now();
                for _ in 0..len {
                    let start = Instant::now();
                    black_box(());
                    recorder.record_since(start);
                }
                took += began.elapsed();
                black_box(&recorder);
            }
            RecordingPath::TracedInWindow => {
                // What `model::trace::timed_cpu` and `run_logged` do around a sampled op.
                let began = Instant::now();
                for i in 0..len {
                    let start = mono_ns();
                    let before = thread_cpu_ns();
                    black_box(());
                    let cpu = thread_cpu_ns().saturating_sub(before);
                    let half = CpuHalf {
                        start,
                        cpu_end: mono_ns(),
                        cpu,
                    };
                    log.record_span(i, half.ended(0, mono_ns()));
                }
                took += began.elapsed();
            }
        }
        black_box(&log);
    }
    took
}

/// The smallest op a scenario allows (its `op_time` floor): the overhead budget is a
/// share of this.
pub fn smallest_op() -> Duration {
    Duration::from_secs_f64(crate::scenario::OP_TIME_MIN_US * 1e-6)
}

/// Share of an op of `op` that `per_op` of overhead represents.
pub fn overhead_share(per_op: Duration, op: Duration) -> f64 {
    if op.is_zero() {
        return f64::INFINITY;
    }
    per_op.as_secs_f64() / op.as_secs_f64()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_path_runs() {
        for path in RecordingPath::ALL {
            let _ = record_ops(path, 100);
        }
    }

    #[test]
    fn share_is_a_plain_ratio() {
        let s = overhead_share(Duration::from_nanos(50), Duration::from_micros(50));
        assert!((s - 0.001).abs() < 1e-12);
        assert!(overhead_share(Duration::from_nanos(1), Duration::ZERO).is_infinite());
    }

    #[test]
    fn recording_stays_far_below_the_budget_of_the_smallest_op() {
        // Direction only, with a wide margin: even an unoptimised test build on a busy
        // machine records an op in well under 1% of the smallest op (50 µs: 500 ns). Take
        // the best of a few tries so a preemption cannot fail the test.
        let n = 20_000u64;
        let best = (0..5)
            .map(|_| record_ops(RecordingPath::LogInWindow, n))
            .min()
            .unwrap();
        let per_op = best / n as u32;
        assert!(
            overhead_share(per_op, smallest_op()) < OVERHEAD_BUDGET,
            "{per_op:?} per op"
        );
    }
}
