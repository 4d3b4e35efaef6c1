//! One op of a cell, ready to run: the CPU half as an iteration count, the I/O half as a
//! duration.

use std::time::Duration;

use super::{kernel, Calibration};
use crate::scenario::{Cell, IoKind};

/// One op: `cpu_iters` kernel iterations, then `io` of waiting of kind `io_kind`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Op {
    /// Kernel iterations of the CPU half (from the calibration of the cell's runtime).
    pub cpu_iters: u64,
    /// Length of the I/O half.
    pub io: Duration,
    /// Kind of the I/O half.
    pub io_kind: IoKind,
}

impl Op {
    /// The op of `cell`, with its CPU half sized by `calibration`.
    pub fn for_cell(cell: &Cell, calibration: &Calibration) -> Op {
        Op {
            cpu_iters: calibration.iters_for_us(cell.cpu_us),
            io: Duration::from_nanos((cell.io_us * 1000.0).round() as u64),
            io_kind: cell.io,
        }
    }

    /// Runs the CPU half of op number `index` (its seed) and returns its checksum.
    #[inline]
    pub fn cpu(&self, index: u64) -> u64 {
        if self.cpu_iters == 0 {
            return 0;
        }
        kernel(index, self.cpu_iters)
    }

    /// Waits the I/O half, blocking the calling thread.
    #[inline]
    pub fn wait_blocking(&self) {
        if self.io.is_zero() {
            return;
        }
        match self.io_kind {
            IoKind::Sleep => std::thread::sleep(self.io),
        }
    }

    /// Waits the I/O half on the current tokio runtime.
    pub async fn wait_async(&self) {
        if self.io.is_zero() {
            return;
        }
        match self.io_kind {
            IoKind::Sleep => tokio::time::sleep(self.io).await,
        }
    }

    /// Runs the whole op on the calling thread: CPU half, then I/O half.
    #[inline]
    pub fn run_blocking(&self, index: u64) -> u64 {
        let c = self.cpu(index);
        self.wait_blocking();
        c
    }
}
