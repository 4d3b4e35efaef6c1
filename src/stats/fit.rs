//! Least-squares lines: the memory a unit adds (peak RSS against N).
//!
//! Ordinary least squares of `y = intercept + slope·x` over every point given (each
//! repetition of each N is a point, so the fit sees the spread between repetitions),
//! with R² and a 95% interval of the slope from its standard error and Student's t.
//! A line through two distinct x always fits perfectly and says nothing about whether
//! the relation is a line: fewer than [`MIN_FIT_POINTS`] distinct x give no fit.

use serde::{Deserialize, Serialize};

use super::Interval;

/// The fewest distinct x a fit needs.
pub const MIN_FIT_POINTS: usize = 3;

/// A fitted line.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Fit {
    /// Slope, with its 95% interval (estimate ± t·standard error).
    pub slope: Interval,
    /// Intercept: y at x = 0.
    pub intercept: f64,
    /// Coefficient of determination: the share of y's variance the line explains.
    pub r2: f64,
    /// Points behind the fit.
    pub points: usize,
    /// Distinct x behind the fit.
    pub distinct_x: usize,
}

/// The least-squares line through `points` (x, y); `None` with fewer than
/// [`MIN_FIT_POINTS`] distinct x or non-finite values.
pub fn least_squares(points: &[(f64, f64)]) -> Option<Fit> {
    if points.iter().any(|(x, y)| !x.is_finite() || !y.is_finite()) {
        return None;
    }
    let mut xs: Vec<f64> = points.iter().map(|p| p.0).collect();
    xs.sort_by(f64::total_cmp);
    xs.dedup();
    if xs.len() < MIN_FIT_POINTS {
        return None;
    }
    let n = points.len() as f64;
    let mx = points.iter().map(|p| p.0).sum::<f64>() / n;
    let my = points.iter().map(|p| p.1).sum::<f64>() / n;
    let sxx: f64 = points.iter().map(|p| (p.0 - mx).powi(2)).sum();
    let sxy: f64 = points.iter().map(|p| (p.0 - mx) * (p.1 - my)).sum();
    let syy: f64 = points.iter().map(|p| (p.1 - my).powi(2)).sum();
    let slope = sxy / sxx;
    let intercept = my - slope * mx;
    let sse: f64 = points
        .iter()
        .map(|p| (p.1 - intercept - slope * p.0).powi(2))
        .sum();
    let r2 = if syy > 0.0 { 1.0 - sse / syy } else { 1.0 };
    let df = points.len() - 2;
    let se = (sse / df as f64 / sxx).sqrt();
    let half = t95(df) * se;
    Some(Fit {
        slope: Interval::new(slope, slope - half, slope + half, points.len()),
        intercept,
        r2,
        points: points.len(),
        distinct_x: xs.len(),
    })
}

/// Student's t for a two-sided 95% interval with `df` degrees of freedom.
fn t95(df: usize) -> f64 {
    const TABLE: [f64; 30] = [
        12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.160,
        2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086, 2.080, 2.074, 2.069, 2.064, 2.060, 2.056,
        2.052, 2.048, 2.045, 2.042,
    ];
    match df {
        0 => f64::INFINITY,
        d if d <= 30 => TABLE[d - 1],
        d if d <= 60 => 2.0,
        _ => 1.96,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_exact_line_fits_with_r2_one() {
        let f = least_squares(&[(2.0, 100.0), (8.0, 160.0), (64.0, 720.0)]).unwrap();
        assert!((f.slope.estimate - 10.0).abs() < 1e-9);
        assert!((f.intercept - 80.0).abs() < 1e-9);
        assert!((f.r2 - 1.0).abs() < 1e-12);
        assert!((f.slope.high - f.slope.low).abs() < 1e-9);
        assert_eq!((f.points, f.distinct_x), (3, 3));
    }

    #[test]
    fn two_distinct_x_are_not_enough() {
        assert!(least_squares(&[(2.0, 100.0), (64.0, 720.0)]).is_none());
        assert!(least_squares(&[(2.0, 1.0), (2.0, 2.0), (8.0, 3.0), (8.0, 4.0)]).is_none());
        assert!(least_squares(&[(1.0, 1.0), (2.0, f64::NAN), (3.0, 3.0)]).is_none());
    }

    #[test]
    fn noise_widens_the_slope_and_lowers_r2() {
        let pts = [
            (10.0, 105.0),
            (10.0, 95.0),
            (100.0, 1010.0),
            (100.0, 990.0),
            (1000.0, 10100.0),
            (1000.0, 9900.0),
        ];
        let f = least_squares(&pts).unwrap();
        assert!((f.slope.estimate - 10.0).abs() < 0.05, "{f:?}");
        assert!(f.slope.low < 10.0 && f.slope.high > 10.0);
        assert!(f.r2 > 0.99 && f.r2 < 1.0);
        let flat = least_squares(&[(1.0, 5.0), (2.0, 1.0), (3.0, 5.0), (4.0, 1.0)]).unwrap();
        assert!(flat.r2 < 0.2, "{flat:?}");
    }
}
