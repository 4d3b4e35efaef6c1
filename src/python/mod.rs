//! The Python half: the embedded interpreter (feature `python`), its native helper
//! module and Python models, and the plain-`python3` cross-check runtime (`cpython`).
//!
//! Both runtimes run the ops of `python_workloads/` (the Python package beside the source
//! tree). A cell becomes an *op spec* ([`op_spec`]): the plain JSON dict the Python models
//! are built from, the same for the embedded interpreter and for `python3`, so the two
//! runtimes cannot drift apart.
//!
//! - `runtime = "python"`: `sequential` and `thread` are Rust OS threads, each attached to
//!   the interpreter once for its lifetime (`threads.rs`); `async` is an asyncio event loop
//!   driven from Rust (`asyncio.rs`); `process` is the runtime-generic process model in
//!   `model::process`, whose workers each build a sequential model here.
//! - `runtime = "cpython"`: every model runs inside `python_workloads.runner` in an
//!   isolated `python3 -I` (`cpython.rs`), with `threading`, `multiprocessing` and
//!   `asyncio`.

#[cfg(feature = "python")]
mod asyncio;
mod cpython;
pub use cpython::calibrate_with;
#[cfg(feature = "python")]
mod embed;
pub mod interpreters;
mod locate;
#[cfg(feature = "python")]
mod native;
#[cfg(all(feature = "python", Py_3_12))]
mod subinterp;
#[cfg(feature = "python")]
mod threads;

pub use locate::{interpreter, WorkloadsNotFound, WORKLOADS_ENV};
// For probe::gil (the GIL benches call the same helpers as the workloads).
#[cfg(feature = "python")]
pub(crate) use native::module as native_module;

use anyhow::{bail, Result};
use serde_json::{json, Value};
use std::path::{Path, PathBuf};

use crate::metrics::PythonInfo;
use crate::model::{CellSpec, Model};
use crate::scenario::{AsyncCpu, Cell, Fault, Gil, Impl, Runtime};
use crate::workload::Calibration;

/// The folder holding `python_workloads` for `spec`: the one it names, else located.
fn workloads_of(spec: &CellSpec) -> Result<PathBuf> {
    Ok(match &spec.python_path {
        Some(dir) => locate::check_workloads(dir, "the cell spec's python_path")?,
        None => locate::locate_workloads(None)?,
    })
}

/// A `cpython` cell's model: the `python3` runner, which runs every model itself.
pub(crate) fn cpython_model(spec: &CellSpec) -> Result<Box<dyn Model>> {
    let workloads = workloads_of(spec)?;
    let op = op_spec(spec)?;
    Ok(Box::new(cpython::CpythonModel::start(
        spec.python_exe.as_deref(),
        &workloads,
        &op,
    )?))
}

/// An embedded `python` cell's `n` OS threads, each attached to the interpreter once
/// (`n` = 1: the sequential model).
#[cfg(feature = "python")]
pub(crate) fn thread_model(spec: &CellSpec, n: u32) -> Result<Box<dyn Model>> {
    let workloads = workloads_of(spec)?;
    Ok(Box::new(threads::ThreadModel::start(
        &workloads,
        &op_spec(spec)?,
        n,
    )?))
}

/// An embedded `python` cell's asyncio event loop, driven from Rust.
#[cfg(feature = "python")]
pub(crate) fn async_model(spec: &CellSpec) -> Result<Box<dyn Model>> {
    let workloads = workloads_of(spec)?;
    Ok(Box::new(asyncio::AsyncModel::start(
        &workloads,
        &op_spec(spec)?,
    )?))
}

/// Whether this build's embedded interpreter has subinterpreters with their own GIL
/// (CPython 3.12+, PEP 684): the embedded `subinterpreter` model needs them.
pub const EMBEDDED_SUBINTERPRETERS: bool = cfg!(all(feature = "python", Py_3_12));

/// An embedded `python` cell's N subinterpreters, each on its own OS thread.
#[cfg(all(feature = "python", Py_3_12))]
pub(crate) fn subinterpreter_model(spec: &CellSpec) -> Result<Box<dyn Model>> {
    let workloads = workloads_of(spec)?;
    Ok(Box::new(subinterp::SubinterpreterModel::start(
        &workloads,
        &op_spec(spec)?,
        spec.cell.concurrency.max(1),
    )?))
}

#[cfg(not(all(feature = "python", Py_3_12)))]
pub(crate) fn subinterpreter_model(spec: &CellSpec) -> Result<Box<dyn Model>> {
    bail!(
        "{}: model subinterpreter in the embedded runtime needs spectrum built against \
         CPython 3.12 or later (PYO3_PYTHON=python3.12 cargo build --release); this build's \
         is {}; or use runtime = \"cpython\"",
        spec.cell,
        embedded_version()
    )
}

/// The `MAJOR.MINOR` of the CPython this build embeds ("none" without the feature).
pub fn embedded_version() -> &'static str {
    option_env!("SPECTRUM_PYO3_VERSION")
        .filter(|v| !v.is_empty())
        .unwrap_or("none")
}

#[cfg(not(feature = "python"))]
pub(crate) fn thread_model(spec: &CellSpec, _: u32) -> Result<Box<dyn Model>> {
    no_embedded(spec)
}

#[cfg(not(feature = "python"))]
pub(crate) fn async_model(spec: &CellSpec) -> Result<Box<dyn Model>> {
    no_embedded(spec)
}

#[cfg(not(feature = "python"))]
fn no_embedded(spec: &CellSpec) -> Result<Box<dyn Model>> {
    bail!(
        "{}: this spectrum was built without the `python` feature (no embedded interpreter); \
         rebuild with default features, or use runtime = \"cpython\"",
        spec.cell
    )
}

/// Calibrates the Python kernel of `runtime` (run inside the `calibrate` child) and
/// describes the interpreter.
pub fn calibrate(runtime: Runtime, workloads: &Path) -> Result<(Calibration, PythonInfo)> {
    match runtime {
        Runtime::Cpython => cpython::calibrate(workloads),
        #[cfg(feature = "python")]
        Runtime::Python => embed::calibrate(workloads),
        #[cfg(not(feature = "python"))]
        Runtime::Python => {
            bail!("this spectrum was built without the `python` feature: no embedded interpreter")
        }
        Runtime::Rust => bail!("the rust runtime has no Python kernel to calibrate"),
    }
}

/// Seconds the embedded interpreter's Python kernel takes for `iters` iterations (the
/// speed check of [`crate::driver::speed`]); `workloads` holds `python_workloads`.
pub fn time_kernel(workloads: &Path, seed: u64, iters: u64) -> Result<f64> {
    #[cfg(feature = "python")]
    return embed::time_kernel(workloads, seed, iters);
    #[cfg(not(feature = "python"))]
    {
        let _ = (workloads, seed, iters);
        bail!("this spectrum was built without the `python` feature: no embedded interpreter")
    }
}

/// Finds the folder holding the `python_workloads` package: `flag`, else
/// `$SPECTRUM_PYTHON_WORKLOADS`, else the source tree spectrum was built from.
///
/// A miss is a [`WorkloadsNotFound`] (downcast it to tell bad input from a failure).
pub fn locate_workloads(flag: Option<&Path>) -> Result<PathBuf> {
    Ok(locate::locate_workloads(flag)?)
}

/// The runtime whose calibration sizes the CPU half of `cell`: the cell's own, except for
/// a native CPU half, which runs the Rust kernel and so needs the Rust calibration (the
/// Python one would make "1 ms of CPU" a few microseconds of Rust).
pub fn calibration_runtime(cell: &Cell) -> Runtime {
    if cell.runtime.is_python() && cell.cpu_impl == Some(Impl::Native) {
        Runtime::Rust
    } else {
        cell.runtime
    }
}

/// The op spec of `spec`: what `python_workloads.models.build` takes (see the package's
/// docstring). The CPU half is given in iterations, computed here once, so Rust's
/// rounding decides it for every runtime.
pub fn op_spec(spec: &CellSpec) -> Result<Value> {
    let cell = &spec.cell;
    let half = |i: Option<Impl>| match i {
        Some(Impl::Native) => "native",
        Some(Impl::Python) | None => "python",
    };
    let fault = match cell.fault {
        None => Value::Null,
        Some(Fault::Error) => json!("error"),
        Some(other) => bail!(
            "{cell}: a Python cell can only inject fault = \"error\" (the op raises), not {other:?}"
        ),
    };
    Ok(json!({
        "model": cell.model.as_str(),
        "concurrency": cell.concurrency.max(1),
        "cpu_iters": spec.op().cpu_iters,
        "io_us": cell.io_us,
        "io_kind": cell.io.as_str(),
        "io_port": spec.io_server.map(|a| a.port()),
        "cpu_impl": half(cell.cpu_impl),
        "io_impl": half(cell.io_impl),
        "gil": match cell.gil {
            Some(Gil::Released) => "released",
            Some(Gil::Held) | None => "held",
        },
        "async_cpu": match cell.async_cpu {
            Some(AsyncCpu::Offload) => "offload",
            Some(AsyncCpu::Pool) => "pool",
            Some(AsyncCpu::Inline) | None => "inline",
        },
        "fault": fault,
        // `file` cells: the cell's folder (made by the cell process) and the sync mode.
        "file_dir": spec.file_dir.as_ref().map(|d| d.to_string_lossy()),
        "file_sync": cell.file_sync.map(|m| m.as_str()),
        "background": cell.background.map_or(0, |b| b.units),
        "background_model": cell.background.map(|b| b.model.as_str()),
        "switch_interval_us": cell.switch_interval_us,
        // Background tasks (async cells): each chunk's kernel iterations.
        "background_iters": spec.calibration.iters_for_us(crate::scenario::TASK_CHUNK_US).max(1),
        // The race demo: the CPU half increments one shared counter in this form.
        "counter": cell.counter.map(|c| c.as_str()),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::ModelKind;

    /// A Python cell of `cpu_us` + `io_us` with `concurrency` workers.
    pub(crate) fn cell(
        runtime: Runtime,
        model: ModelKind,
        cpu_us: f64,
        io_us: f64,
        n: u32,
    ) -> Cell {
        Cell::sleep_op(runtime, model, cpu_us, io_us, n)
    }

    /// The spec of `cell` with a fixed calibration of `iters_per_us`.
    fn spec(cell: Cell, iters_per_us: f64, ops: u64) -> CellSpec {
        CellSpec {
            cell,
            ops,
            warmup_ops: 0,
            calibration: Calibration::from_samples(vec![iters_per_us]),
            repetition: 0,
            python_path: Some(PathBuf::from(env!("CARGO_MANIFEST_DIR"))),
            io_server: None,
            trace_ops: 0,
            python_exe: None,
            speed_reference: None,
            file_dir: None,
        }
    }

    #[test]
    fn op_spec_carries_every_key() {
        let mut c = cell(Runtime::Python, ModelKind::Async, 100.0, 50.0, 4);
        c.async_cpu = Some(AsyncCpu::Offload);
        c.gil = Some(Gil::Released);
        c.io_impl = Some(Impl::Native);
        let v = op_spec(&spec(c, 2.0, 10)).unwrap();
        assert_eq!(v["model"], "async");
        assert_eq!(v["concurrency"], 4);
        assert_eq!(v["cpu_iters"], 200);
        assert_eq!(v["io_us"], 50.0);
        assert_eq!(v["cpu_impl"], "python");
        assert_eq!(v["io_impl"], "native");
        assert_eq!(v["gil"], "released");
        assert_eq!(v["async_cpu"], "offload");
        assert_eq!(v["fault"], Value::Null);
    }

    #[test]
    fn only_the_error_fault_reaches_python() {
        let mut c = cell(Runtime::Python, ModelKind::Sequential, 1.0, 0.0, 1);
        c.fault = Some(Fault::Error);
        assert_eq!(op_spec(&spec(c.clone(), 1.0, 1)).unwrap()["fault"], "error");
        c.fault = Some(Fault::Hang);
        assert!(op_spec(&spec(c, 1.0, 1)).is_err());
    }

    #[test]
    fn a_native_cpu_half_uses_the_rust_calibration() {
        let mut c = cell(Runtime::Python, ModelKind::Thread, 1.0, 0.0, 2);
        assert_eq!(calibration_runtime(&c), Runtime::Python);
        c.cpu_impl = Some(Impl::Native);
        assert_eq!(calibration_runtime(&c), Runtime::Rust);
        c.runtime = Runtime::Rust;
        assert_eq!(calibration_runtime(&c), Runtime::Rust);
    }
}
