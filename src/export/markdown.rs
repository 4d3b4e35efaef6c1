//! `--export-markdown`: a header naming the machine and the run, then one table per
//! runtime, ready to paste into a pull request or an issue. With `--baseline`, each row
//! also shows new ÷ old with its 95% interval and whether that is a change.
//!
//! Every string from a file (scenario name, description, CPU model, labels, errors) is
//! escaped: a `|` would split a table cell, and `<`, `*`, `_`, `` ` ``, `[` would turn
//! text into markup.

use anyhow::Result;
use std::fmt::Write;

use super::{Exporter, Input};
use crate::report::{model_name, num};
use crate::results::{CellComparison, CellStatus, Comparison, Results, SourcedCell};
use crate::scenario::Runtime;

/// Writes the Markdown document.
#[derive(Debug, Clone, Copy, Default)]
pub struct MarkdownExporter;

/// The table's columns; with a baseline, [`COMPARED`] follow.
const COLUMNS: [&str; 13] = [
    "model",
    "I/O",
    "I/O share",
    "op µs",
    "N",
    "ops/s",
    "±%",
    "eff%",
    "p50 µs",
    "p99 µs",
    "vcsw/op",
    "CPU µs/op",
    "RSS MiB",
];

/// The comparison's columns.
const COMPARED: [&str; 3] = ["new ÷ old", "95% interval", "change"];

impl Exporter for MarkdownExporter {
    fn serialize(&self, input: &Input) -> Result<Vec<u8>> {
        let mut out = String::new();
        let names: Vec<&str> = input
            .files
            .iter()
            .map(|r| r.scenario.name.as_str())
            .collect();
        let _ = writeln!(out, "## spectrum: {}\n", md(&names.join(" + ")));
        for (i, src) in input.merged.sources.iter().enumerate() {
            // A source's header has no cells (merging moved them): count them here.
            let cells: Vec<&SourcedCell> = input
                .merged
                .cells
                .iter()
                .filter(|c| c.source == i)
                .collect();
            header(&mut out, &src.tag, &src.results, &cells);
        }
        if let Some((c, baseline)) = input.comparison {
            let first = c.summary(baseline);
            let first = first.lines().next().unwrap_or_default();
            let _ = writeln!(out, "\n{}", md(first));
        }
        for rt in Runtime::ALL {
            let cells: Vec<&SourcedCell> = input
                .merged
                .cells
                .iter()
                .filter(|c| c.result.cell.runtime == rt && c.result.status == CellStatus::Ok)
                .collect();
            if !cells.is_empty() {
                table(&mut out, rt, &cells, input);
            }
        }
        failed(&mut out, input);
        Ok(out.into_bytes())
    }
}

/// The lines naming one file's machine and run (`cells`: the file's cells).
fn header(out: &mut String, tag: &str, r: &Results, cells: &[&SourcedCell]) {
    let e = &r.environment;
    let tag = if tag.is_empty() {
        String::new()
    } else {
        format!(" ({})", md(tag))
    };
    let mut machine = format!("{}, {} logical cores", md(&e.cpu_model), e.logical_cores);
    if let Some(p) = e.physical_cores {
        let _ = write!(machine, " ({p} physical)");
    }
    let _ = write!(
        machine,
        ", {:.1} GiB, {} {}, {}",
        e.memory_bytes as f64 / f64::from(1u32 << 30),
        md(&e.os),
        md(&e.kernel),
        md(&e.rustc)
    );
    if let Some(py) = &e.python {
        let version = py.version.split_whitespace().next().unwrap_or_default();
        let _ = write!(machine, ", Python {}", md(version));
    }
    if e.busy {
        machine.push_str(" — busy when the run started");
    }
    let ok = cells
        .iter()
        .filter(|c| c.result.status == CellStatus::Ok)
        .count();
    let _ = writeln!(out, "- **Machine{tag}:** {machine}");
    let _ = writeln!(
        out,
        "- **Run{tag}:** scenario {}, {} – {}, {} cells ({ok} measured), {} repetition(s) each{}, spectrum {}",
        md(&r.scenario.name),
        md(&r.run.started_at),
        md(&r.run.finished_at),
        cells.len(),
        r.run.params.repetitions,
        if r.run.interrupted { ", interrupted" } else { "" },
        md(&r.spectrum_version)
    );
}

/// One runtime's table.
fn table(out: &mut String, rt: Runtime, cells: &[&SourcedCell], input: &Input) {
    let compared = input.comparison.map(|(c, _)| c);
    let mut head: Vec<&str> = COLUMNS.to_vec();
    if compared.is_some() {
        head.extend(COMPARED);
    }
    let _ = writeln!(out, "\n### {}\n", rt.as_str());
    let _ = writeln!(out, "| {} |", head.join(" | "));
    // Names left-aligned, numbers right-aligned.
    let align: Vec<&str> = head
        .iter()
        .enumerate()
        .map(|(i, _)| if i < 2 { ":--" } else { "--:" })
        .collect();
    let _ = writeln!(out, "|{}|", align.join("|"));
    for sc in cells {
        let mut row = cells_of(sc, input);
        if let Some(c) = compared {
            row.extend(comparison_cells(c, &input.merged.display_id(sc)));
        }
        let _ = writeln!(out, "| {} |", row.join(" | "));
    }
}

/// A measured cell's columns of [`COLUMNS`].
fn cells_of(sc: &SourcedCell, input: &Input) -> Vec<String> {
    let c = &sc.result;
    let tag = input.merged.tag_of(sc);
    let name = if tag.is_empty() {
        model_name(c)
    } else {
        format!("{tag}: {}", model_name(c))
    };
    let mut row = vec![
        md(&name),
        c.cell.io.as_str().to_string(),
        format!("{}%", crate::report::num_trim(c.cell.io_fraction * 100.0)),
        crate::report::num_trim(c.cell.op_time_us),
        c.cell.concurrency.to_string(),
    ];
    let Some(s) = &c.summary else {
        row.extend(std::iter::repeat_n(
            "—".to_string(),
            COLUMNS.len() - row.len(),
        ));
        return row;
    };
    row.extend([
        num(s.ops_per_s.median),
        format!("{:.1}", s.ops_per_s.rel_range * 100.0),
        format!("{:.0}", s.shown_efficiency() * 100.0),
        num(s.latency_us.p50),
        num(s.latency_us.p99),
        num(s.ctx_voluntary_per_op),
        num(s.cpu_user_us_per_op + s.cpu_sys_us_per_op),
        format!(
            "{:.1}",
            s.model_rss_kib.unwrap_or(s.max_rss_kib) as f64 / 1024.0
        ),
    ]);
    row
}

/// The comparison's columns for the cell shown as `id`.
fn comparison_cells(c: &Comparison, id: &str) -> [String; 3] {
    let Some(cc) = c.cells.iter().find(|x| x.id == id) else {
        let why = if c.only_new.iter().any(|x| x == id) {
            "not in the baseline"
        } else {
            "—"
        };
        return ["—".into(), "—".into(), why.into()];
    };
    let j = cc.judged();
    [
        format!("{}×{}", num(j.estimate), basis(cc)),
        format!("{}–{}×", num(j.low), num(j.high)),
        cc.change.describe().to_string(),
    ]
}

/// " (normalised)" when the change was judged on efficiency at the measured speed.
fn basis(cc: &CellComparison) -> &'static str {
    match cc.basis {
        crate::results::Basis::Normalised => " (normalised)",
        crate::results::Basis::Raw => "",
    }
}

/// The failed cells, each with the first line of its error.
fn failed(out: &mut String, input: &Input) {
    let failed: Vec<&SourcedCell> = input
        .merged
        .cells
        .iter()
        .filter(|c| c.result.status == CellStatus::Failed)
        .collect();
    if failed.is_empty() {
        return;
    }
    let _ = writeln!(out, "\n### Failed cells\n");
    for sc in failed {
        let why = sc.result.error.as_deref().unwrap_or("no reason recorded");
        let _ = writeln!(
            out,
            "- {}: {}",
            md(&input.merged.display_id(sc)),
            md(why.lines().next().unwrap_or_default())
        );
    }
}

/// `s` safe inside a Markdown table cell: control characters made visible, line breaks
/// as spaces, and every character that Markdown or HTML would read as markup
/// backslash-escaped (CommonMark allows a backslash before any ASCII punctuation; GitHub
/// reads `\|` inside a table as a literal pipe).
pub(crate) fn md(s: &str) -> String {
    let one_line = s.replace(['\n', '\r'], " ");
    let safe = crate::text::escape(&one_line);
    let mut out = String::with_capacity(safe.len());
    for ch in safe.chars() {
        if matches!(
            ch,
            '\\' | '|' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '#' | '~' | '&'
        ) {
            out.push('\\');
        }
        out.push(ch);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pipes_and_markup_are_escaped() {
        assert_eq!(md("a|b"), "a\\|b");
        assert_eq!(md("<script>*x*"), "\\<script\\>\\*x\\*");
        assert_eq!(md("two\nlines"), "two lines");
        assert_eq!(md("rust/thread,cpu=py/f0.50"), "rust/thread,cpu=py/f0.50");
    }
}
