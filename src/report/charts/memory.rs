//! Chart 5: the memory the model holds against the number of workers, per model, with
//! the memory per unit (KiB per extra thread, task or process) from a least-squares
//! line through every repetition's point.
//!
//! The figure is the peak RSS *during the measured window* less spectrum's own op log
//! (see `metrics::memory`): what the units hold while they run, not set-up's transient
//! peaks nor the harness's bookkeeping. A line needs three or more N: through two it
//! always fits and says nothing, so fewer is said in the legend instead of a slope.
//! Drawn at the I/O share where the sweep has the most concurrencies (ties: the higher
//! share, the many-connections end), one panel per runtime; a series is one label, op
//! length and I/O kind.

use anyhow::Result;

use super::draw::{render as draw, Axis, Line, Plot};
use super::{ident, ident_head, Figure, PLOT_H, PLOT_W};
use crate::report::data::{groups, num, series, Row};
use crate::scenario::{IoKind, ModelKind, Runtime};
use crate::stats::{least_squares, Fit};

/// The memory cost of one more unit of a model, from a line through its points.
#[derive(Debug, Clone)]
pub(crate) struct Slope {
    /// File tag.
    pub tag: String,
    /// Runtime.
    pub runtime: Runtime,
    /// Model label.
    pub label: String,
    /// Series name in the legend (label, plus op length or I/O kind where they differ).
    pub name: String,
    /// The I/O share the points were taken at.
    pub io_fraction: f64,
    /// The op's nominal length, µs.
    pub op_time_us: f64,
    /// The I/O kind.
    pub io: IoKind,
    /// The line: KiB per unit with its interval, R²; `None` below three distinct N.
    pub fit: Option<Fit>,
    /// The concurrencies behind the series.
    pub ns: Vec<u32>,
}

/// The I/O share with the most distinct concurrencies (ties: the highest share).
fn chosen_fraction(rows: &[Row]) -> Option<f64> {
    let mut best: Option<(usize, f64)> = None;
    let mut fs: Vec<f64> = rows.iter().map(|r| r.cell.io_fraction).collect();
    fs.sort_by(|a, b| a.total_cmp(b));
    fs.dedup();
    for f in fs {
        let mut ns: Vec<u32> = rows
            .iter()
            .filter(|r| r.cell.io_fraction == f && r.cell.model != ModelKind::Sequential)
            .map(|r| r.cell.concurrency)
            .collect();
        ns.sort_unstable();
        ns.dedup();
        if best.is_none_or(|(k, _)| ns.len() >= k) {
            best = Some((ns.len(), f));
        }
    }
    best.map(|(_, f)| f)
}

/// The I/O share a panel's memory lines are drawn at, and the rows measured there.
fn rows_at_chosen_fraction<'a>(rows: &[Row<'a>]) -> Option<(f64, Vec<Row<'a>>)> {
    let f = chosen_fraction(rows)?;
    Some((
        f,
        rows.iter()
            .filter(|r| r.cell.io_fraction == f && r.cell.model != ModelKind::Sequential)
            .copied()
            .collect(),
    ))
}

/// The model's memory of a row, KiB: each repetition's window peak less the op log;
/// the lifetime peak for files written before windows had their own.
fn model_kib(r: &Row) -> Vec<f64> {
    r.result
        .repetitions
        .iter()
        .map(|m| match m.window_memory() {
            Some(w) => w.model_kib() as f64,
            None => m.window_rusage().max_rss_kib as f64,
        })
        .collect()
}

/// Per-unit memory of every series of every panel (fitted where three or more N ran).
pub(crate) fn slopes(rows: &[Row]) -> Vec<Slope> {
    let mut out = Vec::new();
    for g in groups(rows, false) {
        let Some((f, at_f)) = rows_at_chosen_fraction(&g.rows) else {
            continue;
        };
        for (name, pts) in series(&at_f) {
            let xy: Vec<(f64, f64)> = pts
                .iter()
                .flat_map(|r| {
                    let n = f64::from(r.cell.concurrency);
                    model_kib(r).into_iter().map(move |kib| (n, kib))
                })
                .collect();
            let mut ns: Vec<u32> = pts.iter().map(|r| r.cell.concurrency).collect();
            ns.dedup();
            out.push(Slope {
                tag: g.tag.to_string(),
                runtime: g.runtime,
                label: pts[0].label().to_string(),
                name,
                io_fraction: f,
                op_time_us: pts[0].cell.op_time_us,
                io: pts[0].cell.io,
                fit: least_squares(&xy),
                ns,
            });
        }
    }
    out
}

/// Renders chart 5.
pub(crate) fn render(rows: &[Row]) -> Result<Figure> {
    let all_slopes = slopes(rows);
    let mut head = ident_head();
    head.extend(
        [
            "model's memory KiB (window peak less the op log)",
            "KiB / unit",
            "R²",
        ]
        .map(String::from),
    );
    let mut fig = Figure::with_head(head);
    for g in groups(rows, false) {
        let Some((f, at_f)) = rows_at_chosen_fraction(&g.rows) else {
            continue;
        };
        let mut lines = Vec::new();
        for (name, pts) in series(&at_f) {
            let slope = all_slopes
                .iter()
                .find(|s| s.tag == g.tag && s.runtime == g.runtime && s.name == name)
                .and_then(|s| s.fit);
            for r in &pts {
                let mut row = ident(r);
                row.extend([
                    num(crate::stats::median(&model_kib(r))),
                    slope.map_or("— (fewer than 3 N)".into(), |k| num(k.slope.estimate)),
                    slope.map_or("—".into(), |k| format!("{:.3}", k.r2)),
                ]);
                fig.table.rows.push(row);
            }
            let legend = match slope {
                Some(k) => format!(
                    "{name} · {} KiB/unit, R² {:.2}",
                    num(k.slope.estimate),
                    k.r2
                ),
                None => format!("{name} · too few N for a slope"),
            };
            lines.push(Line {
                label: legend,
                points: pts
                    .iter()
                    .map(|r| {
                        (
                            f64::from(r.cell.concurrency),
                            crate::stats::median(&model_kib(r)) / 1024.0,
                        )
                    })
                    .collect(),
            });
        }
        let plot = Plot {
            title: format!("Model memory at {:.0}% I/O — {}", f * 100.0, g.title()),
            x: Axis::log("workers N: threads, tasks or processes (log)"),
            y: Axis::log("window peak RSS less the op log (MiB, log)"),
            y_at_least: None,
            lines,
            band: None,
        };
        fig.svgs.push(draw(&[plot], 2 * PLOT_W, PLOT_H)?);
    }
    Ok(fig)
}
