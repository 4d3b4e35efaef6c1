//! The keys of a `[sweep]`, `[[include]]` or `[[exclude]]` table: each a scalar or a
//! list of values, range-checked, read into [`Axes`].

use std::collections::BTreeMap;
use std::ops::Range;

use toml::de::DeTable;

use super::error::{ScenarioError, Source};
use super::parse::unknown_key;
use super::value::{self, Choice, Val};
use super::{
    AsyncCpu, BackgroundModel, Counter, Fault, FileSync, Gil, Impl, IoKind, ModelKind, Runtime,
};

/// Every key a sweep table may hold, in the order the docs list them.
pub(crate) const KEYS: [&str; 17] = [
    "runtime",
    "model",
    "io_fraction",
    "concurrency",
    "io",
    "op_time",
    "async_cpu",
    "gil",
    "cpu_impl",
    "io_impl",
    "fault",
    "interpreter",
    "file_sync",
    "background",
    "background_model",
    "switch_interval",
    "counter",
];

/// Most background units of one cell.
pub(crate) const BACKGROUND_MAX: i64 = 16;
/// Longest switch interval: CPython accepts more, a convoy shows nothing new past it.
pub(crate) const SWITCH_INTERVAL_MAX_US: f64 = 1e6;

/// Shortest op: recording one op costs ~50–100 ns, which must stay under 1% of the op.
pub(crate) const OP_TIME_MIN_US: f64 = 50.0;
/// Longest op: a sweep of 10 s ops would take hours.
pub(crate) const OP_TIME_MAX_US: f64 = 10e6;
/// Most workers of one cell.
pub(crate) const CONCURRENCY_MAX: i64 = 100_000;

/// The values of one sweep table; `None` for a key the table does not give.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Axes {
    pub runtime: Option<Vec<Runtime>>,
    pub model: Option<Vec<ModelKind>>,
    pub io_fraction: Option<Vec<f64>>,
    pub concurrency: Option<Vec<u32>>,
    pub io: Option<Vec<IoKind>>,
    /// Nominal op length in microseconds.
    pub op_time_us: Option<Vec<f64>>,
    pub async_cpu: Option<Vec<AsyncCpu>>,
    pub gil: Option<Vec<Gil>>,
    pub cpu_impl: Option<Vec<Impl>>,
    pub io_impl: Option<Vec<Impl>>,
    pub fault: Option<Vec<Fault>>,
    /// `cpython` interpreters: versions (`3.12`, `3.13t`) or paths to a `python3`.
    pub interpreter: Option<Vec<String>>,
    /// `io = "file"` only: how far each write is pushed.
    pub file_sync: Option<Vec<FileSync>>,
    /// Python only: CPU-bound units beside the measured workers (0: none).
    pub background: Option<Vec<u32>>,
    /// Python only: what the background units are.
    pub background_model: Option<Vec<BackgroundModel>>,
    /// Python only: `sys.setswitchinterval`, µs.
    pub switch_interval_us: Option<Vec<f64>>,
    /// Pure-CPU sequential and thread cells only: the shared counter's form (race demo).
    pub counter: Option<Vec<Counter>>,
    /// Where each given key was written, for errors about combinations of keys.
    pub at: BTreeMap<&'static str, Range<usize>>,
}

impl Axes {
    /// Reads the table at dotted `path` (`sweep`, `include[2]`, ...).
    pub fn read(src: &Source<'_>, table: &DeTable<'_>, path: &str) -> Result<Axes, ScenarioError> {
        let mut axes = Axes::default();
        for (key, v) in table.iter() {
            let name = key.get_ref().as_ref();
            let Some(&k) = KEYS.iter().find(|k| **k == name) else {
                return Err(unknown_key(src, &key.span(), path, name, &KEYS));
            };
            let field = format!("{path}.{k}");
            let f = field.as_str();
            match k {
                "runtime" => axes.runtime = Some(choices(src, v, f)?),
                "model" => axes.model = Some(choices(src, v, f)?),
                "io" => axes.io = Some(choices(src, v, f)?),
                "async_cpu" => axes.async_cpu = Some(choices(src, v, f)?),
                "gil" => axes.gil = Some(choices(src, v, f)?),
                "cpu_impl" => axes.cpu_impl = Some(choices(src, v, f)?),
                "io_impl" => axes.io_impl = Some(choices(src, v, f)?),
                "fault" => axes.fault = Some(choices(src, v, f)?),
                "file_sync" => axes.file_sync = Some(choices(src, v, f)?),
                "background_model" => axes.background_model = Some(choices(src, v, f)?),
                "counter" => axes.counter = Some(choices(src, v, f)?),
                "background" => {
                    axes.background = Some(value::list(src, v, f, |x| background(src, x, f))?)
                }
                "switch_interval" => {
                    axes.switch_interval_us =
                        Some(value::list(src, v, f, |x| switch_interval_us(src, x, f))?)
                }
                "io_fraction" => {
                    axes.io_fraction = Some(value::list(src, v, f, |x| io_fraction(src, x, f))?)
                }
                "concurrency" => {
                    axes.concurrency = Some(value::list(src, v, f, |x| concurrency(src, x, f))?)
                }
                "op_time" => {
                    axes.op_time_us = Some(value::list(src, v, f, |x| op_time_us(src, x, f))?)
                }
                "interpreter" => {
                    axes.interpreter = Some(value::list(src, v, f, |x| interpreter(src, x, f))?)
                }
                _ => unreachable!("every name of KEYS has a reader"),
            }
            axes.at.insert(k, v.span());
        }
        Ok(axes)
    }

    /// This table's values, falling back to `base`'s for every key it does not give.
    pub fn or(&self, base: &Axes) -> Axes {
        fn pick<T: Clone>(a: &Option<T>, b: &Option<T>) -> Option<T> {
            a.clone().or_else(|| b.clone())
        }
        let mut at = base.at.clone();
        at.extend(self.at.iter().map(|(k, s)| (*k, s.clone())));
        Axes {
            runtime: pick(&self.runtime, &base.runtime),
            model: pick(&self.model, &base.model),
            io_fraction: pick(&self.io_fraction, &base.io_fraction),
            concurrency: pick(&self.concurrency, &base.concurrency),
            io: pick(&self.io, &base.io),
            op_time_us: pick(&self.op_time_us, &base.op_time_us),
            async_cpu: pick(&self.async_cpu, &base.async_cpu),
            gil: pick(&self.gil, &base.gil),
            cpu_impl: pick(&self.cpu_impl, &base.cpu_impl),
            io_impl: pick(&self.io_impl, &base.io_impl),
            fault: pick(&self.fault, &base.fault),
            interpreter: pick(&self.interpreter, &base.interpreter),
            file_sync: pick(&self.file_sync, &base.file_sync),
            background: pick(&self.background, &base.background),
            background_model: pick(&self.background_model, &base.background_model),
            switch_interval_us: pick(&self.switch_interval_us, &base.switch_interval_us),
            counter: pick(&self.counter, &base.counter),
            at,
        }
    }

    /// True when the table gives no key at all.
    pub fn is_empty(&self) -> bool {
        self.at.is_empty()
    }
}

/// A scalar or list of enum names.
fn choices<T: Choice>(src: &Source<'_>, v: &Val<'_>, field: &str) -> Result<Vec<T>, ScenarioError> {
    value::list(src, v, field, |x| value::choice(src, x, field))
}

/// One interpreter: a version `MAJOR.MINOR` with an optional `t` (free-threaded build),
/// or a path to a `python3` (anything holding a `/`). Whether it exists is the driver's
/// question (a missing one is skipped with a note); here only the spelling is checked.
fn interpreter(src: &Source<'_>, v: &Val<'_>, field: &str) -> Result<String, ScenarioError> {
    const FIX: &str = "give a version such as \"3.12\" or \"3.13t\" (t: the free-threaded \
                       build), or the path of a python3, e.g. \"/usr/bin/python3.11\"";
    let s = value::string(src, v, field, FIX)?;
    if s.contains('/') || crate::python::interpreters::parse_version(s).is_some() {
        Ok(s.to_string())
    } else {
        Err(src.error(
            value::span(v),
            field,
            format!("\"{}\" is neither a version nor a path", s.escape_debug()),
            FIX,
        ))
    }
}

/// One I/O share, in [0, 1].
fn io_fraction(src: &Source<'_>, v: &Val<'_>, field: &str) -> Result<f64, ScenarioError> {
    const FIX: &str = "use a share between 0 (pure CPU) and 1 (pure I/O)";
    let f = value::number(src, v, field, FIX)?;
    if (0.0..=1.0).contains(&f) {
        // `+ 0.0` turns a written -0.0 into 0.0, so the cell id never reads "f-0.00".
        Ok(f + 0.0)
    } else {
        Err(src.error(value::span(v), field, format!("{f} is outside [0, 1]"), FIX))
    }
}

/// One worker count, in 1..=100000.
fn concurrency(src: &Source<'_>, v: &Val<'_>, field: &str) -> Result<u32, ScenarioError> {
    let fix = format!("use a whole number of workers from 1 to {CONCURRENCY_MAX}");
    let n = value::integer(src, v, field, &fix)?;
    if (1..=CONCURRENCY_MAX).contains(&n) {
        Ok(n as u32)
    } else {
        Err(src.error(
            value::span(v),
            field,
            format!("{n} is outside 1..={CONCURRENCY_MAX}"),
            fix,
        ))
    }
}

/// A number of background units within 0..=[`BACKGROUND_MAX`].
fn background(src: &Source<'_>, v: &Val<'_>, field: &str) -> Result<u32, ScenarioError> {
    let fix = format!("use a whole number of units from 0 (none) to {BACKGROUND_MAX}");
    let n = value::integer(src, v, field, &fix)?;
    if (0..=BACKGROUND_MAX).contains(&n) {
        Ok(n as u32)
    } else {
        Err(src.error(
            value::span(v),
            field,
            format!("{n} is outside 0..={BACKGROUND_MAX}"),
            fix,
        ))
    }
}

/// A switch interval in microseconds, within 1 µs and [`SWITCH_INTERVAL_MAX_US`].
fn switch_interval_us(src: &Source<'_>, v: &Val<'_>, field: &str) -> Result<f64, ScenarioError> {
    const FIX: &str =
        "give a time from \"1us\" to \"1s\", e.g. \"5ms\" (CPython's default) or \"0.1ms\"";
    let us = value::duration_us(src, v, field, 1.0, FIX)?;
    if (1.0..=SWITCH_INTERVAL_MAX_US).contains(&us) {
        Ok(us)
    } else {
        Err(src.error(
            value::span(v),
            field,
            format!("{} is outside 1 µs – 1 s", show_us(us)),
            FIX,
        ))
    }
}

/// One nominal op length, in microseconds, within [`OP_TIME_MIN_US`, `OP_TIME_MAX_US`].
pub(crate) fn op_time_us(src: &Source<'_>, v: &Val<'_>, field: &str) -> Result<f64, ScenarioError> {
    const FIX: &str = "a bare number is microseconds";
    let us = value::duration_us(src, v, field, 1.0, FIX)?;
    if us < OP_TIME_MIN_US {
        return Err(src.error(
            value::span(v),
            field,
            format!("{} is shorter than the 50 µs floor", show_us(us)),
            "use at least \"50us\": recording each op costs ~50-100 ns, and the floor keeps \
             that under 1% of the op",
        ));
    }
    if us > OP_TIME_MAX_US {
        return Err(src.error(
            value::span(v),
            field,
            format!("{} is longer than the 10 s ceiling", show_us(us)),
            "use at most \"10s\" per op (a sweep of longer ops would take hours)",
        ));
    }
    Ok(us)
}

/// A microsecond count as a person would write it.
pub(crate) fn show_us(us: f64) -> String {
    if us >= 1e6 {
        format!("{}s", show_number(us / 1e6))
    } else if us >= 1e3 {
        format!("{}ms", us / 1e3)
    } else {
        format!("{}us", show_number(us))
    }
}

/// A number as written, but in exponent form when it is huge or tiny: `1e300`, not a
/// line of 301 digits (Rust's `{}` never uses an exponent).
pub(crate) fn show_number(x: f64) -> String {
    if x != 0.0 && x.is_finite() && !(1e-4..1e9).contains(&x.abs()) {
        format!("{x:e}")
    } else {
        format!("{x}")
    }
}
