//! A figure held against a threshold: the interval, the side that supports the claim,
//! and the phrase that says how sure the judgement is.

use serde::Serialize;

use super::Outcome;
use crate::report::data::num;
use crate::stats::Interval;

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

    /// Agrees when the whole interval is on the claim's side, disagrees when it is all on
    /// the other side, inconclusive when it straddles the threshold.
    pub(crate) fn outcome(&self) -> Outcome {
        let (i, t) = (&self.interval, self.threshold);
        let (good, bad) = match self.agrees_when {
            Side::Below => (i.high < t, i.low >= t),
            Side::Above => (i.low >= t, i.high < t),
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
            return format!(
                "{} unbounded (the divisor was zero in every repetition)",
                self.what
            );
        }
        let t = num(self.threshold);
        let place = match (self.outcome(), self.agrees_when) {
            (Outcome::Inconclusive, _) => format!("straddles {t}{u}"),
            (Outcome::Agrees, Side::Below) | (Outcome::Disagrees, Side::Above) => {
                format!("below {t}{u}")
            }
            _ => format!("at or above {t}{u}"),
        };
        let how = if i.assumed {
            format!(
                "one repetition, ±10% assumed: {}–{}{u}",
                num(i.low),
                num(i.high)
            )
        } else {
            format!("95%: {}–{}{u}", num(i.low), num(i.high))
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
        assert!(j.phrase().contains("straddles 1.25×"));
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
