//! Scenario files (TOML) → validated [`Plan`] → the matrix of [`Cell`]s.
//!
//! The TOML contract is in docs/design.md, every key and limit in docs/scenarios.md.
//! Every mistake a user can make in a scenario file is a [`ScenarioError`] naming the
//! file, the line and the field, and saying how to fix it.

mod axes;
mod cell;
mod error;
mod expand;
mod parse;
mod race;
mod value;

pub use cell::{
    AsyncCpu, Background, BackgroundModel, Cell, Counter, Fault, FileSync, Gil, Impl, IoKind,
    ModelKind, Runtime, TASK_CHUNK_US,
};
pub use error::ScenarioError;
// For probe::overhead: the recording path is held against the smallest op allowed.
pub(crate) use axes::OP_TIME_MIN_US;
pub(crate) use parse::{TIMEOUT_MAX_S, TIMEOUT_MIN_S};

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::Path;

/// The scenarios compiled into the binary: (name, TOML text). The first is the default.
const SHIPPED: &[(&str, &str)] = &[
    ("spectrum", include_str!("../../scenarios/spectrum.toml")),
    ("quick", include_str!("../../scenarios/quick.toml")),
    ("gil", include_str!("../../scenarios/gil.toml")),
    ("scale", include_str!("../../scenarios/scale.toml")),
    ("pythons", include_str!("../../scenarios/pythons.toml")),
    (
        "pythons-cpu",
        include_str!("../../scenarios/pythons-cpu.toml"),
    ),
    // The teaching demos' scenarios (`spectrum demo NAME`; listed under Demos).
    (
        "demo-spectrum",
        include_str!("../../scenarios/demo-spectrum.toml"),
    ),
    ("demo-gil", include_str!("../../scenarios/demo-gil.toml")),
    (
        "demo-memory",
        include_str!("../../scenarios/demo-memory.toml"),
    ),
    (
        "demo-flush",
        include_str!("../../scenarios/demo-flush.toml"),
    ),
    (
        "demo-convoy",
        include_str!("../../scenarios/demo-convoy.toml"),
    ),
    (
        "demo-offload",
        include_str!("../../scenarios/demo-offload.toml"),
    ),
    ("demo-race", include_str!("../../scenarios/demo-race.toml")),
];

/// Most repetitions per cell, in a scenario file or from `--repetitions`: every
/// repetition is a child process, and the driver plans them all up front.
pub const REPETITIONS_MAX: u32 = 100;

/// Most ops in one repetition's measured window (warm-up likewise): past ten million
/// more ops change no figure, and the per-op latencies would take gigabytes. A fixed
/// `ops` above it is an error; a `duration` window is cut to it.
pub const OPS_MAX: u64 = 10_000_000;

/// The name of the scenario `spectrum run` runs when given none.
pub const DEFAULT_SCENARIO: &str = "spectrum";

/// Every shipped scenario as (name, TOML text), for `spectrum list`.
pub fn shipped() -> &'static [(&'static str, &'static str)] {
    SHIPPED
}

/// One line per shipped scenario for `spectrum list`: name, description, cell count and
/// estimated run time on this machine.
pub fn list_text() -> String {
    let mut out = String::new();
    // The demos' scenarios are listed with their demos (`crate::demo::list_text`).
    for (name, text) in SHIPPED.iter().filter(|(n, _)| !n.starts_with("demo-")) {
        let line = match parse(text, &format!("builtin:{name}")) {
            Ok(plan) => format!(
                "  {:<12}{} ({} cells, ~{:.0} s)\n",
                name,
                plan.description,
                plan.cells.len(),
                plan.estimated_seconds()
            ),
            // Unreachable while the tests parse every shipped scenario; shown, not hidden.
            Err(e) => format!("  {name:<12}invalid: {e}\n"),
        };
        out.push_str(&line);
    }
    out
}

/// Parses and validates a scenario's text; `source` names it in errors and in
/// [`Plan::source`] (a path, or `builtin:<name>`).
pub fn parse(text: &str, source: &str) -> Result<Plan, ScenarioError> {
    parse::parse(text, source)
}

/// Loads the scenario named on the command line.
///
/// `None` is the built-in default (`spectrum`); an existing file is read and parsed (a
/// file wins over a shipped scenario of the same name); otherwise `arg` may name a
/// shipped scenario, with or without `.toml`. Anything else is an error listing them.
pub fn load(arg: Option<&str>) -> Result<Plan, ScenarioError> {
    let Some(arg) = arg else {
        return builtin(DEFAULT_SCENARIO);
    };
    let path = Path::new(arg);
    let meta = std::fs::metadata(path);
    if meta.as_ref().is_ok_and(|m| m.is_file()) {
        return parse(&read_scenario_file(arg)?, arg);
    }
    let name = arg.strip_suffix(".toml").unwrap_or(arg);
    if SHIPPED.iter().any(|(n, _)| *n == name) {
        return builtin(name);
    }
    let names: Vec<&str> = SHIPPED.iter().map(|(n, _)| *n).collect();
    let fix = format!(
        "give the path of a .toml scenario file, or the name of a shipped scenario: {} \
         (`spectrum list` shows them)",
        names.join(", ")
    );
    let problem = match meta {
        Ok(m) => format!(
            "is not a file: it is {}",
            crate::input::kind_of(m.file_type())
        ),
        // A link whose target is missing is not "no such file": the link is there.
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => match std::fs::read_link(path) {
            Ok(target) => format!(
                "is a symbolic link to '{}', which does not exist",
                crate::text::path(&target)
            ),
            Err(_) => "no such scenario file or shipped scenario".to_string(),
        },
        // A symbolic link loop, a permission denied on a folder on the way, ...
        Err(e) => {
            return Err(ScenarioError::file(
                arg,
                format!("could not open the scenario file: {e}"),
                "check the path: a symbolic link loop, or a folder on the way you may not \
                 enter",
            ))
        }
    };
    Err(ScenarioError::file(arg, problem, fix))
}

/// Largest scenario file read: a generated one listing every cell of the largest plan
/// as its own `[[include]]` is about 2 MiB.
const SCENARIO_MAX_BYTES: u64 = 8 << 20;

/// The text of the scenario file `arg` (a regular file, at most [`SCENARIO_MAX_BYTES`]).
fn read_scenario_file(arg: &str) -> Result<String, ScenarioError> {
    let bytes = crate::input::read_regular(Path::new(arg), SCENARIO_MAX_BYTES).map_err(|e| {
        ScenarioError::file(
            arg,
            format!("the scenario file {e}"),
            "give a .toml scenario file of a reasonable size, readable by you",
        )
    })?;
    String::from_utf8(bytes).map_err(|e| {
        ScenarioError::file(
            arg,
            format!(
                "the scenario file is not UTF-8 text (invalid byte at offset {})",
                e.utf8_error().valid_up_to()
            ),
            "save it as UTF-8",
        )
    })
}

/// The shipped scenario `name` (which must exist).
fn builtin(name: &str) -> Result<Plan, ScenarioError> {
    let (_, text) = SHIPPED
        .iter()
        .find(|(n, _)| *n == name)
        .ok_or_else(|| ScenarioError::file(name, "no such shipped scenario", ""))?;
    parse(text, &format!("builtin:{name}"))
}

/// How long each repetition of a cell runs.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Budget {
    /// A fixed number of ops per repetition.
    Ops(u64),
    /// A target measured window in seconds: the driver turns it into an op count from
    /// the cell's ideal throughput bound, so slow models run longer, never shorter.
    Duration(f64),
}

/// How every cell of a plan is run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunParams {
    /// Measured window per repetition.
    pub budget: Budget,
    /// Repetitions per cell, each in a fresh child process.
    pub repetitions: u32,
    /// Warm-up before the measured window, as a share of the measured ops.
    pub warmup: f64,
    /// Seconds after which a repetition's child (and its workers) is killed.
    pub timeout_s: f64,
    /// Ops at the start of each cell's first window whose timeline is kept (0: none).
    #[serde(default)]
    pub timeline: u64,
}

/// A validated scenario: what to run and how.
#[derive(Debug, Clone, PartialEq)]
pub struct Plan {
    /// The scenario's name (the output folder is `reports/<name>/` by default).
    pub name: String,
    /// One line saying what the scenario is for.
    pub description: String,
    /// Where the scenario came from: a path, or `builtin:<name>`.
    pub source: String,
    /// The scenario file's text, kept in the results so a run can be repeated.
    pub text: String,
    /// How every cell is run.
    pub params: RunParams,
    /// The cells, in the order they run.
    pub cells: Vec<Cell>,
    /// Combinations of the sweep that were skipped, and why.
    pub notes: Vec<String>,
    /// The line of each `[defaults]` key the file gives (`"timeout"` → 12), for the
    /// errors found once the machine is known (an `ops` budget its timeout cannot hold).
    pub defaults_lines: BTreeMap<String, usize>,
}

/// Seconds a run spends outside the cells: calibration at the start and the end, and
/// the switch/spawn probes (about 5 s on the 2-core development VM).
const RUN_OVERHEAD_S: f64 = 5.0;

impl Plan {
    /// A rough run time in seconds, for `spectrum list`: per cell, repetitions ×
    /// (measured window with its warm-up + [`Cell::startup_estimate_s`]), plus a few
    /// seconds of calibration and probes. Cells slower than their ideal bound run
    /// longer, so this is a floor more than a forecast.
    pub fn estimated_seconds(&self) -> f64 {
        self.estimated_seconds_on(crate::metrics::available_cores())
    }

    /// [`Plan::estimated_seconds`] for a machine with `cores` cores (an `ops` budget's
    /// window depends on them).
    pub fn estimated_seconds_on(&self, cores: usize) -> f64 {
        let p = &self.params;
        self.cells
            .iter()
            .map(|cell| {
                let window = match p.budget {
                    Budget::Duration(s) => s,
                    Budget::Ops(n) => {
                        let ideal = cell.ideal_ops_per_s(cores);
                        if ideal.is_finite() && ideal > 0.0 {
                            n as f64 / ideal
                        } else {
                            0.0
                        }
                    }
                };
                f64::from(p.repetitions) * (window * (1.0 + p.warmup) + cell.startup_estimate_s())
            })
            .sum::<f64>()
            + RUN_OVERHEAD_S
    }
}

#[cfg(test)]
mod tests;
