//! Switch cost: one round trip between two threads (pipe; mutex + condvar), two processes
//! (pipe) and two tokio tasks (one worker; multi-thread runtime; two runtimes), pinned to
//! one core and unpinned. Reported per switch: a round trip is two switches.
//!
//! The ping-pongs are `spectrum::probe`'s, the same code `spectrum` runs. Subtract the
//! `pipe_baseline` (the same pipe system calls, no switch) from the pipe figures to see
//! the switch alone.

use std::time::Duration;

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion};
use spectrum::probe::{start_ping_pong, Pinning, SwitchKind, SWITCHES_PER_ROUND_TRIP};

fn switch(c: &mut Criterion) {
    let mut group = c.benchmark_group("switch");
    // A switch costs 0.1-10 µs: 2 s gives millions of round trips per bench, plenty for
    // tight intervals; criterion's default 5 s + 3 s would make this group minutes long.
    group
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2));
    for kind in SwitchKind::ALL {
        for pinning in Pinning::ALL {
            // The single-thread baseline has no second party to place.
            if kind == SwitchKind::PipeBaseline && pinning == Pinning::Unpinned {
                continue;
            }
            // Started on first use (a filtered-out bench starts nothing) and dropped when
            // the bench is done, on this thread (it pins this thread while it lives).
            let mut pp = None;
            group.bench_function(BenchmarkId::new(kind.label(), pinning.label()), |b| {
                let pp = pp.get_or_insert_with(|| {
                    start_ping_pong(kind, pinning)
                        .unwrap_or_else(|e| panic!("could not start {}: {e}", kind.label()))
                });
                b.iter_custom(|round_trips| {
                    let took = pp
                        .round_trips(round_trips)
                        .unwrap_or_else(|e| panic!("{} ping-pong failed: {e}", kind.label()));
                    // Criterion divides by the iteration count (round trips); halving
                    // makes its figure the cost of one switch.
                    took / SWITCHES_PER_ROUND_TRIP
                })
            });
            drop(pp);
        }
    }
    group.finish();
}

criterion_group!(benches, switch);
criterion_main!(benches);
