//! The timeline of a cell's window: for a bounded sample of its ops, which worker ran
//! each and when its CPU and I/O halves ran ([`crate::model::trace`] records them).
//!
//! A [`Span`] splits an op into three states a chart can colour: *computing* (the CPU
//! half's thread CPU time), *ready but not running* (the CPU half's wall time less its
//! CPU time: waiting for the GIL or for a free core) and *waiting on I/O* (the I/O half).
//! In results.json a span is five numbers, `[worker, start, cpu_end, end, cpu]`, in ns
//! since the window opened, so a timeline of 2000 ops stays about 100 KB.

use serde::{Deserialize, Serialize};

/// One sampled op. Times are `CLOCK_MONOTONIC` ns while recorded, and ns since the window
/// opened once in a [`Timeline`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(from = "[u64; 5]", into = "[u64; 5]")]
pub struct Span {
    /// The worker (thread, task, process, Python thread) that ran the op, from 0.
    pub worker: u32,
    /// When the op started.
    pub start: u64,
    /// When its CPU half ended (= `start` for an op without one).
    pub cpu_end: u64,
    /// When the op ended (its I/O half is `cpu_end..end`).
    pub end: u64,
    /// Thread CPU time the CPU half used, ns.
    pub cpu: u64,
}

impl From<[u64; 5]> for Span {
    fn from(a: [u64; 5]) -> Span {
        Span {
            worker: u32::try_from(a[0]).unwrap_or(u32::MAX),
            start: a[1],
            cpu_end: a[2],
            end: a[3],
            cpu: a[4],
        }
    }
}

impl From<Span> for [u64; 5] {
    fn from(s: Span) -> [u64; 5] {
        [u64::from(s.worker), s.start, s.cpu_end, s.end, s.cpu]
    }
}

impl Span {
    /// Wall time of the CPU half, ns.
    pub fn cpu_wall(&self) -> u64 {
        self.cpu_end.saturating_sub(self.start)
    }

    /// Ready but not running: the CPU half's wall time not spent on a CPU, ns.
    pub fn ready(&self) -> u64 {
        self.cpu_wall().saturating_sub(self.cpu)
    }

    /// Computing: the CPU half's CPU time, at most its wall time, ns.
    pub fn computing(&self) -> u64 {
        self.cpu.min(self.cpu_wall())
    }

    /// Waiting on I/O: the I/O half, ns.
    pub fn io(&self) -> u64 {
        self.end.saturating_sub(self.cpu_end)
    }

    /// The span with its times counted from `origin` (earlier times become 0).
    pub fn since(self, origin: u64) -> Span {
        Span {
            start: self.start.saturating_sub(origin),
            cpu_end: self.cpu_end.saturating_sub(origin),
            end: self.end.saturating_sub(origin),
            ..self
        }
    }
}

/// The sampled ops of one repetition's window.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Timeline {
    /// Ops the sample was asked to hold (the first ops of the window; for worker
    /// processes, the first ops of each process's share).
    pub sampled: u64,
    /// Workers of the cell (lanes a chart can show), whether or not each ran a sampled op.
    pub workers: u32,
    /// Length of the window, ns.
    pub window_ns: u64,
    /// The spans, times in ns since the window opened, sorted by start.
    pub spans: Vec<Span>,
}

impl Timeline {
    /// The timeline of a window that opened at `origin` (`CLOCK_MONOTONIC` ns) and lasted
    /// `window_ns`, from spans on that clock.
    pub fn from_spans(
        mut spans: Vec<Span>,
        origin: u64,
        sampled: u64,
        workers: u32,
        window_ns: u64,
    ) -> Timeline {
        for s in &mut spans {
            *s = s.since(origin);
        }
        spans.sort_by_key(|s| (s.start, s.worker));
        Timeline {
            sampled,
            workers,
            window_ns,
            spans,
        }
    }

    /// Time from the first sampled op's start to the last one's end, ns.
    pub fn extent_ns(&self) -> u64 {
        self.spans.iter().map(|s| s.end).max().unwrap_or(0)
    }

    /// Sums over the spans of `worker` (every worker when `None`), ns:
    /// (computing, ready but not running, waiting on I/O).
    pub fn totals(&self, worker: Option<u32>) -> (u64, u64, u64) {
        self.spans
            .iter()
            .filter(|s| worker.is_none_or(|w| s.worker == w))
            .fold((0, 0, 0), |(c, r, i), s| {
                (c + s.computing(), r + s.ready(), i + s.io())
            })
    }

    /// Share of the sampled ops' CPU halves spent ready but not running (0 when there
    /// is no CPU half).
    pub fn ready_share(&self) -> f64 {
        let (c, r, _) = self.totals(None);
        if c + r == 0 {
            0.0
        } else {
            r as f64 / (c + r) as f64
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_span_splits_into_computing_ready_and_io() {
        let s = Span {
            worker: 1,
            start: 100,
            cpu_end: 400,
            end: 1000,
            cpu: 200,
        };
        assert_eq!(s.computing() + s.ready() + s.io(), s.end - s.start);
        assert_eq!((s.computing(), s.ready(), s.io()), (200, 100, 600));
        // CPU time a coarse clock rounds above the wall time never makes `ready` negative.
        let t = Span { cpu: 500, ..s };
        assert_eq!((t.computing(), t.ready()), (300, 0));
    }

    #[test]
    fn spans_serialize_as_five_numbers() {
        let s = Span {
            worker: 3,
            start: 1,
            cpu_end: 2,
            end: 3,
            cpu: 1,
        };
        let text = serde_json::to_string(&s).unwrap();
        assert_eq!(text, "[3,1,2,3,1]");
        assert_eq!(serde_json::from_str::<Span>(&text).unwrap(), s);
    }

    #[test]
    fn a_timeline_counts_from_the_window_and_sums_its_states() {
        let spans = vec![
            Span {
                worker: 1,
                start: 1_500,
                cpu_end: 1_900,
                end: 2_000,
                cpu: 200,
            },
            Span {
                worker: 0,
                start: 1_000,
                cpu_end: 1_400,
                end: 1_400,
                cpu: 400,
            },
        ];
        let t = Timeline::from_spans(spans, 1_000, 2, 2, 5_000);
        assert_eq!(t.spans[0].worker, 0);
        assert_eq!(t.spans[1].start, 500);
        assert_eq!(t.extent_ns(), 1_000);
        assert_eq!(t.totals(None), (600, 200, 100));
        assert_eq!(t.totals(Some(1)), (200, 200, 100));
        assert!((t.ready_share() - 0.25).abs() < 1e-12);
    }
}
