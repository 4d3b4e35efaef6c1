//! Per-op timelines: for a bounded sample of a window's ops, which worker ran each op,
//! when it started, when its CPU half ended, when it ended, and the thread CPU time its
//! CPU half used.
//!
//! From these a chart tells three states apart: *computing* (the CPU half's thread CPU
//! time), *ready but not running* (the CPU half's wall time less its CPU time: waiting
//! for the GIL or for a free core) and *waiting on I/O* (the I/O half). The times are
//! `CLOCK_MONOTONIC` nanoseconds — the clock of Rust's `Instant` and of Python's
//! `time.monotonic_ns()` on Linux — so spans recorded in worker processes and in a
//! `python3` runner line up with the cell process's window without any conversion.
//!
//! Only sampled ops pay for the two thread-CPU clock reads (a system call each, a few
//! hundred nanoseconds; `cargo bench --bench overhead`), and only the first
//! [`OpLog::trace_len`](super::OpLog::trace_len) ops of a window are sampled.

use std::io;

use super::OpLog;
pub use crate::metrics::Span;
use crate::workload::{Op, Waiter};

fn clock_ns(clock: libc::clockid_t) -> u64 {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `ts` is a valid timespec to write into; both clocks exist on every Linux.
    let rc = unsafe { libc::clock_gettime(clock, &mut ts) };
    if rc != 0 {
        return 0;
    }
    (ts.tv_sec as u64)
        .saturating_mul(1_000_000_000)
        .saturating_add(ts.tv_nsec as u64)
}

/// Now on `CLOCK_MONOTONIC`, ns (the clock every span is on).
#[inline]
pub fn mono_ns() -> u64 {
    clock_ns(libc::CLOCK_MONOTONIC)
}

/// CPU time the calling thread has used, ns.
#[inline]
pub fn thread_cpu_ns() -> u64 {
    clock_ns(libc::CLOCK_THREAD_CPUTIME_ID)
}

/// Runs op `i` on the calling thread (CPU half, then the I/O half through `waiter`) and
/// records it in `log`: its latency, and its span when `i` is sampled.
#[inline]
pub fn run_logged(
    op: &Op,
    i: u64,
    waiter: &mut Waiter,
    log: &OpLog,
    worker: u32,
) -> io::Result<u64> {
    if !log.traced(i) {
        let start = std::time::Instant::now();
        let c = op.run_blocking(i, waiter)?;
        log.record_since(i, start);
        return Ok(c);
    }
    let (c, half) = timed_cpu(op, i);
    waiter.wait(op, i)?;
    log.record_span(i, half.ended(worker, mono_ns()));
    Ok(c)
}

/// A sampled op's CPU half, timed: when the op started and when its CPU half ended, and
/// the thread CPU time it used.
#[derive(Debug, Clone, Copy)]
pub struct CpuHalf {
    /// When the op started (`CLOCK_MONOTONIC` ns).
    pub start: u64,
    /// When the CPU half ended.
    pub cpu_end: u64,
    /// Thread CPU time of the CPU half, ns.
    pub cpu: u64,
}

impl CpuHalf {
    /// The whole op's span, ended at `end`.
    pub fn ended(self, worker: u32, end: u64) -> Span {
        Span {
            worker,
            start: self.start,
            cpu_end: self.cpu_end,
            end,
            cpu: self.cpu,
        }
    }
}

/// Runs the CPU half of op `i` on the calling thread, timed for a span.
#[inline]
pub fn timed_cpu(op: &Op, i: u64) -> (u64, CpuHalf) {
    let start = mono_ns();
    let (c, cpu) = cpu_timed(op, i);
    (
        c,
        CpuHalf {
            start,
            cpu_end: mono_ns(),
            cpu,
        },
    )
}

/// Runs the CPU half of op `i` and returns its checksum and the thread CPU time it used
/// (for a CPU half run on another thread: the executor pool of `async+offload`).
#[inline]
pub fn cpu_timed(op: &Op, i: u64) -> (u64, u64) {
    let before = thread_cpu_ns();
    let c = op.cpu(i);
    (c, thread_cpu_ns().saturating_sub(before))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thread_cpu_time_counts_work_not_sleep() {
        let before = thread_cpu_ns();
        std::thread::sleep(std::time::Duration::from_millis(20));
        let slept = thread_cpu_ns() - before;
        let before = thread_cpu_ns();
        let t = mono_ns();
        while mono_ns() - t < 20_000_000 {
            std::hint::black_box(0);
        }
        let spun = thread_cpu_ns() - before;
        // Direction only, with a wide margin: a busy 20 ms uses far more CPU than a sleep.
        assert!(
            spun > 5 * slept.max(1_000),
            "spun {spun} ns, slept {slept} ns"
        );
    }
}
