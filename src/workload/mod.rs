//! The op: `cpu` microseconds of the calibrated kernel, then `io` microseconds of waiting.
//!
//! [`kernel`] is the one CPU algorithm; `python_workloads/kernel.py` is its twin and
//! must give the same checksum for the same seed and iteration count.

mod calibrate;
mod kernel;
mod op;
mod wait;

pub use calibrate::{calibrate_rust, Calibration};
pub use kernel::kernel;
pub use op::Op;
pub use wait::{AsyncWaiter, Waiter};
