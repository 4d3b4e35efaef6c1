//! The `cpython` runtime: the same ops run by a plain `python3` process, the cross-check
//! that embedding the interpreter does not change the numbers.
//!
//! [`CpythonModel`] starts `python_workloads.runner` in an isolated `python3` (the
//! interpreter pyo3 was built against, see [`interpreter`]; the command line is
//! [`python_command`]'s) and speaks its line protocol, documented in
//! `python_workloads/runner.py`: the op spec in, `ready` once threads / processes / the
//! event loop exist, then one JSON reply per `run START END`. The runner times each op
//! itself and reports its own `getrusage` over the run (plus its multiprocessing
//! workers'), which becomes [`RunOutput::workers`]: the cell process cannot see a live
//! child's usage; its memory likewise. The runner records into an op log it allocated
//! before the run, and sends the latencies only when asked, after the window
//! ([`Model::latency_after`]): no JSON of per-op figures is written or parsed inside it.

use anyhow::{anyhow, bail, Context, Result};
use serde::Deserialize;
use serde_json::Value;
use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Write};
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};
use std::time::{Duration, Instant};

use super::locate::interpreter;
use crate::metrics::{CounterTally, PythonInfo, Recorder, RunOutput, Rusage, Span, WindowMemory};
use crate::model::{Model, OpLog};
use crate::workload::Calibration;

/// One reply of the runner.
#[derive(Debug, Deserialize)]
#[serde(tag = "status", rename_all = "lowercase")]
enum Reply {
    Ready {
        info: PythonInfo,
        /// The model's set-up cost (`setup_s`, `units`, `setup_per_unit_s`, and per unit
        /// for subinterpreters); absent from older runners.
        #[serde(default)]
        setup: BTreeMap<String, Value>,
    },
    Ok {
        checksum: u64,
        rusage: Rusage,
        memory: WindowMemory,
        /// What the run says of itself (the async model's background tasks and pool).
        #[serde(default)]
        info: BTreeMap<String, Value>,
        /// Counting cells (the race demo): the shared counter over the run.
        #[serde(default)]
        counter: Option<CounterTally>,
    },
    Latencies {
        latencies_ns: Vec<u64>,
        #[serde(default)]
        spans: Vec<Span>,
    },
    Error {
        error: String,
    },
    Speed {
        seconds: f64,
    },
    Bye,
}

/// A `python3` runner process holding one set-up model.
pub(crate) struct CpythonModel {
    child: Child,
    stdin: Option<ChildStdin>,
    stdout: BufReader<ChildStdout>,
    info: PythonInfo,
    setup: BTreeMap<String, Value>,
    /// What the last run reported of itself.
    run_info: BTreeMap<String, Value>,
    /// The `python3` running it.
    exe: PathBuf,
}

/// Runs the module named by `argv[2]` as `python3 -m` would, with `argv[1]` (the folder
/// holding `python_workloads`) first on `sys.path`.
const BOOTSTRAP: &str = "import runpy, sys; sys.path.insert(0, sys.argv[1]); \
                         module = sys.argv[2]; del sys.argv[1:3]; \
                         runpy.run_module(module, run_name='__main__', alter_sys=True)";

/// `python3` running `module` (`python_workloads.<name>`) from `workloads`, isolated from
/// the working directory.
///
/// `python3 -m module` puts the current directory first on `sys.path`, so a
/// `traceback.py` or `json.py` left where the user runs spectrum executed inside the
/// runner. `-I` (isolated mode, every Python 3 since 3.4; it implies 3.11's `-P`) keeps
/// the working directory and the user's site-packages off `sys.path` and ignores the
/// `PYTHON*` variables, so [`BOOTSTRAP`] puts the workloads folder on the path itself,
/// and `-u` and `-B` stand for `PYTHONUNBUFFERED` (nothing buffered across the protocol)
/// and `PYTHONDONTWRITEBYTECODE` (no stray .pyc in the source tree). The runner needs
/// only the standard library, so ignoring the user's `PYTHONPATH` loses nothing.
fn python_command(exe: &Path, workloads: &Path, module: &str) -> Command {
    let mut cmd = Command::new(exe);
    cmd.args(["-I", "-u", "-B", "-c", BOOTSTRAP])
        .arg(workloads)
        .arg(module);
    cmd
}

impl CpythonModel {
    /// Starts the runner in `exe` (none: [`interpreter`]) and sets up the model of `op`
    /// in it (outside any window).
    pub(crate) fn start(exe: Option<&Path>, workloads: &Path, op: &Value) -> Result<CpythonModel> {
        let exe = exe.map_or_else(interpreter, Path::to_path_buf);
        let mut cmd = python_command(&exe, workloads, "python_workloads.runner");
        cmd.stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit());
        crate::lifeline::die_with_parent(&mut cmd);
        let mut child = cmd.spawn().with_context(|| {
            format!(
                "could not start '{}' for the cpython runtime",
                exe.display()
            )
        })?;
        let stdin = child.stdin.take().expect("piped stdin");
        let stdout = BufReader::new(child.stdout.take().expect("piped stdout"));
        let mut model = CpythonModel {
            child,
            stdin: Some(stdin),
            stdout,
            info: PythonInfo::default(),
            setup: BTreeMap::new(),
            run_info: BTreeMap::new(),
            exe,
        };
        model.send(&op.to_string())?;
        match model.receive()? {
            Reply::Ready { info, setup } => {
                model.info = info;
                model.setup = setup;
            }
            other => return Err(model.unexpected(other, "set-up")),
        }
        Ok(model)
    }

    fn send(&mut self, line: &str) -> Result<()> {
        let stdin = self
            .stdin
            .as_mut()
            .context("the runner's stdin is closed")?;
        writeln!(stdin, "{line}")
            .and_then(|()| stdin.flush())
            .map_err(|e| self.died(&format!("could not write to it: {e}")))
    }

    fn receive(&mut self) -> Result<Reply> {
        let mut line = String::new();
        let n = self
            .stdout
            .read_line(&mut line)
            .map_err(|e| self.died(&format!("could not read from it: {e}")))?;
        if n == 0 {
            return Err(self.died("it closed its stdout"));
        }
        serde_json::from_str(&line).with_context(|| {
            format!(
                "the python3 runner sent a line that is not its protocol: {}",
                line.trim_end().chars().take(200).collect::<String>()
            )
        })
    }

    /// The runner is gone or broken: say how it ended (its stderr is the cell's stderr).
    fn died(&mut self, what: &str) -> anyhow::Error {
        let status = wait_briefly(&mut self.child, Duration::from_secs(2))
            .map_or_else(|| "still running".to_string(), |s| s.to_string());
        anyhow!(
            "the python3 runner ({}) failed: {what} ({status}); its stderr is above",
            self.exe.display()
        )
    }

    fn unexpected(&mut self, reply: Reply, during: &str) -> anyhow::Error {
        match reply {
            // The traceback is the message: it names the Python file and line.
            Reply::Error { error } => anyhow!("Python raised during {during}:\n{error}"),
            other => anyhow!("the python3 runner answered {other:?} during {during}"),
        }
    }

    /// Facts for the measurement's `info`: which interpreter ran the cell, and what
    /// setting up the model's units cost (outside the window).
    pub(crate) fn info(&self) -> BTreeMap<String, Value> {
        let mut m = info_map(&self.info);
        for (k, v) in self.setup.iter().chain(&self.run_info) {
            m.insert(k.clone(), v.clone());
        }
        m
    }
}

/// `PythonInfo` as `Measurement::info` entries.
pub(crate) fn info_map(info: &PythonInfo) -> BTreeMap<String, Value> {
    let mut m = BTreeMap::new();
    m.insert("python_version".into(), Value::from(info.version.clone()));
    m.insert(
        "python_executable".into(),
        Value::from(info.executable.clone()),
    );
    m.insert("gil_enabled".into(), Value::from(info.gil_enabled));
    if !info.release.is_empty() {
        m.insert("python_release".into(), Value::from(info.release.clone()));
    }
    m.insert(
        "free_threaded_build".into(),
        Value::from(info.free_threaded_build),
    );
    m.insert(
        "switch_interval_s".into(),
        Value::from(info.switch_interval_s),
    );
    if let Some(lib) = &info.libpython {
        m.insert("libpython".into(), Value::from(lib.clone()));
    }
    m
}

impl Model for CpythonModel {
    fn run(&mut self, ops: Range<u64>, log: &std::sync::Arc<OpLog>) -> Result<RunOutput> {
        // The runner records into its own log; see `latency_after`.
        self.send(&format!(
            "run {} {} {}",
            ops.start,
            ops.end,
            log.trace_len()
        ))?;
        match self.receive()? {
            Reply::Ok {
                checksum,
                rusage,
                memory,
                info,
                counter,
            } => {
                self.run_info = info;
                Ok(RunOutput {
                    checksum,
                    latency: None,
                    workers: Some(rusage),
                    workers_memory: Some(memory),
                    spans: Vec::new(),
                    counter,
                })
            }
            other => Err(self.unexpected(other, &format!("ops {}..{}", ops.start, ops.end))),
        }
    }

    fn latency_after(&mut self) -> Result<Option<(Recorder, Vec<Span>)>> {
        self.send("latencies")?;
        match self.receive()? {
            Reply::Latencies {
                latencies_ns,
                spans,
            } => {
                let mut latency = Recorder::new();
                for ns in latencies_ns.into_iter().filter(|ns| *ns > 0) {
                    latency.record_ns(ns);
                }
                Ok(Some((latency, spans)))
            }
            other => Err(self.unexpected(other, "the latency transfer")),
        }
    }

    fn info(&self) -> BTreeMap<String, Value> {
        CpythonModel::info(self)
    }

    fn time_kernel(&mut self, seed: u64, iters: u64) -> Result<Option<f64>> {
        // The runner's own interpreter runs the ops, so it times the kernel too.
        self.send(&format!("speed {seed} {iters}"))?;
        match self.receive()? {
            Reply::Speed { seconds } => Ok(Some(seconds)),
            other => Err(self.unexpected(other, "the speed check")),
        }
    }
}

impl Drop for CpythonModel {
    fn drop(&mut self) {
        // Ask politely (the runner closes its pools), then make sure it is gone.
        if self.send("exit").is_ok() {
            let _ = self.receive();
        }
        drop(self.stdin.take());
        if wait_briefly(&mut self.child, Duration::from_secs(5)).is_none() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// Waits up to `limit` for `child` to exit.
fn wait_briefly(child: &mut Child, limit: Duration) -> Option<std::process::ExitStatus> {
    let deadline = Instant::now() + limit;
    loop {
        match child.try_wait() {
            Ok(Some(status)) => return Some(status),
            Ok(None) if Instant::now() < deadline => std::thread::sleep(Duration::from_millis(5)),
            _ => return None,
        }
    }
}

/// What `python_workloads.calibrate` prints.
#[derive(Debug, Deserialize)]
struct CalibrationOutput {
    calibration: Calibration,
    info: PythonInfo,
}

/// Calibrates the Python kernel in a plain `python3` and describes that interpreter.
pub(crate) fn calibrate(workloads: &Path) -> Result<(Calibration, PythonInfo)> {
    calibrate_with(&interpreter(), workloads)
}

/// Calibrates the Python kernel in the `python3` at `python` and describes it.
pub fn calibrate_with(python: &Path, workloads: &Path) -> Result<(Calibration, PythonInfo)> {
    let out = python_command(python, workloads, "python_workloads.calibrate")
        .stdin(Stdio::null())
        .output()
        .with_context(|| format!("could not start '{}' to calibrate", python.display()))?;
    if !out.status.success() {
        bail!(
            "'{} -I ... python_workloads.calibrate' failed ({}):\n{}",
            python.display(),
            out.status,
            String::from_utf8_lossy(&out.stderr).trim_end()
        );
    }
    let text = String::from_utf8_lossy(&out.stdout);
    let parsed: CalibrationOutput = serde_json::from_str(text.trim()).with_context(|| {
        format!(
            "'{} -I ... python_workloads.calibrate' printed something else than its JSON: {}",
            python.display(),
            text.trim()
        )
    })?;
    // NaN fails this test too.
    if parsed.calibration.iters_per_us.is_nan() || parsed.calibration.iters_per_us <= 0.0 {
        bail!("the Python calibration measured no iterations per µs");
    }
    Ok((parsed.calibration, parsed.info))
}
