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
        let Some(gil) = seq.iter().find(|g| {
            !free_threaded(g)
                && g.tag == ft.tag
                && minor(g) == minor(ft)
                && g.cell.op_time_us == ft.cell.op_time_us
        }) else {
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
                    "{} ({}) sequential against {} ({}): a {}% tax",
                    ft.cell.runtime_label(),
                    release(ft),
                    gil.cell.runtime_label(),
                    release(gil),
                    num((1.0 - i.estimate) * 100.0)
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
