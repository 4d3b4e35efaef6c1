//! The drawing shared by the line charts: panels side by side, optional log axes (drawn
//! as log10 values on a linear axis, ticks labelled in real units), a legend column, the
//! best-model band, and lines and markers in each label's [`Look`].
//!
//! Lines and markers are drawn in pixel space on the root area, not as plotters series:
//! one code path then serves the plots and the legend, and dashes stay exact.

use anyhow::{anyhow, Result};
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::palette::{look, short_label, Dash, Look, Marker};
use crate::report::data::num_trim;

/// The root drawing area of a chart.
pub(crate) type Area<'a> = DrawingArea<SVGBackend<'a>, Shift>;

/// Width of the legend column, pixels.
const LEGEND_W: u32 = 340;
/// What joins the names of tied models in a band label.
pub(crate) const TIE: &str = " ≈ ";

/// Height of the best-model band under a plot, pixels.
const BAND_H: u32 = 44;
/// Font of every label.
const FONT: &str = "sans-serif";

/// Converts a plotters error into anyhow (its error types are generic over the backend).
pub(crate) fn pe<E: std::fmt::Display>(e: E) -> anyhow::Error {
    anyhow!("could not draw chart: {e}")
}

/// An axis: its description (with units) and whether it is logarithmic.
#[derive(Debug, Clone)]
pub(crate) struct Axis {
    /// Axis title with units, e.g. "I/O share of the op (%)".
    pub desc: String,
    /// Log10 scale.
    pub log: bool,
    /// Linear axes: start at zero.
    pub from_zero: bool,
}

impl Axis {
    /// A linear axis starting at zero.
    pub fn linear(desc: &str) -> Axis {
        Axis {
            desc: desc.into(),
            log: false,
            from_zero: true,
        }
    }

    /// A log10 axis.
    pub fn log(desc: &str) -> Axis {
        Axis {
            desc: desc.into(),
            log: true,
            from_zero: false,
        }
    }
}

/// One line: a model label and its points in data units.
#[derive(Debug, Clone)]
pub(crate) struct Line {
    /// Model label (decides the look).
    pub label: String,
    /// Points (x, y) in data units.
    pub points: Vec<(f64, f64)>,
}

/// One plot of a panel.
#[derive(Debug, Clone)]
pub(crate) struct Plot {
    /// Title above the plot.
    pub title: String,
    /// Horizontal axis.
    pub x: Axis,
    /// Vertical axis.
    pub y: Axis,
    /// Lowest top of the y axis in data units (e.g. 1.1 for efficiency), if any.
    pub y_at_least: Option<f64>,
    /// The lines.
    pub lines: Vec<Line>,
    /// Best-model band: (x, label) per point, drawn under the plot.
    pub band: Option<Vec<(f64, String)>>,
}

/// Renders plots side by side with one legend for all their labels; returns the SVG.
pub(crate) fn render(plots: &[Plot], plot_w: u32, h: u32) -> Result<String> {
    let mut labels: Vec<String> = Vec::new();
    for l in plots.iter().flat_map(|p| &p.lines) {
        if !labels.contains(&l.label) {
            labels.push(l.label.clone());
        }
    }
    let w = plot_w * plots.len().max(1) as u32 + LEGEND_W;
    let h = h.max(60 + 20 * labels.len() as u32);
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (w, h)).into_drawing_area();
        root.fill(&WHITE).map_err(pe)?;
        let (plots_area, legend_area) = root.split_horizontally(w - LEGEND_W);
        let areas = plots_area.split_evenly((1, plots.len().max(1)));
        for (area, plot) in areas.iter().zip(plots) {
            draw_plot(&root, area, plot)?;
        }
        draw_legend(&root, &legend_area, &labels)?;
        root.present().map_err(pe)?;
    }
    Ok(svg)
}

/// Maps a data value to axis units (log10 for log axes; non-positive values clamp to
/// `floor`, the axis bottom, so a zero still shows).
fn tx(axis: &Axis, v: f64, floor: f64) -> f64 {
    if axis.log {
        v.max(floor).log10()
    } else {
        v
    }
}

/// The axis range in axis units for `values`.
fn range(axis: &Axis, values: &[f64], at_least: Option<f64>) -> (f64, f64, f64) {
    let finite: Vec<f64> = values.iter().copied().filter(|v| v.is_finite()).collect();
    if axis.log {
        let pos: Vec<f64> = finite.iter().copied().filter(|v| *v > 0.0).collect();
        let lo = pos.iter().copied().fold(f64::INFINITY, f64::min);
        let hi = pos.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        if !lo.is_finite() {
            return (0.0, 1.0, 1.0);
        }
        // Zeros are drawn on the bottom edge: one decade below the smallest value.
        let has_zero = finite.iter().any(|v| *v <= 0.0);
        let lo_l = lo.log10().floor() - if has_zero { 1.0 } else { 0.0 };
        let hi_l = hi.log10().ceil().max(lo_l + 1.0);
        (lo_l, hi_l, 10f64.powf(lo_l))
    } else {
        let lo = finite.iter().copied().fold(f64::INFINITY, f64::min);
        let hi = finite.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        let (lo, hi) = if lo.is_finite() { (lo, hi) } else { (0.0, 1.0) };
        let lo = if axis.from_zero { lo.min(0.0) } else { lo };
        let mut hi = hi.max(at_least.unwrap_or(f64::NEG_INFINITY));
        if hi <= lo {
            hi = lo + 1.0;
        }
        let pad = if axis.from_zero {
            0.0
        } else {
            (hi - lo) * 0.05
        };
        (lo - pad, hi + (hi - lo) * 0.05, 0.0)
    }
}

/// A tick label: the value in data units, trailing zeros trimmed ("0.1", "20", "1000").
fn tick(axis: &Axis, v: f64) -> String {
    num_trim(if axis.log { 10f64.powf(v) } else { v })
}

fn draw_plot(root: &Area, area: &Area, plot: &Plot) -> Result<()> {
    let (aw, ah) = area.dim_in_pixel();
    let (main, band_area) = match plot.band {
        Some(_) => {
            let (m, b) = area.split_vertically(ah.saturating_sub(BAND_H));
            (m, Some(b))
        }
        None => (area.clone(), None),
    };
    let xs: Vec<f64> = plot
        .lines
        .iter()
        .flat_map(|l| l.points.iter().map(|p| p.0))
        .collect();
    let ys: Vec<f64> = plot
        .lines
        .iter()
        .flat_map(|l| l.points.iter().map(|p| p.1))
        .collect();
    let (x0, x1, xf) = range(&plot.x, &xs, None);
    let (y0, y1, yf) = range(&plot.y, &ys, plot.y_at_least);
    let mut chart = ChartBuilder::on(&main)
        .caption(&plot.title, (FONT, 17))
        .margin(10)
        .x_label_area_size(46)
        .y_label_area_size(64)
        .build_cartesian_2d(x0..x1, y0..y1)
        .map_err(pe)?;
    let (xa, ya) = (plot.x.clone(), plot.y.clone());
    let x_fmt = move |v: &f64| tick(&xa, *v);
    let y_fmt = move |v: &f64| tick(&ya, *v);
    let mut mesh = chart.configure_mesh();
    mesh.x_desc(plot.x.desc.as_str())
        .y_desc(plot.y.desc.as_str())
        .x_label_formatter(&x_fmt)
        .y_label_formatter(&y_fmt)
        .label_style((FONT, 14))
        .axis_desc_style((FONT, 15))
        .light_line_style(RGBColor(238, 238, 238))
        .bold_line_style(RGBColor(215, 215, 215));
    if plot.x.log {
        mesh.x_labels((x1 - x0).round() as usize + 1);
    }
    if plot.y.log {
        mesh.y_labels((y1 - y0).round() as usize + 1);
    }
    mesh.draw().map_err(pe)?;
    for line in &plot.lines {
        let lk = look(&line.label);
        let px: Vec<(i32, i32)> = line
            .points
            .iter()
            .filter(|p| p.0.is_finite() && p.1.is_finite())
            .map(|p| chart.backend_coord(&(tx(&plot.x, p.0, xf), tx(&plot.y, p.1, yf))))
            .collect();
        path(root, &px, &lk)?;
        for p in &px {
            marker(root, *p, &lk)?;
        }
    }
    if let (Some(band), Some(band_area)) = (&plot.band, band_area) {
        let (px_range, _) = chart.plotting_area().get_pixel_range();
        let to_px = |x: f64| {
            let t = (tx(&plot.x, x, xf) - x0) / (x1 - x0);
            px_range.start as f64 + t * (px_range.end - px_range.start) as f64
        };
        draw_band(
            root,
            &band_area,
            band,
            &to_px,
            (px_range.start, px_range.end),
        )?;
    }
    let _ = aw;
    Ok(())
}

/// The band under a plot naming the best label at each point: a tinted cell per point,
/// spanning half-way to its neighbours, with the (short) label written in it.
fn draw_band(
    root: &Area,
    band_area: &Area,
    band: &[(f64, String)],
    to_px: &dyn Fn(f64) -> f64,
    (left, right): (i32, i32),
) -> Result<()> {
    let (_, by) = band_area.get_base_pixel();
    let (top, bottom) = (by + 6, by + BAND_H as i32 - 14);
    root.draw(&Text::new(
        "best",
        (left - 48, (top + bottom) / 2 - 6),
        (FONT, 14).into_font().color(&BLACK),
    ))
    .map_err(pe)?;
    // Each point owns the band half-way to its neighbours; a run of points with the
    // same winner becomes one cell, so its name has room to be read.
    let edge = |i: usize| -> f64 {
        match i {
            0 => left as f64,
            i if i >= band.len() => right as f64,
            i => (to_px(band[i - 1].0) + to_px(band[i].0)) / 2.0,
        }
    };
    let mut start = 0;
    while start < band.len() {
        let label = &band[start].1;
        let mut end = start + 1;
        while end < band.len() && band[end].1 == *label {
            end += 1;
        }
        let (l, r) = (edge(start), edge(end));
        start = end;
        // A tie (models the repetitions cannot tell apart, joined by " ≈ ") is drawn
        // grey, without a model's marker: no model wins there.
        let names: Vec<&str> = label.split(TIE).collect();
        let tie = names.len() > 1;
        let lk = look(names[0]);
        let tint = if tie {
            RGBColor(0xE4, 0xE4, 0xE8)
        } else {
            mix_white(lk.color, 0.7)
        };
        root.draw(&Rectangle::new(
            [(l as i32 + 1, top), (r as i32 - 1, bottom)],
            tint.filled(),
        ))
        .map_err(pe)?;
        if !tie {
            marker(root, (l as i32 + 8, (top + bottom) / 2), &lk)?;
        }
        let style = TextStyle::from((FONT, 14).into_font())
            .color(&BLACK)
            .pos(Pos::new(HPos::Center, VPos::Center));
        let text: Vec<String> = names.iter().map(|n| short_label(n)).collect();
        // A name wider than its cell is cut (about 7.5 px a character at 14 px), so it
        // never spills over its neighbour or the "best" caption; the table has it whole.
        let fits = (((r - l) / 7.5) as usize).max(2);
        let text = text.join(TIE);
        let text = if text.chars().count() > fits {
            format!("{}…", text.chars().take(fits - 1).collect::<String>())
        } else {
            text
        };
        root.draw(&Text::new(
            text,
            ((l + r) as i32 / 2 + 6, (top + bottom) / 2),
            style,
        ))
        .map_err(pe)?;
    }
    Ok(())
}

fn mix_white(c: RGBColor, t: f64) -> RGBColor {
    let f = |v: u8| (f64::from(v) + (255.0 - f64::from(v)) * t).round() as u8;
    RGBColor(f(c.0), f(c.1), f(c.2))
}

/// The legend column: a line sample with its marker and the label, one per row.
fn draw_legend(root: &Area, area: &Area, labels: &[String]) -> Result<()> {
    let (x0, y0) = area.get_base_pixel();
    for (i, label) in labels.iter().enumerate() {
        let lk = look(label);
        let y = y0 + 40 + 20 * i as i32;
        path(root, &[(x0 + 4, y), (x0 + 34, y)], &lk)?;
        marker(root, (x0 + 19, y), &lk)?;
        let style = TextStyle::from((FONT, 13).into_font())
            .color(&BLACK)
            .pos(Pos::new(HPos::Left, VPos::Center));
        root.draw(&Text::new(label.clone(), (x0 + 40, y), style))
            .map_err(pe)?;
    }
    Ok(())
}

/// A polyline in the look's colour and dash pattern.
fn path(root: &Area, pts: &[(i32, i32)], lk: &Look) -> Result<()> {
    let style = lk.color.stroke_width(2);
    let (on, off) = match lk.dash {
        Dash::Solid => {
            return root
                .draw(&PathElement::new(pts.to_vec(), style))
                .map_err(pe);
        }
        Dash::Dashed => (9.0, 5.0),
        Dash::Dotted => (2.5, 4.0),
    };
    // Walk the polyline, emitting `on` pixels of ink then `off` pixels of gap, carrying
    // the phase across vertices so the pattern does not restart at each point.
    let mut ink = true;
    let mut left: f64 = on;
    for w in pts.windows(2) {
        let (a, b) = (
            (w[0].0 as f64, w[0].1 as f64),
            (w[1].0 as f64, w[1].1 as f64),
        );
        let len = ((b.0 - a.0).powi(2) + (b.1 - a.1).powi(2)).sqrt();
        let mut at = 0.0;
        while at < len {
            let step = left.min(len - at);
            if ink {
                let p = |t: f64| {
                    (
                        (a.0 + (b.0 - a.0) * t / len).round() as i32,
                        (a.1 + (b.1 - a.1) * t / len).round() as i32,
                    )
                };
                root.draw(&PathElement::new(vec![p(at), p(at + step)], style))
                    .map_err(pe)?;
            }
            at += step;
            left -= step;
            if left <= 0.0 {
                ink = !ink;
                left = if ink { on } else { off };
            }
        }
    }
    Ok(())
}

/// The look's marker centred on `p`.
fn marker(root: &Area, (x, y): (i32, i32), lk: &Look) -> Result<()> {
    let fill = lk.color.filled();
    match lk.marker {
        Marker::Circle => root.draw(&Circle::new((x, y), 4, fill)),
        Marker::Square => root.draw(&Rectangle::new([(x - 4, y - 4), (x + 4, y + 4)], fill)),
        Marker::Triangle => root.draw(&Polygon::new(
            vec![(x, y - 5), (x + 5, y + 4), (x - 5, y + 4)],
            fill,
        )),
        Marker::Diamond => root.draw(&Polygon::new(
            vec![(x, y - 5), (x + 5, y), (x, y + 5), (x - 5, y)],
            fill,
        )),
    }
    .map_err(pe)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_text_lines_and_a_legend() {
        let plot = Plot {
            title: "t".into(),
            x: Axis::linear("I/O share (%)"),
            y: Axis::log("µs per op"),
            y_at_least: None,
            lines: vec![
                Line {
                    label: "thread".into(),
                    points: vec![(0.0, 10.0), (50.0, 0.0), (100.0, 1000.0)],
                },
                Line {
                    label: "thread cpu=native io=native gil=held".into(),
                    points: vec![(0.0, 5.0), (100.0, 50.0)],
                },
            ],
            band: Some(vec![(0.0, "thread".into()), (100.0, "async".into())]),
        };
        let svg = render(&[plot], 500, 300).unwrap();
        assert!(svg.starts_with("<svg"));
        assert!(
            svg.contains(">\nI/O share (%)\n</text>"),
            "axis title is text"
        );
        assert!(svg.contains("gil=held"), "legend is text");
        assert!(svg.contains("<rect") && svg.contains("<circle"), "markers");
        assert!(svg.contains("<text"), "labels are text elements");
    }
}
