//! The `sequential` model: the calling thread runs the ops one after another — the
//! baseline every other model is compared with.

use std::ops::Range;
use std::sync::Arc;

use super::trace::run_logged;
use super::{CellSpec, Model, OpLog};
use crate::metrics::RunOutput;
use crate::workload::{Op, Waiter};

/// Runs ops in a loop on the calling thread, with its own I/O waiter (a connection for
/// `tcp`, opened at set-up).
pub(crate) struct Sequential {
    op: Op,
    waiter: Waiter,
}

/// Builds the native sequential model of `spec`.
pub(crate) fn build(spec: &CellSpec) -> anyhow::Result<Box<dyn Model>> {
    Ok(Box::new(Sequential {
        op: spec.op(),
        waiter: spec.waiter()?,
    }))
}

impl Model for Sequential {
    fn run(&mut self, ops: Range<u64>, log: &Arc<OpLog>) -> anyhow::Result<RunOutput> {
        let counting = self.op.counting(&ops);
        let mut checksum = 0u64;
        for i in ops {
            checksum = checksum.wrapping_add(run_logged(&self.op, i, &mut self.waiter, log, 0)?);
        }
        Ok(RunOutput {
            checksum,
            counter: counting.map(|c| c.finish()),
            ..RunOutput::default()
        })
    }
}
