//! How late a wake-up or a reply was: the summary shared by the delay server's stats and
//! the timer floor, so that the two can be compared field by field.

use serde::{Deserialize, Serialize};

use crate::metrics::Recorder;

/// Lateness percentiles in microseconds: how long after its deadline something happened.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct LatenessUs {
    /// Events recorded.
    pub count: u64,
    /// Mean lateness.
    pub mean: f64,
    /// Median lateness.
    pub p50: f64,
    /// 90th percentile.
    pub p90: f64,
    /// 99th percentile.
    pub p99: f64,
    /// The latest one.
    pub max: f64,
}

impl LatenessUs {
    /// The summary of lateness values recorded in nanoseconds.
    pub(crate) fn of(recorder: &Recorder) -> LatenessUs {
        let s = recorder.summary();
        LatenessUs {
            count: s.count,
            mean: s.mean,
            p50: s.p50,
            p90: s.p90,
            p99: s.p99,
            max: s.max,
        }
    }
}
