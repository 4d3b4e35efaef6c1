//! Chart 5: peak RSS against concurrency per model, with the per-unit slope (KiB per
//! extra worker: thread, task or process) from a least-squares line through the points.
//! Drawn at the I/O share where the sweep has the most concurrencies (ties: the higher
//! share, the many-connections end), one panel per runtime.

use anyhow::Result;

use super::draw::{render as draw, Axis, Line, Plot};
use super::{ident, ident_head, Figure, Table, PLOT_H, PLOT_W};
use crate::report::data::{groups, num, series, Row};
use crate::scenario::{ModelKind, Runtime};

/// The memory cost of one more unit of a model, from a line through peak RSS against N.
#[derive(Debug, Clone)]
pub(crate) struct Slope {
    /// File tag.
    pub tag: String,
    /// Runtime.
    pub runtime: Runtime,
    /// Model label.
    pub label: String,
    /// The I/O share the points were taken at.
    pub io_fraction: f64,
    /// Least-squares slope, KiB of peak RSS per unit of concurrency.
    pub kib_per_unit: f64,
    /// The concurrencies behind the fit.
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

/// Least-squares slope of y against x; `None` with fewer than two distinct x.
fn fit(points: &[(f64, f64)]) -> Option<f64> {
    let n = points.len() as f64;
    let mx = points.iter().map(|p| p.0).sum::<f64>() / n;
    let my = points.iter().map(|p| p.1).sum::<f64>() / n;
    let sxx: f64 = points.iter().map(|p| (p.0 - mx).powi(2)).sum();
    let sxy: f64 = points.iter().map(|p| (p.0 - mx) * (p.1 - my)).sum();
    (points.len() >= 2 && sxx > 0.0).then(|| sxy / sxx)
}

/// The I/O share a panel's memory line is drawn at, and the rows measured there.
fn rows_at_chosen_fraction<'a>(rows: &[Row<'a>]) -> Option<(f64, Vec<Row<'a>>)> {
    let f = chosen_fraction(rows)?;
    Some((
        f,
        rows.iter()
            .filter(|r| r.cell.io_fraction == f)
            .copied()
            .collect(),
    ))
}

/// Per-unit memory slopes of every label measured at two or more concurrencies.
pub(crate) fn slopes(rows: &[Row]) -> Vec<Slope> {
    let mut out = Vec::new();
    for g in groups(rows, false) {
        let Some((f, at_f)) = rows_at_chosen_fraction(&g.rows) else {
            continue;
        };
        for (label, pts) in series(&at_f) {
            let xy: Vec<(f64, f64)> = pts
                .iter()
                .map(|r| (f64::from(r.cell.concurrency), r.s.max_rss_kib as f64))
                .collect();
            if let Some(k) = fit(&xy) {
                out.push(Slope {
                    tag: g.tag.to_string(),
                    runtime: g.runtime,
                    label,
                    io_fraction: f,
                    kib_per_unit: k,
                    ns: pts.iter().map(|r| r.cell.concurrency).collect(),
                });
            }
        }
    }
    out
}

/// Renders chart 5.
pub(crate) fn render(rows: &[Row]) -> Result<Figure> {
    let all_slopes = slopes(rows);
    let mut head = ident_head();
    head.extend(["peak RSS KiB", "slope KiB / unit"].map(String::from));
    let mut fig = Figure {
        table: Table {
            head,
            rows: Vec::new(),
        },
        ..Figure::default()
    };
    for g in groups(rows, false) {
        let Some((f, at_f)) = rows_at_chosen_fraction(&g.rows) else {
            continue;
        };
        let mut lines = Vec::new();
        for (label, pts) in series(&at_f) {
            let slope = all_slopes
                .iter()
                .find(|s| s.tag == g.tag && s.runtime == g.runtime && s.label == label)
                .map(|s| s.kib_per_unit);
            for r in &pts {
                let mut row = ident(r);
                row.extend([num(r.s.max_rss_kib as f64), slope.map_or("—".into(), num)]);
                fig.table.rows.push(row);
            }
            let legend = match slope {
                Some(k) => format!("{label} · {} KiB/unit", num(k)),
                None => label,
            };
            lines.push(Line {
                label: legend,
                points: pts
                    .iter()
                    .map(|r| {
                        (
                            f64::from(r.cell.concurrency),
                            r.s.max_rss_kib as f64 / 1024.0,
                        )
                    })
                    .collect(),
            });
        }
        let plot = Plot {
            title: format!("Peak RSS at {:.0}% I/O — {}", f * 100.0, g.title()),
            x: Axis::log("workers N: threads, tasks or processes (log)"),
            y: Axis::log("peak RSS (MiB, log)"),
            y_at_least: None,
            lines,
            band: None,
        };
        fig.svgs.push(draw(&[plot], PLOT_W + 120, PLOT_H)?);
    }
    Ok(fig)
}

#[cfg(test)]
mod tests {
    use super::fit;

    #[test]
    fn fit_finds_the_slope() {
        assert_eq!(fit(&[(2.0, 100.0), (64.0, 720.0)]), Some(10.0));
        assert_eq!(fit(&[(2.0, 100.0)]), None);
        assert_eq!(fit(&[(2.0, 100.0), (2.0, 120.0)]), None);
    }
}
