//! The `sequential` model: the calling thread runs the ops one after another — the
//! baseline every other model is compared with.

use std::ops::Range;
use std::time::Instant;

use super::{CellSpec, LatencyLog, Model};
use crate::metrics::{Recorder, RunOutput};
use crate::workload::Op;

/// Runs ops in a loop on the calling thread; nothing to set up.
#[derive(Debug)]
pub(crate) struct Sequential {
    op: Op,
}

/// Builds the native sequential model of `spec`.
pub(crate) fn build(spec: &CellSpec) -> anyhow::Result<Box<dyn Model>> {
    Ok(Box::new(Sequential { op: spec.op() }))
}

impl Model for Sequential {
    fn run(&mut self, ops: Range<u64>) -> anyhow::Result<RunOutput> {
        // The same log as the concurrent models, so the per-op recording cost is the
        // same in every model and cannot bias the comparison.
        let mut log = LatencyLog::new();
        let mut checksum = 0u64;
        for i in ops {
            let start = Instant::now();
            checksum = checksum.wrapping_add(self.op.run_blocking(i));
            log.record_since(start);
        }
        let mut latency = Recorder::new();
        log.drain_into(&mut latency);
        Ok(RunOutput {
            latency,
            checksum,
            workers: None,
        })
    }
}
