//! Scenario files (TOML) → validated [`Plan`] → the matrix of [`Cell`]s.
//!
//! The TOML contract is in DESIGN.md. Every mistake a user can make in a scenario file is
//! a [`ScenarioError`] naming the file, the line and the field, and saying how to fix it.

mod cell;

pub use cell::{AsyncCpu, Cell, Fault, Gil, Impl, IoKind, ModelKind, Runtime};

use serde::{Deserialize, Serialize};

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
}
