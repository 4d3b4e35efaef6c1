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
//! # The spread of the far end
//! With `--spread S` each reply is due after `delay × (1 + S·u)` instead of `delay`,
//! where `u` in [-1, 1) is a fixed function of the request's token (the op index), so
//! every model's op `i` waits the same time and the mean wait is the delay asked for.
//! Why: with identical delays every connection of a closed loop moves in lock-step — all
//! N workers start together, so all N replies fall due in the same instant, round after
//! round — and a reply costs the server about 4–10 µs (most of it the client's loopback
//! receive path and wake-up, which the kernel runs in the sender's context). At 1 000
//! connections that burst made replies 3–5 ms late at p50, and the far end became the
//! thing measured. A far end whose answers vary a little, as real ones do, breaks the
//! lock-step: at ±5% the same cells' replies were 30 µs late at p50. The `tcp` I/O kind
//! runs its server with [`FAR_END_SPREAD`].
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

/// The spread of the far end's answer times a `tcp` cell's server runs with: ±5%.
pub const FAR_END_SPREAD: f64 = 0.05;

/// When a request of `token` asking for `delay_ns` is due, `delay_ns` after it was read
/// by a far end whose answers spread by ±`spread` (see the module doc): `delay_ns ×
/// (1 + spread·u)` with `u` in [-1, 1) a fixed function of the token.
pub fn spread_delay(token: u64, delay_ns: u64, spread: f64) -> u64 {
    if spread <= 0.0 || delay_ns == 0 {
        return delay_ns;
    }
    // SplitMix64's output function: a well-mixed u64 from the token.
    let mut z = token.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^= z >> 31;
    let u = (z >> 11) as f64 / (1u64 << 53) as f64 * 2.0 - 1.0;
    (delay_ns as f64 * (1.0 + spread.min(1.0) * u)).round() as u64
}

/// The `spectrum delay-server` subcommand: serves until stdin ends, each reply due after
/// its delay spread by ±`spread` (0: exactly the delay asked for).
pub fn main(spread: f64) -> Result<()> {
    sys::die_with_parent().context("prctl(PR_SET_PDEATHSIG)")?;
    // 1 ns, the least the kernel takes, instead of the default 50 µs that it may add to
    // a wait of this thread to batch wake-ups.
    sys::set_timer_slack(1).context("prctl(PR_SET_TIMERSLACK)")?;
    sys::raise_fd_limit().context("could not raise RLIMIT_NOFILE")?;
    let mut server = event_loop::Server::bind(spread)?;
    let mut out = std::io::stdout().lock();
    writeln!(out, "listening {}", server.port()?)?;
    out.flush()?;
    drop(out);
    server.run()
}

#[cfg(test)]
mod tests {
    use super::spread_delay;

    #[test]
    fn the_spread_keeps_the_mean_and_the_bounds_and_is_fixed_per_token() {
        assert_eq!(spread_delay(7, 1_000_000, 0.0), 1_000_000);
        assert_eq!(spread_delay(7, 0, 0.05), 0);
        let n = 100_000u64;
        let waits: Vec<u64> = (0..n).map(|t| spread_delay(t, 1_000_000, 0.05)).collect();
        assert!(waits.iter().all(|w| (950_000..=1_050_000).contains(w)));
        let mean = waits.iter().sum::<u64>() as f64 / n as f64;
        assert!((mean - 1_000_000.0).abs() < 1_000.0, "{mean}");
        // Spread over the whole band, not bunched.
        let low = waits.iter().filter(|w| **w < 975_000).count() as f64 / n as f64;
        assert!((low - 0.25).abs() < 0.01, "{low}");
        assert_eq!(
            spread_delay(42, 1_000_000, 0.05),
            spread_delay(42, 1_000_000, 0.05)
        );
    }
}
