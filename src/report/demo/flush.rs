//! The `flush` demo's figures: what one 4 KiB write costs as it is pushed further —
//! into the page cache, through a userspace buffer, to the device — per runtime and
//! model, and the guide's "I/O rarely blocks unless flushing" judged on this disk.

use crate::report::charts::Table;
use crate::report::data::{num, Row};
use crate::report::names::runtime_name;
use crate::report::verdicts::{Finding, Judged, Side, Verdict};
use crate::scenario::{FileSync, IoKind, ModelKind};
use crate::stats::ratio_of_medians;

use super::lessons::{Bars, Number};

/// A write that waits for the device is "blocking" when its median is at least this many
/// times a buffered write's.
const BLOCKS: f64 = 5.0;

/// The claim.
const CLAIM: &str = "“I/O doesn't often block unless you are flushing”: buffered writes return at once; write + fsync blocks.";

fn file_rows<'r, 'a>(rows: &'r [Row<'a>]) -> impl Iterator<Item = &'r Row<'a>> {
    rows.iter().filter(|r| r.cell.io == IoKind::File)
}

/// The row of the same runtime and model as `r` with sync mode `sync`.
fn twin<'r, 'a>(rows: &'r [Row<'a>], r: &Row, sync: FileSync) -> Option<&'r Row<'a>> {
    file_rows(rows).find(|o| {
        o.cell.runtime == r.cell.runtime
            && o.cell.model == r.cell.model
            && o.cell.concurrency == r.cell.concurrency
            && o.cell.file_sync == Some(sync)
    })
}

/// The rows with a buffered write (`none`), one per runtime and model.
fn buffered<'r, 'a>(rows: &'r [Row<'a>]) -> Vec<&'r Row<'a>> {
    file_rows(rows)
        .filter(|r| r.cell.file_sync == Some(FileSync::None))
        .collect()
}

/// "Rust threads (N = 2)".
fn who(r: &Row) -> String {
    let model = match r.cell.model {
        ModelKind::Sequential => "one thread".to_string(),
        ModelKind::Thread => format!("{} threads", r.cell.concurrency),
        ModelKind::Async if r.cell.runtime.is_python() => {
            format!("{} asyncio tasks", r.cell.concurrency)
        }
        ModelKind::Async => format!("{} tokio tasks (tokio::fs)", r.cell.concurrency),
        other => format!("{} × {}", r.cell.concurrency, other.as_str()),
    };
    format!("{}, {model}", runtime_name(r.cell.runtime))
}

/// Each repetition's median latency per op, µs.
fn p50s(r: &Row) -> Vec<f64> {
    r.per_rep(|m| m.latency_us.p50)
}

/// fsync ÷ none, per runtime and model.
pub(crate) fn verdict(rows: &[Row]) -> Verdict {
    let findings = buffered(rows)
        .into_iter()
        .filter_map(|none| {
            let fsync = twin(rows, none, FileSync::Fsync)?;
            let i = ratio_of_medians(&p50s(fsync), &p50s(none))?;
            Some(
                Finding::judge(
                    format!(
                        "{}: p50 per write {} µs with fsync against {} µs buffered",
                        who(none),
                        num(fsync.s.latency_us.p50),
                        num(none.s.latency_us.p50)
                    ),
                    Judged::new("fsync ÷ buffered", "×", i, BLOCKS, Side::Above),
                    [
                        "waiting for the device is what blocks, as the guide says",
                        "a sync costs little more than a buffered write on this disk (a write cache, or a RAM-backed file system)",
                        "the repetitions are too spread to tell",
                    ],
                )
                .about(&[none, fsync]),
            )
        })
        .collect();
    Verdict::new(
        "7",
        CLAIM,
        findings,
        &["no single published figure: an fsync costs from tens of µs (NVMe with a write cache, a virtual disk) to ms (a spinning disk) — the device sets it"],
    )
}

/// The two or three numbers: buffered against fsync for the first model of each
/// runtime, and the threads tokio's file I/O adds.
pub(crate) fn numbers(rows: &[Row]) -> Vec<Number> {
    let mut out = Vec::new();
    let mut seen = Vec::new();
    for none in buffered(rows) {
        if seen.contains(&none.cell.runtime) {
            continue;
        }
        let Some(fsync) = twin(rows, none, FileSync::Fsync) else {
            continue;
        };
        seen.push(none.cell.runtime);
        let target = none
            .result
            .repetitions
            .iter()
            .find_map(|m| m.file_target.as_ref())
            .map(|t| format!("{} on {}", t.fs_type, t.source))
            .unwrap_or_else(|| "the disk".into());
        out.push(Number {
            value: format!(
                "{} µs → {} µs per 4 KiB write (p50), {}× ",
                num(none.s.latency_us.p50),
                num(fsync.s.latency_us.p50),
                num(fsync.s.latency_us.p50 / none.s.latency_us.p50.max(1e-9))
            )
            .trim_end()
            .to_string(),
            sentence: format!(
                "{}: buffered (into the page cache) against fsync (to the device, {target}). Only the sync waits for the disk.",
                who(none)
            ),
        });
    }
    let threads = |model: ModelKind| {
        file_rows(rows)
            .filter(|r| r.cell.runtime == crate::scenario::Runtime::Rust && r.cell.model == model)
            .filter_map(|r| r.result.repetitions.iter().find_map(|m| m.os_threads))
            .map(|t| t.before.max(t.after))
            .max()
    };
    if let (Some(tokio), Some(thread)) = (threads(ModelKind::Async), threads(ModelKind::Thread)) {
        out.push(Number {
            value: format!("{tokio} OS threads for 2 tokio tasks, {thread} for 2 threads"),
            sentence: "The cell process's threads around the window: tokio::fs runs every write on tokio's blocking pool, threads beside the runtime's own workers.".into(),
        });
    }
    out
}

/// The p50 per write of every file cell, as bars.
pub(crate) fn bars(rows: &[Row]) -> Bars {
    let items = file_rows(rows)
        .map(|r| {
            (
                format!(
                    "{} · {}",
                    who(r),
                    r.cell.file_sync.map_or("—", FileSync::as_str)
                ),
                r.s.latency_us.p50,
            )
        })
        .collect();
    (
        "Median time per 4 KiB write, by runtime, model and how far the write is pushed".into(),
        "µs per write (p50)".into(),
        items,
    )
}

/// p50 and p99 per write for every file cell, by runtime, model and sync mode.
pub(crate) fn table(rows: &[Row]) -> Table {
    let mut t = Table {
        head: [
            "runtime, model",
            "sync",
            "p50 µs",
            "p99 µs",
            "writes/s",
            "OS threads",
        ]
        .map(String::from)
        .to_vec(),
        rows: Vec::new(),
    };
    for r in file_rows(rows) {
        let threads = r
            .result
            .repetitions
            .iter()
            .find_map(|m| m.os_threads)
            .map_or("—".into(), |o| o.before.max(o.after).to_string());
        t.rows.push(vec![
            who(r),
            r.cell.file_sync.map_or("—", FileSync::as_str).to_string(),
            num(r.s.latency_us.p50),
            num(r.s.latency_us.p99),
            num(r.s.ops_per_s.median),
            threads,
        ]);
    }
    t
}
