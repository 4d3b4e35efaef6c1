//! The at-a-glance figure: the guide's line drawn as a strip across the I/O share, and
//! under it one strip per runtime measured naming the model that won at each share on
//! this machine (grey "tie" cells where the best models are within the noise). Each
//! strip runs from its most CPU-bound share on the left to its most I/O-bound on the
//! right, one equal column per share measured, so a reader holds it against the guide
//! by eye.

use anyhow::Result;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::draw::{fit, mix_white, pe, DESC_PX, LEGEND_PX, TICK_PX};
use super::palette::look;
use crate::report::glance::Strip;
use crate::report::names::tiny_name;

/// Width of the figure, pixels (the page scales it; 780 reads at full size at 800 px).
const W: i32 = 780;
/// Where the strips start: the column left of it holds their titles.
const LEFT: i32 = 200;
/// Right edge of the strips.
const RIGHT: i32 = W - 12;
/// Height of one text line, pixels.
const LINE: i32 = 19;
const FONT: &str = "sans-serif";

/// The x pixel of an I/O share (0–1).
fn x_of(f: f64) -> f64 {
    f64::from(LEFT) + f * f64::from(RIGHT - LEFT)
}

/// The lines of text a cell shows: the share, then the winner or "tie:" and the tied.
fn cell_lines(f: f64, w: &[String]) -> Vec<String> {
    let mut lines = vec![format!("{:.0}% I/O", f * 100.0)];
    if w.len() > 1 {
        lines.push("tie:".into());
    }
    lines.extend(w.iter().map(|l| tiny_name(l)));
    lines
}

/// Renders the figure: an axis row, the guide's strip, one strip per entry of `strips`.
pub(crate) fn render(strips: &[Strip]) -> Result<String> {
    let heights: Vec<i32> = strips
        .iter()
        .map(|s| {
            let lines = s
                .winners
                .iter()
                .map(|(f, w)| cell_lines(*f, w).len())
                .max()
                .unwrap_or(1) as i32;
            lines.max(2) * LINE + 12
        })
        .collect();
    let guide_h = 2 * LINE + 12;
    let top = 34;
    let h = top + guide_h + 8 + heights.iter().map(|h| h + 8).sum::<i32>() + 4;
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (W as u32, h as u32)).into_drawing_area();
        root.fill(&WHITE).map_err(pe)?;
        let text = |size: u32, h: HPos| {
            TextStyle::from((FONT, size).into_font())
                .color(&BLACK)
                .pos(Pos::new(h, VPos::Center))
        };
        // The axis: I/O share from pure CPU to pure I/O.
        for (f, what, hp) in [
            (0.0, "0% I/O: pure CPU", HPos::Left),
            (0.5, "50%", HPos::Center),
            (1.0, "100%: pure I/O", HPos::Right),
        ] {
            root.draw(&Text::new(what, (x_of(f) as i32, 14), text(TICK_PX, hp)))
                .map_err(pe)?;
        }
        root.draw(&Text::new(
            "I/O share of the op →",
            (LEFT - 10, 14),
            text(TICK_PX, HPos::Right),
        ))
        .map_err(pe)?;
        // The guide's line: processes, then threads, then async tasks.
        let y = top;
        title(&root, y, guide_h, &["The guide's line", "(what to expect)"])?;
        for (k, (model, name)) in [
            ("process", "processes"),
            ("thread", "threads"),
            ("async", "async tasks"),
        ]
        .iter()
        .enumerate()
        {
            let (l, r) = (x_of(k as f64 / 3.0), x_of((k + 1) as f64 / 3.0));
            cell(&root, (l, r), (y, y + guide_h), look(model).color, false)?;
            root.draw(&Text::new(
                *name,
                (((l + r) / 2.0) as i32, y + guide_h / 2),
                text(DESC_PX, HPos::Center),
            ))
            .map_err(pe)?;
        }
        let mut y = top + guide_h + 8;
        for (s, hgt) in strips.iter().zip(&heights) {
            let words: Vec<&str> = s.title.splitn(2, " · ").collect();
            title(&root, y, *hgt, &words)?;
            // One equal column per measured share, in order from the CPU end: a share's
            // winners need the room (a tie of five models), and the share is written in
            // its column; the first and last columns stay at the two ends.
            let k = s.winners.len() as f64;
            for (i, (f, w)) in s.winners.iter().enumerate() {
                let (l, r) = (x_of(i as f64 / k), x_of((i + 1) as f64 / k));
                let tie = w.len() > 1;
                cell(&root, (l, r), (y, y + hgt), look(&w[0]).color, tie)?;
                for (k, line) in cell_lines(*f, w).iter().enumerate() {
                    let size = if k == 0 { TICK_PX } else { LEGEND_PX };
                    let style = TextStyle::from((FONT, size).into_font())
                        .color(if k == 0 {
                            &RGBColor(80, 80, 86)
                        } else {
                            &BLACK
                        })
                        .pos(Pos::new(HPos::Center, VPos::Center));
                    root.draw(&Text::new(
                        fit(line, r - l - 8.0),
                        (((l + r) / 2.0) as i32, y + 6 + LINE / 2 + LINE * k as i32),
                        style,
                    ))
                    .map_err(pe)?;
                }
            }
            y += hgt + 8;
        }
        root.present().map_err(pe)?;
    }
    Ok(svg)
}

/// A strip's title, one line per part, in the left column.
fn title(root: &super::draw::Area, y: i32, h: i32, lines: &[&str]) -> Result<()> {
    let n = lines.len() as i32;
    for (k, line) in lines.iter().enumerate() {
        let style = TextStyle::from((FONT, LEGEND_PX).into_font())
            .color(&BLACK)
            .pos(Pos::new(HPos::Right, VPos::Center));
        let cy = y + h / 2 - (n - 1) * LINE / 2 + k as i32 * LINE;
        root.draw(&Text::new(
            fit(line, f64::from(LEFT - 16)),
            (LEFT - 10, cy),
            style,
        ))
        .map_err(pe)?;
    }
    Ok(())
}

/// A tinted cell: the model's colour, or grey for a tie.
fn cell(
    root: &super::draw::Area,
    (l, r): (f64, f64),
    (t, b): (i32, i32),
    color: RGBColor,
    tie: bool,
) -> Result<()> {
    let tint = if tie {
        RGBColor(0xE4, 0xE4, 0xE8)
    } else {
        mix_white(color, 0.62)
    };
    root.draw(&Rectangle::new(
        [(l as i32 + 1, t), (r as i32 - 1, b)],
        tint.filled(),
    ))
    .map_err(pe)?;
    if !tie {
        // A bar of the model's full colour on the left edge: the colour reads in a
        // legend-free figure and survives greyscale printing as a darker edge.
        root.draw(&Rectangle::new(
            [(l as i32 + 1, t), (l as i32 + 5, b)],
            color.filled(),
        ))
        .map_err(pe)?;
    }
    Ok(())
}
