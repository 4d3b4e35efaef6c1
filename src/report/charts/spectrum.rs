//! Chart 1, the headline: efficiency (measured / ideal bound) against the I/O share, one
//! line per series (model label, op length, I/O kind), one panel per runtime and
//! concurrency, with a band naming the model of highest throughput at each I/O share —
//! or the models tied for it, where their repetitions cannot tell them apart (grey).
//!
//! The sequential baseline runs one worker, so its own efficiency is near 1 everywhere;
//! drawn in an N-worker panel it is divided by the *panel's* N-worker bound instead, so
//! it reads as what one worker leaves on the table.

use anyhow::Result;

use super::draw::{render as draw, Axis, Line, Plot, TIE};
use super::{ident, ident_head, pct, Figure, PLOT_H, PLOT_W};
use crate::metrics::ideal_ops_per_s;
use crate::report::data::{chart_groups, num, Row};
use crate::report::verdicts::winners_per_fraction;
use crate::scenario::ModelKind;

/// The efficiency drawn for `r` in a panel of concurrency `n`, with the bound it is
/// measured against: at the kernel speed measured around the cell's windows (the
/// nominal op where no speed check ran).
pub(crate) fn efficiency(r: &Row, n: Option<u32>) -> (f64, f64) {
    let speed = r.s.kernel_speed.unwrap_or(1.0);
    let n = match n {
        Some(n) if r.cell.model == ModelKind::Sequential => n,
        _ => r.cell.concurrency,
    };
    let ideal = ideal_ops_per_s(r.cell.cpu_us / speed, r.cell.io_us, n, r.cores);
    if n == r.cell.concurrency && r.s.efficiency_at_speed.is_some() {
        return (ideal, r.s.shown_efficiency());
    }
    (ideal, r.s.ops_per_s.median / ideal)
}

/// Renders chart 1.
pub(crate) fn render(rows: &[Row]) -> Result<Figure> {
    let mut fig = Figure::with_head(
        ident_head()
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
    );
    for g in chart_groups(rows).0 {
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
        let band: Vec<(f64, String)> = winners_per_fraction(&g)
            .into_iter()
            .map(|(f, w)| (pct(f), w.join(TIE)))
            .collect();
        let plot = Plot {
            title: format!("Efficiency — {}", g.title()),
            x: Axis::share(),
            y: Axis::linear("efficiency (measured / ideal bound)"),
            y_at_least: Some(1.0),
            lines,
            // No contest in this panel (only the baseline, or variants the line leaves
            // to claim 2): no band, rather than an empty one.
            band: (!band.is_empty()).then_some(band),
        };
        fig.svgs.push(draw(&[plot], 2 * PLOT_W, PLOT_H + 40)?);
    }
    Ok(fig)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::data::{groups, rows};
    use crate::results::{merge, Results};

    #[test]
    fn the_band_names_no_winner_where_the_baseline_ran_alone() {
        let mut results: Results =
            serde_json::from_str(include_str!("../../../tests/fixtures/fixture-results.json"))
                .unwrap();
        // Keep the concurrency-64 cells only at the pure-I/O end, like the default
        // scenario's concurrency-1000 cells.
        results
            .cells
            .retain(|c| c.cell.concurrency != 64 || c.cell.io_fraction == 1.0);
        let merged = merge(&[results]);
        let all = rows(&merged);
        let panel = groups(&all, true)
            .into_iter()
            .find(|g| g.concurrency == Some(64) && g.runtime == crate::scenario::Runtime::Rust)
            .expect("a concurrency-64 panel");
        let band = winners_per_fraction(&panel);
        assert_eq!(band.len(), 1, "{band:?}");
        assert_eq!(band[0].0, 1.0);
        assert!(!band[0].1.contains(&"sequential".to_string()));
    }
}
