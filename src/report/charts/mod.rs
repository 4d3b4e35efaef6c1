//! The report's charts, one file each, all rendered with plotters' SVG backend into
//! strings that the page inlines. Every chart returns its SVG panels *and* the table of
//! the exact numbers it drew, so each point can be traced to `results.json`.

pub(crate) mod bars;
mod costs;
mod cpu;
mod draw;
mod gil;
mod glance;
mod io_end;
mod latency;
mod memory;
pub(crate) mod palette;
mod spectrum;
mod switches;
mod ticks;
pub(crate) mod timeline;

pub(crate) use costs::cost_bars;
pub(crate) use gil::{speedups, Speedup};
pub(crate) use glance::render as glance_svg;
pub(crate) use memory::{slopes, Slope};

use anyhow::Result;

use super::data::Row;

/// The numbers behind a chart, as text cells (escaped when written into the page).
#[derive(Debug, Clone, Default)]
pub(crate) struct Table {
    /// Column headings, with units.
    pub head: Vec<String>,
    /// One row per drawn point.
    pub rows: Vec<Vec<String>>,
}

/// A rendered chart: zero or more SVG panels and the table behind them.
#[derive(Debug, Clone, Default)]
pub(crate) struct Figure {
    /// Inline SVG documents, one per panel.
    pub svgs: Vec<String>,
    /// Every number drawn.
    pub table: Table,
}

impl Figure {
    /// A figure with no panel yet and an empty table under `head`.
    pub(crate) fn with_head(head: Vec<String>) -> Figure {
        Figure {
            table: Table {
                head,
                rows: Vec::new(),
            },
            ..Figure::default()
        }
    }
}

/// Which chart.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    /// Efficiency against the I/O share, with the best-model band.
    Spectrum,
    /// Context switches per op.
    Switches,
    /// Latency p50 and p99.
    Latency,
    /// CPU per op, user and system.
    Cpu,
    /// Peak RSS against concurrency.
    Memory,
    /// GIL held vs released beside Rust.
    Gil,
    /// Threads against async tasks at the I/O end, as N grows.
    IoEnd,
}

impl Kind {
    /// Every chart, in page order.
    pub const ALL: [Kind; 7] = [
        Kind::Spectrum,
        Kind::Switches,
        Kind::Latency,
        Kind::Cpu,
        Kind::Memory,
        Kind::Gil,
        Kind::IoEnd,
    ];

    /// The HTML anchor.
    pub fn id(self) -> &'static str {
        match self {
            Kind::Spectrum => "spectrum",
            Kind::Switches => "switches",
            Kind::Latency => "latency",
            Kind::Cpu => "cpu",
            Kind::Memory => "memory",
            Kind::Gil => "gil",
            Kind::IoEnd => "io-end",
        }
    }

    /// The section title.
    pub fn title(self) -> &'static str {
        match self {
            Kind::Spectrum => "1. The spectrum: efficiency against the I/O share",
            Kind::Switches => "2. Context switches per op",
            Kind::Latency => "3. Latency: p50 and p99",
            Kind::Cpu => "4. CPU time per op: user and system",
            Kind::Memory => "5. Memory per unit: the model's memory against concurrency",
            Kind::Gil => "6. The GIL: held vs released, beside native Rust",
            Kind::IoEnd => "7. The I/O end as N grows: threads against async tasks",
        }
    }

    /// True for the charts that draw one panel per concurrency (capped by
    /// `data::chart_groups`).
    pub fn by_concurrency(self) -> bool {
        matches!(
            self,
            Kind::Spectrum | Kind::Switches | Kind::Latency | Kind::Cpu
        )
    }

    /// Renders this chart from the measured rows.
    pub fn render(self, rows: &[Row]) -> Result<Figure> {
        match self {
            Kind::Spectrum => spectrum::render(rows),
            Kind::Switches => switches::render(rows),
            Kind::Latency => latency::render(rows),
            Kind::Cpu => cpu::render(rows),
            Kind::Memory => memory::render(rows),
            Kind::Gil => gil::render(rows),
            Kind::IoEnd => io_end::render(rows),
        }
    }
}

/// Width of one plot, pixels: two side by side fill 780, which an 800-pixel window
/// shows at nearly full size (the SVG scales with the page through CSS).
pub(crate) const PLOT_W: u32 = 390;
/// Height of a panel, pixels.
pub(crate) const PLOT_H: u32 = 380;

/// The I/O share in percent, the x of most charts.
pub(crate) fn pct(f: f64) -> f64 {
    f * 100.0
}

/// Two side-by-side plots of a per-op figure against the I/O share, one panel per
/// group: the shape shared by the switches, latency and CPU charts.
pub(crate) fn pair_by_fraction(
    rows: &[Row],
    titles: [&str; 2],
    y: draw::Axis,
    values: &dyn Fn(&Row) -> [f64; 2],
) -> Result<Vec<String>> {
    let mut svgs = Vec::new();
    for g in super::data::chart_groups(rows).0 {
        let plots: Vec<draw::Plot> = (0..2)
            .map(|k| draw::Plot {
                title: format!("{} — {}", titles[k], g.title()),
                x: draw::Axis::share(),
                y: y.clone(),
                y_at_least: None,
                lines: g
                    .series()
                    .into_iter()
                    .map(|(label, pts)| draw::Line {
                        label,
                        points: pts
                            .iter()
                            .map(|r| (pct(r.cell.io_fraction), values(r)[k]))
                            .collect(),
                    })
                    .collect(),
                band: None,
            })
            .collect();
        svgs.push(draw::render(&plots, PLOT_W, PLOT_H)?);
    }
    Ok(svgs)
}

/// The identifying columns every table starts with.
pub(crate) fn ident_head() -> Vec<String> {
    ["runtime", "model", "I/O share", "N"]
        .map(String::from)
        .to_vec()
}

/// The identifying cells of a row (runtime with its file tag, label, I/O share, N).
pub(crate) fn ident(r: &Row) -> Vec<String> {
    let rt = if r.tag.is_empty() {
        r.cell.runtime.as_str().to_string()
    } else {
        format!("{} ({})", r.cell.runtime.as_str(), r.tag)
    };
    // A cell whose speed checks left the calibration's is marked, as the banner says.
    let mark = if crate::metrics::drift::worst(&r.result.repetitions).is_some() {
        " ⚠"
    } else {
        ""
    };
    vec![
        rt,
        format!("{}{mark}", r.label()),
        format!("{:.0}%", pct(r.cell.io_fraction)),
        r.cell.concurrency.to_string(),
    ]
}
