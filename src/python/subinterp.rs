//! The embedded `subinterpreter` model: N subinterpreters, each with its own GIL
//! (PEP 684, CPython 3.12+), each created on, owned by and run on one OS thread of its
//! own, through the C API.
//!
//! pyo3 does not support subinterpreters, so everything a unit does inside its
//! interpreter goes through `pyo3::ffi`, on its own thread, and nothing of pyo3's safe
//! API touches it. A unit's thread starts with no Python thread state, creates its
//! interpreter with `Py_NewInterpreterFromConfig` (own GIL, `check_multi_interp_extensions`:
//! spectrum's native module is single-phase and cannot load there, so cells with a native
//! half are refused), imports `python_workloads` and makes its op, all at set-up. In a
//! run it takes op indices from a shared Rust counter — the only thing the units share —
//! calls the op and times each call in Rust, as the embedded thread model does. The
//! interpreter's GIL is released while the unit waits for work, and the interpreter is
//! ended on the thread that made it when the model drops.
//!
//! Creating each interpreter is timed (`unit_create_s`), and so is each unit's whole
//! set-up with its imports (`unit_setup_s`): the start-up cost of a subinterpreter.

use anyhow::{anyhow, bail, Result};
use serde_json::Value;
use std::collections::BTreeMap;
use std::ops::Range;
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{channel, Receiver, Sender};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use super::cpython::info_map;
use super::embed::{attach_prepared, describe};
use crate::metrics::RunOutput;
use crate::model::{Model, OpLog};

/// A unit whose interpreter is not ready within this long is stuck, not slow.
const START_TIMEOUT: Duration = Duration::from_secs(60);

/// One run, shared by every unit: the next op index, where to stop, the log.
struct Job {
    next: AtomicU64,
    end: u64,
    log: Arc<OpLog>,
}

/// A unit's report at set-up: its creation and whole set-up times, or why it failed.
type Ready = Result<(f64, f64), String>;
/// A unit's report of a run: its checksum, or the traceback that stopped it.
type Reply = Result<u64, String>;

/// N units, each an OS thread owning one subinterpreter.
pub(crate) struct SubinterpreterModel {
    jobs: Vec<Option<Sender<Arc<Job>>>>,
    handles: Vec<JoinHandle<()>>,
    replies: Receiver<Reply>,
    info: BTreeMap<String, Value>,
}

impl SubinterpreterModel {
    /// Starts `n` units, each with its interpreter and op made (all before any window).
    pub(crate) fn start(workloads: &Path, op: &Value, n: u32) -> Result<SubinterpreterModel> {
        // The main interpreter must exist before any subinterpreter; it describes the
        // build (version, libpython) for the results.
        let info = attach_prepared(workloads, |py| Ok(info_map(&describe(py)?)))?;
        let setup = setup_code(workloads, op);
        let (reply_tx, replies) = channel();
        let (ready_tx, ready_rx) = channel::<Ready>();
        let mut model = SubinterpreterModel {
            jobs: Vec::new(),
            handles: Vec::new(),
            replies,
            info,
        };
        for k in 0..n {
            let (tx, rx) = channel();
            let (setup, ready, out) = (setup.clone(), ready_tx.clone(), reply_tx.clone());
            let handle = std::thread::Builder::new()
                .name(format!("spectrum-subinterp-{k}"))
                .spawn(move || unit(&setup, rx, &ready, &out))
                .map_err(|e| anyhow!("could not start subinterpreter thread {k}: {e}"))?;
            model.jobs.push(Some(tx));
            model.handles.push(handle);
        }
        let (mut create, mut whole) = (Vec::new(), Vec::new());
        for k in 0..n {
            match ready_rx.recv_timeout(START_TIMEOUT) {
                Ok(Ok((c, w))) => {
                    create.push(c);
                    whole.push(w);
                }
                Ok(Err(e)) => bail!("a subinterpreter could not be set up: {e}"),
                Err(_) => bail!("subinterpreter {k} of {n} was not ready within 60 s"),
            }
        }
        model
            .info
            .insert("unit_create_s".into(), Value::from(create));
        model.info.insert("unit_setup_s".into(), Value::from(whole));
        model
            .info
            .insert("backend".into(), Value::from("Py_NewInterpreterFromConfig"));
        Ok(model)
    }
}

/// The Python each unit runs in its fresh interpreter: `sys.path`, the op, and a
/// formatter for errors. Its names: `op`, `error` (a traceback or None), `format_error`.
fn setup_code(workloads: &Path, op: &Value) -> std::ffi::CString {
    // JSON strings are Python string literals (the path and the spec's text).
    let path = Value::from(workloads.to_string_lossy().as_ref()).to_string();
    let spec = Value::from(op.to_string()).to_string();
    let code = format!(
        "import sys, json\n\
         sys.path.insert(0, {path})\n\
         def format_error(e):\n    \
             import traceback\n    \
             return ''.join(traceback.format_exception(e))\n\
         error = None\n\
         try:\n    \
             from python_workloads.op import make_op\n    \
             op = make_op(json.loads({spec}))\n\
         except BaseException as e:\n    \
             error = format_error(e)\n"
    );
    // Neither the path nor JSON text holds a NUL byte once quoted (JSON escapes it).
    std::ffi::CString::new(code).expect("no NUL in the set-up code")
}

/// A unit's thread: create the interpreter, serve runs, end the interpreter.
fn unit(
    setup: &std::ffi::CStr,
    jobs: Receiver<Arc<Job>>,
    ready: &Sender<Ready>,
    out: &Sender<Reply>,
) {
    let started = Instant::now();
    let interp = match ffi::Interp::create() {
        Ok(i) => i,
        Err(e) => {
            let _ = ready.send(Err(e));
            return;
        }
    };
    let created = started.elapsed().as_secs_f64();
    let op = match interp.make_op(setup) {
        Ok(op) => op,
        Err(e) => {
            let _ = ready.send(Err(e));
            interp.end();
            return;
        }
    };
    let _ = ready.send(Ok((created, started.elapsed().as_secs_f64())));
    // Parked without holding its GIL; each run takes it back.
    let saved = interp.release();
    while let Ok(job) = jobs.recv() {
        saved.restore();
        let reply = work(&op, &job);
        saved.release();
        if out.send(reply).is_err() {
            break;
        }
    }
    saved.restore();
    drop(op);
    interp.end();
}

/// The hot loop: take the next index, call the op, log its latency.
fn work(op: &ffi::Op, job: &Job) -> Reply {
    let mut checksum = 0u64;
    loop {
        let i = job.next.fetch_add(1, Ordering::Relaxed);
        if i >= job.end {
            break;
        }
        let start = Instant::now();
        let c = op.call(i).map_err(|e| format!("op {i}: {e}"))?;
        job.log.record_since(i, start);
        checksum = checksum.wrapping_add(c);
    }
    Ok(checksum)
}

impl Model for SubinterpreterModel {
    fn run(&mut self, ops: Range<u64>, log: &Arc<OpLog>) -> Result<RunOutput> {
        let job = Arc::new(Job {
            next: AtomicU64::new(ops.start),
            end: ops.end,
            log: Arc::clone(log),
        });
        for (k, tx) in self.jobs.iter().enumerate() {
            let sent = tx.as_ref().map(|tx| tx.send(Arc::clone(&job)));
            anyhow::ensure!(
                matches!(sent, Some(Ok(()))),
                "subinterpreter {k} has exited"
            );
        }
        // Every reply is taken even after a failure, so none is left for the next run.
        let mut out = RunOutput::default();
        let mut failure = None;
        for _ in 0..self.jobs.len() {
            match self.replies.recv() {
                Ok(Ok(c)) => out.checksum = out.checksum.wrapping_add(c),
                Ok(Err(e)) => failure = failure.or(Some(e)),
                Err(_) => bail!("every subinterpreter thread has exited"),
            }
        }
        match failure {
            Some(e) => bail!("a subinterpreter failed: {e}"),
            None => Ok(out),
        }
    }

    fn info(&self) -> BTreeMap<String, Value> {
        self.info.clone()
    }
}

impl Drop for SubinterpreterModel {
    fn drop(&mut self) {
        // Closing every job channel lets all units end their interpreters in parallel.
        for tx in &mut self.jobs {
            tx.take();
        }
        for h in self.handles.drain(..) {
            let _ = h.join();
        }
    }
}

/// The C API calls, each on the thread that owns the interpreter.
mod ffi {
    use pyo3::ffi;
    use std::ffi::CStr;
    use std::ptr;

    /// A subinterpreter with its own GIL, current on the thread that made it.
    pub(super) struct Interp {
        tstate: *mut ffi::PyThreadState,
    }

    /// An interpreter whose GIL this thread gave up between runs.
    pub(super) struct Saved {
        tstate: std::cell::Cell<*mut ffi::PyThreadState>,
    }

    /// The unit's op (a Python callable) and the set-up's namespace, owned references
    /// of the unit's interpreter.
    pub(super) struct Op {
        op: *mut ffi::PyObject,
        globals: *mut ffi::PyObject,
    }

    impl Interp {
        /// Creates an isolated interpreter with its own GIL on this thread, which must
        /// have no Python thread state.
        pub(super) fn create() -> Result<Interp, String> {
            let config = ffi::PyInterpreterConfig {
                use_main_obmalloc: 0,
                allow_fork: 0,
                allow_exec: 0,
                allow_threads: 1,
                allow_daemon_threads: 0,
                check_multi_interp_extensions: 1,
                gil: ffi::PyInterpreterConfig_OWN_GIL,
            };
            let mut tstate = ptr::null_mut();
            // SAFETY: the main interpreter is initialized (`attach_prepared` ran), this
            // thread has no thread state, and `config` outlives the call. On success the
            // new interpreter's thread state is current here, with its GIL held.
            let status = unsafe { ffi::Py_NewInterpreterFromConfig(&mut tstate, &config) };
            // SAFETY: `status` is the value the call returned.
            if unsafe { ffi::PyStatus_Exception(status) } != 0 || tstate.is_null() {
                let why = if status.err_msg.is_null() {
                    "no reason given".to_string()
                } else {
                    // SAFETY: a non-null `err_msg` is a static C string.
                    unsafe { CStr::from_ptr(status.err_msg) }
                        .to_string_lossy()
                        .into_owned()
                };
                return Err(format!("Py_NewInterpreterFromConfig failed: {why}"));
            }
            Ok(Interp { tstate })
        }

        /// Runs `setup` in the interpreter and takes its `op`, or its traceback.
        pub(super) fn make_op(&self, setup: &CStr) -> Result<Op, String> {
            // SAFETY: this interpreter is current on this thread with its GIL held; every
            // new reference is released on every path (or owned by the `Op`).
            unsafe {
                let globals = ffi::PyDict_New();
                if globals.is_null() {
                    return Err("could not allocate a namespace".into());
                }
                let builtins = ffi::PyEval_GetBuiltins();
                ffi::PyDict_SetItemString(globals, c"__builtins__".as_ptr(), builtins);
                let done = ffi::PyRun_String(setup.as_ptr(), ffi::Py_file_input, globals, globals);
                if done.is_null() {
                    ffi::PyErr_Clear();
                    ffi::Py_DECREF(globals);
                    return Err("the set-up code did not run".into());
                }
                ffi::Py_DECREF(done);
                let error = ffi::PyDict_GetItemString(globals, c"error".as_ptr());
                if !error.is_null() && error != ffi::Py_None() {
                    let text = utf8(error);
                    ffi::Py_DECREF(globals);
                    return Err(text);
                }
                let op = ffi::PyDict_GetItemString(globals, c"op".as_ptr());
                if op.is_null() {
                    ffi::Py_DECREF(globals);
                    return Err("the set-up code made no op".into());
                }
                ffi::Py_INCREF(op);
                Ok(Op { op, globals })
            }
        }

        /// Gives up the interpreter's GIL until [`Saved::restore`].
        pub(super) fn release(&self) -> Saved {
            let s = Saved {
                tstate: std::cell::Cell::new(self.tstate),
            };
            s.release();
            s
        }

        /// Ends the interpreter; this thread has no thread state afterwards.
        pub(super) fn end(self) {
            // SAFETY: the interpreter's only thread state is current on this thread,
            // with no frame running.
            unsafe { ffi::Py_EndInterpreter(self.tstate) }
        }
    }

    impl Saved {
        /// Takes the interpreter's GIL back on this thread.
        pub(super) fn restore(&self) {
            // SAFETY: the thread state was saved by `release` on this same thread.
            unsafe { ffi::PyEval_RestoreThread(self.tstate.get()) }
        }

        /// Gives the GIL up again.
        pub(super) fn release(&self) {
            // SAFETY: the interpreter is current on this thread with its GIL held.
            self.tstate.set(unsafe { ffi::PyEval_SaveThread() });
        }
    }

    impl Op {
        /// Calls the op with index `i`: its checksum (mod 2⁶⁴), or the traceback.
        pub(super) fn call(&self, i: u64) -> Result<u64, String> {
            // SAFETY: the op's interpreter is current on this thread with its GIL held;
            // the argument and result references are released here.
            unsafe {
                let arg = ffi::PyLong_FromUnsignedLongLong(i);
                if arg.is_null() {
                    return Err(self.error());
                }
                let res = ffi::PyObject_CallOneArg(self.op, arg);
                ffi::Py_DECREF(arg);
                if res.is_null() {
                    return Err(self.error());
                }
                let c = ffi::PyLong_AsUnsignedLongLongMask(res);
                ffi::Py_DECREF(res);
                if c == u64::MAX && !ffi::PyErr_Occurred().is_null() {
                    return Err(self.error());
                }
                Ok(c)
            }
        }

        /// The raised exception, formatted by the set-up's `format_error`.
        fn error(&self) -> String {
            // SAFETY: as for `call`; the exception reference is released here.
            unsafe {
                let exc = ffi::PyErr_GetRaisedException();
                if exc.is_null() {
                    return "the op failed without an exception".into();
                }
                let format = ffi::PyDict_GetItemString(self.globals, c"format_error".as_ptr());
                let text = if format.is_null() {
                    None
                } else {
                    let s = ffi::PyObject_CallOneArg(format, exc);
                    if s.is_null() {
                        ffi::PyErr_Clear();
                        None
                    } else {
                        let t = utf8(s);
                        ffi::Py_DECREF(s);
                        Some(t)
                    }
                };
                ffi::Py_DECREF(exc);
                text.unwrap_or_else(|| {
                    "the op raised (the traceback could not be formatted)".into()
                })
            }
        }
    }

    impl Drop for Op {
        fn drop(&mut self) {
            // SAFETY: dropped on the unit's thread with its interpreter current and its
            // GIL held (`unit` restores before dropping), before the interpreter ends.
            unsafe {
                ffi::Py_DECREF(self.op);
                ffi::Py_DECREF(self.globals);
            }
        }
    }

    /// A `str` object's text (a non-`str` gives its type's complaint, cleared).
    ///
    /// # Safety
    /// `s` is a live object of the current interpreter, GIL held.
    unsafe fn utf8(s: *mut ffi::PyObject) -> String {
        let mut len: ffi::Py_ssize_t = 0;
        // SAFETY: per this function's contract.
        let p = unsafe { ffi::PyUnicode_AsUTF8AndSize(s, &mut len) };
        if p.is_null() {
            // SAFETY: per this function's contract.
            unsafe { ffi::PyErr_Clear() };
            return "(not text)".into();
        }
        // SAFETY: `p` points at `len` bytes of UTF-8 owned by `s`.
        let bytes = unsafe { std::slice::from_raw_parts(p.cast::<u8>(), len as usize) };
        String::from_utf8_lossy(bytes).into_owned()
    }
}
