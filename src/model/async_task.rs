//! The `async` model: N tokio tasks on a multi-thread runtime, each pulling op indices
//! from a shared counter.
//!
//! The runtime (its worker threads) and each task's I/O waiter (its own connection for
//! `tcp`) are built at set-up; each run spawns the N tasks — spawning a task costs well
//! under a microsecond and is part of what the model costs — and takes the waiters back
//! when they finish. The CPU half runs inline in the task (`async_cpu = inline`: it
//! blocks its worker thread, which is the point being measured) or on tokio's blocking
//! pool (`offload`: `spawn_blocking`, awaited).

use std::ops::Range;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Instant;

use anyhow::Context;
use tokio::runtime::Runtime;

use super::trace::{cpu_timed, mono_ns, CpuHalf};
use super::{CellSpec, Model, OpLog};
use crate::metrics::RunOutput;
use crate::scenario::AsyncCpu;
use crate::workload::{AsyncWaiter, Op};

/// A tokio multi-thread runtime and the tasks' waiters, between runs.
pub(crate) struct AsyncTasks {
    runtime: Runtime,
    op: Op,
    cpu: AsyncCpu,
    /// One per task; empty after a run failed part-way (the model is then broken).
    waiters: Vec<AsyncWaiter>,
    tasks: u32,
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
    // A tokio socket registers with the reactor of the runtime it is created in.
    let waiters = {
        let _inside = runtime.enter();
        (0..tasks)
            .map(|k| {
                spec.async_waiter()
                    .with_context(|| format!("could not set up the I/O of task {}", k + 1))
            })
            .collect::<anyhow::Result<Vec<_>>>()?
    };
    Ok(Box::new(AsyncTasks {
        runtime,
        op: spec.op(),
        // A cell that does not say where the CPU half runs gets the plain async code.
        cpu: spec.cell.async_cpu.unwrap_or(AsyncCpu::Inline),
        waiters,
        tasks,
    }))
}

/// One task: take the next index, run that op, log its latency, until the counter
/// passes `end`; hands its waiter back for the next run.
async fn task(
    worker: u32,
    op: Op,
    cpu: AsyncCpu,
    mut waiter: AsyncWaiter,
    next: Arc<AtomicU64>,
    end: u64,
    log: Arc<OpLog>,
) -> anyhow::Result<(AsyncWaiter, u64)> {
    let mut checksum = 0u64;
    loop {
        let i = next.fetch_add(1, Ordering::Relaxed);
        if i >= end {
            break;
        }
        let traced = log.traced(i);
        // Sampled ops read the monotonic clock (the clock of their span), others an
        // `Instant` (the same clock, without the conversion).
        let start = Instant::now();
        let start_ns = if traced { mono_ns() } else { 0 };
        // The CPU half's thread CPU time is taken on the thread that runs it: the tokio
        // worker when inline, a blocking-pool thread when offloaded.
        let (c, cpu_ns) = match cpu {
            AsyncCpu::Inline if traced => cpu_timed(&op, i),
            AsyncCpu::Inline => (op.cpu(i), 0),
            AsyncCpu::Offload if op.cpu_iters == 0 => (0, 0),
            AsyncCpu::Offload => tokio::task::spawn_blocking(move || {
                if traced {
                    cpu_timed(&op, i)
                } else {
                    (op.cpu(i), 0)
                }
            })
            .await
            .context("the offloaded CPU half failed")?,
        };
        let cpu_end = if traced { mono_ns() } else { 0 };
        waiter
            .wait(&op, i)
            .await
            .with_context(|| format!("op {i}"))?;
        if traced {
            let half = CpuHalf {
                start: start_ns,
                cpu_end,
                cpu: cpu_ns,
            };
            log.record_span(i, half.ended(worker, mono_ns()));
        } else {
            log.record_since(i, start);
        }
        checksum = checksum.wrapping_add(c);
    }
    Ok((waiter, checksum))
}

impl Model for AsyncTasks {
    fn run(&mut self, ops: Range<u64>, log: &Arc<OpLog>) -> anyhow::Result<RunOutput> {
        anyhow::ensure!(
            self.waiters.len() == self.tasks as usize,
            "a task failed in an earlier run"
        );
        let (op, cpu) = (self.op, self.cpu);
        let waiters = std::mem::take(&mut self.waiters);
        let log = Arc::clone(log);
        let (waiters, checksum) = self.runtime.block_on(async move {
            let next = Arc::new(AtomicU64::new(ops.start));
            // `tokio::spawn`, not a join of futures inside `block_on`: the tasks must run
            // on the runtime's workers, not all on the calling thread.
            let handles: Vec<_> = waiters
                .into_iter()
                .enumerate()
                .map(|(k, w)| {
                    tokio::spawn(task(
                        k as u32,
                        op,
                        cpu,
                        w,
                        Arc::clone(&next),
                        ops.end,
                        Arc::clone(&log),
                    ))
                })
                .collect();
            let mut back = Vec::with_capacity(handles.len());
            let mut checksum = 0u64;
            for (k, h) in handles.into_iter().enumerate() {
                let (w, c) = h
                    .await
                    .with_context(|| format!("async task {k} panicked"))?
                    .with_context(|| format!("async task {k} failed"))?;
                back.push(w);
                checksum = checksum.wrapping_add(c);
            }
            Ok::<_, anyhow::Error>((back, checksum))
        })?;
        self.waiters = waiters;
        Ok(RunOutput {
            checksum,
            ..RunOutput::default()
        })
    }
}
