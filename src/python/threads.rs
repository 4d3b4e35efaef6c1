//! The embedded `thread` and `sequential` models: N Rust OS threads running the Python op.
//!
//! Each thread attaches to the interpreter once, for its whole life. Attaching from a
//! thread that is not attached creates a Python thread state (and releasing the last
//! attach destroys it), so attaching per op would measure thread-state churn, not the
//! GIL. While a thread waits for work it is detached (`py.detach`), so parked threads
//! never hold the GIL. Inside a run, a thread takes op indices from a shared counter and
//! times each call of the Python op in Rust; between ops it stays attached, exactly like
//! a Python thread looping over the op, and the interpreter's switch interval decides
//! when it hands the GIL over. `sequential` is the same with one thread.

use anyhow::{anyhow, bail, Result};
use pyo3::prelude::*;
use serde_json::Value;
use std::collections::BTreeMap;
use std::ops::Range;
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{channel, Receiver, Sender};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use super::cpython::info_map;
use super::embed::{attach_prepared, describe, py_error, to_python, PyResultExt};
use crate::metrics::{CounterTally, RunOutput};
use crate::model::trace::{mono_ns, CpuHalf};
use crate::model::{Model, OpLog};

/// A worker thread that does not attach within this long is stuck, not slow.
const START_TIMEOUT: Duration = Duration::from_secs(60);

/// What a worker thread is asked to do.
enum Cmd {
    /// Run ops from `next` until it reaches `end`, recording into `log`.
    Run {
        next: Arc<AtomicU64>,
        end: u64,
        log: Arc<OpLog>,
    },
    /// Leave the loop, detach and end.
    Stop,
}

/// What a worker thread sends back.
enum Reply {
    /// Attached and holding its op: ready for runs.
    Ready,
    /// A run's ops: wrapping checksum sum, and the first error (a traceback).
    Done {
        checksum: u64,
        error: Option<String>,
    },
}

/// N OS threads, each attached to the interpreter for its lifetime.
pub(crate) struct ThreadModel {
    inboxes: Vec<Sender<Cmd>>,
    handles: Vec<JoinHandle<()>>,
    replies: Receiver<Reply>,
    info: BTreeMap<String, Value>,
    /// The background load beside the workers (`python_workloads.background`), when the
    /// cell asks for one or for a switch interval; stopped first when the model drops.
    load: Option<Py<PyAny>>,
    /// Counting cells (the race demo): increments per op of the shared counter, which
    /// lives in `python_workloads.race`.
    counting: Option<u64>,
}

impl ThreadModel {
    /// Builds the op of `op` and starts `n` attached threads (all before any window).
    pub(crate) fn start(workloads: &Path, op: &Value, n: u32) -> Result<ThreadModel> {
        // One op per thread, made here at set-up: each holds its own I/O resources (a
        // connection for the tcp I/O kind).
        let (callables, info) = attach_prepared(workloads, |py| {
            let spec = to_python(py, op).or_traceback(py)?;
            let make_op = py
                .import("python_workloads.op")
                .and_then(|m| m.getattr("make_op"))
                .or_traceback(py)?;
            let callables = (0..n)
                .map(|_| Ok(make_op.call1((&spec,)).or_traceback(py)?.unbind()))
                .collect::<Result<Vec<_>>>()?;
            Ok((callables, info_map(&describe(py)?)))
        })?;
        let (reply_tx, replies) = channel();
        let mut model = ThreadModel {
            inboxes: Vec::new(),
            handles: Vec::new(),
            replies,
            info,
            load: None,
            counting: op["counter"]
                .is_string()
                .then(|| op["cpu_iters"].as_u64().unwrap_or(0)),
        };
        for (k, op) in callables.into_iter().enumerate() {
            let (tx, rx) = channel();
            let out = reply_tx.clone();
            let handle = std::thread::Builder::new()
                .name(format!("spectrum-py-{k}"))
                .spawn(move || worker(k as u32, &op, rx, &out))
                .map_err(|e| anyhow!("could not start Python worker thread {k}: {e}"))?;
            model.inboxes.push(tx);
            model.handles.push(handle);
        }
        for _ in 0..n {
            match model.replies.recv_timeout(START_TIMEOUT) {
                Ok(Reply::Ready) => {}
                _ => bail!("a Python worker thread did not attach to the interpreter"),
            }
        }
        // Started once the workers wait for work, so it runs beside all of them.
        let loaded =
            op["background"].as_u64().unwrap_or(0) > 0 || !op["switch_interval_us"].is_null();
        if loaded {
            let (load, interval) = attach_prepared(workloads, |py| {
                let spec = to_python(py, op).or_traceback(py)?;
                let load = py
                    .import("python_workloads.background")
                    .and_then(|m| m.call_method1("start", (&spec,)))
                    .or_traceback(py)?;
                let interval = py
                    .import("sys")
                    .and_then(|m| m.call_method0("getswitchinterval"))
                    .and_then(|v| v.extract::<f64>())
                    .or_traceback(py)?;
                Ok((load.unbind(), interval))
            })?;
            model.load = Some(load);
            // The interpreter was described before the load set the cell's interval:
            // record the one the window runs with.
            model
                .info
                .insert("switch_interval_s".into(), Value::from(interval));
        }
        Ok(model)
    }
}

/// A worker thread's life: attach once, then serve runs until told to stop.
fn worker(k: u32, op: &Py<PyAny>, inbox: Receiver<Cmd>, out: &Sender<Reply>) {
    serve(k, op, inbox, out);
    // The op's resources (a connection) go with the thread, attached.
    Python::attach(|py| {
        if let Ok(close) = op.bind(py).getattr("close") {
            let _ = close.call0();
        }
    });
}

/// Attached for the thread's lifetime: serve runs until told to stop.
fn serve(k: u32, op: &Py<PyAny>, inbox: Receiver<Cmd>, out: &Sender<Reply>) {
    // `detach` needs a closure that is Send; a Receiver is not Sync, a Mutex makes a
    // reference to it shareable. Uncontended: only this thread ever locks it.
    let inbox = Mutex::new(inbox);
    Python::attach(|py| {
        let op = op.bind(py);
        let Ok(split) = op.getattr("split") else {
            return;
        };
        if out.send(Reply::Ready).is_err() {
            return;
        }
        loop {
            // Parked without the GIL: other threads run while this one waits for work.
            let cmd = py.detach(|| inbox.lock().ok().and_then(|rx| rx.recv().ok()));
            let Some(Cmd::Run { next, end, log }) = cmd else {
                return;
            };
            let mut checksum = 0u64;
            let mut error = None;
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                if i >= end {
                    break;
                }
                let result = if log.traced(i) {
                    // The timed twin (`op.split`): the CPU half's end and thread CPU
                    // time are taken in Python, start and end here, on the same clock.
                    let start = mono_ns();
                    let r = split
                        .call1((i,))
                        .and_then(|v| v.extract::<(u64, u64, u64)>());
                    let end = mono_ns();
                    r.map(|(c, cpu_end, cpu)| {
                        let half = CpuHalf {
                            start,
                            cpu_end,
                            cpu,
                        };
                        log.record_span(i, half.ended(k, end));
                        c
                    })
                } else {
                    let t = Instant::now();
                    let r = op.call1((i,)).and_then(|v| v.extract::<u64>());
                    log.record_since(i, t);
                    r
                };
                match result {
                    Ok(c) => checksum = checksum.wrapping_add(c),
                    Err(e) => {
                        error = Some(format!("Python raised in op {i}:\n{:#}", py_error(py, &e)));
                        break;
                    }
                }
            }
            let done = Reply::Done { checksum, error };
            if out.send(done).is_err() {
                return;
            }
        }
    });
}

impl Model for ThreadModel {
    fn run(&mut self, ops: Range<u64>, log: &Arc<OpLog>) -> Result<RunOutput> {
        // Reset before any thread is handed the run: the counter is the window's alone.
        if self.counting.is_some() {
            race("reset")?;
        }
        let next = Arc::new(AtomicU64::new(ops.start));
        for inbox in &self.inboxes {
            inbox
                .send(Cmd::Run {
                    next: Arc::clone(&next),
                    end: ops.end,
                    log: Arc::clone(log),
                })
                .map_err(|_| anyhow!("a Python worker thread has ended"))?;
        }
        let mut out = RunOutput::default();
        let mut first_error = None;
        for _ in 0..self.inboxes.len() {
            match self.replies.recv() {
                Ok(Reply::Done { checksum, error }) => {
                    out.checksum = out.checksum.wrapping_add(checksum);
                    if first_error.is_none() {
                        first_error = error;
                    }
                }
                Ok(Reply::Ready) => bail!("a Python worker thread answered out of turn"),
                Err(_) => bail!("a Python worker thread has ended"),
            }
        }
        if let (Some(per_op), None) = (self.counting, &first_error) {
            out.counter = Some(CounterTally {
                increments: (ops.end - ops.start).saturating_mul(per_op),
                counted: race("count")?,
            });
        }
        match first_error {
            Some(traceback) => Err(anyhow!(traceback)),
            None => Ok(out),
        }
    }

    fn info(&self) -> BTreeMap<String, Value> {
        self.info.clone()
    }
}

/// Calls `python_workloads.race.NAME()`: the shared counter's `reset` or `count`.
fn race(name: &str) -> Result<u64> {
    Python::attach(|py| {
        let v = py
            .import("python_workloads.race")
            .and_then(|m| m.call_method0(name))
            .or_traceback(py)?;
        Ok(v.extract::<Option<u64>>().or_traceback(py)?.unwrap_or(0))
    })
}

impl Drop for ThreadModel {
    fn drop(&mut self) {
        if let Some(load) = self.load.take() {
            Python::attach(|py| {
                let _ = load.bind(py).call_method0("stop");
            });
        }
        for inbox in &self.inboxes {
            let _ = inbox.send(Cmd::Stop);
        }
        for handle in self.handles.drain(..) {
            let _ = handle.join();
        }
    }
}
