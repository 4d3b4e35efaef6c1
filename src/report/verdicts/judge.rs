//! A figure held against a threshold: the interval, the side that supports the claim,
//! and the phrase that says how sure the judgement is.

use serde::Serialize;

use super::Outcome;
use crate::report::data::num;
use crate::stats::Interval;

/// How far clear of its threshold an interval must lie to decide, as a share of the
/// threshold: the margin of equivalence. The interval spans the repetitions of *one* run;
/// from one run to the next the same figure moves further (a different calibration, a
/// machine phase, a probe taken a few seconds later: 5–8% for the pinned switch costs
/// here). A figure within 5% of its threshold is left undecided rather than called ✓ in
/// one run and ✗ in the next. The same 5% as the baseline comparison's noise threshold.
pub(crate) const MARGIN: f64 = 0.05;

/// Which side of the threshold supports the claim.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub(crate) enum Side {
    /// The claim holds when the figure is below the threshold.
    Below,
    /// The claim holds when the figure is above the threshold.
    Above,
}

/// A figure, its 95% interval and the threshold the claim puts on it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct Judged {
    /// What the figure is ("speed-up over sequential", "threads ÷ async switches/op").
    pub what: String,
    /// Its unit as printed after each number ("×", " KiB").
    pub unit: String,
    /// The figure with its interval.
    pub interval: Interval,
    /// The threshold.
    pub threshold: f64,
    /// The side of the threshold that supports the claim.
    pub agrees_when: Side,
}

impl Judged {
    /// A judged figure.
    pub(crate) fn new(
        what: &str,
        unit: &str,
        interval: Interval,
        threshold: f64,
        agrees_when: Side,
    ) -> Judged {
        Judged {
            what: what.to_string(),
            unit: unit.to_string(),
            interval,
            threshold,
            agrees_when,
        }
    }

    /// Agrees when the whole interval is on the claim's side of the threshold by more
    /// than [`MARGIN`], disagrees when it is all on the other side by more than the
    /// margin, and is inconclusive otherwise.
    pub(crate) fn outcome(&self) -> Outcome {
        let (i, t) = (&self.interval, self.threshold);
        let (up, down) = (t * (1.0 + MARGIN), t * (1.0 - MARGIN));
        let (good, bad) = match self.agrees_when {
            Side::Below => (i.high < down, i.low >= up),
            Side::Above => (i.low >= up, i.high < down),
        };
        if good {
            Outcome::Agrees
        } else if bad {
            Outcome::Disagrees
        } else {
            Outcome::Inconclusive
        }
    }

    /// "speed-up over sequential 0.97× (95%: 0.94–1.00×, below 1.25×)".
    pub(crate) fn phrase(&self) -> String {
        let (i, u) = (&self.interval, &self.unit);
        if !i.estimate.is_finite() {
            return format!("{} unbounded (its divisor is zero or below)", self.what);
        }
        let t = num(self.threshold);
        let place = match (self.outcome(), self.agrees_when) {
            (Outcome::Inconclusive, _) => format!("not clear of {t}{u} by 5%"),
            (Outcome::Agrees, Side::Below) | (Outcome::Disagrees, Side::Above) => {
                format!("below {t}{u}")
            }
            _ => format!("at or above {t}{u}"),
        };
        // An unbounded end (a divisor at zero in some resample) reads as ∞, not "—".
        let end = |x: f64| {
            if x.is_infinite() {
                "∞".into()
            } else {
                num(x)
            }
        };
        let how = if i.assumed {
            format!(
                "one repetition, ±10% assumed: {}–{}{u}",
                end(i.low),
                end(i.high)
            )
        } else {
            format!("95%: {}–{}{u}", end(i.low), end(i.high))
        };
        format!("{} {}{u} ({how}, {place})", self.what, num(i.estimate))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_phrase_says_where_the_interval_lies() {
        let j = Judged::new(
            "speed-up",
            "×",
            Interval::new(0.97, 0.94, 1.0, 3),
            1.25,
            Side::Below,
        );
        assert_eq!(
            j.phrase(),
            "speed-up 0.970× (95%: 0.940–1.00×, below 1.25×)"
        );
        let j = Judged::new(
            "ratio",
            "×",
            Interval::new(1.2, 1.1, 1.3, 3),
            1.25,
            Side::Above,
        );
        assert_eq!(j.outcome(), Outcome::Inconclusive);
        assert!(
            j.phrase().contains("not clear of 1.25× by 5%"),
            "{}",
            j.phrase()
        );
        // Clear of the threshold but not of its 5% margin, on either side: undecided.
        let margin = |low: f64, high: f64| {
            Judged::new(
                "r",
                "×",
                Interval::new((low + high) / 2.0, low, high, 3),
                1.1,
                Side::Above,
            )
            .outcome()
        };
        assert_eq!(margin(1.12, 1.16), Outcome::Inconclusive);
        assert_eq!(margin(1.04, 1.08), Outcome::Inconclusive);
        assert_eq!(margin(1.16, 1.20), Outcome::Agrees);
        assert_eq!(margin(0.98, 1.02), Outcome::Disagrees);
        let j = Judged::new(
            "ratio",
            "×",
            Interval::new(3.0, 2.5, 3.5, 3),
            2.0,
            Side::Above,
        );
        assert_eq!(j.outcome(), Outcome::Agrees);
        assert!(j.phrase().contains("at or above 2.00×"), "{}", j.phrase());
    }
}
