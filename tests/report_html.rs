//! Structural tests of the HTML report rendered from the synthetic fixture
//! (`tests/fixtures/fixture-results.json`, made by `make_fixture.py`; not a measurement).
//! No timing: the same input always gives the same page.

use std::path::Path;

use spectrum::report::{render_html, write_report, Baseline};
use spectrum::results::{read_results, Results};

fn fixture() -> Results {
    read_results(Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/fixture-results.json"
    )))
    .expect("fixture reads")
}

fn count(hay: &str, needle: &str) -> usize {
    hay.matches(needle).count()
}

#[test]
fn page_is_self_contained_with_every_chart() {
    let html = render_html(&[fixture()], None).unwrap();
    assert!(html.starts_with("<!DOCTYPE html>"));
    for id in ["spectrum", "switches", "latency", "cpu", "memory", "gil"] {
        assert!(
            html.contains(&format!("<section id=\"{id}\"")),
            "section {id}"
        );
    }
    // Chart 1 has a panel per runtime × concurrency (2 × 2), charts 2–4 likewise,
    // memory one per runtime, the GIL one: at least 15 SVGs.
    assert!(count(&html, "<svg") >= 15, "{} svgs", count(&html, "<svg"));
    // Offline: no scripts, no external URLs, no fonts to fetch.
    assert!(!html.contains("<script"));
    assert!(!html.contains("src=\"http"));
    assert!(!html.contains("href=\"http"));
    assert!(!html.contains("@import") && !html.contains("url("));
    // Axis labels and legends are text.
    assert!(html.contains("I/O share of the op (%)"));
    assert!(html.contains("efficiency (measured / ideal bound)"));
    assert!(html.contains("gil=released"));
}

#[test]
fn verdicts_are_computed_from_the_data() {
    let html = render_html(&[fixture()], None).unwrap();
    // The fixture's Python threads on pure CPU run at the sequential rate.
    assert!(html.contains("no speed-up, as the GIL predicts"), "claim 1");
    assert!(html.contains("processes scale with the cores"), "claim 1b");
    assert!(html.contains("holding the GIL serializes it"), "claim 2");
    assert!(html.contains("released, native code scales like Rust threads"));
    // Claim 4 has no cells in a sweep: said, with the published figure and source.
    assert!(html.contains("Bendersky"));

    // Make Python threads scale: the verdict must flip to a disagreement.
    let mut r = fixture();
    let cores = r.environment.available_cores;
    for c in r
        .cells
        .iter_mut()
        .filter(|c| c.id.starts_with("python/thread,cpu=py") && c.cell.io_fraction == 0.0)
    {
        for m in &mut c.repetitions {
            m.ops_per_s *= 2.0;
        }
        c.summary = spectrum::metrics::Summary::of(&c.repetitions, &c.cell, cores);
    }
    let html = render_html(&[r], None).unwrap();
    assert!(html.contains("a speed-up the GIL should prevent"));
}

#[test]
fn missing_cells_say_not_measured() {
    let mut r = fixture();
    r.cells.retain(|c| c.cell.runtime.as_str() == "rust");
    let html = render_html(&[r], None).unwrap();
    assert!(html.contains("Not measured in this run"));
    assert!(
        html.contains("No chart: this run has no cells for it."),
        "GIL chart"
    );
}

#[test]
fn user_strings_are_escaped() {
    let mut r = fixture();
    r.scenario.name = "<script>alert(1)</script>".into();
    r.scenario.description = "a \"quoted\" & <b>bold</b> description".into();
    r.scenario.text = "name = \"</pre><script>x</script>\"".into();
    r.environment.hostname = "<img src=x onerror=alert(1)>".into();
    let html = render_html(&[r], None).unwrap();
    assert!(!html.contains("<script"), "no script element anywhere");
    assert!(!html.contains("<img"));
    assert!(!html.contains("<b>bold"));
    assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
    // The fixture's failed cell carries markup in its error text.
    assert!(html
        .contains("RuntimeError: &lt;b&gt;synthetic&lt;/b&gt; failure &amp; &quot;quotes&quot;"));
}

#[test]
fn merge_of_two_machines_keeps_them_apart() {
    let a = fixture();
    let mut b = fixture();
    b.environment.hostname = "other-host".into();
    let html = render_html(&[a, b], None).unwrap();
    assert!(html.contains("Rust · N = 64 · fixture-host"));
    assert!(html.contains("Rust · N = 64 · other-host"));
    assert!(html.contains("2 results files, merged"));
}

#[test]
fn baseline_comparison_tells_change_from_noise() {
    let old = fixture();
    let mut new = fixture();
    let cores = new.environment.available_cores;
    for c in new
        .cells
        .iter_mut()
        .filter(|c| c.id.starts_with("rust/thread/"))
    {
        for m in &mut c.repetitions {
            m.ops_per_s *= 2.0;
        }
        c.summary = spectrum::metrics::Summary::of(&c.repetitions, &c.cell, cores);
    }
    let baseline = Baseline {
        results: &old,
        threshold: 0.05,
    };
    let html = render_html(&[new.clone()], Some(baseline)).unwrap();
    assert!(html.contains("<section id=\"comparison\""));
    assert!(html.contains("class=\"faster\">faster"));
    assert!(html.contains("no change"));
    assert!(
        html.contains("10 faster, 0 slower"),
        "{}",
        &html[html.find("faster,").unwrap_or(0)..][..80]
    );

    // Written beside the run, never over its own index.html.
    let dir = tempfile::tempdir().unwrap();
    let w = write_report(&[new], Some(baseline), dir.path()).unwrap();
    assert_eq!(w.page, dir.path().join("comparison.html"));
    assert!(!dir.path().join("index.html").exists());
    let data: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&w.data).unwrap()).unwrap();
    assert_eq!(
        data["cells"].as_array().unwrap().len(),
        w.comparison.unwrap().cells.len()
    );
}

#[test]
fn write_report_writes_index_html() {
    let dir = tempfile::tempdir().unwrap();
    let w = write_report(&[fixture()], None, dir.path()).unwrap();
    assert_eq!(w.page, dir.path().join("index.html"));
    let text = std::fs::read_to_string(&w.page).unwrap();
    assert!(text.contains("</html>"));
    // The verdicts as data beside it.
    let v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&w.data).unwrap()).unwrap();
    assert_eq!(v["schema"], "spectrum.verdicts/1");
    let ids: Vec<&str> = v["claims"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["line", "1", "2", "3", "4", "5", "P1", "P2"]);
    assert!(render_html(&[], None).is_err());
}

/// Issue 10, item 13: a report of 4 000 cells at 4 000 concurrencies stays bounded — a
/// few panels per runtime, the rest in the tables, said on the page — in time and size.
#[test]
fn a_report_of_thousands_of_concurrencies_stays_bounded() {
    let mut r = fixture();
    let template = r
        .cells
        .iter()
        .find(|c| c.id.starts_with("rust/thread/") && c.summary.is_some())
        .unwrap()
        .clone();
    r.cells.retain(|c| c.id.starts_with("rust/sequential/"));
    for n in 1..=4000u32 {
        let mut c = template.clone();
        c.cell.concurrency = n;
        c.id = c.cell.id();
        r.cells.push(c);
    }
    let t = std::time::Instant::now();
    let html = render_html(&[r], None).unwrap();
    let took = t.elapsed();
    assert!(took.as_secs() < 60, "{took:?}");
    assert!(html.len() < 40 << 20, "{} MiB", html.len() >> 20);
    assert!(
        html.contains("panels left out"),
        "the page says what it left out"
    );
    // Every cell is still in a table.
    assert!(html.contains(">4000<"));
}
