//! Chart 1, the headline: efficiency (measured / ideal bound) against the I/O share, one
//! line per model, one panel per runtime and concurrency, with a band naming the model
//! of highest throughput at each I/O share.
//!
//! The sequential baseline runs one worker, so its own efficiency is near 1 everywhere;
//! drawn in an N-worker panel it is divided by the *panel's* N-worker bound instead, so
//! it reads as what one worker leaves on the table.

use anyhow::Result;

use super::draw::{render as draw, Axis, Line, Plot};
use super::{ident, ident_head, pct, Figure, Table, PLOT_H, PLOT_W};
use crate::metrics::ideal_ops_per_s;
use crate::report::data::{groups, num, Group, Row};
use crate::scenario::ModelKind;

/// The efficiency drawn for `r` in a panel of concurrency `n`.
pub(crate) fn efficiency(r: &Row, n: Option<u32>) -> (f64, f64) {
    match n {
        Some(n) if r.cell.model == ModelKind::Sequential && n != r.cell.concurrency => {
            let ideal = ideal_ops_per_s(r.cell.cpu_us, r.cell.io_us, n, r.cores);
            (ideal, r.s.ops_per_s.median / ideal)
        }
        _ => (r.s.ideal_ops_per_s, r.s.efficiency),
    }
}

/// The label with the highest median throughput at each I/O share of a panel.
pub(crate) fn best_per_fraction(g: &Group) -> Vec<(f64, String)> {
    g.fractions()
        .into_iter()
        .filter_map(|f| {
            g.rows
                .iter()
                .filter(|r| r.cell.io_fraction == f)
                .max_by(|a, b| a.s.ops_per_s.median.total_cmp(&b.s.ops_per_s.median))
                .map(|r| (f, r.label().to_string()))
        })
        .collect()
}

/// Renders chart 1.
pub(crate) fn render(rows: &[Row]) -> Result<Figure> {
    let mut fig = Figure {
        table: Table {
            head: ident_head()
                .into_iter()
                .chain(
                    [
                        "panel N",
                        "ops/s (median)",
                        "spread",
                        "ideal ops/s",
                        "efficiency",
                    ]
                    .map(String::from),
                )
                .collect(),
            rows: Vec::new(),
        },
        ..Figure::default()
    };
    for g in groups(rows, true) {
        let mut lines = Vec::new();
        for (label, pts) in g.series() {
            let mut points = Vec::new();
            for r in &pts {
                let (ideal, eff) = efficiency(r, g.concurrency);
                points.push((pct(r.cell.io_fraction), eff));
                let mut row = ident(r);
                row.extend([
                    g.concurrency.map_or("—".into(), |n| n.to_string()),
                    num(r.s.ops_per_s.median),
                    format!("{:.1}%", r.s.ops_per_s.rel_range * 100.0),
                    num(ideal),
                    num(eff),
                ]);
                fig.table.rows.push(row);
            }
            lines.push(Line { label, points });
        }
        let band = best_per_fraction(&g)
            .into_iter()
            .map(|(f, l)| (pct(f), l))
            .collect();
        let plot = Plot {
            title: format!("Efficiency — {}", g.title()),
            x: Axis::linear("I/O share of the op (%)"),
            y: Axis::linear("efficiency (measured / ideal bound)"),
            y_at_least: Some(1.0),
            lines,
            band: Some(band),
        };
        fig.svgs.push(draw(&[plot], PLOT_W + 180, PLOT_H + 40)?);
    }
    Ok(fig)
}
