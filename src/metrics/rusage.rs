//! `getrusage` samples and their differences: CPU time, context switches, peak RSS.

use serde::{Deserialize, Serialize};

/// Whose resource usage to sample.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Who {
    /// The calling process, all its threads (dead ones included).
    SelfProcess,
    /// The calling process's children that have been waited for.
    Children,
    /// The calling thread only.
    Thread,
}

/// Resource usage: a sample, or the difference of two.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct Rusage {
    /// User CPU seconds.
    pub user_s: f64,
    /// System (kernel) CPU seconds.
    pub sys_s: f64,
    /// Voluntary context switches: the thread blocked (I/O, sleep, lock, GIL, futex).
    pub ctx_voluntary: u64,
    /// Involuntary context switches: the thread was preempted.
    pub ctx_involuntary: u64,
    /// Peak resident set size in KiB. A high-water mark, not a difference: `delta` keeps
    /// the later sample's value.
    pub max_rss_kib: u64,
}

impl Rusage {
    /// Samples `getrusage` for `who`.
    pub fn now(who: Who) -> Rusage {
        let flag = match who {
            Who::SelfProcess => libc::RUSAGE_SELF,
            Who::Children => libc::RUSAGE_CHILDREN,
            Who::Thread => libc::RUSAGE_THREAD,
        };
        // SAFETY: getrusage writes a plain C struct that we zero-initialise first.
        let ru = unsafe {
            let mut ru: libc::rusage = std::mem::zeroed();
            libc::getrusage(flag, &mut ru);
            ru
        };
        Rusage::from_libc(&ru)
    }

    /// Converts a `struct rusage` (as filled by `getrusage` or `wait4`).
    pub fn from_libc(ru: &libc::rusage) -> Rusage {
        let secs = |tv: libc::timeval| tv.tv_sec as f64 + tv.tv_usec as f64 / 1e6;
        Rusage {
            user_s: secs(ru.ru_utime),
            sys_s: secs(ru.ru_stime),
            ctx_voluntary: ru.ru_nvcsw as u64,
            ctx_involuntary: ru.ru_nivcsw as u64,
            // Linux reports ru_maxrss in KiB.
            max_rss_kib: ru.ru_maxrss as u64,
        }
    }

    /// What happened between `earlier` and `self`.
    pub fn delta(&self, earlier: &Rusage) -> Rusage {
        Rusage {
            user_s: (self.user_s - earlier.user_s).max(0.0),
            sys_s: (self.sys_s - earlier.sys_s).max(0.0),
            ctx_voluntary: self.ctx_voluntary.saturating_sub(earlier.ctx_voluntary),
            ctx_involuntary: self.ctx_involuntary.saturating_sub(earlier.ctx_involuntary),
            max_rss_kib: self.max_rss_kib,
        }
    }

    /// Adds two usages (e.g. the cell process and its workers). Peak RSS adds too: the
    /// processes were alive at the same time.
    pub fn plus(&self, other: &Rusage) -> Rusage {
        Rusage {
            user_s: self.user_s + other.user_s,
            sys_s: self.sys_s + other.sys_s,
            ctx_voluntary: self.ctx_voluntary + other.ctx_voluntary,
            ctx_involuntary: self.ctx_involuntary + other.ctx_involuntary,
            max_rss_kib: self.max_rss_kib + other.max_rss_kib,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn self_sample_sees_cpu_and_memory() {
        let before = Rusage::now(Who::SelfProcess);
        let mut x = 1u64;
        for i in 0..20_000_000u64 {
            x = std::hint::black_box(x.wrapping_mul(6364136223846793005).wrapping_add(i));
        }
        let after = Rusage::now(Who::SelfProcess);
        let d = after.delta(&before);
        assert!(d.user_s + d.sys_s > 0.0, "{d:?}");
        assert!(after.max_rss_kib > 0);
    }

    #[test]
    fn sleeping_is_a_voluntary_switch() {
        let before = Rusage::now(Who::Thread);
        std::thread::sleep(std::time::Duration::from_millis(2));
        let d = Rusage::now(Who::Thread).delta(&before);
        assert!(d.ctx_voluntary >= 1, "{d:?}");
    }
}
