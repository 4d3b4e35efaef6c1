//! The test-only `fault` model: fails on purpose, so the driver's handling of crashing,
//! raising and hanging cells can be tested without timing anything.
//!
//! A `fault` cell without a `fault` kind runs its ops one after another like the
//! sequential model: an "ok" cell that needs no real model, for testing the driver alone.

use std::ops::Range;
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::metrics::RunOutput;
use crate::model::{CellSpec, Model, OpLog};
use crate::scenario::Fault;
use crate::workload::{Op, Waiter};

/// A model that misbehaves as its cell's [`Fault`] says.
struct FaultModel {
    fault: Option<Fault>,
    op: Op,
    waiter: Waiter,
}

/// Builds the fault model of `spec`; a `fault = "error"` cell fails here, at set-up.
pub(crate) fn build(spec: &CellSpec) -> anyhow::Result<Box<dyn Model>> {
    if spec.cell.fault == Some(Fault::Error) {
        anyhow::bail!("fault model: failing at set-up on purpose (fault = \"error\")");
    }
    Ok(Box::new(FaultModel {
        fault: spec.cell.fault,
        op: spec.op(),
        waiter: spec.waiter()?,
    }))
}

impl Model for FaultModel {
    fn run(&mut self, ops: Range<u64>, log: &Arc<OpLog>) -> anyhow::Result<RunOutput> {
        let mut checksum = 0u64;
        for i in ops {
            let start = Instant::now();
            checksum = checksum.wrapping_add(self.op.run_blocking(i, &mut self.waiter)?);
            log.record_since(i, start);
            // The fault strikes after one real op: it hits a running model, not one
            // that never started.
            match self.fault {
                Some(Fault::Panic) => panic!("fault model: panicking on purpose after op {i}"),
                Some(Fault::Abort) => {
                    eprintln!("fault model: aborting on purpose after op {i}");
                    std::process::abort();
                }
                Some(Fault::Hang) => loop {
                    std::thread::sleep(Duration::from_secs(3600));
                },
                Some(Fault::Error) | None => {}
            }
        }
        Ok(RunOutput {
            checksum,
            ..RunOutput::default()
        })
    }
}
