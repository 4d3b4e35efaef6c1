//! `--export-csv`: one row per cell, for pandas, R or a spreadsheet.
//!
//! The columns are fixed and documented (docs/report.md, "Exports"): the cell's identity
//! first, then its summary figures, each with its unit in its name (`_us`, `_kib`,
//! `_per_s`, `_per_op`; shares are 0–1). Numbers are written in full precision (the
//! shortest text that reads back to the same value); a figure that does not apply or
//! was not measured is an empty field. A failed cell keeps its row, with empty figures
//! and its error. New columns may be added at the end; existing ones keep their place
//! and meaning.

use anyhow::Result;

use super::{Exporter, Input};
use crate::metrics::Summary;
use crate::results::{CellResult, CellStatus};

/// Writes the CSV of [`csv_columns`].
#[derive(Debug, Clone, Copy, Default)]
pub struct CsvExporter;

/// The names of the columns, in order (without the `source` column that comes first
/// when several files were merged).
pub fn csv_columns() -> Vec<&'static str> {
    let mut names: Vec<&str> = IDENTITY.iter().map(|(name, _)| *name).collect();
    names.push("repetitions");
    names.extend(FIGURES.iter().map(|(name, _)| *name));
    names.push("error");
    names
}

/// One identity column: its name and how a cell fills it.
type IdentityColumn = (&'static str, fn(&CellResult) -> String);

/// The identity columns. `interpreter` is the scenario's request (`3.13t`, or a path)
/// for `cpython` cells that name one, empty otherwise; `file_sync` the sync mode of
/// `file` cells, empty otherwise.
const IDENTITY: &[IdentityColumn] = &[
    ("id", |c| c.id.clone()),
    ("runtime", |c| c.cell.runtime.as_str().into()),
    ("model", |c| c.cell.model.as_str().into()),
    ("variant", |c| variant(&c.label, c.cell.model.as_str())),
    ("io", |c| c.cell.io.as_str().into()),
    ("io_fraction", |c| n(c.cell.io_fraction)),
    ("op_time_us", |c| n(c.cell.op_time_us)),
    ("cpu_us", |c| n(c.cell.cpu_us)),
    ("io_us", |c| n(c.cell.io_us)),
    ("concurrency", |c| c.cell.concurrency.to_string()),
    ("gil", |c| {
        c.cell
            .gil
            .map(|g| format!("{g:?}").to_lowercase())
            .unwrap_or_default()
    }),
    ("interpreter", |c| {
        c.cell.interpreter.clone().unwrap_or_default()
    }),
    ("file_sync", |c| {
        c.cell
            .file_sync
            .map(|m| m.as_str().to_string())
            .unwrap_or_default()
    }),
    ("background", |c| {
        c.cell
            .background
            .map(|b| format!("{}{}", b.units, b.model.as_str()))
            .unwrap_or_default()
    }),
    ("switch_interval_us", |c| {
        c.cell.switch_interval_us.map(n).unwrap_or_default()
    }),
    ("counter", |c| {
        c.cell
            .counter
            .map(|f| f.as_str().to_string())
            .unwrap_or_default()
    }),
    ("status", |c| match c.status {
        CellStatus::Ok => "ok".into(),
        CellStatus::Failed => "failed".into(),
    }),
];

/// One figure column: its name and how a summary fills it.
type FigureColumn = (&'static str, fn(&Summary) -> String);

/// The summary figures (medians over the repetitions unless the name says otherwise).
const FIGURES: &[FigureColumn] = &[
    ("ops_per_s", |s| n(s.ops_per_s.median)),
    ("ops_per_s_min", |s| n(s.ops_per_s.min)),
    ("ops_per_s_max", |s| n(s.ops_per_s.max)),
    // (max - min) / median, a share: 0.05 is a 5% spread.
    ("ops_per_s_rel_range", |s| n(s.ops_per_s.rel_range)),
    ("ideal_ops_per_s", |s| n(s.ideal_ops_per_s)),
    // The efficiency the table and report show: at the measured kernel speed where the
    // run measured it, else against the nominal op.
    ("efficiency", |s| n(s.shown_efficiency())),
    ("latency_mean_us", |s| n(s.latency_us.mean)),
    ("latency_p50_us", |s| n(s.latency_us.p50)),
    ("latency_p90_us", |s| n(s.latency_us.p90)),
    ("latency_p99_us", |s| n(s.latency_us.p99)),
    ("latency_p999_us", |s| n(s.latency_us.p999)),
    ("latency_max_us", |s| n(s.latency_us.max)),
    ("ctx_voluntary_per_op", |s| n(s.ctx_voluntary_per_op)),
    ("ctx_involuntary_per_op", |s| n(s.ctx_involuntary_per_op)),
    ("cpu_user_us_per_op", |s| n(s.cpu_user_us_per_op)),
    ("cpu_sys_us_per_op", |s| n(s.cpu_sys_us_per_op)),
    ("max_rss_kib", |s| s.max_rss_kib.to_string()),
    ("model_rss_kib", |s| opt(s.model_rss_kib.map(|k| k as f64))),
    ("kernel_speed", |s| opt(s.kernel_speed)),
    ("server_lateness_p50_us", |s| {
        opt(s.server.map(|v| v.lateness_p50_us))
    }),
];

impl Exporter for CsvExporter {
    fn serialize(&self, input: &Input) -> Result<Vec<u8>> {
        let sourced = input.merged.sources.len() > 1;
        let mut w = ::csv::Writer::from_writer(Vec::new());
        let mut head: Vec<&str> = Vec::new();
        if sourced {
            head.push("source");
        }
        head.extend(csv_columns());
        w.write_record(&head)?;
        for sc in &input.merged.cells {
            let mut row = Vec::with_capacity(head.len());
            if sourced {
                row.push(input.merged.tag_of(sc).to_string());
            }
            row.extend(row_of(&sc.result));
            w.write_record(&row)?;
        }
        Ok(w.into_inner().map_err(|e| e.into_error())?)
    }
}

/// A cell's row, without `source`.
fn row_of(c: &CellResult) -> Vec<String> {
    let mut row: Vec<String> = IDENTITY.iter().map(|(_, f)| f(c)).collect();
    row.push(c.repetitions.len().to_string());
    // A cell without a summary (failed before any repetition) has every figure empty.
    row.extend(
        FIGURES
            .iter()
            .map(|(_, f)| c.summary.as_ref().map(f).unwrap_or_default()),
    );
    row.push(
        c.error
            .as_deref()
            .and_then(|e| e.lines().next())
            .unwrap_or("")
            .to_string(),
    );
    row
}

/// A number in full precision (`{}` prints the shortest text that parses back to it).
fn n(x: f64) -> String {
    format!("{x}")
}

/// An optional figure: empty when absent.
fn opt(x: Option<f64>) -> String {
    x.map(n).unwrap_or_default()
}

/// The variant part of a model label, without the model, the GIL and the sync mode
/// (which have their own columns): `async+offload` → `offload`,
/// `thread cpu=native io=py gil=held` → `cpu=native io=py`; empty for the plain model.
fn variant(label: &str, model: &str) -> String {
    let rest = label.strip_prefix(model).unwrap_or(label);
    rest.split([' ', '+'])
        .filter(|t| !t.is_empty() && !t.starts_with("gil=") && !t.starts_with("sync="))
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn variants_leave_the_model_and_the_gil_out() {
        assert_eq!(variant("async+offload", "async"), "offload");
        assert_eq!(
            variant("thread cpu=native io=py gil=held", "thread"),
            "cpu=native io=py"
        );
        assert_eq!(variant("sequential", "sequential"), "");
        assert_eq!(variant("thread sync=fsync", "thread"), "");
    }
}
