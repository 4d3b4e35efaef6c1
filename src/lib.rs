//! spectrum: processes, threads or async tasks? Measure the CPU↔I/O spectrum.
//!
//! The data flows one way:
//! scenario file → [`scenario::Plan`] → [`scenario::Cell`]s → [`driver`] (one child
//! process per cell and repetition, running a [`model::Model`] that
//! [`dispatch`] picks) → [`metrics::Measurement`]s
//! → [`results::Results`] (`results.json`) → [`report`] (HTML, SVG, terminal tables) and
//! [`export`] (CSV, Markdown, a copy of the JSON).
//!
//! Beside that flow, not in it: [`io`] (the `tcp` I/O kind's delay server, a process of
//! its own that a cell talks to as the far end of a network, and the timer floor).

pub mod app;
pub mod cli;
pub mod demo;
pub mod dispatch;
pub mod driver;
pub mod export;
pub mod input;
pub mod io;
pub mod lifeline;
pub mod metrics;
pub mod model;
pub mod probe;
pub mod python;
pub mod report;
pub mod results;
pub mod scenario;
pub mod stats;
mod stderr_tail;
pub mod text;
pub mod workload;
