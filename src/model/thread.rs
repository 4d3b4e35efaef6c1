//! The `thread` model: N OS threads, spawned at set-up and parked until a run hands them
//! a range; each pulls op indices from one shared atomic counter.
//!
//! Spawning is set-up (creating 1000 threads costs milliseconds and must not be inside
//! the window), and so is each thread's I/O waiter (its own connection for `tcp`);
//! handing out a run costs one channel send per thread. Threads exit when the model is
//! dropped.

use std::ops::Range;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{mpsc, Arc};
use std::thread::JoinHandle;

use anyhow::Context;

use super::trace::run_logged;
use super::{CellSpec, Model, OpLog};
use crate::metrics::RunOutput;
use crate::workload::{Op, Waiter};

/// One run, shared by every thread: the next op index to take, where to stop, and the
/// log to record into.
struct Job {
    next: AtomicU64,
    end: u64,
    log: Arc<OpLog>,
}

/// What a thread hands back from a run: its checksum, or why it stopped.
type Reply = Result<u64, String>;

/// A pre-spawned thread waiting for jobs.
struct Worker {
    jobs: Option<mpsc::Sender<Arc<Job>>>,
    handle: Option<JoinHandle<()>>,
}

/// N parked OS threads and the channel their replies come back on.
pub(crate) struct Threads {
    workers: Vec<Worker>,
    replies: mpsc::Receiver<Reply>,
    /// The op every thread runs (for a counting op's run, [`Op::counting`]).
    op: Op,
}

/// Spawns the `spec.cell.concurrency` threads of the native thread model.
pub(crate) fn build(spec: &CellSpec) -> anyhow::Result<Box<dyn Model>> {
    let n = spec.cell.concurrency;
    anyhow::ensure!(n >= 1, "the thread model needs a concurrency of at least 1");
    let op = spec.op();
    let (reply_tx, replies) = mpsc::channel();
    let mut model = Threads {
        workers: Vec::with_capacity(n as usize),
        replies,
        op,
    };
    for k in 0..n {
        let (jobs_tx, jobs_rx) = mpsc::channel::<Arc<Job>>();
        let reply_tx = reply_tx.clone();
        let waiter = spec
            .waiter()
            .with_context(|| format!("could not set up the I/O of thread {} of {n}", k + 1))?;
        // If this fails part-way, dropping `model` stops the threads already spawned.
        let handle = std::thread::Builder::new()
            .name(format!("spectrum-thread-{k}"))
            .spawn(move || serve(k, op, waiter, jobs_rx, reply_tx))
            .with_context(|| {
                format!(
                    "could not spawn thread {} of {n} (check `ulimit -u` and free memory)",
                    k + 1
                )
            })?;
        model.workers.push(Worker {
            jobs: Some(jobs_tx),
            handle: Some(handle),
        });
    }
    Ok(Box::new(model))
}

/// A thread's life: wait for a job, run ops until the counter passes the end, reply;
/// return when the model drops its end of the job channel.
fn serve(
    worker: u32,
    op: Op,
    mut waiter: Waiter,
    jobs: mpsc::Receiver<Arc<Job>>,
    replies: mpsc::Sender<Reply>,
) {
    while let Ok(job) = jobs.recv() {
        // A panic must become a reply, or `run` would wait forever for this thread.
        let reply = catch_unwind(AssertUnwindSafe(|| work(worker, op, &mut waiter, &job)))
            .unwrap_or_else(|p| {
                Err(p
                    .downcast_ref::<&str>()
                    .map(|s| s.to_string())
                    .or_else(|| p.downcast_ref::<String>().cloned())
                    .unwrap_or_else(|| "a thread panicked".to_string()))
            });
        if replies.send(reply).is_err() {
            return;
        }
    }
}

/// The hot loop: take the next index, run that op, log its latency.
fn work(worker: u32, op: Op, waiter: &mut Waiter, job: &Job) -> Reply {
    let mut checksum = 0u64;
    loop {
        // Relaxed is enough: the counter only hands out distinct indices; the results
        // travel back through the reply channel, which synchronises.
        let i = job.next.fetch_add(1, Ordering::Relaxed);
        if i >= job.end {
            break;
        }
        let c = run_logged(&op, i, waiter, &job.log, worker).map_err(|e| format!("op {i}: {e}"))?;
        checksum = checksum.wrapping_add(c);
    }
    Ok(checksum)
}

impl Model for Threads {
    fn run(&mut self, ops: Range<u64>, log: &Arc<OpLog>) -> anyhow::Result<RunOutput> {
        // Reset before any thread is handed the job: the counter is the window's alone.
        let counting = self.op.counting(&ops);
        let job = Arc::new(Job {
            next: AtomicU64::new(ops.start),
            end: ops.end,
            log: Arc::clone(log),
        });
        for (k, w) in self.workers.iter().enumerate() {
            let sent = w.jobs.as_ref().map(|tx| tx.send(Arc::clone(&job)));
            anyhow::ensure!(matches!(sent, Some(Ok(()))), "thread {k} has exited");
        }
        // Every reply is taken even after a failure, so none is left over to be
        // mistaken for part of the next run.
        let mut out = RunOutput::default();
        let mut failure = None;
        for _ in 0..self.workers.len() {
            let reply = self
                .replies
                .recv()
                .context("every thread of the thread model has exited")?;
            match reply {
                Ok(checksum) => out.checksum = out.checksum.wrapping_add(checksum),
                Err(msg) => failure = failure.or(Some(msg)),
            }
        }
        out.counter = counting.map(|c| c.finish());
        match failure {
            Some(msg) => anyhow::bail!("a thread of the thread model failed: {msg}"),
            None => Ok(out),
        }
    }
}

impl Drop for Threads {
    fn drop(&mut self) {
        // Closing every job channel first lets all threads exit in parallel.
        for w in &mut self.workers {
            w.jobs.take();
        }
        for w in &mut self.workers {
            if let Some(h) = w.handle.take() {
                let _ = h.join();
            }
        }
    }
}
