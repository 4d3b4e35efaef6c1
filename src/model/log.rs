//! The per-worker latency log every native model records into during its window.
//!
//! Why not a [`Recorder`] per worker: an HDR histogram with spectrum's bounds holds about
//! 33 000 counters (~270 KiB of virtual memory, a few touched pages). One per thread or,
//! worse, one per async task would make the recorders themselves a visible share of the
//! memory and the set-up cost a cell measures at high concurrency — the very figures the
//! report compares between threads and tasks. A log is an empty `Vec` until the worker
//! records its first op, costs 8 bytes per op whatever the concurrency, and its hot path
//! is one clock read and one push, lock-free. The logs are folded into one [`Recorder`]
//! as each worker finishes, still inside the measured window (about 10 ns per op:
//! `cargo bench --bench overhead`, `log_fold`).

use std::time::Instant;

use crate::metrics::Recorder;

/// Per-op durations of one worker (thread, task or rayon split), in nanoseconds.
#[derive(Debug, Clone, Default)]
pub struct LatencyLog {
    ns: Vec<u64>,
}

impl LatencyLog {
    /// An empty log; allocates nothing until the first record.
    pub fn new() -> LatencyLog {
        LatencyLog { ns: Vec::new() }
    }

    /// Records one op that started at `start` and ends now.
    #[inline]
    pub fn record_since(&mut self, start: Instant) {
        // Saturate rather than truncate: an op longer than 584 years is not a concern,
        // but a silent wrap would be.
        let ns = u64::try_from(start.elapsed().as_nanos()).unwrap_or(u64::MAX);
        self.ns.push(ns);
    }

    /// Number of ops recorded.
    pub fn len(&self) -> usize {
        self.ns.len()
    }

    /// True when nothing was recorded.
    pub fn is_empty(&self) -> bool {
        self.ns.is_empty()
    }

    /// Adds every recorded op to `recorder`.
    pub fn drain_into(self, recorder: &mut Recorder) {
        for ns in self.ns {
            recorder.record_ns(ns);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn drains_every_op_into_the_recorder() {
        let mut log = LatencyLog::new();
        assert!(log.is_empty());
        for _ in 0..5 {
            log.record_since(Instant::now());
        }
        assert_eq!(log.len(), 5);
        let mut rec = Recorder::new();
        log.drain_into(&mut rec);
        assert_eq!(rec.len(), 5);
    }
}
