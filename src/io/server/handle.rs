//! The caller's side of the delay server: start the process, read its port, send it
//! `mark` and `stats`, notice if it died, and stop it.
//!
//! No thread of ours waits on the server: replies are read with `poll` and a timeout in
//! the calling thread, and stderr goes to an anonymous in-memory file read only when
//! something went wrong. The process being measured therefore gains no thread and no
//! wake-up from having a server.

use anyhow::{anyhow, bail, Context, Result};
use std::io::{Read, Write};
use std::net::{Ipv4Addr, SocketAddr};
use std::os::fd::AsRawFd;
use std::os::unix::process::ExitStatusExt;
use std::path::Path;
use std::process::{Child, ChildStdin, ChildStdout, Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

use super::ServerStats;
use crate::stderr_tail::StderrTail;

/// How long the server may take to print `listening <port>`.
const START_TIMEOUT: Duration = Duration::from_secs(10);
/// How long a `mark` or `stats` reply may take.
const REPLY_TIMEOUT: Duration = Duration::from_secs(10);
/// How long `Drop` waits for the server to exit on its own after stdin closes.
const EXIT_GRACE: Duration = Duration::from_millis(500);
/// The most stderr quoted in an error.
const STDERR_QUOTE: u64 = 2000;

/// A running delay server (`spectrum delay-server`), a child of this process.
///
/// It dies with the thread that started it (`PR_SET_PDEATHSIG` is tied to the parent
/// *thread* on Linux): start it from a thread that outlives its use, such as the cell's
/// main thread. Dropping the handle stops it.
pub struct DelayServer {
    child: Child,
    stdin: Option<ChildStdin>,
    stdout: ChildStdout,
    /// Bytes read from stdout that do not end a line yet.
    pending: Vec<u8>,
    stderr: StderrTail,
    addr: SocketAddr,
}

impl DelayServer {
    /// Starts `exe delay-server` in this process group and waits until it listens; its
    /// replies come exactly after the delays asked for.
    ///
    /// Fails, quoting the server's stderr, if it exits or stays silent for 10 s first.
    pub fn start(exe: &Path) -> Result<DelayServer> {
        Self::start_spread(exe, 0.0)
    }

    /// [`DelayServer::start`] with the far end's answer times spread by ±`spread`
    /// (`server::spread_delay`).
    pub fn start_spread(exe: &Path, spread: f64) -> Result<DelayServer> {
        let stderr = StderrTail::new("spectrum-delay-server-stderr");
        let mut cmd = Command::new(exe);
        cmd.arg("delay-server")
            .arg(format!("--spread={spread}"))
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(stderr.stdio());
        crate::lifeline::die_with_parent(&mut cmd);
        let mut child = cmd.spawn().with_context(|| {
            format!(
                "could not start the delay server '{} delay-server'",
                exe.display()
            )
        })?;
        let stdin = child.stdin.take().expect("piped stdin");
        let stdout = child.stdout.take().expect("piped stdout");
        let mut server = DelayServer {
            child,
            stdin: Some(stdin),
            stdout,
            pending: Vec::new(),
            stderr,
            addr: SocketAddr::from((Ipv4Addr::LOCALHOST, 0)),
        };
        let line = server.read_line("its port", START_TIMEOUT)?;
        let port = line
            .strip_prefix("listening ")
            .and_then(|p| p.parse::<u16>().ok())
            .ok_or_else(|| {
                anyhow!(
                    "the delay server printed {line:?} instead of 'listening <port>'{}",
                    server.stderr_quote()
                )
            })?;
        server.addr.set_port(port);
        Ok(server)
    }

    /// Where to connect: 127.0.0.1 and the server's port.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The server's process id.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Starts a measured period: the server zeroes its counts and samples its rusage.
    pub fn mark(&mut self) -> Result<()> {
        match self.command("mark")?.as_str() {
            "marked" => Ok(()),
            other => bail!("the delay server answered {other:?} to 'mark'"),
        }
    }

    /// The server's figures since the last [`DelayServer::mark`].
    pub fn stats(&mut self) -> Result<ServerStats> {
        let line = self.command("stats")?;
        serde_json::from_str(&line)
            .with_context(|| format!("the delay server answered {line:?} to 'stats'"))
    }

    /// Ok while the server runs; otherwise an error saying how it ended.
    pub fn alive(&mut self) -> Result<()> {
        match self.child.try_wait() {
            Ok(None) => Ok(()),
            Ok(Some(status)) => Err(self.ended(status)),
            Err(e) => Err(e).context("could not check on the delay server"),
        }
    }

    /// Sends one control line and reads the one-line reply.
    fn command(&mut self, cmd: &str) -> Result<String> {
        let stdin = self.stdin.as_mut().expect("stdin is open until drop");
        if stdin
            .write_all(format!("{cmd}\n").as_bytes())
            .and_then(|()| stdin.flush())
            .is_err()
        {
            return Err(self.gone(&format!("the reply to '{cmd}'")));
        }
        self.read_line(&format!("the reply to '{cmd}'"), REPLY_TIMEOUT)
    }

    /// Reads one line of stdout, waiting at most `timeout`.
    fn read_line(&mut self, what: &str, timeout: Duration) -> Result<String> {
        let deadline = Instant::now() + timeout;
        loop {
            if let Some(end) = self.pending.iter().position(|&b| b == b'\n') {
                let line: Vec<u8> = self.pending.drain(..=end).collect();
                return Ok(String::from_utf8_lossy(&line).trim().to_string());
            }
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                bail!(
                    "the delay server (pid {}) did not send {what} within {:.0} s{}",
                    self.pid(),
                    timeout.as_secs_f64(),
                    self.stderr_quote()
                );
            }
            let mut pfd = libc::pollfd {
                fd: self.stdout.as_raw_fd(),
                events: libc::POLLIN,
                revents: 0,
            };
            let ms = left.as_millis().clamp(1, i32::MAX as u128) as i32;
            // SAFETY: one pollfd we own.
            if unsafe { libc::poll(&mut pfd, 1, ms) } <= 0 {
                continue; // timed out (checked above) or interrupted
            }
            let mut buf = [0u8; 4096];
            match self.stdout.read(&mut buf) {
                Ok(0) | Err(_) => return Err(self.gone(what)),
                Ok(n) => self.pending.extend_from_slice(&buf[..n]),
            }
        }
    }

    /// The error for a server whose stdout or stdin closed while we waited for `what`.
    fn gone(&mut self, what: &str) -> anyhow::Error {
        // It closed its pipes, so it is exiting: give it a moment to be reaped.
        let deadline = Instant::now() + EXIT_GRACE;
        while Instant::now() < deadline {
            if let Ok(Some(status)) = self.child.try_wait() {
                return self
                    .ended(status)
                    .context(format!("while waiting for {what}"));
            }
            std::thread::sleep(Duration::from_millis(5));
        }
        anyhow!(
            "the delay server (pid {}) closed its output while we waited for {what}{}",
            self.pid(),
            self.stderr_quote()
        )
    }

    /// The error for a server that ended with `status`.
    fn ended(&self, status: ExitStatus) -> anyhow::Error {
        let how = match (status.code(), status.signal()) {
            (Some(code), _) => format!("exited with code {code}"),
            (None, Some(sig)) => format!("was killed by signal {sig} ({})", signal_name(sig)),
            _ => format!("ended ({status})"),
        };
        anyhow!(
            "the delay server (pid {}) {how}{}",
            self.pid(),
            self.stderr_quote()
        )
    }

    /// "; its stderr: …" with the end of what the server wrote there, or nothing.
    fn stderr_quote(&self) -> String {
        format!("; its stderr: {}", self.stderr.tail(STDERR_QUOTE))
    }
}

impl Drop for DelayServer {
    /// Closes stdin (the server's signal to exit), waits briefly, then kills and reaps.
    fn drop(&mut self) {
        drop(self.stdin.take());
        let deadline = Instant::now() + EXIT_GRACE;
        while Instant::now() < deadline {
            if !matches!(self.child.try_wait(), Ok(None)) {
                return;
            }
            std::thread::sleep(Duration::from_millis(1));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The usual name of a signal that ends a server.
fn signal_name(sig: i32) -> &'static str {
    match sig {
        libc::SIGKILL => "SIGKILL",
        libc::SIGTERM => "SIGTERM",
        libc::SIGSEGV => "SIGSEGV",
        libc::SIGABRT => "SIGABRT",
        libc::SIGBUS => "SIGBUS",
        libc::SIGINT => "SIGINT",
        libc::SIGPIPE => "SIGPIPE",
        _ => "signal",
    }
}
