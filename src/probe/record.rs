//! The switch and spawn costs a sweep records: what `spectrum probe` prints and what
//! `results.json` keeps under `probes` (the report's claim 4 reads them from there).
//!
//! Every figure is a [`ProbeFigure`]: the median, min and max over a few batches of the
//! mean cost of one unit (one switch, one spawn) in each batch, in microseconds.

use serde::{Deserialize, Serialize};

use super::affinity::Pinning;
use super::switch::SwitchKind;

/// One cost, measured in several timed batches.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProbeFigure {
    /// Median over the batches of each batch's mean cost of one unit, µs.
    pub median_us: f64,
    /// The cheapest batch's mean cost of one unit, µs.
    pub min_us: f64,
    /// The dearest batch's mean cost of one unit, µs.
    pub max_us: f64,
    /// How many timed batches (the sizing pilot, which also warms up, is not counted).
    pub batches: u32,
    /// Units (switches or spawns) in each timed batch.
    pub units_per_batch: u64,
    /// Each batch's mean cost of one unit, µs, in the order measured (absent in older
    /// files).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub per_batch_us: Vec<f64>,
}

impl ProbeFigure {
    /// The batches' figures, or the median alone for files without them.
    pub fn samples(&self) -> Vec<f64> {
        if self.per_batch_us.is_empty() {
            vec![self.median_us]
        } else {
            self.per_batch_us.clone()
        }
    }

    /// The batches split into one or two levels (`stats::regimes`).
    pub fn regimes(&self) -> Option<crate::stats::Regimes> {
        crate::stats::regimes(&self.samples())
    }
}

impl ProbeFigure {
    /// The figure of `per_unit_us`, one mean cost per batch (µs); `None` when empty.
    pub fn from_batches(per_unit_us: &[f64], units_per_batch: u64) -> Option<ProbeFigure> {
        let in_order: Vec<f64> = per_unit_us
            .iter()
            .copied()
            .filter(|x| x.is_finite())
            .collect();
        if in_order.is_empty() {
            return None;
        }
        let mut v = in_order.clone();
        v.sort_by(f64::total_cmp);
        let n = v.len();
        let median = if n % 2 == 1 {
            v[n / 2]
        } else {
            (v[n / 2 - 1] + v[n / 2]) / 2.0
        };
        Some(ProbeFigure {
            median_us: median,
            min_us: v[0],
            max_us: v[n - 1],
            batches: n as u32,
            units_per_batch,
            per_batch_us: in_order,
        })
    }
}

/// The cost of one switch of one kind of ping-pong.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SwitchProbe {
    /// Who is switched to and how it is woken (`thread_pipe`, `thread_condvar`,
    /// `process_pipe`, `task_same_worker`, `pipe_baseline`: see [`SwitchKind`]).
    pub kind: SwitchKind,
    /// Both parties on one core (`pinned`) or placed by the scheduler (`unpinned`).
    pub pinning: Pinning,
    /// µs per switch: the time of a ping-pong round trip divided by 2, since a round
    /// trip is two switches (the pinger wakes the ponger and blocks; the ponger answers
    /// and blocks). For `pipe_baseline`: the same pipe system calls made by one thread,
    /// with no switch, per half round trip — subtract it from the pipe figures to see
    /// the switch alone.
    pub per_switch: ProbeFigure,
}

/// What a spawn probe creates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SpawnKind {
    /// `std::thread::spawn` of an empty closure, then `join`.
    Thread,
    /// `tokio::spawn` of an empty task on a current-thread runtime, then awaiting it.
    TaskSameWorker,
    /// The `spectrum` binary re-executed as `spectrum --version`: spawn, exec, load,
    /// print, exit and `wait` — a process that does no work.
    Process,
}

impl SpawnKind {
    /// Every kind, cheapest first (the order of tables).
    pub const ALL: [SpawnKind; 3] = [
        SpawnKind::TaskSameWorker,
        SpawnKind::Thread,
        SpawnKind::Process,
    ];

    /// Words for tables: "tokio task", "thread", "process".
    pub fn describe(self) -> &'static str {
        match self {
            SpawnKind::Thread => "thread",
            SpawnKind::TaskSameWorker => "tokio task",
            SpawnKind::Process => "process",
        }
    }
}

/// The cost of creating one unit and waiting for it to finish.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SpawnProbe {
    /// What is created.
    pub kind: SpawnKind,
    /// µs per spawn: create one unit and wait until it has finished (thread joined, task
    /// awaited, process exited and waited for), one unit after the other.
    pub per_spawn: ProbeFigure,
}

/// Switch and spawn costs measured on this machine by `spectrum probe`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Probes {
    /// Per-switch costs, one entry per ping-pong kind and pinning that ran.
    pub switches: Vec<SwitchProbe>,
    /// Per-spawn costs, one entry per kind that ran.
    pub spawns: Vec<SpawnProbe>,
    /// Wall time of the whole probe, seconds (set-up included).
    pub took_s: f64,
    /// True when the probing binary was a debug build: unoptimised code inflates the
    /// costs spent in user space (a tokio task switch most of all), so the report says so.
    #[serde(default)]
    pub debug_build: bool,
    /// Probes that failed, with why; the others are still recorded.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<String>,
    /// How late this machine wakes a thread from a timed wait (an absolute timerfd
    /// through epoll, as the delay server waits): the floor a `tcp` cell's server
    /// lateness is held against. Absent in older files.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timer_floor: Option<crate::io::floor::TimerFloor>,
}

impl Probes {
    /// The per-switch figure of `kind` with `pinning`, if it was measured.
    pub fn switch(&self, kind: SwitchKind, pinning: Pinning) -> Option<&ProbeFigure> {
        self.switches
            .iter()
            .find(|s| s.kind == kind && s.pinning == pinning)
            .map(|s| &s.per_switch)
    }

    /// The per-spawn figure of `kind`, if it was measured.
    pub fn spawn(&self, kind: SpawnKind) -> Option<&ProbeFigure> {
        self.spawns
            .iter()
            .find(|s| s.kind == kind)
            .map(|s| &s.per_spawn)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fig(median_us: f64) -> ProbeFigure {
        ProbeFigure {
            median_us,
            min_us: median_us * 0.9,
            max_us: median_us * 1.2,
            batches: 5,
            units_per_batch: 1000,
            per_batch_us: vec![],
        }
    }

    #[test]
    fn probes_round_trip_through_json() {
        let p = Probes {
            switches: vec![SwitchProbe {
                kind: SwitchKind::ThreadCondvar,
                pinning: Pinning::Pinned,
                per_switch: fig(3.5),
            }],
            spawns: vec![SpawnProbe {
                kind: SpawnKind::TaskSameWorker,
                per_spawn: fig(0.4),
            }],
            took_s: 1.5,
            debug_build: false,
            errors: vec![],
            timer_floor: None,
        };
        let text = serde_json::to_string(&p).unwrap();
        assert!(text.contains("\"kind\":\"thread_condvar\""), "{text}");
        assert!(text.contains("\"pinning\":\"pinned\""), "{text}");
        assert!(text.contains("\"kind\":\"task_same_worker\""), "{text}");
        assert!(!text.contains("errors"), "empty errors are left out");
        let back: Probes = serde_json::from_str(&text).unwrap();
        assert_eq!(back, p);
        assert_eq!(
            back.switch(SwitchKind::ThreadCondvar, Pinning::Pinned),
            Some(&fig(3.5))
        );
        assert!(back
            .switch(SwitchKind::ThreadCondvar, Pinning::Unpinned)
            .is_none());
        assert_eq!(back.spawn(SpawnKind::TaskSameWorker), Some(&fig(0.4)));
        assert!(back.spawn(SpawnKind::Process).is_none());
    }

    #[test]
    fn switch_kinds_serialize_as_their_labels() {
        for kind in SwitchKind::ALL {
            let text = serde_json::to_string(&kind).unwrap();
            assert_eq!(text, format!("\"{}\"", kind.label()));
        }
    }

    #[test]
    fn figures_take_median_min_and_max() {
        let f = ProbeFigure::from_batches(&[3.0, 1.0, 2.0, 9.0, 2.5], 10).unwrap();
        assert_eq!((f.median_us, f.min_us, f.max_us), (2.5, 1.0, 9.0));
        assert_eq!((f.batches, f.units_per_batch), (5, 10));
        let even = ProbeFigure::from_batches(&[1.0, 3.0], 1).unwrap();
        assert_eq!(even.median_us, 2.0);
        assert!(ProbeFigure::from_batches(&[], 1).is_none());
        assert!(ProbeFigure::from_batches(&[f64::NAN], 1).is_none());
    }
}
