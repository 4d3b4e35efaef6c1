//! Tick positions and labels for the log axes: 1-2-5 steps in every decade where there is
//! room for them, and numbers written as people write them ("2k", "500 µs", "1 s")
//! instead of "1000000 µs".

use crate::report::data::{num_trim, show_us};

/// Fewest pixels between two tick labels of a vertical axis (one line of text apart).
pub(crate) const GAP_Y: f64 = 22.0;
/// Fewest pixels between two tick labels of a horizontal axis ("500 µs" is ~45 px).
pub(crate) const GAP_X: f64 = 52.0;

/// The tick values (data units) of a log axis spanning `lo_l`–`hi_l` (log10 units) over
/// `px` pixels: 1, 2 and 5 of each decade when the closest pair (1 and 2, a third of a
/// decade) gets `gap` pixels; 1 and 3 when a half decade does; else every decade, or
/// every other one on a very long axis.
pub(crate) fn log_ticks(lo_l: f64, hi_l: f64, px: f64, gap: f64) -> Vec<f64> {
    let decades = (hi_l - lo_l).max(1e-9);
    let per_decade = px / decades;
    let steps: &[f64] = if per_decade * 2f64.log10() >= gap {
        &[1.0, 2.0, 5.0]
    } else if per_decade * 0.5 >= gap {
        &[1.0, 3.0]
    } else {
        &[1.0]
    };
    let every = if per_decade >= gap { 1 } else { 2 };
    let mut out = Vec::new();
    let first = lo_l.floor() as i32;
    let last = hi_l.ceil() as i32;
    for d in first..=last {
        if (d - first) % every != 0 {
            continue;
        }
        for m in steps {
            let v = m * 10f64.powi(d);
            let l = v.log10();
            if l >= lo_l - 1e-9 && l <= hi_l + 1e-9 {
                out.push(v);
            }
        }
    }
    out
}

/// A tick label: durations in µs as "500 µs", "2 ms", "1 s"; other numbers with k / M
/// for thousands and millions ("20k", "1M") and trailing zeros trimmed.
pub(crate) fn tick_text(v: f64, micros: bool) -> String {
    if micros {
        return show_us(v);
    }
    let a = v.abs();
    if a >= 1e6 {
        format!("{}M", num_trim(v / 1e6))
    } else if a >= 1e4 {
        format!("{}k", num_trim(v / 1e3))
    } else {
        num_trim(v)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_two_five_where_there_is_room() {
        // Two decades over 300 px: 1, 2, 5 in each.
        let t = log_ticks(0.0, 2.0, 300.0, GAP_Y);
        assert_eq!(t, vec![1.0, 2.0, 5.0, 10.0, 20.0, 50.0, 100.0]);
        // Eight decades over 300 px: decades only.
        let t = log_ticks(-2.0, 6.0, 300.0, GAP_Y);
        assert!(t
            .iter()
            .all(|v| (v.log10().round() - v.log10()).abs() < 1e-9));
        // Twenty decades over 300 px: every other decade.
        assert_eq!(log_ticks(0.0, 20.0, 300.0, GAP_Y).len(), 11);
        // Labels side by side need more room than labels one above the other.
        assert!(log_ticks(0.0, 2.0, 300.0, GAP_X).len() < 7);
    }

    #[test]
    fn labels_read_like_numbers_people_write() {
        assert_eq!(tick_text(1e6, true), "1 s");
        assert_eq!(tick_text(500.0, true), "500 µs");
        assert_eq!(tick_text(2000.0, true), "2 ms");
        assert_eq!(tick_text(10000.0, false), "10k");
        assert_eq!(tick_text(2e6, false), "2M");
        assert_eq!(tick_text(0.05, false), "0.05");
        assert_eq!(tick_text(1000.0, false), "1000");
    }
}
