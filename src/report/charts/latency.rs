//! Chart 3: per-op latency, p50 and p99 in separate plots, against the I/O share, on a
//! log scale; one panel per runtime and concurrency (so each concurrency of the sweep
//! gets its own pair).

use anyhow::Result;

use super::draw::Axis;
use super::{ident, ident_head, pair_by_fraction, Figure, Table};
use crate::report::data::{num, Row};

/// Renders chart 3.
pub(crate) fn render(rows: &[Row]) -> Result<Figure> {
    let svgs = pair_by_fraction(
        rows,
        ["Latency p50", "Latency p99"],
        Axis::log_us("per-op latency (log)"),
        &|r| [r.s.latency_us.p50, r.s.latency_us.p99],
    )?;
    let mut head = ident_head();
    head.extend(["p50 µs", "p90 µs", "p99 µs", "p99.9 µs", "max µs"].map(String::from));
    let rows = rows
        .iter()
        .map(|r| {
            let l = &r.s.latency_us;
            let mut row = ident(r);
            row.extend([l.p50, l.p90, l.p99, l.p999, l.max].map(num));
            row
        })
        .collect();
    Ok(Figure {
        svgs,
        table: Table { head, rows },
    })
}
