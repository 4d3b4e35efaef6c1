//! The I/O half of an op as one worker performs it: a timer wait, (`tcp`) a request
//! on the worker's own connection to the delay server, or (`file`) a 4 KiB write to the
//! worker's own file.
//!
//! A waiter belongs to one worker (thread, task, process) and is opened at set-up,
//! outside the window: a connection or file per worker is what a real service holds,
//! and opening it is not part of the op.

use anyhow::Context;
use std::io;
use std::net::{SocketAddr, TcpStream};
use std::path::Path;

use super::file::{AsyncFileWriter, FileWriter};
use super::Op;
use crate::io::client::{connect_blocking, request_async, request_blocking};
use crate::scenario::{FileSync, IoKind};

/// Where a worker's I/O goes: the delay server (`tcp`), the cell's folder and sync mode
/// (`file`). Set up by the cell process before the model is built.
#[derive(Debug, Clone, Copy, Default)]
pub struct IoTarget<'a> {
    /// The delay server's address (`tcp`).
    pub server: Option<SocketAddr>,
    /// The cell's folder for its files, and how each write is synced (`file`).
    pub file: Option<(&'a Path, FileSync)>,
}

impl IoTarget<'_> {
    fn file(&self) -> anyhow::Result<(&Path, FileSync)> {
        self.file
            .context("a file cell needs its folder (made by the cell process at set-up)")
    }
}

/// How one blocking worker waits the I/O half.
#[derive(Debug)]
pub enum Waiter {
    /// `std::thread::sleep`.
    Sleep,
    /// A request on this worker's own connection: the thread blocks in `read`.
    Tcp(TcpStream),
    /// A 4 KiB write to this worker's own file, synced per the cell's mode.
    File(FileWriter),
}

impl Waiter {
    /// The waiter of one worker of a cell whose I/O kind is `io`.
    pub fn open(io: IoKind, to: IoTarget<'_>) -> anyhow::Result<Waiter> {
        match io {
            IoKind::Sleep => Ok(Waiter::Sleep),
            IoKind::Tcp => Ok(Waiter::Tcp(connect(to.server)?)),
            IoKind::File => {
                let (dir, mode) = to.file()?;
                Ok(Waiter::File(FileWriter::open(dir, mode).with_context(
                    || format!("could not create a file in {}", dir.display()),
                )?))
            }
        }
    }

    /// Waits the I/O half of `op`, blocking the calling thread; `token` is the op's
    /// index (the delay server echoes it back).
    #[inline]
    pub fn wait(&mut self, op: &Op, token: u64) -> io::Result<()> {
        // A file op's I/O length is not a wait: its write happens whatever the length.
        if op.io.is_zero() && !matches!(self, Waiter::File(_)) {
            return Ok(());
        }
        match self {
            Waiter::Sleep => std::thread::sleep(op.io),
            Waiter::Tcp(s) => request_blocking(s, token, op.io)?,
            Waiter::File(f) => f.write()?,
        }
        Ok(())
    }
}

/// A blocking connection to the delay server, closed with a reset when dropped: set-up
/// connections must leave no `TIME_WAIT` behind, or a sweep of 10 000-connection cells
/// would run out of ephemeral ports (28 232 here) by its third repetition.
fn connect(server: Option<SocketAddr>) -> anyhow::Result<TcpStream> {
    let addr = server.context("a tcp cell needs the delay server's address")?;
    let s = connect_blocking(addr)
        .with_context(|| format!("could not connect to the delay server at {addr}"))?;
    let linger = libc::linger {
        l_onoff: 1,
        l_linger: 0,
    };
    // SAFETY: setsockopt reads one linger struct we own, on a descriptor we own.
    let rc = unsafe {
        libc::setsockopt(
            std::os::fd::AsRawFd::as_raw_fd(&s),
            libc::SOL_SOCKET,
            libc::SO_LINGER,
            (&linger as *const libc::linger).cast(),
            std::mem::size_of::<libc::linger>() as libc::socklen_t,
        )
    };
    if rc != 0 {
        return Err(io::Error::last_os_error()).context("could not set SO_LINGER");
    }
    Ok(s)
}

/// How one async task waits the I/O half.
#[derive(Debug)]
pub enum AsyncWaiter {
    /// `tokio::time::sleep` (tokio's timer ticks in milliseconds: a finding, not a bug).
    Sleep,
    /// A request on this task's own connection: the task awaits socket readiness.
    Tcp(tokio::net::TcpStream),
    /// A 4 KiB write through `tokio::fs`, on tokio's blocking pool.
    File(AsyncFileWriter),
}

impl AsyncWaiter {
    /// The waiter of one task; for `tcp`, call it inside the tokio runtime that will
    /// poll the task (a tokio socket registers with that runtime's reactor).
    pub fn open(io: IoKind, to: IoTarget<'_>) -> anyhow::Result<AsyncWaiter> {
        match io {
            IoKind::Sleep => Ok(AsyncWaiter::Sleep),
            IoKind::File => {
                let (dir, mode) = to.file()?;
                Ok(AsyncWaiter::File(
                    AsyncFileWriter::open(dir, mode)
                        .with_context(|| format!("could not create a file in {}", dir.display()))?,
                ))
            }
            IoKind::Tcp => {
                let s = connect(to.server)?;
                s.set_nonblocking(true)
                    .context("could not make the connection non-blocking")?;
                Ok(AsyncWaiter::Tcp(
                    tokio::net::TcpStream::from_std(s)
                        .context("could not register the connection with tokio")?,
                ))
            }
        }
    }

    /// Waits the I/O half of `op` on the current tokio runtime.
    pub async fn wait(&mut self, op: &Op, token: u64) -> io::Result<()> {
        if op.io.is_zero() && !matches!(self, AsyncWaiter::File(_)) {
            return Ok(());
        }
        match self {
            AsyncWaiter::Sleep => tokio::time::sleep(op.io).await,
            AsyncWaiter::Tcp(s) => request_async(s, token, op.io).await?,
            AsyncWaiter::File(f) => f.write().await?,
        }
        Ok(())
    }
}
