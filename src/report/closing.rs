//! What `spectrum run` prints when it ends: the summary table (compact, or `--wide`),
//! then a closing block of a few lines — the verdicts, the caveat that touches the most
//! cells, and where the report, the results and the exports are.

use std::path::{Path, PathBuf};

use super::caveats::caveats;
use super::compact::{compact_table, WIDTH};
use super::terminal::summary_table;
use crate::results::Results;
use crate::text;

/// The files a run wrote, for the closing block's last lines.
#[derive(Debug, Clone, Default)]
pub struct Written<'a> {
    /// The HTML report, when it was rendered.
    pub report: Option<&'a Path>,
    /// `results.json`.
    pub results: Option<&'a Path>,
    /// The exports (`--export-csv`, ...), in the order written.
    pub exports: &'a [PathBuf],
}

/// The end of a run: the table, then the closing block. Compact (lines wrapped to fit
/// [`WIDTH`] columns) unless `wide`, which also lists every caveat.
pub fn run_summary(results: &Results, written: &Written, wide: bool) -> String {
    let table = if wide {
        summary_table(results)
    } else {
        compact_table(results)
    };
    let mut out = format!(
        "{table}\n\n{}",
        super::verdicts_text(std::slice::from_ref(results))
    );
    let all = caveats(results);
    let shown = if wide { all.len() } else { all.len().min(1) };
    for c in &all[..shown] {
        out.push_str(&format!("Caveat: {}.\n", c.text));
    }
    if all.len() > shown {
        out.push_str(&format!(
            "({} more caveat(s): --wide lists them)\n",
            all.len() - shown
        ));
    }
    if let Some(p) = written.report {
        out.push_str(&format!("Report:  {}\n", text::path(p)));
    }
    if let Some(p) = written.results {
        out.push_str(&format!("Results: {}\n", text::path(p)));
    }
    if !written.exports.is_empty() {
        let names: Vec<String> = written.exports.iter().map(|p| text::path(p)).collect();
        out.push_str(&format!("Exports: {}\n", names.join(", ")));
    }
    out.truncate(out.trim_end().len());
    if wide {
        out
    } else {
        wrap(&out, WIDTH)
    }
}

/// `text` with every line longer than `width` characters broken at its last space that
/// fits; the continuation lines are indented four more than the line they continue. The
/// spacing inside a line is kept (the verdicts and the switch costs are aligned with
/// it). A word longer than the width (a path) stays whole.
pub(crate) fn wrap(text: &str, width: usize) -> String {
    let mut out = String::with_capacity(text.len());
    for line in text.lines() {
        let indent = line.chars().take_while(|c| *c == ' ').count();
        let more = " ".repeat(indent + 4);
        let mut rest = line.to_string();
        loop {
            if rest.chars().count() <= width {
                out.push_str(&rest);
                out.push('\n');
                break;
            }
            // The last space at or before the width that is past the line's own indent,
            // else the first one after it (a long word overflows rather than being cut).
            let lead = rest.chars().take_while(|c| *c == ' ').count();
            let mut spaces = rest
                .char_indices()
                .enumerate()
                .filter(|&(i, (_, c))| c == ' ' && i > lead)
                .map(|(i, (b, _))| (i, b));
            let fits: Vec<(usize, usize)> =
                spaces.clone().take_while(|&(i, _)| i <= width).collect();
            let at = fits.last().or(spaces.next().as_ref()).map(|&(_, b)| b);
            let Some(at) = at else {
                out.push_str(&rest);
                out.push('\n');
                break;
            };
            out.push_str(rest[..at].trim_end());
            out.push('\n');
            rest = format!("{more}{}", rest[at..].trim_start());
        }
    }
    out.truncate(out.trim_end().len());
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_lines_wrap_at_spaces_with_a_hanging_indent() {
        let w = wrap("  ✓ Claim 1  agrees — one two three four", 20);
        assert_eq!(w, "  ✓ Claim 1  agrees\n      — one two\n      three four");
        assert!(w.lines().all(|l| l.chars().count() <= 20), "{w}");
        assert_eq!(wrap("short\n\nlines", 20), "short\n\nlines");
        // A word longer than the width stays whole.
        let long = format!("Report: {}", "x".repeat(30));
        assert_eq!(wrap(&long, 20), format!("Report:\n    {}", "x".repeat(30)));
    }

    #[test]
    fn the_run_ends_with_verdicts_the_busiest_caveat_and_the_files() {
        let mut r: Results =
            serde_json::from_str(include_str!("../../tests/fixtures/fixture-results.json"))
                .unwrap();
        r.run.params.repetitions = 1;
        r.cells[5].summary.as_mut().unwrap().efficiency = 1.5;
        let exports = [PathBuf::from("cells.csv")];
        let written = Written {
            report: Some(Path::new("out/index.html")),
            results: Some(Path::new("out/results.json")),
            exports: &exports,
        };
        let compact = run_summary(&r, &written, false);
        assert!(
            compact.lines().all(|l| l.chars().count() <= WIDTH),
            "{compact}"
        );
        let tail: Vec<&str> = compact.lines().rev().take(5).collect();
        assert_eq!(tail[0], "Exports: cells.csv");
        assert_eq!(tail[1], "Results: out/results.json");
        assert_eq!(tail[2], "Report:  out/index.html");
        assert_eq!(tail[3], "(1 more caveat(s): --wide lists them)");
        assert!(
            compact.contains("Caveat: one repetition per cell"),
            "{compact}"
        );
        assert!(compact.contains("Verdicts (95% intervals"), "{compact}");
        let wide = run_summary(&r, &written, true);
        assert!(
            wide.contains("Caveat: 1 cell(s) ran above the ideal bound"),
            "{wide}"
        );
        assert!(
            wide.contains("rust/sequential/sleep/f0.00/op1000/c1"),
            "{wide}"
        );
    }
}
