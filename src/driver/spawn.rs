//! Running one child process to completion, a timeout, or an interrupt.
//!
//! The child gets its own process group, so that one `kill(-pgid, SIGKILL)` also takes
//! down any worker processes it started, and `PR_SET_PDEATHSIG` so that it dies with the
//! driver even when the driver itself is killed with SIGKILL. The driver polls the child
//! with `waitid(WNOWAIT)`: seeing the exit without reaping keeps the pid (and thus the
//! process group id) reserved until the leftover workers have been killed, so the group
//! kill can never hit an unrelated process that reused the pid.

use anyhow::{Context, Result};
use std::io::{Read, Write};
use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::path::Path;
use std::process::{Command, ExitStatus, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use crate::metrics::Rusage;

/// How a child process ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ending {
    /// It exited with this code.
    Exited(i32),
    /// A signal killed it (not ours).
    Signaled(i32),
    /// It ran past the timeout; the driver killed its process group.
    TimedOut,
    /// The user interrupted the run; the driver killed its process group.
    Interrupted,
}

/// What a finished child left behind.
#[derive(Debug)]
pub struct ChildRun {
    /// How it ended.
    pub ending: Ending,
    /// Its standard output.
    pub stdout: String,
    /// Its standard error.
    pub stderr: String,
    /// Whole-process totals from `wait4` (set-up included; workers only if it waited for them).
    pub rusage: Rusage,
    /// Wall time from spawn to exit.
    pub elapsed: Duration,
}

impl ChildRun {
    /// A phrase for a child that did not exit with 0, e.g. "killed by signal 6 (SIGABRT)".
    pub fn describe_failure(&self, timeout: Duration) -> Option<String> {
        match self.ending {
            Ending::Exited(0) => None,
            // 101 is what a Rust panic exits with.
            Ending::Exited(101) => Some("exited with code 101 (a Rust panic)".into()),
            Ending::Exited(code) => Some(format!("exited with code {code}")),
            Ending::Signaled(sig) => {
                Some(format!("was killed by signal {sig} ({})", signal_name(sig)))
            }
            Ending::TimedOut => Some(format!(
                "timed out after {:.1} s (its process group was killed)",
                timeout.as_secs_f64()
            )),
            Ending::Interrupted => Some("interrupted".into()),
        }
    }

    /// The one stderr line that best says why the child failed: an `Error:` line, a
    /// panic's message, a Python exception, else the last line. Empty when stderr is.
    pub fn stderr_headline(&self) -> String {
        headline(&self.stderr)
    }

    /// The last lines of the child's stderr (a panic message, a Python traceback), at
    /// most `max_chars` characters, or an empty string.
    pub fn stderr_tail(&self, max_lines: usize, max_chars: usize) -> String {
        tail(&self.stderr, max_lines, max_chars)
    }
}

/// Runs `exe args…` with `stdin` fed to it and `env` added to its environment, until it
/// exits, `timeout` passes or `stop` is set; then kills what is left of its process group.
pub fn run_child(
    exe: &Path,
    args: &[&str],
    env: &[(String, String)],
    stdin: &[u8],
    timeout: Duration,
    stop: &AtomicBool,
) -> Result<ChildRun> {
    let mut cmd = Command::new(exe);
    cmd.args(args)
        .envs(env.iter().map(|(k, v)| (k, v)))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .process_group(0);
    crate::lifeline::die_with_parent(&mut cmd);
    let start = Instant::now();
    let mut child = cmd
        .spawn()
        .with_context(|| format!("could not start '{}'", exe.display()))?;
    let pid = child.id() as libc::pid_t;

    let out_rx = read_on_thread(child.stdout.take());
    let err_rx = read_on_thread(child.stderr.take());
    if let Some(mut input) = child.stdin.take() {
        // A child that dies at once closes the pipe: its exit status says why, not EPIPE.
        let _ = input.write_all(stdin);
    }

    let ending = wait_for_exit(pid, start, timeout, stop);
    // Workers the child left behind (or the whole group on timeout/interrupt).
    // SAFETY: plain syscall; the group id is still reserved by the unreaped child.
    unsafe { libc::kill(-pid, libc::SIGKILL) };
    let (status, rusage) = reap(pid);
    let elapsed = start.elapsed();
    let ending = ending.unwrap_or_else(|| match status.code() {
        Some(code) => Ending::Exited(code),
        None => Ending::Signaled(status.signal().unwrap_or(0)),
    });
    // The pipes close once every process of the group is gone; the bound only guards
    // against a grandchild that escaped the group and kept them open.
    let grace = Duration::from_secs(2);
    Ok(ChildRun {
        ending,
        stdout: out_rx.recv_timeout(grace).unwrap_or_default(),
        stderr: err_rx.recv_timeout(grace).unwrap_or_default(),
        rusage,
        elapsed,
    })
}

/// Polls until the child has exited (`None`: see its status) or must be killed.
fn wait_for_exit(
    pid: libc::pid_t,
    start: Instant,
    timeout: Duration,
    stop: &AtomicBool,
) -> Option<Ending> {
    // Short sleeps at first so quick children are seen quickly, longer ones later so a
    // long cell's driver stays idle (it shares the machine with the measurement).
    let mut nap = Duration::from_millis(1);
    loop {
        if exited_unreaped(pid) {
            return None;
        }
        if stop.load(Ordering::SeqCst) {
            return Some(Ending::Interrupted);
        }
        if start.elapsed() >= timeout {
            return Some(Ending::TimedOut);
        }
        std::thread::sleep(nap.min(timeout.saturating_sub(start.elapsed())));
        nap = (nap * 2).min(Duration::from_millis(20));
    }
}

/// True once `pid` has exited, leaving it a zombie (not reaped).
fn exited_unreaped(pid: libc::pid_t) -> bool {
    // SAFETY: waitid fills a zeroed siginfo_t; si_pid stays 0 when nothing changed.
    unsafe {
        let mut info: libc::siginfo_t = std::mem::zeroed();
        let flags = libc::WEXITED | libc::WNOHANG | libc::WNOWAIT;
        if libc::waitid(libc::P_PID, pid as libc::id_t, &mut info, flags) != 0 {
            // ECHILD: already reaped elsewhere; treat as exited.
            return true;
        }
        info.si_pid() != 0
    }
}

/// Reaps `pid` (blocking) and returns its status and whole-process rusage.
fn reap(pid: libc::pid_t) -> (ExitStatus, Rusage) {
    let mut status: libc::c_int = 0;
    // SAFETY: wait4 fills the zeroed rusage and the status.
    let ru = unsafe {
        let mut ru: libc::rusage = std::mem::zeroed();
        loop {
            let r = libc::wait4(pid, &mut status, 0, &mut ru);
            if r >= 0 || std::io::Error::last_os_error().kind() != std::io::ErrorKind::Interrupted {
                break;
            }
        }
        ru
    };
    (ExitStatus::from_raw(status), Rusage::from_libc(&ru))
}

/// Reads a pipe to its end on a thread, so neither pipe can fill up and block the child.
fn read_on_thread<R: Read + Send + 'static>(pipe: Option<R>) -> mpsc::Receiver<String> {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let mut buf = Vec::new();
        if let Some(mut p) = pipe {
            let _ = p.read_to_end(&mut buf);
        }
        let _ = tx.send(String::from_utf8_lossy(&buf).into_owned());
    });
    rx
}

/// The last `max_lines` lines of `text`, at most `max_chars` characters.
pub(crate) fn tail(text: &str, max_lines: usize, max_chars: usize) -> String {
    let lines: Vec<&str> = text.trim_end().lines().collect();
    let start = lines.len().saturating_sub(max_lines);
    let joined = lines[start..].join("\n");
    let n = joined.chars().count();
    if n <= max_chars {
        joined
    } else {
        let skip = n - max_chars;
        format!("…{}", joined.chars().skip(skip).collect::<String>())
    }
}

/// See [`ChildRun::stderr_headline`].
pub(crate) fn headline(stderr: &str) -> String {
    let lines: Vec<&str> = stderr.lines().map(str::trim_end).collect();
    let pick = lines
        .iter()
        .rev()
        .find(|l| l.starts_with("Error: "))
        .copied()
        .or_else(|| {
            // A Rust panic: "thread 'main' panicked at file:line:col:" then the message.
            let at = lines.iter().rposition(|l| l.contains(" panicked at "))?;
            lines.get(at + 1).copied().filter(|l| !l.is_empty())
        })
        .or_else(|| lines.iter().rev().find(|l| !l.trim().is_empty()).copied())
        .unwrap_or("");
    let pick = pick.trim();
    if pick.chars().count() > 300 {
        format!("{}…", pick.chars().take(300).collect::<String>())
    } else {
        pick.to_string()
    }
}

/// The usual name of signal `sig`.
fn signal_name(sig: i32) -> &'static str {
    match sig {
        libc::SIGABRT => "SIGABRT",
        libc::SIGBUS => "SIGBUS",
        libc::SIGFPE => "SIGFPE",
        libc::SIGILL => "SIGILL",
        libc::SIGINT => "SIGINT",
        libc::SIGKILL => "SIGKILL (out of memory?)",
        libc::SIGSEGV => "SIGSEGV",
        libc::SIGTERM => "SIGTERM",
        libc::SIGPIPE => "SIGPIPE",
        _ => "signal",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sh(script: &str, timeout_ms: u64) -> ChildRun {
        let stop = AtomicBool::new(false);
        run_child(
            Path::new("/bin/sh"),
            &["-c", script],
            &[],
            b"hello",
            Duration::from_millis(timeout_ms),
            &stop,
        )
        .unwrap()
    }

    #[test]
    fn output_status_and_stdin() {
        let r = sh("cat; echo oops >&2; exit 3", 5000);
        assert_eq!(r.ending, Ending::Exited(3));
        assert_eq!(r.stdout, "hello");
        assert_eq!(r.stderr_tail(5, 100), "oops");
        assert!(r
            .describe_failure(Duration::ZERO)
            .unwrap()
            .contains("code 3"));
    }

    #[test]
    fn a_signal_is_reported() {
        let r = sh("kill -SEGV $$", 5000);
        assert_eq!(r.ending, Ending::Signaled(libc::SIGSEGV));
        assert!(r
            .describe_failure(Duration::ZERO)
            .unwrap()
            .contains("SIGSEGV"));
    }

    #[test]
    fn a_hanging_child_and_its_group_are_killed() {
        // The shell starts a background sleeper in its group, then hangs itself.
        let r = sh("sleep 30 & echo $!; sleep 30", 300);
        assert_eq!(r.ending, Ending::TimedOut);
        assert!(r.elapsed < Duration::from_secs(10), "{:?}", r.elapsed);
        let sleeper: i32 = r.stdout.trim().parse().unwrap();
        // The background sleeper was killed with the group (it may linger as a zombie
        // of init for a moment; it must not be running).
        std::thread::sleep(Duration::from_millis(100));
        let state = std::fs::read_to_string(format!("/proc/{sleeper}/stat")).unwrap_or_default();
        let running = state
            .rsplit(')')
            .next()
            .is_some_and(|s| matches!(s.trim().chars().next(), Some('R' | 'S' | 'D')));
        assert!(!running, "sleeper {sleeper} still running: {state}");
    }

    #[test]
    fn a_stop_request_interrupts() {
        let stop = AtomicBool::new(true);
        let r = run_child(
            Path::new("/bin/sh"),
            &["-c", "sleep 30"],
            &[],
            b"",
            Duration::from_secs(30),
            &stop,
        )
        .unwrap();
        assert_eq!(r.ending, Ending::Interrupted);
    }

    #[test]
    fn headline_finds_the_reason() {
        let panic =
            "thread 'main' (12) panicked at src/x.rs:1:2:\nboom\nstack backtrace:\n  0: f\n";
        assert_eq!(headline(panic), "boom");
        assert_eq!(
            headline("warming up\nError: no such thing\n"),
            "Error: no such thing"
        );
        let tb = "Traceback (most recent call last):\n  File \"x.py\"\nValueError: bad\n";
        assert_eq!(headline(tb), "ValueError: bad");
        assert_eq!(headline(""), "");
    }

    #[test]
    fn tail_keeps_the_end() {
        assert_eq!(tail("a\nb\nc\n", 2, 100), "b\nc");
        assert_eq!(tail("abcdef", 5, 3), "…def");
        assert_eq!(tail("", 5, 3), "");
    }
}
