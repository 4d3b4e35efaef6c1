//! What a reader sees in every shipped scenario's report: plain names, not internal ids,
//! in the charts and headings, and no chart text smaller than 11 px. A test cannot run a
//! two-minute sweep, so each scenario's cells (its own expansion) get synthetic
//! repetitions — invented figures of the right shape, not a measurement — and the page
//! is rendered from them, with the fixture's environment and probes.

use std::path::Path;

use spectrum::metrics::{LatencySummary, Measurement, Summary};
use spectrum::report::render_html;
use spectrum::results::{read_results, CellResult, CellStatus, Results};
use spectrum::scenario::{self, Cell, ModelKind};

/// The fixture's environment, calibration and probes, with `cells` as its cells.
fn results_of(name: &str, text: &str, cells: &[Cell]) -> Results {
    let mut r = read_results(Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/fixture-results.json"
    )))
    .expect("fixture reads");
    r.scenario.name = name.to_string();
    r.scenario.text = text.to_string();
    let cores = r.environment.available_cores.max(1);
    r.cells = cells
        .iter()
        .enumerate()
        .map(|(i, c)| synthetic(c, cores, i))
        .collect();
    r
}

/// Three made-up repetitions of `cell`: a share of its ideal bound that depends on the
/// model (so panels have winners and ties), latency from the op's length, a few
/// switches; the summary as the driver would compute it.
fn synthetic(cell: &Cell, cores: usize, i: usize) -> CellResult {
    let share = match cell.model {
        ModelKind::Sequential => 0.5,
        ModelKind::Thread => 0.9,
        ModelKind::Process => 0.85,
        ModelKind::Async => 0.88,
        _ => 0.7,
    };
    let ideal = cell.ideal_ops_per_s(cores);
    let reps: Vec<Measurement> = [0.98, 1.0, 1.02]
        .iter()
        .map(|k| {
            let ops_per_s = ideal * share * k;
            let mut m = Measurement {
                ops: 100,
                wall_s: 100.0 / ops_per_s,
                ops_per_s,
                latency_us: LatencySummary {
                    count: 100,
                    mean: cell.op_time_us * 1.1,
                    min: cell.op_time_us,
                    p50: cell.op_time_us * 1.05,
                    p90: cell.op_time_us * 1.2,
                    p99: cell.op_time_us * 1.5 + i as f64,
                    p999: cell.op_time_us * 2.0,
                    max: cell.op_time_us * 3.0,
                },
                ..Measurement::default()
            };
            m.rusage.ctx_voluntary = 100 + i as u64;
            m.rusage.ctx_involuntary = 10;
            m.rusage.user_s = cell.cpu_us * 100.0 / 1e6;
            m.rusage.sys_s = 0.001;
            m.rusage.max_rss_kib = 10_000 + 10 * u64::from(cell.concurrency);
            m
        })
        .collect();
    CellResult {
        id: cell.id(),
        label: cell.model_label(),
        cell: cell.clone(),
        status: CellStatus::Ok,
        error: None,
        summary: Summary::of(&reps, cell, cores),
        repetitions: reps,
    }
}

/// Every `<svg>…</svg>` of the page.
fn svgs(html: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut rest = html;
    while let Some(a) = rest.find("<svg") {
        let b = rest[a..].find("</svg>").expect("closed svg") + a + 6;
        out.push(&rest[a..b]);
        rest = &rest[b..];
    }
    out
}

/// The text content of every element `tag` in `doc` (markup inside stripped).
fn texts(doc: &str, tag: &str) -> Vec<String> {
    let (open, close) = (format!("<{tag}"), format!("</{tag}>"));
    let mut out = Vec::new();
    let mut rest = doc;
    while let Some(a) = rest.find(&open) {
        let Some(gt) = rest[a..].find('>') else { break };
        let Some(b) = rest[a..].find(&close) else {
            break;
        };
        let inner = &rest[a + gt + 1..a + b];
        let mut plain = String::new();
        let mut in_tag = false;
        for ch in inner.chars() {
            match ch {
                '<' => in_tag = true,
                '>' => in_tag = false,
                c if !in_tag => plain.push(c),
                _ => {}
            }
        }
        out.push(plain);
        rest = &rest[a + b + close.len()..];
    }
    out
}

/// Every `font-size` an SVG sets, in px.
fn font_sizes(svg: &str) -> Vec<f64> {
    let mut out = Vec::new();
    for part in svg.split("font-size=\"").skip(1) {
        let v: String = part
            .chars()
            .take_while(|c| c.is_ascii_digit() || *c == '.')
            .collect();
        out.push(v.parse().expect("a number"));
    }
    out
}

const IDS: [&str; 3] = ["cpu=", "io=", "gil="];

#[test]
fn every_shipped_scenario_reads_in_plain_words_at_a_readable_size() {
    for (name, text) in scenario::shipped() {
        let plan = scenario::parse(text, name).expect("shipped scenario parses");
        let html = render_html(&[results_of(name, text, &plan.cells)], None).unwrap();
        let charts = svgs(&html);
        assert!(charts.len() >= 6, "{name}: {} charts", charts.len());
        for svg in &charts {
            for t in texts(svg, "text") {
                assert!(
                    !IDS.iter().any(|id| t.contains(id)),
                    "{name}: internal id in chart text {t:?}"
                );
            }
            for px in font_sizes(svg) {
                assert!(px >= 11.0, "{name}: chart text of {px} px");
            }
        }
        for tag in ["h1", "h2", "h3", "figcaption"] {
            for t in texts(&html, tag) {
                assert!(
                    !IDS.iter().any(|id| t.contains(id)),
                    "{name}: internal id in heading {t:?}"
                );
            }
        }
        // The at-a-glance figure opens the page, in plain words too. A scenario of `file`
        // cells only (the flush demo) compares sync modes at one I/O share: no strip.
        let glance = &html[html.find("id=\"at-a-glance\"").expect("at a glance")..];
        let glance = &glance[..glance.find("</section>").unwrap()];
        let files_only = plan.cells.iter().all(|c| c.io == scenario::IoKind::File);
        assert!(
            glance.contains("<svg") || files_only,
            "{name}: no strip figure"
        );
        for t in texts(glance, "li") {
            assert!(
                !IDS.iter().any(|id| t.contains(id)),
                "{name}: internal id at a glance {t:?}"
            );
        }
        assert!(
            html.find("id=\"at-a-glance\"") < html.find("id=\"spectrum\""),
            "{name}: at a glance comes first"
        );
    }
}
