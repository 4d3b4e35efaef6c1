//! Per-op latency: an HDR histogram per worker, merged, summarised in microseconds.

use hdrhistogram::Histogram;
use serde::{Deserialize, Serialize};
use std::time::Instant;

/// Highest latency the histogram can hold: one hour, in nanoseconds. Longer ops are
/// clamped (and a cell that long has timed out anyway).
const MAX_NS: u64 = 3_600_000_000_000;

/// Records per-op durations in nanoseconds, 3 significant digits.
///
/// One per worker thread: recording must stay cheap and lock-free inside the measured
/// window (two clock reads and one bucket increment per op), and the recorders are merged
/// after the window closes.
#[derive(Debug, Clone)]
pub struct Recorder {
    hist: Histogram<u64>,
}

impl Default for Recorder {
    fn default() -> Self {
        Recorder::new()
    }
}

impl Recorder {
    /// An empty recorder.
    pub fn new() -> Recorder {
        Recorder {
            hist: Histogram::new_with_bounds(1, MAX_NS, 3).expect("static histogram bounds"),
        }
    }

    /// Records one op that started at `start` and ends now.
    #[inline]
    pub fn record_since(&mut self, start: Instant) {
        self.record_ns(start.elapsed().as_nanos() as u64);
    }

    /// Records one op of `ns` nanoseconds.
    #[inline]
    pub fn record_ns(&mut self, ns: u64) {
        self.hist.saturating_record(ns.clamp(1, MAX_NS));
    }

    /// Adds another recorder's ops.
    pub fn merge(&mut self, other: &Recorder) {
        self.hist.add(&other.hist).expect("same bounds");
    }

    /// Number of ops recorded.
    pub fn len(&self) -> u64 {
        self.hist.len()
    }

    /// True when nothing was recorded.
    pub fn is_empty(&self) -> bool {
        self.hist.is_empty()
    }

    /// The recorded values as (value_ns, count) pairs: a compact form for sending a
    /// worker process's histogram over a pipe.
    pub fn to_buckets(&self) -> Vec<(u64, u64)> {
        self.hist
            .iter_recorded()
            .map(|v| (v.value_iterated_to(), v.count_at_value()))
            .collect()
    }

    /// Rebuilds a recorder from [`Recorder::to_buckets`] output.
    pub fn from_buckets(buckets: &[(u64, u64)]) -> Recorder {
        let mut r = Recorder::new();
        for &(v, n) in buckets {
            r.hist
                .record_n(v.clamp(1, MAX_NS), n)
                .expect("value within bounds");
        }
        r
    }

    /// Percentiles in microseconds.
    pub fn summary(&self) -> LatencySummary {
        let us = |ns: u64| ns as f64 / 1000.0;
        let h = &self.hist;
        if h.is_empty() {
            return LatencySummary::default();
        }
        LatencySummary {
            count: h.len(),
            mean: h.mean() / 1000.0,
            min: us(h.min()),
            p50: us(h.value_at_quantile(0.50)),
            p90: us(h.value_at_quantile(0.90)),
            p99: us(h.value_at_quantile(0.99)),
            p999: us(h.value_at_quantile(0.999)),
            max: us(h.max()),
        }
    }
}

/// Latency percentiles of a cell's ops, in microseconds.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct LatencySummary {
    /// Ops recorded.
    pub count: u64,
    /// Mean.
    pub mean: f64,
    /// Fastest op.
    pub min: f64,
    /// Median.
    pub p50: f64,
    /// 90th percentile.
    pub p90: f64,
    /// 99th percentile.
    pub p99: f64,
    /// 99.9th percentile.
    pub p999: f64,
    /// Slowest op.
    pub max: f64,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_in_microseconds() {
        let mut r = Recorder::new();
        for i in 1..=1000u64 {
            r.record_ns(i * 1000);
        }
        let s = r.summary();
        assert_eq!(s.count, 1000);
        assert!((s.p50 - 500.0).abs() < 1.0, "{s:?}");
        assert!((s.p99 - 990.0).abs() < 2.0, "{s:?}");
        assert!((s.max - 1000.0).abs() < 1.0, "{s:?}");
    }

    #[test]
    fn buckets_round_trip_and_merge() {
        let mut a = Recorder::new();
        let mut b = Recorder::new();
        for i in 1..=100u64 {
            a.record_ns(i * 10_000);
            b.record_ns(i * 20_000);
        }
        let back = Recorder::from_buckets(&a.to_buckets());
        assert_eq!(back.summary(), a.summary());
        a.merge(&b);
        assert_eq!(a.len(), 200);
    }
}
