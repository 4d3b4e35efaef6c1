//! Execution models: one trait, one file per model.
//!
//! A model is built from a [`CellSpec`] (set-up happens in [`build`], outside the measured
//! window) and then asked to run ranges of ops. The op index is the kernel's seed, so the
//! checksum of ops `0..n` is the same whatever model ran them — a cheap proof that every
//! model did the same work.

mod fault;
mod spec;

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
}

/// Sets up the model of `spec.cell` (threads, runtime, workers, interpreter).
pub fn build(spec: &CellSpec) -> anyhow::Result<Box<dyn Model>> {
    if spec.cell.model == ModelKind::Fault {
        return fault::build(spec);
    }
    match spec.cell.runtime {
        Runtime::Python | Runtime::Cpython => crate::python::build(spec),
        Runtime::Rust => anyhow::bail!("native models are not built yet"),
    }
}
