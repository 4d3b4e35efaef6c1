//! Chart 4: CPU time per op, user and system in separate plots, against the I/O share,
//! on a log scale; one panel per runtime and concurrency. User time is the op's own
//! work plus the model's bookkeeping; system time is the kernel's share (switches,
//! timers, wake-ups), where threads and async part ways at the I/O end.

use anyhow::Result;

use super::draw::Axis;
use super::{ident, ident_head, pair_by_fraction, Figure, Table};
use crate::report::data::{num, Row};

/// Renders chart 4.
pub(crate) fn render(rows: &[Row]) -> Result<Figure> {
    let svgs = pair_by_fraction(
        rows,
        ["User CPU", "System CPU"],
        Axis::log_us("CPU time per op (log)"),
        &|r| [r.s.cpu_user_us_per_op, r.s.cpu_sys_us_per_op],
    )?;
    let mut head = ident_head();
    head.extend(
        [
            "user µs / op",
            "system µs / op",
            "user s (window)",
            "system s (window)",
        ]
        .map(String::from),
    );
    let rows = rows
        .iter()
        .map(|r| {
            let mut row = ident(r);
            row.extend(
                [
                    r.s.cpu_user_us_per_op,
                    r.s.cpu_sys_us_per_op,
                    r.s.cpu_user_s,
                    r.s.cpu_sys_s,
                ]
                .map(num),
            );
            row
        })
        .collect();
    Ok(Figure {
        svgs,
        table: Table { head, rows },
    })
}
