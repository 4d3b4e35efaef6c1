//! Verdicts on the I/O end and the async claims of REFERENCE.md: switches, system time
//! and memory per unit (claim 3), switch costs (claim 4), inline vs offloaded CPU in
//! async tasks (claim 5), and the guide's line read off chart 1.

use super::Finding;
use crate::report::charts::{best_per_fraction, slopes, Slope};
use crate::report::data::{groups, num, Row};
use crate::scenario::{AsyncCpu, Impl, ModelKind};

/// The thread and async (CPU inline) rows of each runtime at its highest I/O share and
/// the highest concurrency where both were measured: the pure-I/O end of claim 3.
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
            .filter(|(t, a)| t.cell.concurrency == a.cell.concurrency)
            .max_by_key(|(t, _)| t.cell.concurrency);
        out.extend(pair);
    }
    out
}

fn ratio_finding(t: &Row, a: &Row, what: &str, unit: &str, tv: f64, av: f64) -> Finding {
    let head = format!(
        "{} at {:.0}% I/O, N = {}: threads {} {unit}, async {} {unit}",
        t.cell.runtime.as_str(),
        t.cell.io_fraction * 100.0,
        t.cell.concurrency,
        num(tv),
        num(av)
    );
    // getrusage counts CPU time in scheduler ticks: over a short window both can be
    // zero, and 0 / 0 says nothing either way.
    if tv <= 0.0 && av <= 0.0 {
        return Finding::info(format!(
            "{head} — neither registered any {what} in the window: not judged"
        ))
        .tagged(a.tag);
    }
    let ok = av <= 0.0 || tv / av >= 2.0;
    let tail = if av <= 0.0 {
        format!("async registered no {what} at all")
    } else if ok {
        format!("async tasks cost {}× fewer {what}", num(tv / av))
    } else {
        format!(
            "async is not far below threads in {what} here ({}×)",
            num(tv / av)
        )
    };
    Finding::judged(ok, format!("{head} — {tail}"))
        .drifted(&[t, a])
        .tagged(a.tag)
}

/// Claim 3, switches: async tasks cost far fewer context switches per op at the I/O end.
pub(crate) fn io_switches(rows: &[Row]) -> Vec<Finding> {
    io_end_pairs(rows)
        .iter()
        .map(|(t, a)| {
            let sw = |r: &Row| r.s.ctx_voluntary_per_op + r.s.ctx_involuntary_per_op;
            ratio_finding(t, a, "context switches", "switches/op", sw(t), sw(a))
        })
        .collect()
}

/// Claim 3, system time: async tasks cost far less system CPU per op at the I/O end.
pub(crate) fn io_sys_time(rows: &[Row]) -> Vec<Finding> {
    io_end_pairs(rows)
        .iter()
        .map(|(t, a)| {
            let (tv, av) = (t.s.cpu_sys_us_per_op, a.s.cpu_sys_us_per_op);
            ratio_finding(t, a, "system time", "µs system/op", tv, av)
        })
        .collect()
}

/// Claim 3, memory: a task costs a few hundred bytes, a thread kilobytes.
pub(crate) fn unit_memory(rows: &[Row]) -> Vec<Finding> {
    let all = slopes(rows);
    let mut out = Vec::new();
    // The plain variants only: the native helpers and the GIL setting do not change
    // what a thread or a task costs in memory, and repeating them says nothing new.
    let plain = |s: &&Slope, model: &str| {
        s.label.split_whitespace().next() == Some(model) && !s.label.contains("=native")
    };
    for t in all.iter().filter(|s| plain(s, "thread")) {
        let Some(a) = all
            .iter()
            .find(|a| a.tag == t.tag && a.runtime == t.runtime && plain(a, "async"))
        else {
            continue;
        };
        let ok = a.kib_per_unit < t.kib_per_unit / 2.0;
        let mut f = Finding::judged(
            ok,
            format!(
                "{} at {:.0}% I/O (line through N = {}): {} adds {} KiB of peak RSS per thread, {} {} KiB per task — {}",
                t.runtime.as_str(),
                t.io_fraction * 100.0,
                t.ns.iter().map(|n| n.to_string()).collect::<Vec<_>>().join(", "),
                t.label,
                num(t.kib_per_unit),
                a.label,
                num(a.kib_per_unit),
                if ok {
                    "tasks are far cheaper"
                } else {
                    "tasks are not far cheaper here"
                }
            ),
        );
        f = f.tagged(&t.tag);
        out.push(f);
    }
    out
}

/// Claim 4: switch and creation costs. The sweep's cells do not measure them directly;
/// the kernel time per voluntary switch of threads at the I/O end is shown as an
/// indirect upper bound (it includes the timer and the wake-up).
pub(crate) fn switch_costs(rows: &[Row]) -> Vec<Finding> {
    io_end_pairs(rows)
        .iter()
        .filter(|(t, _)| t.s.ctx_voluntary_per_op > 0.0)
        .map(|(t, _)| {
            Finding::info(format!(
                "indirect only: {} threads at {:.0}% I/O spend {} µs of system time per voluntary switch (timer, wake-up and switch together)",
                t.cell.runtime.as_str(),
                t.cell.io_fraction * 100.0,
                num(t.s.cpu_sys_us_per_op / t.s.ctx_voluntary_per_op)
            ))
            .tagged(t.tag)
        })
        .collect()
}

/// Claim 5: CPU inline in async tasks stalls the others; an executor pool fixes latency.
pub(crate) fn inline_vs_offload(rows: &[Row]) -> Vec<Finding> {
    let mut out = Vec::new();
    for g in groups(rows, true) {
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
        // The mixed share nearest one half: both halves of the op matter there.
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
        let (pi, po) = (inl.s.latency_us.p99, off.s.latency_us.p99);
        let ratio = if po > 0.0 { pi / po } else { f64::INFINITY };
        let ok = ratio >= 1.5;
        out.push(
            Finding::judged(
                ok,
                format!(
                    "{} at {:.0}% I/O: p99 {} µs inline vs {} µs offloaded (p50 {} vs {}) — {}",
                    g.title(),
                    f * 100.0,
                    num(pi),
                    num(po),
                    num(inl.s.latency_us.p50),
                    num(off.s.latency_us.p50),
                    if ok {
                        format!(
                            "inline CPU stretches the tail {}×; the pool fixes it",
                            num(ratio)
                        )
                    } else {
                        format!(
                            "offloading does not shorten the tail here ({}×)",
                            num(ratio)
                        )
                    }
                ),
            )
            .drifted(&[inl, off]),
        );
    }
    out
}

/// Chart 1's reading: the best model at each end against the guide's line (processes
/// at the CPU end, async tasks at the I/O end; "best" allows 10% of the winner).
pub(crate) fn spectrum_line(rows: &[Row]) -> Vec<Finding> {
    let mut out = Vec::new();
    for g in groups(rows, true) {
        let best = best_per_fraction(&g);
        let (Some(first), Some(last)) = (best.first(), best.last()) else {
            continue;
        };
        if best.len() < 2 {
            continue;
        }
        let top = |f: f64| {
            g.rows
                .iter()
                .filter(|r| r.cell.io_fraction == f)
                .map(|r| r.s.ops_per_s.median)
                .fold(0.0, f64::max)
        };
        // `None` when the model was not measured at that end of this panel: no verdict.
        let near = |f: f64, m: ModelKind| {
            let at: Vec<&Row> = g
                .rows
                .iter()
                .filter(|r| r.cell.io_fraction == f && r.cell.model == m)
                .collect();
            (!at.is_empty()).then(|| at.iter().any(|r| r.s.ops_per_s.median >= 0.9 * top(f)))
        };
        let cpu_ok = near(first.0, ModelKind::Process);
        let io_ok = near(last.0, ModelKind::Async);
        // Runs of the same winner are said once, with the shares they cover.
        let mut path: Vec<String> = Vec::new();
        let mut i = 0;
        while i < best.len() {
            let mut j = i;
            while j + 1 < best.len() && best[j + 1].1 == best[i].1 {
                j += 1;
            }
            let span = if i == j {
                format!("{:.0}%", best[i].0 * 100.0)
            } else {
                format!("{:.0}–{:.0}%", best[i].0 * 100.0, best[j].0 * 100.0)
            };
            path.push(format!("{} ({span})", best[i].1));
            i = j + 1;
        }
        let cpu_end = match cpu_ok {
            Some(true) => "processes within 10% of the best at the CPU end",
            Some(false) => "processes NOT within 10% of the best at the CPU end",
            None => "no process cell at the CPU end",
        };
        let io_end = match io_ok {
            Some(true) => "async within 10% of the best at the I/O end",
            Some(false) => "async NOT within 10% of the best at the I/O end",
            None => "no async cell at the I/O end",
        };
        let verdict = match (cpu_ok, io_ok) {
            (None, None) => "the guide's line cannot be judged in this panel",
            (Some(false), _) | (_, Some(false)) => "this machine departs from the guide's line",
            _ => "the guide's line holds",
        };
        let text = format!(
            "{}: best by I/O share: {} — {verdict} ({cpu_end}; {io_end})",
            g.title(),
            path.join(" → ")
        );
        out.push(match (cpu_ok, io_ok) {
            (None, None) => Finding::info(text),
            (a, b) => Finding::judged(a.unwrap_or(true) && b.unwrap_or(true), text),
        });
    }
    out
}
