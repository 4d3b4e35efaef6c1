//! Execution models: one trait, one file per model.
//!
//! A model is built from a [`CellSpec`] (set-up happens in [`build`], outside the measured
//! window) and then asked to run ranges of ops. The op index is the kernel's seed, so the
//! checksum of ops `0..n` is the same whatever model ran them — a cheap proof that every
//! model did the same work.

mod async_task;
mod fault;
mod log;
pub mod process;
mod rayon_pool;
mod sequential;
mod spec;
mod thread;

pub use log::LatencyLog;
pub use spec::CellSpec;

use std::ops::Range;

use crate::metrics::RunOutput;
use crate::scenario::{ModelKind, Runtime};

/// An execution model, set up and ready to run ops.
pub trait Model {
    /// Runs the ops with indices `ops` and returns their latencies and checksum.
    ///
    /// Called once for the warm-up and once for the measured window; the caller samples
    /// the clock and rusage around the second call, so everything here is measured.
    fn run(&mut self, ops: Range<u64>) -> anyhow::Result<RunOutput>;

    /// Runtime-specific facts for [`crate::metrics::Measurement::info`] (e.g. the Python
    /// interpreter's version and switch interval). None by default.
    fn info(&self) -> std::collections::BTreeMap<String, serde_json::Value> {
        Default::default()
    }

    /// Seconds that `iters` iterations of the cell's kernel take where the model runs
    /// its ops, for the speed check around the window ([`crate::driver::speed`]).
    /// `None` (the default) means "in this process": the caller times it itself. Models
    /// whose ops run in another process (the `python3` runner, worker processes) ask it.
    fn time_kernel(&mut self, seed: u64, iters: u64) -> anyhow::Result<Option<f64>> {
        let _ = (seed, iters);
        Ok(None)
    }
}

/// Sets up the model of `spec.cell` (threads, runtime, workers, interpreter).
pub fn build(spec: &CellSpec) -> anyhow::Result<Box<dyn Model>> {
    let cell = &spec.cell;
    match (cell.model, cell.runtime) {
        (ModelKind::Fault, _) => fault::build(spec),
        // The plain-python3 runtime runs its own models in its own process.
        (_, Runtime::Cpython) => crate::python::build(spec),
        // Worker processes are runtime-generic: each worker builds a sequential model
        // of the cell's runtime through this function.
        (ModelKind::Process, _) => process::build(spec),
        (_, Runtime::Python) => crate::python::build(spec),
        (ModelKind::Sequential, Runtime::Rust) => sequential::build(spec),
        (ModelKind::Thread, Runtime::Rust) => thread::build(spec),
        (ModelKind::Async, Runtime::Rust) => async_task::build(spec),
        (ModelKind::Rayon, Runtime::Rust) => rayon_pool::build(spec),
    }
}
