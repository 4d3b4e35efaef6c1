//! The op: `cpu` microseconds of the calibrated kernel, then `io` microseconds of waiting
//! (or, for the `file` kind, one 4 KiB write: [`mod@file`]).
//!
//! [`kernel`] is the one CPU algorithm; `python_workloads/kernel.py` is its twin and
//! must give the same checksum for the same seed and iteration count.

mod calibrate;
pub mod file;
mod kernel;
mod op;
pub mod race;
mod wait;

pub use calibrate::{calibrate_rust, Calibration};
pub use kernel::kernel;
pub use op::Op;
pub use wait::{AsyncWaiter, IoTarget, Waiter};
