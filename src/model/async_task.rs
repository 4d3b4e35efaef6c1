//! The `async` model: N tokio tasks on a multi-thread runtime, each pulling op indices
//! from a shared counter.
//!
//! The runtime (its worker threads) is built at set-up; each run spawns the N tasks —
//! spawning a task costs well under a microsecond and is part of what the model costs.
//! The CPU half runs inline in the task (`async_cpu = inline`: it blocks its worker
//! thread, which is the point being measured) or on tokio's blocking pool
//! (`offload`: `spawn_blocking`, awaited); the I/O half is `op.wait_async()`.

use std::ops::Range;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Instant;

use anyhow::Context;
use tokio::runtime::Runtime;

use super::{CellSpec, LatencyLog, Model};
use crate::metrics::{Recorder, RunOutput};
use crate::scenario::AsyncCpu;
use crate::workload::Op;

/// A tokio multi-thread runtime and the shape of the tasks to run on it.
pub(crate) struct AsyncTasks {
    runtime: Runtime,
    op: Op,
    tasks: u32,
    cpu: AsyncCpu,
}

/// Builds the runtime of the native async model of `spec`.
pub(crate) fn build(spec: &CellSpec) -> anyhow::Result<Box<dyn Model>> {
    let tasks = spec.cell.concurrency;
    anyhow::ensure!(
        tasks >= 1,
        "the async model needs a concurrency of at least 1"
    );
    // Tokio's defaults on purpose (one worker per available core, 512 blocking threads
    // at most): the model measures tokio as people run it.
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .thread_name("spectrum-tokio")
        .build()
        .context("could not build the tokio runtime")?;
    Ok(Box::new(AsyncTasks {
        runtime,
        op: spec.op(),
        tasks,
        // A cell that does not say where the CPU half runs gets the plain async code.
        cpu: spec.cell.async_cpu.unwrap_or(AsyncCpu::Inline),
    }))
}

/// One task: take the next index, run that op, log its latency, until the counter
/// passes `end`.
async fn task(
    op: Op,
    cpu: AsyncCpu,
    next: Arc<AtomicU64>,
    end: u64,
) -> anyhow::Result<(LatencyLog, u64)> {
    // A log per task rather than a histogram: see `log.rs` (tasks may number 100 000).
    let mut log = LatencyLog::new();
    let mut checksum = 0u64;
    loop {
        let i = next.fetch_add(1, Ordering::Relaxed);
        if i >= end {
            break;
        }
        let start = Instant::now();
        let c = match cpu {
            AsyncCpu::Inline => op.cpu(i),
            AsyncCpu::Offload if op.cpu_iters == 0 => 0,
            AsyncCpu::Offload => tokio::task::spawn_blocking(move || op.cpu(i))
                .await
                .context("the offloaded CPU half failed")?,
        };
        op.wait_async().await;
        log.record_since(start);
        checksum = checksum.wrapping_add(c);
    }
    Ok((log, checksum))
}

impl Model for AsyncTasks {
    fn run(&mut self, ops: Range<u64>) -> anyhow::Result<RunOutput> {
        let (op, cpu, n) = (self.op, self.cpu, self.tasks);
        self.runtime.block_on(async move {
            let next = Arc::new(AtomicU64::new(ops.start));
            // `tokio::spawn`, not a join of futures inside `block_on`: the tasks must run
            // on the runtime's workers, not all on the calling thread.
            let handles: Vec<_> = (0..n)
                .map(|_| tokio::spawn(task(op, cpu, Arc::clone(&next), ops.end)))
                .collect();
            let mut out = RunOutput {
                latency: Recorder::new(),
                ..RunOutput::default()
            };
            for (k, h) in handles.into_iter().enumerate() {
                let (log, checksum) = h
                    .await
                    .with_context(|| format!("async task {k} panicked"))?
                    .with_context(|| format!("async task {k} failed"))?;
                log.drain_into(&mut out.latency);
                out.checksum = out.checksum.wrapping_add(checksum);
            }
            Ok(out)
        })
    }
}
