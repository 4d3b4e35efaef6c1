//! Chart 7: the I/O end as N grows — threads against async tasks at the sweep's highest
//! I/O share, x = the number of workers (log): efficiency and p99 in one panel,
//! switches and system time per op in the other, per runtime. One series per model, op
//! length and I/O kind, so `tcp` (socket readiness) and `sleep` (timers) are told apart.
//! The table adds the delay server's side of each `tcp` cell: how late its replies went
//! out and what it cost (the far end of the network, not the model's cost).

use anyhow::Result;

use super::draw::{render as draw, Axis, Line, Plot};
use super::{ident, ident_head, Figure, PLOT_H, PLOT_W};
use crate::report::data::{groups, num, series, Row};
use crate::scenario::{AsyncCpu, Impl, ModelKind};

/// The rows of a panel drawn here: thread and async (CPU inline, I/O not native) at the
/// panel's highest I/O share.
fn io_end<'a>(rows: &[Row<'a>]) -> Vec<Row<'a>> {
    let top = rows
        .iter()
        .map(|r| r.cell.io_fraction)
        .fold(f64::NEG_INFINITY, f64::max);
    rows.iter()
        .filter(|r| r.cell.io_fraction == top && top > 0.0)
        .filter(|r| matches!(r.cell.model, ModelKind::Thread | ModelKind::Async))
        .filter(|r| r.cell.async_cpu != Some(AsyncCpu::Offload))
        .filter(|r| r.cell.io_impl != Some(Impl::Native) && r.cell.cpu_impl != Some(Impl::Native))
        .copied()
        .collect()
}

/// One plot of chart 7: its title, y axis and the figure it draws of a row.
type Figure7<'f> = (&'f str, Axis, &'f dyn Fn(&Row) -> f64);

/// Renders chart 7.
pub(crate) fn render(rows: &[Row]) -> Result<Figure> {
    let mut head = ident_head();
    head.extend(
        [
            "I/O kind",
            "op",
            "efficiency",
            "p99 µs",
            "switches / op",
            "sys µs / op",
            "server lateness p50 µs",
            "p99 µs",
            "server CPU µs / op",
        ]
        .map(String::from),
    );
    let mut fig = Figure::with_head(head);
    for g in groups(rows, false) {
        let at_end = io_end(&g.rows);
        if at_end.is_empty() {
            continue;
        }
        let figures: [Figure7; 4] = [
            (
                "Efficiency",
                Axis::linear("efficiency (measured / ideal bound)"),
                &|r| r.s.shown_efficiency(),
            ),
            ("p99 latency", Axis::log_us("p99 per op (log)"), &|r| {
                r.s.latency_us.p99
            }),
            (
                "Context switches",
                Axis::log("voluntary + involuntary per op (log)"),
                &|r| r.s.ctx_voluntary_per_op + r.s.ctx_involuntary_per_op,
            ),
            (
                "System time",
                Axis::log_us("system CPU per op (log)"),
                &|r| r.s.cpu_sys_us_per_op,
            ),
        ];
        let lines_of = |value: &dyn Fn(&Row) -> f64| -> Vec<Line> {
            let mut by_n = at_end.clone();
            by_n.sort_by_key(|r| r.cell.concurrency);
            series(&by_n)
                .into_iter()
                .map(|(name, pts)| {
                    let mut points: Vec<(f64, f64)> = pts
                        .iter()
                        .map(|r| (f64::from(r.cell.concurrency), value(r)))
                        .collect();
                    points.sort_by(|a, b| a.0.total_cmp(&b.0));
                    Line {
                        label: name,
                        points,
                    }
                })
                .collect()
        };
        for pair in figures.chunks(2) {
            let plots: Vec<Plot> = pair
                .iter()
                .map(|(title, y, value)| Plot {
                    title: format!(
                        "{title} — {} at {:.0}% I/O",
                        g.title(),
                        at_end[0].cell.io_fraction * 100.0
                    ),
                    x: Axis::log("workers N: threads or tasks (log)"),
                    y: y.clone(),
                    y_at_least: (*title == "Efficiency").then_some(1.0),
                    lines: lines_of(*value),
                    band: None,
                })
                .collect();
            fig.svgs.push(draw(&plots, PLOT_W, PLOT_H)?);
        }
        for r in &at_end {
            let mut row = ident(r);
            let server = r.s.server;
            row.extend([
                r.cell.io.as_str().to_string(),
                crate::report::data::show_us(r.cell.op_time_us),
                num(r.s.shown_efficiency()),
                num(r.s.latency_us.p99),
                num(r.s.ctx_voluntary_per_op + r.s.ctx_involuntary_per_op),
                num(r.s.cpu_sys_us_per_op),
                server.map_or("—".into(), |s| num(s.lateness_p50_us)),
                server.map_or("—".into(), |s| num(s.lateness_p99_us)),
                server.map_or("—".into(), |s| num(s.user_us_per_op + s.sys_us_per_op)),
            ]);
            fig.table.rows.push(row);
        }
    }
    Ok(fig)
}
