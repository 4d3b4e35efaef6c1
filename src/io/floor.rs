//! The machine's timer floor: how late this machine wakes a thread that waits for an
//! absolute `timerfd` deadline through epoll — exactly how the delay server waits — so
//! that the server's lateness can be judged against what the machine allows at best.

use serde::{Deserialize, Serialize};
use std::os::fd::AsRawFd;
use std::time::Duration;

use crate::io::sys::{self, monotonic_ns, Epoll, TimerFd};
use crate::io::LatenessUs;
use crate::metrics::Recorder;

/// How late timer wake-ups come on this machine.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct TimerFloor {
    /// Waits measured.
    pub waits: u32,
    /// Length of each wait, in microseconds.
    pub wait_us: f64,
    /// How long after its deadline each wait returned (`count` = `waits`).
    pub lateness_us: LatenessUs,
}

/// Waits `waits` times for `wait` and records how late each wake-up was.
///
/// Runs on a thread of its own with the server's timer slack (1 ns), so the caller's
/// thread keeps its own. Takes about `waits × wait`.
///
/// # Panics
/// If the thread, epoll or the timerfd cannot be created: the kernel refuses things a
/// fresh process always has.
pub fn timer_floor(waits: u32, wait: Duration) -> TimerFloor {
    std::thread::scope(|scope| {
        scope
            .spawn(|| measure(waits, wait))
            .join()
            .expect("the timer floor thread panicked")
    })
}

fn measure(waits: u32, wait: Duration) -> TimerFloor {
    // Best effort: without it the floor is the default slack's, which is still a floor.
    let _ = sys::set_timer_slack(1);
    let epoll = Epoll::new().expect("epoll_create1");
    let timer = TimerFd::new().expect("timerfd_create");
    epoll
        .add(timer.as_raw_fd(), libc::EPOLLIN as u32, 0)
        .expect("epoll_ctl(timerfd)");
    let wait_ns = u64::try_from(wait.as_nanos()).unwrap_or(u64::MAX);
    let mut events = [libc::epoll_event { events: 0, u64: 0 }; 1];
    let mut lateness = Recorder::new();
    for _ in 0..waits {
        let deadline = monotonic_ns().saturating_add(wait_ns);
        timer.arm_at(deadline).expect("timerfd_settime");
        while epoll.wait(&mut events, -1).expect("epoll_wait") == 0 {}
        lateness.record_ns(monotonic_ns().saturating_sub(deadline));
        timer.drain();
    }
    TimerFloor {
        waits,
        wait_us: wait_ns as f64 / 1000.0,
        lateness_us: LatenessUs::of(&lateness),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_floor_is_positive_and_ordered() {
        let f = timer_floor(20, Duration::from_micros(500));
        assert_eq!(f.waits, 20);
        assert_eq!(f.lateness_us.count, 20);
        assert_eq!(f.wait_us, 500.0);
        let l = f.lateness_us;
        assert!(l.p50 > 0.0, "{l:?}");
        assert!(l.p50 <= l.p90 && l.p90 <= l.p99 && l.p99 <= l.max, "{l:?}");
    }
}
