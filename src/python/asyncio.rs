//! The embedded `async` model: N asyncio tasks on one event loop, driven from Rust.
//!
//! The loop, its tasks' op and (for `async_cpu = "offload"`) the executor threads of
//! `asyncio.to_thread` are the ones of `python_workloads.models.AsyncModel`, built at
//! set-up; `run` is one `loop.run_until_complete` on the calling thread. Each op is timed
//! in Python (`time.perf_counter_ns`) and written straight into the cell's op log, which
//! Python sees as a writable `memoryview` of the log's slots (no list grows inside the
//! window, nothing is copied after it).
//!
//! A native sleep inside a task is a blocking call: it stalls the loop whatever the GIL
//! setting. With `gil = "released"` the executor's threads (offloaded CPU halves) can run
//! during it; with `held` nothing Python runs.

use anyhow::Result;
use pyo3::prelude::*;
use serde_json::Value;
use std::collections::BTreeMap;
use std::ops::Range;
use std::path::Path;
use std::sync::Arc;

use super::cpython::info_map;
use super::embed::{attach_prepared, describe, from_python, to_python, PyResultExt};
use crate::metrics::{RunOutput, Rusage};
use crate::model::{Model, OpLog};

/// An asyncio event loop with its model object, ready to run.
pub(crate) struct AsyncModel {
    model: Py<PyAny>,
    info: BTreeMap<String, Value>,
    /// What the last run reported of itself: its background tasks' chunks and its
    /// process pool's size and memory (`python_workloads.offload`).
    run_info: BTreeMap<String, Value>,
}

impl AsyncModel {
    /// Creates the loop (and executor) of `op` in the embedded interpreter.
    pub(crate) fn start(workloads: &Path, op: &Value) -> Result<AsyncModel> {
        let (model, info) = attach_prepared(workloads, |py| {
            let spec = to_python(py, op).or_traceback(py)?;
            let model = py
                .import("python_workloads.models")
                .and_then(|m| m.getattr("AsyncModel"))
                .and_then(|cls| cls.call1((spec,)))
                .or_traceback(py)?;
            Ok((model.unbind(), info_map(&describe(py)?)))
        })?;
        Ok(AsyncModel {
            model,
            info,
            run_info: BTreeMap::new(),
        })
    }
}

impl Model for AsyncModel {
    fn run(&mut self, ops: Range<u64>, log: &Arc<OpLog>) -> Result<RunOutput> {
        anyhow::ensure!(log.ops() == ops, "the op log does not match the ops to run");
        // Plain attach: the interpreter was prepared at set-up, and this is measured.
        let (checksum, run_info, workers) = Python::attach(|py| {
            let (ptr, len) = log.as_mut_ptr();
            let view = u64_view(py, ptr, len).or_traceback(py)?;
            let (ptr, len) = log.spans_mut_ptr();
            let spans = u64_view(py, ptr, len).or_traceback(py)?;
            let trace = py
                .import("python_workloads.trace")
                .and_then(|m| m.getattr("Trace"))
                .and_then(|t| t.call1((ops.start, log.trace_len(), &spans)))
                .or_traceback(py)?;
            let out = self
                .model
                .bind(py)
                .call_method1("run", (ops.start, ops.end, &view, &trace));
            // The views must not outlive this call: released, any later use raises.
            drop(trace);
            let released = view.call_method0("release");
            let released_spans = spans.call_method0("release");
            let out = out.or_traceback(py)?;
            released.or_traceback(py)?;
            released_spans.or_traceback(py)?;
            let checksum = out
                .get_item("checksum")
                .and_then(|c| c.extract::<u64>())
                .or_traceback(py)?;
            // A process pool's own usage over the run, and what the run says of itself.
            let optional = |key: &str| out.get_item(key).ok().filter(|v| !v.is_none());
            let workers: Option<Rusage> = optional("workers_rusage")
                .map(|v| from_python(&v))
                .transpose()?;
            let run_info: BTreeMap<String, Value> = optional("info")
                .map(|v| from_python(&v))
                .transpose()?
                .unwrap_or_default();
            Ok::<_, anyhow::Error>((checksum, run_info, workers))
        })?;
        self.run_info = run_info;
        Ok(RunOutput {
            checksum,
            workers,
            ..RunOutput::default()
        })
    }

    fn info(&self) -> BTreeMap<String, Value> {
        let mut m = self.info.clone();
        m.extend(self.run_info.clone());
        m
    }
}

/// A writable `memoryview` of `len` u64 slots of an [`OpLog`] at `ptr`, cast to unsigned
/// 64-bit items.
fn u64_view(py: Python<'_>, ptr: *mut u64, len: usize) -> PyResult<Bound<'_, PyAny>> {
    // SAFETY: the memory is `len` u64 slots owned by the op log, which outlives the view
    // (the caller releases the view before returning); only Python writes to the slots
    // while it runs, and Rust reads them after, once the run has returned.
    let raw = unsafe {
        pyo3::ffi::PyMemoryView_FromMemory(
            ptr.cast::<std::os::raw::c_char>(),
            (len * std::mem::size_of::<u64>()) as pyo3::ffi::Py_ssize_t,
            pyo3::ffi::PyBUF_WRITE,
        )
    };
    // SAFETY: `raw` is a new reference or null with a Python error set.
    let bytes = unsafe { Bound::from_owned_ptr_or_err(py, raw) }?;
    bytes.call_method1("cast", ("Q",))
}

impl Drop for AsyncModel {
    fn drop(&mut self) {
        Python::attach(|py| {
            // Shuts the executor down and closes the loop; an error here changes nothing.
            let _ = self.model.bind(py).call_method0("close");
        });
    }
}
