//! Switch cost: ping-pong round trips between two parties (threads, processes, tokio
//! tasks), set up outside the timed part.
//!
//! One round trip is two switches: the pinger wakes the ponger and blocks (switch one),
//! the ponger answers and blocks (switch two). Callers report per switch, so they divide
//! a round trip by two ([`SWITCHES_PER_ROUND_TRIP`]).

use std::io;
use std::os::fd::{AsRawFd, OwnedFd};
use std::sync::{Arc, Condvar, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};

use super::affinity::{first_allowed_cpu, pin_current_thread, AffinityGuard, Pinning};
use super::pipe::{pipe, read_byte, write_byte, PING, STOP};

/// Switches in one round trip: there and back.
pub const SWITCHES_PER_ROUND_TRIP: u32 = 2;

/// What kind of party is switched to and how it is woken. Serialized as its
/// [`SwitchKind::label`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SwitchKind {
    /// Two OS threads, one byte over a pair of pipes (the wake-up goes through the kernel's
    /// pipe wait queue).
    ThreadPipe,
    /// Two OS threads, a `Mutex` + `Condvar` handing the turn over (futex wait/wake).
    ThreadCondvar,
    /// Two processes (the child is `fork`ed and echoes bytes), one byte over a pair of pipes.
    ProcessPipe,
    /// Two tokio tasks on a current-thread runtime: one worker, no OS switch at all.
    TaskSameWorker,
    /// Two tokio tasks on a two-worker multi-thread runtime, placed by tokio's scheduler
    /// (its LIFO slot usually runs a woken task on the waker's worker).
    TaskMultiThread,
    /// Two tokio tasks on two single-thread runtimes, each on its own OS thread: every
    /// wake-up crosses workers, as when work-stealing moves a task.
    TaskAcrossWorkers,
    /// The baseline: one thread writes a byte into a pipe and reads it back, twice per
    /// "round trip" — the same system calls as [`SwitchKind::ThreadPipe`] without a switch.
    PipeBaseline,
}

impl SwitchKind {
    /// Every kind, in the order benches and tables show them.
    pub const ALL: [SwitchKind; 7] = [
        SwitchKind::ThreadPipe,
        SwitchKind::ThreadCondvar,
        SwitchKind::ProcessPipe,
        SwitchKind::TaskSameWorker,
        SwitchKind::TaskMultiThread,
        SwitchKind::TaskAcrossWorkers,
        SwitchKind::PipeBaseline,
    ];

    /// A short name for bench ids and tables, e.g. `thread_pipe`.
    pub fn label(self) -> &'static str {
        match self {
            SwitchKind::ThreadPipe => "thread_pipe",
            SwitchKind::ThreadCondvar => "thread_condvar",
            SwitchKind::ProcessPipe => "process_pipe",
            SwitchKind::TaskSameWorker => "task_same_worker",
            SwitchKind::TaskMultiThread => "task_multi_thread",
            SwitchKind::TaskAcrossWorkers => "task_across_workers",
            SwitchKind::PipeBaseline => "pipe_baseline",
        }
    }
}

/// A ping-pong, set up and ready: [`PingPong::round_trips`] is the timed part.
pub trait PingPong {
    /// Runs `n` round trips and returns how long they took.
    fn round_trips(&mut self, n: u64) -> io::Result<Duration>;
}

/// Sets up a ping-pong of `kind` (spawns the partner thread, process or task). With
/// [`Pinning::Pinned`] the calling thread is pinned too until the returned value drops,
/// so drop it on the thread that started it.
pub fn start_ping_pong(kind: SwitchKind, pinning: Pinning) -> io::Result<Box<dyn PingPong>> {
    Ok(match kind {
        SwitchKind::ThreadPipe => Box::new(ThreadPipe::start(pinning)?),
        SwitchKind::ThreadCondvar => Box::new(ThreadCondvar::start(pinning)?),
        SwitchKind::ProcessPipe => Box::new(super::switch_process::ProcessPipe::start(pinning)?),
        SwitchKind::TaskSameWorker => {
            Box::new(super::switch_task::TaskPingPong::same_worker(pinning)?)
        }
        SwitchKind::TaskMultiThread => {
            Box::new(super::switch_task::TaskPingPong::multi_thread(pinning)?)
        }
        SwitchKind::TaskAcrossWorkers => {
            Box::new(super::switch_task::TaskPingPong::across_workers(pinning)?)
        }
        SwitchKind::PipeBaseline => Box::new(PipeBaseline::start(pinning)?),
    })
}

/// Mean cost of one switch of `kind`, from `round_trips` round trips after a warm-up of a
/// tenth as many: the one-call form for `spectrum` and demos.
pub fn per_switch(kind: SwitchKind, pinning: Pinning, round_trips: u64) -> io::Result<Duration> {
    let round_trips = round_trips.max(1);
    let mut pp = start_ping_pong(kind, pinning)?;
    pp.round_trips((round_trips / 10).max(1))?;
    let total = pp.round_trips(round_trips)?;
    let switches = u128::from(round_trips) * u128::from(SWITCHES_PER_ROUND_TRIP);
    Ok(Duration::from_nanos((total.as_nanos() / switches) as u64))
}

/// The partner's CPU: the pinger's core when pinned.
fn partner_cpu(pinning: Pinning) -> io::Result<Option<usize>> {
    match pinning {
        Pinning::Pinned => Ok(Some(first_allowed_cpu()?)),
        Pinning::Unpinned => Ok(None),
    }
}

/// Two threads, a byte over two pipes.
struct ThreadPipe {
    to_partner: OwnedFd,
    from_partner: OwnedFd,
    partner: Option<JoinHandle<()>>,
    _pin: AffinityGuard,
}

impl ThreadPipe {
    fn start(pinning: Pinning) -> io::Result<ThreadPipe> {
        let pin = pinning.apply()?;
        let cpu = partner_cpu(pinning)?;
        let (ping_r, ping_w) = pipe()?;
        let (pong_r, pong_w) = pipe()?;
        let partner = std::thread::Builder::new()
            .name("probe-pong".into())
            .spawn(move || {
                if let Some(cpu) = cpu {
                    let _ = pin_current_thread(cpu);
                }
                // Echo until told to stop (or the pipe closes).
                while let Ok(Some(PING)) = read_byte(ping_r.as_raw_fd()) {
                    if write_byte(pong_w.as_raw_fd(), PING).is_err() {
                        break;
                    }
                }
            })?;
        Ok(ThreadPipe {
            to_partner: ping_w,
            from_partner: pong_r,
            partner: Some(partner),
            _pin: pin,
        })
    }
}

impl PingPong for ThreadPipe {
    fn round_trips(&mut self, n: u64) -> io::Result<Duration> {
        let (w, r) = (self.to_partner.as_raw_fd(), self.from_partner.as_raw_fd());
        let start = Instant::now();
        for _ in 0..n {
            write_byte(w, PING)?;
            expect_ping(read_byte(r)?)?;
        }
        Ok(start.elapsed())
    }
}

impl Drop for ThreadPipe {
    fn drop(&mut self) {
        let _ = write_byte(self.to_partner.as_raw_fd(), STOP);
        if let Some(partner) = self.partner.take() {
            let _ = partner.join();
        }
    }
}

/// Whose turn it is in the condvar ping-pong.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Turn {
    Ping,
    Pong,
    Stop,
}

/// Two threads handing a turn over with a mutex and a condvar.
struct ThreadCondvar {
    shared: Arc<(Mutex<Turn>, Condvar)>,
    partner: Option<JoinHandle<()>>,
    _pin: AffinityGuard,
}

impl ThreadCondvar {
    fn start(pinning: Pinning) -> io::Result<ThreadCondvar> {
        let pin = pinning.apply()?;
        let cpu = partner_cpu(pinning)?;
        let shared = Arc::new((Mutex::new(Turn::Ping), Condvar::new()));
        let theirs = Arc::clone(&shared);
        let partner = std::thread::Builder::new()
            .name("probe-pong".into())
            .spawn(move || {
                if let Some(cpu) = cpu {
                    let _ = pin_current_thread(cpu);
                }
                let (lock, cv) = &*theirs;
                loop {
                    let Ok(mut turn) = lock.lock() else { return };
                    while *turn == Turn::Ping {
                        turn = match cv.wait(turn) {
                            Ok(t) => t,
                            Err(_) => return,
                        };
                    }
                    if *turn == Turn::Stop {
                        return;
                    }
                    *turn = Turn::Ping;
                    drop(turn);
                    // Notify after unlocking (see `round_trips`); only two parties, so
                    // notify_one always wakes the other.
                    cv.notify_one();
                }
            })?;
        Ok(ThreadCondvar {
            shared,
            partner: Some(partner),
            _pin: pin,
        })
    }
}

impl PingPong for ThreadCondvar {
    fn round_trips(&mut self, n: u64) -> io::Result<Duration> {
        let (lock, cv) = &*self.shared;
        let poisoned = |_| io::Error::other("the condvar partner panicked");
        let start = Instant::now();
        for _ in 0..n {
            *lock.lock().map_err(poisoned)? = Turn::Pong;
            // Notify with the mutex already unlocked: a partner woken while we still
            // held it would block again on the mutex, adding a switch per hand-over
            // ("hurry up and wait") and measuring the mutex instead of the wake-up.
            cv.notify_one();
            let mut turn = lock.lock().map_err(poisoned)?;
            while *turn == Turn::Pong {
                turn = cv.wait(turn).map_err(poisoned)?;
            }
        }
        Ok(start.elapsed())
    }
}

impl Drop for ThreadCondvar {
    fn drop(&mut self) {
        let (lock, cv) = &*self.shared;
        if let Ok(mut turn) = lock.lock() {
            *turn = Turn::Stop;
            cv.notify_one();
        }
        if let Some(partner) = self.partner.take() {
            let _ = partner.join();
        }
    }
}

/// One thread, one pipe: write a byte, read it back.
struct PipeBaseline {
    read: OwnedFd,
    write: OwnedFd,
    _pin: AffinityGuard,
}

impl PipeBaseline {
    fn start(pinning: Pinning) -> io::Result<PipeBaseline> {
        let pin = pinning.apply()?;
        let (read, write) = pipe()?;
        Ok(PipeBaseline {
            read,
            write,
            _pin: pin,
        })
    }
}

impl PingPong for PipeBaseline {
    fn round_trips(&mut self, n: u64) -> io::Result<Duration> {
        let (w, r) = (self.write.as_raw_fd(), self.read.as_raw_fd());
        let start = Instant::now();
        for _ in 0..n {
            // Twice: a real round trip makes two writes and two reads.
            for _ in 0..SWITCHES_PER_ROUND_TRIP {
                write_byte(w, PING)?;
                expect_ping(read_byte(r)?)?;
            }
        }
        Ok(start.elapsed())
    }
}

/// A reply must be a ping; anything else means the partner died or misbehaved.
pub(crate) fn expect_ping(byte: Option<u8>) -> io::Result<()> {
    match byte {
        Some(PING) => Ok(()),
        Some(other) => Err(io::Error::other(format!(
            "ping-pong partner sent {other:#x}, expected a ping"
        ))),
        None => Err(io::Error::new(
            io::ErrorKind::UnexpectedEof,
            "ping-pong partner closed its pipe",
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_runs_round_trips_and_stops() {
        for kind in SwitchKind::ALL {
            for pinning in Pinning::ALL {
                // A fresh thread per case: pinning must not leak into the test harness.
                let took = std::thread::spawn(move || {
                    let mut pp = start_ping_pong(kind, pinning).unwrap();
                    pp.round_trips(3).unwrap();
                    pp.round_trips(50).unwrap()
                })
                .join()
                .unwrap();
                assert!(took > Duration::ZERO, "{kind:?} {pinning:?}");
            }
        }
    }

    #[test]
    fn per_switch_is_positive() {
        let d = per_switch(SwitchKind::ThreadCondvar, Pinning::Unpinned, 20).unwrap();
        assert!(d > Duration::ZERO);
    }

    #[test]
    fn labels_are_unique() {
        let mut labels: Vec<_> = SwitchKind::ALL.iter().map(|k| k.label()).collect();
        labels.sort();
        labels.dedup();
        assert_eq!(labels.len(), SwitchKind::ALL.len());
    }
}
