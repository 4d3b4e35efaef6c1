//! The results file (`spectrum.results/1`): schema, atomic write, read.
//!
//! `results.json` is the contract between a run and its report: everything the report
//! shows is computed from it, so it can be re-rendered, merged and compared without
//! re-running.

mod compare;
mod io;
mod merge;
mod schema;

pub use compare::{
    compare, Basis, CalibrationChange, CellComparison, Change, Comparison, DEFAULT_NOISE_THRESHOLD,
};
pub use io::{read_results, write_atomic, write_results};
pub use merge::{merge, Merged, Source, SourcedCell};
pub use schema::{CellResult, CellStatus, Results, RunRecord, ScenarioRecord, SCHEMA};
