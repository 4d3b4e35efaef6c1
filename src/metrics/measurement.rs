//! One repetition of one cell: what the child process measured, and what a model hands
//! back from its measured window.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

use super::{LatencySummary, Recorder, Rusage, Span, Timeline, WindowMemory};

/// What a model returns from running a batch of ops.
#[derive(Debug, Default)]
pub struct RunOutput {
    /// Wrapping sum of the ops' checksums: the same for every model given the same ops.
    pub checksum: u64,
    /// Latencies recorded in other processes (worker processes), merged; `None` when
    /// the model recorded into the op log it was given.
    pub latency: Option<Recorder>,
    /// Worker processes only: their own rusage over the window, summed (the cell
    /// process's `RUSAGE_CHILDREN` only sees workers once they have been waited for).
    pub workers: Option<Rusage>,
    /// Worker processes only: their memory over the window, summed.
    pub workers_memory: Option<WindowMemory>,
    /// Spans recorded in other processes (worker processes, the `python3` runner), on
    /// `CLOCK_MONOTONIC`; empty when the model recorded into the op log.
    pub spans: Vec<Span>,
    /// Cells with a `counter` (the race demo): the shared counter over this run.
    pub counter: Option<CounterTally>,
}

/// The race demo's shared counter over one window: the increments the window's ops
/// made and what the counter held at the end (it starts at 0 with every run, so the
/// warm-up's increments are not in it). Their difference is the updates lost.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CounterTally {
    /// Increments attempted: the window's ops × increments per op.
    pub increments: u64,
    /// The counter's value at the end of the window.
    pub counted: u64,
}

impl CounterTally {
    /// Updates lost: increments whose write another worker's write overwrote.
    pub fn lost(&self) -> u64 {
        self.increments.saturating_sub(self.counted)
    }
}

/// OS threads of the cell process around its window.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct OsThreads {
    /// Right before the window (set-up done, workers started).
    pub before: u64,
    /// Right after the window.
    pub after: u64,
}

/// One repetition of one cell, as measured inside the cell's child process.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Measurement {
    /// Ops in the measured window.
    pub ops: u64,
    /// Length of the measured window, seconds.
    pub wall_s: f64,
    /// `ops / wall_s`.
    pub ops_per_s: f64,
    /// Set-up before the window (runtime, interpreter, workers, warm-up), seconds.
    pub setup_s: f64,
    /// Ops run as warm-up, outside the window.
    pub warmup_ops: u64,
    /// Per-op latency over the window.
    pub latency_us: LatencySummary,
    /// `getrusage(RUSAGE_SELF)` difference across the window.
    pub rusage: Rusage,
    /// Worker processes' own rusage across the window, summed (process models only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub workers: Option<Rusage>,
    /// This process's resident memory over the window (absent in older files).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub memory: Option<WindowMemory>,
    /// Worker processes' memory over the window, summed (process models and the
    /// `python3` runner).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub workers_memory: Option<WindowMemory>,
    /// `tcp` cells: the delay server's own figures over the window — how late its
    /// replies went out, its CPU time and switches. The far end of the network: kept
    /// apart from the cell's cost, never added to it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub server: Option<crate::io::server::ServerStats>,
    /// `file` cells: the folder the cell's files were written in and its file system
    /// (what disk the writes measured; tmpfs would make every sync free).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub file_target: Option<crate::workload::file::FileTarget>,
    /// OS threads of the cell process (`Threads:` of `/proc/self/status`) right before
    /// and right after the window, for models whose ops run in this process (not
    /// `process`, not `cpython`). A pool thread lives on 10 s idle (tokio's blocking
    /// pool) or forever (asyncio's executor), so for windows shorter than that the count
    /// after is the most threads the window had: the thread model's N workers, or tokio's
    /// workers plus the blocking-pool threads its `tokio::fs` calls started.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub os_threads: Option<OsThreads>,
    /// Share of all CPUs' time the hypervisor gave to other guests during the window
    /// (`steal` of `/proc/stat`; 0 on bare metal, absent where it cannot be read). A
    /// timeline counts it as ready-not-running: the thread was runnable, its vCPU was not.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub steal_share: Option<f64>,
    /// Whole-child totals from `wait4`, set-up included (filled in by the driver).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub whole_child: Option<Rusage>,
    /// Wrapping sum of the ops' checksums.
    pub checksum: u64,
    /// Speed check right before the window: the cell's kernel rate as a ratio to the
    /// run's calibration (1.0 = as calibrated, 0.6 = 40% slower). Absent in files written
    /// before the check existed, or when the check failed (`info.speed_check_error`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kernel_speed_before: Option<f64>,
    /// The same check right after the window.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kernel_speed_after: Option<f64>,
    /// Runtime-specific facts (e.g. the interpreter's version and switch interval).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub info: BTreeMap<String, serde_json::Value>,
    /// When the driver started this repetition's child, seconds since the run's start
    /// (filled in by the driver; 0 in files written before it was recorded). Shows the
    /// order repetitions ran in, e.g. interleaved in rounds across cells.
    #[serde(default)]
    pub started_at_s: f64,
    /// The window's sampled ops (the scenario's `timeline`; the first repetition only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timeline: Option<Timeline>,
    /// Cells with a `counter` (the race demo): the shared counter over the window —
    /// increments attempted and kept; `lost()` is the updates lost.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub counter: Option<CounterTally>,
}

impl Measurement {
    /// Resource usage of the window: the cell process plus its worker processes.
    pub fn window_rusage(&self) -> Rusage {
        match &self.workers {
            Some(w) => self.rusage.plus(w),
            None => self.rusage,
        }
    }

    /// Memory over the window: the cell process plus its worker processes.
    pub fn window_memory(&self) -> Option<WindowMemory> {
        match (&self.memory, &self.workers_memory) {
            (Some(m), Some(w)) => Some(m.plus(w)),
            (m, w) => m.or(*w),
        }
    }

    /// The kernel's speed around the window as a ratio to the calibration: the
    /// geometric mean of the checks before and after (either alone when the other is
    /// missing); `None` when neither was measured.
    pub fn kernel_speed(&self) -> Option<f64> {
        let ok = |r: Option<f64>| r.filter(|x| x.is_finite() && *x > 0.0);
        match (ok(self.kernel_speed_before), ok(self.kernel_speed_after)) {
            (Some(a), Some(b)) => Some((a * b).sqrt()),
            (a, b) => a.or(b),
        }
    }
}
