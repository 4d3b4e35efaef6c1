//! Verdicts on the Python claims of REFERENCE.md: threads and processes on pure CPU
//! (claim 1) and the GIL held or released around native code (claim 2).

use super::Finding;
use crate::report::charts::speedups;
use crate::report::data::{num, Row};
use crate::scenario::{Gil, Impl, ModelKind, Runtime};

/// "python · N = 64" style prefix for a row (tag added when files were merged).
pub(super) fn who(r: &Row) -> String {
    let mut s = format!("{} {}", r.cell.runtime.as_str(), r.label());
    if !r.tag.is_empty() {
        s = format!("[{}] {s}", r.tag);
    }
    format!("{s} ×{}", r.cell.concurrency)
}

fn cpu_in_python(r: &Row) -> bool {
    r.cell.cpu_impl != Some(Impl::Native)
}

/// Claim 1, first half: Python threads on pure CPU give no speed-up.
pub(crate) fn python_threads(rows: &[Row]) -> Vec<Finding> {
    speedups(rows)
        .iter()
        .filter(|s| s.row.cell.runtime.is_python() && s.row.cell.model == ModelKind::Thread)
        .filter(|s| cpu_in_python(&s.row))
        .map(|s| {
            let none = s.speedup < 1.25;
            let text = format!(
                "{} at {:.0}% I/O: {}× sequential — {}",
                who(&s.row),
                s.row.cell.io_fraction * 100.0,
                num(s.speedup),
                if none {
                    "no speed-up, as the GIL predicts"
                } else {
                    "a speed-up the GIL should prevent (a free-threaded build, or an I/O share high enough for the waits to overlap?)"
                }
            );
            Finding::judged(none, text).drifted(&[&s.row, &s.base])
        })
        .collect()
}

/// How `speedup` compares with `min(N, cores)`, the most a CPU-bound model can reach.
pub(super) fn scales(r: &Row, speedup: f64) -> (bool, f64) {
    let expected = (r.cell.concurrency as usize).min(r.cores) as f64;
    (speedup >= 0.75 * expected, expected)
}

/// Claim 1, second half: Python processes scale with the cores.
pub(crate) fn python_processes(rows: &[Row]) -> Vec<Finding> {
    speedups(rows)
        .iter()
        .filter(|s| s.row.cell.runtime.is_python() && s.row.cell.model == ModelKind::Process)
        .filter(|s| cpu_in_python(&s.row))
        .map(|s| {
            let (ok, expected) = scales(&s.row, s.speedup);
            if expected <= 1.0 {
                return Finding::info(format!(
                    "{}: {}× sequential; this machine offers one core, so processes cannot scale here",
                    who(&s.row),
                    num(s.speedup)
                ));
            }
            Finding::judged(
                ok,
                format!(
                    "{} at {:.0}% I/O: {}× sequential of a possible {}× — {}",
                    who(&s.row),
                    s.row.cell.io_fraction * 100.0,
                    num(s.speedup),
                    num(expected),
                    if ok {
                        "processes scale with the cores"
                    } else {
                        "processes fall short of the cores"
                    }
                ),
            )
            .drifted(&[&s.row, &s.base])
        })
        .collect()
}

/// Claim 2: native code releasing the GIL scales like Rust threads; holding it serializes.
pub(crate) fn gil_release(rows: &[Row]) -> Vec<Finding> {
    let all = speedups(rows);
    let mut out = Vec::new();
    for s in all.iter().filter(|s| {
        s.row.cell.runtime.is_python()
            && s.row.cell.model == ModelKind::Thread
            && s.row.cell.cpu_impl == Some(Impl::Native)
    }) {
        let rust = all.iter().find(|o| {
            o.row.cell.runtime == Runtime::Rust
                && o.row.tag == s.row.tag
                && o.row.cell.model == ModelKind::Thread
                && o.row.cell.concurrency == s.row.cell.concurrency
        });
        let (reference, what) = match rust {
            Some(r) => (r.speedup, format!("Rust threads {}×", num(r.speedup))),
            None => {
                let (_, e) = scales(&s.row, s.speedup);
                (
                    e,
                    format!("the cores' {}× (no Rust thread cell to compare)", num(e)),
                )
            }
        };
        let mut compared = vec![&s.row, &s.base];
        if let Some(r) = rust {
            compared.extend([&r.row, &r.base]);
        }
        match s.row.cell.gil {
            Some(Gil::Released) => {
                let ok = s.speedup >= 0.75 * reference;
                out.push(
                    Finding::judged(
                        ok,
                        format!(
                            "{}: {}× sequential vs {} — {}",
                            who(&s.row),
                            num(s.speedup),
                            what,
                            if ok {
                                "released, native code scales like Rust threads"
                            } else {
                                "released, it still falls short of Rust threads"
                            }
                        ),
                    )
                    .drifted(&compared),
                );
            }
            _ => {
                let serial = s.speedup < 1.25;
                out.push(
                    Finding::judged(
                        serial,
                        format!(
                            "{}: {}× sequential vs {} — {}",
                            who(&s.row),
                            num(s.speedup),
                            what,
                            if serial {
                                "holding the GIL serializes it"
                            } else {
                                "it scales although the GIL is held (is the GIL enabled?)"
                            }
                        ),
                    )
                    .drifted(&compared),
                );
            }
        }
    }
    out
}
