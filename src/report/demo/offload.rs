//! The `offload` demo's figures: async tasks doing loopback round trips alone, and beside
//! CPU-heavy tasks on the same runtime whose chunks run inline, on the executor's
//! blocking pool (`spawn_blocking`, `asyncio.to_thread`) or on a CPU pool of their own
//! (rayon, a process pool) — the round trips' latency, the CPU work done, and what each
//! pool costs in threads, processes and memory; REFERENCE.md's claim 5 judged on them.

use crate::report::charts::Table;
use crate::report::data::{num, Row};
use crate::report::names::runtime_name;
use crate::report::verdicts::{Finding, Judged, Side};
use crate::scenario::{AsyncCpu, BackgroundModel, ModelKind, Runtime};
use crate::stats::{median, ratio_of_medians};

use super::lessons::{Bars, Number};

/// Inline CPU "stalls" the I/O tasks when their median round trip is at least this many
/// times as long as alone.
const STALLS: f64 = 3.0;
/// A placement "fixes the latency" when the median round trip is at most this many
/// times as long as alone (the CPU still takes cores the I/O tasks share).
const FIXES: f64 = 2.0;

/// The async cells of `runtime`.
fn async_rows<'r, 'a>(rows: &'r [Row<'a>], runtime: Runtime) -> impl Iterator<Item = &'r Row<'a>> {
    rows.iter()
        .filter(move |r| r.cell.runtime == runtime && r.cell.model == ModelKind::Async)
}

/// Whether `r` runs beside background tasks.
fn loaded(r: &Row) -> bool {
    r.cell
        .background
        .is_some_and(|b| b.model == BackgroundModel::Task)
}

/// The I/O tasks alone on `runtime`.
fn alone<'r, 'a>(rows: &'r [Row<'a>], runtime: Runtime) -> Option<&'r Row<'a>> {
    async_rows(rows, runtime).find(|r| r.cell.background.is_none())
}

/// The I/O tasks beside background tasks placed by `place`, on `runtime`.
fn beside<'r, 'a>(rows: &'r [Row<'a>], runtime: Runtime, place: AsyncCpu) -> Option<&'r Row<'a>> {
    async_rows(rows, runtime)
        .find(|r| loaded(r) && r.cell.async_cpu.unwrap_or(AsyncCpu::Inline) == place)
}

/// Where the chunks run, in the runtime's own words.
fn place_words(runtime: Runtime, place: AsyncCpu) -> &'static str {
    match (runtime.is_python(), place) {
        (_, AsyncCpu::Inline) => "inline (in the task)",
        (false, AsyncCpu::Offload) => "spawn_blocking",
        (false, AsyncCpu::Pool) => "rayon's pool",
        (true, AsyncCpu::Offload) => "asyncio.to_thread",
        (true, AsyncCpu::Pool) => "a process pool",
    }
}

/// "4 tokio tasks" / "4 asyncio tasks (embedded Python)".
fn tasks_words(r: &Row) -> String {
    match r.cell.runtime {
        Runtime::Rust => format!("{} tokio tasks", r.cell.concurrency),
        other => format!(
            "{} asyncio tasks ({})",
            r.cell.concurrency,
            runtime_name(other)
        ),
    }
}

/// "2 CPU-heavy tasks".
fn load_words(r: &Row) -> String {
    match r.cell.background {
        Some(b) => format!(
            "{} CPU-heavy task{}",
            b.units,
            if b.units == 1 { "" } else { "s" }
        ),
        None => "nothing".into(),
    }
}

/// Each repetition's median round trip, µs.
fn p50s(r: &Row) -> Vec<f64> {
    r.per_rep(|m| m.latency_us.p50)
}

/// The runtimes the run has async cells of, in the report's order.
fn runtimes(rows: &[Row]) -> Vec<Runtime> {
    Runtime::ALL
        .into_iter()
        .filter(|rt| async_rows(rows, *rt).next().is_some())
        .collect()
}

/// The most OS threads the cell process had around the window (first repetition that
/// counted them).
fn threads(r: &Row) -> Option<u64> {
    r.result
        .repetitions
        .iter()
        .find_map(|m| m.os_threads)
        .map(|t| t.before.max(t.after))
}

/// The median over repetitions of what `each` reads off one (repetitions without it
/// left out); `None` when none has it.
fn median_of(r: &Row, each: impl Fn(&crate::metrics::Measurement) -> Option<f64>) -> Option<f64> {
    let v: Vec<f64> = r.result.repetitions.iter().filter_map(each).collect();
    (!v.is_empty()).then(|| median(&v))
}

/// A figure the run reported of itself (`Measurement::info`), median over repetitions.
fn info(r: &Row, key: &str) -> Option<f64> {
    median_of(r, |m| m.info.get(key).and_then(|x| x.as_f64()))
}

/// CPU chunks the background tasks finished per second of window, median over
/// repetitions.
fn chunks_per_s(r: &Row) -> Option<f64> {
    median_of(r, |m| {
        let chunks = m.info.get("background_chunks")?.as_f64()?;
        (m.wall_s > 0.0).then(|| chunks / m.wall_s)
    })
}

/// What a placement costs beyond the runtime: "7 OS threads", "+ 2 processes, 37 MiB".
fn cost_words(r: &Row) -> String {
    let mut s = threads(r).map_or("—".into(), |t| {
        format!("{t} OS thread{}", if t == 1 { "" } else { "s" })
    });
    if let Some(p) = info(r, "pool_processes") {
        s.push_str(&format!(" + {p:.0} processes"));
        if let Some(kib) = info(r, "pool_rss_kib") {
            s.push_str(&format!(" ({} MiB peak RSS together)", num(kib / 1024.0)));
        }
    }
    s
}

/// Claim 5's judged findings, per runtime: inline against alone (the stall), then each
/// pool against alone (the fix), each with what the placement costs. The full report's
/// claim 5 holds them too, so the demo page and the report never disagree.
pub(crate) fn findings(rows: &[Row]) -> Vec<Finding> {
    let mut findings = Vec::new();
    for rt in runtimes(rows) {
        let Some(base) = alone(rows, rt) else {
            continue;
        };
        for place in [AsyncCpu::Inline, AsyncCpu::Offload, AsyncCpu::Pool] {
            let Some(r) = beside(rows, rt, place) else {
                continue;
            };
            let Some(i) = ratio_of_medians(&p50s(r), &p50s(base)) else {
                continue;
            };
            let head = format!(
                "{} beside {}, CPU {}: median round trip {} µs against {} µs alone ({})",
                tasks_words(r),
                load_words(r),
                place_words(rt, place),
                num(r.s.latency_us.p50),
                num(base.s.latency_us.p50),
                cost_words(r)
            );
            let finding = if place == AsyncCpu::Inline {
                Finding::judge(
                    head,
                    Judged::new("inline ÷ alone", "×", i, STALLS, Side::Above),
                    [
                        "the CPU chunks stall the other tasks, as the claim says",
                        "the I/O tasks keep their pace beside inline CPU work",
                        "the repetitions are too spread to tell",
                    ],
                )
            } else {
                Finding::judge(
                    head,
                    Judged::new("placed ÷ alone", "×", i, FIXES, Side::Below),
                    [
                        "moving the chunks off the tasks fixes the latency",
                        if rt.is_python() && place == AsyncCpu::Offload {
                            "a thread of the executor still needs the GIL: the loop waits for it, so to_thread does not fix pure-Python CPU work"
                        } else {
                            "the I/O tasks stay slow with the chunks moved"
                        },
                        "the repetitions are too spread to tell",
                    ],
                )
            };
            findings.push(finding.about(&[base, r]));
        }
    }
    findings
}

/// The two or three numbers: per runtime the median round trip alone, beside inline
/// chunks and with each pool; then what the pools cost.
pub(crate) fn numbers(rows: &[Row]) -> Vec<Number> {
    let mut out = Vec::new();
    let mut costs = Vec::new();
    for rt in runtimes(rows) {
        let Some(base) = alone(rows, rt) else {
            continue;
        };
        let mut value = format!("{} µs alone", num(base.s.latency_us.p50));
        let mut cost = Vec::new();
        for place in [AsyncCpu::Inline, AsyncCpu::Offload, AsyncCpu::Pool] {
            if let Some(r) = beside(rows, rt, place) {
                value.push_str(&format!(
                    " → {} µs {}",
                    num(r.s.latency_us.p50),
                    place_words(rt, place)
                ));
                cost.push(format!("{}: {}", place_words(rt, place), cost_words(r)));
            }
        }
        let Some(any) = beside(rows, rt, AsyncCpu::Inline)
            .or_else(|| beside(rows, rt, AsyncCpu::Offload))
            .or_else(|| beside(rows, rt, AsyncCpu::Pool))
        else {
            continue;
        };
        out.push(Number {
            value,
            sentence: format!(
                "{}: the median loopback round trip (the server answers after {} µs) alone, then beside {} whose 2 ms chunks of CPU run where each step says.",
                tasks_words(base),
                num(base.cell.io_us),
                load_words(any)
            ),
        });
        costs.push(format!("{}: {}", runtime_name(rt), cost.join("; ")));
    }
    if !costs.is_empty() {
        out.push(Number {
            value: costs.join(" · "),
            sentence: "What each placement costs: the cell process's OS threads around the window (the runtime's own included), and a process pool's processes.".into(),
        });
    }
    out
}

/// The median round trip of every async cell, as bars.
pub(crate) fn bars(rows: &[Row]) -> Bars {
    let mut items = Vec::new();
    for rt in runtimes(rows) {
        for r in async_rows(rows, rt) {
            items.push((
                format!("{} · {}", engine(r.cell.runtime), where_words(r)),
                r.s.latency_us.p50,
            ));
        }
    }
    (
        "Median round trip of the I/O tasks, alone and beside CPU-heavy tasks".into(),
        "µs per round trip (p50)".into(),
        items,
    )
}

/// The runtime's event loop in a word or two, for the bars' narrow labels.
fn engine(runtime: Runtime) -> &'static str {
    match runtime {
        Runtime::Rust => "tokio",
        Runtime::Python => "asyncio",
        Runtime::Cpython => "asyncio (python3)",
    }
}

/// "alone", or "CPU inline".
fn where_words(r: &Row) -> String {
    if loaded(r) {
        format!(
            "CPU {}",
            place_words(r.cell.runtime, r.cell.async_cpu.unwrap_or(AsyncCpu::Inline))
        )
    } else {
        "alone".into()
    }
}

/// Every async cell: latency, the CPU work done beside it, and the cost in threads and
/// processes.
pub(crate) fn table(rows: &[Row]) -> Table {
    let mut t = Table {
        head: [
            "I/O tasks",
            "beside",
            "CPU chunks run",
            "p50 µs",
            "p99 µs",
            "round trips/s",
            "CPU chunks/s",
            "OS threads + pool",
        ]
        .map(String::from)
        .to_vec(),
        rows: Vec::new(),
    };
    for rt in runtimes(rows) {
        for r in async_rows(rows, rt) {
            t.rows.push(vec![
                tasks_words(r),
                load_words(r),
                if loaded(r) {
                    place_words(rt, r.cell.async_cpu.unwrap_or(AsyncCpu::Inline)).into()
                } else {
                    "—".into()
                },
                num(r.s.latency_us.p50),
                num(r.s.latency_us.p99),
                num(r.s.ops_per_s.median),
                chunks_per_s(r).map_or("—".into(), num),
                cost_words(r),
            ]);
        }
    }
    t
}
