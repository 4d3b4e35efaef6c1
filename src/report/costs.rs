//! Switch and spawn costs (`results.probes`) on the page and in the terminal: a section
//! with claim 4's verdict, a log-scale bar chart and the table of every figure, and a
//! short block under the terminal's summary table.

use anyhow::Result;
use std::fmt::Write;

use super::charts::{cost_bars, Table};
use super::data::num;
use super::html::{esc, fill, table};
use super::page::{findings_list, published};
use super::verdicts::{Outcome, Verdict};
use crate::probe::{Pinning, ProbeFigure, Probes, SpawnKind, SwitchKind};

const CHART: &str = include_str!("templates/chart.html");

/// The section's anchor and title.
pub(crate) const ID: &str = "probes";
/// The section's title.
pub(crate) const TITLE: &str = "8. Switch and spawn costs";

const WHAT: &str = "Measured by `spectrum probe` in a child process before the cells, with the code the criterion benches time (src/probe/). Switch: a ping-pong between two threads (a pipe, or a mutex and condvar = futex), two processes (a pipe) or two tokio tasks on one worker; one round trip is two switches, so each figure is half a round trip. The pipe baseline makes the same pipe system calls in one thread with no switch. Pinned: both parties on one core. Spawn: create one thread, tokio task or process (`spectrum --version`) and wait for it to finish. Each figure is the median of several timed batches (min–max beside it), in µs. Log scale.";

/// What a switch kind is called in tables.
fn switch_name(kind: SwitchKind) -> &'static str {
    match kind {
        SwitchKind::ThreadPipe => "thread, pipe",
        SwitchKind::ThreadCondvar => "thread, futex (condvar)",
        SwitchKind::ProcessPipe => "process, pipe",
        SwitchKind::TaskSameWorker => "tokio task, one worker",
        SwitchKind::TaskMultiThread => "tokio task, multi-thread runtime",
        SwitchKind::TaskAcrossWorkers => "tokio task, across workers",
        SwitchKind::PipeBaseline => "pipe baseline (no switch)",
    }
}

/// Every figure of `p` as (what, pinning or "—", figure), switches first.
pub(crate) fn figures(p: &Probes) -> Vec<(String, String, ProbeFigure)> {
    let mut out: Vec<(String, String, ProbeFigure)> = p
        .switches
        .iter()
        .map(|s| {
            (
                format!("switch: {}", switch_name(s.kind)),
                s.pinning.label().to_string(),
                s.per_switch.clone(),
            )
        })
        .collect();
    for kind in SpawnKind::ALL {
        if let Some(f) = p.spawn(kind) {
            out.push((format!("spawn: {}", kind.describe()), "—".into(), f.clone()));
        }
    }
    out
}

/// The page section: claim 4's verdict, one chart per file with probes, the table.
pub(crate) fn section(sources: &[(&str, &Probes)], claims: &[Verdict]) -> Result<String> {
    let claim = claims.iter().find(|c| c.id == "4");
    let (status, findings, published_html) = match claim {
        Some(c) => (
            c.outcome,
            findings_list(
                &c.findings,
                "this run recorded no switch and spawn costs (it ran with --no-probes, the probe failed, or the file predates them)",
            ),
            published(c.published),
        ),
        None => (Outcome::NotMeasured, String::new(), String::new()),
    };
    let mut t = Table {
        head: [
            "file",
            "what",
            "pinning",
            "median µs",
            "min µs",
            "max µs",
            "batches × units",
        ]
        .map(String::from)
        .to_vec(),
        rows: Vec::new(),
    };
    let mut figures_html = String::new();
    for (tag, p) in sources {
        let all = figures(p);
        for (what, pinning, f) in &all {
            t.rows.push(vec![
                if tag.is_empty() { "—" } else { tag }.to_string(),
                what.clone(),
                pinning.clone(),
                num(f.median_us),
                num(f.min_us),
                num(f.max_us),
                format!("{} × {}", f.batches, f.units_per_batch),
            ]);
        }
        if !all.is_empty() {
            let svg = cost_bars(&all, tag)?;
            let _ = write!(
                figures_html,
                "<figure role=\"img\" aria-label=\"{}\">{svg}</figure>",
                esc(TITLE)
            );
        }
    }
    let mut table_html = if t.rows.is_empty() {
        "<p>No figures.</p>".to_string()
    } else {
        table(&t, "data")
    };
    for (tag, p) in sources {
        if let Some(tf) = &p.timer_floor {
            let who = if tag.is_empty() {
                String::new()
            } else {
                format!("[{}] ", esc(tag))
            };
            let _ = write!(
                table_html,
                "<p>{who}Timer floor: {}.</p>",
                esc(&timer_floor_text(tf))
            );
        }
    }
    fill(
        CHART,
        &[
            ("id", ID),
            ("title", &esc(TITLE)),
            ("what", &esc(WHAT)),
            ("status_class", status.class()),
            ("status", status.describe()),
            ("claim", "claim 4"),
            ("findings", &findings),
            ("published", &published_html),
            ("figures", &figures_html),
            ("table", &table_html),
        ],
    )
}

/// The timer floor in words: "a 2 ms timed wait wakes 180 µs late at p50, 260 µs at p99
/// (100 waits)".
pub(crate) fn timer_floor_text(t: &crate::io::floor::TimerFloor) -> String {
    format!(
        "a {} timed wait wakes {} µs late at p50, {} µs at p99 ({} waits): the floor of the delay server's lateness",
        crate::report::data::show_us(t.wait_us),
        num(t.lateness_us.p50),
        num(t.lateness_us.p99),
        t.waits
    )
}

/// The terminal block: one line per switch kind (pinned and unpinned side by side) and
/// one line of spawns. No trailing newline.
pub fn terminal_block(p: &Probes) -> String {
    let fig =
        |f: &ProbeFigure| format!("{} ({}–{})", num(f.median_us), num(f.min_us), num(f.max_us));
    let mut kinds: Vec<SwitchKind> = Vec::new();
    for s in &p.switches {
        if !kinds.contains(&s.kind) {
            kinds.push(s.kind);
        }
    }
    let mut out = String::from(
        "Switch and spawn costs, µs (median of the batches, min–max; one switch = half a round trip):\n",
    );
    let width = kinds
        .iter()
        .map(|k| switch_name(*k).chars().count())
        .max()
        .unwrap_or(0);
    for kind in kinds {
        let mut line = format!("  switch  {:<width$}", switch_name(kind));
        for pinning in Pinning::ALL {
            if let Some(f) = p.switch(kind, pinning) {
                let _ = write!(line, "  {pinning} {:<18}", fig(f));
            }
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    let spawns: Vec<String> = SpawnKind::ALL
        .iter()
        .filter_map(|k| p.spawn(*k).map(|f| format!("{} {}", k.describe(), fig(f))))
        .collect();
    if !spawns.is_empty() {
        let _ = writeln!(out, "  spawn   {}", spawns.join(" · "));
    }
    if let Some(t) = &p.timer_floor {
        let _ = writeln!(out, "  timer   {}", timer_floor_text(t));
    }
    for e in &p.errors {
        let _ = writeln!(out, "  failed: {e}");
    }
    if p.debug_build {
        out.push_str("  (debug build: user-space costs are inflated)\n");
    }
    out.trim_end().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::probe::{SpawnProbe, SwitchProbe};

    fn probes() -> Probes {
        let fig = |us: f64| ProbeFigure::from_batches(&[us * 0.9, us, us * 1.1], 50).unwrap();
        Probes {
            switches: vec![
                SwitchProbe {
                    kind: SwitchKind::ThreadPipe,
                    pinning: Pinning::Pinned,
                    per_switch: fig(4.0),
                },
                SwitchProbe {
                    kind: SwitchKind::ThreadPipe,
                    pinning: Pinning::Unpinned,
                    per_switch: fig(5.0),
                },
                SwitchProbe {
                    kind: SwitchKind::PipeBaseline,
                    pinning: Pinning::Pinned,
                    per_switch: fig(1.0),
                },
            ],
            spawns: vec![SpawnProbe {
                kind: SpawnKind::Process,
                per_spawn: fig(4000.0),
            }],
            took_s: 1.0,
            debug_build: false,
            errors: vec!["spawn thread: <no>".into()],
            timer_floor: None,
        }
    }

    #[test]
    fn terminal_block_lists_every_figure() {
        let text = terminal_block(&probes());
        assert!(text.contains("thread, pipe"), "{text}");
        assert!(text.contains("pinned 4.00 (3.60–4.40)"), "{text}");
        assert!(text.contains("unpinned 5.00"), "{text}");
        assert!(text.contains("process 4000 (3600–4400)"), "{text}");
        assert!(text.contains("failed: spawn thread"), "{text}");
        assert!(!text.ends_with('\n'));
    }

    #[test]
    fn section_has_chart_table_and_escapes() {
        let p = probes();
        let html = section(&[("", &p)], &[]).unwrap();
        assert!(html.contains("<section id=\"probes\""));
        assert!(html.contains("<svg"));
        assert!(html.contains("switch: thread, pipe"));
        assert!(html.contains("5 × 50") || html.contains("3 × 50"), "{html}");
        let none = section(&[], &[]).unwrap();
        assert!(!none.contains("<svg"));
        assert!(none.contains("not measured in this run"));
    }
}
