//! A plain horizontal bar chart on a log axis: one bar per named figure, its value
//! written at its end. The demo pages draw their tables' key column with it (the
//! convoy's requests per second, the flush demo's time per write), where the values
//! span orders of magnitude.

use anyhow::Result;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::draw::{fit, pe, LEGEND_PX, TICK_PX};
use crate::report::data::num;

const W: i32 = 780;
/// The bars start here: the names sit left of it.
const LEFT: i32 = 330;
const RIGHT: i32 = W - 70;
const BAR_H: i32 = 16;
const ROW_H: i32 = 22;
const FONT: &str = "sans-serif";
const BAR: RGBColor = RGBColor(0x00, 0x72, 0xB2);

/// Renders `items` (name, value > 0) under `title`, the axis in `unit`; values that are
/// not positive are left out.
pub(crate) fn bars(title: &str, unit: &str, items: &[(String, f64)]) -> Result<String> {
    let items: Vec<&(String, f64)> = items
        .iter()
        .filter(|(_, v)| v.is_finite() && *v > 0.0)
        .collect();
    let lo = items.iter().map(|(_, v)| *v).fold(f64::INFINITY, f64::min);
    let hi = items.iter().map(|(_, v)| *v).fold(0.0, f64::max);
    // Half a decade of room on each side, so the shortest bar still shows.
    let (l0, l1) = (
        (lo / 3.0).log10(),
        (hi * 1.2).log10().max((lo / 3.0).log10() + 1.0),
    );
    let x_of = |v: f64| f64::from(LEFT) + (v.log10() - l0) / (l1 - l0) * f64::from(RIGHT - LEFT);
    let h = 40 + ROW_H * items.len() as i32 + 30;
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (W as u32, h as u32)).into_drawing_area();
        root.fill(&WHITE).map_err(pe)?;
        let text = |size: u32, hp: HPos| {
            TextStyle::from((FONT, size).into_font())
                .color(&BLACK)
                .pos(Pos::new(hp, VPos::Center))
        };
        root.draw(&Text::new(title, (4, 14), text(LEGEND_PX, HPos::Left)))
            .map_err(pe)?;
        let mut y = 36;
        for (name, v) in &items {
            root.draw(&Text::new(
                fit(name, f64::from(LEFT - 12)),
                (LEFT - 8, y + BAR_H / 2),
                text(TICK_PX - 2, HPos::Right),
            ))
            .map_err(pe)?;
            let x = x_of(*v).round() as i32;
            root.draw(&Rectangle::new(
                [(LEFT, y), (x.max(LEFT + 1), y + BAR_H)],
                BAR.filled(),
            ))
            .map_err(pe)?;
            root.draw(&Text::new(
                num(*v),
                (x + 6, y + BAR_H / 2),
                text(TICK_PX - 2, HPos::Left),
            ))
            .map_err(pe)?;
            y += ROW_H;
        }
        root.draw(&Text::new(
            format!("{unit} (log scale) →"),
            ((LEFT + RIGHT) / 2, y + 14),
            text(TICK_PX - 2, HPos::Center),
        ))
        .map_err(pe)?;
        root.present().map_err(pe)?;
    }
    Ok(svg)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_positive_value_gets_a_bar_and_its_figure() {
        let svg = bars(
            "t",
            "requests/s",
            &[
                ("alone".into(), 4000.0),
                ("beside".into(), 40.0),
                ("none".into(), 0.0),
            ],
        )
        .unwrap();
        assert!(svg.contains("4000") && svg.contains("40.0"), "{svg}");
        assert!(svg.contains("alone") && !svg.contains(">none<"));
    }
}
