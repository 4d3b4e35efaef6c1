//! The `process` model: N worker processes, each the spectrum binary re-executed with the
//! hidden `worker` subcommand, each running a `sequential` model of the cell's runtime
//! (so a `python` worker has its own interpreter: the multiprocessing analogue).
//!
//! Set-up spawns the workers and waits until every one has built its model and said
//! `ready`; a run splits the range into N contiguous parts, sends every worker its part,
//! then reads every reply. The protocol is in `protocol.rs`; the worker side in
//! [`worker_main`].
//!
//! The worker executable is `$SPECTRUM_EXE` when set (tests point it at the built
//! binary, since their own executable has no `worker` subcommand), else the current
//! executable.
//!
//! No worker outlives the cell process: each gets `PR_SET_PDEATHSIG(SIGKILL)` before it
//! executes, and dropping the model kills and reaps them. Linux ties the death signal to
//! the *thread* that spawned the worker, so build the model on a thread that lives as
//! long as the model (the cell process's main thread does).

mod protocol;
mod worker;

pub use worker::worker_main;

use anyhow::Context;
use std::io::{BufRead, BufReader, Write};
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, ChildStdout, Stdio};
use std::time::{Duration, Instant};

use self::protocol::{Command, RunReply, SpeedReply, READY};
use super::{CellSpec, Model, OpLog};
use crate::metrics::{Recorder, RunOutput, Rusage, Span, WindowMemory};
use crate::scenario::ModelKind;
use crate::stderr_tail::StderrTail;

/// The environment variable naming the executable to run as a worker.
pub const EXE_ENV: &str = "SPECTRUM_EXE";

/// How much of a failed worker's stderr an error quotes.
const STDERR_TAIL_BYTES: u64 = 2000;

/// The executable to re-execute as a worker: `$SPECTRUM_EXE`, else this one.
pub fn worker_exe() -> anyhow::Result<PathBuf> {
    match std::env::var_os(EXE_ENV) {
        Some(p) if !p.is_empty() => Ok(PathBuf::from(p)),
        _ => {
            std::env::current_exe().context("could not find the spectrum executable to run workers")
        }
    }
}

/// Builds the process model of `spec` with the executable of [`worker_exe`].
pub fn build(spec: &CellSpec) -> anyhow::Result<Box<dyn Model>> {
    Ok(Box::new(ProcessModel::spawn(spec, &worker_exe()?)?))
}

/// One worker process and its pipes.
struct Worker {
    index: usize,
    child: Child,
    stdin: Option<ChildStdin>,
    stdout: BufReader<ChildStdout>,
    stderr: StderrTail,
}

/// N worker processes, ready to run ops.
pub struct ProcessModel {
    workers: Vec<Worker>,
    /// Set when a run failed part-way: replies may be in flight, so the workers can no
    /// longer be trusted to answer the next command in step.
    broken: bool,
}

impl ProcessModel {
    /// Spawns `spec.cell.concurrency` workers running `exe worker` and waits until all
    /// are ready.
    pub fn spawn(spec: &CellSpec, exe: &Path) -> anyhow::Result<ProcessModel> {
        let n = spec.cell.concurrency;
        anyhow::ensure!(
            n >= 1,
            "the process model needs a concurrency of at least 1"
        );
        // Each worker runs the ops of its part one after another.
        let mut worker_spec = spec.clone();
        worker_spec.cell.model = ModelKind::Sequential;
        worker_spec.cell.concurrency = 1;
        let line = serde_json::to_string(&worker_spec).context("could not encode the cell spec")?;

        // Dropping `model` on an early return kills the workers spawned so far.
        let mut model = ProcessModel {
            workers: Vec::with_capacity(n as usize),
            broken: false,
        };
        for index in 0..n as usize {
            model.workers.push(spawn_worker(index, exe)?);
        }
        // Send every spec first, then wait: the workers start up in parallel.
        for w in &mut model.workers {
            w.send(&line)?;
        }
        for w in &mut model.workers {
            let reply = w.read_line("while starting")?;
            if reply != READY {
                return Err(w.failure(&format!("said '{reply}' instead of '{READY}'")));
            }
        }
        Ok(model)
    }

    /// The workers' process ids.
    pub fn pids(&self) -> Vec<u32> {
        self.workers.iter().map(|w| w.child.id()).collect()
    }
}

/// Starts worker `index`: `exe worker`, stdin and stdout piped, stderr captured.
fn spawn_worker(index: usize, exe: &Path) -> anyhow::Result<Worker> {
    let stderr = StderrTail::new(&format!("spectrum-worker-{index}-stderr"));
    let mut cmd = std::process::Command::new(exe);
    cmd.arg("worker")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(stderr.stdio());
    crate::lifeline::die_with_parent(&mut cmd);
    let mut child = cmd.spawn().with_context(|| {
        format!(
            "could not start worker {index} ('{} worker')",
            exe.display()
        )
    })?;
    let (Some(stdin), Some(stdout)) = (child.stdin.take(), child.stdout.take()) else {
        let _ = child.kill();
        let _ = child.wait();
        anyhow::bail!("worker {index} was started without its pipes");
    };
    Ok(Worker {
        index,
        child,
        stdin: Some(stdin),
        stdout: BufReader::new(stdout),
        stderr,
    })
}

impl Worker {
    /// Writes one line to the worker's stdin.
    fn send(&mut self, line: &str) -> anyhow::Result<()> {
        let sent = match self.stdin.as_mut() {
            Some(stdin) => writeln!(stdin, "{line}").and_then(|()| stdin.flush()),
            None => Err(std::io::ErrorKind::BrokenPipe.into()),
        };
        sent.map_err(|e| self.failure(&format!("stopped reading commands ({e})")))
    }

    /// Reads one line of the worker's stdout; `doing` says when, for the error.
    fn read_line(&mut self, doing: &str) -> anyhow::Result<String> {
        let mut line = String::new();
        match self.stdout.read_line(&mut line) {
            Ok(0) => Err(self.failure(&format!("exited {doing}"))),
            Ok(_) => Ok(line.trim_end().to_string()),
            Err(e) => Err(self.failure(&format!("could not be read {doing} ({e})"))),
        }
    }

    /// An error naming the worker, how it ended and the tail of its stderr.
    fn failure(&mut self, what: &str) -> anyhow::Error {
        // A worker that closed its stdout is usually exiting: give it a moment so the
        // error can say how it ended.
        let deadline = Instant::now() + Duration::from_millis(200);
        let status = loop {
            match self.child.try_wait() {
                Ok(Some(s)) => break s.to_string(),
                Ok(None) if Instant::now() < deadline => {
                    std::thread::sleep(Duration::from_millis(5))
                }
                Ok(None) => break "still running".to_string(),
                Err(e) => break format!("status unknown: {e}"),
            }
        };
        anyhow::anyhow!(
            "worker {} (pid {}) {what} [{status}]; its stderr ends with:\n{}",
            self.index,
            self.child.id(),
            self.stderr.tail(STDERR_TAIL_BYTES)
        )
    }
}

/// The `k`-th of `n` contiguous parts of `ops` (parts differ in length by one at most).
fn part(ops: &Range<u64>, k: usize, n: usize) -> Range<u64> {
    let len = u128::from(ops.end.saturating_sub(ops.start));
    let at = |k: usize| ops.start + (len * k as u128 / n as u128) as u64;
    at(k)..at(k + 1)
}

impl Model for ProcessModel {
    fn run(&mut self, ops: Range<u64>, log: &std::sync::Arc<OpLog>) -> anyhow::Result<RunOutput> {
        // The workers record their own parts; their latencies come back with the replies.
        anyhow::ensure!(!self.broken, "a worker failed in an earlier run");
        self.broken = true;
        let n = self.workers.len();
        // Send every command before reading any reply, so the workers run side by side.
        // The timeline samples the first ops of every worker's part: the first ops of
        // the whole window would all fall in the first worker's part.
        let traced = log.trace_len().div_ceil(n as u64);
        for (k, w) in self.workers.iter_mut().enumerate() {
            let run = Command::Run {
                ops: part(&ops, k, n),
                traced,
            };
            w.send(&run.to_line())?;
        }
        // Buckets are pooled and turned into one histogram at the end: merging a
        // histogram per worker would scan every one of its ~33 000 counters.
        let mut buckets = Vec::new();
        let mut checksum = 0u64;
        let mut usage = Rusage::default();
        let mut memory = WindowMemory {
            windowed: true,
            ..WindowMemory::default()
        };
        let mut spans = Vec::new();
        for (k, w) in self.workers.iter_mut().enumerate() {
            let line = w.read_line("during a run")?;
            let reply: RunReply = serde_json::from_str(&line)
                .map_err(|e| w.failure(&format!("sent a bad reply ({e}): '{line}'")))?;
            buckets.extend_from_slice(&reply.buckets);
            // A worker runs a sequential model: its lane is its process's.
            spans.extend(reply.spans.iter().map(|s| Span {
                worker: k as u32,
                ..*s
            }));
            checksum = checksum.wrapping_add(reply.checksum);
            // Peak RSS adds up too: the workers are alive at the same time.
            usage = usage.plus(&reply.rusage);
            memory = memory.plus(&reply.memory);
        }
        self.broken = false;
        Ok(RunOutput {
            checksum,
            latency: Some(Recorder::from_buckets(&buckets)),
            workers: Some(usage),
            workers_memory: Some(memory),
            spans,
            counter: None,
        })
    }

    fn time_kernel(&mut self, seed: u64, iters: u64) -> anyhow::Result<Option<f64>> {
        // The workers run the ops, in their own runtime: the first one times the kernel.
        anyhow::ensure!(!self.broken, "a worker failed in an earlier run");
        let Some(w) = self.workers.first_mut() else {
            return Ok(None);
        };
        // Broken until the reply is in: a half-answered command leaves the line out of step.
        self.broken = true;
        w.send(&Command::Speed { seed, iters }.to_line())?;
        let line = w.read_line("during the speed check")?;
        let reply: SpeedReply = serde_json::from_str(&line)
            .map_err(|e| w.failure(&format!("sent a bad speed reply ({e}): '{line}'")))?;
        self.broken = false;
        Ok(Some(reply.seconds))
    }
}

impl Drop for ProcessModel {
    fn drop(&mut self) {
        // Ask politely first (a Python worker then exits through its normal shutdown),
        // give them a moment together, then kill whatever is left. Always reap.
        for w in &mut self.workers {
            if let Some(mut stdin) = w.stdin.take() {
                let _ = writeln!(stdin, "{}", Command::Exit.to_line());
            }
        }
        let deadline = Instant::now() + Duration::from_millis(500);
        for w in &mut self.workers {
            loop {
                match w.child.try_wait() {
                    Ok(None) if Instant::now() < deadline => {
                        std::thread::sleep(Duration::from_millis(2))
                    }
                    Ok(None) => {
                        let _ = w.child.kill();
                        let _ = w.child.wait();
                        break;
                    }
                    _ => break,
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parts_cover_the_range_contiguously() {
        for (ops, n) in [(0..10u64, 3usize), (5..6, 4), (0..0, 2), (100..1100, 7)] {
            let mut at = ops.start;
            for k in 0..n {
                let p = part(&ops, k, n);
                assert_eq!(p.start, at);
                assert!(p.end >= p.start);
                at = p.end;
            }
            assert_eq!(at, ops.end);
        }
    }
}
