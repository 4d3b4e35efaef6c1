//! The process ping-pong: a `fork`ed child echoes bytes over a pair of pipes.
//!
//! Why `fork` and not the re-executed binary: the echo child must answer one byte per
//! read with no buffering and no start-up work of its own, and a forked child runs a
//! dozen lines of `read`/`write` (async-signal-safe, so forking a multi-threaded bench
//! process is sound). Pinning is inherited: the parent pins itself before forking, so
//! the child starts on the same core.

use std::io;
use std::os::fd::{AsRawFd, OwnedFd, RawFd};
use std::time::{Duration, Instant};

use super::affinity::{AffinityGuard, Pinning};
use super::pipe::{pipe, read_byte, write_byte, PING, STOP};
use super::switch::{expect_ping, PingPong};

/// Two processes, a byte over two pipes.
pub(crate) struct ProcessPipe {
    to_child: OwnedFd,
    from_child: OwnedFd,
    child: libc::pid_t,
    _pin: AffinityGuard,
}

impl ProcessPipe {
    /// Forks the echo child.
    pub(crate) fn start(pinning: Pinning) -> io::Result<ProcessPipe> {
        let pin = pinning.apply()?;
        let (ping_r, ping_w) = pipe()?;
        let (pong_r, pong_w) = pipe()?;
        // SAFETY: getpid cannot fail.
        let parent = unsafe { libc::getpid() };
        // SAFETY: the child only calls async-signal-safe functions and leaves with _exit.
        let pid = unsafe { libc::fork() };
        if pid < 0 {
            return Err(io::Error::last_os_error());
        }
        if pid == 0 {
            // The child: close the parent's ends (so EOF works both ways) and echo.
            unsafe {
                libc::close(ping_w.as_raw_fd());
                libc::close(pong_r.as_raw_fd());
                echo_child(parent, ping_r.as_raw_fd(), pong_w.as_raw_fd())
            }
        }
        drop((ping_r, pong_w));
        Ok(ProcessPipe {
            to_child: ping_w,
            from_child: pong_r,
            child: pid,
            _pin: pin,
        })
    }
}

/// The child's whole life: echo pings until STOP, end of file or the parent's death.
///
/// # Safety
/// Only to be called in a freshly forked child; never returns.
unsafe fn echo_child(parent: libc::pid_t, from: RawFd, to: RawFd) -> ! {
    // Die with the parent (a killed bench must not leave echo processes behind); if it
    // already died between fork and here, leave at once.
    libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL);
    if libc::getppid() != parent {
        libc::_exit(0);
    }
    let mut byte = 0u8;
    loop {
        let n = libc::read(from, (&mut byte as *mut u8).cast(), 1);
        if n != 1 || byte != PING {
            // EOF, STOP or an error (EINTR cannot happen: no handlers are installed
            // that would not restart, and on any doubt leaving is the safe choice).
            libc::_exit(0);
        }
        if libc::write(to, (&byte as *const u8).cast(), 1) != 1 {
            libc::_exit(0);
        }
    }
}

impl PingPong for ProcessPipe {
    fn round_trips(&mut self, n: u64) -> io::Result<Duration> {
        let (w, r) = (self.to_child.as_raw_fd(), self.from_child.as_raw_fd());
        let start = Instant::now();
        for _ in 0..n {
            write_byte(w, PING)?;
            expect_ping(read_byte(r)?)?;
        }
        Ok(start.elapsed())
    }
}

impl Drop for ProcessPipe {
    fn drop(&mut self) {
        let _ = write_byte(self.to_child.as_raw_fd(), STOP);
        let mut status = 0;
        // SAFETY: reaps our own child; it exits on STOP, so this does not hang.
        unsafe { libc::waitpid(self.child, &mut status, 0) };
    }
}
