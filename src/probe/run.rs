//! The fixed set of probes `spectrum probe` runs for a sweep: the ping-pongs of
//! [`super::switch`] and the spawners of [`super::spawn`] — the very code the criterion
//! benches time — each timed in a few batches sized to this machine.
//!
//! Sizing: a pilot run grows the batch (×4 each time) until it takes a tenth of the
//! batch target, then the batch size is scaled to reach the target with a margin; a
//! batch that still ends short is thrown away and the size scaled again from it. The
//! pilot doubles as the warm-up. The whole set takes 1–2 s on a 2-core machine.

use std::io::{self, Write};
use std::path::Path;
use std::time::{Duration, Instant};

use anyhow::{Context, Result};

use super::affinity::Pinning;
use super::record::{ProbeFigure, Probes, SpawnKind, SpawnProbe, SwitchProbe};
use super::spawn::{ReadyWhen, Spawner};
use super::switch::{start_ping_pong, SwitchKind, SWITCHES_PER_ROUND_TRIP};

/// How long and how often each figure is measured.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ProbePlan {
    /// Timed batches per figure.
    pub batches: u32,
    /// The least a batch should last (batches are sized for 1.25× this).
    pub batch_min: Duration,
}

impl ProbePlan {
    /// What a sweep records: 15 batches of at least 8 ms each — enough batches to see
    /// a cost that flips between two levels, and to put an interval on a ratio.
    pub const SWEEP: ProbePlan = ProbePlan {
        batches: 15,
        batch_min: Duration::from_millis(8),
    };
}

/// The switch probes a sweep records: thread (pipe and futex), process (pipe) and tokio
/// task (one worker), pinned and unpinned, and the one-thread pipe baseline (nothing to
/// place, so pinned only).
pub const SWEEP_SWITCHES: [(SwitchKind, Pinning); 9] = [
    (SwitchKind::ThreadPipe, Pinning::Pinned),
    (SwitchKind::ThreadPipe, Pinning::Unpinned),
    (SwitchKind::ThreadCondvar, Pinning::Pinned),
    (SwitchKind::ThreadCondvar, Pinning::Unpinned),
    (SwitchKind::ProcessPipe, Pinning::Pinned),
    (SwitchKind::ProcessPipe, Pinning::Unpinned),
    (SwitchKind::TaskSameWorker, Pinning::Pinned),
    (SwitchKind::TaskSameWorker, Pinning::Unpinned),
    (SwitchKind::PipeBaseline, Pinning::Pinned),
];

/// Times `timed(n)` (which runs `n` units and returns how long they took) in
/// `plan.batches` batches; the figure is per unit, with `units_per_call` units in each
/// `n` (two switches per round trip).
fn measure(
    plan: ProbePlan,
    units_per_call: u64,
    mut timed: impl FnMut(u64) -> io::Result<Duration>,
) -> io::Result<ProbeFigure> {
    let target = plan.batch_min.mul_f64(1.25);
    // The pilot: grow until a tenth of the target, so the scaling below is not read off
    // a run of a few microseconds (timer resolution, a cold cache).
    let mut n: u64 = 1;
    let mut took = timed(n)?;
    while took < target / 10 && n < 1 << 40 {
        n *= 4;
        took = timed(n)?;
    }
    let mut per_batch = scaled(n, took, target);
    let mut per_unit_us = Vec::with_capacity(plan.batches as usize);
    let mut resized = 0;
    while per_unit_us.len() < plan.batches.max(1) as usize {
        let t = timed(per_batch)?;
        // A pilot misled by a slow start (a partner not yet scheduled) gives batches far
        // too short: throw such a batch away and size again from it, a few times at most.
        if t < plan.batch_min && resized < MAX_RESIZES {
            resized += 1;
            per_batch = scaled(per_batch, t, target).max(per_batch + 1);
            per_unit_us.clear();
            continue;
        }
        per_unit_us.push(t.as_secs_f64() * 1e6 / (per_batch * units_per_call) as f64);
    }
    ProbeFigure::from_batches(&per_unit_us, per_batch * units_per_call)
        .ok_or_else(|| io::Error::other("no batch gave a finite time"))
}

/// How often [`measure`] may size its batches again before it keeps short ones.
const MAX_RESIZES: u32 = 4;

/// The count that `n` units taking `took` would need to last `target` (at least 1).
fn scaled(n: u64, took: Duration, target: Duration) -> u64 {
    let per_unit = took.as_secs_f64() / n.max(1) as f64;
    ((target.as_secs_f64() / per_unit.max(1e-12)).ceil() as u64).max(1)
}

/// One switch probe: set up the ping-pong (untimed), then measure round trips.
fn switch_probe(plan: ProbePlan, kind: SwitchKind, pinning: Pinning) -> io::Result<SwitchProbe> {
    // Dropped at the end of this function, on this thread: a pinned ping-pong pins the
    // calling thread until it drops.
    let mut pp = start_ping_pong(kind, pinning)?;
    let per_switch = measure(plan, u64::from(SWITCHES_PER_ROUND_TRIP), |n| {
        pp.round_trips(n)
    })?;
    Ok(SwitchProbe {
        kind,
        pinning,
        per_switch,
    })
}

/// One spawn probe with `spawner`.
fn spawn_probe(plan: ProbePlan, kind: SpawnKind, mut spawner: Spawner) -> io::Result<SpawnProbe> {
    let per_spawn = measure(plan, 1, |n| spawner.spawns(n))?;
    Ok(SpawnProbe { kind, per_spawn })
}

/// Runs every probe of a sweep with `plan`. `process`: the program (and arguments) a
/// process spawn runs until it exits. A probe that fails is listed in `errors`; the
/// others are still measured.
pub fn run_probes(plan: ProbePlan, process: (&Path, &[&str])) -> Probes {
    let start = Instant::now();
    let mut probes = Probes {
        debug_build: cfg!(debug_assertions),
        ..Probes::default()
    };
    for (kind, pinning) in SWEEP_SWITCHES {
        match switch_probe(plan, kind, pinning) {
            Ok(p) => probes.switches.push(p),
            Err(e) => probes
                .errors
                .push(format!("switch {} {pinning}: {e}", kind.label())),
        }
    }
    for kind in SpawnKind::ALL {
        let spawner = match kind {
            SpawnKind::Thread => Ok(Spawner::thread()),
            SpawnKind::TaskSameWorker => Spawner::task(false),
            SpawnKind::Process => Ok(Spawner::process(process.0, process.1, ReadyWhen::Exit)),
        };
        match spawner.and_then(|s| spawn_probe(plan, kind, s)) {
            Ok(p) => probes.spawns.push(p),
            Err(e) => probes
                .errors
                .push(format!("spawn {}: {e}", kind.describe())),
        }
    }
    // How late this machine wakes a timed wait: the floor the delay server's lateness
    // is held against (the same mechanism: an absolute timerfd waited on through epoll).
    probes.timer_floor = Some(crate::io::floor::timer_floor(
        TIMER_FLOOR_WAITS,
        TIMER_FLOOR_WAIT,
    ));
    probes.took_s = start.elapsed().as_secs_f64();
    probes
}

/// Timed waits of the timer-floor probe, and the length of each: 100 × 2 ms, about a
/// quarter of a second with the wake-ups' lateness.
const TIMER_FLOOR_WAITS: u32 = 100;
const TIMER_FLOOR_WAIT: Duration = Duration::from_millis(2);

/// The hidden `spectrum probe` subcommand: runs the sweep's probes (the process spawn
/// re-executes this binary as `spectrum --version`) and prints them as one JSON
/// document. Fails only when no probe at all could be measured.
pub fn probe_main() -> Result<()> {
    let exe = std::env::current_exe().context("could not locate the spectrum executable")?;
    let probes = run_probes(ProbePlan::SWEEP, (&exe, &["--version"]));
    if probes.switches.is_empty() && probes.spawns.is_empty() {
        anyhow::bail!("every probe failed: {}", probes.errors.join("; "));
    }
    let mut out = io::stdout().lock();
    serde_json::to_writer(&mut out, &probes).context("could not write the probes")?;
    writeln!(out).context("could not write the probes")?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn batches_are_sized_to_the_target() {
        let plan = ProbePlan {
            batches: 3,
            batch_min: Duration::from_millis(2),
        };
        // A fake unit of 10 µs: the pilot grows to ≥ 0.25 ms, batches then cover 2.5 ms.
        let mut calls = Vec::new();
        let f = measure(plan, 2, |n| {
            calls.push(n);
            Ok(Duration::from_micros(10 * n))
        })
        .unwrap();
        assert_eq!(f.batches, 3);
        assert_eq!(f.units_per_batch, 250 * 2);
        assert!((f.median_us - 5.0).abs() < 1e-9, "{f:?}");
        assert_eq!(&calls[calls.len() - 3..], &[250, 250, 250]);
        assert!(measure(plan, 1, |_| Err(io::Error::other("no"))).is_err());

        // A slow start (the pilot's first calls take 1 ms each) gives short batches:
        // they are thrown away and the batches sized again.
        let mut first = 3;
        let f = measure(plan, 1, |n| {
            if first > 0 {
                first -= 1;
                return Ok(Duration::from_millis(1));
            }
            Ok(Duration::from_micros(10 * n))
        })
        .unwrap();
        assert_eq!(f.batches, 3);
        assert!(f.units_per_batch >= 200, "{f:?}");
        assert!((f.median_us - 10.0).abs() < 1e-9, "{f:?}");
    }

    #[test]
    fn a_short_plan_measures_every_probe() {
        let plan = ProbePlan {
            batches: 2,
            batch_min: Duration::from_millis(1),
        };
        // Pinning stays on this test's own threads.
        let run = move |program: &'static str| {
            std::thread::spawn(move || run_probes(plan, (Path::new(program), &[])))
                .join()
                .unwrap()
        };
        let p = run("/bin/true");
        assert!(p.errors.is_empty(), "{:?}", p.errors);
        assert_eq!(p.switches.len(), SWEEP_SWITCHES.len());
        assert_eq!(p.spawns.len(), SpawnKind::ALL.len());
        for s in &p.switches {
            assert!(s.per_switch.median_us > 0.0, "{s:?}");
            assert!(s.per_switch.min_us <= s.per_switch.max_us);
        }
        let bad = run("/nonexistent/spectrum");
        assert!(bad.spawn(SpawnKind::Process).is_none());
        assert!(bad.errors.iter().any(|e| e.contains("spawn process")));
    }
}
