//! Machine-speed drift: how far the speed checks around a cell's windows strayed from
//! the run's calibration (see `src/driver/speed.rs` and `docs/noise.md`).
//!
//! Nothing here corrects a figure. A cell is *drifting* when any repetition's check,
//! before or after its window, ran the kernel outside [`LOW`]..=[`HIGH`] of the
//! calibrated speed: the machine was not the machine the op was sized on, and what that
//! cell is compared with deserves care.

use super::Measurement;

/// Below this ratio of the calibrated speed the machine counts as slower.
pub const LOW: f64 = 0.85;
/// Above this ratio it counts as faster.
pub const HIGH: f64 = 1.15;

/// Every speed ratio measured over `reps` (before and after each window), in order.
pub fn ratios(reps: &[Measurement]) -> Vec<f64> {
    reps.iter()
        .flat_map(|m| [m.kernel_speed_before, m.kernel_speed_after])
        .flatten()
        .filter(|r| r.is_finite() && *r > 0.0)
        .collect()
}

/// Whether one ratio lies outside the steady band.
pub fn drifted(ratio: f64) -> bool {
    !(LOW..=HIGH).contains(&ratio)
}

/// The ratio farthest from 1.0 (on a log scale: 0.5× is as far as 2×) when the cell
/// drifted; `None` when every check stayed in the band or none was measured.
pub fn worst(reps: &[Measurement]) -> Option<f64> {
    ratios(reps)
        .into_iter()
        .filter(|r| drifted(*r))
        .max_by(|a, b| a.ln().abs().total_cmp(&b.ln().abs()))
}

/// The sentence for a drifted ratio: "the kernel ran at 0.56× the calibrated speed".
pub fn describe(ratio: f64) -> String {
    format!("the kernel ran at {ratio:.2}× the calibrated speed")
}

/// The note for a drifting cell: the ratio and what it means for the machine.
pub fn note(ratio: f64) -> String {
    format!(
        "{}: the machine was {} during this cell",
        describe(ratio),
        if ratio < 1.0 { "slower" } else { "faster" }
    )
}

/// Minimum, median and maximum of `ratios` (`None` when empty).
pub fn spread(ratios: &[f64]) -> Option<(f64, f64, f64)> {
    let mut v: Vec<f64> = ratios.to_vec();
    v.sort_by(f64::total_cmp);
    let (first, last) = (*v.first()?, *v.last()?);
    Some((first, v[v.len() / 2], last))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rep(before: Option<f64>, after: Option<f64>) -> Measurement {
        Measurement {
            kernel_speed_before: before,
            kernel_speed_after: after,
            ..Measurement::default()
        }
    }

    #[test]
    fn the_band_is_inclusive() {
        assert!(!drifted(1.0));
        assert!(!drifted(LOW));
        assert!(!drifted(HIGH));
        assert!(drifted(0.84));
        assert!(drifted(1.16));
    }

    #[test]
    fn a_steady_cell_has_no_worst() {
        let reps = [rep(Some(0.97), Some(1.05)), rep(Some(1.0), None)];
        assert_eq!(ratios(&reps), vec![0.97, 1.05, 1.0]);
        assert_eq!(worst(&reps), None);
        assert_eq!(worst(&[rep(None, None)]), None);
    }

    #[test]
    fn either_check_of_any_repetition_flags_the_cell() {
        let reps = [rep(Some(1.0), Some(1.0)), rep(Some(0.99), Some(0.56))];
        assert_eq!(worst(&reps), Some(0.56));
        // On a log scale 0.5× is farther from 1 than 1.6×.
        let reps = [rep(Some(1.6), Some(0.5))];
        assert_eq!(worst(&reps), Some(0.5));
        let reps = [rep(Some(1.3), Some(0.9))];
        assert_eq!(worst(&reps), Some(1.3));
        assert_eq!(
            note(0.564),
            "the kernel ran at 0.56× the calibrated speed: the machine was slower during this cell"
        );
        assert!(note(1.3).ends_with("faster during this cell"));
        assert_eq!(
            describe(0.564),
            "the kernel ran at 0.56× the calibrated speed"
        );
    }

    #[test]
    fn spread_is_min_median_max() {
        assert_eq!(spread(&[]), None);
        assert_eq!(spread(&[1.2, 0.6, 1.0]), Some((0.6, 1.0, 1.2)));
        // Garbage ratios (a zero or NaN from a broken file) are not counted.
        assert_eq!(ratios(&[rep(Some(0.0), Some(f64::NAN))]), Vec::<f64>::new());
    }
}
