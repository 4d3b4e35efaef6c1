//! Execution models: one trait, one file per model.
//!
//! A model is built from a [`CellSpec`] (set-up happens in [`crate::dispatch::build`], outside the measured
//! window) and then asked to run ranges of ops. The op index is the kernel's seed, so the
//! checksum of ops `0..n` is the same whatever model ran them — a cheap proof that every
//! model did the same work.

pub(crate) mod async_task;
pub(crate) mod fault;
mod log;
pub mod process;
pub(crate) mod rayon_pool;
pub(crate) mod sequential;
mod spec;
pub(crate) mod thread;
pub mod trace;

pub use log::{resident_kib, OpLog};
pub use spec::CellSpec;

use std::ops::Range;
use std::sync::Arc;

use crate::metrics::{Recorder, RunOutput, Span};

/// An execution model, set up and ready to run ops.
pub trait Model {
    /// Runs the ops with indices `ops`, records each op's latency in `log` (its slot is
    /// the op's index) and returns their checksum.
    ///
    /// Called once for the warm-up and once for the measured window; the caller samples
    /// the clock, rusage and memory around the second call, so everything here is
    /// measured. `log` was allocated and touched before: recording must not allocate.
    /// Models whose ops run in other processes record there and return the merged
    /// latencies in [`RunOutput::latency`] (or from [`Model::latency_after`]).
    fn run(&mut self, ops: Range<u64>, log: &Arc<OpLog>) -> anyhow::Result<RunOutput>;

    /// Latencies (and timeline spans) recorded elsewhere and fetched only after the
    /// window closed (the `python3` runner sends them once the clock has stopped).
    /// `None` by default.
    fn latency_after(&mut self) -> anyhow::Result<Option<(Recorder, Vec<Span>)>> {
        Ok(None)
    }

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

/// Every op's latency once `model` has run `out`, and the sampled ops' spans: those it
/// recorded in other processes, else those it hands over after the window, else the op
/// log's (which must then hold every op).
pub fn collect_latency(
    model: &mut dyn Model,
    out: &mut RunOutput,
    log: &OpLog,
) -> anyhow::Result<(Recorder, Vec<Span>)> {
    if let Some(r) = out.latency.take() {
        return Ok((r, std::mem::take(&mut out.spans)));
    }
    if let Some(after) = model.latency_after()? {
        return Ok(after);
    }
    let (r, empty) = log.to_recorder();
    anyhow::ensure!(
        empty == 0,
        "{empty} of the {} ops were not recorded",
        log.ops().end - log.ops().start
    );
    Ok((r, log.spans()))
}

/// Runs `ops` with a fresh op log and collects every latency: for warm-ups, tests and
/// benches (a measured window allocates its log before the clock starts instead).
pub fn run_collected(
    model: &mut dyn Model,
    ops: Range<u64>,
) -> anyhow::Result<(RunOutput, Recorder)> {
    let log = Arc::new(OpLog::new(ops.clone()));
    let mut out = model.run(ops, &log)?;
    let (latency, _) = collect_latency(model, &mut out, &log)?;
    Ok((out, latency))
}
