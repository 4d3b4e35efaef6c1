//! The `convoy` demo's figures: one I/O thread's requests per second and latency alone,
//! beside CPU-bound Python threads at each switch interval, and with the CPU work in a
//! process or in native code that releases the GIL; and REFERENCE.md's claim 6 judged
//! on them.

use crate::report::charts::Table;
use crate::report::data::{num, Row};
use crate::report::verdicts::{Finding, Judged, Side, Verdict};
use crate::scenario::{BackgroundModel, IoKind};
use crate::stats::{bootstrap, ratio_of_medians};

use super::lessons::{Bars, Number};

/// The convoy shows when a request beside a CPU-bound thread takes at least this share
/// of a switch interval longer than alone ("climbs towards multiples of the interval").
const CLIMBS: f64 = 0.25;
/// Moving the CPU work off the GIL "restores" the I/O thread when its rate is at least
/// this many times its rate beside a CPU-bound thread.
const RESTORES: f64 = 3.0;

const CLAIM: &str = "The convoy effect: beside one CPU-bound Python thread, an I/O-bound thread's latency climbs towards multiples of the switch interval.";

/// CPython's default switch interval, µs.
const DEFAULT_INTERVAL_US: f64 = 5_000.0;

/// The I/O thread's cells: Python, waiting on sockets.
fn io_rows<'r, 'a>(rows: &'r [Row<'a>]) -> impl Iterator<Item = &'r Row<'a>> {
    rows.iter()
        .filter(|r| r.cell.runtime.is_python() && r.cell.io == IoKind::Tcp)
}

/// The row with `units` background units of `model` (0: alone) at `interval` µs.
fn find<'r, 'a>(
    rows: &'r [Row<'a>],
    units: u32,
    model: BackgroundModel,
    interval: f64,
) -> Option<&'r Row<'a>> {
    io_rows(rows).find(|r| {
        let bg_ok = match r.cell.background {
            None => units == 0,
            Some(b) => b.units == units && b.model == model,
        };
        bg_ok && r.cell.switch_interval_us.unwrap_or(DEFAULT_INTERVAL_US) == interval
    })
}

/// "5 ms".
fn interval(us: f64) -> String {
    crate::report::data::show_us(us)
}

/// Every switch interval of the run, longest first.
fn intervals(rows: &[Row]) -> Vec<f64> {
    let mut v: Vec<f64> = io_rows(rows)
        .map(|r| r.cell.switch_interval_us.unwrap_or(DEFAULT_INTERVAL_US))
        .collect();
    v.sort_by(|a, b| b.total_cmp(a));
    v.dedup();
    v
}

/// Claim 6: at each interval, the I/O thread alone against beside one CPU thread; and
/// beside a process against beside a thread at the default interval.
pub(crate) fn verdict(rows: &[Row]) -> Verdict {
    let mut findings = Vec::new();
    for si in intervals(rows) {
        let (Some(alone), Some(beside)) = (
            find(rows, 0, BackgroundModel::Thread, si),
            find(rows, 1, BackgroundModel::Thread, si),
        ) else {
            continue;
        };
        // The extra time per request beside the CPU thread, in switch intervals.
        let means = |r: &Row| r.per_rep(|m| m.latency_us.mean);
        let Some(i) = bootstrap(&[&means(alone), &means(beside)], |m| (m[1] - m[0]) / si) else {
            continue;
        };
        findings.push(
            Finding::judge(
                format!(
                    "switch interval {}: {} requests/s alone, {} beside one CPU-bound thread; mean time per request {} µs → {} µs",
                    interval(si),
                    num(alone.s.ops_per_s.median),
                    num(beside.s.ops_per_s.median),
                    num(alone.s.latency_us.mean),
                    num(beside.s.latency_us.mean)
                ),
                Judged::new(
                    "extra time per request",
                    " intervals",
                    i,
                    CLIMBS,
                    Side::Above,
                ),
                [
                    "each request waits a good part of an interval for the GIL, as the convoy predicts",
                    "the I/O thread keeps its pace beside a CPU-bound thread (a free-threaded build?)",
                    "the repetitions are too spread to tell",
                ],
            )
            .about(&[alone, beside]),
        );
    }
    for model in [BackgroundModel::Process, BackgroundModel::Native] {
        let (Some(thread), Some(other)) = (
            find(rows, 1, BackgroundModel::Thread, DEFAULT_INTERVAL_US),
            find(rows, 1, model, DEFAULT_INTERVAL_US),
        ) else {
            continue;
        };
        let Some(i) = ratio_of_medians(&other.ops(), &thread.ops()) else {
            continue;
        };
        let what = match model {
            BackgroundModel::Process => "in a process",
            _ => "in native code with the GIL released",
        };
        findings.push(
            Finding::judge(
                format!(
                    "the CPU work {what}: {} requests/s, against {} beside a CPU-bound thread",
                    num(other.s.ops_per_s.median),
                    num(thread.s.ops_per_s.median)
                ),
                Judged::new("moved ÷ beside a thread", "×", i, RESTORES, Side::Above),
                [
                    "moving the CPU work off the GIL gives the I/O thread its pace back",
                    "moving the CPU work did not help",
                    "the repetitions are too spread to tell",
                ],
            )
            .about(&[thread, other]),
        );
    }
    Verdict::new(
        "6",
        CLAIM,
        findings,
        &[
            "echo server, thread per connection, 2 cores: ~30 000 req/s alone; beside 1 CPU thread ~100 req/s at 5 ms, ~500 at 1 ms, ~3 200 at 100 µs; ~20 000 with the CPU work in processes — V. Skvortsov, “Python behind the scenes #13” (2021)",
            "one CPU-bound thread cuts an I/O thread's request rate by orders of magnitude — David Beazley, “Understanding the Python GIL” (bpo-7946)",
        ],
    )
}

/// Alone against beside one CPU thread at the default interval and the shortest one,
/// and the CPU work moved off the GIL.
pub(crate) fn numbers(rows: &[Row]) -> Vec<Number> {
    let mut out = Vec::new();
    let d = DEFAULT_INTERVAL_US;
    let alone = find(rows, 0, BackgroundModel::Thread, d);
    let beside = find(rows, 1, BackgroundModel::Thread, d);
    if let (Some(a), Some(b)) = (alone, beside) {
        out.push(Number {
            value: format!(
                "{} → {} requests/s",
                num(a.s.ops_per_s.median),
                num(b.s.ops_per_s.median)
            ),
            sentence: format!(
                "The I/O thread alone, then beside one CPU-bound Python thread at CPython's default switch interval (5 ms): a reply that finds the GIL taken waits for it, up to an interval — the mean time per request goes from {} µs to {} µs, the p99 from {} µs to {} µs.",
                num(a.s.latency_us.mean),
                num(b.s.latency_us.mean),
                num(a.s.latency_us.p99),
                num(b.s.latency_us.p99)
            ),
        });
    }
    if let Some(shortest) = intervals(rows).last().copied().filter(|s| *s < d) {
        if let Some(b) = find(rows, 1, BackgroundModel::Thread, shortest) {
            out.push(Number {
                value: format!(
                    "{} requests/s at a {} interval",
                    num(b.s.ops_per_s.median),
                    interval(shortest)
                ),
                sentence: "The same beside one CPU-bound thread with a shorter switch interval: the computing thread is asked to let go sooner, so the I/O thread waits less — at the price of more switches for the CPU thread.".into(),
            });
        }
    }
    for (model, what) in [
        (BackgroundModel::Process, "in a process (its own GIL)"),
        (
            BackgroundModel::Native,
            "in native code that releases the GIL",
        ),
    ] {
        if let Some(r) = find(rows, 1, model, d) {
            out.push(Number {
                value: format!("{} requests/s", num(r.s.ops_per_s.median)),
                sentence: format!(
                    "The CPU work {what}, at the 5 ms interval: nothing holds the GIL against the I/O thread any more."
                ),
            });
        }
    }
    out
}

/// The I/O thread's requests per second in every cell, as bars.
pub(crate) fn bars(rows: &[Row]) -> Bars {
    let t = table(rows);
    let items = io_rows(rows)
        .zip(&t.rows)
        .map(|(r, cells)| (format!("{} · {}", cells[0], cells[1]), r.s.ops_per_s.median))
        .collect();
    (
        "The I/O thread's requests per second, by what runs beside it and the switch interval"
            .into(),
        "requests/s".into(),
        items,
    )
}

/// Every cell: load, interval, requests/s, p50 and p99.
pub(crate) fn table(rows: &[Row]) -> Table {
    let mut t = Table {
        head: [
            "beside the I/O thread",
            "switch interval",
            "requests/s",
            "mean µs",
            "p50 µs",
            "p99 µs",
        ]
        .map(String::from)
        .to_vec(),
        rows: Vec::new(),
    };
    for r in io_rows(rows) {
        let load = match r.cell.background {
            None => "nothing".to_string(),
            Some(b) => {
                let s = if b.units == 1 { "" } else { "s" };
                match b.model {
                    BackgroundModel::Thread => format!("{} CPU-bound Python thread{s}", b.units),
                    BackgroundModel::Process => format!("{} CPU-bound process{s}", b.units),
                    BackgroundModel::Native => {
                        format!("{} native CPU thread{s}, GIL released", b.units)
                    }
                    BackgroundModel::Task => format!("{} CPU-heavy task{s}", b.units),
                }
            }
        };
        t.rows.push(vec![
            load,
            interval(r.cell.switch_interval_us.unwrap_or(DEFAULT_INTERVAL_US)),
            num(r.s.ops_per_s.median),
            num(r.s.latency_us.mean),
            num(r.s.latency_us.p50),
            num(r.s.latency_us.p99),
        ]);
    }
    t
}
