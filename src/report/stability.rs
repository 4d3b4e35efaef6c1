//! The "Machine stability" section and the drift clause of the verdicts: how fast the
//! kernel ran around each window compared with the run's calibration (the speed checks
//! of `src/driver/speed.rs`), and the calibration taken again at the end of the run.
//!
//! Nothing is corrected: the section says where the machine was not the machine the ops
//! were sized on, so a reader can tell a real effect from a slow phase (`docs/noise.md`).

use std::fmt::Write;

use super::charts::Table;
use super::data::{num, Row};
use super::html::{esc, table};
use super::names::plain_name;
use crate::metrics::drift;
use crate::results::{CellStatus, Merged};
use crate::scenario::Runtime;

/// The section's body: one table row per file and kernel (min / median / max speed
/// ratio over every check, start and end calibration), then the drifting cells.
pub(crate) fn stability_section(m: &Merged) -> String {
    let mut t = Table {
        head: [
            "file",
            "kernel",
            "checks",
            "slowest",
            "median",
            "fastest",
            "drifting cells",
            "calibration end ÷ start",
        ]
        .map(String::from)
        .to_vec(),
        rows: Vec::new(),
    };
    let mut drifting = String::new();
    for (i, src) in m.sources.iter().enumerate() {
        let cells: Vec<_> = m
            .cells
            .iter()
            .filter(|c| c.source == i && c.result.status == CellStatus::Ok)
            .collect();
        for kernel in Runtime::ALL {
            let of_kernel: Vec<_> = cells
                .iter()
                .filter(|c| crate::python::calibration_runtime(&c.result.cell) == kernel)
                .collect();
            let ratios: Vec<f64> = of_kernel
                .iter()
                .flat_map(|c| drift::ratios(&c.result.repetitions))
                .collect();
            let Some((lo, mid, hi)) = drift::spread(&ratios) else {
                continue;
            };
            let mut n_drifting = 0;
            for c in &of_kernel {
                if let Some(r) = drift::worst(&c.result.repetitions) {
                    n_drifting += 1;
                    let _ = write!(
                        drifting,
                        "<li><code>{}</code>: {}</li>",
                        esc(&m.display_id(c)),
                        esc(&drift::note(r))
                    );
                }
            }
            let cal = &src.results;
            let end = match (
                cal.calibration.get(kernel.as_str()),
                cal.calibration_end.get(kernel.as_str()),
            ) {
                (Some(s), Some(e)) if s.iters_per_us > 0.0 => {
                    format!("{}×", num(e.iters_per_us / s.iters_per_us))
                }
                _ => "—".into(),
            };
            t.rows.push(vec![
                if src.tag.is_empty() {
                    "—".into()
                } else {
                    src.tag.clone()
                },
                kernel.as_str().into(),
                ratios.len().to_string(),
                format!("{}×", num(lo)),
                format!("{}×", num(mid)),
                format!("{}×", num(hi)),
                format!("{n_drifting} of {}", of_kernel.len()),
                end,
            ]);
        }
    }
    if t.rows.is_empty() {
        return "<p class=\"empty\">No speed checks in these results (files written before spectrum measured them).</p>".into();
    }
    let mut s = table(&t, "data");
    if drifting.is_empty() {
        let _ = write!(
            s,
            "<p>Every check stayed within {:.2}–{:.2}× the calibrated speed: no cell drifted.</p>",
            drift::LOW,
            drift::HIGH
        );
    } else {
        let _ = write!(
            s,
            "<p>Cells with a check outside {:.2}–{:.2}× the calibrated speed (the ratio farthest from 1 is shown); compare them with care:</p><ul class=\"drifting\">{drifting}</ul>",
            drift::LOW,
            drift::HIGH
        );
    }
    s
}

/// What drifted among the cells a verdict compares, e.g. "0.60× calibrated speed during
/// the Python sequential (one worker) cell"; `None` when none drifted. The page shows it
/// as a mark on the finding, and says once, in a banner, what drift means.
pub(crate) fn drift_clause(rows: &[&Row]) -> Option<String> {
    let parts: Vec<String> = rows
        .iter()
        .filter_map(|r| {
            drift::worst(&r.result.repetitions).map(|w| {
                format!(
                    "{w:.2}× calibrated speed during the {} cell",
                    plain_name(r.label())
                )
            })
        })
        .collect();
    (!parts.is_empty()).then(|| parts.join(" and "))
}

/// The banner under the page's summary when any cell drifted: said once, with the
/// range of speeds; the findings that compare such cells carry a ⚠ mark. Empty when the
/// machine held steady (or the files have no speed checks).
pub(crate) fn drift_banner(m: &Merged) -> String {
    let ok: Vec<_> = m
        .cells
        .iter()
        .filter(|c| c.result.status == CellStatus::Ok)
        .collect();
    let worst: Vec<f64> = ok
        .iter()
        .filter_map(|c| drift::worst(&c.result.repetitions))
        .collect();
    if worst.is_empty() {
        return String::new();
    }
    let lo = worst.iter().copied().fold(f64::INFINITY, f64::min);
    let hi = worst.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let range = if (hi - lo).abs() < 0.005 {
        format!("{lo:.2}×")
    } else {
        format!("{lo:.2}–{hi:.2}×")
    };
    format!(
        "<p class=\"warning drift-banner\">The machine's speed drifted: during {} of {} cells the kernel ran at {range} the speed it was calibrated at (outside {:.2}–{:.2}×), so ratios involving those cells may show the machine rather than the model. Findings that compare such a cell are marked <span class=\"drift\">⚠ drift</span>; the cells are listed under <a href=\"#stability\">Machine stability</a> and marked ⚠ in the tables.</p>",
        worst.len(),
        ok.len(),
        drift::LOW,
        drift::HIGH
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::metrics::Measurement;
    use crate::report::data::rows;
    use crate::results::{merge, Results};
    use crate::scenario::ModelKind;

    fn fixture() -> Results {
        serde_json::from_str(include_str!("../../tests/fixtures/fixture-results.json")).unwrap()
    }

    /// Gives every repetition of every cell the speed checks `before` and `after`.
    fn checked(mut r: Results, before: f64, after: f64) -> Results {
        for c in &mut r.cells {
            for m in &mut c.repetitions {
                m.kernel_speed_before = Some(before);
                m.kernel_speed_after = Some(after);
            }
            if c.repetitions.is_empty() {
                c.repetitions.push(Measurement {
                    kernel_speed_before: Some(before),
                    kernel_speed_after: Some(after),
                    ..Measurement::default()
                });
            }
        }
        r
    }

    /// Makes the Python pure-CPU sequential cells run at `ratio` after their window.
    fn slow_python_sequential(r: &mut Results, ratio: f64) {
        for c in r
            .cells
            .iter_mut()
            .filter(|c| c.cell.runtime == Runtime::Python && c.cell.model == ModelKind::Sequential)
        {
            for m in &mut c.repetitions {
                m.kernel_speed_after = Some(ratio);
            }
        }
    }

    #[test]
    fn files_without_checks_say_so() {
        let m = merge(&[fixture()]);
        assert!(stability_section(&m).contains("No speed checks"));
    }

    #[test]
    fn a_steady_run_has_a_table_and_no_drifting_cell() {
        let m = merge(&[checked(fixture(), 0.98, 1.02)]);
        let s = stability_section(&m);
        assert!(s.contains("<table"), "{s}");
        assert!(s.contains("no cell drifted"), "{s}");
        assert!(s.contains("0.980×") && s.contains("1.02×"), "{s}");
    }

    #[test]
    fn drifting_cells_are_listed_with_their_ratio() {
        let mut r = checked(fixture(), 1.0, 1.0);
        slow_python_sequential(&mut r, 0.56);
        let m = merge(&[r]);
        let s = stability_section(&m);
        assert!(s.contains("<ul class=\"drifting\">"), "{s}");
        assert!(s.contains("python/sequential"), "{s}");
        assert!(
            s.contains("the kernel ran at 0.56× the calibrated speed: the machine was slower"),
            "{s}"
        );
    }

    #[test]
    fn the_clause_names_the_drifting_cell_only() {
        let mut r = checked(fixture(), 1.0, 1.0);
        slow_python_sequential(&mut r, 0.6);
        let m = merge(&[r]);
        let rows = rows(&m);
        let seq = rows
            .iter()
            .find(|r| r.cell.runtime == Runtime::Python && r.cell.model == ModelKind::Sequential)
            .unwrap();
        let other = rows
            .iter()
            .find(|r| r.cell.runtime == Runtime::Python && r.cell.model == ModelKind::Thread)
            .unwrap();
        assert_eq!(drift_clause(&[other]), None);
        assert_eq!(
            drift_clause(&[other, seq]).as_deref(),
            Some("0.60× calibrated speed during the Python sequential (one worker) cell")
        );
        assert!(
            drift_banner(&m).contains("speed drifted"),
            "{}",
            drift_banner(&m)
        );
        let steady = merge(&[checked(fixture(), 1.0, 1.0)]);
        assert_eq!(drift_banner(&steady), "");
    }

    #[test]
    fn verdicts_comparing_a_drifting_cell_carry_the_clause() {
        use crate::report::verdicts::{io_switches, python_processes, python_threads};
        let mut r = checked(fixture(), 1.0, 1.0);
        let steady = merge(&[r.clone()]);
        let rows_ = rows(&steady);
        let all = [
            python_threads(&rows_),
            python_processes(&rows_),
            io_switches(&rows_),
        ];
        assert!(all.iter().flatten().count() > 0);
        assert!(all.iter().flatten().all(|f| f.drift.is_none()));
        slow_python_sequential(&mut r, 0.6);
        let drifting = merge(&[r]);
        let threads = python_threads(&rows(&drifting));
        assert!(!threads.is_empty());
        assert!(
            threads.iter().all(|f| f
                .drift
                .as_deref()
                .is_some_and(|d| d.ends_with("during the Python sequential (one worker) cell"))),
            "{threads:?}"
        );
        assert!(threads.iter().all(|f| !f.text.contains("calibrated speed")));
    }
}
