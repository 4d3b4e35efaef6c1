//! Primitive costs that explain the spectrum — switch, spawn — measured the same way by
//! the criterion benches and by `spectrum` itself.
//!
//! Each probe separates set-up (spawning the partner, building a runtime) from the timed
//! part, so a bench can time only the thing it names and a demo can call the same code.

mod affinity;
#[cfg(feature = "python")]
mod gil;
mod overhead;
mod pipe;
mod record;
mod run;
mod spawn;
mod switch;
mod switch_process;
mod switch_task;

pub use affinity::{first_allowed_cpu, pin_current_thread, AffinityGuard, Pinning};
#[cfg(feature = "python")]
pub use gil::{gil_ops, GilPath};
pub use overhead::{overhead_share, record_ops, smallest_op, RecordingPath, OVERHEAD_BUDGET};
pub use record::{ProbeFigure, Probes, SpawnKind, SpawnProbe, SwitchProbe};
pub use run::{probe_main, run_probes, ProbePlan, SWEEP_SWITCHES};
pub use spawn::{ReadyWhen, Spawner};
pub use switch::{per_switch, start_ping_pong, PingPong, SwitchKind, SWITCHES_PER_ROUND_TRIP};
