//! The `spectrum.results/1` document. Field names may grow; never change a meaning.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

use crate::metrics::{Environment, Measurement, Summary};
use crate::probe::Probes;
use crate::scenario::{Cell, RunParams};
use crate::workload::Calibration;

/// The schema identifier written in every results file.
pub const SCHEMA: &str = "spectrum.results/1";

/// A whole results file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Results {
    /// Always [`SCHEMA`].
    pub schema: String,
    /// Version of spectrum that wrote the file.
    pub spectrum_version: String,
    /// The scenario that was run.
    pub scenario: ScenarioRecord,
    /// The machine.
    pub environment: Environment,
    /// Kernel calibration per runtime (`rust`, `python`, `cpython`).
    pub calibration: BTreeMap<String, Calibration>,
    /// The same calibration taken again once every cell has run (absent when the run
    /// was interrupted, or in files from before it existed): start against end shows
    /// whether the machine's speed held over the run (`docs/noise.md`).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub calibration_end: BTreeMap<String, Calibration>,
    /// When and how the run happened.
    pub run: RunRecord,
    /// Sweep combinations that were skipped, and why.
    #[serde(default)]
    pub notes: Vec<String>,
    /// Switch and spawn costs measured before the cells (`spectrum probe`); absent when
    /// the run skipped or failed them, and in files written before they existed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub probes: Option<Probes>,
    /// One entry per cell, in run order.
    pub cells: Vec<CellResult>,
}

/// The scenario behind a results file.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ScenarioRecord {
    /// Scenario name.
    pub name: String,
    /// Scenario description.
    pub description: String,
    /// Path of the scenario file, or `builtin:<name>`.
    pub source: String,
    /// The scenario file's full text.
    pub text: String,
}

/// When and how a run happened.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunRecord {
    /// Start, RFC 3339 UTC.
    pub started_at: String,
    /// End, RFC 3339 UTC.
    pub finished_at: String,
    /// True when the run was stopped (Ctrl-C) before every repetition ran: the cells
    /// present hold the repetitions that finished (an unfinished cell's `repetitions` is
    /// shorter than `params.repetitions`, its summary over those), the missing ones
    /// never ran.
    pub interrupted: bool,
    /// The command line.
    pub command: Vec<String>,
    /// How each cell was run.
    pub params: RunParams,
    /// True when the repetitions ran in rounds (repetition 1 of every cell, then
    /// repetition 2 of every cell, …) so that each cell samples the whole run's time
    /// span; false for cell by cell (`--no-interleave`, and files written before rounds).
    #[serde(default)]
    pub interleaved: bool,
}

/// Whether a cell produced measurements.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum CellStatus {
    /// Every repetition completed.
    Ok,
    /// A repetition crashed, raised, timed out or gave an impossible result.
    Failed,
}

/// One cell: identity, status, raw repetitions and summary.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CellResult {
    /// Stable identifier (see [`Cell::id`]).
    pub id: String,
    /// Label of the model and its variants (one chart line per label).
    pub label: String,
    /// The cell's identity: runtime, model, io, io_fraction, cpu_us, io_us, concurrency…
    #[serde(flatten)]
    pub cell: Cell,
    /// `ok` or `failed`.
    pub status: CellStatus,
    /// Why the cell failed (with the child's stderr, e.g. a Python traceback).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// Every completed repetition's raw measurement.
    pub repetitions: Vec<Measurement>,
    /// Figures over the repetitions; absent for a failed cell with no repetition.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub summary: Option<Summary>,
}
