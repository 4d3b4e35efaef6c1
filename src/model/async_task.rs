//! The `async` model: N tokio tasks on a multi-thread runtime, each pulling op indices
//! from a shared counter.
//!
//! The runtime (its worker threads) and each task's I/O waiter (its own connection for
//! `tcp`) are built at set-up; each run spawns the N tasks — spawning a task costs well
//! under a microsecond and is part of what the model costs — and takes the waiters back
//! when they finish. The CPU half runs inline in the task (`async_cpu = inline`: it
//! blocks its worker thread, which is the point being measured), on tokio's blocking
//! pool (`offload`: `spawn_blocking`, awaited) or on rayon's pool (`pool`: the job sends
//! its result back on a oneshot channel, awaited).
//!
//! A `background` of tasks (the offload demo) is M more tasks on the same runtime,
//! spawned at set-up and stopped when the model drops, each computing chunks of
//! [`TASK_CHUNK_US`] back to back, placed by the same `async_cpu`: they are the CPU-heavy
//! neighbours whose placement decides how late the measured I/O tasks run.

use std::collections::BTreeMap;
use std::ops::Range;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Instant;

use anyhow::Context;
use tokio::runtime::Runtime;

use super::trace::{cpu_timed, mono_ns, CpuHalf};
use super::{CellSpec, Model, OpLog};
use crate::metrics::RunOutput;
use crate::scenario::{AsyncCpu, BackgroundModel, TASK_CHUNK_US};
use crate::workload::{AsyncWaiter, Op};

/// A tokio multi-thread runtime and the tasks' waiters, between runs.
pub(crate) struct AsyncTasks {
    runtime: Runtime,
    op: Op,
    cpu: AsyncCpu,
    /// One per task; empty after a run failed part-way (the model is then broken).
    waiters: Vec<AsyncWaiter>,
    tasks: u32,
    /// The CPU-heavy tasks beside the measured ones, when the cell has them.
    load: Option<Load>,
}

/// The background tasks of a cell: running from set-up until the model drops.
struct Load {
    stop: Arc<AtomicBool>,
    /// Chunks finished since the last run started.
    chunks: Arc<AtomicU64>,
    /// Chunks finished during the last run (the window, for the measured run).
    last_run: u64,
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
    // A cell that does not say where the CPU half runs gets the plain async code.
    let cpu = spec.cell.async_cpu.unwrap_or(AsyncCpu::Inline);
    if cpu == AsyncCpu::Pool {
        // Builds rayon's global pool now: its threads are set-up, not the window's.
        rayon::current_num_threads();
    }
    let load = match spec.cell.background {
        Some(b) if b.model == BackgroundModel::Task => {
            let chunk = Op {
                cpu_iters: spec.calibration.iters_for_us(TASK_CHUNK_US).max(1),
                ..spec.op()
            };
            Some(Load::start(&runtime, b.units, chunk, cpu))
        }
        _ => None,
    };
    Ok(Box::new(AsyncTasks {
        runtime,
        op: spec.op(),
        cpu,
        waiters,
        tasks,
        load,
    }))
}

impl Load {
    /// Spawns `units` tasks on `runtime`, each computing `chunk`'s CPU half after the
    /// last, placed as `cpu` says, and yielding to the scheduler between chunks.
    fn start(runtime: &Runtime, units: u32, chunk: Op, cpu: AsyncCpu) -> Load {
        let stop = Arc::new(AtomicBool::new(false));
        let chunks = Arc::new(AtomicU64::new(0));
        for k in 0..units {
            let (stop, chunks) = (Arc::clone(&stop), Arc::clone(&chunks));
            runtime.spawn(async move {
                // Seeds of their own, far from the measured ops' indices.
                let mut seed = u64::MAX / 2 + u64::from(k);
                while !stop.load(Ordering::Relaxed) {
                    if cpu_half(chunk, seed, cpu, false).await.is_err() {
                        return;
                    }
                    seed = seed.wrapping_add(u64::from(units));
                    chunks.fetch_add(1, Ordering::Relaxed);
                    tokio::task::yield_now().await;
                }
            });
        }
        Load {
            stop,
            chunks,
            last_run: 0,
            tasks: units,
        }
    }
}

impl Drop for Load {
    fn drop(&mut self) {
        // The runtime, dropped after this, cancels the tasks at their next yield.
        self.stop.store(true, Ordering::Relaxed);
    }
}

/// The CPU half of op `i` of `op`, run where `cpu` says: its checksum, and the thread
/// CPU time it took (taken on the thread that ran it) when `traced`.
async fn cpu_half(op: Op, i: u64, cpu: AsyncCpu, traced: bool) -> anyhow::Result<(u64, u64)> {
    let work = move || {
        if traced {
            cpu_timed(&op, i)
        } else {
            (op.cpu(i), 0)
        }
    };
    match cpu {
        AsyncCpu::Inline => Ok(work()),
        _ if op.cpu_iters == 0 => Ok((0, 0)),
        AsyncCpu::Offload => tokio::task::spawn_blocking(work)
            .await
            .context("the offloaded CPU half failed"),
        AsyncCpu::Pool => {
            let (tx, rx) = tokio::sync::oneshot::channel();
            rayon::spawn(move || {
                // The receiver is gone only when the task was cancelled: nothing to do.
                let _ = tx.send(work());
            });
            rx.await.context("the CPU half on the rayon pool failed")
        }
    }
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
        // worker when inline, a blocking-pool or rayon thread otherwise.
        let (c, cpu_ns) = cpu_half(op, i, cpu, traced).await?;
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
        if let Some(l) = &self.load {
            l.chunks.store(0, Ordering::Relaxed);
        }
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
        if let Some(l) = &mut self.load {
            l.last_run = l.chunks.load(Ordering::Relaxed);
        }
        Ok(RunOutput {
            checksum,
            ..RunOutput::default()
        })
    }

    fn info(&self) -> BTreeMap<String, serde_json::Value> {
        let mut m = BTreeMap::new();
        if let Some(l) = &self.load {
            m.insert("background_tasks".into(), l.tasks.into());
            m.insert("background_chunk_us".into(), TASK_CHUNK_US.into());
            m.insert("background_chunks".into(), l.last_run.into());
        }
        m
    }
}
