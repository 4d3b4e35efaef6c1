//! The `rayon` model: the ops as a parallel iterator on a rayon pool of N threads.
//!
//! The pool (its threads) and one I/O waiter per pool thread are built at set-up; a run
//! is one `install` of `range.into_par_iter().try_for_each(..)`. Rayon splits the range
//! adaptively and idle threads steal halves of busy threads' ranges. Rayon is meant for
//! CPU work: an op that waits blocks its pool thread, so at most N ops wait at once,
//! exactly like `thread`.

use std::ops::Range;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use anyhow::Context;
use rayon::prelude::*;

use super::trace::run_logged;
use super::{CellSpec, Model, OpLog};
use crate::metrics::RunOutput;
use crate::workload::{Op, Waiter};

/// A dedicated rayon pool (not the global one, so its size is the cell's concurrency).
pub(crate) struct RayonPool {
    pool: rayon::ThreadPool,
    op: Op,
    /// One waiter per pool thread, indexed by `rayon::current_thread_index()`; each is
    /// only ever locked by its own thread, so the mutex is never contended.
    waiters: Arc<Vec<Mutex<Waiter>>>,
}

/// Builds the pool of the rayon model of `spec`.
pub(crate) fn build(spec: &CellSpec) -> anyhow::Result<Box<dyn Model>> {
    let n = spec.cell.concurrency;
    anyhow::ensure!(n >= 1, "the rayon model needs a concurrency of at least 1");
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(n as usize)
        .thread_name(|i| format!("spectrum-rayon-{i}"))
        .build()
        .with_context(|| format!("could not build a rayon pool of {n} threads"))?;
    let waiters = (0..n)
        .map(|_| spec.waiter().map(Mutex::new))
        .collect::<anyhow::Result<Vec<_>>>()?;
    Ok(Box::new(RayonPool {
        pool,
        op: spec.op(),
        waiters: Arc::new(waiters),
    }))
}

impl Model for RayonPool {
    fn run(&mut self, ops: Range<u64>, log: &Arc<OpLog>) -> anyhow::Result<RunOutput> {
        let op = self.op;
        let waiters = Arc::clone(&self.waiters);
        // Checksums add up in one relaxed atomic: wrapping addition commutes, and one
        // add per op is nothing beside an op of 50 µs or more.
        let checksum = AtomicU64::new(0);
        self.pool.install(|| {
            ops.into_par_iter().try_for_each(|i| {
                let k = rayon::current_thread_index().unwrap_or(0);
                let mut waiter = waiters[k]
                    .lock()
                    .map_err(|_| anyhow::anyhow!("a rayon thread panicked"))?;
                let c = run_logged(&op, i, &mut waiter, log, k as u32)
                    .with_context(|| format!("op {i}"))?;
                checksum.fetch_add(c, Ordering::Relaxed);
                Ok::<_, anyhow::Error>(())
            })
        })?;
        Ok(RunOutput {
            checksum: checksum.into_inner(),
            ..RunOutput::default()
        })
    }
}
