//! Verdicts on the I/O end and the async claims of REFERENCE.md: switches, system time
//! and memory per unit (claim 3), the indirect switch cost (claim 4), inline vs
//! offloaded CPU in async tasks (claim 5).

use super::{Finding, Judged, Side};
use crate::metrics::Measurement;
use crate::report::charts::{slopes, Slope};
use crate::report::data::{groups, num, show_us, Row};
use crate::scenario::{AsyncCpu, Impl, IoKind, ModelKind};
use crate::stats::{ratio_of_medians, Interval, MIN_FIT_POINTS};

/// "Far fewer" / "far cheaper": at least this ratio.
const FAR: f64 = 2.0;

/// The thread and async (CPU inline) rows of each runtime at its highest I/O share, on
/// `tcp` where it ran, at the highest concurrency and a shared op length: the pure-I/O
/// end of claim 3.
fn io_end_pairs<'a>(rows: &[Row<'a>]) -> Vec<(Row<'a>, Row<'a>)> {
    let mut out = Vec::new();
    for g in groups(rows, false) {
        let f = g.fractions().last().copied().unwrap_or(0.0);
        let at = |m: ModelKind| {
            g.rows
                .iter()
                .filter(move |r| r.cell.io_fraction == f && r.cell.model == m)
                .filter(|r| r.cell.async_cpu != Some(AsyncCpu::Offload))
                .filter(|r| r.cell.io_impl != Some(Impl::Native))
        };
        let pair = at(ModelKind::Thread)
            .flat_map(|t| at(ModelKind::Async).map(move |a| (*t, *a)))
            .filter(|(t, a)| {
                (t.cell.concurrency, t.cell.op_time_us, t.cell.io)
                    == (a.cell.concurrency, a.cell.op_time_us, a.cell.io)
            })
            // Sockets first, where the delay server kept up; then the most workers.
            .max_by_key(|(t, a)| {
                let sockets =
                    t.cell.io == IoKind::Tcp && !t.server_limited() && !a.server_limited();
                (sockets, t.cell.concurrency)
            });
        out.extend(pair);
    }
    out
}

/// The least system time a window must hold for a system-time ratio to be judged:
/// `getrusage` splits a thread's CPU time between user and system by sampling it on
/// scheduler ticks, so a window of a few milliseconds of system time holds only a few
/// samples and its split is noise (the same Python cells read 0.5× in one run and 10×
/// in the next with 4 ms of system time per window).
const SYS_WINDOW_MIN_S: f64 = 0.02;

/// Threads ÷ async of a per-op figure, judged "far fewer" at 2×; `min_total` is the
/// least the window's total of the figure must reach in both cells for the ratio to be
/// judged, in the unit `per_op` gives a whole window (system time: µs, from
/// [`SYS_WINDOW_MIN_S`]); 0 judges any amount.
fn ratio_finding(
    t: &Row,
    a: &Row,
    what: &str,
    unit: &str,
    per_op: fn(&Measurement) -> f64,
    min_total: f64,
) -> Finding {
    let (tv, av) = (t.per_op(per_op), a.per_op(per_op));
    let med = |v: &[f64]| crate::stats::median(v);
    let total = |r: &Row| med(&r.per_rep(per_op));
    let head = format!(
        "{} at {:.0}% I/O ({}, {} ops), N = {}: threads {} {unit}, async {} {unit}",
        crate::report::names::runtime_name(t.cell.runtime),
        t.cell.io_fraction * 100.0,
        t.cell.io.as_str(),
        show_us(t.cell.op_time_us),
        t.cell.concurrency,
        num(med(&tv)),
        num(med(&av))
    );
    let f = if min_total > 0.0 && (total(t) < min_total || total(a) < min_total) {
        Finding::info(format!(
            "{head} — too little {what} in a window to judge ({} and {} µs per window; getrusage's tick-sampled split of CPU time needs {} µs or more): not judged",
            num(total(t)),
            num(total(a)),
            num(min_total)
        ))
    } else if med(&tv) <= 0.0 && med(&av) <= 0.0 {
        // getrusage counts CPU time in scheduler ticks: over a short window both can be
        // zero, and 0 / 0 says nothing either way.
        Finding::info(format!(
            "{head} — neither registered any {what} in the window: not judged"
        ))
    } else if av.iter().all(|x| *x <= 0.0) && tv.iter().all(|x| *x > 0.0) {
        // Async registered none at all in any repetition: far fewer, whatever the ratio.
        Finding::judge(
            head,
            Judged::new(
                &format!("threads ÷ async {what}"),
                "×",
                Interval::new(f64::INFINITY, f64::INFINITY, f64::INFINITY, tv.len()),
                FAR,
                Side::Above,
            ),
            ["async registered none at all", "", ""],
        )
    } else {
        match ratio_of_medians(&tv, &av) {
            Some(i) => Finding::judge(
                head,
                Judged::new(&format!("threads ÷ async {what}"), "×", i, FAR, Side::Above),
                [
                    &format!("async tasks cost far fewer {what}"),
                    &format!("async is not far below threads in {what} here"),
                    "too close to the 2× line to tell",
                ],
            ),
            None => Finding::info(format!(
                "{head} — no ratio: the async figure is zero in some repetitions"
            )),
        }
    };
    f.about(&[t, a]).drifted(&[t, a]).tagged(a.tag)
}

fn switches(m: &Measurement) -> f64 {
    let r = m.window_rusage();
    (r.ctx_voluntary + r.ctx_involuntary) as f64
}

fn sys_us(m: &Measurement) -> f64 {
    m.window_rusage().sys_s * 1e6
}

/// Claim 3, switches: async tasks cost far fewer context switches per op at the I/O end.
pub(crate) fn io_switches(rows: &[Row]) -> Vec<Finding> {
    io_end_pairs(rows)
        .iter()
        .map(|(t, a)| ratio_finding(t, a, "context switches", "switches/op", switches, 0.0))
        .collect()
}

/// Claim 3, system time: async tasks cost far less system CPU per op at the I/O end.
pub(crate) fn io_sys_time(rows: &[Row]) -> Vec<Finding> {
    io_end_pairs(rows)
        .iter()
        .map(|(t, a)| {
            ratio_finding(
                t,
                a,
                "system time",
                "µs system/op",
                sys_us,
                SYS_WINDOW_MIN_S * 1e6,
            )
        })
        .collect()
}

/// The plain variant of `model` (no native helper) among the fitted lines.
fn plain(s: &Slope, model: &str) -> bool {
    s.label.split_whitespace().next() == Some(model) && !s.label.contains("=native")
}

/// Claim 3, memory: a task costs a few hundred bytes, a thread kilobytes — from lines
/// fitted over three or more N; fewer is said, not fitted.
pub(crate) fn unit_memory(rows: &[Row]) -> Vec<Finding> {
    let all = slopes(rows);
    let mut out = Vec::new();
    for t in all.iter().filter(|s| plain(s, "thread")) {
        let Some(a) = all.iter().find(|a| {
            plain(a, "async")
                && (a.tag.as_str(), a.runtime, a.io_fraction, a.op_time_us, a.io)
                    == (t.tag.as_str(), t.runtime, t.io_fraction, t.op_time_us, t.io)
        }) else {
            continue;
        };
        let head = format!(
            "{} at {:.0}% I/O ({}, {} ops)",
            crate::report::names::runtime_name(t.runtime),
            t.io_fraction * 100.0,
            t.io.as_str(),
            show_us(t.op_time_us)
        );
        let (Some(tf), Some(af)) = (t.fit, a.fit) else {
            out.push(
                Finding::info(format!(
                    "{head}: not enough points for memory per unit — thread and async ran at N = {} and {}; a line needs {MIN_FIT_POINTS} or more N (through two it always fits and says nothing)",
                    list(&t.ns),
                    list(&a.ns)
                ))
                .tagged(&t.tag),
            );
            continue;
        };
        // Thread ÷ task per-unit cost, its interval from the two slopes' intervals.
        let (ts, ss) = (tf.slope, af.slope);
        let high = if ss.low > 0.0 {
            ts.high / ss.low
        } else {
            f64::INFINITY
        };
        let low = if ss.high > 0.0 {
            (ts.low / ss.high).max(0.0)
        } else {
            f64::INFINITY
        };
        // A task slope at or below zero is no cost the fit can tell from none: the
        // ratio is unbounded, not negative.
        let estimate = if ss.estimate > 0.0 {
            ts.estimate / ss.estimate
        } else {
            f64::INFINITY
        };
        let i = Interval::new(estimate, low.min(estimate), high, tf.points.min(af.points));
        let head = format!(
            "{head}, fitted over N = {}: {} KiB per thread (R² {:.2}), {} KiB per task (R² {:.2})",
            list(&t.ns),
            num(ts.estimate),
            tf.r2,
            num(ss.estimate),
            af.r2
        );
        out.push(
            Finding::judge(
                head,
                Judged::new("thread ÷ task per unit", "×", i, FAR, Side::Above),
                [
                    "tasks are far cheaper",
                    "tasks are not far cheaper here",
                    "the slopes are too uncertain to tell",
                ],
            )
            .tagged(&t.tag),
        );
    }
    out
}

fn list(ns: &[u32]) -> String {
    ns.iter()
        .map(|n| n.to_string())
        .collect::<Vec<_>>()
        .join(", ")
}

/// Claim 4, indirectly: the sweep's cells do not measure a switch alone; the kernel time
/// per voluntary switch of threads at the I/O end is shown as an upper bound (it
/// includes the timer or socket wake-up).
pub(crate) fn switch_costs(rows: &[Row]) -> Vec<Finding> {
    io_end_pairs(rows)
        .iter()
        .filter(|(t, _)| t.s.ctx_voluntary_per_op > 0.0)
        .map(|(t, _)| {
            Finding::info(format!(
                "indirect only: {} threads at {:.0}% I/O ({}) spend {} µs of system time per voluntary switch (wake-up and switch together)",
                t.cell.runtime.as_str(),
                t.cell.io_fraction * 100.0,
                t.cell.io.as_str(),
                num(t.s.cpu_sys_us_per_op / t.s.ctx_voluntary_per_op)
            ))
            .tagged(t.tag)
        })
        .collect()
}

/// Claim 5: what the sweep shows about inline vs offloaded CPU, as information only.
///
/// The claim is about pure-I/O tasks running *beside* CPU-bound ones; in a sweep every
/// op has both halves, so the inline and offloaded cells compare ops that each carry
/// their own CPU, and cannot decide it. The figures are shown, the claim is "not
/// measured".
pub(crate) fn inline_vs_offload(rows: &[Row]) -> Vec<Finding> {
    let mut out = Vec::new();
    for g in crate::report::data::chart_groups(rows).0 {
        let mixed: Vec<f64> = g
            .fractions()
            .into_iter()
            .filter(|f| *f > 0.0 && *f < 1.0)
            .collect();
        let pick = |f: f64, cpu: AsyncCpu| {
            g.rows.iter().find(|r| {
                r.cell.model == ModelKind::Async
                    && r.cell.io_fraction == f
                    && r.cell.async_cpu.unwrap_or(AsyncCpu::Inline) == cpu
            })
        };
        let best = mixed
            .iter()
            .filter_map(|f| {
                Some((
                    *f,
                    pick(*f, AsyncCpu::Inline)?,
                    pick(*f, AsyncCpu::Offload)?,
                ))
            })
            .min_by(|a, b| (a.0 - 0.5).abs().total_cmp(&(b.0 - 0.5).abs()));
        let Some((f, inl, off)) = best else { continue };
        out.push(
            Finding::info(format!(
                "{} at {:.0}% I/O: p99 {} µs inline vs {} µs offloaded (p50 {} vs {}) — every op here carries its own CPU half, so this does not test the claim",
                g.title(),
                f * 100.0,
                num(inl.s.latency_us.p99),
                num(off.s.latency_us.p99),
                num(inl.s.latency_us.p50),
                num(off.s.latency_us.p50),
            ))
            .about(&[inl, off]),
        );
    }
    if !out.is_empty() {
        out.push(Finding::info(
            "not decided by this sweep: the claim is about pure-I/O tasks beside CPU-bound ones (a mixed workload); the `offload` demo is where it is measured".into(),
        ));
    }
    out
}

/// What one line of the timer finding is about: file tag, runtime, model label.
type TimerKey<'a> = (&'a str, crate::scenario::Runtime, &'a str);

/// The timer finding: the same pure-I/O cells waiting on a timer (`sleep`) and on a
/// socket (`tcp`) — same runtime, model, N and op — one line per runtime and model, every
/// pair in it. tokio rounds every sleep up to its millisecond tick; a socket's readiness
/// is not rounded. Information only.
pub(crate) fn timer_vs_socket(rows: &[Row]) -> Vec<Finding> {
    // (tag, runtime, label) → its pairs (sleep row, tcp row), in row order.
    let mut groups: Vec<(TimerKey, Vec<(&Row, &Row)>)> = Vec::new();
    for tcp in rows
        .iter()
        .filter(|r| r.cell.io == IoKind::Tcp && r.cell.io_fraction == 1.0)
    {
        let Some(sleep) = rows.iter().find(|r| {
            r.cell.io == IoKind::Sleep
                && r.tag == tcp.tag
                && (
                    r.cell.runtime,
                    r.cell.model,
                    r.cell.concurrency,
                    r.cell.io_fraction,
                ) == (
                    tcp.cell.runtime,
                    tcp.cell.model,
                    tcp.cell.concurrency,
                    tcp.cell.io_fraction,
                )
                && r.cell.op_time_us == tcp.cell.op_time_us
                && r.label() == tcp.label()
        }) else {
            continue;
        };
        let key = (tcp.tag, tcp.cell.runtime, tcp.label());
        match groups.iter_mut().find(|(k, _)| *k == key) {
            Some((_, v)) => v.push((sleep, tcp)),
            None => groups.push((key, vec![(sleep, tcp)])),
        }
    }
    groups
        .into_iter()
        .map(|((tag, runtime, label), pairs)| {
            let tokio = runtime == crate::scenario::Runtime::Rust
                && pairs[0].1.cell.model == ModelKind::Async;
            let rounded = pairs
                .iter()
                .any(|(s, t)| s.s.shown_efficiency() < t.s.shown_efficiency() - 0.05);
            let each: Vec<String> = pairs
                .iter()
                .map(|(s, t)| {
                    format!(
                        "×{} with {} ops {} vs {}",
                        t.cell.concurrency,
                        show_us(t.cell.op_time_us),
                        num(s.s.shown_efficiency()),
                        num(t.s.shown_efficiency())
                    )
                })
                .collect();
            let why = match (tokio, rounded) {
                (true, true) => " — tokio's timer rounds each sleep up to its millisecond tick (the shorter the op, the more it costs); a socket's reply is not rounded",
                (_, false) => " — the timer costs no more than the socket here",
                (false, true) => " — the timer costs more than the socket here",
            };
            let mut compared: Vec<&Row> = Vec::new();
            for (s, t) in &pairs {
                compared.extend([*s, *t]);
            }
            Finding::info(format!(
                "the timer finding — {} at 100% I/O ({}), efficiency on a timer (sleep) vs on a socket (tcp): {}{why}",
                crate::report::names::plain_name(label),
                crate::report::names::runtime_name(runtime),
                each.join("; "),
            ))
            .about(&compared)
            .tagged(tag)
        })
        .collect()
}
