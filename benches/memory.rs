//! Memory per unit of a *bare* program: N OS threads or N tokio tasks that do nothing
//! but wait, in a fresh process per N, RSS read from `/proc/self/status` once they all
//! exist — the reference spectrum's own figure (the window's peak RSS less its op log,
//! fitted over N) is held against (`docs/report.md`, "Memory per unit").
//!
//! Not a criterion bench (`harness = false`, own `main`): criterion times things, this
//! counts resident pages. `cargo bench --bench memory` prints KiB per thread and per
//! task with the fit's R²; under `cargo test --benches` or `-- --test` it runs one small
//! N of each as a smoke test. The threads are spawned as spectrum's `thread` model
//! spawns them (`std::thread::Builder`, default 2 MiB stack, parked on a channel); the
//! tasks as its `async` model runs them (a default multi-thread runtime, each task
//! waiting on a timer).

use std::process::{Command, ExitCode};
use std::time::Duration;

/// The environment variable that makes this binary a child measuring one N.
const CHILD: &str = "SPECTRUM_BARE_UNITS";
const NS: [usize; 4] = [250, 1000, 2500, 5000];

fn main() -> ExitCode {
    if let Ok(spec) = std::env::var(CHILD) {
        return child(&spec);
    }
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.iter().any(|a| a == "--list") {
        println!("memory/bare_units: bench");
        return ExitCode::SUCCESS;
    }
    let smoke = !args.iter().any(|a| a == "--bench") || args.iter().any(|a| a == "--test");
    let ns: &[usize] = if smoke { &[50, 100, 200] } else { &NS };
    for kind in ["thread", "task"] {
        let mut points = Vec::new();
        for &n in ns {
            let out = Command::new(std::env::current_exe().expect("own path"))
                .env(CHILD, format!("{kind}:{n}"))
                .output()
                .expect("child runs");
            let text = String::from_utf8_lossy(&out.stdout);
            let Ok(kib) = text.trim().parse::<f64>() else {
                eprintln!("memory/{kind}: the child for N = {n} printed {text:?}");
                return ExitCode::FAILURE;
            };
            points.push((n as f64, kib));
        }
        let fit = spectrum::stats::least_squares(&points).expect("three or more N");
        println!(
            "memory/bare_{kind}: {:.3} KiB per {kind} [{:.3}–{:.3}], R² {:.4}, N = {:?}",
            fit.slope.estimate, fit.slope.low, fit.slope.high, fit.r2, ns
        );
    }
    ExitCode::SUCCESS
}

/// In a fresh process: spawn `n` units of `kind`, print the RSS growth in KiB.
fn child(spec: &str) -> ExitCode {
    let (kind, n) = spec.split_once(':').expect("kind:n");
    let n: usize = n.parse().expect("a count");
    let before = rss_kib();
    let grown = match kind {
        "thread" => {
            let mut senders = Vec::new();
            let mut handles = Vec::new();
            let (ready_tx, ready_rx) = std::sync::mpsc::channel();
            for _ in 0..n {
                let (tx, rx) = std::sync::mpsc::channel::<()>();
                let ready = ready_tx.clone();
                handles.push(
                    std::thread::Builder::new()
                        .spawn(move || {
                            let _ = ready.send(());
                            let _ = rx.recv();
                        })
                        .expect("spawn"),
                );
                senders.push(tx);
            }
            for _ in 0..n {
                ready_rx.recv().expect("ready");
            }
            let after = rss_kib();
            drop(senders);
            for h in handles {
                let _ = h.join();
            }
            after - before
        }
        _ => {
            let rt = tokio::runtime::Builder::new_multi_thread()
                .enable_all()
                .build()
                .expect("runtime");
            let base = rss_kib();
            rt.block_on(async {
                let handles: Vec<_> = (0..n)
                    .map(|_| tokio::spawn(tokio::time::sleep(Duration::from_millis(300))))
                    .collect();
                // Every task has been polled once and is parked on its timer.
                tokio::time::sleep(Duration::from_millis(50)).await;
                let after = rss_kib();
                for h in handles {
                    let _ = h.await;
                }
                after - base
            })
        }
    };
    println!("{grown}");
    ExitCode::SUCCESS
}

fn rss_kib() -> i64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|t| {
            t.lines()
                .find_map(|l| l.strip_prefix("VmRSS:"))
                .and_then(|r| r.split_whitespace().next()?.parse().ok())
        })
        .unwrap_or(0)
}
