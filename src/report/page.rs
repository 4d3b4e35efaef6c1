//! The report page's sections, assembled from the merged results: header summary, one
//! section per chart with its computed verdict, the claims, the comparison with a
//! baseline, failed cells, environment, calibration and scenario text.

use anyhow::Result;
use std::fmt::Write;

use super::charts::{Kind, Table};
use super::data::{num, Row};
use super::html::{esc, fill, kv, table};
use super::verdicts::{self, Finding, Outcome, Verdict};
use crate::results::{CellStatus, Change, Comparison, Merged};

const CHART: &str = include_str!("templates/chart.html");

/// The placeholder drawn for a chart whose cells are not in the results.
const EMPTY_SVG: &str = r##"<svg xmlns="http://www.w3.org/2000/svg" width="640" height="80" viewBox="0 0 640 80"><rect x="1" y="1" width="638" height="78" fill="#f5f6f8" stroke="#d8d8de"/><text x="320" y="45" text-anchor="middle" font-family="sans-serif" font-size="15" fill="#5a5a60">No chart: this run has no cells for it.</text></svg>"##;

/// What a chart shows, in words (the computed verdict follows it on the page).
fn what(kind: Kind) -> &'static str {
    match kind {
        Kind::Spectrum => "Efficiency is measured throughput divided by the ideal bound min(cores / cpu, N / (cpu + io)): 1 means the model wastes nothing. One line per model, op length and I/O kind; the band under each panel names the model with the highest throughput at each I/O share, or in grey the models tied for it (within 5%, as far as the repetitions tell), comparing the same op in every model (the native-helper variants are claim 2's). The sequential baseline is divided by the panel's N-worker bound, so it shows what a single worker leaves on the table.",
        Kind::Switches => "Kernel context switches per op: voluntary when a thread blocks (sleep, lock, the GIL, a futex), involuntary when it is preempted because more threads want to run than there are cores. Log scale; a zero is drawn on the bottom edge.",
        Kind::Latency => "Per-op latency from start to end of each op, including any time spent waiting for a worker, the event loop or the GIL: the median (p50) and the tail (p99). Log scale.",
        Kind::Cpu => "CPU seconds per op over the measured window: user time (the op's own work plus the model's bookkeeping) and system time (the kernel: timers, switches, wake-ups). Log scale.",
        Kind::Memory => "What the model holds while its units run — the cell's peak resident memory during the window (its process plus worker processes), less spectrum's own op log — against the number of workers, and the slope of a least-squares line through every repetition's point with its R²: what one more thread, task or process costs. Three or more N are needed for a slope (a line through two always fits).",
        Kind::Gil => "Throughput over the sequential baseline at the sweep's most CPU-bound I/O share. Python threads running Python code, or native code that holds the GIL, take turns on one core; native code that releases the GIL (pyo3 detach) can use them all, like the Rust model beside it.",
        Kind::IoEnd => "The pure-I/O end as the number of workers grows (log axis): threads against async tasks, in Rust and Python, waiting on sockets (tcp: a request on the worker's own loopback connection, answered by spectrum's delay server after the I/O time) or on timers (sleep). Loopback has no network latency: the delay stands in for the far end. The table gives the delay server's side too — how late its replies went out (against the machine's timer floor in the switch and spawn costs) and its own CPU time, which is not counted in the cell's.",
    }
}

/// The findings and claim behind a chart's verdict.
fn chart_verdict(
    kind: Kind,
    rows: &[Row],
    claims: &[Verdict],
) -> (Vec<Finding>, String, &'static str) {
    let claim = |id: &str| claims.iter().find(|c| c.id == id);
    let (findings, id) = match kind {
        Kind::Spectrum => {
            let mut f = verdicts::spectrum_line(rows);
            f.extend(verdicts::python_threads(rows));
            f.extend(verdicts::python_processes(rows));
            (f, "line")
        }
        Kind::Switches => (verdicts::io_switches(rows), "3"),
        Kind::Latency => (verdicts::inline_vs_offload(rows), "5"),
        Kind::Cpu => (verdicts::io_sys_time(rows), "3"),
        Kind::Memory => (verdicts::unit_memory(rows), "3"),
        Kind::Gil => (verdicts::gil_release(rows), "2"),
        Kind::IoEnd => {
            let mut f = verdicts::io_switches(rows);
            f.extend(verdicts::io_sys_time(rows));
            f.extend(verdicts::timer_vs_socket(rows));
            (f, "3")
        }
    };
    let published = claim(id)
        .map(|c| published(c.published))
        .unwrap_or_default();
    (findings, published, id)
}

/// The published figures of a claim, as a paragraph (empty when there are none).
pub(crate) fn published(items: &[&str]) -> String {
    if items.is_empty() {
        return String::new();
    }
    let list: Vec<String> = items.iter().map(|p| esc(p)).collect();
    format!(
        "<p class=\"published\">Published, for comparison: {}.</p>",
        list.join("; ")
    )
}

/// Findings as a list marked ✓ ✗ ? ·, or "Not measured in this run" with `missing`.
pub(crate) fn findings_list(findings: &[Finding], missing: &str) -> String {
    if findings.is_empty() {
        return format!("<p>Not measured in this run: {}.</p>", esc(missing));
    }
    let mut s = String::from("<ul>");
    for f in findings {
        let class = match f.outcome {
            Some(Outcome::Agrees) => "agrees",
            Some(Outcome::Disagrees) => "disagrees",
            Some(_) => "inconclusive",
            None => "info",
        };
        let mark = f.drift.as_deref().map_or(String::new(), |d| {
            format!(
                " <a class=\"drift\" href=\"#stability\" title=\"the kernel ran at {}\">⚠ drift</a>",
                esc(d)
            )
        });
        let _ = write!(s, "<li class=\"{class}\">{}{mark}</li>", esc(&f.text));
    }
    s.push_str("</ul>");
    s
}

/// What a chart's verdict needs, said when those cells are absent.
fn needs(kind: Kind) -> &'static str {
    match kind {
        Kind::Spectrum => "the verdict needs cells at two or more I/O shares, and Python thread and process cells at the CPU end",
        Kind::Switches | Kind::Cpu => "the verdict needs thread and async cells at the same concurrency at the sweep's highest I/O share",
        Kind::Latency => "the verdict needs async cells with the CPU half inline and offloaded at a mixed I/O share",
        Kind::Memory => "the verdict needs thread and async cells at two or more concurrencies",
        Kind::Gil => "the verdict needs Python thread cells with the native CPU helper (GIL held and released)",
        Kind::IoEnd => "the chart needs thread and async cells at the sweep's highest I/O share",
    }
}

/// One chart section.
pub(crate) fn chart_section(kind: Kind, rows: &[Row], claims: &[Verdict]) -> Result<String> {
    let fig = kind.render(rows)?;
    let (findings, published, claim) = chart_verdict(kind, rows, claims);
    let status = Outcome::of(&findings);
    let mut figures = String::new();
    for svg in &fig.svgs {
        let _ = write!(
            figures,
            "<figure role=\"img\" aria-label=\"{}\">{svg}</figure>",
            esc(kind.title())
        );
    }
    if kind.by_concurrency() {
        for note in super::data::chart_groups(rows).1 {
            let _ = write!(figures, "<p class=\"note\">{}.</p>", esc(&note));
        }
    }
    if fig.svgs.is_empty() {
        // Still a figure, so every chart section has one: a reader sees at a glance
        // that the data is missing, not that the page failed to draw.
        figures = format!(
            "<figure role=\"img\" aria-label=\"{}\">{EMPTY_SVG}</figure>",
            esc(kind.title())
        );
    }
    let claim_ref = match claim {
        "line" => "the guide's line and claim 1".to_string(),
        id => format!("claim {id}"),
    };
    fill(
        CHART,
        &[
            ("id", kind.id()),
            ("title", &esc(kind.title())),
            ("what", &esc(what(kind))),
            ("status_class", status.class()),
            ("status", status.describe()),
            ("claim", &esc(&claim_ref)),
            ("findings", &findings_list(&findings, needs(kind))),
            ("published", &published),
            ("figures", &figures),
            ("table", &table(&fig.table, "data")),
        ],
    )
}

/// The claims section.
pub(crate) fn claims_section(claims: &[Verdict]) -> String {
    let mut s = String::new();
    for c in claims {
        let st = c.outcome;
        let _ = write!(
            s,
            "<div class=\"verdict {}\" id=\"claim-{}\"><h3>{}: {}</h3><p><strong>{}</strong> — {}.</p>{}{}</div>",
            st.class(),
            c.id,
            esc(&c.title()),
            esc(c.claim),
            st.describe(),
            esc(&c.phrase),
            findings_list(&c.findings, "the cells this claim needs are not in the results"),
            published(c.published)
        );
    }
    s
}

/// Header summary: counts, machines, warnings.
pub(crate) fn summary(m: &Merged) -> String {
    let ok = m
        .cells
        .iter()
        .filter(|c| c.result.status == CellStatus::Ok)
        .count();
    let failed = m.cells.len() - ok;
    let mut s = format!(
        "<p class=\"summary\">{} cells: {ok} measured, {failed} failed.",
        m.cells.len()
    );
    for src in &m.sources {
        let r = &src.results;
        let e = &r.environment;
        let _ = write!(
            s,
            " {}{} on {} ({} cores available), {} – {}.",
            if src.tag.is_empty() {
                String::new()
            } else {
                format!("[{}] ", esc(&src.tag))
            },
            esc(&r.scenario.name),
            esc(&e.cpu_model),
            e.available_cores,
            esc(&r.run.started_at),
            esc(&r.run.finished_at)
        );
    }
    s.push_str("</p>");
    for src in &m.sources {
        let r = &src.results;
        if r.environment.busy {
            let _ = write!(
                s,
                "<p class=\"warning\">{}The machine looked busy when the run started ({}): figures may be disturbed by other work.</p>",
                tag_prefix(&src.tag),
                esc(&r.environment.busy_reason())
            );
        }
        if r.run.interrupted {
            let _ = write!(
                s,
                "<p class=\"warning\">{}The run was interrupted: cells that never ran are missing.</p>",
                tag_prefix(&src.tag)
            );
        }
    }
    s
}

fn tag_prefix(tag: &str) -> String {
    if tag.is_empty() {
        String::new()
    } else {
        format!("[{}] ", esc(tag))
    }
}

/// The comparison with a baseline, when there is one.
pub(crate) fn comparison_section(cmp: Option<&Comparison>, baseline_name: &str) -> String {
    let Some(cmp) = cmp else {
        return String::new();
    };
    let mut s = format!(
        "<section id=\"comparison\"><h2>Comparison with the baseline</h2><p>Baseline: {}. Per cell, new ÷ old of the median throughput with its 95% bootstrap interval over both runs' repetitions. A change counts only when the whole interval lies beyond the noise threshold of ±{:.0}%; within it, there is no change; straddling it, the repetitions cannot decide (inconclusive). A cell with a CPU half is judged on the ratio of its efficiencies at the kernel speed measured beside each window (normalised): its op's length depends on the run's calibration and on the machine's speed while it ran, which move by 5–15% between runs of one binary on a shared machine; the raw ratio is shown beside it. Pure-I/O cells are judged raw. <strong>{} faster, {} slower, {} no change, {} inconclusive.</strong></p>",
        esc(baseline_name),
        cmp.threshold * 100.0,
        cmp.count(Change::Faster),
        cmp.count(Change::Slower),
        cmp.count(Change::NoChange),
        cmp.count(Change::Inconclusive),
    );
    if !cmp.calibrations.is_empty() {
        s.push_str("<p>Calibrations, compared first:</p><ul>");
        for c in &cmp.calibrations {
            let _ = write!(
                s,
                "<li>{}: {} vs {} iterations/µs ({}×){}</li>",
                esc(&c.runtime),
                num(c.new),
                num(c.old),
                num(c.ratio),
                if c.differs {
                    " — beyond the threshold: the two runs' ops of this kernel differ in size, so raw throughput compares different work"
                } else {
                    ""
                }
            );
        }
        s.push_str("</ul>");
    }
    s.push_str("<div class=\"scroll\"><table class=\"data\"><thead><tr><th>cell</th><th>new ops/s (min–max)</th><th>old ops/s (min–max)</th><th>raw new ÷ old [95%]</th><th>normalised [95%]</th><th>judged on</th><th>change</th></tr></thead><tbody>");
    for c in &cmp.cells {
        let class = match c.change {
            Change::Faster => "faster",
            Change::Slower => "slower",
            Change::NoChange => "noise",
            Change::Inconclusive => "inconclusive",
        };
        let iv = |i: &crate::stats::Interval| {
            format!(
                "{}× [{}–{}]{}",
                num(i.estimate),
                num(i.low),
                num(i.high),
                if i.assumed {
                    " (one repetition: ±10% assumed)"
                } else {
                    ""
                }
            )
        };
        let _ = write!(
            s,
            "<tr><td>{}</td><td>{} ({}–{})</td><td>{} ({}–{})</td><td>{}</td><td>{}</td><td>{}</td><td class=\"{class}\">{}</td></tr>",
            esc(&c.id),
            num(c.new.median),
            num(c.new.min),
            num(c.new.max),
            num(c.old.median),
            num(c.old.min),
            num(c.old.max),
            iv(&c.raw),
            c.normalised.as_ref().map_or("—".into(), iv),
            match c.basis {
                crate::results::Basis::Raw => "raw",
                crate::results::Basis::Normalised => "normalised",
            },
            c.change.describe()
        );
    }
    s.push_str("</tbody></table></div>");
    for (what, ids) in [
        ("Only in the new run", &cmp.only_new),
        ("Only in the baseline", &cmp.only_old),
    ] {
        if !ids.is_empty() {
            let list: Vec<String> = ids.iter().map(|i| esc(i)).collect();
            let _ = write!(s, "<p>{what}: {}.</p>", list.join(", "));
        }
    }
    s.push_str("</section>");
    s
}

/// The failed cells, with their errors.
pub(crate) fn failed_section(m: &Merged) -> String {
    let failed: Vec<_> = m
        .cells
        .iter()
        .filter(|c| c.result.status != CellStatus::Ok)
        .collect();
    if failed.is_empty() {
        return "<p>None: every cell completed.</p>".into();
    }
    let mut s = String::new();
    for c in failed {
        let _ = write!(
            s,
            "<h3>{}</h3><pre>{}</pre>",
            esc(&m.display_id(c)),
            esc(c
                .result
                .error
                .as_deref()
                .unwrap_or("(no error message recorded)"))
        );
    }
    s
}

/// Environment and run facts of every source.
pub(crate) fn environment_section(m: &Merged) -> String {
    let mut s = String::new();
    for src in &m.sources {
        let r = &src.results;
        let e = &r.environment;
        if !src.tag.is_empty() {
            let _ = write!(s, "<h3>{}</h3>", esc(&src.tag));
        }
        let mut pairs = vec![
            ("host", e.hostname.clone()),
            ("CPU", e.cpu_model.clone()),
            (
                "cores",
                format!(
                    "{} logical, {} physical, {} available to spectrum",
                    e.logical_cores,
                    e.physical_cores.map_or("?".into(), |p| p.to_string()),
                    e.available_cores
                ),
            ),
            (
                "memory",
                format!("{} GiB", num(e.memory_bytes as f64 / (1u64 << 30) as f64)),
            ),
            ("OS", format!("{} (kernel {})", e.os, e.kernel)),
            ("compiler", e.rustc.clone()),
            (
                "load at start",
                format!(
                    "{}{}",
                    e.load_average.map(num).join(" "),
                    if e.busy { " — busy" } else { "" }
                ),
            ),
        ];
        if let (Some(busy), Some(steal)) = (e.other_cpu_share, e.steal_share) {
            pairs.push((
                "CPU in use at start",
                format!(
                    "{:.0}% busy, {:.1}% stolen by the hypervisor (0.3 s sample of /proc/stat)",
                    busy * 100.0,
                    steal * 100.0
                ),
            ));
        }
        if let Some(p) = &e.python {
            pairs.push(("Python", p.version.clone()));
            pairs.push(("Python executable", p.executable.clone()));
            if let Some(lib) = &p.libpython {
                pairs.push(("libpython loaded", lib.clone()));
            }
            pairs.push(("GIL enabled", p.gil_enabled.to_string()));
            pairs.push((
                "switch interval",
                format!("{} ms", num(p.switch_interval_s * 1000.0)),
            ));
        }
        let params = &r.run.params;
        pairs.extend([
            ("spectrum", r.spectrum_version.clone()),
            (
                "run",
                format!(
                    "{} – {}{}",
                    r.run.started_at,
                    r.run.finished_at,
                    if r.run.interrupted {
                        " (interrupted)"
                    } else {
                        ""
                    }
                ),
            ),
            ("command", r.run.command.join(" ")),
            (
                "per cell",
                format!(
                    "{:?}, {} repetitions, warm-up {}%, timeout {} s",
                    params.budget,
                    params.repetitions,
                    num(params.warmup * 100.0),
                    num(params.timeout_s)
                ),
            ),
        ]);
        s.push_str(&kv(&pairs));
    }
    s
}

/// Calibration of every runtime of every source.
pub(crate) fn calibration_section(m: &Merged) -> String {
    let mut t = Table {
        head: [
            "file",
            "runtime",
            "iterations / µs (median)",
            "slowest sample",
            "fastest sample",
            "samples",
        ]
        .map(String::from)
        .to_vec(),
        rows: Vec::new(),
    };
    for src in &m.sources {
        for (rt, c) in &src.results.calibration {
            t.rows.push(vec![
                if src.tag.is_empty() {
                    "—".into()
                } else {
                    src.tag.clone()
                },
                rt.clone(),
                num(c.iters_per_us),
                num(c.min_iters_per_us),
                num(c.max_iters_per_us),
                c.samples.to_string(),
            ]);
        }
    }
    table(&t, "data")
}

/// Scenario name, description, source, notes and full text of every source.
pub(crate) fn scenario_section(m: &Merged) -> String {
    let mut s = String::new();
    for src in &m.sources {
        let sc = &src.results.scenario;
        let _ = write!(
            s,
            "<h3>{}{}</h3><p>{} <em>({})</em></p>",
            tag_prefix(&src.tag),
            esc(&sc.name),
            esc(&sc.description),
            esc(&sc.source)
        );
        if !src.results.notes.is_empty() {
            s.push_str("<p>Skipped combinations:</p><ul>");
            for n in &src.results.notes {
                let _ = write!(s, "<li>{}</li>", esc(n));
            }
            s.push_str("</ul>");
        }
        let _ = write!(s, "<pre>{}</pre>", esc(&sc.text));
    }
    s
}
