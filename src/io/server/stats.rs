//! What the delay server counts between two `mark`s — requests, reply lateness, its own
//! CPU time and context switches, open connections — and the `stats` reply that carries
//! it to the cell.

use serde::{Deserialize, Serialize};

use crate::io::LatenessUs;
use crate::metrics::{Recorder, Rusage, Who};

/// The delay server's own figures since the last `mark` (or since it started): the far
/// end of the network, stored apart from the cell's cost.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct ServerStats {
    /// Requests read.
    pub requests: u64,
    /// How late each reply went out: the time just before its write minus its deadline
    /// (the moment the request was read plus its delay).
    pub lateness_us: LatenessUs,
    /// The server's user CPU seconds.
    pub user_s: f64,
    /// The server's system (kernel) CPU seconds.
    pub sys_s: f64,
    /// The server's voluntary context switches (it blocked in `epoll_wait`).
    pub ctx_voluntary: u64,
    /// The server's involuntary context switches (it was preempted).
    pub ctx_involuntary: u64,
    /// Connections open when the stats were taken.
    pub connections_open: u64,
    /// The most connections open at once.
    pub connections_max: u64,
}

/// The running counts behind [`ServerStats`].
pub(super) struct Accounting {
    requests: u64,
    lateness: Recorder,
    marked: Rusage,
    max_open: usize,
}

impl Accounting {
    pub(super) fn new() -> Accounting {
        Accounting {
            requests: 0,
            lateness: Recorder::new(),
            marked: Rusage::now(Who::SelfProcess),
            max_open: 0,
        }
    }

    /// Starts a new period: counts and lateness back to zero, rusage sampled now.
    pub(super) fn mark(&mut self, open: usize) {
        *self = Accounting::new();
        self.max_open = open;
    }

    pub(super) fn request(&mut self) {
        self.requests += 1;
    }

    pub(super) fn reply(&mut self, lateness_ns: u64) {
        self.lateness.record_ns(lateness_ns);
    }

    pub(super) fn opened(&mut self, open: usize) {
        self.max_open = self.max_open.max(open);
    }

    /// The figures since the last mark, with `open` connections now.
    pub(super) fn stats(&self, open: usize) -> ServerStats {
        let ru = Rusage::now(Who::SelfProcess).delta(&self.marked);
        ServerStats {
            requests: self.requests,
            lateness_us: LatenessUs::of(&self.lateness),
            user_s: ru.user_s,
            sys_s: ru.sys_s,
            ctx_voluntary: ru.ctx_voluntary,
            ctx_involuntary: ru.ctx_involuntary,
            connections_open: open as u64,
            connections_max: self.max_open as u64,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mark_starts_a_new_period() {
        let mut a = Accounting::new();
        a.request();
        a.reply(250_000);
        a.opened(3);
        let s = a.stats(2);
        assert_eq!((s.requests, s.lateness_us.count), (1, 1));
        assert!((s.lateness_us.p50 - 250.0).abs() < 1.0, "{s:?}");
        assert_eq!((s.connections_open, s.connections_max), (2, 3));
        a.mark(2);
        let s = a.stats(2);
        assert_eq!((s.requests, s.lateness_us.count), (0, 0));
        assert_eq!(s.connections_max, 2, "the open ones count after a mark");
    }

    #[test]
    fn the_json_has_the_agreed_shape() {
        let v = serde_json::to_value(ServerStats::default()).unwrap();
        let keys = |v: &serde_json::Value| {
            let mut k: Vec<String> = v.as_object().unwrap().keys().cloned().collect();
            k.sort();
            k
        };
        let mut top = vec![
            "requests",
            "lateness_us",
            "user_s",
            "sys_s",
            "ctx_voluntary",
            "ctx_involuntary",
            "connections_open",
            "connections_max",
        ];
        top.sort();
        assert_eq!(keys(&v), top);
        let mut lat = vec!["count", "mean", "p50", "p90", "p99", "max"];
        lat.sort();
        assert_eq!(keys(&v["lateness_us"]), lat);
    }
}
