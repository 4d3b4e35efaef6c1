//! The test-only `fault` model: fails on purpose, so the driver's handling of crashing,
//! raising and hanging cells can be tested without timing anything.

use crate::model::{CellSpec, Model};

/// Builds the fault model of `spec`.
pub(crate) fn build(spec: &CellSpec) -> anyhow::Result<Box<dyn Model>> {
    let _ = spec;
    anyhow::bail!("the fault model is not built yet")
}
