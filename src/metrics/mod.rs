//! What is measured about a cell: rusage, latency histograms, the ideal bound, the
//! per-cell summary over repetitions, and the machine's environment.

pub mod drift;
mod environment;
mod ideal;
mod latency;
pub mod limits;
mod measurement;
mod memory;
mod rusage;
mod summary;
mod timeline;

pub use environment::{CpuTicks, Environment, InterpreterInfo, PythonInfo};
pub use ideal::{available_cores, ideal_ops_per_s};
pub use latency::{LatencySummary, Recorder};
pub use measurement::{CounterTally, Measurement, OsThreads, RunOutput};
pub use memory::{threads_now, PeakWatch, WindowMemory};
pub use rusage::{Rusage, Who};
pub use summary::{
    efficiencies_at_speed, ideal_at_speed, ServerSummary, Spread, Summary, EFFICIENCY_TOLERANCE,
    SERVER_LIMITED_SHARE,
};
pub use timeline::{Span, Timeline};
