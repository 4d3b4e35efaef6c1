//! The `rayon` model: the ops as a parallel iterator on a rayon pool of N threads.
//!
//! The pool (its threads) is built at set-up; a run is one `install` of
//! `range.into_par_iter().fold(..)`. Rayon splits the range adaptively and idle threads
//! steal halves of busy threads' ranges. Rayon is meant for CPU work: an op that sleeps
//! blocks its pool thread, so at most N ops wait at once, exactly like `thread`.

use std::ops::Range;
use std::time::Instant;

use anyhow::Context;
use rayon::prelude::*;

use super::{CellSpec, LatencyLog, Model};
use crate::metrics::{Recorder, RunOutput};
use crate::workload::Op;

/// A dedicated rayon pool (not the global one, so its size is the cell's concurrency).
pub(crate) struct RayonPool {
    pool: rayon::ThreadPool,
    op: Op,
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
    Ok(Box::new(RayonPool {
        pool,
        op: spec.op(),
    }))
}

impl Model for RayonPool {
    fn run(&mut self, ops: Range<u64>) -> anyhow::Result<RunOutput> {
        let op = self.op;
        // `fold` gives each split of the range its own log and checksum: nothing is
        // shared on the hot path. An empty log allocates nothing, so the extra splits
        // rayon makes cost next to nothing; the pieces are folded together afterwards.
        let parts: Vec<(LatencyLog, u64)> = self.pool.install(|| {
            ops.into_par_iter()
                .fold(
                    || (LatencyLog::new(), 0u64),
                    |(mut log, sum), i| {
                        let start = Instant::now();
                        let c = op.run_blocking(i);
                        log.record_since(start);
                        (log, sum.wrapping_add(c))
                    },
                )
                .collect()
        });
        let mut out = RunOutput {
            latency: Recorder::new(),
            ..RunOutput::default()
        };
        for (log, checksum) in parts {
            log.drain_into(&mut out.latency);
            out.checksum = out.checksum.wrapping_add(checksum);
        }
        Ok(out)
    }
}
