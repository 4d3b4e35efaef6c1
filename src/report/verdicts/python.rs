//! Verdicts on the Python claims of REFERENCE.md: threads and processes on pure CPU
//! (claim 1) and the GIL held or released around native code (claim 2). Every figure is
//! a speed-up over the sequential cell of the same runtime, with its 95% bootstrap
//! interval over the repetitions of both cells.

use super::{Finding, Judged, Side};
use crate::report::charts::{speedups, Speedup};
use crate::report::data::{num, Row};
use crate::report::names::{plain_name, runtime_name};
use crate::scenario::{Gil, Impl, ModelKind, Runtime};
use crate::stats::{bootstrap, ratio_of_medians};

/// Below this speed-up a model gives "no speed-up" (and holding the GIL "serializes").
const NO_SPEEDUP: f64 = 1.25;
/// Scaling "with the cores" is at least this share of `min(N, cores)`.
const WITH_THE_CORES: f64 = 0.75;

/// "Python threads (embedded Python, N = 2)": a row in plain words (tag added when
/// files were merged).
pub(super) fn who(r: &Row) -> String {
    let mut s = format!(
        "{} ({}, N = {})",
        plain_name(r.label()),
        runtime_name(r.cell.runtime),
        r.cell.concurrency
    );
    if !r.tag.is_empty() {
        s = format!("[{}] {s}", r.tag);
    }
    s
}

fn cpu_in_python(r: &Row) -> bool {
    r.cell.cpu_impl != Some(Impl::Native)
}

/// The speed-up of `s` over its sequential baseline as a judged figure.
fn speedup_figure(s: &Speedup, threshold: f64, side: Side) -> Option<Judged> {
    let i = ratio_of_medians(&s.row.ops(), &s.base.ops())?;
    Some(Judged::new(
        "speed-up over sequential",
        "×",
        i,
        threshold,
        side,
    ))
}

/// Claim 1, first half: Python threads on pure CPU give no speed-up.
pub(crate) fn python_threads(rows: &[Row]) -> Vec<Finding> {
    speedups(rows)
        .iter()
        .filter(|s| s.row.cell.runtime.is_python() && s.row.cell.model == ModelKind::Thread)
        .filter(|s| cpu_in_python(&s.row))
        // The claim is about the GIL build: a free-threaded one is judged in claim P1.
        .filter(|s| super::pythons::gil_enabled(&s.row) != Some(false))
        .filter_map(|s| {
            let fig = speedup_figure(s, NO_SPEEDUP, Side::Below)?;
            Some(
                Finding::judge(
                    format!("{} at {:.0}% I/O", who(&s.row), s.row.cell.io_fraction * 100.0),
                    fig,
                    [
                        "no speed-up, as the GIL predicts",
                        "a speed-up the GIL should prevent (a free-threaded build, or an I/O share high enough for the waits to overlap?)",
                        "the repetitions are too spread to tell",
                    ],
                )
                .about(&[&s.row, &s.base])
                .drifted(&[&s.row, &s.base]),
            )
        })
        .collect()
}

/// `min(N, cores)`: the most a CPU-bound model can reach over one worker.
pub(super) fn expected(r: &Row) -> f64 {
    (r.cell.concurrency as usize).min(r.cores) as f64
}

/// Claim 1, second half: Python processes scale with the cores.
pub(crate) fn python_processes(rows: &[Row]) -> Vec<Finding> {
    speedups(rows)
        .iter()
        .filter(|s| s.row.cell.runtime.is_python() && s.row.cell.model == ModelKind::Process)
        .filter(|s| cpu_in_python(&s.row))
        .filter_map(|s| {
            let e = expected(&s.row);
            if e <= 1.0 {
                return Some(Finding::info(format!(
                    "{}: {}× sequential; this machine offers one core, so processes cannot scale here",
                    who(&s.row),
                    num(s.speedup)
                )));
            }
            let fig = speedup_figure(s, WITH_THE_CORES * e, Side::Above)?;
            Some(
                Finding::judge(
                    format!(
                        "{} at {:.0}% I/O, of a possible {}×",
                        who(&s.row),
                        s.row.cell.io_fraction * 100.0,
                        num(e)
                    ),
                    fig,
                    [
                        "processes scale with the cores",
                        "processes fall short of the cores",
                        "the repetitions are too spread to tell",
                    ],
                )
                .about(&[&s.row, &s.base])
                .drifted(&[&s.row, &s.base]),
            )
        })
        .collect()
}

/// Claim 2: native code releasing the GIL scales like Rust threads; holding serializes.
pub(crate) fn gil_release(rows: &[Row]) -> Vec<Finding> {
    let all = speedups(rows);
    let mut out = Vec::new();
    for s in all.iter().filter(|s| {
        s.row.cell.runtime.is_python()
            && s.row.cell.model == ModelKind::Thread
            && s.row.cell.cpu_impl == Some(Impl::Native)
            // Without a GIL (a free-threaded build) there is nothing to hold or release.
            && super::pythons::gil_enabled(&s.row) != Some(false)
    }) {
        let rust = all.iter().find(|o| {
            o.row.cell.runtime == Runtime::Rust
                && o.row.tag == s.row.tag
                && o.row.cell.model == ModelKind::Thread
                && o.row.cell.concurrency == s.row.cell.concurrency
        });
        let mut compared = vec![&s.row, &s.base];
        if let Some(r) = rust {
            compared.extend([&r.row, &r.base]);
        }
        let finding = match s.row.cell.gil {
            Some(Gil::Released) => released(s, rust),
            _ => speedup_figure(s, NO_SPEEDUP, Side::Below).map(|fig| {
                let vs = rust.map_or(String::new(), |r| {
                    format!(" (Rust threads {}×)", num(r.speedup))
                });
                Finding::judge(
                    format!("{}{vs}", who(&s.row)),
                    fig,
                    [
                        "holding the GIL serializes it",
                        "it scales although the GIL is held (is the GIL enabled?)",
                        "the repetitions are too spread to tell",
                    ],
                )
            }),
        };
        if let Some(f) = finding {
            out.push(f.about(&compared).drifted(&compared));
        }
    }
    out
}

/// GIL released: the speed-up against Rust threads' own (a ratio of the two speed-ups,
/// bootstrapped over all four cells), or against the cores when no Rust cell ran.
fn released(s: &Speedup, rust: Option<&Speedup>) -> Option<Finding> {
    let meaning = [
        "released, native code scales like Rust threads",
        "released, it still falls short of Rust threads",
        "the repetitions are too spread to tell",
    ];
    match rust {
        Some(r) => {
            let i = bootstrap(
                &[&s.row.ops(), &s.base.ops(), &r.row.ops(), &r.base.ops()],
                |m| (m[0] / m[1]) / (m[2] / m[3]),
            )?;
            Some(Finding::judge(
                format!(
                    "{}: {}× sequential, Rust threads {}×",
                    who(&s.row),
                    num(s.speedup),
                    num(r.speedup)
                ),
                Judged::new("its speed-up ÷ Rust's", "×", i, WITH_THE_CORES, Side::Above),
                meaning,
            ))
        }
        None => {
            let e = expected(&s.row);
            let fig = speedup_figure(s, WITH_THE_CORES * e, Side::Above)?;
            Some(Finding::judge(
                format!(
                    "{} (no Rust thread cell to compare: against the cores' {}×)",
                    who(&s.row),
                    num(e)
                ),
                fig,
                meaning,
            ))
        }
    }
}
