//! Claim 4 from the switch and spawn costs a run recorded (`results.probes`, measured
//! by `spectrum probe` before the cells with the same code as the criterion benches):
//! thread switch against task switch, process switch against thread switch, process
//! creation against thread and task creation.
//!
//! Thresholds: "several times" is at least 3×; "costs more" is at least 1.1× (inside
//! ±10% the two are the same within this probe's noise); "far more" is at least 10×.

use super::Finding;
use crate::probe::{Pinning, ProbeFigure, Probes, SpawnKind, SwitchKind};
use crate::report::data::num;
use crate::results::Merged;

/// "Several times": the least thread ÷ task switch ratio that supports the claim.
const SEVERAL: f64 = 3.0;
/// "Costs more": the least process ÷ thread switch ratio that supports the claim.
const MORE: f64 = 1.1;
/// "Far more": the least process ÷ thread (and ÷ task) creation ratio that supports it.
const FAR_MORE: f64 = 10.0;

/// Ratios of REFERENCE.md's published figures, shown beside this machine's: tokio task
/// vs thread switch ~0.2 vs ~1.7 µs, process vs thread switch ~2.4 vs ~1.1 µs, task vs
/// thread creation ~0.3 vs ~17 µs (jimblandy/context-switch; a single blog).
const PUBLISHED_THREAD_TASK: &str = "published ≈ 8×: ~1.7 vs ~0.2 µs";
const PUBLISHED_PROCESS_THREAD: &str = "published ≈ 2×: ~2.4 vs ~1.1 µs, direction only";
const PUBLISHED_SPAWN: &str = "published: thread ~17 µs, task ~0.3 µs";

/// The probes of every source file that has them, with the file's tag.
pub(crate) fn probe_sources(m: &Merged) -> Vec<(&str, &Probes)> {
    m.sources
        .iter()
        .filter_map(|s| s.results.probes.as_ref().map(|p| (s.tag.as_str(), p)))
        .collect()
}

/// Claim 4's findings from each file's probes; empty when no file has probes.
pub(crate) fn probe_costs(sources: &[(&str, &Probes)]) -> Vec<Finding> {
    let mut out = Vec::new();
    for (tag, p) in sources {
        let mut f = Vec::new();
        for pinning in Pinning::ALL {
            f.extend(thread_vs_task(p, pinning));
        }
        for pinning in Pinning::ALL {
            f.extend(process_vs_thread(p, pinning));
        }
        f.extend(creation(p));
        if p.debug_build {
            f.push(Finding::info(
                "these probes ran in a debug build: user-space costs (a tokio task switch or spawn above all) are inflated — run a release build (cargo run --release) for figures to hold against the claim".into(),
            ));
        }
        for e in &p.errors {
            f.push(Finding::info(format!("a probe failed: {e}")));
        }
        out.extend(f.into_iter().map(|x| x.tagged(tag)));
    }
    out
}

/// The cheaper of the two thread ping-pongs (pipe, futex) at `pinning`, with its name.
fn cheapest_thread(p: &Probes, pinning: Pinning) -> Option<(&'static str, &ProbeFigure)> {
    [
        ("pipe", SwitchKind::ThreadPipe),
        ("futex", SwitchKind::ThreadCondvar),
    ]
    .into_iter()
    .filter_map(|(name, k)| p.switch(k, pinning).map(|f| (name, f)))
    .min_by(|a, b| a.1.median_us.total_cmp(&b.1.median_us))
}

/// A thread switch costs several times a task switch: the cheaper thread ping-pong
/// against the tokio one on a single worker, at one pinning.
fn thread_vs_task(p: &Probes, pinning: Pinning) -> Option<Finding> {
    let (how, thread) = cheapest_thread(p, pinning)?;
    let task = p.switch(SwitchKind::TaskSameWorker, pinning)?;
    if task.median_us <= 0.0 {
        return None;
    }
    let ratio = thread.median_us / task.median_us;
    let ok = ratio >= SEVERAL;
    Some(Finding::judged(
        ok,
        format!(
            "{pinning}: a thread switch costs {} µs ({how}), a tokio task switch on one worker {} µs — {}× ({}; {PUBLISHED_THREAD_TASK})",
            num(thread.median_us),
            num(task.median_us),
            num(ratio),
            if ok {
                "several times, as claimed"
            } else {
                "not several times here"
            }
        ),
    ))
}

/// A process switch costs more than a thread switch: the two pipe ping-pongs, also with
/// the one-thread pipe baseline taken off both.
fn process_vs_thread(p: &Probes, pinning: Pinning) -> Option<Finding> {
    let thread = p.switch(SwitchKind::ThreadPipe, pinning)?;
    let process = p.switch(SwitchKind::ProcessPipe, pinning)?;
    if thread.median_us <= 0.0 {
        return None;
    }
    let ratio = process.median_us / thread.median_us;
    let net = match p.switch(SwitchKind::PipeBaseline, Pinning::Pinned) {
        Some(b) if process.median_us > b.median_us && thread.median_us > b.median_us => {
            let (pr, th) = (
                process.median_us - b.median_us,
                thread.median_us - b.median_us,
            );
            format!(
                "; less the {} µs pipe baseline: {} vs {} µs, {}×",
                num(b.median_us),
                num(pr),
                num(th),
                num(pr / th)
            )
        }
        _ => String::new(),
    };
    let ok = ratio >= MORE;
    let verdict = if ok {
        "the process switch costs more, as claimed"
    } else if ratio > 1.0 / MORE {
        "the same within ±10% here"
    } else {
        "the process switch is cheaper here"
    };
    Some(Finding::judged(
        ok,
        format!(
            "{pinning}, pipe ping-pong: a process switch costs {} µs, a thread switch {} µs — {}×{net} ({verdict}; {PUBLISHED_PROCESS_THREAD})",
            num(process.median_us),
            num(thread.median_us),
            num(ratio),
        ),
    ))
}

/// Creating a process costs far more than a thread or a task.
fn creation(p: &Probes) -> Vec<Finding> {
    let (Some(process), Some(thread), Some(task)) = (
        p.spawn(SpawnKind::Process),
        p.spawn(SpawnKind::Thread),
        p.spawn(SpawnKind::TaskSameWorker),
    ) else {
        return Vec::new();
    };
    if thread.median_us <= 0.0 || task.median_us <= 0.0 {
        return Vec::new();
    }
    let (vs_thread, vs_task) = (
        process.median_us / thread.median_us,
        process.median_us / task.median_us,
    );
    let ok = vs_thread >= FAR_MORE && vs_task >= FAR_MORE;
    vec![
        Finding::judged(
            ok,
            format!(
                "creating and waiting for a process costs {} µs, a thread {} µs, a tokio task {} µs: a process costs {}× a thread and {}× a task — {}",
                num(process.median_us),
                num(thread.median_us),
                num(task.median_us),
                num(vs_thread),
                num(vs_task),
                if ok {
                    "far more than either, as claimed"
                } else {
                    "not far more than both here"
                }
            ),
        ),
        Finding::info(format!(
            "a thread costs {}× a tokio task to create ({PUBLISHED_SPAWN})",
            num(thread.median_us / task.median_us)
        )),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::probe::{SpawnProbe, SwitchProbe};

    fn fig(median_us: f64) -> ProbeFigure {
        ProbeFigure::from_batches(&[median_us], 100).unwrap()
    }

    /// Costs shaped like the claim: threads 4 µs, tasks 0.3 µs, processes 5 µs.
    fn probes() -> Probes {
        let mut p = Probes::default();
        for pinning in Pinning::ALL {
            for (kind, us) in [
                (SwitchKind::ThreadPipe, 4.0),
                (SwitchKind::ThreadCondvar, 3.5),
                (SwitchKind::ProcessPipe, 5.0),
                (SwitchKind::TaskSameWorker, 0.3),
                (SwitchKind::PipeBaseline, 1.0),
            ] {
                p.switches.push(SwitchProbe {
                    kind,
                    pinning,
                    per_switch: fig(us),
                });
            }
        }
        for (kind, us) in [
            (SpawnKind::Thread, 60.0),
            (SpawnKind::TaskSameWorker, 0.4),
            (SpawnKind::Process, 4000.0),
        ] {
            p.spawns.push(SpawnProbe {
                kind,
                per_spawn: fig(us),
            });
        }
        p
    }

    fn judged(f: &[Finding]) -> Vec<bool> {
        f.iter().filter_map(|x| x.agrees).collect()
    }

    #[test]
    fn claim_shaped_costs_agree_and_flip() {
        let p = probes();
        let f = probe_costs(&[("", &p)]);
        assert_eq!(judged(&f), vec![true; 5], "{f:#?}");
        assert!(f[0].text.contains("11.7×"), "{}", f[0].text);
        assert!(f[2].text.contains("less the 1.00 µs pipe baseline"));

        // Tasks as dear as threads, processes cheaper, a process as cheap as a thread.
        let mut q = p.clone();
        for s in &mut q.switches {
            match s.kind {
                SwitchKind::TaskSameWorker => s.per_switch = fig(3.0),
                SwitchKind::ProcessPipe => s.per_switch = fig(3.0),
                _ => {}
            }
        }
        for s in &mut q.spawns {
            if s.kind == SpawnKind::Process {
                s.per_spawn = fig(100.0);
            }
        }
        q.debug_build = true;
        let f = probe_costs(&[("b", &q)]);
        assert_eq!(judged(&f), vec![false; 5], "{f:#?}");
        assert!(f.iter().all(|x| x.text.starts_with("[b] ")));
        assert!(f.iter().any(|x| x.text.contains("debug build")));
    }

    #[test]
    fn no_probes_no_findings() {
        assert!(probe_costs(&[]).is_empty());
        let empty = Probes::default();
        assert!(probe_costs(&[("", &empty)]).is_empty());
    }
}
