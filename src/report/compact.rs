//! The default terminal summary of a run: a table that fits [`WIDTH`] columns.
//!
//! It keeps the columns that carry the lesson — throughput, efficiency against the ideal
//! bound, voluntary switches and CPU per op, then the tail latency and memory — and
//! leaves the last of those out, saying so, when the model names are long enough to
//! push the row past the width. Rows are grouped by runtime; the I/O kind and op length
//! are columns only when they vary (otherwise the runtime's line names them). Nothing is
//! cut: a marked cell's mark is explained in one legend line, and `--wide` (the table of
//! `terminal.rs`) lists every column and names every marked cell.

use std::fmt::Write;

use super::caveats::{measured, Marks};
use super::data::{num, num_trim, show_us};
use super::model_name;
use super::terminal::{push_row, push_tail};
use crate::metrics::Summary;
use crate::results::{CellResult, Results};
use crate::scenario::Runtime;

/// The width the table fits by default.
pub const WIDTH: usize = 100;

/// A figure column: header and value. Ordered by how much of the lesson it carries; the
/// first [`KEPT`] are never left out.
type Figure = (&'static str, fn(&Summary) -> String);

const FIGURES: [Figure; 6] = [
    ("ops/s", |s| num(s.ops_per_s.median)),
    ("eff%", |s| format!("{:.0}", s.shown_efficiency() * 100.0)),
    ("vcsw/op", |s| num(s.ctx_voluntary_per_op)),
    ("CPU µs/op", |s| {
        num(s.cpu_user_us_per_op + s.cpu_sys_us_per_op)
    }),
    ("p99 µs", |s| num(s.latency_us.p99)),
    ("RSS MiB", |s| {
        format!(
            "{:.1}",
            s.model_rss_kib.unwrap_or(s.max_rss_kib) as f64 / 1024.0
        )
    }),
];

/// Figure columns always shown, however long the names.
const KEPT: usize = 2;

/// The compact summary of `results` (no trailing newline).
pub fn compact_table(results: &Results) -> String {
    let measured = measured(results);
    let mut out = String::new();
    if !measured.is_empty() {
        table(&mut out, &measured);
    }
    push_tail(&mut out, results);
    // The failed cells' errors and the switch costs may run past the width.
    super::closing::wrap(&out, WIDTH)
}

/// The table, its legend and the note of the columns left out.
fn table(out: &mut String, measured: &[(&CellResult, Summary)]) {
    let varies = |f: &dyn Fn(&CellResult) -> String| {
        let first = f(measured[0].0);
        measured.iter().any(|(c, _)| f(c) != first)
    };
    let io_kind = |c: &CellResult| c.cell.io.as_str().to_string();
    let op = |c: &CellResult| show_us(c.cell.op_time_us);
    let (show_io, show_op) = (varies(&io_kind), varies(&op));

    let mut head: Vec<String> = vec!["model".into()];
    if show_io {
        head.push("I/O by".into());
    }
    if show_op {
        head.push("op".into());
    }
    head.extend(["I/O".into(), "N".into()]);
    let ids = head.len();
    head.extend(FIGURES.iter().map(|(h, _)| h.to_string()));

    let mut used = [false; 3];
    let mut sections: Vec<(String, Vec<Vec<String>>)> = Vec::new();
    for rt in Runtime::ALL {
        let mut rows = Vec::new();
        for (c, s) in measured.iter().filter(|(c, _)| c.cell.runtime == rt) {
            let marks = Marks::of(c, s);
            for (u, on) in
                used.iter_mut()
                    .zip([marks.drift.is_some(), marks.limited, marks.suspect])
            {
                *u |= on;
            }
            let mut row = vec![format!("{}{}", model_name(c), marks.text())];
            if show_io {
                row.push(io_kind(c));
            }
            if show_op {
                row.push(op(c));
            }
            row.push(format!("{}%", num_trim(c.cell.io_fraction * 100.0)));
            row.push(c.cell.concurrency.to_string());
            row.extend(FIGURES.iter().map(|(_, f)| f(s)));
            rows.push(row);
        }
        if rows.is_empty() {
            continue;
        }
        let mut title = rt.as_str().to_string();
        if !show_io {
            let _ = write!(title, " · I/O by {}", io_kind(measured[0].0));
        }
        if !show_op {
            let _ = write!(title, " · {} ops", op(measured[0].0));
        }
        sections.push((title, rows));
    }

    // Widths, then leave out the last figure columns until the row fits.
    let mut widths: Vec<usize> = head.iter().map(|h| h.chars().count()).collect();
    for (_, rows) in &sections {
        for row in rows {
            for (w, cell) in widths.iter_mut().zip(row) {
                *w = (*w).max(cell.chars().count());
            }
        }
    }
    let total = |n: usize| widths[..n].iter().sum::<usize>() + 2 * (n - 1);
    let mut shown = head.len();
    while shown > ids + KEPT && total(shown) > WIDTH {
        shown -= 1;
    }

    push_row(out, &head[..shown], &widths[..shown]);
    let rule: Vec<String> = widths[..shown].iter().map(|&w| "─".repeat(w)).collect();
    out.push_str(&rule.join("  "));
    out.push('\n');
    for (title, rows) in &sections {
        out.push_str(title);
        out.push('\n');
        for row in rows {
            push_row(out, &row[..shown], &widths[..shown]);
        }
    }
    legend(out, used, &head[shown..]);
}

/// One line per mark used and one for the columns left out.
fn legend(out: &mut String, used: [bool; 3], left_out: &[String]) {
    let explained = [
        "* the machine's speed drifted around the cell (docs/noise.md)",
        "^ the delay server fell behind: the cell measured the far end",
        "! above the ideal bound: a measurement problem, not a faster model",
    ];
    let lines: Vec<&str> = explained
        .iter()
        .zip(used)
        .filter_map(|(text, on)| on.then_some(*text))
        .collect();
    if lines.is_empty() && left_out.is_empty() {
        return;
    }
    out.push('\n');
    for l in lines {
        out.push_str(l);
        out.push('\n');
    }
    if !left_out.is_empty() {
        let _ = writeln!(
            out,
            "(left out to fit {WIDTH} columns: {}; --wide shows every column)",
            left_out.join(", ")
        );
    } else {
        let _ = writeln!(
            out,
            "(--wide names each marked cell and shows every column)"
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Five cells of the synthetic fixture, with the longest model name of a default
    /// sweep, a drifting cell and the failed one; no probes.
    fn results() -> Results {
        let mut r: Results =
            serde_json::from_str(include_str!("../../tests/fixtures/fixture-results.json"))
                .unwrap();
        let keep = [
            "rust/sequential/sleep/f0.00/op1000/c1",
            "rust/thread/sleep/f0.50/op1000/c64",
            "rust/async+offload/sleep/f0.50/op1000/c2",
            "python/thread,cpu=native,io=native,gil=released/sleep/f0.00/op1000/c64",
        ];
        r.cells.retain(|c| {
            keep.contains(&c.id.as_str()) || c.status == crate::results::CellStatus::Failed
        });
        r.probes = None;
        for m in &mut r.cells[1].repetitions {
            m.kernel_speed_after = Some(0.6);
        }
        r
    }

    fn widest(text: &str) -> usize {
        text.lines().map(|l| l.chars().count()).max().unwrap_or(0)
    }

    #[test]
    fn snapshot_at_100_columns() {
        let t = compact_table(&results());
        let want = "\
model                           I/O   N  ops/s  eff%  vcsw/op  CPU µs/op  p99 µs  RSS MiB
──────────────────────────────  ───  ──  ─────  ────  ───────  ─────────  ──────  ───────
rust · I/O by sleep · 1 ms ops
sequential                       0%   1    980    98   0.0500       1021    1224      2.9
threads *                       50%  64   3720    93    0.550        516   20645      4.8
tokio+offload                   50%   2   1800    90    0.130        512    1444      2.9
python · I/O by sleep · 1 ms ops
threads (native), GIL released   0%  64   1860    93     2.00       1024   41290     12.5

* the machine's speed drifted around the cell (docs/noise.md)
(--wide names each marked cell and shows every column)

1 failed cell(s):
  python/process,cpu=py,io=py/sleep/f0.50/op1000/c64: worker 3 exited: Traceback (most recent call
      last):";
        assert_eq!(t, want);
        assert!(widest(&t) <= WIDTH);
    }

    #[test]
    fn long_names_leave_the_last_figures_out_and_say_so() {
        let mut r = results();
        // A model word the names do not know passes through whole.
        r.cells[0].label = "x".repeat(56);
        let t = compact_table(&r);
        assert!(widest(&t) <= WIDTH, "{t}");
        assert!(
            t.contains("(left out to fit 100 columns: p99 µs, RSS MiB; --wide shows every column)"),
            "{t}"
        );
        // The name itself is never cut.
        assert!(t.contains(&r.cells[0].label), "{t}");
        assert!(t.lines().next().unwrap().ends_with("CPU µs/op"), "{t}");
    }
}
