//! The wide terminal summary table of a run (`spectrum run --wide`): one row per cell
//! with every column, aligned, units in the headers; each marked and each failed cell
//! named below. The default, narrower table is `compact.rs`.

use super::caveats::Marks;
use super::data::num;
use crate::metrics::drift;
use crate::results::{CellStatus, Results};

/// Column headers; the first column is left-aligned, the rest right-aligned.
const HEADERS: [&str; 11] = [
    "cell",
    "ops/s",
    "±%",
    "eff%",
    "p50 µs",
    "p99 µs",
    "vcsw/op",
    "ivcsw/op",
    "usr µs/op",
    "sys µs/op",
    "RSS MiB",
];

/// Renders the summary table of `results` (no trailing newline after the last line).
pub fn summary_table(results: &Results) -> String {
    let mut rows: Vec<[String; 11]> = Vec::new();
    let mut drifting = Vec::new();
    let mut suspect = Vec::new();
    let mut limited = Vec::new();
    for c in &results.cells {
        let Some(s) = c.summary.filter(|_| c.status == CellStatus::Ok) else {
            continue;
        };
        // A marked cell is named in a footnote under the table: a drifting one, a tcp
        // one whose delay server fell behind (it measured the server), one above the
        // ideal bound by more than the measurement explains.
        let marks = Marks::of(c, &s);
        if let Some(r) = marks.drift {
            drifting.push(format!("  {}: {}\n", c.id, drift::note(r)));
        }
        if let Some(sv) = s.server.filter(|_| marks.limited) {
            limited.push(format!(
                "  {}: the server's replies went out {:.0} µs late at p50\n",
                c.id, sv.lateness_p50_us
            ));
        }
        if marks.suspect {
            suspect.push(format!(
                "  {}: {:.0}% of the ideal bound\n",
                c.id,
                s.shown_efficiency() * 100.0
            ));
        }
        let mark = marks.text();
        rows.push([
            format!("{}{mark}", c.id),
            num(s.ops_per_s.median),
            format!("{:.1}", s.ops_per_s.rel_range * 100.0),
            format!("{:.0}", s.shown_efficiency() * 100.0),
            num(s.latency_us.p50),
            num(s.latency_us.p99),
            num(s.ctx_voluntary_per_op),
            num(s.ctx_involuntary_per_op),
            num(s.cpu_user_us_per_op),
            num(s.cpu_sys_us_per_op),
            format!(
                "{:.1}",
                s.model_rss_kib.unwrap_or(s.max_rss_kib) as f64 / 1024.0
            ),
        ]);
    }
    let mut out = String::new();
    if !rows.is_empty() {
        let mut widths = HEADERS.map(|h| h.chars().count());
        for row in &rows {
            for (w, cell) in widths.iter_mut().zip(row) {
                *w = (*w).max(cell.chars().count());
            }
        }
        let headers = HEADERS.map(str::to_string);
        push_row(&mut out, &headers, &widths);
        let rule: Vec<String> = widths.iter().map(|&w| "─".repeat(w)).collect();
        out.push_str(&rule.join("  "));
        out.push('\n');
        for row in &rows {
            push_row(&mut out, row, &widths);
        }
    }
    if !drifting.is_empty() {
        out.push_str(&format!(
            "\n* the kernel's speed check left {:.2}–{:.2}× the calibration around these cells' windows (docs/noise.md):\n",
            drift::LOW,
            drift::HIGH
        ));
        out.extend(drifting);
    }
    if !limited.is_empty() {
        out.push_str(&format!(
            "\n^ the delay server fell behind (its replies later than {:.0}% of the I/O half at p50): these cells measured the far end, not the model; the verdicts leave them out:\n",
            crate::metrics::SERVER_LIMITED_SHARE * 100.0
        ));
        out.extend(limited);
    }
    if !suspect.is_empty() {
        out.push_str(&format!(
            "\n! efficiency above the ideal bound by more than the {:.0}% the measurement explains: a measurement problem, not a faster model (docs/noise.md):\n",
            crate::metrics::EFFICIENCY_TOLERANCE * 100.0
        ));
        out.extend(suspect);
    }
    push_tail(&mut out, results);
    out
}

/// What both tables end with: the failed cells with the first line of their error, a
/// note when the run was interrupted, and the switch and spawn costs. Trims `out`.
pub(crate) fn push_tail(out: &mut String, results: &Results) {
    let failed: Vec<_> = results
        .cells
        .iter()
        .filter(|c| c.status == CellStatus::Failed)
        .collect();
    if !failed.is_empty() {
        if !out.is_empty() {
            out.push('\n');
        }
        out.push_str(&format!("{} failed cell(s):\n", failed.len()));
        for c in failed {
            let why = c.error.as_deref().unwrap_or("no reason recorded");
            let first = why.lines().next().unwrap_or("");
            out.push_str(&format!("  {}: {first}\n", c.id));
        }
    }
    if results.run.interrupted {
        out.push_str("(interrupted: only the cells above finished)\n");
    }
    if out.is_empty() {
        out.push_str("no cells\n");
    }
    if let Some(p) = &results.probes {
        out.push('\n');
        out.push_str(&super::terminal_block(p));
    }
    out.truncate(out.trim_end().len());
}

/// One aligned row: the first column left-aligned, the others right-aligned, two spaces
/// apart.
pub(crate) fn push_row(out: &mut String, row: &[String], widths: &[usize]) {
    let mut line = String::new();
    for (i, (cell, &w)) in row.iter().zip(widths).enumerate() {
        let pad = w.saturating_sub(cell.chars().count());
        if i == 0 {
            line.push_str(cell);
            line.push_str(&" ".repeat(pad));
        } else {
            line.push_str("  ");
            line.push_str(&" ".repeat(pad));
            line.push_str(cell);
        }
    }
    out.push_str(line.trim_end());
    out.push('\n');
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::metrics::{Environment, LatencySummary, Spread, Summary};
    use crate::results::{CellResult, RunRecord, ScenarioRecord, SCHEMA};
    use crate::scenario::{Budget, Cell, ModelKind, RunParams, Runtime};

    fn cell(model: ModelKind) -> Cell {
        Cell::sleep_op(Runtime::Rust, model, 500.0, 500.0, 2)
    }

    fn results() -> Results {
        let ok = cell(ModelKind::Thread);
        let bad = cell(ModelKind::Process);
        let summary = Summary {
            ops_per_s: Spread {
                median: 1934.2,
                min: 1900.0,
                max: 1950.0,
                rel_range: 0.0259,
            },
            latency_us: LatencySummary {
                p50: 1003.5,
                p99: 1480.0,
                ..LatencySummary::default()
            },
            ctx_voluntary_per_op: 2.04,
            ctx_involuntary_per_op: 0.012,
            cpu_user_us_per_op: 498.0,
            cpu_sys_us_per_op: 12.5,
            max_rss_kib: 3072,
            ideal_ops_per_s: 2000.0,
            efficiency: 0.967,
            ..Summary::default()
        };
        Results {
            schema: SCHEMA.into(),
            spectrum_version: "0".into(),
            scenario: ScenarioRecord::default(),
            environment: Environment::default(),
            calibration: Default::default(),
            calibration_end: Default::default(),
            run: RunRecord {
                started_at: String::new(),
                finished_at: String::new(),
                interrupted: false,
                interleaved: false,
                command: vec![],
                params: RunParams {
                    budget: Budget::Ops(10),
                    repetitions: 1,
                    warmup: 0.0,
                    timeout_s: 1.0,
                    timeline: 0,
                },
            },
            notes: vec![],
            probes: None,
            cells: vec![
                CellResult {
                    id: ok.id(),
                    label: ok.model_label(),
                    cell: ok,
                    status: CellStatus::Ok,
                    error: None,
                    repetitions: vec![],
                    summary: Some(summary),
                },
                CellResult {
                    id: bad.id(),
                    label: bad.model_label(),
                    cell: bad,
                    status: CellStatus::Failed,
                    error: Some("repetition 1/1: the child exited with code 1\nstderr".into()),
                    repetitions: vec![],
                    summary: None,
                },
            ],
        }
    }

    #[test]
    fn table_snapshot() {
        let want = "\
cell                               ops/s   ±%  eff%  p50 µs  p99 µs  vcsw/op  ivcsw/op  usr µs/op  sys µs/op  RSS MiB
─────────────────────────────────  ─────  ───  ────  ──────  ──────  ───────  ────────  ─────────  ─────────  ───────
rust/thread/sleep/f0.50/op1000/c2   1934  2.6    97    1004    1480     2.04    0.0120        498       12.5      3.0

1 failed cell(s):
  rust/process/sleep/f0.50/op1000/c2: repetition 1/1: the child exited with code 1";
        assert_eq!(summary_table(&results()), want);
    }

    #[test]
    fn a_drifting_cell_is_marked_and_named_below() {
        let mut r = results();
        r.cells[0].repetitions = vec![crate::metrics::Measurement {
            kernel_speed_before: Some(1.0),
            kernel_speed_after: Some(0.56),
            ..Default::default()
        }];
        let t = summary_table(&r);
        assert!(t.contains("rust/thread/sleep/f0.50/op1000/c2 *  "), "{t}");
        assert!(
            t.contains("  rust/thread/sleep/f0.50/op1000/c2: the kernel ran at 0.56× the calibrated speed: the machine was slower during this cell"),
            "{t}"
        );
    }
}
