//! The timeline chart: what each worker was doing, op by op, over a short stretch of the
//! window — computing, ready but not running (the GIL, or no free core), or waiting on
//! I/O. One group of lanes per cell compared, all on the same time axis, so a reader
//! sees two Python threads take turns where two processes run side by side.
//!
//! A span records how much of its CPU half was spent on a CPU, not when: the chart draws
//! the computed part first and the ready part after it, and says so in its caption.

use anyhow::Result;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::draw::{fit, pe, LEGEND_PX, TICK_PX};
use crate::metrics::{Span, Timeline};
use crate::report::data::show_us;

/// Lanes drawn per cell at most; a cell with more workers shows its first ones.
pub(crate) const MAX_LANES: usize = 8;
/// Ops per lane the default window shows, about: enough to see a pattern, few enough
/// that each op is wide enough to read.
const OPS_SHOWN: u64 = 14;

const W: i32 = 780;
/// Where the lanes start: the column left of it holds the lane names.
const LEFT: i32 = 128;
const RIGHT: i32 = W - 14;
const LANE_H: i32 = 15;
const LANE_GAP: i32 = 4;
const TITLE_H: i32 = 26;
const FONT: &str = "sans-serif";
/// Lane names and tick labels.
const GREY: RGBColor = RGBColor(90, 90, 96);

/// Computing: a strong blue (Okabe–Ito), readable for the common colour blindnesses.
pub(crate) const COMPUTING: RGBColor = RGBColor(0x00, 0x72, 0xB2);
/// Ready but not running: orange.
pub(crate) const READY: RGBColor = RGBColor(0xE6, 0x9F, 0x00);
/// Waiting on I/O: sky blue, drawn at half height (the worker is idle).
pub(crate) const IO: RGBColor = RGBColor(0x56, 0xB4, 0xE9);

/// One cell's timeline under a title.
#[derive(Debug, Clone)]
pub(crate) struct Lanes<'a> {
    /// What the cell is, e.g. "Python threads · 2 workers".
    pub title: String,
    /// Its sampled ops.
    pub timeline: &'a Timeline,
}

impl Lanes<'_> {
    /// The workers drawn: the first [`MAX_LANES`] that ran a sampled op.
    fn workers(&self) -> Vec<u32> {
        let mut w: Vec<u32> = self.timeline.spans.iter().map(|s| s.worker).collect();
        w.sort_unstable();
        w.dedup();
        w.truncate(MAX_LANES);
        w
    }
}

/// The common time window of `groups`, ns: no longer than the shortest group's sampled
/// stretch (so every group has ops across the whole axis), and about [`OPS_SHOWN`] of
/// the longest ops (so an op is wide enough to read).
pub(crate) fn common_window(groups: &[Lanes]) -> u64 {
    let shortest = groups
        .iter()
        .map(|g| g.timeline.extent_ns())
        .filter(|&e| e > 0)
        .min()
        .unwrap_or(0);
    let longest_op = groups
        .iter()
        .map(|g| median_op(&g.timeline.spans))
        .max()
        .unwrap_or(0);
    if longest_op == 0 {
        return shortest.max(1);
    }
    shortest.min(longest_op * OPS_SHOWN).max(1)
}

/// The median wall time of `spans`, ns.
fn median_op(spans: &[Span]) -> u64 {
    let mut d: Vec<u64> = spans.iter().map(|s| s.end - s.start).collect();
    if d.is_empty() {
        return 0;
    }
    d.sort_unstable();
    d[d.len() / 2]
}

/// A linear axis' tick step, ns: 1, 2 or 5 times a power of ten, giving at most 8 ticks.
fn tick_step(window: u64) -> u64 {
    let mut step = 1u64;
    loop {
        for m in [1, 2, 5] {
            if window / (step * m) <= 8 {
                return step * m;
            }
        }
        step *= 10;
    }
}

/// Height of the chart for `groups`, pixels.
fn height(groups: &[Lanes]) -> i32 {
    let lanes: i32 = groups
        .iter()
        .map(|g| TITLE_H + g.workers().len().max(1) as i32 * (LANE_H + LANE_GAP) + 6)
        .sum();
    lanes + 52 + 30
}

/// Renders `groups` over the first `window_ns` of their windows, as an SVG document.
pub(crate) fn render(groups: &[Lanes], window_ns: u64) -> Result<String> {
    let window = window_ns.max(1);
    let h = height(groups);
    let x_of = |t: u64| -> f64 {
        f64::from(LEFT) + (t.min(window) as f64 / window as f64) * f64::from(RIGHT - LEFT)
    };
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (W as u32, h as u32)).into_drawing_area();
        root.fill(&WHITE).map_err(pe)?;
        let style = |size: u32, hp: HPos, color: &'static RGBColor| {
            TextStyle::from((FONT, size).into_font())
                .color(color)
                .pos(Pos::new(hp, VPos::Center))
        };
        let grey = &GREY;
        let mut y = 4;
        for g in groups {
            let workers = g.workers();
            let total = g.timeline.workers as usize;
            let mut title = g.title.clone();
            if total > workers.len() {
                title.push_str(&format!(" — {} of {} workers shown", workers.len(), total));
            }
            root.draw(&Text::new(
                fit(&title, f64::from(W - 8)),
                (4, y + TITLE_H / 2),
                style(LEGEND_PX, HPos::Left, &BLACK),
            ))
            .map_err(pe)?;
            y += TITLE_H;
            for w in &workers {
                root.draw(&Text::new(
                    format!("worker {w}"),
                    (LEFT - 8, y + LANE_H / 2),
                    style(TICK_PX - 2, HPos::Right, grey),
                ))
                .map_err(pe)?;
                root.draw(&Rectangle::new(
                    [(LEFT, y), (RIGHT, y + LANE_H)],
                    RGBColor(0xF3, 0xF3, 0xF6).filled(),
                ))
                .map_err(pe)?;
                for s in g.timeline.spans.iter().filter(|s| s.worker == *w) {
                    if s.start >= window {
                        break;
                    }
                    lane_span(&root, s, y, &x_of)?;
                }
                y += LANE_H + LANE_GAP;
            }
            if workers.is_empty() {
                root.draw(&Text::new(
                    "no sampled op",
                    (LEFT + 8, y + LANE_H / 2),
                    style(TICK_PX - 2, HPos::Left, grey),
                ))
                .map_err(pe)?;
                y += LANE_H + LANE_GAP;
            }
            y += 6;
        }
        // The time axis, shared by every group.
        let axis = RGBColor(120, 120, 126);
        root.draw(&PathElement::new(
            vec![(LEFT, y), (RIGHT, y)],
            axis.stroke_width(1),
        ))
        .map_err(pe)?;
        let step = tick_step(window);
        let mut t = 0;
        while t <= window {
            let x = x_of(t) as i32;
            root.draw(&PathElement::new(
                vec![(x, y), (x, y + 5)],
                axis.stroke_width(1),
            ))
            .map_err(pe)?;
            root.draw(&Text::new(
                show_us(t as f64 / 1e3),
                (x, y + 14),
                style(TICK_PX - 2, HPos::Center, grey),
            ))
            .map_err(pe)?;
            t += step;
        }
        root.draw(&Text::new(
            "time since the measured window opened →",
            ((LEFT + RIGHT) / 2, y + 32),
            style(TICK_PX - 2, HPos::Center, grey),
        ))
        .map_err(pe)?;
        legend(&root, y + 58)?;
        root.present().map_err(pe)?;
    }
    Ok(svg)
}

/// One op on its lane: computing, then ready, at full height; the I/O half at half
/// height.
fn lane_span(root: &super::draw::Area, s: &Span, y: i32, x_of: &dyn Fn(u64) -> f64) -> Result<()> {
    let cpu_mid = s.start + s.computing();
    let parts = [
        (s.start, cpu_mid, COMPUTING, 0),
        (cpu_mid, s.cpu_end, READY, 0),
        (s.cpu_end, s.end, IO, LANE_H / 4),
    ];
    for (a, b, color, inset) in parts {
        let (xa, xb) = (x_of(a), x_of(b));
        if xb - xa < 0.35 {
            continue;
        }
        // At least one pixel, so a short op still shows on a long axis.
        let (l, r) = (
            xa.round() as i32,
            (xb.round() as i32).max(xa.round() as i32 + 1),
        );
        root.draw(&Rectangle::new(
            [(l, y + inset), (r, y + LANE_H - inset)],
            color.filled(),
        ))
        .map_err(pe)?;
    }
    Ok(())
}

/// The three states' swatches in one row.
fn legend(root: &super::draw::Area, y: i32) -> Result<()> {
    let mut x = LEFT;
    for (color, inset, what) in [
        (COMPUTING, 0, "computing (thread CPU time)"),
        (READY, 0, "ready, not running (GIL or no free core)"),
        (IO, LANE_H / 4, "waiting on I/O"),
    ] {
        root.draw(&Rectangle::new(
            [
                (x, y - LANE_H / 2 + inset),
                (x + 22, y + LANE_H / 2 - inset),
            ],
            color.filled(),
        ))
        .map_err(pe)?;
        root.draw(&Text::new(
            what,
            (x + 28, y),
            TextStyle::from((FONT, TICK_PX - 2).into_font())
                .color(&BLACK)
                .pos(Pos::new(HPos::Left, VPos::Center)),
        ))
        .map_err(pe)?;
        x += 34 + (what.chars().count() as f64 * 6.6) as i32;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn span(worker: u32, start: u64, cpu_end: u64, end: u64, cpu: u64) -> Span {
        Span {
            worker,
            start,
            cpu_end,
            end,
            cpu,
        }
    }

    #[test]
    fn the_window_fits_every_group_and_a_few_ops() {
        let short = Timeline {
            sampled: 2,
            workers: 1,
            window_ns: 10_000,
            spans: vec![span(0, 0, 100, 100, 100), span(0, 100, 200, 200, 100)],
        };
        let long = Timeline {
            spans: (0..100)
                .map(|i| span(0, i * 100, i * 100 + 50, i * 100 + 100, 50))
                .collect(),
            ..short.clone()
        };
        let g = |t| Lanes {
            title: "x".into(),
            timeline: t,
        };
        assert_eq!(common_window(&[g(&short), g(&long)]), 200);
        assert_eq!(common_window(&[g(&long)]), 100 * OPS_SHOWN);
        assert_eq!(tick_step(1_000), 200);
        assert_eq!(tick_step(70), 10);
    }

    #[test]
    fn a_chart_draws_the_three_states_and_names_hidden_lanes() {
        let t = Timeline {
            sampled: 20,
            workers: 20,
            window_ns: 1_000_000,
            spans: (0..20)
                .map(|w| span(w, 0, 60_000, 100_000, 30_000))
                .collect(),
        };
        let svg = render(
            &[Lanes {
                title: "threads".into(),
                timeline: &t,
            }],
            100_000,
        )
        .unwrap();
        assert!(svg.contains("8 of 20 workers shown"), "{svg}");
        for c in [COMPUTING, READY, IO] {
            let hex = format!("#{:02X}{:02X}{:02X}", c.0, c.1, c.2);
            assert!(svg.contains(&hex), "{hex} missing");
        }
    }
}
