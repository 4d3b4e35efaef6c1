//! A demo's page: the report of a results file whose scenario is a demo's, narrowed to
//! one effect — what the guide says, the numbers that carry the lesson, the timelines
//! and charts, the verdict computed from this run beside the published figures, and
//! what to try next. It is written as `index.html`, with the full report beside it as
//! `full.html`, by the same [`super::write_report`] every run uses.

mod convoy;
mod flush;
mod lessons;
pub(crate) mod offload;
mod race;

use anyhow::Result;
use std::fmt::Write;
use std::path::Path;

use super::data::{rows, Row};
use super::html::{esc, fill};
use super::page::{findings_list, published, summary};
use crate::demo::Demo;
use crate::results::{merge, Results};
pub(crate) use lessons::{lesson, Lesson};

const PAGE: &str = include_str!("../templates/demo.html");

/// The demo page of `results` (one file of `demo`'s scenario).
pub(crate) fn render(results: &Results, demo: &Demo, results_path: &Path) -> Result<String> {
    let merged = merge(std::slice::from_ref(results));
    let rows = rows(&merged);
    let lesson = lesson(demo, &rows);
    let mut numbers = String::new();
    for n in &lesson.numbers {
        let _ = write!(
            numbers,
            "<li><span class=\"figure\">{}</span> {}</li>",
            esc(&n.value),
            esc(&n.sentence)
        );
    }
    if lesson.numbers.is_empty() {
        numbers.push_str("<li>None of the cells this demo reads were measured: see the failed cells in the full report.</li>");
    }
    let figures = figures(&lesson, &rows)?;
    let mut verdicts = String::new();
    for v in &lesson.verdicts {
        let _ =
            write!(
            verdicts,
            "<div class=\"verdict {}\"><h3>{}: {}</h3><p><strong>{}</strong> — {}.</p>{}{}</div>",
            v.outcome.class(),
            esc(&v.title()),
            esc(v.claim),
            v.outcome.describe(),
            esc(&v.phrase),
            findings_list(&v.findings, "the cells this claim needs are not in the results"),
            published(v.published),
        );
    }
    let mut next = String::new();
    for (what, command) in demo.try_next {
        let _ = write!(
            next,
            "<li>{}: <code>{}</code></li>",
            esc(what),
            esc(command)
        );
    }
    fill(
        PAGE,
        &[
            ("version", env!("CARGO_PKG_VERSION")),
            ("name", &esc(demo.name)),
            ("line", &esc(demo.line)),
            ("css", super::CSS),
            (
                "summary",
                &format!(
                    "{}{}",
                    summary(&merged),
                    super::stability::drift_banner(&merged)
                ),
            ),
            ("guide", &esc(demo.guide)),
            ("numbers", &numbers),
            ("look", &esc(demo.look)),
            ("figures", &figures),
            ("verdicts", &verdicts),
            ("next", &next),
            ("results", &esc(&crate::text::path(results_path))),
        ],
    )
}

/// The lesson's figures: the at-a-glance strips, the timelines, then the report charts.
fn figures(lesson: &Lesson, rows: &[Row]) -> Result<String> {
    let mut s = String::new();
    if lesson.glance {
        let strips = super::glance::strips(rows);
        if !strips.is_empty() {
            let _ = write!(
                s,
                "<figure role=\"img\" aria-label=\"which model won at each I/O share\">{}</figure>",
                super::charts::glance_svg(&strips)?
            );
        }
    }
    for (title, set) in &lesson.timelines {
        if let Some(html) = super::timelines::figure(set)? {
            let _ = write!(s, "<h3>{}</h3>{html}", esc(title));
        }
    }
    if let Some((title, unit, items)) = &lesson.bars {
        if !items.is_empty() {
            let _ = write!(
                s,
                "<figure role=\"img\" aria-label=\"{}\">{}</figure>",
                esc(title),
                super::charts::bars::bars(title, unit, items)?
            );
        }
    }
    if let Some(t) = &lesson.table {
        s.push_str(&super::html::table(t, "data"));
    }
    for kind in &lesson.charts {
        let fig = kind.render(rows)?;
        if fig.svgs.is_empty() {
            continue;
        }
        let _ = write!(s, "<h3>{}</h3>", esc(kind.title()));
        for svg in &fig.svgs {
            let _ = write!(
                s,
                "<figure role=\"img\" aria-label=\"{}\">{svg}</figure>",
                esc(kind.title())
            );
        }
        let _ = write!(
            s,
            "<details><summary>Every number behind this chart</summary>{}</details>",
            super::html::table(&fig.table, "data")
        );
    }
    Ok(s)
}

/// What `spectrum demo` prints at its end: the numbers with their sentences, the
/// verdicts in a line each, and where the page is (when `page` is given).
pub fn demo_text(results: &Results, demo: &Demo, page: Option<&Path>) -> String {
    let merged = merge(std::slice::from_ref(results));
    let rows = rows(&merged);
    let lesson = lesson(demo, &rows);
    let mut out = format!("Demo {}: {}\n\n", demo.name, demo.line);
    for n in &lesson.numbers {
        out.push_str(&format!("  {}\n      {}\n", n.value, n.sentence));
    }
    if lesson.numbers.is_empty() {
        out.push_str("  (none of the cells this demo reads were measured)\n");
    }
    out.push('\n');
    out.push_str(&super::verdicts::terminal_lines(&lesson.verdicts));
    out.push_str("\nTry next:\n");
    for (what, command) in demo.try_next {
        out.push_str(&format!("  {command}    # {what}\n"));
    }
    if let Some(p) = page {
        out.push_str(&format!("\nPage: {}", crate::text::path(p)));
    }
    crate::text::escape_lines(&out).into_owned()
}
