//! Chart 6: the GIL. Speed-up over the sequential baseline at the most CPU-bound I/O
//! share of the sweep, as horizontal bars: every Python model and variant (pure Python,
//! native helpers holding the GIL, native helpers releasing it) beside the native Rust
//! model of the same kind and concurrency. Reference lines mark 1× (no gain) and the
//! core count (the most any model can reach on the CPU half).

use anyhow::Result;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::draw::{pe, DESC_PX, TICK_PX, TITLE_PX};
use super::palette::look;
use super::Figure;
use crate::report::data::{num, num_trim, Row};
use crate::scenario::ModelKind;

/// A model's throughput against its runtime's sequential baseline.
#[derive(Debug, Clone)]
pub(crate) struct Speedup<'a> {
    /// The measured cell.
    pub row: Row<'a>,
    /// The sequential cell it is divided by.
    pub base: Row<'a>,
    /// `row ops/s ÷ base ops/s`.
    pub speedup: f64,
}

/// Speed-up of every non-sequential row at its runtime's lowest I/O share, against the
/// sequential row of the same file, runtime and share — preferring the one with the
/// same op halves and GIL setting, so a native-helper thread is held against a
/// native-helper loop.
pub(crate) fn speedups<'a>(rows: &[Row<'a>]) -> Vec<Speedup<'a>> {
    // Per file and runtime, once: the lowest I/O share and the sequential rows there
    // (a scan per row would be quadratic: a sweep may hold thousands of cells).
    type Key<'k> = (&'k str, crate::scenario::Runtime);
    let mut lowest: Vec<(Key, f64)> = Vec::new();
    for r in rows {
        let key = (r.tag, r.cell.runtime);
        match lowest.iter_mut().find(|(k, _)| *k == key) {
            Some((_, f)) => *f = f.min(r.cell.io_fraction),
            None => lowest.push((key, r.cell.io_fraction)),
        }
    }
    let low_of = |r: &Row| {
        lowest
            .iter()
            .find(|(k, _)| *k == (r.tag, r.cell.runtime))
            .map_or(f64::INFINITY, |(_, f)| *f)
    };
    let seq_rows: Vec<&Row<'a>> = rows
        .iter()
        .filter(|o| o.cell.model == ModelKind::Sequential && o.cell.io_fraction == low_of(o))
        .collect();
    let mut out = Vec::new();
    for r in rows
        .iter()
        .filter(|r| r.cell.model != ModelKind::Sequential)
    {
        if r.cell.io_fraction != low_of(r) {
            continue;
        }
        let seqs: Vec<&Row> = seq_rows
            .iter()
            .copied()
            .filter(|o| o.tag == r.tag && o.cell.runtime == r.cell.runtime)
            .filter(|o| o.cell.interpreter == r.cell.interpreter)
            .collect();
        let same = |o: &&&Row| {
            (o.cell.cpu_impl, o.cell.io_impl, o.cell.gil)
                == (r.cell.cpu_impl, r.cell.io_impl, r.cell.gil)
        };
        let same_cpu = |o: &&&Row| o.cell.cpu_impl == r.cell.cpu_impl;
        let base = seqs
            .iter()
            .find(same)
            .or_else(|| seqs.iter().find(same_cpu))
            .or_else(|| seqs.first());
        if let Some(base) = base {
            if base.s.ops_per_s.median > 0.0 {
                out.push(Speedup {
                    row: *r,
                    base: **base,
                    speedup: r.s.ops_per_s.median / base.s.ops_per_s.median,
                });
            }
        }
    }
    out
}

/// The bars of one file tag: Python speed-ups, each with its Rust counterpart.
fn bars<'a>(all: &[Speedup<'a>], tag: &str) -> Vec<Speedup<'a>> {
    let py: Vec<&Speedup> = all
        .iter()
        .filter(|s| s.row.tag == tag && s.row.cell.runtime.is_python())
        .collect();
    let mut out: Vec<Speedup> = all
        .iter()
        .filter(|s| s.row.tag == tag)
        .filter(|s| {
            s.row.cell.runtime.is_python()
                || py.iter().any(|p| {
                    (
                        p.row.cell.model,
                        p.row.cell.async_cpu,
                        p.row.cell.concurrency,
                    ) == (
                        s.row.cell.model,
                        s.row.cell.async_cpu,
                        s.row.cell.concurrency,
                    )
                })
        })
        .cloned()
        .collect();
    let rank = |s: &Speedup| {
        let m = ModelKind::ALL.iter().position(|k| *k == s.row.cell.model);
        (
            s.row.cell.concurrency,
            m,
            s.row.cell.async_cpu,
            s.row.cell.runtime,
        )
    };
    out.sort_by(|a, b| rank(a).cmp(&rank(b)).then(a.row.label().cmp(b.row.label())));
    out
}

fn bar_label(s: &Speedup) -> String {
    format!(
        "{} ({}), N = {}",
        crate::report::names::plain_name(s.row.label()),
        crate::report::names::runtime_name(s.row.cell.runtime),
        s.row.cell.concurrency
    )
}

/// Renders chart 6.
pub(crate) fn render(rows: &[Row]) -> Result<Figure> {
    let all = speedups(rows);
    let mut fig = Figure::with_head(
        [
            "runtime",
            "model",
            "I/O share",
            "N",
            "ops/s",
            "sequential ops/s",
            "baseline",
            "speed-up",
        ]
        .map(String::from)
        .to_vec(),
    );
    let mut tags: Vec<&str> = Vec::new();
    for r in rows {
        if !tags.contains(&r.tag) {
            tags.push(r.tag);
        }
    }
    for tag in tags {
        let bars = bars(&all, tag);
        if !bars.iter().any(|b| b.row.cell.runtime.is_python()) {
            continue;
        }
        for b in &bars {
            let mut rt = b.row.cell.runtime.as_str().to_string();
            if !tag.is_empty() {
                rt.push_str(&format!(" ({tag})"));
            }
            fig.table.rows.push(vec![
                rt,
                b.row.label().to_string(),
                format!("{:.0}%", b.row.cell.io_fraction * 100.0),
                b.row.cell.concurrency.to_string(),
                num(b.row.s.ops_per_s.median),
                num(b.base.s.ops_per_s.median),
                b.base.label().to_string(),
                format!("{}×", num(b.speedup)),
            ]);
        }
        fig.svgs.push(draw_bars(&bars, tag)?);
    }
    Ok(fig)
}

fn draw_bars(bars: &[Speedup], tag: &str) -> Result<String> {
    // Each bar's name is written above it across the plot's width (names run to 70
    // characters), so the chart fits 780 px — full size in an 800-px window.
    let (w, h) = (780u32, 130 + 44 * bars.len() as u32);
    let cores = bars.first().map_or(1, |b| b.row.cores) as f64;
    let top = bars
        .iter()
        .map(|b| b.speedup)
        .fold(cores, f64::max)
        .max(1.0)
        * 1.15;
    let n = bars.len() as f64;
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (w, h)).into_drawing_area();
        root.fill(&WHITE).map_err(pe)?;
        let title = if tag.is_empty() {
            "Speed-up over sequential, most CPU-bound share".to_string()
        } else {
            format!("Speed-up over sequential, most CPU-bound share — {tag}")
        };
        let mut chart = ChartBuilder::on(&root)
            .caption(title, ("sans-serif", TITLE_PX))
            .margin(10)
            .margin_right(24)
            .x_label_area_size(46)
            .y_label_area_size(12)
            .build_cartesian_2d(0.0..top, 0.0..n + 0.8)
            .map_err(pe)?;
        chart
            .configure_mesh()
            .disable_y_mesh()
            .y_labels(0)
            .x_desc("speed-up over the sequential baseline (×, higher is better)")
            .x_label_formatter(&|v| format!("{}×", num_trim(*v)))
            .label_style(("sans-serif", TICK_PX))
            .axis_desc_style(("sans-serif", DESC_PX))
            .light_line_style(RGBColor(238, 238, 238))
            .draw()
            .map_err(pe)?;
        for (i, b) in bars.iter().enumerate() {
            // Bar 0 at the top: plotters' y grows upwards.
            let y = n - 1.0 - i as f64;
            let lk = look(b.row.label());
            chart
                .draw_series(std::iter::once(Rectangle::new(
                    [(0.0, y + 0.08), (b.speedup, y + 0.5)],
                    lk.color.filled(),
                )))
                .map_err(pe)?;
            let (x0, ym) = chart.backend_coord(&(0.0, y + 0.29));
            let (_, yl) = chart.backend_coord(&(0.0, y + 0.74));
            let (xe, _) = chart.backend_coord(&(b.speedup, y + 0.29));
            let above = TextStyle::from(("sans-serif", TICK_PX).into_font())
                .pos(Pos::new(HPos::Left, VPos::Center));
            root.draw(&Text::new(bar_label(b), (x0 + 4, yl), above))
                .map_err(pe)?;
            let left = TextStyle::from(("sans-serif", TICK_PX).into_font())
                .pos(Pos::new(HPos::Left, VPos::Center));
            root.draw(&Text::new(
                format!("{}×", num(b.speedup)),
                (xe + 4, ym),
                left,
            ))
            .map_err(pe)?;
        }
        for (x, what) in [
            (1.0, "1× sequential".to_string()),
            (cores, format!("{cores}× = cores")),
        ] {
            let style = RGBColor(120, 120, 120).stroke_width(1);
            chart
                .draw_series(std::iter::once(PathElement::new(
                    vec![(x, 0.0), (x, n + 0.8)],
                    style,
                )))
                .map_err(pe)?;
            // The reference lines' labels sit in a spare strip above the top bar.
            let (px, py) = chart.backend_coord(&(x, n + 0.4));
            let beside = TextStyle::from(("sans-serif", TICK_PX).into_font())
                .pos(Pos::new(HPos::Left, VPos::Center));
            root.draw(&Text::new(what, (px + 4, py), beside))
                .map_err(pe)?;
        }
        root.present().map_err(pe)?;
    }
    Ok(svg)
}
