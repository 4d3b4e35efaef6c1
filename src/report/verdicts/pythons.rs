//! Verdicts on Python beyond one GIL, judged per interpreter (scenario key
//! `interpreter`): "threads do not speed up pure-Python CPU work" (holds on a GIL build,
//! fails on a free-threaded one) and "free-threading costs single-thread speed" (the
//! free-threaded build's sequential ops/s against the GIL build of the same version).

use super::python::{expected, who};
use super::{Finding, Judged, Side};
use crate::report::charts::speedups;
use crate::report::data::{num, Row};
use crate::scenario::{Impl, ModelKind, Runtime};
use crate::stats::ratio_of_medians;

/// Below this speed-up threads give "no speed-up" (claim 1's threshold).
const NO_SPEEDUP: f64 = 1.25;

/// The GIL state the row's interpreter ran with (`gil_enabled` of its measurements),
/// `None` when it was not recorded.
pub(crate) fn gil_enabled(r: &Row) -> Option<bool> {
    r.result
        .repetitions
        .iter()
        .find_map(|m| m.info.get("gil_enabled")?.as_bool())
}

/// The interpreter's release as recorded (`3.13.5`), else the name asked for.
pub(crate) fn release(r: &Row) -> String {
    r.result
        .repetitions
        .iter()
        .find_map(|m| Some(m.info.get("python_release")?.as_str()?.to_string()))
        .or_else(|| r.cell.interpreter.clone())
        .unwrap_or_default()
}

/// Built with `--disable-gil` (recorded `free_threaded_build`).
pub(crate) fn free_threaded(r: &Row) -> bool {
    r.result.repetitions.iter().any(|m| {
        m.info
            .get("free_threaded_build")
            .and_then(serde_json::Value::as_bool)
            == Some(true)
    })
}

/// A pure-Python CPU row of a named interpreter.
fn python_cpu(r: &Row) -> bool {
    r.cell.runtime == Runtime::Cpython
        && r.cell.interpreter.is_some()
        && r.cell.cpu_impl != Some(Impl::Native)
}

/// "Threads do not speed up pure-Python CPU work", per interpreter and N.
pub(crate) fn threads_per_interpreter(rows: &[Row]) -> Vec<Finding> {
    speedups(rows)
        .iter()
        .filter(|s| python_cpu(&s.row) && s.row.cell.model == ModelKind::Thread)
        .filter(|s| s.row.cell.io_fraction == 0.0 && expected(&s.row) > 1.0)
        .filter_map(|s| {
            let i = ratio_of_medians(&s.row.ops(), &s.base.ops())?;
            let gil = match gil_enabled(&s.row) {
                Some(false) => "GIL disabled",
                Some(true) => "GIL enabled",
                None => "GIL not recorded",
            };
            Some(
                Finding::judge(
                    format!("{} ({}, {gil})", who(&s.row), release(&s.row)),
                    Judged::new("speed-up over sequential", "×", i, NO_SPEEDUP, Side::Below),
                    [
                        "no speed-up: the GIL lets one thread run Python at a time",
                        "threads run Python in parallel here (no GIL)",
                        "the repetitions are too spread to tell",
                    ],
                )
                .about(&[&s.row, &s.base]),
            )
        })
        .collect()
}

/// "Free-threading costs single-thread speed": sequential pure-CPU ops/s of each
/// free-threaded interpreter over the GIL build of the same `MAJOR.MINOR`.
pub(crate) fn free_threading_tax(rows: &[Row]) -> Vec<Finding> {
    let seq: Vec<&Row> = rows
        .iter()
        .filter(|r| python_cpu(r) && r.cell.model == ModelKind::Sequential)
        .filter(|r| r.cell.io_fraction == 0.0)
        .collect();
    let minor = |r: &Row| {
        let rel = release(r);
        rel.rsplit_once('.')
            .map_or(rel.clone(), |(mm, _)| mm.to_string())
    };
    let mut out = Vec::new();
    for ft in seq.iter().filter(|r| free_threaded(r)) {
        let twin = |g: &&&Row| {
            !free_threaded(g)
                && g.tag == ft.tag
                && minor(g) == minor(ft)
                && g.cell.op_time_us == ft.cell.op_time_us
        };
        // The same release with the GIL when the run has it (the free-threaded script's
        // --with-gil-twin builds one): else the tax is mixed with a patch release's own
        // changes, and the finding says so.
        let Some(gil) = seq
            .iter()
            .find(|g| twin(g) && release(g) == release(ft))
            .or_else(|| seq.iter().find(twin))
        else {
            out.push(Finding::info(format!(
                "{} ({}): no GIL build of {} ran beside it, so its single-thread cost cannot be measured",
                ft.cell.runtime_label(),
                release(ft),
                minor(ft)
            )));
            continue;
        };
        let Some(i) = ratio_of_medians(&ft.ops(), &gil.ops()) else {
            continue;
        };
        out.push(
            Finding::judge(
                format!(
                    "{} ({}) sequential against {} ({}): a {}% tax{}",
                    ft.cell.runtime_label(),
                    release(ft),
                    gil.cell.runtime_label(),
                    release(gil),
                    num((1.0 - i.estimate) * 100.0),
                    if release(gil) == release(ft) {
                        ""
                    } else {
                        " (different patch releases: the tax is mixed with the releases' own changes; scripts/get-free-threaded-python.sh --with-gil-twin builds the same release with the GIL)"
                    }
                ),
                Judged::new("ops/s ratio", "×", i, 1.0, Side::Below),
                [
                    "free-threading costs single-thread speed",
                    "the free-threaded build is as fast or faster on one thread",
                    "the repetitions are too spread to tell",
                ],
            )
            .about(&[ft, gil]),
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::metrics::Measurement;
    use crate::report::data::rows;
    use crate::results::{merge, Results};
    use crate::scenario::Cell;

    /// A `cpython` sequential pure-CPU cell on `interpreter`, whose interpreter reported
    /// `release` and `free`, at `ops` ops/s in three repetitions.
    fn seq(
        base: &crate::results::CellResult,
        interpreter: &str,
        release: &str,
        free: bool,
        ops: f64,
    ) -> crate::results::CellResult {
        let mut c = base.clone();
        c.cell = Cell::sleep_op(Runtime::Cpython, ModelKind::Sequential, 1000.0, 0.0, 1);
        c.cell.interpreter = Some(interpreter.into());
        c.cell.cpu_impl = Some(Impl::Python);
        c.id = c.cell.id();
        c.label = c.cell.model_label();
        c.repetitions = [0.99, 1.0, 1.01]
            .iter()
            .map(|k| {
                let mut m = Measurement {
                    ops_per_s: ops * k,
                    ops: 100,
                    ..Measurement::default()
                };
                m.info.insert("python_release".into(), release.into());
                m.info.insert("free_threaded_build".into(), free.into());
                m
            })
            .collect();
        c
    }

    #[test]
    fn the_tax_is_taken_against_the_same_release_when_the_run_has_it() {
        let mut r: Results =
            serde_json::from_str(include_str!("../../../tests/fixtures/fixture-results.json"))
                .unwrap();
        let base = r.cells[0].clone();
        // 3.13.0 with the GIL is faster than 3.13.5 with it: against it, the tax would
        // read 30%; against its own release, 10%.
        r.cells = vec![
            seq(&base, "3.13", "3.13.0", false, 1000.0),
            seq(&base, "/p/3.13/bin/python3", "3.13.5", false, 780.0),
            seq(&base, "3.13t", "3.13.5", true, 700.0),
        ];
        let m = merge(std::slice::from_ref(&r));
        let all = rows(&m);
        let f = free_threading_tax(&all);
        assert_eq!(f.len(), 1, "{f:?}");
        assert!(
            f[0].text
                .contains("against cpython@/p/3.13/bin/python3 (3.13.5): a 10"),
            "{}",
            f[0].text
        );
        assert!(
            !f[0].text.contains("different patch releases"),
            "{}",
            f[0].text
        );
        // Without the twin, the other patch release stands in, and the finding says so.
        r.cells.remove(1);
        let m = merge(std::slice::from_ref(&r));
        let all = rows(&m);
        let f = free_threading_tax(&all);
        assert!(f[0].text.contains("(3.13.0): a 30"), "{}", f[0].text);
        assert!(
            f[0].text.contains("different patch releases"),
            "{}",
            f[0].text
        );
    }
}
