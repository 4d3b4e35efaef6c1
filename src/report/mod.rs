//! The report: a pure function of results files — HTML with inline SVG charts, and the
//! terminal summary table.
//!
//! Data first, pictures after: [`render_html`] reads nothing but the [`Results`] it is
//! given (merged when several), so a report can be re-rendered, merged and compared
//! without re-running. The page is one self-contained file: inline SVG and CSS, system
//! fonts, no scripts, no external requests.

mod charts;
mod costs;
mod data;
mod html;
mod page;
mod stability;
pub mod terminal;
pub use costs::terminal_block;
mod verdicts;

use anyhow::Result;
use std::path::{Path, PathBuf};

use crate::results::{compare, merge, write_atomic, Results};
use charts::Kind;
use html::{esc, fill};

const PAGE: &str = include_str!("templates/report.html");
const CSS: &str = include_str!("templates/report.css");

/// Renders the HTML report of `results` (several are merged) into `out_dir/index.html`,
/// comparing against `baseline` when given. Returns the path of the page.
pub fn write_report(
    results: &[Results],
    baseline: Option<&Results>,
    out_dir: &Path,
) -> Result<PathBuf> {
    let page = render_html(results, baseline)?;
    let path = out_dir.join("index.html");
    write_atomic(&path, page.as_bytes())?;
    Ok(path)
}

/// The report page for `results` (merged when several), compared with `baseline` when
/// given: one self-contained HTML document.
pub fn render_html(results: &[Results], baseline: Option<&Results>) -> Result<String> {
    if results.is_empty() {
        anyhow::bail!("no results to report on: give at least one results.json");
    }
    let merged = merge(results);
    let rows = data::rows(&merged);
    let probes = verdicts::probe_sources(&merged);
    let claims = verdicts::claims(&rows, &probes);
    let mut charts = String::new();
    let mut toc = String::new();
    if baseline.is_some() {
        toc.push_str("<li><a href=\"#comparison\">Comparison</a></li>");
    }
    for kind in Kind::ALL {
        charts.push_str(&page::chart_section(kind, &rows, &claims)?);
        toc.push_str(&format!(
            "<li><a href=\"#{}\">{}</a></li>",
            kind.id(),
            esc(kind.title())
        ));
    }
    let costs_html = costs::section(&probes, &claims)?;
    toc.push_str(&format!(
        "<li><a href=\"#{}\">{}</a></li>",
        costs::ID,
        esc(costs::TITLE)
    ));
    for (id, what) in [
        ("verdicts", "Claims"),
        ("failed", "Failed cells"),
        ("environment", "Environment"),
        ("calibration", "Calibration"),
        ("stability", "Machine stability"),
        ("scenario", "Scenario"),
    ] {
        toc.push_str(&format!("<li><a href=\"#{id}\">{what}</a></li>"));
    }
    let comparison = baseline.map(|b| (compare(&merged, b), b));
    let comparison_html = page::comparison_section(
        comparison.as_ref().map(|(c, _)| c),
        &comparison
            .as_ref()
            .map(|(_, b)| format!("{} ({})", b.scenario.name, b.run.started_at))
            .unwrap_or_default(),
    );
    let names: Vec<&str> = results.iter().map(|r| r.scenario.name.as_str()).collect();
    let mut names_dedup = names.clone();
    names_dedup.dedup();
    let title = names_dedup.join(" + ");
    let descriptions: Vec<&str> = results
        .iter()
        .map(|r| r.scenario.description.as_str())
        .collect();
    let mut desc_dedup = descriptions.clone();
    desc_dedup.dedup();
    let inputs = format!(
        "{} results file{}",
        results.len(),
        if results.len() == 1 { "" } else { "s, merged" }
    );
    fill(
        PAGE,
        &[
            ("version", env!("CARGO_PKG_VERSION")),
            ("title", &esc(&title)),
            ("description", &esc(&desc_dedup.join(" / "))),
            ("css", CSS),
            ("summary", &page::summary(&merged)),
            ("toc", &toc),
            ("comparison", &comparison_html),
            ("charts", &charts),
            ("probes", &costs_html),
            ("verdicts", &page::claims_section(&claims)),
            ("failed", &page::failed_section(&merged)),
            ("environment", &page::environment_section(&merged)),
            ("calibration", &page::calibration_section(&merged)),
            ("stability", &stability::stability_section(&merged)),
            ("scenario", &page::scenario_section(&merged)),
            ("inputs", &inputs),
        ],
    )
}
