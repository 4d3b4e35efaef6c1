//! By hand, one at a time, in release: the delay server's lateness and CPU per request
//! at 1, 100 and 1 000 connections each doing back-to-back requests, beside the timer
//! floor of this machine (docs/delay-server.md has the figures).
//!
//! ```text
//! cargo test --release --test delay_server_load -- --ignored --nocapture
//! ```
//! `SPECTRUM_LOAD_CONNECTIONS` (default `1,100,1000`), `SPECTRUM_LOAD_SECONDS` (the
//! measured window per level, default 3) and `SPECTRUM_LOAD_DELAY_US` (default 10000)
//! change the run. All connections start together, so their deadlines come in bursts
//! (as N workers of a cell starting at once do); `SPECTRUM_LOAD_STAGGER=1` spreads them
//! evenly over one delay instead.

use std::path::Path;
use std::time::{Duration, Instant};

use spectrum::io::client::request_async;
use spectrum::io::floor::timer_floor;
use spectrum::io::server::DelayServer;
use spectrum::metrics::{Recorder, Rusage, Who};

const EXE: &str = env!("CARGO_BIN_EXE_spectrum");
/// Back-to-back requests before the window, so that connections and caches are warm.
const WARMUP: Duration = Duration::from_millis(500);

/// Busy and total CPU time of the whole machine so far, in clock ticks (`/proc/stat`).
fn machine_ticks() -> (u64, u64) {
    let stat = std::fs::read_to_string("/proc/stat").unwrap_or_default();
    let ticks: Vec<u64> = stat
        .lines()
        .next()
        .unwrap_or_default()
        .split_whitespace()
        .skip(1)
        .filter_map(|t| t.parse().ok())
        .collect();
    let total: u64 = ticks.iter().take(8).sum();
    let idle = ticks.get(3).unwrap_or(&0) + ticks.get(4).unwrap_or(&0);
    (total - idle, total)
}

/// Waits (at most a minute) until the machine has been nearly idle for a second, so
/// that other people's work does not land in the window; says so if it never was.
fn wait_for_quiet() {
    let give_up = Instant::now() + Duration::from_secs(60);
    loop {
        let (b0, t0) = machine_ticks();
        std::thread::sleep(Duration::from_secs(1));
        let (b1, t1) = machine_ticks();
        let busy = (b1 - b0) as f64 / (t1 - t0).max(1) as f64;
        if busy < 0.05 {
            return;
        }
        if Instant::now() > give_up {
            println!(
                "the machine stayed busy ({:.0}% of its CPU): figures include others' work",
                busy * 100.0
            );
            return;
        }
    }
}

fn env_or<T: std::str::FromStr>(name: &str, default: T) -> T {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

#[test]
#[ignore = "a measurement: run by hand (see the module doc)"]
fn lateness_under_load() {
    spectrum::io::raise_fd_limit().unwrap();
    let levels: Vec<usize> = std::env::var("SPECTRUM_LOAD_CONNECTIONS")
        .unwrap_or_else(|_| "1,100,1000".into())
        .split(',')
        .map(|n| n.trim().parse().expect("a number of connections"))
        .collect();
    let window = Duration::from_secs_f64(env_or("SPECTRUM_LOAD_SECONDS", 3.0));
    let delay = Duration::from_micros(env_or("SPECTRUM_LOAD_DELAY_US", 10_000));
    let stagger = env_or("SPECTRUM_LOAD_STAGGER", 0) != 0;
    let load = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    println!("load average before: {}", load.trim());

    for wait_ms in [1, 10] {
        wait_for_quiet();
        let f = timer_floor(200, Duration::from_millis(wait_ms));
        let l = f.lateness_us;
        println!(
            "timer floor, {wait_ms:>2} ms waits x{}: lateness p50 {:.0} µs, p90 {:.0}, p99 {:.0}, max {:.0}, mean {:.0}",
            f.waits, l.p50, l.p90, l.p99, l.max, l.mean
        );
    }

    let mut server = DelayServer::start(Path::new(EXE)).unwrap();
    for &n in &levels {
        wait_for_quiet();
        let start = Instant::now();
        let mark_at = start + WARMUP;
        let end = mark_at + window;
        let addr = server.addr();
        // The clients run on a single-threaded tokio runtime of their own, so that the
        // second core is left to the server.
        let clients = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            rt.block_on(async move {
                let mut tasks = Vec::new();
                for i in 0..n {
                    let mut s = tokio::net::TcpStream::connect(addr).await.unwrap();
                    s.set_nodelay(true).unwrap();
                    tasks.push(tokio::spawn(async move {
                        let mut rtt = Recorder::new();
                        let mut token = (i as u64) << 32;
                        if stagger {
                            // A first, shorter request spreads the deadlines over one delay.
                            let first = delay.mul_f64(i as f64 / n as f64);
                            request_async(&mut s, token, first).await.unwrap();
                        }
                        while Instant::now() < end {
                            let t = Instant::now();
                            request_async(&mut s, token, delay).await.unwrap();
                            if t >= mark_at {
                                rtt.record_since(t);
                            }
                            token += 1;
                        }
                        rtt
                    }));
                }
                let mut all = Recorder::new();
                for t in tasks {
                    all.merge(&t.await.unwrap());
                }
                all
            })
        });
        std::thread::sleep(mark_at.saturating_duration_since(Instant::now()));
        server.mark().unwrap();
        let (ours0, machine0) = (Rusage::now(Who::SelfProcess), machine_ticks());
        std::thread::sleep(end.saturating_duration_since(Instant::now()));
        let stats = server.stats().unwrap();
        let (ours, machine1) = (Rusage::now(Who::SelfProcess).delta(&ours0), machine_ticks());
        // Everything else the machine ran in the window, in cores: busy ticks (100 a
        // second per core) less the server's and the clients' CPU.
        let busy_s = (machine1.0 - machine0.0) as f64 / 100.0;
        let others = (busy_s - stats.user_s - stats.sys_s - ours.user_s - ours.sys_s).max(0.0)
            / window.as_secs_f64();
        let rtt = clients.join().unwrap().summary();
        let l = stats.lateness_us;
        let cpu_us = (stats.user_s + stats.sys_s) * 1e6 / stats.requests.max(1) as f64;
        println!(
            "{n:>5} connections{}, {:.0} ms requests: {} requests in {:.1} s ({:.0}/s); server lateness p50 {:.0} µs, p90 {:.0}, p99 {:.0}, max {:.0}; server CPU {:.1} µs/request (user {:.2} s, sys {:.2} s), {:.2} voluntary + {:.3} involuntary switches/request; client round trip over the delay p50 {:.0} µs, p99 {:.0}; clients' CPU {:.2} cores, everything else {:.2} cores",
            if stagger { " (staggered)" } else { "" },
            delay.as_secs_f64() * 1e3,
            stats.requests,
            window.as_secs_f64(),
            stats.requests as f64 / window.as_secs_f64(),
            l.p50,
            l.p90,
            l.p99,
            l.max,
            cpu_us,
            stats.user_s,
            stats.sys_s,
            stats.ctx_voluntary as f64 / stats.requests.max(1) as f64,
            stats.ctx_involuntary as f64 / stats.requests.max(1) as f64,
            rtt.p50 - delay.as_secs_f64() * 1e6,
            rtt.p99 - delay.as_secs_f64() * 1e6,
            (ours.user_s + ours.sys_s) / window.as_secs_f64(),
            others,
        );
        // Let the server see the closes before the next level.
        std::thread::sleep(Duration::from_millis(200));
    }
    server.alive().unwrap();
}
