//! Spawn cost: create a thread, a process or a tokio task, and wait for it to finish (or,
//! for a worker process, to say it is ready).

use std::io::{self, BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use tokio::runtime::{Builder, Runtime};

use crate::model::process::ProcessModel;
use crate::model::CellSpec;
use crate::scenario::{Cell, ModelKind, Runtime as CellRuntime};
use crate::workload::Calibration;

/// When a spawned process counts as done.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReadyWhen {
    /// When it has exited and been waited for (spawn + wait).
    Exit,
    /// When it has written its first line on stdout (e.g. "interpreter ready"). Closing
    /// its stdin and waiting for it happen after the clock stops.
    FirstLine,
}

/// What is spawned.
#[derive(Debug)]
enum What {
    Thread,
    Task(Runtime),
    Process {
        program: PathBuf,
        args: Vec<String>,
        ready: ReadyWhen,
    },
    Worker {
        spec: Box<CellSpec>,
        exe: PathBuf,
    },
}

/// Spawns units of one kind, `n` at a time, each waited for before the next: set up once,
/// then [`Spawner::spawns`] is the timed part.
#[derive(Debug)]
pub struct Spawner {
    what: What,
}

impl Spawner {
    /// `std::thread::spawn` of an empty closure + `join` (Rust's default 2 MiB stack,
    /// mapped but not touched).
    pub fn thread() -> Spawner {
        Spawner { what: What::Thread }
    }

    /// `tokio::spawn` of an empty task + awaiting its handle, from inside a task (so the
    /// new task lands on the spawning worker's queue). `multi_thread`: a two-worker
    /// runtime instead of a current-thread one.
    pub fn task(multi_thread: bool) -> io::Result<Spawner> {
        let rt = if multi_thread {
            Builder::new_multi_thread().worker_threads(2).build()?
        } else {
            Builder::new_current_thread().build()?
        };
        Ok(Spawner {
            what: What::Task(rt),
        })
    }

    /// `program args...` with stdin, stdout and stderr redirected, done per `ready`.
    pub fn process(program: impl Into<PathBuf>, args: &[&str], ready: ReadyWhen) -> Spawner {
        Spawner {
            what: What::Process {
                program: program.into(),
                args: args.iter().map(|s| s.to_string()).collect(),
                ready,
            },
        }
    }

    /// One worker of the `process` model, exactly as a sweep starts it
    /// ([`ProcessModel::spawn`]: `exe worker`, the cell spec on stdin), until it says
    /// `ready` — for a Python runtime, once its interpreter is up and the workloads are
    /// imported. Shutting it down is untimed. `python_path`: the folder holding
    /// `python_workloads` (Python runtimes only).
    pub fn worker(
        runtime: CellRuntime,
        exe: impl Into<PathBuf>,
        python_path: Option<PathBuf>,
    ) -> Spawner {
        Spawner {
            what: What::Worker {
                spec: Box::new(worker_spec(runtime, python_path)),
                exe: exe.into(),
            },
        }
    }

    /// Spawns and waits for `n` units one after the other; returns the time they took
    /// (for [`ReadyWhen::FirstLine`], only the spawn-to-first-line part of each).
    pub fn spawns(&mut self, n: u64) -> io::Result<Duration> {
        match &self.what {
            What::Thread => {
                let start = Instant::now();
                for _ in 0..n {
                    std::thread::spawn(|| {})
                        .join()
                        .map_err(|_| io::Error::other("an empty thread panicked"))?;
                }
                Ok(start.elapsed())
            }
            What::Task(rt) => {
                let timed = rt.spawn(async move {
                    let start = Instant::now();
                    for _ in 0..n {
                        tokio::spawn(async {}).await?;
                    }
                    Ok::<_, tokio::task::JoinError>(start.elapsed())
                });
                rt.block_on(timed)
                    .and_then(|r| r)
                    .map_err(|e| io::Error::other(format!("a spawned task failed: {e}")))
            }
            What::Process {
                program,
                args,
                ready,
            } => {
                let mut total = Duration::ZERO;
                for _ in 0..n {
                    total += spawn_process(program, args, *ready)?;
                }
                Ok(total)
            }
            What::Worker { spec, exe } => {
                let mut total = Duration::ZERO;
                for _ in 0..n {
                    let start = Instant::now();
                    let workers = ProcessModel::spawn(spec, exe)
                        .map_err(|e| io::Error::other(format!("{e:#}")))?;
                    total += start.elapsed();
                    drop(workers);
                }
                Ok(total)
            }
        }
    }
}

/// The spec of a worker that is started and never asked to run an op: a sequential
/// pure-CPU cell of the smallest size. Its calibration is a placeholder (one iteration
/// per microsecond): no op runs, so no iteration count is ever used.
fn worker_spec(runtime: CellRuntime, python_path: Option<PathBuf>) -> CellSpec {
    let op_time_us = 50.0;
    CellSpec {
        cell: Cell::sleep_op(runtime, ModelKind::Process, op_time_us, 0.0, 1),
        ops: 0,
        warmup_ops: 0,
        calibration: Calibration::from_samples(vec![1.0]),
        repetition: 0,
        python_path,
        io_server: None,
        trace_ops: 0,
        python_exe: None,
        speed_reference: None,
        file_dir: None,
    }
}

/// One process: the time from spawn until it is done per `ready`.
fn spawn_process(program: &PathBuf, args: &[String], ready: ReadyWhen) -> io::Result<Duration> {
    let what = || format!("'{}'", program.display());
    let mut cmd = Command::new(program);
    cmd.args(args).stdin(Stdio::piped()).stderr(Stdio::null());
    match ready {
        ReadyWhen::Exit => {
            cmd.stdout(Stdio::null());
            let start = Instant::now();
            let status = cmd.status().map_err(|e| with_what(e, &what()))?;
            let took = start.elapsed();
            if !status.success() {
                return Err(io::Error::other(format!("{} exited with {status}", what())));
            }
            Ok(took)
        }
        ReadyWhen::FirstLine => {
            cmd.stdout(Stdio::piped());
            let start = Instant::now();
            let mut child = cmd.spawn().map_err(|e| with_what(e, &what()))?;
            let mut line = String::new();
            let stdout = child
                .stdout
                .take()
                .ok_or_else(|| io::Error::other("stdout was not piped"))?;
            let got = BufReader::new(stdout).read_line(&mut line);
            let took = start.elapsed();
            // Untimed: let it go (EOF on stdin) and reap it.
            drop(child.stdin.take());
            let status = child.wait()?;
            match got {
                Ok(0) => Err(io::Error::other(format!(
                    "{} exited ({status}) before writing its ready line",
                    what()
                ))),
                Ok(_) => Ok(took),
                Err(e) => Err(with_what(e, &what())),
            }
        }
    }
}

fn with_what(e: io::Error, what: &str) -> io::Error {
    io::Error::new(e.kind(), format!("could not run {what}: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn threads_and_tasks_spawn() {
        assert!(Spawner::thread().spawns(3).unwrap() > Duration::ZERO);
        for multi in [false, true] {
            let mut s = Spawner::task(multi).unwrap();
            assert!(s.spawns(10).unwrap() > Duration::ZERO);
        }
    }

    #[test]
    fn processes_until_exit_and_until_first_line() {
        let mut exit = Spawner::process("/bin/true", &[], ReadyWhen::Exit);
        assert!(exit.spawns(2).unwrap() > Duration::ZERO);
        // `sh` says ready, then waits for its stdin to close.
        let mut line =
            Spawner::process("/bin/sh", &["-c", "echo ready; cat"], ReadyWhen::FirstLine);
        assert!(line.spawns(2).unwrap() > Duration::ZERO);
    }

    #[test]
    fn failures_are_errors_not_panics() {
        let mut missing = Spawner::process("/nonexistent/spectrum", &[], ReadyWhen::Exit);
        let err = missing.spawns(1).unwrap_err().to_string();
        assert!(err.contains("/nonexistent/spectrum"), "{err}");
        let mut failing = Spawner::process("/bin/false", &[], ReadyWhen::Exit);
        assert!(failing.spawns(1).is_err());
        let mut silent = Spawner::process("/bin/true", &[], ReadyWhen::FirstLine);
        assert!(silent.spawns(1).is_err());
        let mut no_worker = Spawner::worker(CellRuntime::Rust, "/nonexistent/spectrum", None);
        assert!(no_worker.spawns(1).is_err());
    }
}
