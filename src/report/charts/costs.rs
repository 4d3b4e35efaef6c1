//! Chart 7: switch and spawn costs as horizontal bars on a log scale (they span
//! tenths of a microsecond to milliseconds), the median with a min–max whisker.

use anyhow::Result;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::draw::{pe, DESC_PX, TICK_PX, TITLE_PX};
use super::palette::look;
use super::ticks::{log_ticks, tick_text, GAP_X};
use crate::probe::ProbeFigure;
use crate::report::data::num;

/// The model whose colour a bar borrows, so costs read like the other charts.
fn model_of(what: &str) -> &'static str {
    if what.contains("process") {
        "process"
    } else if what.contains("task") {
        "async"
    } else if what.contains("thread") {
        "thread"
    } else {
        "sequential"
    }
}

/// Renders one chart of `figures` (what, pinning, figure) for the file `tag`.
pub(crate) fn cost_bars(figures: &[(String, String, ProbeFigure)], tag: &str) -> Result<String> {
    // Each bar's name is written above it, so the chart fits 780 px (full size in an
    // 800-px window) and the axis keeps its width.
    let (w, h) = (780u32, 110 + 42 * figures.len() as u32);
    let positive = |v: f64| v.is_finite() && v > 0.0;
    let values: Vec<f64> = figures
        .iter()
        .flat_map(|(_, _, f)| [f.min_us, f.max_us, f.median_us])
        .filter(|v| positive(*v))
        .collect();
    let lo = values.iter().copied().fold(f64::INFINITY, f64::min);
    let hi = values.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let (lo, hi) = if lo.is_finite() {
        let (lo_l, hi_l) = (lo.log10().floor(), hi.log10());
        // Room right of the longest bar for its value: a decade more when it ends close
        // to the axis end.
        let top = if hi_l.ceil() - hi_l < 0.35 {
            hi_l.ceil() + 1.0
        } else {
            hi_l.ceil()
        };
        (lo_l, top.max(lo_l + 1.0))
    } else {
        (0.0, 1.0)
    };
    // Log10 on a linear axis, as the line charts do; a bar starts at the left edge.
    let lx = |v: f64| if positive(v) { v.log10().max(lo) } else { lo };
    let n = figures.len() as f64;
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (w, h)).into_drawing_area();
        root.fill(&WHITE).map_err(pe)?;
        let title = if tag.is_empty() {
            "Switch and spawn costs (log scale)".to_string()
        } else {
            format!("Switch and spawn costs (log scale) — {tag}")
        };
        let mut chart = ChartBuilder::on(&root)
            .caption(title, ("sans-serif", TITLE_PX))
            .margin(10)
            .margin_right(30)
            .x_label_area_size(46)
            .y_label_area_size(12)
            .build_cartesian_2d(lo..hi, 0.0..n)
            .map_err(pe)?;
        chart
            .configure_mesh()
            .disable_y_mesh()
            .disable_x_mesh()
            .y_labels(0)
            .x_labels(0)
            .x_desc("time per switch or per spawn (log)")
            .label_style(("sans-serif", TICK_PX))
            .axis_desc_style(("sans-serif", DESC_PX))
            .draw()
            .map_err(pe)?;
        // 1-2-5 ticks written as durations ("500 ns" reads as "0.5 µs", "10 ms").
        let (px_x, px_y) = chart.plotting_area().get_pixel_range();
        for v in log_ticks(lo, hi, f64::from(px_x.end - px_x.start), GAP_X) {
            let (px, _) = chart.backend_coord(&(v.log10(), 0.0));
            root.draw(&PathElement::new(
                vec![(px, px_y.start), (px, px_y.end)],
                RGBColor(225, 225, 225).stroke_width(1),
            ))
            .map_err(pe)?;
            let style = TextStyle::from(("sans-serif", TICK_PX).into_font())
                .pos(Pos::new(HPos::Center, VPos::Top));
            root.draw(&Text::new(tick_text(v, true), (px, px_y.end + 6), style))
                .map_err(pe)?;
        }
        for (i, (what, pinning, f)) in figures.iter().enumerate() {
            // Bar 0 at the top: plotters' y grows upwards.
            let y = n - 1.0 - i as f64;
            let color = look(model_of(what)).color;
            chart
                .draw_series(std::iter::once(Rectangle::new(
                    [(lo, y + 0.08), (lx(f.median_us), y + 0.5)],
                    color.mix(0.85).filled(),
                )))
                .map_err(pe)?;
            chart
                .draw_series(std::iter::once(PathElement::new(
                    vec![(lx(f.min_us), y + 0.29), (lx(f.max_us), y + 0.29)],
                    BLACK.stroke_width(1),
                )))
                .map_err(pe)?;
            let (x0, ym) = chart.backend_coord(&(lo, y + 0.29));
            let (_, yl) = chart.backend_coord(&(lo, y + 0.74));
            let (xe, _) = chart.backend_coord(&(lx(f.max_us.max(f.median_us)), y + 0.29));
            let above = TextStyle::from(("sans-serif", TICK_PX).into_font())
                .pos(Pos::new(HPos::Left, VPos::Center));
            let label = if pinning == "—" {
                what.clone()
            } else {
                format!("{what} ({pinning})")
            };
            root.draw(&Text::new(label, (x0 + 4, yl), above))
                .map_err(pe)?;
            let left = TextStyle::from(("sans-serif", TICK_PX).into_font())
                .pos(Pos::new(HPos::Left, VPos::Center));
            root.draw(&Text::new(
                format!("{} µs", num(f.median_us)),
                (xe + 4, ym),
                left,
            ))
            .map_err(pe)?;
        }
        root.present().map_err(pe)?;
    }
    Ok(svg)
}
