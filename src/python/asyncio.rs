//! The embedded `async` model: N asyncio tasks on one event loop, driven from Rust.
//!
//! The loop, its tasks' op and (for `async_cpu = "offload"`) the executor threads of
//! `asyncio.to_thread` are the ones of `python_workloads.models.AsyncModel`, built at
//! set-up; `run` is one `loop.run_until_complete` on the calling thread. Each op is timed
//! in Python (`time.perf_counter_ns`) and the latencies come back as a list of ints.
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

use super::cpython::info_map;
use super::embed::{attach_prepared, describe, to_python, PyResultExt};
use crate::metrics::{Recorder, RunOutput};
use crate::model::Model;

/// What `AsyncModel.run` returns.
struct Batch {
    latencies_ns: Vec<u64>,
    checksum: u64,
}

/// An asyncio event loop with its model object, ready to run.
pub(crate) struct AsyncModel {
    model: Py<PyAny>,
    info: BTreeMap<String, Value>,
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
        Ok(AsyncModel { model, info })
    }
}

impl Model for AsyncModel {
    fn run(&mut self, ops: Range<u64>) -> Result<RunOutput> {
        // Plain attach: the interpreter was prepared at set-up, and this is measured.
        let batch = Python::attach(|py| {
            let out = self
                .model
                .bind(py)
                .call_method1("run", (ops.start, ops.end))
                .or_traceback(py)?;
            // Extracted directly (not through JSON): this is inside the window.
            let field = |name: &str| out.get_item(name).or_traceback(py);
            Ok::<_, anyhow::Error>(Batch {
                latencies_ns: field("latencies_ns")?.extract().or_traceback(py)?,
                checksum: field("checksum")?.extract().or_traceback(py)?,
            })
        })?;
        let mut latency = Recorder::new();
        for ns in batch.latencies_ns {
            latency.record_ns(ns);
        }
        Ok(RunOutput {
            latency,
            checksum: batch.checksum,
            workers: None,
        })
    }

    fn info(&self) -> BTreeMap<String, Value> {
        self.info.clone()
    }
}

impl Drop for AsyncModel {
    fn drop(&mut self) {
        Python::attach(|py| {
            // Shuts the executor down and closes the loop; an error here changes nothing.
            let _ = self.model.bind(py).call_method0("close");
        });
    }
}
