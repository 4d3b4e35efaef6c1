//! Thin, safe wrappers over the Linux calls the delay server and the timer floor share:
//! the monotonic clock, epoll, an absolute-deadline `timerfd`, timer slack, and the
//! process's file-descriptor limit.
//!
//! The server and [`super::floor`] must wait through the *same* mechanism, or the floor
//! would not be the floor of what the server does; keeping both on these wrappers makes
//! that true by construction.

use std::io;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd, RawFd};

/// Nanoseconds on `CLOCK_MONOTONIC`: the clock the timerfd's absolute deadlines use.
///
/// `std::time::Instant` reads the same clock but hides the value, and a deadline has to
/// be handed to the kernel as a number.
#[inline]
pub(crate) fn monotonic_ns() -> u64 {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: clock_gettime writes one timespec we own; CLOCK_MONOTONIC always exists.
    unsafe { libc::clock_gettime(libc::CLOCK_MONOTONIC, &mut ts) };
    ts.tv_sec as u64 * 1_000_000_000 + ts.tv_nsec as u64
}

/// Turns a `-1` return into the thread's `errno`.
fn check(ret: libc::c_int) -> io::Result<libc::c_int> {
    if ret < 0 {
        Err(io::Error::last_os_error())
    } else {
        Ok(ret)
    }
}

/// An epoll instance.
pub(crate) struct Epoll {
    fd: OwnedFd,
}

impl Epoll {
    /// A new, empty interest set.
    pub(crate) fn new() -> io::Result<Epoll> {
        // SAFETY: no pointers; on success the descriptor is ours alone.
        let fd = check(unsafe { libc::epoll_create1(libc::EPOLL_CLOEXEC) })?;
        Ok(Epoll {
            // SAFETY: `fd` was just returned by the kernel and is owned by nobody else.
            fd: unsafe { OwnedFd::from_raw_fd(fd) },
        })
    }

    fn ctl(&self, op: libc::c_int, fd: RawFd, events: u32, data: u64) -> io::Result<()> {
        let mut ev = libc::epoll_event { events, u64: data };
        // SAFETY: `ev` lives across the call; the kernel copies it.
        check(unsafe { libc::epoll_ctl(self.fd.as_raw_fd(), op, fd, &mut ev) }).map(drop)
    }

    /// Watches `fd` for `events` (level-triggered), reporting them with `data`.
    pub(crate) fn add(&self, fd: RawFd, events: u32, data: u64) -> io::Result<()> {
        self.ctl(libc::EPOLL_CTL_ADD, fd, events, data)
    }

    /// Changes what `fd` is watched for.
    pub(crate) fn modify(&self, fd: RawFd, events: u32, data: u64) -> io::Result<()> {
        self.ctl(libc::EPOLL_CTL_MOD, fd, events, data)
    }

    /// Blocks until at least one event (or the timeout, `-1` = none) and fills `events`;
    /// returns how many. A signal that interrupts the wait comes back as zero events.
    pub(crate) fn wait(
        &self,
        events: &mut [libc::epoll_event],
        timeout_ms: i32,
    ) -> io::Result<usize> {
        let max = events.len().min(i32::MAX as usize) as i32;
        // SAFETY: the kernel writes at most `max` events into the slice we own.
        let n =
            unsafe { libc::epoll_wait(self.fd.as_raw_fd(), events.as_mut_ptr(), max, timeout_ms) };
        if n < 0 {
            let err = io::Error::last_os_error();
            return if err.kind() == io::ErrorKind::Interrupted {
                Ok(0)
            } else {
                Err(err)
            };
        }
        Ok(n as usize)
    }
}

/// A `timerfd` on `CLOCK_MONOTONIC`, armed with absolute deadlines, non-blocking.
///
/// Absolute (`TFD_TIMER_ABSTIME`) so that the time spent between reading the clock and
/// arming the timer does not push the expiry later.
pub(crate) struct TimerFd {
    fd: OwnedFd,
}

impl TimerFd {
    /// A disarmed timer.
    pub(crate) fn new() -> io::Result<TimerFd> {
        // SAFETY: no pointers; on success the descriptor is ours alone.
        let fd = check(unsafe {
            libc::timerfd_create(
                libc::CLOCK_MONOTONIC,
                libc::TFD_NONBLOCK | libc::TFD_CLOEXEC,
            )
        })?;
        Ok(TimerFd {
            // SAFETY: `fd` was just returned by the kernel and is owned by nobody else.
            fd: unsafe { OwnedFd::from_raw_fd(fd) },
        })
    }

    /// Arms the timer to expire once at `deadline_ns` (monotonic); a deadline already
    /// past expires at once. Replaces any earlier setting.
    pub(crate) fn arm_at(&self, deadline_ns: u64) -> io::Result<()> {
        // An all-zero it_value would disarm instead of expiring: 1 ns is in the past too.
        let ns = deadline_ns.max(1);
        let spec = libc::itimerspec {
            it_interval: libc::timespec {
                tv_sec: 0,
                tv_nsec: 0,
            },
            it_value: libc::timespec {
                tv_sec: (ns / 1_000_000_000) as libc::time_t,
                tv_nsec: (ns % 1_000_000_000) as libc::c_long,
            },
        };
        // SAFETY: `spec` lives across the call; the old value is not asked for.
        check(unsafe {
            libc::timerfd_settime(
                self.fd.as_raw_fd(),
                libc::TFD_TIMER_ABSTIME,
                &spec,
                std::ptr::null_mut(),
            )
        })
        .map(drop)
    }

    /// Consumes the expiry count so that the descriptor stops being readable.
    pub(crate) fn drain(&self) {
        let mut count = 0u64;
        // SAFETY: reads at most 8 bytes into a u64 we own. EAGAIN (nothing expired: a
        // stale wake-up) is fine to ignore.
        unsafe {
            libc::read(
                self.fd.as_raw_fd(),
                (&mut count as *mut u64).cast(),
                std::mem::size_of::<u64>(),
            )
        };
    }
}

impl AsRawFd for TimerFd {
    fn as_raw_fd(&self) -> RawFd {
        self.fd.as_raw_fd()
    }
}

/// Sets the calling *thread's* timer slack (how much later than asked the kernel may
/// wake it, to batch wake-ups; 50 µs by default). Returns the previous value.
pub(crate) fn set_timer_slack(ns: u64) -> io::Result<u64> {
    // SAFETY: plain integer arguments.
    let old = check(unsafe { libc::prctl(libc::PR_GET_TIMERSLACK, 0, 0, 0, 0) })?;
    // SAFETY: plain integer arguments.
    check(unsafe { libc::prctl(libc::PR_SET_TIMERSLACK, ns as libc::c_ulong, 0, 0, 0) })?;
    Ok(old as u64)
}

/// Asks the kernel to SIGKILL this process when its parent (strictly: the parent
/// *thread* that forked it) exits.
pub(crate) fn die_with_parent() -> io::Result<()> {
    // SAFETY: plain integer arguments.
    check(unsafe {
        libc::prctl(
            libc::PR_SET_PDEATHSIG,
            libc::SIGKILL as libc::c_ulong,
            0,
            0,
            0,
        )
    })
    .map(drop)
}

/// Raises this process's soft `RLIMIT_NOFILE` to its hard limit and returns the new soft
/// limit: the number of descriptors (and so of connections) the process may hold.
///
/// Raising the hard limit itself needs `CAP_SYS_RESOURCE`, which spectrum does not ask
/// for; where the hard limit is too low the caller has to say so, not work around it.
pub fn raise_fd_limit() -> io::Result<u64> {
    let mut lim = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: getrlimit/setrlimit read and write one rlimit struct we own.
    check(unsafe { libc::getrlimit(libc::RLIMIT_NOFILE, &mut lim) })?;
    if lim.rlim_cur < lim.rlim_max {
        lim.rlim_cur = lim.rlim_max;
        // SAFETY: as above.
        check(unsafe { libc::setrlimit(libc::RLIMIT_NOFILE, &lim) })?;
    }
    Ok(lim.rlim_cur)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_armed_timer_wakes_epoll_after_its_deadline() {
        let epoll = Epoll::new().unwrap();
        let timer = TimerFd::new().unwrap();
        epoll
            .add(timer.as_raw_fd(), libc::EPOLLIN as u32, 7)
            .unwrap();
        let deadline = monotonic_ns() + 2_000_000;
        timer.arm_at(deadline).unwrap();
        let mut events = [libc::epoll_event { events: 0, u64: 0 }; 4];
        let n = epoll.wait(&mut events, 1_000).unwrap();
        assert!(monotonic_ns() >= deadline);
        assert_eq!(n, 1);
        let data = events[0].u64;
        assert_eq!(data, 7);
        timer.drain();
        // Drained: no longer readable.
        assert_eq!(epoll.wait(&mut events, 0).unwrap(), 0);
    }

    #[test]
    fn a_past_deadline_expires_at_once() {
        let epoll = Epoll::new().unwrap();
        let timer = TimerFd::new().unwrap();
        epoll
            .add(timer.as_raw_fd(), libc::EPOLLIN as u32, 1)
            .unwrap();
        timer.arm_at(0).unwrap();
        let mut events = [libc::epoll_event { events: 0, u64: 0 }; 1];
        assert_eq!(epoll.wait(&mut events, 1_000).unwrap(), 1);
    }

    #[test]
    fn the_fd_limit_is_raised_to_the_hard_limit() {
        let soft = raise_fd_limit().unwrap();
        let mut lim = libc::rlimit {
            rlim_cur: 0,
            rlim_max: 0,
        };
        unsafe { libc::getrlimit(libc::RLIMIT_NOFILE, &mut lim) };
        assert_eq!(soft, lim.rlim_cur);
        assert_eq!(lim.rlim_cur, lim.rlim_max);
    }
}
