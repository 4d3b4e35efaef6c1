//! The delay server's event loop: one thread, one level-triggered epoll set holding the
//! listener, the timer, stdin and every connection; it blocks in `epoll_wait` until a
//! socket, the control channel or the earliest deadline needs it (no spinning: it shares
//! the cores with what is measured).

use anyhow::{Context, Result};
use std::fs::File;
use std::io::{self, Write};
use std::net::{Ipv4Addr, TcpListener, TcpStream};
use std::os::fd::{AsRawFd, FromRawFd};

use super::conn::{Conn, Key, ReadState, Slab};
use super::control::{Command, Control};
use super::stats::Accounting;
use super::timers::Timers;
use crate::io::sys::{monotonic_ns, Epoll, TimerFd};

/// Epoll tokens of the three fixed descriptors (connections use their [`Key`]).
const LISTENER: u64 = Key::reserved(0);
const TIMER: u64 = Key::reserved(1);
const CONTROL: u64 = Key::reserved(2);

/// Events taken per `epoll_wait`.
const EVENTS: usize = 1024;

/// The listen backlog asked for; the kernel caps it at `net.core.somaxconn`. Large, so
/// that thousands of workers connecting at once in a cell's set-up are queued, not
/// refused.
const BACKLOG: libc::c_int = 65535;

const IN: u32 = libc::EPOLLIN as u32;
const OUT: u32 = libc::EPOLLOUT as u32;
const READ_EVENTS: u32 = (libc::EPOLLIN | libc::EPOLLHUP | libc::EPOLLERR) as u32;

/// The server's state.
pub(super) struct Server {
    epoll: Epoll,
    timer: TimerFd,
    /// The deadline the timer is armed for, to skip re-arming it with the same value.
    armed: Option<u64>,
    listener: TcpListener,
    /// A descriptor held in reserve: at the fd limit, closing it makes room to accept a
    /// connection and close it at once, instead of leaving it queued while the listener
    /// stays readable and the loop spins.
    spare: Option<File>,
    /// The listener is out of the epoll set (at the fd limit with no spare to shed with).
    listener_paused: bool,
    /// We said once on stderr that the fd limit was reached.
    warned_fd_limit: bool,
    conns: Slab,
    timers: Timers,
    accounting: Accounting,
    control: Control,
    /// Requests of one read, reused.
    scratch: Vec<(u64, u64)>,
    /// The far end's spread of answer times (see `spread_delay`).
    spread: f64,
}

impl Server {
    /// Binds 127.0.0.1 on an ephemeral port (never another interface: the server takes
    /// any request it is sent) and builds the epoll set.
    pub(super) fn bind(spread: f64) -> Result<Server> {
        let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
            .context("could not bind 127.0.0.1 on an ephemeral port")?;
        // std listens with a small backlog; listen(2) on a listening socket only changes
        // the backlog.
        // SAFETY: plain integer arguments on a socket we own.
        if unsafe { libc::listen(listener.as_raw_fd(), BACKLOG) } != 0 {
            return Err(io::Error::last_os_error()).context("could not set the listen backlog");
        }
        listener.set_nonblocking(true)?;
        let epoll = Epoll::new().context("epoll_create1")?;
        let timer = TimerFd::new().context("timerfd_create")?;
        epoll.add(listener.as_raw_fd(), IN, LISTENER)?;
        epoll.add(timer.as_raw_fd(), IN, TIMER)?;
        epoll.add(libc::STDIN_FILENO, IN, CONTROL).context(
            "stdin must be a pipe or a terminal: it is the control channel \
             (`mark`, `stats`; end of input stops the server)",
        )?;
        Ok(Server {
            epoll,
            timer,
            armed: None,
            listener,
            spare: File::open("/dev/null").ok(),
            listener_paused: false,
            warned_fd_limit: false,
            conns: Slab::default(),
            timers: Timers::default(),
            accounting: Accounting::new(),
            control: Control::default(),
            scratch: Vec::new(),
            spread,
        })
    }

    /// The port it listens on.
    pub(super) fn port(&self) -> io::Result<u16> {
        Ok(self.listener.local_addr()?.port())
    }

    /// Serves until stdin ends.
    pub(super) fn run(&mut self) -> Result<()> {
        let mut events = vec![libc::epoll_event { events: 0, u64: 0 }; EVENTS];
        loop {
            let n = self.epoll.wait(&mut events, -1).context("epoll_wait")?;
            for ev in &events[..n] {
                // A batch can hold a thousand reads: replies that fell due meanwhile go
                // out first rather than after the whole batch.
                self.send_if_due();
                let (data, flags) = (ev.u64, ev.events);
                match data {
                    LISTENER => self.accept_all(),
                    TIMER => self.timer.drain(),
                    CONTROL => {
                        if !self.control()? {
                            return Ok(());
                        }
                    }
                    _ => self.connection_event(Key::from_u64(data), flags),
                }
            }
            // Replies due now go before the next wait, whatever woke the loop; then the
            // timer is set for the next one.
            self.send_due();
            if let Some(next) = self.timers.earliest() {
                if self.armed != Some(next) {
                    self.timer.arm_at(next).context("timerfd_settime")?;
                    self.armed = Some(next);
                }
            }
        }
    }

    /// Accepts every queued connection.
    fn accept_all(&mut self) {
        loop {
            // SAFETY: no address is asked for; on success the descriptor is ours alone.
            let fd = unsafe {
                libc::accept4(
                    self.listener.as_raw_fd(),
                    std::ptr::null_mut(),
                    std::ptr::null_mut(),
                    libc::SOCK_NONBLOCK | libc::SOCK_CLOEXEC,
                )
            };
            if fd < 0 {
                let err = io::Error::last_os_error();
                match err.raw_os_error() {
                    Some(libc::EAGAIN) => return,
                    Some(libc::EINTR | libc::ECONNABORTED) => continue,
                    Some(libc::EMFILE | libc::ENFILE) => {
                        if self.shed_one() {
                            continue;
                        }
                        return;
                    }
                    _ => {
                        eprintln!("delay server: accept failed: {err}");
                        return;
                    }
                }
            }
            // SAFETY: accept4 just returned this descriptor; nothing else owns it.
            let stream = unsafe { TcpStream::from_raw_fd(fd) };
            // Replies are 8 bytes: Nagle would hold one back until the previous is acked.
            let _ = stream.set_nodelay(true);
            let key = self.conns.insert(Conn::new(stream));
            if let Err(e) = self.epoll.add(fd, IN, key.to_u64()) {
                eprintln!("delay server: could not watch a new connection: {e}");
                self.conns.remove(key);
                continue;
            }
            self.accounting.opened(self.conns.len());
        }
    }

    /// At the fd limit: accepts one queued connection with the spare descriptor and
    /// closes it (its client sees the connection closed). False when that is not
    /// possible; the listener is then paused until a connection closes.
    fn shed_one(&mut self) -> bool {
        if !self.warned_fd_limit {
            self.warned_fd_limit = true;
            eprintln!(
                "delay server: out of file descriptors with {} connections open; \
                 closing new connections (raise `ulimit -n`)",
                self.conns.len()
            );
        }
        if self.spare.take().is_some() {
            // SAFETY: as in accept_all; the descriptor is closed at once.
            let fd = unsafe {
                libc::accept4(
                    self.listener.as_raw_fd(),
                    std::ptr::null_mut(),
                    std::ptr::null_mut(),
                    libc::SOCK_CLOEXEC,
                )
            };
            if fd >= 0 {
                // SAFETY: ours alone, closed here.
                unsafe { libc::close(fd) };
            }
            self.spare = File::open("/dev/null").ok();
            if fd >= 0 && self.spare.is_some() {
                return true;
            }
        }
        if self
            .epoll
            .modify(self.listener.as_raw_fd(), 0, LISTENER)
            .is_ok()
        {
            self.listener_paused = true;
        }
        false
    }

    /// Reads requests or flushes replies on one connection.
    fn connection_event(&mut self, key: Key, flags: u32) {
        let Some(conn) = self.conns.get_mut(key) else {
            return; // closed earlier in this batch
        };
        if flags & OUT != 0 {
            let ok = conn.flush().is_ok();
            if !ok || self.stop_watching_out(key).is_err() {
                self.close(key);
                return;
            }
        }
        if flags & READ_EVENTS == 0 {
            return;
        }
        let Some(conn) = self.conns.get_mut(key) else {
            return;
        };
        self.scratch.clear();
        match conn.read_requests(&mut self.scratch) {
            Ok(ReadState::Open) => {
                // The delay runs from the moment the request was read.
                let now = monotonic_ns();
                for &(token, delay_ns) in &self.scratch {
                    self.accounting.request();
                    let due = super::spread_delay(token, delay_ns, self.spread);
                    self.timers.push(now.saturating_add(due), key, token);
                }
            }
            // End of input or a broken connection: this connection only.
            Ok(ReadState::Eof) | Err(_) => self.close(key),
        }
    }

    /// Drops EPOLLOUT from a connection whose kept replies have all gone out.
    fn stop_watching_out(&mut self, key: Key) -> io::Result<()> {
        let Some(conn) = self.conns.get_mut(key) else {
            return Ok(());
        };
        if conn.watching_out && !conn.wants_write() {
            self.epoll
                .modify(conn.stream().as_raw_fd(), IN, key.to_u64())?;
            conn.watching_out = false;
        }
        Ok(())
    }

    /// [`Server::send_due`] if the earliest deadline has passed (a heap peek and a vDSO
    /// clock read otherwise).
    fn send_if_due(&mut self) {
        if self
            .timers
            .earliest()
            .is_some_and(|deadline| deadline <= monotonic_ns())
        {
            self.send_due();
        }
    }

    /// Sends every reply whose deadline has passed, recording how late each one is.
    fn send_due(&mut self) {
        let mut now = monotonic_ns();
        loop {
            let due = match self.timers.pop_due(now) {
                Some(p) => p,
                None => {
                    // Writing took time: look again with a fresh clock before sleeping.
                    now = monotonic_ns();
                    match self.timers.pop_due(now) {
                        Some(p) => p,
                        None => return,
                    }
                }
            };
            let Some(conn) = self.conns.get_mut(due.key) else {
                continue; // its connection closed meanwhile
            };
            now = monotonic_ns();
            self.accounting.reply(now.saturating_sub(due.deadline));
            let sent = conn.send_reply(due.token).and_then(|()| {
                if conn.wants_write() && !conn.watching_out {
                    self.epoll
                        .modify(conn.stream().as_raw_fd(), IN | OUT, due.key.to_u64())?;
                    conn.watching_out = true;
                }
                Ok(())
            });
            if sent.is_err() {
                self.close(due.key);
            }
        }
    }

    /// Closes one connection (its pending replies go stale with its key).
    fn close(&mut self, key: Key) {
        // Dropping the socket closes it, which also takes it out of the epoll set.
        drop(self.conns.remove(key));
        if self.listener_paused
            && self
                .epoll
                .modify(self.listener.as_raw_fd(), IN, LISTENER)
                .is_ok()
        {
            self.listener_paused = false;
        }
    }

    /// Handles what arrived on stdin; false at end of input.
    fn control(&mut self) -> Result<bool> {
        let Some(commands) = self.control.read().context("could not read stdin")? else {
            return Ok(false);
        };
        let mut out = io::stdout().lock();
        for command in commands {
            match command {
                Command::Mark => {
                    self.accounting.mark(self.conns.len());
                    writeln!(out, "marked")?;
                }
                Command::Stats => {
                    let stats = self.accounting.stats(self.conns.len());
                    writeln!(out, "{}", serde_json::to_string(&stats)?)?;
                }
                Command::Unknown(text) => {
                    writeln!(out, "error: unknown command '{text}'; use mark or stats")?;
                }
            }
        }
        out.flush()?;
        Ok(true)
    }
}
