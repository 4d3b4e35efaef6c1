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

use super::palette::{look, Dash, Look, Marker};
use super::ticks::{log_ticks, tick_text, GAP_X, GAP_Y};
use crate::report::names::{plain_name, tiny_name};

/// The root drawing area of a chart.
pub(crate) type Area<'a> = DrawingArea<SVGBackend<'a>, Shift>;

/// Height of one legend row, pixels.
const LEGEND_ROW: u32 = 24;
/// What joins the names of tied models in a band label.
pub(crate) const TIE: &str = " ≈ ";

/// Height of the best-model band under a plot, pixels.
const BAND_H: u32 = 44;
/// Font of every label.
const FONT: &str = "sans-serif";
/// Font sizes as plotters takes them. Its SVG backend writes `font-size` at 1/1.24 of
/// the size asked for (16 → 12.9 px), so none is under 16: the page shows a chart at
/// 95% or more of its size in an 800-pixel window, and text stays above 12 px.
pub(crate) const TITLE_PX: u32 = 19;
pub(crate) const TICK_PX: u32 = 16;
pub(crate) const DESC_PX: u32 = 17;
pub(crate) const LEGEND_PX: u32 = 16;
/// About how wide a character of a `LEGEND_PX` label is, pixels (for layout).
const CHAR_W: f64 = 7.4;

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
    /// A fixed range in data units (e.g. 0–100 for a share in percent), whatever the
    /// data: a panel with only one I/O share still reads as a share.
    pub fixed: Option<(f64, f64)>,
    /// Ticks are durations in µs, written "500 µs", "2 ms", "1 s".
    pub micros: bool,
}

impl Axis {
    /// A linear axis starting at zero.
    pub fn linear(desc: &str) -> Axis {
        Axis {
            desc: desc.into(),
            log: false,
            from_zero: true,
            fixed: None,
            micros: false,
        }
    }

    /// The I/O share of the op in percent: always 0–100.
    pub fn share() -> Axis {
        Axis {
            fixed: Some((0.0, 100.0)),
            ..Axis::linear("I/O share of the op (%)")
        }
    }

    /// A log10 axis of durations in µs (ticks written as durations).
    pub fn log_us(desc: &str) -> Axis {
        Axis {
            micros: true,
            ..Axis::log(desc)
        }
    }

    /// A log10 axis.
    pub fn log(desc: &str) -> Axis {
        Axis {
            desc: desc.into(),
            log: true,
            from_zero: false,
            fixed: None,
            micros: false,
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

/// Renders plots side by side with one legend for all their labels under them; returns
/// the SVG. `plot_w` is the width of one plot, `h` the height of the plots.
pub(crate) fn render(plots: &[Plot], plot_w: u32, h: u32) -> Result<String> {
    let mut labels: Vec<String> = Vec::new();
    for l in plots.iter().flat_map(|p| &p.lines) {
        if !labels.contains(&l.label) {
            labels.push(l.label.clone());
        }
    }
    let w = plot_w * plots.len().max(1) as u32;
    let legend = legend_layout(&labels, w);
    let rows = legend.iter().map(|(_, row, _)| row + 1).max().unwrap_or(0);
    let legend_h = if rows == 0 { 0 } else { 10 + LEGEND_ROW * rows };
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (w, h + legend_h)).into_drawing_area();
        root.fill(&WHITE).map_err(pe)?;
        let (plots_area, legend_area) = root.split_vertically(h);
        let areas = plots_area.split_evenly((1, plots.len().max(1)));
        for (area, plot) in areas.iter().zip(plots) {
            draw_plot(&root, area, plot)?;
        }
        draw_legend(&root, &legend_area, &labels, &legend)?;
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
    if let Some((lo, hi)) = axis.fixed {
        return (lo, hi, 0.0);
    }
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

/// A tick label of a linear axis: the value, trailing zeros trimmed ("0.1", "20").
fn tick(axis: &Axis, v: f64) -> String {
    tick_text(v, axis.micros)
}

fn draw_plot(root: &Area, area: &Area, plot: &Plot) -> Result<()> {
    let (_, ah) = area.dim_in_pixel();
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
        .caption(&plot.title, (FONT, TITLE_PX))
        .margin(10)
        .margin_right(18)
        .x_label_area_size(48)
        .y_label_area_size(70)
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
        .label_style((FONT, TICK_PX))
        .axis_desc_style((FONT, DESC_PX))
        .light_line_style(RGBColor(238, 238, 238))
        .bold_line_style(RGBColor(215, 215, 215));
    // Log axes get their own 1-2-5 ticks below; plotters would label log10 values.
    if plot.x.log {
        mesh.x_labels(0).disable_x_mesh();
    }
    if plot.y.log {
        mesh.y_labels(0).disable_y_mesh();
    }
    mesh.draw().map_err(pe)?;
    let (px_x, px_y) = chart.plotting_area().get_pixel_range();
    if plot.x.log {
        let len = (px_x.end - px_x.start) as f64;
        for v in log_ticks(x0, x1, len, GAP_X) {
            let (px, _) = chart.backend_coord(&(v.log10(), y0));
            grid(root, [(px, px_y.start), (px, px_y.end)])?;
            let style =
                TextStyle::from((FONT, TICK_PX).into_font()).pos(Pos::new(HPos::Center, VPos::Top));
            root.draw(&Text::new(
                tick_text(v, plot.x.micros),
                (px, px_y.end + 6),
                style,
            ))
            .map_err(pe)?;
        }
    }
    if plot.y.log {
        let len = (px_y.end - px_y.start) as f64;
        // Zeros sit on the bottom edge (see `range`): that tick then reads "0".
        let zero = ys.iter().any(|v| v.is_finite() && *v <= 0.0);
        for v in log_ticks(y0, y1, len, GAP_Y) {
            let (_, py) = chart.backend_coord(&(x0, v.log10()));
            grid(root, [(px_x.start, py), (px_x.end, py)])?;
            let style = TextStyle::from((FONT, TICK_PX).into_font())
                .pos(Pos::new(HPos::Right, VPos::Center));
            let text = if zero && (v.log10() - y0).abs() < 1e-9 {
                "0".to_string()
            } else {
                tick_text(v, plot.y.micros)
            };
            root.draw(&Text::new(text, (px_x.start - 6, py), style))
                .map_err(pe)?;
        }
    }
    let mut placed: Vec<(i32, i32)> = Vec::new();
    let mut marks: Vec<((i32, i32), Look)> = Vec::new();
    for line in &plot.lines {
        let lk = look(&line.label);
        let px: Vec<(i32, i32)> = line
            .points
            .iter()
            .filter(|p| p.0.is_finite() && p.1.is_finite())
            .map(|p| chart.backend_coord(&(tx(&plot.x, p.0, xf), tx(&plot.y, p.1, yf))))
            .collect();
        path(root, &px, &lk)?;
        let mid = (px_x.start + px_x.end) / 2;
        for p in &px {
            let inward = if p.0 > mid { -1 } else { 1 };
            marks.push((apart(*p, &mut placed, inward), lk));
        }
    }
    // Markers after every line, so no line crosses a marker; each outlined in white and
    // nudged sideways off any marker already at its place, so coinciding points of two
    // series both show (the table has the exact values).
    for (p, lk) in &marks {
        marker(root, *p, lk)?;
    }
    if let (Some(band), Some(band_area)) = (&plot.band, band_area) {
        let to_px = |x: f64| {
            let t = (tx(&plot.x, x, xf) - x0) / (x1 - x0);
            px_x.start as f64 + t * (px_x.end - px_x.start) as f64
        };
        draw_band(root, &band_area, band, &to_px, (px_x.start, px_x.end))?;
    }
    Ok(())
}

/// A light grid line between two pixels.
fn grid(root: &Area, [a, b]: [(i32, i32); 2]) -> Result<()> {
    root.draw(&PathElement::new(
        vec![a, b],
        RGBColor(225, 225, 225).stroke_width(1),
    ))
    .map_err(pe)
}

/// Where to draw a marker meant for `p`: `p` itself, or — when a marker already sits
/// within a few pixels — shifted sideways by a marker's width per marker already there,
/// towards the inside of the plot (`inward`: +1 right, -1 left), so that it never
/// leaves the axes or covers a tick label.
fn apart(p: (i32, i32), placed: &mut Vec<(i32, i32)>, inward: i32) -> (i32, i32) {
    let near = |q: &(i32, i32), r: (i32, i32)| (q.0 - r.0).abs() < 7 && (q.1 - r.1).abs() < 7;
    let mut at = p;
    let mut k: i32 = 0;
    while placed.iter().any(|q| near(q, at)) && k < 12 {
        k += 1;
        at = (p.0 + inward * 9 * k, p.1);
    }
    placed.push(at);
    at
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
    let (top, bottom) = (by + 6, by + BAND_H as i32 - 10);
    let caption = TextStyle::from((FONT, TICK_PX).into_font())
        .color(&BLACK)
        .pos(Pos::new(HPos::Right, VPos::Center));
    root.draw(&Text::new(
        "fastest",
        (left - 6, (top + bottom) / 2),
        caption,
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
        // grey, without a model's marker, and says "tie": no model wins there.
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
            marker(root, (l as i32 + 9, (top + bottom) / 2), &lk)?;
        }
        let style = TextStyle::from((FONT, LEGEND_PX).into_font())
            .color(&BLACK)
            .pos(Pos::new(HPos::Center, VPos::Center));
        let short: Vec<String> = names.iter().map(|n| tiny_name(n)).collect();
        let text = if tie {
            format!("tie: {}", short.join(TIE))
        } else {
            short.join(TIE)
        };
        root.draw(&Text::new(
            fit(&text, r - l - 20.0),
            (
                (l + r) as i32 / 2 + if tie { 0 } else { 8 },
                (top + bottom) / 2,
            ),
            style,
        ))
        .map_err(pe)?;
    }
    Ok(())
}

/// `text` cut with an ellipsis to about `px` pixels of a 14-px label, so it never spills
/// over its neighbour; the table has it whole.
pub(crate) fn fit(text: &str, px: f64) -> String {
    let room = ((px / CHAR_W) as usize).max(2);
    if text.chars().count() > room {
        format!("{}…", text.chars().take(room - 1).collect::<String>())
    } else {
        text.to_string()
    }
}

pub(crate) fn mix_white(c: RGBColor, t: f64) -> RGBColor {
    let f = |v: u8| (f64::from(v) + (255.0 - f64::from(v)) * t).round() as u8;
    RGBColor(f(c.0), f(c.1), f(c.2))
}

/// Where each legend entry goes: (x offset, row, text) — entries flow left to right and
/// wrap at `w`, each as wide as its plain name.
fn legend_layout(labels: &[String], w: u32) -> Vec<(i32, u32, String)> {
    let mut out = Vec::new();
    let (mut x, mut row) = (60.0, 0u32);
    for label in labels {
        let text = fit(&plain_name(label), f64::from(w) - 120.0);
        let width = 44.0 + text.chars().count() as f64 * CHAR_W + 22.0;
        if x > 60.0 && x + width > f64::from(w) {
            x = 60.0;
            row += 1;
        }
        out.push((x as i32, row, text));
        x += width;
    }
    out
}

/// The legend under the plots: a line sample with its marker and the plain name.
fn draw_legend(
    root: &Area,
    area: &Area,
    labels: &[String],
    layout: &[(i32, u32, String)],
) -> Result<()> {
    let (x0, y0) = area.get_base_pixel();
    for (label, (dx, row, text)) in labels.iter().zip(layout) {
        let lk = look(label);
        let (x, y) = (x0 + dx, y0 + 4 + (LEGEND_ROW * row + LEGEND_ROW / 2) as i32);
        path(root, &[(x, y), (x + 32, y)], &lk)?;
        marker(root, (x + 16, y), &lk)?;
        let style = TextStyle::from((FONT, LEGEND_PX).into_font())
            .color(&BLACK)
            .pos(Pos::new(HPos::Left, VPos::Center));
        root.draw(&Text::new(text.clone(), (x + 40, y), style))
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

/// The look's marker centred on `p`, outlined in white so that touching markers stay
/// apart.
fn marker(root: &Area, (x, y): (i32, i32), lk: &Look) -> Result<()> {
    let halo = WHITE.filled();
    root.draw(&Circle::new((x, y), 7, halo)).map_err(pe)?;
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
        assert!(
            svg.contains("Python threads, native CPU helper"),
            "legend is text, in plain words"
        );
        assert!(!svg.contains("gil="), "no internal id in the chart");
        assert!(svg.contains("<rect") && svg.contains("<circle"), "markers");
        assert!(svg.contains("<text"), "labels are text elements");
    }
}
