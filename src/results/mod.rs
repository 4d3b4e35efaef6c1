//! The results file (`spectrum.results/1`): schema, atomic write, read, and the lock
//! that keeps one run per output folder.
//!
//! `results.json` is the contract between a run and its report: everything the report
//! shows is computed from it, so it can be re-rendered, merged and compared without
//! re-running.

mod compare;
mod io;
mod lock;
mod merge;
mod schema;

pub use compare::{
    compare, Basis, CalibrationChange, CellComparison, Change, Comparison, DEFAULT_NOISE_THRESHOLD,
};
pub use io::{
    is_disk_full, read_results, results_bytes, write_atomic, write_results, DiskFull,
    RESULTS_MAX_BYTES,
};
pub use lock::{check_unlocked, lock_output, FolderBusy, OutputLock, LOCK_FILE};
pub use merge::{merge, Merged, Source, SourcedCell};
pub use schema::{CellResult, CellStatus, Results, RunRecord, ScenarioRecord, SCHEMA};
