//! Chart 2: context switches per op against the I/O share, voluntary (the thread
//! blocked: sleep, lock, GIL, futex) and involuntary (preempted) in separate plots, on a
//! log scale; one panel per runtime and concurrency.

use anyhow::Result;

use super::draw::Axis;
use super::{ident, ident_head, pair_by_fraction, Figure, Table};
use crate::report::data::{num, Row};

/// Renders chart 2.
pub(crate) fn render(rows: &[Row]) -> Result<Figure> {
    let svgs = pair_by_fraction(
        rows,
        ["Voluntary switches", "Involuntary switches"],
        Axis::log("context switches per op (log)"),
        &|r| [r.s.ctx_voluntary_per_op, r.s.ctx_involuntary_per_op],
    )?;
    let mut head = ident_head();
    head.extend(["voluntary / op", "involuntary / op"].map(String::from));
    let rows = rows
        .iter()
        .map(|r| {
            let mut row = ident(r);
            row.extend([
                num(r.s.ctx_voluntary_per_op),
                num(r.s.ctx_involuntary_per_op),
            ]);
            row
        })
        .collect();
    Ok(Figure {
        svgs,
        table: Table { head, rows },
    })
}
