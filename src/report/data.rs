//! The report's view of merged results: measured cells as rows, grouped into the panels
//! the charts draw (one per file tag × runtime, optionally × concurrency) and into one
//! series per model label. Charts, tables and verdicts all read the data through here,
//! so they agree on what is drawn.

use crate::metrics::{Measurement, Summary};
use crate::results::{CellResult, CellStatus, Merged};
use crate::scenario::{Cell, IoKind, ModelKind, Runtime};

/// A measured cell with what every chart needs beside it.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Row<'a> {
    /// The cell as stored (id, label, status, repetitions).
    pub result: &'a CellResult,
    /// The cell's identity (runtime, model, I/O share, concurrency…).
    pub cell: &'a Cell,
    /// Its summary (rows exist only for cells that have one).
    pub s: &'a Summary,
    /// The tag of its file ("" for a single file).
    pub tag: &'a str,
    /// Cores of the machine it ran on (the ideal bound's `cores`).
    pub cores: usize,
}

impl Row<'_> {
    /// The model label (model and variants).
    pub fn label(&self) -> &str {
        &self.result.label
    }

    /// What tells this row's series apart from others in one panel: the model label,
    /// the op's length and the I/O kind. A chart line joins only rows that agree on all
    /// three (and differ only in the x axis).
    pub fn series_key(&self) -> SeriesKey {
        SeriesKey {
            label: self.result.label.clone(),
            op_time_us: self.cell.op_time_us,
            io: self.cell.io,
        }
    }

    /// One figure of each repetition, e.g. its throughput.
    pub fn per_rep(&self, f: impl Fn(&Measurement) -> f64) -> Vec<f64> {
        self.result.repetitions.iter().map(f).collect()
    }

    /// True for a `tcp` cell whose delay server fell behind: its replies went out late by
    /// more than 10% of the I/O half at the median, so the far end set the throughput.
    pub fn server_limited(&self) -> bool {
        self.s.server.is_some_and(|s| s.limited(self.cell.io_us))
    }

    /// Each repetition's throughput, ops/s.
    pub fn ops(&self) -> Vec<f64> {
        self.per_rep(|m| m.ops_per_s)
    }

    /// Each repetition's figure per op, e.g. switches per op.
    pub fn per_op(&self, f: impl Fn(&Measurement) -> f64) -> Vec<f64> {
        self.per_rep(|m| if m.ops > 0 { f(m) / m.ops as f64 } else { 0.0 })
    }
}

/// The identity of one chart series within a panel.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct SeriesKey {
    /// The model label.
    pub label: String,
    /// The op's nominal length, µs.
    pub op_time_us: f64,
    /// The I/O kind.
    pub io: IoKind,
}

impl SeriesKey {
    /// The series' name in a legend: the label, with the op length and I/O kind added
    /// when `others` (the panel's keys) differ in them.
    pub fn name(&self, others: &[SeriesKey]) -> String {
        let mut s = self.label.clone();
        if others.iter().any(|o| o.op_time_us != self.op_time_us) {
            s.push_str(&format!(" · {} op", show_us(self.op_time_us)));
        }
        if others.iter().any(|o| o.io != self.io) {
            s.push_str(&format!(" · {}", self.io.as_str()));
        }
        s
    }
}

/// A duration in µs as people write it: "5 ms", "100 µs", "1 s".
pub(crate) fn show_us(us: f64) -> String {
    if us >= 1e6 {
        format!("{} s", num_trim(us / 1e6))
    } else if us >= 1e3 {
        format!("{} ms", num_trim(us / 1e3))
    } else {
        format!("{} µs", num_trim(us))
    }
}

/// Every cell with status `ok` and a summary.
pub(crate) fn rows(m: &Merged) -> Vec<Row<'_>> {
    m.cells
        .iter()
        .filter(|sc| sc.result.status == CellStatus::Ok)
        .filter_map(|sc| {
            let src = &m.sources[sc.source];
            sc.result.summary.as_ref().map(|s| Row {
                result: &sc.result,
                cell: &sc.result.cell,
                s,
                tag: &src.tag,
                cores: src.results.environment.available_cores.max(1),
            })
        })
        .collect()
}

/// One panel of a chart: the rows of one file tag and runtime (and concurrency).
#[derive(Debug, Clone)]
pub(crate) struct Group<'a> {
    /// File tag ("" for a single file).
    pub tag: &'a str,
    /// The runtime.
    pub runtime: Runtime,
    /// The concurrency of the panel's non-sequential cells, when grouped by it.
    pub concurrency: Option<u32>,
    /// The rows; sequential cells appear in every concurrency panel as the baseline.
    pub rows: Vec<Row<'a>>,
}

impl Group<'_> {
    /// "Rust · N = 64 · host-a", the runtime in words (`names::runtime_name`).
    pub fn title(&self) -> String {
        let mut t = crate::report::names::runtime_name(self.runtime).to_string();
        if let Some(n) = self.concurrency {
            t.push_str(&format!(" · N = {n}"));
        }
        if !self.tag.is_empty() {
            t.push_str(&format!(" · {}", self.tag));
        }
        t
    }

    /// The rows as one series per model label, op length and I/O kind, in model
    /// order, each sorted by I/O share.
    pub fn series(&self) -> Vec<(String, Vec<Row<'_>>)> {
        series(&self.rows)
    }

    /// The op length most of the panel's rows have (the shortest on a tie): the one the
    /// panel's band and verdict compare models at.
    pub fn main_op_time(&self) -> Option<f64> {
        let mut counts: Vec<(f64, usize)> = Vec::new();
        for r in &self.rows {
            match counts.iter_mut().find(|(t, _)| *t == r.cell.op_time_us) {
                Some((_, n)) => *n += 1,
                None => counts.push((r.cell.op_time_us, 1)),
            }
        }
        counts
            .into_iter()
            .max_by(|a, b| a.1.cmp(&b.1).then(b.0.total_cmp(&a.0)))
            .map(|(t, _)| t)
    }

    /// The distinct I/O shares, ascending.
    pub fn fractions(&self) -> Vec<f64> {
        let mut f: Vec<f64> = self.rows.iter().map(|r| r.cell.io_fraction).collect();
        f.sort_by(|a, b| a.total_cmp(b));
        f.dedup();
        f
    }
}

/// Splits rows into one series per [`SeriesKey`] (label, op length, I/O kind), ordered
/// by model, label, op length and kind, each series sorted by I/O share then
/// concurrency; each named by [`SeriesKey::name`] among the others.
pub(crate) fn series<'a>(rows: &[Row<'a>]) -> Vec<(String, Vec<Row<'a>>)> {
    let mut out: Vec<(SeriesKey, Vec<Row<'a>>)> = Vec::new();
    for r in rows {
        let key = r.series_key();
        match out.iter_mut().find(|(k, _)| *k == key) {
            Some((_, v)) => v.push(*r),
            None => out.push((key, vec![*r])),
        }
    }
    out.sort_by(|(a, va), (b, vb)| {
        (model_rank(va[0].cell.model), &a.label)
            .cmp(&(model_rank(vb[0].cell.model), &b.label))
            .then(a.op_time_us.total_cmp(&b.op_time_us))
            .then(a.io.cmp(&b.io))
    });
    for (_, v) in &mut out {
        v.sort_by(|a, b| {
            (a.cell.io_fraction, a.cell.concurrency)
                .partial_cmp(&(b.cell.io_fraction, b.cell.concurrency))
                .unwrap_or(std::cmp::Ordering::Equal)
        });
    }
    let keys: Vec<SeriesKey> = out.iter().map(|(k, _)| k.clone()).collect();
    out.into_iter().map(|(k, v)| (k.name(&keys), v)).collect()
}

fn model_rank(m: ModelKind) -> usize {
    ModelKind::ALL.iter().position(|k| *k == m).unwrap_or(99)
}

/// Groups rows into panels: per tag and runtime, and per concurrency when asked (the
/// sequential baseline then joins every panel of its runtime).
pub(crate) fn groups<'a>(rows: &[Row<'a>], by_concurrency: bool) -> Vec<Group<'a>> {
    panels(rows, by_concurrency, usize::MAX).0
}

/// [`groups`], with at most `max` concurrency panels per file and runtime (those with
/// the most cells; the smaller N on a tie), and the left-out panels described.
fn panels<'a>(rows: &[Row<'a>], by_concurrency: bool, max: usize) -> (Vec<Group<'a>>, Vec<String>) {
    let mut tags: Vec<&str> = Vec::new();
    for r in rows {
        if !tags.contains(&r.tag) {
            tags.push(r.tag);
        }
    }
    let mut out = Vec::new();
    let mut left = Vec::new();
    for tag in tags {
        for runtime in Runtime::ALL {
            let mine: Vec<Row<'a>> = rows
                .iter()
                .filter(|r| r.tag == tag && r.cell.runtime == runtime)
                .copied()
                .collect();
            if mine.is_empty() {
                continue;
            }
            if !by_concurrency {
                out.push(Group {
                    tag,
                    runtime,
                    concurrency: None,
                    rows: mine,
                });
                continue;
            }
            let is_seq = |r: &Row| r.cell.model == ModelKind::Sequential;
            // One pass: the rows of each concurrency (the sequential ones join all).
            let mut by_n: std::collections::BTreeMap<u32, Vec<Row<'a>>> = Default::default();
            let seq: Vec<Row<'a>> = mine.iter().filter(|r| is_seq(r)).copied().collect();
            for r in mine.iter().filter(|r| !is_seq(r)) {
                by_n.entry(r.cell.concurrency).or_default().push(*r);
            }
            if by_n.is_empty() {
                by_n.insert(1, Vec::new());
            }
            if by_n.len() > max {
                let mut ranked: Vec<(u32, usize)> =
                    by_n.iter().map(|(n, v)| (*n, v.len())).collect();
                ranked.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
                let dropped: Vec<u32> = ranked[max..].iter().map(|(n, _)| *n).collect();
                let mut shown: Vec<String> = dropped.iter().map(|n| n.to_string()).collect();
                shown.sort_by_key(|n| n.parse::<u32>().unwrap_or(0));
                left.push(format!(
                    "{}: {} panels left out (N = {}), their cells are in the tables",
                    Group {
                        tag,
                        runtime,
                        concurrency: None,
                        rows: Vec::new()
                    }
                    .title(),
                    dropped.len(),
                    abbreviate(&shown)
                ));
                for n in dropped {
                    by_n.remove(&n);
                }
            }
            for (n, own) in by_n {
                let mut rows = seq.clone();
                rows.extend(own);
                out.push(Group {
                    tag,
                    runtime,
                    concurrency: Some(n),
                    rows,
                });
            }
        }
    }
    (out, left)
}

/// The most concurrency panels a chart draws per file and runtime: a sweep of thousands
/// of concurrencies would otherwise draw thousands of panels (hundreds of megabytes of
/// SVG). The rest stay in the tables.
pub(crate) const PANELS_MAX: usize = 8;

/// The concurrency panels charts draw: [`groups`] by concurrency, at most [`PANELS_MAX`]
/// per file and runtime — those with the most cells (the smaller N on a tie) — in order;
/// and the concurrencies left out, per file and runtime, for the page to say.
pub(crate) fn chart_groups<'a>(rows: &[Row<'a>]) -> (Vec<Group<'a>>, Vec<String>) {
    panels(rows, true, PANELS_MAX)
}

/// A long list cut to its first and last few items.
fn abbreviate(items: &[String]) -> String {
    if items.len() <= 12 {
        items.join(", ")
    } else {
        format!(
            "{}, … {} more …, {}",
            items[..6].join(", "),
            items.len() - 9,
            items[items.len() - 3..].join(", ")
        )
    }
}

/// Formats a number with about three significant figures (1234 → "1234", 0.01234 → "0.0123").
pub(crate) fn num(x: f64) -> String {
    if !x.is_finite() {
        return "—".into();
    }
    let a = x.abs();
    if a == 0.0 {
        "0".into()
    } else if a >= 100.0 {
        format!("{x:.0}")
    } else if a >= 10.0 {
        format!("{x:.1}")
    } else if a >= 1.0 {
        format!("{x:.2}")
    } else {
        let digits = (-a.log10()).ceil() as usize + 2;
        format!("{x:.digits$}")
    }
}

/// [`num`] without trailing zeros, for axis ticks: "0.5", "20", "1000".
pub(crate) fn num_trim(x: f64) -> String {
    let s = num(x);
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn series_never_join_cells_of_different_op_times_or_io_kinds() {
        let r: crate::results::Results =
            serde_json::from_str(include_str!("../../tests/fixtures/fixture-results.json"))
                .unwrap();
        let mut r2 = r.clone();
        // The same cells again with a 2.5 ms op: a second series per label, not one line.
        for c in &mut r2.cells {
            c.cell.op_time_us = 2500.0;
        }
        let mut both = r;
        both.cells.extend(r2.cells);
        let m = crate::results::merge(&[both]);
        let all = rows(&m);
        for (name, pts) in series(&all) {
            let t = pts[0].cell.op_time_us;
            assert!(pts.iter().all(|p| p.cell.op_time_us == t), "{name}");
            assert!(
                name.contains(" op"),
                "{name}: both op lengths are in the panel"
            );
            if t == 2500.0 {
                assert!(name.contains("· 2.5 ms op"), "{name}");
            }
        }
        assert_eq!(show_us(5000.0), "5 ms");
        assert_eq!(show_us(1e6), "1 s");
        assert_eq!(show_us(50.0), "50 µs");
    }

    #[test]
    fn numbers_keep_three_figures() {
        assert_eq!(num(1234.4), "1234");
        assert_eq!(num(12.34), "12.3");
        assert_eq!(num(1.234), "1.23");
        assert_eq!(num(0.01234), "0.0123");
        assert_eq!(num(0.1), "0.100");
        assert_eq!(num(0.5), "0.500");
        assert_eq!(num(0.0), "0");
        assert_eq!(num(f64::NAN), "—");
        assert_eq!(num_trim(0.5), "0.5");
        assert_eq!(num_trim(20.0), "20");
        assert_eq!(num_trim(1.0), "1");
    }
}
