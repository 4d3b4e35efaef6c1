//! What each demo's page computes from its run: the two or three numbers that carry the
//! lesson (each with its sentence), the verdicts it shows (the report's own claims, so a
//! demo and the full report never disagree), the cells whose timelines it draws and the
//! report charts it reuses.

use super::{convoy, flush, offload, race};
use crate::demo::Demo;
use crate::report::charts::Table;
use crate::report::charts::{slopes, speedups, Kind, Speedup};
use crate::report::data::{num, Row};
use crate::report::glance::strips;
use crate::report::names::{plain_name, runtime_name};
use crate::report::timelines::timeline_of;
use crate::report::verdicts::{self, Verdict};
use crate::scenario::{Gil, Impl, ModelKind, Runtime};
use crate::stats::ratio_of_medians;

/// One number of the lesson.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Number {
    /// The figure with its unit and interval, e.g. "0.98× (95%: 0.95–1.01×)".
    pub value: String,
    /// The sentence that says what it means.
    pub sentence: String,
}

/// What a demo's page shows from its rows.
#[derive(Debug, Clone)]
pub(crate) struct Lesson<'a, 'r> {
    /// The numbers, in the order they are read.
    pub numbers: Vec<Number>,
    /// The verdicts, computed from this run.
    pub verdicts: Vec<Verdict>,
    /// Titled sets of cells whose timelines share one time axis.
    pub timelines: Vec<(String, Vec<&'r Row<'a>>)>,
    /// Report charts shown after the timelines.
    pub charts: Vec<Kind>,
    /// True to show the at-a-glance strips first.
    pub glance: bool,
    /// A table of figures shown before the charts, when the lesson has one.
    pub table: Option<Table>,
    /// A bar chart drawn above that table.
    pub bars: Option<Bars>,
}

/// A bar chart's title, axis unit and (name, value) bars.
pub(crate) type Bars = (String, String, Vec<(String, f64)>);

/// The lesson of `demo` from `rows`.
pub(crate) fn lesson<'a, 'r>(demo: &Demo, rows: &'r [Row<'a>]) -> Lesson<'a, 'r> {
    let claims = verdicts::claims(rows, &[]);
    let keep = |ids: &[&str]| -> Vec<Verdict> {
        claims
            .iter()
            .filter(|c| ids.contains(&c.id))
            .cloned()
            .collect()
    };
    match demo.name {
        "gil" => Lesson {
            numbers: gil_numbers(rows),
            verdicts: keep(&["1", "2"]),
            timelines: vec![(
                "Pure CPU, two workers: who runs when".into(),
                gil_timeline_cells(rows),
            )],
            charts: vec![Kind::Gil],
            glance: false,
            table: None,
            bars: None,
        },
        "memory" => Lesson {
            numbers: memory_numbers(rows),
            verdicts: keep(&["3"])
                .into_iter()
                .map(|v| v.with_findings(verdicts::unit_memory(rows)))
                .collect(),
            timelines: Vec::new(),
            charts: vec![Kind::Memory],
            glance: false,
            table: None,
            bars: None,
        },
        "convoy" => Lesson {
            numbers: convoy::numbers(rows),
            verdicts: vec![convoy::verdict(rows)],
            timelines: Vec::new(),
            charts: Vec::new(),
            glance: false,
            table: Some(convoy::table(rows)),
            bars: Some(convoy::bars(rows)),
        },
        "flush" => Lesson {
            numbers: flush::numbers(rows),
            verdicts: vec![flush::verdict(rows)],
            timelines: Vec::new(),
            charts: Vec::new(),
            glance: false,
            table: Some(flush::table(rows)),
            bars: Some(flush::bars(rows)),
        },
        "offload" => Lesson {
            numbers: offload::numbers(rows),
            verdicts: keep(&["5"]),
            timelines: Vec::new(),
            charts: Vec::new(),
            glance: false,
            table: Some(offload::table(rows)),
            bars: Some(offload::bars(rows)),
        },
        "race" => Lesson {
            numbers: race::numbers(rows),
            verdicts: race::verdicts(rows),
            timelines: Vec::new(),
            charts: Vec::new(),
            glance: false,
            table: Some(race::table(rows)),
            bars: Some(race::bars(rows)),
        },
        // "spectrum", and any demo without its own view: the guide's line.
        _ => Lesson {
            numbers: spectrum_numbers(rows),
            verdicts: keep(&["line"]),
            timelines: spectrum_timeline_cells(rows),
            charts: vec![Kind::Spectrum],
            glance: true,
            table: None,
            bars: None,
        },
    }
}

/// "0.98× (95%: 0.95–1.01×)" for `s`'s speed-up over its sequential cell.
fn speedup_text(s: &Speedup) -> String {
    match ratio_of_medians(&s.row.ops(), &s.base.ops()) {
        Some(i) if i.n > 1 => format!(
            "{}× (95%: {}–{}×)",
            num(i.estimate),
            num(i.low),
            num(i.high)
        ),
        _ => format!("{}× (one repetition)", num(s.speedup)),
    }
}

/// Pure-Python CPU on threads and processes, and the ready share of the threads'
/// timeline: the GIL in three numbers.
fn gil_numbers(rows: &[Row]) -> Vec<Number> {
    let all = speedups(rows);
    let python_cpu = |s: &&Speedup, model: ModelKind| {
        s.row.cell.runtime.is_python()
            && s.row.cell.model == model
            && s.row.cell.cpu_impl != Some(Impl::Native)
            && s.row.cell.io_fraction == 0.0
    };
    // The embedded runtime first: its threads are the ones the timeline shows.
    let first = |model| {
        all.iter()
            .filter(|s| python_cpu(s, model))
            .min_by_key(|s| s.row.cell.runtime != Runtime::Python)
    };
    let mut out = Vec::new();
    if let Some(s) = first(ModelKind::Thread) {
        out.push(Number {
            value: speedup_text(s),
            sentence: format!(
                "{} against one worker: two threads of pure Python take turns on the GIL, so the second adds no speed.",
                who(&s.row)
            ),
        });
    }
    if let Some(s) = first(ModelKind::Process) {
        out.push(Number {
            value: speedup_text(s),
            sentence: format!(
                "{} against one worker: each process has its own interpreter and GIL, so they run side by side on the cores.",
                who(&s.row)
            ),
        });
    }
    let threads = rows.iter().find(|r| {
        r.cell.runtime == Runtime::Python
            && r.cell.model == ModelKind::Thread
            && r.cell.cpu_impl != Some(Impl::Native)
            && r.cell.io_fraction == 0.0
    });
    if let Some(t) = threads.and_then(|r| timeline_of(r).map(|t| (r, t))) {
        let (row, tl) = t;
        let steal = row
            .result
            .repetitions
            .iter()
            .find(|m| m.timeline.is_some())
            .and_then(|m| m.steal_share)
            .map_or(String::new(), |s| {
                format!(
                    " The hypervisor gave {:.0}% of the machine's CPU time to other guests during that window, which reads as ready too.",
                    100.0 * s
                )
            });
        out.push(Number {
            value: format!("{:.0}% ready, not running", 100.0 * tl.ready_share()),
            sentence: format!(
                "Of the CPU half of {} sampled ops of {}, the share the thread spent ready but not running — waiting for the GIL. Two threads taking turns wait about half the time; a process or native code that released the GIL waits near zero.{steal}",
                tl.spans.len(),
                who(row)
            ),
        });
    }
    if let Some(s) = all.iter().find(|s| {
        s.row.cell.model == ModelKind::Thread
            && s.row.cell.cpu_impl == Some(Impl::Native)
            && s.row.cell.gil == Some(Gil::Released)
    }) {
        out.push(Number {
            value: speedup_text(s),
            sentence: format!(
                "{} against one worker: the same native loop with the GIL released runs in parallel, like Rust threads.",
                who(&s.row)
            ),
        });
    }
    out
}

/// "Python threads (embedded Python, N = 2)".
fn who(r: &Row) -> String {
    format!(
        "{} ({}, N = {})",
        plain_name(r.label()),
        runtime_name(r.cell.runtime),
        r.cell.concurrency
    )
}

/// The `gil` demo's lanes: the embedded runtime's two-worker pure-CPU cells (Python
/// threads, processes, the native helper held and released) and Rust threads.
fn gil_timeline_cells<'a, 'r>(rows: &'r [Row<'a>]) -> Vec<&'r Row<'a>> {
    let mut out: Vec<&Row> = rows
        .iter()
        .filter(|r| {
            r.cell.concurrency == 2
                && r.cell.io_fraction == 0.0
                && r.cell.model != ModelKind::Sequential
                && matches!(r.cell.runtime, Runtime::Python | Runtime::Rust)
        })
        .collect();
    // Python threads, processes, the helper held then released, then Rust.
    out.sort_by_key(|r| {
        (
            r.cell.runtime == Runtime::Rust,
            r.cell.cpu_impl == Some(Impl::Native),
            r.cell.model == ModelKind::Process,
            r.cell.gil == Some(Gil::Released),
        )
    });
    out
}

/// The guide's line: one number per at-a-glance strip — the winner at each end.
fn spectrum_numbers(rows: &[Row]) -> Vec<Number> {
    strips(rows)
        .into_iter()
        .map(|s| {
            let end = |w: Option<&(f64, Vec<String>)>| {
                w.map(|(f, names)| {
                    let names: Vec<String> = names
                        .iter()
                        .map(|l| crate::report::names::tiny_name(l))
                        .collect();
                    format!("{}% I/O: {}", num(f * 100.0), names.join(" ≈ "))
                })
                .unwrap_or_default()
            };
            Number {
                value: format!(
                    "{} — {} → {}",
                    s.title,
                    end(s.winners.first()),
                    end(s.winners.last())
                ),
                sentence: s.sentence,
            }
        })
        .collect()
}

/// The `spectrum` demo's lanes: per runtime, one cell per model at the CPU end and at
/// the I/O end, at two workers (the report's choice of cells).
fn spectrum_timeline_cells<'a, 'r>(rows: &'r [Row<'a>]) -> Vec<(String, Vec<&'r Row<'a>>)> {
    crate::report::timelines::chart_sets(rows)
}

/// Memory per unit: one number per fitted model.
fn memory_numbers(rows: &[Row]) -> Vec<Number> {
    slopes(rows)
        .into_iter()
        .filter_map(|s| {
            let fit = s.fit.as_ref()?;
            let ns: Vec<String> = s.ns.iter().map(|n| n.to_string()).collect();
            Some(Number {
                value: format!(
                    "{} KiB per unit (95%: {}–{}, R² {})",
                    num(fit.slope.estimate),
                    num(fit.slope.low),
                    num(fit.slope.high),
                    num(fit.r2)
                ),
                sentence: format!(
                    "{} ({}): the slope of peak RSS over N = {}; what one more unit costs while it waits.",
                    plain_name(&s.label),
                    runtime_name(s.runtime),
                    ns.join(", ")
                ),
            })
        })
        .collect()
}
