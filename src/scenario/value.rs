//! Typed readers over the spanned TOML tree: strings, numbers, durations, enum names and
//! "a scalar or a list", each failing with a [`ScenarioError`] at the value's line.
//!
//! The scenario is read from `toml::de::DeTable` (every key and value keeps its byte span)
//! rather than through `#[derive(Deserialize)]`: serde's errors know neither the dotted
//! field path nor the fix, and an error that says "expected one of ..." without naming
//! the field is exactly what this module exists to avoid.

use std::ops::Range;

use toml::de::DeValue;
use toml::Spanned;

use super::error::{choose_from, ScenarioError, Source};
use super::{
    AsyncCpu, BackgroundModel, Counter, Fault, FileSync, Gil, Impl, IoKind, ModelKind, Runtime,
};

/// A value of the TOML tree with its byte span.
pub(crate) type Val<'i> = Spanned<DeValue<'i>>;

/// The span of a value, as errors take it.
pub(crate) fn span(v: &Val<'_>) -> Option<Range<usize>> {
    Some(v.span())
}

/// "a string", "an integer", ... for "expected X, found Y" messages.
fn found(v: &Val<'_>) -> String {
    match v.get_ref() {
        DeValue::String(s) => format!("the string \"{s}\""),
        DeValue::Integer(i) => format!("the integer {i}"),
        DeValue::Float(x) => format!("the number {x}"),
        DeValue::Boolean(b) => format!("the boolean {b}"),
        DeValue::Datetime(d) => format!("the date {d}"),
        DeValue::Array(_) => "a list".to_string(),
        DeValue::Table(_) => "a table".to_string(),
    }
}

/// A "wrong type" error: `expected` says what was wanted, `fix` how to write it.
pub(crate) fn wrong_type(
    src: &Source<'_>,
    v: &Val<'_>,
    field: &str,
    expected: &str,
    fix: &str,
) -> ScenarioError {
    src.error(
        span(v),
        field,
        format!("expected {expected}, found {}", found(v)),
        fix,
    )
}

/// A string value.
pub(crate) fn string<'v>(
    src: &Source<'_>,
    v: &'v Val<'_>,
    field: &str,
    fix: &str,
) -> Result<&'v str, ScenarioError> {
    match v.get_ref() {
        DeValue::String(s) => Ok(s.as_ref()),
        _ => Err(wrong_type(src, v, field, "a string", fix)),
    }
}

/// An integer value (TOML integers are i64; other radixes and `_` separators allowed).
pub(crate) fn integer(
    src: &Source<'_>,
    v: &Val<'_>,
    field: &str,
    fix: &str,
) -> Result<i64, ScenarioError> {
    match v.get_ref() {
        DeValue::Integer(i) => i64::from_str_radix(&i.as_str().replace('_', ""), i.radix())
            .map_err(|_| src.error(span(v), field, format!("{i} does not fit in 64 bits"), fix)),
        _ => Err(wrong_type(src, v, field, "a whole number", fix)),
    }
}

/// A finite number, integer or float.
pub(crate) fn number(
    src: &Source<'_>,
    v: &Val<'_>,
    field: &str,
    fix: &str,
) -> Result<f64, ScenarioError> {
    let x = match v.get_ref() {
        DeValue::Integer(_) => integer(src, v, field, fix)? as f64,
        DeValue::Float(f) => f
            .as_str()
            .replace('_', "")
            .parse::<f64>()
            .unwrap_or(f64::NAN),
        _ => return Err(wrong_type(src, v, field, "a number", fix)),
    };
    if x.is_finite() {
        Ok(x)
    } else {
        Err(src.error(
            span(v),
            field,
            format!("{} is not a finite number", found(v)),
            fix,
        ))
    }
}

/// A length of time in microseconds: a string with a unit (`"250us"`, `"250µs"`,
/// `"1.5ms"`, `"2s"`), or a bare number counted in `bare_unit_us` microseconds (1 for
/// `op_time`, whose bare numbers are microseconds; 1e6 for windows and timeouts).
pub(crate) fn duration_us(
    src: &Source<'_>,
    v: &Val<'_>,
    field: &str,
    bare_unit_us: f64,
    fix: &str,
) -> Result<f64, ScenarioError> {
    match v.get_ref() {
        DeValue::String(s) => parse_duration(s).map_err(|problem| {
            src.error(
                span(v),
                field,
                problem,
                format!("write a number and a unit: us, µs, ms or s (e.g. \"500us\", \"10ms\", \"0.5s\"); {fix}"),
            )
        }),
        DeValue::Integer(_) | DeValue::Float(_) => {
            Ok(to_ns_grid(number(src, v, field, fix)? * bare_unit_us))
        }
        _ => Err(wrong_type(
            src,
            v,
            field,
            "a duration (a string like \"10ms\", or a number)",
            fix,
        )),
    }
}

/// Rounds microseconds to whole nanoseconds, so `"0.3ms"` is exactly 300 µs and not
/// 300.00000000000006 (cell ids and duplicate merging compare these numbers).
fn to_ns_grid(us: f64) -> f64 {
    let ns = (us * 1e3).round();
    // A value too large for the grid stays as it is, for the range check to report
    // ("1e300 s is outside ..."), not as "inf".
    if ns.is_finite() {
        ns / 1e3
    } else {
        us
    }
}

/// Parses `"1.5ms"`-style durations into microseconds; the error is the problem's text.
///
/// The unit is the run of letters at the end and the number is everything before it, so
/// `"-1s"` is a negative number of seconds (not an unknown unit `-1s`) and `"1e3ms"` is
/// a thousand milliseconds.
pub(crate) fn parse_duration(s: &str) -> Result<f64, String> {
    let t = s.trim();
    let split = t
        .char_indices()
        .rev()
        .take_while(|(_, c)| c.is_alphabetic())
        .last()
        .map_or(t.len(), |(i, _)| i);
    let (num, unit) = (t[..split].trim().replace('_', ""), &t[split..]);
    let scale = match unit {
        "us" | "µs" | "μs" => 1.0,
        "ms" => 1e3,
        "s" => 1e6,
        "" => return Err(format!("\"{s}\" has no unit")),
        other => return Err(format!("\"{s}\" has an unknown unit \"{other}\"")),
    };
    match num.parse::<f64>() {
        Ok(x) if x < 0.0 => Err(format!(
            "\"{s}\" is negative; a duration is a length of time"
        )),
        Ok(x) if x.is_finite() => Ok(to_ns_grid(x * scale)),
        Ok(_) => Err(format!("\"{s}\" is not a finite number")),
        Err(_) => Err(format!("\"{s}\" does not start with a number")),
    }
}

/// The named values of an enum as they are written in scenario files.
pub(crate) trait Choice: Copy + 'static {
    /// Every accepted name and its value.
    const NAMES: &'static [(&'static str, Self)];
    /// Names accepted but left out of "Choose from" lists (test-only values).
    const HIDDEN: &'static [&'static str] = &[];
}

impl Choice for Runtime {
    const NAMES: &'static [(&'static str, Self)] = &[
        ("rust", Runtime::Rust),
        ("python", Runtime::Python),
        ("cpython", Runtime::Cpython),
    ];
}

impl Choice for ModelKind {
    const NAMES: &'static [(&'static str, Self)] = &[
        ("sequential", ModelKind::Sequential),
        ("thread", ModelKind::Thread),
        ("process", ModelKind::Process),
        ("async", ModelKind::Async),
        ("rayon", ModelKind::Rayon),
        ("subinterpreter", ModelKind::Subinterpreter),
        ("fault", ModelKind::Fault),
    ];
    // `fault` is a test-only model: accepted, never advertised.
    const HIDDEN: &'static [&'static str] = &["fault"];
}

impl Choice for IoKind {
    const NAMES: &'static [(&'static str, Self)] = &[
        ("sleep", IoKind::Sleep),
        ("tcp", IoKind::Tcp),
        ("file", IoKind::File),
    ];
}

impl Choice for FileSync {
    const NAMES: &'static [(&'static str, Self)] = &[
        ("none", FileSync::None),
        ("flush", FileSync::Flush),
        ("fdatasync", FileSync::Fdatasync),
        ("fsync", FileSync::Fsync),
        ("odsync", FileSync::Odsync),
    ];
}

impl Choice for BackgroundModel {
    const NAMES: &'static [(&'static str, Self)] = &[
        ("thread", BackgroundModel::Thread),
        ("process", BackgroundModel::Process),
        ("native", BackgroundModel::Native),
        ("task", BackgroundModel::Task),
    ];
}

impl Choice for Counter {
    const NAMES: &'static [(&'static str, Self)] = &[
        ("racy", Counter::Racy),
        ("racy_call", Counter::RacyCall),
        ("atomic", Counter::Atomic),
        ("locked", Counter::Locked),
    ];
}

impl Choice for AsyncCpu {
    const NAMES: &'static [(&'static str, Self)] = &[
        ("inline", AsyncCpu::Inline),
        ("offload", AsyncCpu::Offload),
        ("pool", AsyncCpu::Pool),
    ];
}

impl Choice for Gil {
    const NAMES: &'static [(&'static str, Self)] =
        &[("held", Gil::Held), ("released", Gil::Released)];
}

impl Choice for Impl {
    const NAMES: &'static [(&'static str, Self)] =
        &[("python", Impl::Python), ("native", Impl::Native)];
}

impl Choice for Fault {
    const NAMES: &'static [(&'static str, Self)] = &[
        ("error", Fault::Error),
        ("panic", Fault::Panic),
        ("abort", Fault::Abort),
        ("hang", Fault::Hang),
    ];
}

/// The advertised names of `T`, for "Choose from" lists.
pub(crate) fn names<T: Choice>() -> Vec<&'static str> {
    T::NAMES
        .iter()
        .map(|(n, _)| *n)
        .filter(|n| !T::HIDDEN.contains(n))
        .collect()
}

/// One enum value, by name.
pub(crate) fn choice<T: Choice>(
    src: &Source<'_>,
    v: &Val<'_>,
    field: &str,
) -> Result<T, ScenarioError> {
    let valid = names::<T>();
    let quoted = valid
        .iter()
        .map(|n| format!("\"{n}\""))
        .collect::<Vec<_>>()
        .join(" or ");
    let s = string(src, v, field, &format!("write one of {quoted}"))?;
    T::NAMES
        .iter()
        .find(|(n, _)| *n == s)
        .map(|(_, t)| *t)
        .ok_or_else(|| {
            src.error(
                span(v),
                field,
                format!("unknown value \"{s}\""),
                choose_from(s, &valid),
            )
        })
}

/// A scalar or a non-empty list of scalars, each read with `one`.
pub(crate) fn list<T>(
    src: &Source<'_>,
    v: &Val<'_>,
    field: &str,
    mut one: impl FnMut(&Val<'_>) -> Result<T, ScenarioError>,
) -> Result<Vec<T>, ScenarioError> {
    match v.get_ref() {
        DeValue::Array(items) if items.is_empty() => Err(src.error(
            span(v),
            field,
            "the list is empty",
            "give at least one value, or remove the key to use its default",
        )),
        DeValue::Array(items) => items.iter().map(&mut one).collect(),
        _ => Ok(vec![one(v)?]),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_take_every_unit() {
        assert_eq!(parse_duration("250us").unwrap(), 250.0);
        assert_eq!(parse_duration("250µs").unwrap(), 250.0);
        assert_eq!(parse_duration("1.5ms").unwrap(), 1500.0);
        assert_eq!(parse_duration("0.3ms").unwrap(), 300.0);
        assert_eq!(parse_duration(" 2 s ").unwrap(), 2e6);
        assert_eq!(parse_duration("1_000us").unwrap(), 1000.0);
    }

    #[test]
    fn durations_reject_bad_strings() {
        assert!(parse_duration("10").unwrap_err().contains("no unit"));
        assert!(parse_duration("10min")
            .unwrap_err()
            .contains("unknown unit \"min\""));
        assert!(parse_duration("ms")
            .unwrap_err()
            .contains("does not start with a number"));
        assert!(parse_duration("1.2.3ms").is_err());
    }

    /// Issue 10, item 11: `"-1s"` was reported as an unknown unit `-1s`.
    #[test]
    fn durations_say_what_is_wrong_with_the_number() {
        assert_eq!(
            parse_duration("-1s").unwrap_err(),
            "\"-1s\" is negative; a duration is a length of time"
        );
        assert!(parse_duration("1e999s")
            .unwrap_err()
            .contains("not a finite"));
        assert!(parse_duration("10 hours")
            .unwrap_err()
            .contains("unknown unit \"hours\""));
        assert_eq!(parse_duration("1e3ms").unwrap(), 1e6);
        assert_eq!(parse_duration("-0s").unwrap(), 0.0);
    }

    #[test]
    fn advertised_names_hide_test_only_models() {
        let n = names::<ModelKind>();
        assert!(n.contains(&"rayon"));
        assert!(!n.contains(&"fault"));
    }
}
