//! The results file (`spectrum.results/1`): schema, atomic write, read.
//!
//! `results.json` is the contract between a run and its report: everything the report
//! shows is computed from it, so it can be re-rendered, merged and compared without
//! re-running.

mod io;
mod schema;

pub use io::{read_results, write_atomic, write_results};
pub use schema::{CellResult, CellStatus, Results, RunRecord, ScenarioRecord, SCHEMA};
