//! The one place that maps a cell's (runtime, model) to the code that runs it.
//!
//! It sits above both rooms: [`crate::model`] holds the Rust models and the
//! runtime-generic process model, [`crate::python`] the Python ones, and neither imports
//! the other's registry. Adding a model is one arm here (and its file in its room).

use anyhow::{bail, Result};

use crate::model::{self, CellSpec, Model};
use crate::python;
use crate::scenario::{ModelKind, Runtime};

/// Sets up the model of `spec.cell` (threads, runtime, workers, interpreter), outside
/// any measured window.
pub fn build(spec: &CellSpec) -> Result<Box<dyn Model>> {
    let cell = &spec.cell;
    match (cell.runtime, cell.model) {
        (_, ModelKind::Fault) => model::fault::build(spec),
        // The plain-python3 runtime runs every model of its own in its own process
        // (subinterpreter included: python_workloads.subinterp).
        (Runtime::Cpython, _) => python::cpython_model(spec),
        // Worker processes are runtime-generic: each worker builds a sequential model of
        // the cell's runtime through this function.
        (_, ModelKind::Process) => model::process::build(spec),
        (Runtime::Python, ModelKind::Sequential) => python::thread_model(spec, 1),
        (Runtime::Python, ModelKind::Thread) => python::thread_model(spec, cell.concurrency.max(1)),
        (Runtime::Python, ModelKind::Async) => python::async_model(spec),
        (Runtime::Python, ModelKind::Subinterpreter) => python::subinterpreter_model(spec),
        (Runtime::Rust, ModelKind::Sequential) => model::sequential::build(spec),
        (Runtime::Rust, ModelKind::Thread) => model::thread::build(spec),
        (Runtime::Rust, ModelKind::Async) => model::async_task::build(spec),
        (Runtime::Rust, ModelKind::Rayon) => model::rayon_pool::build(spec),
        (Runtime::Python, ModelKind::Rayon) | (Runtime::Rust, ModelKind::Subinterpreter) => {
            bail!(
                "{cell}: model {} does not run in runtime {} (`spectrum list` shows which \
                 runtime runs which model)",
                cell.model.as_str(),
                cell.runtime.as_str()
            )
        }
    }
}
