//! One look per model label — colour, marker and dash — the same in every chart, so a
//! reader learns it once. Colours are the Okabe–Ito palette (safe for the common colour
//! vision deficiencies); the marker and dash carry the variant, so the charts still read
//! in greyscale or print.

use plotters::style::RGBColor;

/// Marker drawn at each data point.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Marker {
    /// Plain runs (Rust, or Python with both halves in Python).
    Circle,
    /// Native helpers holding the GIL.
    Square,
    /// Native helpers releasing the GIL.
    Triangle,
    /// Any other mix of halves.
    Diamond,
}

/// Line pattern between the points.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Dash {
    /// Continuous.
    Solid,
    /// Long dashes.
    Dashed,
    /// Short dots.
    Dotted,
}

/// How one model label is drawn.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Look {
    /// Stroke and fill colour.
    pub color: RGBColor,
    /// Point marker.
    pub marker: Marker,
    /// Line pattern.
    pub dash: Dash,
}

/// The look of a model label (`Cell::model_label`): colour from the model, marker and
/// dash from the Python variant. A pure function of the label, so every chart agrees.
pub(crate) fn look(label: &str) -> Look {
    let model = label.split_whitespace().next().unwrap_or("");
    let base = match model {
        "sequential" => RGBColor(0x55, 0x55, 0x55),
        "thread" => RGBColor(0x00, 0x72, 0xB2),
        "process" => RGBColor(0x00, 0x9E, 0x73),
        "async" => RGBColor(0xE6, 0x9F, 0x00),
        "async+offload" => RGBColor(0xD5, 0x5E, 0x00),
        "async+pool" => RGBColor(0x99, 0x4F, 0x00),
        "rayon" => RGBColor(0xCC, 0x79, 0xA7),
        _ => RGBColor(0x56, 0xB4, 0xE9),
    };
    let (marker, dash, color) = if label.contains("gil=held") {
        (Marker::Square, Dash::Dashed, darker(base))
    } else if label.contains("gil=released") {
        (Marker::Triangle, Dash::Dotted, base)
    } else if label.contains("=native") {
        (Marker::Diamond, Dash::Dashed, base)
    } else {
        (Marker::Circle, Dash::Solid, base)
    };
    Look {
        color,
        marker,
        dash,
    }
}

/// The colour 35% of the way to black: the "held" variant of a model's colour.
fn darker(c: RGBColor) -> RGBColor {
    let f = |v: u8| (f64::from(v) * 0.65).round() as u8;
    RGBColor(f(c.0), f(c.1), f(c.2))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_model_same_hue_and_variants_differ_by_marker() {
        let plain = look("thread cpu=py io=py");
        let held = look("thread cpu=native io=native gil=held");
        let released = look("thread cpu=native io=native gil=released");
        assert_eq!(look("thread"), plain);
        assert_eq!(released.color, plain.color);
        assert_ne!(held.marker, released.marker);
        assert_ne!(held.dash, plain.dash);
        assert_ne!(look("process").color, look("async").color);
        assert_ne!(look("async").color, look("async+offload").color);
    }
}
