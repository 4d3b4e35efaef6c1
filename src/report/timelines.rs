//! The timelines section of the report, and the timeline figure the demo pages reuse:
//! for cells that recorded a timeline (the scenario's `timeline` key; the first
//! repetition), lanes of what each worker was doing, and a table of how the sampled
//! ops' time split between computing, ready-not-running and waiting on I/O.

use anyhow::Result;
use std::fmt::Write;

use super::charts::timeline::{common_window, render, Lanes};
use super::charts::Table;
use super::data::{num, Row};
use super::html::{esc, table};
use super::names::{plain_name, runtime_name};
use crate::metrics::Timeline;
use crate::scenario::{ModelKind, Runtime};

/// The section's anchor.
pub(crate) const ID: &str = "timelines";
/// The section's title.
pub(crate) const TITLE: &str = "Timelines: what each worker was doing";

/// Most cells in one timeline chart: more would make each too small to read.
const MAX_GROUPS: usize = 6;

/// The timeline of `row`'s first repetition, when it recorded one with ops in it.
pub(crate) fn timeline_of<'a>(row: &Row<'a>) -> Option<&'a Timeline> {
    row.result
        .repetitions
        .iter()
        .find_map(|m| m.timeline.as_ref())
        .filter(|t| !t.spans.is_empty())
}

/// The title of `row`'s lanes: its plain name, runtime, I/O share and workers.
fn lanes_title(row: &Row) -> String {
    format!(
        "{} ({}) · {:.0}% I/O · {} worker{}",
        plain_name(row.label()),
        runtime_name(row.cell.runtime),
        row.cell.io_fraction * 100.0,
        row.cell.concurrency,
        if row.cell.concurrency == 1 { "" } else { "s" }
    )
}

/// The timeline figure of `rows` (those with a timeline) on one time axis, with the
/// table of their shares; `None` when none of them recorded a timeline.
pub(crate) fn figure(rows: &[&Row]) -> Result<Option<String>> {
    let with: Vec<(&Row, &Timeline)> = rows
        .iter()
        .filter_map(|r| timeline_of(r).map(|t| (*r, t)))
        .take(MAX_GROUPS)
        .collect();
    if with.is_empty() {
        return Ok(None);
    }
    let groups: Vec<Lanes> = with
        .iter()
        .map(|(r, t)| Lanes {
            title: lanes_title(r),
            timeline: t,
        })
        .collect();
    let window = common_window(&groups);
    let svg = render(&groups, window)?;
    let mut t = Table {
        head: [
            "cell",
            "sampled ops",
            "computing %",
            "ready, not running %",
            "waiting on I/O %",
            "ready share of the CPU half %",
            "host steal in the window %",
        ]
        .map(String::from)
        .to_vec(),
        rows: Vec::new(),
    };
    for (r, tl) in &with {
        let steal = r
            .result
            .repetitions
            .iter()
            .find(|m| m.timeline.is_some())
            .and_then(|m| m.steal_share)
            .map_or("—".to_string(), |s| num(100.0 * s));
        let (c, rd, io) = tl.totals(None);
        let all = (c + rd + io).max(1) as f64;
        t.rows.push(vec![
            r.result.id.clone(),
            tl.spans.len().to_string(),
            num(100.0 * c as f64 / all),
            num(100.0 * rd as f64 / all),
            num(100.0 * io as f64 / all),
            num(100.0 * tl.ready_share()),
            steal,
        ]);
    }
    let caption = format!(
        "The first {} of each cell's window on one axis. Inside an op's CPU half the chart draws the computed time first and the ready time after it: a span records how much, not when. The table sums every sampled op, not only those drawn; its last column is the share of the machine's CPU time the hypervisor gave to other guests during the window (steal), which a lane shows as ready-not-running.",
        crate::report::data::show_us(window as f64 / 1e3)
    );
    let mut html = format!(
        "<figure role=\"img\" aria-label=\"{}\">{svg}<figcaption>{}</figcaption></figure>",
        esc(TITLE),
        esc(&caption)
    );
    let _ = write!(html, "{}", table(&t, "data"));
    Ok(Some(html))
}

/// The cells the report's section compares: per runtime, at its most CPU-bound and its
/// most I/O-bound share, the models at the smallest concurrency above one (one worker
/// shows no contention) — one chart each.
pub(crate) fn chart_sets<'a, 'r>(rows: &'r [Row<'a>]) -> Vec<(String, Vec<&'r Row<'a>>)> {
    let mut out = Vec::new();
    for rt in Runtime::ALL {
        let traced: Vec<&Row> = rows
            .iter()
            .filter(|r| r.cell.runtime == rt && timeline_of(r).is_some())
            .collect();
        let mut shares: Vec<f64> = traced.iter().map(|r| r.cell.io_fraction).collect();
        shares.sort_by(f64::total_cmp);
        shares.dedup();
        let ends: Vec<f64> = match (shares.first(), shares.last()) {
            (Some(a), Some(b)) if a != b => vec![*a, *b],
            (Some(a), _) => vec![*a],
            _ => continue,
        };
        for share in ends {
            let at: Vec<&Row> = traced
                .iter()
                .copied()
                .filter(|r| r.cell.io_fraction == share)
                .collect();
            let n = at
                .iter()
                .map(|r| r.cell.concurrency)
                .filter(|&n| n > 1)
                .min()
                .unwrap_or(1);
            let mut picked: Vec<&Row> = at
                .into_iter()
                .filter(|r| r.cell.concurrency == n || r.cell.model == ModelKind::Sequential)
                .collect();
            // One cell per model label: the first op length and I/O kind seen.
            let mut seen = Vec::new();
            picked.retain(|r| {
                let key = r.label().to_string();
                let fresh = !seen.contains(&key);
                seen.push(key);
                fresh
            });
            out.push((
                format!("{} · {:.0}% I/O · N = {n}", runtime_name(rt), share * 100.0),
                picked,
            ));
        }
    }
    out
}

/// The report's timelines section (empty when no cell recorded a timeline).
pub(crate) fn section(rows: &[Row]) -> Result<String> {
    let sets = chart_sets(rows);
    if sets.is_empty() {
        return Ok(String::new());
    }
    let mut s = format!(
        "<section id=\"{ID}\" class=\"chart\"><h2>{}</h2><p class=\"what\">{}</p>",
        esc(TITLE),
        esc("For the first ops of each cell's window (the scenario's `timeline` key), one lane per worker: blue while it computed (its thread's CPU time), orange while it was ready but not running (waiting for the GIL or for a free core — on a virtual machine, also time the hypervisor gave to other guests), sky blue while it waited on I/O. Per runtime, the two ends of the sweep at the smallest N above one.")
    );
    for (title, set) in sets {
        if let Some(html) = figure(&set)? {
            let _ = write!(s, "<h3>{}</h3>{html}", esc(&title));
        }
    }
    s.push_str("</section>");
    Ok(s)
}
