//! What a cell's child process is told: the cell, its op count and calibration.

use serde::{Deserialize, Serialize};
use std::net::SocketAddr;
use std::path::PathBuf;

use crate::scenario::{Cell, FileSync, IoKind};
use crate::workload::{AsyncWaiter, Calibration, IoTarget, Op, Waiter};

/// Everything the child process measuring one repetition of a cell needs, sent to it as
/// JSON on stdin.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CellSpec {
    /// The cell.
    pub cell: Cell,
    /// Ops in the measured window.
    pub ops: u64,
    /// Ops run before the window (same model, same workers), not measured.
    pub warmup_ops: u64,
    /// Calibration of the cell's runtime.
    pub calibration: Calibration,
    /// Which repetition this is (0-based).
    pub repetition: u32,
    /// Python runtimes: the folder that holds the `python_workloads` package.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub python_path: Option<PathBuf>,
    /// `tcp` cells: the delay server's address, filled in by the cell process once it
    /// has started the server (worker processes connect to the same one).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub io_server: Option<SocketAddr>,
    /// Ops at the start of the window whose spans are kept for the timeline (0: none).
    #[serde(default)]
    pub trace_ops: u64,
    /// `cpython` cells with an `interpreter`: the `python3` the driver resolved it to
    /// (none: the one spectrum was built against).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub python_exe: Option<PathBuf>,
    /// The kernel speed (iterations per µs) the speed check holds the cell against,
    /// when it is not `calibration`'s: an `interpreter` cell's ops are sized by the
    /// default `python3`'s calibration (the same op on every interpreter), but its
    /// speed is its own interpreter's, calibrated once per run.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub speed_reference: Option<f64>,
    /// `file` cells: the cell's temporary folder, where each worker creates its file;
    /// filled in by the cell process, which made it at set-up and removes it at the end
    /// (worker processes write into the same one).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub file_dir: Option<PathBuf>,
}

impl CellSpec {
    /// The op of this cell.
    pub fn op(&self) -> Op {
        Op::for_cell(&self.cell, &self.calibration)
    }

    /// A new I/O waiter for one blocking worker (a connection of its own for `tcp`, a
    /// file of its own for `file`).
    pub fn waiter(&self) -> anyhow::Result<Waiter> {
        Waiter::open(self.io_kind(), self.io_target())
    }

    /// A new I/O waiter for one async task; call it inside the task's tokio runtime.
    pub fn async_waiter(&self) -> anyhow::Result<AsyncWaiter> {
        AsyncWaiter::open(self.io_kind(), self.io_target())
    }

    /// True when the cell's ops write files: a `file` cell whose op has an I/O half.
    pub fn writes_files(&self) -> bool {
        self.cell.io == IoKind::File && self.cell.io_us > 0.0
    }

    /// The kind the waiters perform: a `file` op without an I/O half writes nothing.
    fn io_kind(&self) -> IoKind {
        if self.cell.io == IoKind::File && !self.writes_files() {
            IoKind::Sleep
        } else {
            self.cell.io
        }
    }

    fn io_target(&self) -> IoTarget<'_> {
        IoTarget {
            server: self.io_server,
            file: self
                .file_dir
                .as_deref()
                .map(|d| (d, self.cell.file_sync.unwrap_or(FileSync::None))),
        }
    }
}
