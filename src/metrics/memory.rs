//! Resident memory over a measured window: what the model holds while its units run,
//! apart from spectrum's own recording.
//!
//! `getrusage`'s `ru_maxrss` is the process's lifetime peak: it includes set-up's
//! transient peaks (an interpreter's imports) and, once a thread has exited, cannot be
//! reset. Linux lets a process reset its own peak (`VmHWM`) by writing `5` to
//! `/proc/self/clear_refs` (since 4.0; it walks no page tables, so it is cheap). Right
//! before the window spectrum resets it and reads the current RSS; right after, it reads
//! the peak: the most the process held *during* the window. Of that, the op log (8
//! bytes per op, touched before the window) is spectrum's, and is reported apart so the
//! memory per unit is the model's alone (`docs/report.md`). Where the reset is not
//! possible the lifetime peak is used, and `windowed` says so.

use serde::{Deserialize, Serialize};

/// Memory over one window, KiB. Sums over processes alive at the same time (the cell
/// process and its workers).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct WindowMemory {
    /// Resident set right before the window: set-up done, units created, the op log
    /// touched.
    pub before_kib: u64,
    /// Peak resident set during the window (`VmHWM` reset at its start).
    pub peak_kib: u64,
    /// Of the peak, spectrum's own per-op recording (the op log), resident throughout.
    pub harness_kib: u64,
    /// False when the peak could not be reset: `peak_kib` is then the lifetime peak.
    pub windowed: bool,
}

impl WindowMemory {
    /// What the model itself held at the window's peak: the peak less spectrum's log.
    pub fn model_kib(&self) -> u64 {
        self.peak_kib.saturating_sub(self.harness_kib)
    }

    /// Two processes' memory, alive at the same time.
    pub fn plus(&self, other: &WindowMemory) -> WindowMemory {
        WindowMemory {
            before_kib: self.before_kib + other.before_kib,
            peak_kib: self.peak_kib + other.peak_kib,
            harness_kib: self.harness_kib + other.harness_kib,
            windowed: self.windowed && other.windowed,
        }
    }
}

/// A window's memory being watched: started right before the window.
#[derive(Debug, Clone, Copy)]
pub struct PeakWatch {
    before_kib: u64,
    windowed: bool,
}

impl PeakWatch {
    /// Resets this process's peak RSS to its current RSS and reads it.
    pub fn start() -> PeakWatch {
        let windowed = std::fs::write("/proc/self/clear_refs", "5").is_ok();
        PeakWatch {
            before_kib: status_kib("VmRSS:").unwrap_or(0),
            windowed,
        }
    }

    /// The window's memory, of which `harness_kib` is spectrum's recording.
    pub fn finish(self, harness_kib: u64) -> WindowMemory {
        let peak = status_kib("VmHWM:")
            .unwrap_or_else(|| super::Rusage::now(super::Who::SelfProcess).max_rss_kib);
        WindowMemory {
            before_kib: self.before_kib,
            peak_kib: peak.max(self.before_kib),
            harness_kib,
            windowed: self.windowed,
        }
    }
}

/// OS threads of this process now (`Threads:` of `/proc/self/status`).
pub fn threads_now() -> Option<u64> {
    status_kib("Threads:")
}

/// A number line of `/proc/self/status` (e.g. `VmRSS:`, in KiB, or `Threads:`).
fn status_kib(key: &str) -> Option<u64> {
    let text = std::fs::read_to_string("/proc/self/status").ok()?;
    text.lines()
        .find_map(|l| l.strip_prefix(key))
        .and_then(|rest| rest.split_whitespace().next())
        .and_then(|n| n.parse().ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_peak_sees_memory_touched_in_the_window_and_not_before() {
        // Before the window: a big block, touched, then freed (a set-up transient).
        let transient = vec![1u8; 128 << 20];
        std::hint::black_box(&transient);
        drop(transient);
        let watch = PeakWatch::start();
        let inside = vec![1u8; 16 << 20];
        std::hint::black_box(&inside);
        let m = watch.finish(0);
        drop(inside);
        assert!(m.peak_kib >= m.before_kib);
        if m.windowed {
            // The 16 MiB touched inside shows; the 128 MiB freed before does not (other
            // tests of this process allocate beside it: the bound is loose).
            let grew = m.peak_kib - m.before_kib;
            assert!(grew >= 12 << 10, "{m:?}");
            assert!(grew < 100 << 10, "{m:?}");
        }
    }

    #[test]
    fn the_model_share_leaves_the_log_out() {
        let a = WindowMemory {
            before_kib: 100,
            peak_kib: 150,
            harness_kib: 20,
            windowed: true,
        };
        assert_eq!(a.model_kib(), 130);
        let b = a.plus(&WindowMemory {
            windowed: false,
            ..a
        });
        assert_eq!((b.peak_kib, b.harness_kib, b.windowed), (300, 40, false));
    }
}
