//! The delay server of the `tcp` I/O kind: a process of its own (`spectrum
//! delay-server`) that answers each request on a loopback TCP connection after the delay
//! the request asks for, with microsecond precision, and the handle that starts and
//! queries it ([`DelayServer`]).
//!
//! It stands in for the far end of a network: it must never be what is measured. Hence
//! one thread blocked in epoll (no spinning on the cores the cell uses), a binary heap of
//! deadlines and one absolute `timerfd` instead of a millisecond timer wheel, timer slack
//! set to 1 ns, and its own lateness, CPU time and connection counts reported apart from
//! the cell's.
//!
//! # Wire protocol
//! - request, client → server, 16 bytes: `token: u64 LE`, `delay_ns: u64 LE`;
//! - reply, server → client, 8 bytes: the same `token`, written once `delay_ns` has
//!   passed since the server *read* the request (0: at once);
//! - a connection may have several requests in flight, each scheduled on its own;
//! - end of input from the client closes the connection; a failed read or write closes
//!   that connection only.
//!
//! # The process
//! It binds 127.0.0.1 on an ephemeral port, prints `listening <port>` on stdout, then
//! serves. Control lines on stdin, one reply line each on stdout: `mark` → `marked`
//! (zero the counts, sample rusage), `stats` → one JSON [`ServerStats`]; end of stdin →
//! exit 0. It dies with its parent (`PR_SET_PDEATHSIG`) and raises its soft
//! `RLIMIT_NOFILE` to the hard limit, so it holds as many connections as that allows.

mod conn;
mod control;
mod event_loop;
mod handle;
mod stats;
mod timers;

pub use conn::{REPLY_LEN, REQUEST_LEN};
pub use handle::DelayServer;
pub use stats::ServerStats;

use anyhow::{Context, Result};
use std::io::Write;

use crate::io::sys;

/// The `spectrum delay-server` subcommand: serves until stdin ends.
pub fn main() -> Result<()> {
    sys::die_with_parent().context("prctl(PR_SET_PDEATHSIG)")?;
    // 1 ns, the least the kernel takes, instead of the default 50 µs that it may add to
    // a wait of this thread to batch wake-ups.
    sys::set_timer_slack(1).context("prctl(PR_SET_TIMERSLACK)")?;
    sys::raise_fd_limit().context("could not raise RLIMIT_NOFILE")?;
    let mut server = event_loop::Server::bind()?;
    let mut out = std::io::stdout().lock();
    writeln!(out, "listening {}", server.port()?)?;
    out.flush()?;
    drop(out);
    server.run()
}
