//! The scenario document: top-level keys, `[defaults]` → [`RunParams`], the sweep tables
//! handed to [`expand`](super::expand), and the resulting [`Plan`].

use std::ops::Range;

use toml::de::{DeTable, DeValue};

use super::axes::{self, show_number, Axes};
use super::error::{choose_from, ScenarioError, Source};
use super::expand::{expand, Table};
use super::value::{self, span, Val};
use super::{Budget, Plan, RunParams, OPS_MAX, REPETITIONS_MAX};
use std::collections::BTreeMap;

/// The keys allowed at the top of a scenario file.
const TOP_KEYS: [&str; 6] = [
    "name",
    "description",
    "defaults",
    "sweep",
    "include",
    "exclude",
];
/// The keys of `[defaults]`.
const DEFAULT_KEYS: [&str; 7] = [
    "op_time",
    "duration",
    "ops",
    "repetitions",
    "warmup",
    "timeout",
    "timeline",
];

/// Most ops a cell's timeline may sample: at 5 numbers an op, 20 000 spans are about
/// 1 MB of results.json per cell.
pub(crate) const TIMELINE_MAX: u64 = 20_000;
/// Ops sampled when `[defaults]` does not say: enough for a chart of the first
/// milliseconds of every cell, about 15 KB of results.json per cell.
pub(crate) const TIMELINE_DEFAULT: u64 = 256;

/// Longest measured window per repetition, in seconds.
const DURATION_MAX_S: f64 = 600.0;
/// Shortest repetition timeout, in seconds: below a millisecond no child even starts.
pub(crate) const TIMEOUT_MIN_S: f64 = 1e-3;
/// Longest repetition timeout, in seconds: a day. Past that a hung cell is never noticed
/// (and `1e300` seconds is no time the clock can add).
pub(crate) const TIMEOUT_MAX_S: f64 = 86_400.0;

/// Parses and validates a scenario; `source` names it in errors and in the plan.
pub(crate) fn parse(text: &str, source: &str) -> Result<Plan, ScenarioError> {
    let src = Source { name: source, text };
    let doc = DeTable::parse(text).map_err(|e| src.syntax(&e))?;
    let root = doc.get_ref();

    let mut name = None;
    let mut description = String::new();
    let mut defaults = Defaults::standard();
    let mut sweep = None;
    let mut includes = Vec::new();
    let mut excludes = Vec::new();
    for (key, v) in root.iter() {
        match key.get_ref().as_ref() {
            "name" => name = Some(scenario_name(&src, v)?),
            "description" => {
                description =
                    value::string(&src, v, "description", "write it in quotes")?.to_string()
            }
            "defaults" => defaults = Defaults::read(&src, table(&src, v, "defaults")?)?,
            "sweep" => {
                let t = table(&src, v, "sweep")?;
                sweep = Some(Table {
                    path: "sweep".to_string(),
                    axes: Axes::read(&src, t, "sweep")?,
                    span: v.span(),
                });
            }
            "include" => includes = tables(&src, v, "include")?,
            "exclude" => excludes = tables(&src, v, "exclude")?,
            other => return Err(unknown_key(&src, &key.span(), "", other, &TOP_KEYS)),
        }
    }
    let name = name.ok_or_else(|| {
        src.error(
            None,
            "name",
            "missing key `name`",
            "add name = \"my-sweep\" at the top of the file (it names the output folder)",
        )
    })?;
    let (cells, notes) = expand(
        &src,
        sweep.as_ref(),
        &includes,
        &excludes,
        defaults.op_time_us,
    )?;
    Ok(Plan {
        name,
        description,
        source: source.to_string(),
        text: text.to_string(),
        params: defaults.params,
        cells,
        notes,
        defaults_lines: defaults.lines,
    })
}

/// An "unknown key" error listing the valid keys of the table at `path` ("" for the top).
pub(crate) fn unknown_key(
    src: &Source<'_>,
    at: &Range<usize>,
    path: &str,
    key: &str,
    valid: &[&str],
) -> ScenarioError {
    let field = if path.is_empty() {
        key.to_string()
    } else {
        format!("{path}.{key}")
    };
    // TOML puts every key after a [table] header into that table: a `name` written below
    // [sweep] is `sweep.name`. Say so rather than list sweep keys.
    let fix = if !path.is_empty() && TOP_KEYS[..2].contains(&key) {
        format!("`{key}` belongs at the top of the file, before the first [table] header")
    } else {
        choose_from(key, valid)
    };
    let place = if path.is_empty() {
        "at the top level".to_string()
    } else {
        format!("in [{path}]")
    };
    src.error(
        Some(at.clone()),
        &field,
        format!("unknown key `{key}` {place}"),
        fix,
    )
}

/// The scenario's name: it becomes a folder name, so only path-safe characters.
fn scenario_name(src: &Source<'_>, v: &Val<'_>) -> Result<String, ScenarioError> {
    const FIX: &str = "use letters, digits, '_', '-' and '.', e.g. name = \"my-sweep\" \
                       (it names the output folder)";
    let s = value::string(src, v, "name", FIX)?;
    let safe = s
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'));
    if s.is_empty() || !safe || s.starts_with('.') || s.len() > 64 {
        return Err(src.error(span(v), "name", format!("\"{s}\" is not a valid name"), FIX));
    }
    Ok(s.to_string())
}

/// The value at `path` as a table.
fn table<'a, 'i>(
    src: &Source<'_>,
    v: &'a Val<'i>,
    path: &str,
) -> Result<&'a DeTable<'i>, ScenarioError> {
    match v.get_ref() {
        DeValue::Table(t) => Ok(t),
        _ => Err(value::wrong_type(
            src,
            v,
            path,
            "a table",
            &format!("write a [{path}] header followed by its keys"),
        )),
    }
}

/// The `[[path]]` tables (an array of tables).
fn tables(src: &Source<'_>, v: &Val<'_>, path: &str) -> Result<Vec<Table>, ScenarioError> {
    let fix =
        format!("write each one as a [[{path}]] header (double brackets) followed by its keys");
    let DeValue::Array(items) = v.get_ref() else {
        return Err(value::wrong_type(src, v, path, "a list of tables", &fix));
    };
    items
        .iter()
        .enumerate()
        .map(|(i, item)| {
            let p = format!("{path}[{}]", i + 1);
            let t = table(src, item, &p).map_err(|mut e| {
                e.fix = fix.clone();
                e
            })?;
            Ok(Table {
                axes: Axes::read(src, t, &p)?,
                path: p,
                span: item.span(),
            })
        })
        .collect()
}

/// `[defaults]`: the op length every sweep falls back to, and how each cell is run.
struct Defaults {
    op_time_us: f64,
    params: RunParams,
    /// The line of each key given.
    lines: BTreeMap<String, usize>,
}

impl Defaults {
    /// The values used for keys `[defaults]` does not give (docs/scenarios.md lists them).
    fn standard() -> Defaults {
        Defaults {
            op_time_us: 1000.0,
            params: RunParams {
                budget: Budget::Duration(1.0),
                repetitions: 3,
                warmup: 0.1,
                timeout_s: 60.0,
                timeline: TIMELINE_DEFAULT,
            },
            lines: BTreeMap::new(),
        }
    }

    fn read(src: &Source<'_>, t: &DeTable<'_>) -> Result<Defaults, ScenarioError> {
        let mut d = Defaults::standard();
        let mut duration_at = None;
        let mut ops_at = None;
        let mut timeout_at = None;
        for (key, v) in t.iter() {
            let k = key.get_ref().as_ref();
            d.lines.insert(k.to_string(), src.line_of(v.span().start));
            let field = format!("defaults.{k}");
            let f = field.as_str();
            match k {
                "op_time" => d.op_time_us = axes::op_time_us(src, v, f)?,
                "duration" => {
                    const FIX: &str = "give the measured window per repetition, e.g. \"0.5s\" \
                                       (a bare number is seconds), at most 600 s";
                    let s = value::duration_us(src, v, f, 1e6, FIX)? / 1e6;
                    if !(s > 0.0 && s <= DURATION_MAX_S) {
                        return Err(src.error(
                            span(v),
                            f,
                            format!("{} s is outside (0, 600] s", show_number(s)),
                            FIX,
                        ));
                    }
                    d.params.budget = Budget::Duration(s);
                    duration_at = Some(v.span());
                }
                "ops" => {
                    const FIX: &str =
                        "give a whole number of ops per repetition, from 1 to 10000000";
                    let n = value::integer(src, v, f, FIX)?;
                    if n < 1 {
                        return Err(src.error(span(v), f, format!("{n} is less than 1"), FIX));
                    }
                    // It used to be cut to the cap without a word.
                    if n as u64 > OPS_MAX {
                        return Err(src.error(
                            span(v),
                            f,
                            format!("{n} is above the cap of {OPS_MAX} ops per repetition"),
                            FIX,
                        ));
                    }
                    d.params.budget = Budget::Ops(n as u64);
                    ops_at = Some(v.span());
                }
                "repetitions" => {
                    let fix = format!("use a whole number from 1 to {REPETITIONS_MAX}");
                    let n = value::integer(src, v, f, &fix)?;
                    if !(1..=i64::from(REPETITIONS_MAX)).contains(&n) {
                        let problem = format!("{n} is outside 1..={REPETITIONS_MAX}");
                        return Err(src.error(span(v), f, problem, fix));
                    }
                    d.params.repetitions = n as u32;
                }
                "warmup" => {
                    const FIX: &str = "give the warm-up as a share of the measured ops, from 0 \
                                       (none) to 1 (as many as measured)";
                    let w = value::number(src, v, f, FIX)?;
                    if !(0.0..=1.0).contains(&w) {
                        return Err(src.error(span(v), f, format!("{w} is outside [0, 1]"), FIX));
                    }
                    d.params.warmup = w;
                }
                "timeline" => {
                    let fix = format!(
                        "give how many ops at the start of each cell's window to draw on its \
                         timeline, from 0 (none) to {TIMELINE_MAX}"
                    );
                    let n = value::integer(src, v, f, &fix)?;
                    if !(0..=TIMELINE_MAX as i64).contains(&n) {
                        let problem = format!("{n} is outside 0..={TIMELINE_MAX}");
                        return Err(src.error(span(v), f, problem, fix));
                    }
                    d.params.timeline = n as u64;
                }
                "timeout" => {
                    const FIX: &str = "give the time after which a repetition is killed, from \
                                       1 ms to 24 h, e.g. \"60s\" (a bare number is seconds)";
                    let s = value::duration_us(src, v, f, 1e6, FIX)? / 1e6;
                    // Checked here, before anything turns it into a `Duration` (which
                    // panics past u64 seconds).
                    if !(TIMEOUT_MIN_S..=TIMEOUT_MAX_S).contains(&s) {
                        let problem = if s <= 0.0 {
                            format!("{s} s is not positive")
                        } else {
                            format!("{} s is outside 1 ms – 24 h", show_number(s))
                        };
                        return Err(src.error(span(v), f, problem, FIX));
                    }
                    d.params.timeout_s = s;
                    timeout_at = Some(v.span());
                }
                other => {
                    return Err(unknown_key(
                        src,
                        &key.span(),
                        "defaults",
                        other,
                        &DEFAULT_KEYS,
                    ))
                }
            }
        }
        if let (Some(_), Some(at)) = (&duration_at, &ops_at) {
            return Err(src.error(
                Some(at.clone()),
                "defaults.ops",
                "both `duration` and `ops` are given",
                "keep one: `duration` (a measured window) or `ops` (a fixed op count)",
            ));
        }
        // The window is stretched for models slower than their ideal bound, and the
        // child's set-up comes on top: a timeout shorter than the bare window would kill
        // every repetition.
        if let Budget::Duration(s) = d.params.budget {
            let window = s * (1.0 + d.params.warmup);
            if d.params.timeout_s <= window {
                return Err(src.error(
                    timeout_at.or(duration_at),
                    "defaults.timeout",
                    format!(
                        "a timeout of {} s is not longer than the window with warm-up ({window} s)",
                        d.params.timeout_s
                    ),
                    "give a timeout several times the duration, e.g. 10x",
                ));
            }
        }
        Ok(d)
    }
}
