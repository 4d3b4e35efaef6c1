//! The report's view of merged results: measured cells as rows, grouped into the panels
//! the charts draw (one per file tag × runtime, optionally × concurrency) and into one
//! series per model label. Charts, tables and verdicts all read the data through here,
//! so they agree on what is drawn.

use crate::metrics::Summary;
use crate::results::{CellResult, CellStatus, Merged};
use crate::scenario::{Cell, ModelKind, Runtime};

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
    /// The model label: one chart line per label.
    pub fn label(&self) -> &str {
        &self.result.label
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
    /// "rust · N = 64 · host-a".
    pub fn title(&self) -> String {
        let mut t = self.runtime.as_str().to_string();
        if let Some(n) = self.concurrency {
            t.push_str(&format!(" · N = {n}"));
        }
        if !self.tag.is_empty() {
            t.push_str(&format!(" · {}", self.tag));
        }
        t
    }

    /// The rows as one series per model label, in model order, each sorted by I/O share.
    pub fn series(&self) -> Vec<(String, Vec<Row<'_>>)> {
        series(&self.rows)
    }

    /// The distinct I/O shares, ascending.
    pub fn fractions(&self) -> Vec<f64> {
        let mut f: Vec<f64> = self.rows.iter().map(|r| r.cell.io_fraction).collect();
        f.sort_by(|a, b| a.total_cmp(b));
        f.dedup();
        f
    }
}

/// Splits rows into one series per label, ordered by model then label, each series
/// sorted by I/O share then concurrency.
pub(crate) fn series<'a>(rows: &[Row<'a>]) -> Vec<(String, Vec<Row<'a>>)> {
    let mut out: Vec<(String, Vec<Row<'a>>)> = Vec::new();
    for r in rows {
        match out.iter_mut().find(|(l, _)| l == r.label()) {
            Some((_, v)) => v.push(*r),
            None => out.push((r.label().to_string(), vec![*r])),
        }
    }
    out.sort_by_key(|(l, v)| (model_rank(v[0].cell.model), l.clone()));
    for (_, v) in &mut out {
        v.sort_by(|a, b| {
            (a.cell.io_fraction, a.cell.concurrency)
                .partial_cmp(&(b.cell.io_fraction, b.cell.concurrency))
                .unwrap_or(std::cmp::Ordering::Equal)
        });
    }
    out
}

fn model_rank(m: ModelKind) -> usize {
    ModelKind::ALL.iter().position(|k| *k == m).unwrap_or(99)
}

/// Groups rows into panels: per tag and runtime, and per concurrency when asked (the
/// sequential baseline then joins every panel of its runtime).
pub(crate) fn groups<'a>(rows: &[Row<'a>], by_concurrency: bool) -> Vec<Group<'a>> {
    let mut tags: Vec<&str> = Vec::new();
    for r in rows {
        if !tags.contains(&r.tag) {
            tags.push(r.tag);
        }
    }
    let mut out = Vec::new();
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
            let mut ns: Vec<u32> = mine
                .iter()
                .filter(|r| !is_seq(r))
                .map(|r| r.cell.concurrency)
                .collect();
            ns.sort_unstable();
            ns.dedup();
            if ns.is_empty() {
                ns.push(1);
            }
            for n in ns {
                out.push(Group {
                    tag,
                    runtime,
                    concurrency: Some(n),
                    rows: mine
                        .iter()
                        .filter(|r| is_seq(r) || r.cell.concurrency == n)
                        .copied()
                        .collect(),
                });
            }
        }
    }
    out
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
