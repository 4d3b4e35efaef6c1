//! The I/O half of an op as one worker performs it: a timer wait, or (`tcp`) a request
//! on the worker's own connection to the delay server.
//!
//! A waiter belongs to one worker (thread, task, process) and is opened at set-up,
//! outside the window: a connection per worker is what a real service holds, and
//! opening it is not part of the op.

use std::io;
use std::net::SocketAddr;

use super::Op;
use crate::scenario::IoKind;

/// How one blocking worker waits the I/O half.
#[derive(Debug)]
pub enum Waiter {
    /// `std::thread::sleep`.
    Sleep,
}

impl Waiter {
    /// The waiter of one worker of a cell whose I/O kind is `io`; `server` is the delay
    /// server's address for `tcp`.
    pub fn open(io: IoKind, server: Option<SocketAddr>) -> anyhow::Result<Waiter> {
        let _ = server;
        match io {
            IoKind::Sleep => Ok(Waiter::Sleep),
            IoKind::Tcp => anyhow::bail!("the tcp I/O kind is not built yet"),
        }
    }

    /// Waits the I/O half of `op`, blocking the calling thread; `token` is the op's
    /// index (the delay server echoes it back).
    #[inline]
    pub fn wait(&mut self, op: &Op, token: u64) -> io::Result<()> {
        let _ = token;
        if op.io.is_zero() {
            return Ok(());
        }
        match self {
            Waiter::Sleep => std::thread::sleep(op.io),
        }
        Ok(())
    }
}

/// How one async task waits the I/O half.
#[derive(Debug)]
pub enum AsyncWaiter {
    /// `tokio::time::sleep` (tokio's timer ticks in milliseconds: a finding, not a bug).
    Sleep,
}

impl AsyncWaiter {
    /// The waiter of one task; for `tcp`, call it inside the tokio runtime that will
    /// poll the task (a tokio socket registers with that runtime's reactor).
    pub fn open(io: IoKind, server: Option<SocketAddr>) -> anyhow::Result<AsyncWaiter> {
        let _ = server;
        match io {
            IoKind::Sleep => Ok(AsyncWaiter::Sleep),
            IoKind::Tcp => anyhow::bail!("the tcp I/O kind is not built yet"),
        }
    }

    /// Waits the I/O half of `op` on the current tokio runtime.
    pub async fn wait(&mut self, op: &Op, token: u64) -> io::Result<()> {
        let _ = token;
        if op.io.is_zero() {
            return Ok(());
        }
        match self {
            AsyncWaiter::Sleep => tokio::time::sleep(op.io).await,
        }
        Ok(())
    }
}
