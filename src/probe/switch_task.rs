//! The tokio ping-pongs: two tasks passing a byte over a pair of bounded channels, on one
//! worker, on a multi-thread runtime, or across two single-thread runtimes.

use std::io;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use tokio::runtime::{Builder, Runtime};
use tokio::sync::mpsc::{channel, Receiver, Sender};

use super::affinity::{first_allowed_cpu, pin_current_thread, AffinityGuard, Pinning};
use super::pipe::PING;
use super::switch::PingPong;

/// The pinger's ends of the two channels.
type Ends = (Sender<u8>, Receiver<u8>);

/// Two tokio tasks ping-ponging; the pinger is spawned afresh for each timed batch so that
/// the timed loop runs inside a task, not in `block_on`.
pub(crate) struct TaskPingPong {
    rt: Runtime,
    ends: Option<Ends>,
    /// The OS thread driving the ponger's runtime (across-workers only).
    partner: Option<JoinHandle<()>>,
    _pin: AffinityGuard,
}

impl TaskPingPong {
    /// Both tasks on one current-thread runtime driven by the calling thread.
    pub(crate) fn same_worker(pinning: Pinning) -> io::Result<TaskPingPong> {
        let pin = pinning.apply()?;
        let rt = Builder::new_current_thread().build()?;
        let (ends, theirs) = channels();
        rt.spawn(pong(theirs));
        Ok(TaskPingPong {
            rt,
            ends: Some(ends),
            partner: None,
            _pin: pin,
        })
    }

    /// Both tasks on a two-worker multi-thread runtime; pinned: both workers on one core.
    pub(crate) fn multi_thread(pinning: Pinning) -> io::Result<TaskPingPong> {
        let pin = pinning.apply()?;
        let cpu = partner_cpu(pinning)?;
        let rt = Builder::new_multi_thread()
            .worker_threads(2)
            .on_thread_start(move || {
                if let Some(cpu) = cpu {
                    let _ = pin_current_thread(cpu);
                }
            })
            .build()?;
        let (ends, theirs) = channels();
        rt.spawn(pong(theirs));
        Ok(TaskPingPong {
            rt,
            ends: Some(ends),
            partner: None,
            _pin: pin,
        })
    }

    /// The pinger on a current-thread runtime driven by the calling thread, the ponger on
    /// another one driven by its own thread: every message wakes the other worker.
    pub(crate) fn across_workers(pinning: Pinning) -> io::Result<TaskPingPong> {
        let pin = pinning.apply()?;
        let cpu = partner_cpu(pinning)?;
        let rt = Builder::new_current_thread().build()?;
        let theirs_rt = Builder::new_current_thread().build()?;
        let (ends, theirs) = channels();
        let partner = std::thread::Builder::new()
            .name("probe-pong".into())
            .spawn(move || {
                if let Some(cpu) = cpu {
                    let _ = pin_current_thread(cpu);
                }
                theirs_rt.block_on(pong(theirs));
            })?;
        Ok(TaskPingPong {
            rt,
            ends: Some(ends),
            partner: Some(partner),
            _pin: pin,
        })
    }
}

fn partner_cpu(pinning: Pinning) -> io::Result<Option<usize>> {
    match pinning {
        Pinning::Pinned => Ok(Some(first_allowed_cpu()?)),
        Pinning::Unpinned => Ok(None),
    }
}

/// Two channels of capacity one: (the pinger's ends, the ponger's ends).
fn channels() -> (Ends, Ends) {
    let (ping_tx, ping_rx) = channel(1);
    let (pong_tx, pong_rx) = channel(1);
    ((ping_tx, pong_rx), (pong_tx, ping_rx))
}

/// Echoes until the pinger's sender is dropped.
async fn pong((tx, mut rx): Ends) {
    while let Some(byte) = rx.recv().await {
        if tx.send(byte).await.is_err() {
            break;
        }
    }
}

fn partner_gone() -> io::Error {
    io::Error::new(io::ErrorKind::BrokenPipe, "the ponger task is gone")
}

impl PingPong for TaskPingPong {
    fn round_trips(&mut self, n: u64) -> io::Result<Duration> {
        let (tx, mut rx) = self.ends.take().ok_or_else(partner_gone)?;
        let pinger = self.rt.spawn(async move {
            let start = Instant::now();
            for _ in 0..n {
                if tx.send(PING).await.is_err() || rx.recv().await.is_none() {
                    return (tx, rx, Err(partner_gone()));
                }
            }
            let took = start.elapsed();
            (tx, rx, Ok(took))
        });
        let (tx, rx, took) = self
            .rt
            .block_on(pinger)
            .map_err(|e| io::Error::other(format!("the pinger task failed: {e}")))?;
        self.ends = Some((tx, rx));
        took
    }
}

impl Drop for TaskPingPong {
    fn drop(&mut self) {
        // Dropping the pinger's sender ends the ponger's loop, and with it the thread.
        self.ends = None;
        if let Some(partner) = self.partner.take() {
            let _ = partner.join();
        }
    }
}
