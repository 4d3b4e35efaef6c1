//! One op of a cell, ready to run: the CPU half as an iteration count, the I/O half as a
//! duration.

use std::time::Duration;

use super::{kernel, Calibration, Waiter};
use crate::scenario::{Cell, Counter, IoKind};

/// One op: `cpu_iters` kernel iterations, then `io` of waiting of kind `io_kind`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Op {
    /// Kernel iterations of the CPU half (from the calibration of the cell's runtime).
    pub cpu_iters: u64,
    /// Length of the I/O half.
    pub io: Duration,
    /// Kind of the I/O half.
    pub io_kind: IoKind,
    /// The race demo: the CPU half is `cpu_iters` increments of the cell's shared
    /// counter in this form ([`super::race`]) instead of the kernel.
    pub counter: Option<Counter>,
}

impl Op {
    /// The op of `cell`, with its CPU half sized by `calibration`.
    pub fn for_cell(cell: &Cell, calibration: &Calibration) -> Op {
        Op {
            cpu_iters: calibration.iters_for_us(cell.cpu_us),
            io: Duration::from_nanos((cell.io_us * 1000.0).round() as u64),
            io_kind: cell.io,
            counter: cell.counter,
        }
    }

    /// Runs the CPU half of op number `index` (its seed) and returns its checksum: the
    /// kernel's, or for a counting op the increments it made.
    #[inline]
    pub fn cpu(&self, index: u64) -> u64 {
        if self.cpu_iters == 0 {
            return 0;
        }
        match self.counter {
            Some(form) => super::race::bump(form, self.cpu_iters),
            None => kernel(index, self.cpu_iters),
        }
    }

    /// A run of `ops` of these ops starting on the shared counter, when they count.
    pub fn counting(&self, ops: &std::ops::Range<u64>) -> Option<super::race::Run> {
        self.counter
            .map(|_| super::race::start(ops.end.saturating_sub(ops.start), self.cpu_iters))
    }

    /// Runs the whole op on the calling thread: CPU half, then the I/O half through
    /// this worker's `waiter`.
    #[inline]
    pub fn run_blocking(&self, index: u64, waiter: &mut Waiter) -> std::io::Result<u64> {
        let c = self.cpu(index);
        waiter.wait(self, index)?;
        Ok(c)
    }
}
