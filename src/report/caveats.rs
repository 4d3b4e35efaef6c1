//! What a reader should know before trusting a run's figures, counted in cells: the
//! machine's speed drifting (the speed checks, `metrics::drift`), repetitions too few or
//! too spread, a delay server that fell behind, efficiency beyond the ideal bound, a
//! machine busy at the start. The tables mark cells with [`Marks`]; the closing block
//! names the caveat that touches the most cells.

use crate::metrics::{drift, Summary, SERVER_LIMITED_SHARE};
use crate::results::{CellResult, CellStatus, Results};

/// Repetitions spread wider than this share of their median (`±%` above 10) make a
/// cell noisy: a comparison at the 5% noise threshold cannot be decided on it.
pub(crate) const NOISY_SPREAD: f64 = 0.10;

/// The marks one measured cell gets in a table.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Marks {
    /// The speed check farthest from the calibration, when outside the steady band (`*`).
    pub drift: Option<f64>,
    /// A `tcp` cell whose delay server fell behind: it measured the far end (`^`).
    pub limited: bool,
    /// Efficiency above the bound by more than the measurement explains (`!`).
    pub suspect: bool,
}

impl Marks {
    /// The marks of cell `c` with summary `s`.
    pub(crate) fn of(c: &CellResult, s: &Summary) -> Marks {
        Marks {
            drift: drift::worst(&c.repetitions),
            limited: s.server.is_some_and(|sv| sv.limited(c.cell.io_us)),
            // A counting cell's op is increments, not the kernel its bound is sized by:
            // above the bound is no measurement problem there.
            suspect: s.efficiency_suspect() && c.cell.counter.is_none(),
        }
    }

    /// The marks as the tables append them to a cell's name: `" * ^ !"`, or empty.
    pub(crate) fn text(self) -> String {
        let mut s = String::new();
        for (on, mark) in [
            (self.drift.is_some(), " *"),
            (self.limited, " ^"),
            (self.suspect, " !"),
        ] {
            if on {
                s.push_str(mark);
            }
        }
        s
    }
}

/// One caveat: how many cells it touches and what it means.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Caveat {
    /// The measured cells it touches.
    pub cells: usize,
    /// One sentence: what happened and what to do about it.
    pub text: String,
}

/// The measured cells of `results` (status ok, with a summary), in run order.
pub(crate) fn measured(results: &Results) -> Vec<(&CellResult, Summary)> {
    results
        .cells
        .iter()
        .filter(|c| c.status == CellStatus::Ok)
        .filter_map(|c| c.summary.map(|s| (c, s)))
        .collect()
}

/// The caveats of `results`, the one touching the most cells first (ties keep the order
/// below: machine, speed, repetitions, server, bound). Empty for a clean run.
pub(crate) fn caveats(results: &Results) -> Vec<Caveat> {
    let measured = measured(results);
    let total = measured.len();
    if total == 0 {
        return Vec::new();
    }
    let marks: Vec<Marks> = measured.iter().map(|(c, s)| Marks::of(c, s)).collect();
    let mut out = Vec::new();
    let mut push = |cells: usize, text: String| {
        if cells > 0 {
            out.push(Caveat { cells, text });
        }
    };
    let env = &results.environment;
    push(
        if env.busy { total } else { 0 },
        format!(
            "the machine was busy when the run started ({}): every figure may be disturbed by other work",
            env.busy_reason()
        ),
    );
    let drifts: Vec<f64> = marks.iter().filter_map(|m| m.drift).collect();
    let (lo, hi) = drifts
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), &r| {
            (lo.min(r), hi.max(r))
        });
    push(
        drifts.len(),
        format!(
            "the machine's speed drifted: around {} of {total} cells the kernel ran outside {:.2}–{:.2}× its calibrated speed ({lo:.2}× to {hi:.2}×); compare those cells with care (docs/noise.md, the report's Machine stability)",
            drifts.len(),
            drift::LOW,
            drift::HIGH
        ),
    );
    let reps = results.run.params.repetitions;
    push(
        if reps < 2 { total } else { 0 },
        "one repetition per cell: nothing measured the noise, so every interval is an assumed ±10%; run with more repetitions (no --quick) before trusting a ratio".to_string(),
    );
    let noisy = measured
        .iter()
        .filter(|(c, s)| c.repetitions.len() > 1 && s.ops_per_s.rel_range > NOISY_SPREAD)
        .count();
    push(
        noisy,
        format!(
            "noise: the repetitions of {noisy} of {total} cells spread more than {:.0}% of their median (the ±% column); their comparisons are likely inconclusive",
            NOISY_SPREAD * 100.0
        ),
    );
    let limited = marks.iter().filter(|m| m.limited).count();
    push(
        limited,
        format!(
            "the delay server fell behind in {limited} tcp cell(s) (replies later than {:.0}% of the wait at p50): they measured the far end, and the verdicts leave them out",
            SERVER_LIMITED_SHARE * 100.0
        ),
    );
    let suspect = marks.iter().filter(|m| m.suspect).count();
    push(
        suspect,
        format!(
            "{suspect} cell(s) ran above the ideal bound by more than the {:.0}% the measurement explains: a measurement problem, not a faster model (docs/noise.md)",
            crate::metrics::EFFICIENCY_TOLERANCE * 100.0
        ),
    );
    // Stable: equal counts keep the order above.
    out.sort_by_key(|c| std::cmp::Reverse(c.cells));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixture() -> Results {
        serde_json::from_str(include_str!("../../tests/fixtures/fixture-results.json")).unwrap()
    }

    #[test]
    fn the_caveat_touching_the_most_cells_comes_first() {
        let mut r = fixture();
        assert_eq!(caveats(&r), vec![], "a clean fixture has none");
        for c in &mut r.cells[..3] {
            for m in &mut c.repetitions {
                m.kernel_speed_after = Some(0.5);
            }
        }
        r.cells[5].summary.as_mut().unwrap().efficiency = 1.5;
        let all = caveats(&r);
        assert_eq!(all.iter().map(|c| c.cells).collect::<Vec<_>>(), [3, 1]);
        assert!(
            all[0].text.contains("around 3 of 119 cells"),
            "{}",
            all[0].text
        );
        assert!(all[0].text.contains("(0.50× to 0.50×)"), "{}", all[0].text);
        // One repetition per cell touches every cell: it becomes the busiest.
        r.run.params.repetitions = 1;
        assert_eq!(caveats(&r)[0].cells, 119);
        assert!(caveats(&r)[0].text.starts_with("one repetition per cell"));
    }
}
