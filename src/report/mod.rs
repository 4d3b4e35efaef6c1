//! The report: a pure function of results files — HTML with inline SVG charts, and the
//! terminal summary table.
//!
//! Data first, pictures after: [`render_html`] reads nothing but the [`Results`] it is
//! given (merged when several), so a report can be re-rendered, merged and compared
//! without re-running. The page is one self-contained file: inline SVG and CSS, system
//! fonts, no scripts, no external requests. Beside it go the verdicts as data
//! (`verdicts.json`, [`verdicts_json`]) or, for a comparison, the comparison as data
//! (`comparison.json`).

mod caveats;
mod charts;
mod closing;
pub mod compact;
mod costs;
mod data;
mod demo;
mod glance;
mod html;
mod names;
mod page;
mod pythons;
mod stability;
pub mod terminal;
mod timelines;
pub use closing::{run_summary, Written as RunWritten};
pub use costs::terminal_block;
pub(crate) use data::{num, num_trim};
pub use demo::demo_text;
pub use names::model_name;
mod verdicts;

use anyhow::Result;
use std::path::{Path, PathBuf};

use crate::results::{compare, merge, write_atomic, Comparison, Results};
use charts::Kind;
use html::{esc, fill};

const PAGE: &str = include_str!("templates/report.html");
const CSS: &str = include_str!("templates/report.css");

pub use crate::results::DEFAULT_NOISE_THRESHOLD;

/// A run to compare against, and the noise threshold under which a change is none.
#[derive(Debug, Clone, Copy)]
pub struct Baseline<'a> {
    /// The baseline's results.
    pub results: &'a Results,
    /// Changes within ±this share are no change (0.05 = ±5%).
    pub threshold: f64,
}

/// What [`write_report`] wrote.
#[derive(Debug)]
pub struct Written {
    /// The HTML page: `index.html`, or `comparison.html` when comparing (so a run's own
    /// page is never overwritten by a comparison).
    pub page: PathBuf,
    /// The data beside it: `verdicts.json`, or `comparison.json` when comparing.
    pub data: PathBuf,
    /// The comparison, when there was a baseline.
    pub comparison: Option<Comparison>,
}

/// Renders the report of `results` (several are merged) into `out_dir`: `index.html`
/// and `verdicts.json`, or with a `baseline` `comparison.html` and `comparison.json`.
/// One results file of a demo's scenario gets the demo's page as `index.html` and the
/// full report as `full.html`.
pub fn write_report(
    results: &[Results],
    baseline: Option<Baseline>,
    out_dir: &Path,
) -> Result<Written> {
    check_some(results)?;
    let comparison = baseline.map(|b| compare(&merge(results), b.results, b.threshold));
    let page = render(
        results,
        comparison.as_ref().zip(baseline.map(|b| b.results)),
    )?;
    // A demo's run gets the demo's page, with the full report beside it.
    let demo = match (results, &comparison) {
        ([one], None) => crate::demo::of_scenario(&one.scenario.name).map(|d| (one, d)),
        _ => None,
    };
    if let Some((one, d)) = demo {
        write_atomic(&out_dir.join("full.html"), page.as_bytes())?;
        let page = demo::render(one, d, &out_dir.join("results.json"))?;
        let (page_path, data_path) = (out_dir.join("index.html"), out_dir.join("verdicts.json"));
        write_atomic(
            &data_path,
            &serde_json::to_vec_pretty(&verdicts_json(results))?,
        )?;
        write_atomic(&page_path, page.as_bytes())?;
        return Ok(Written {
            page: page_path,
            data: data_path,
            comparison,
        });
    }
    let (page_path, data_path, data) = match &comparison {
        Some(c) => (
            out_dir.join("comparison.html"),
            out_dir.join("comparison.json"),
            serde_json::to_vec_pretty(c)?,
        ),
        None => (
            out_dir.join("index.html"),
            out_dir.join("verdicts.json"),
            serde_json::to_vec_pretty(&verdicts_json(results))?,
        ),
    };
    write_atomic(&data_path, &data)?;
    write_atomic(&page_path, page.as_bytes())?;
    Ok(Written {
        page: page_path,
        data: data_path,
        comparison,
    })
}

/// The verdicts of `results` (merged when several) as the JSON document of
/// `verdicts.json` and `spectrum report --json`: every claim with its id, outcome,
/// phrase, findings, figures and intervals.
pub fn verdicts_json(results: &[Results]) -> serde_json::Value {
    let merged = merge(results);
    let rows = data::rows(&merged);
    let claims = verdicts::claims(&rows, &verdicts::probe_sources(&merged));
    let sources: Vec<String> = results
        .iter()
        .map(|r| format!("{} ({})", r.scenario.name, r.run.started_at))
        .collect();
    verdicts::to_json(&claims, &sources)
}

/// The verdicts of `results` in a few terminal lines.
pub fn verdicts_text(results: &[Results]) -> String {
    let merged = merge(results);
    let rows = data::rows(&merged);
    verdicts::terminal_lines(&verdicts::claims(&rows, &verdicts::probe_sources(&merged)))
}

fn check_some(results: &[Results]) -> Result<()> {
    if results.is_empty() {
        anyhow::bail!("no results to report on: give at least one results.json");
    }
    Ok(())
}

/// The report page for `results` (merged when several), compared with `baseline` when
/// given: one self-contained HTML document.
pub fn render_html(results: &[Results], baseline: Option<Baseline>) -> Result<String> {
    check_some(results)?;
    let comparison = baseline.map(|b| compare(&merge(results), b.results, b.threshold));
    render(
        results,
        comparison.as_ref().zip(baseline.map(|b| b.results)),
    )
}

/// The page, with a comparison already made against `baseline`.
fn render(results: &[Results], baseline: Option<(&Comparison, &Results)>) -> Result<String> {
    check_some(results)?;
    let merged = merge(results);
    let rows = data::rows(&merged);
    let probes = verdicts::probe_sources(&merged);
    let claims = verdicts::claims(&rows, &probes);
    let mut charts = String::new();
    let mut toc = String::from("<li><a href=\"#at-a-glance\">At a glance</a></li>");
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
    let pythons_html = pythons::section(&rows, &claims);
    if !pythons_html.is_empty() {
        charts.push_str(&pythons_html);
        toc.push_str(&format!(
            "<li><a href=\"#{}\">{}</a></li>",
            pythons::ID,
            pythons::TITLE
        ));
    }
    let timelines_html = timelines::section(&rows)?;
    if !timelines_html.is_empty() {
        charts.push_str(&timelines_html);
        toc.push_str(&format!(
            "<li><a href=\"#{}\">{}</a></li>",
            timelines::ID,
            esc(timelines::TITLE)
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
    let comparison_html = page::comparison_section(
        baseline.map(|(c, _)| c),
        &baseline
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
            (
                "summary",
                &format!(
                    "{}{}",
                    page::summary(&merged),
                    stability::drift_banner(&merged)
                ),
            ),
            ("glance", &glance::section(&rows, &claims)?),
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
