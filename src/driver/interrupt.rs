//! Ctrl-C, SIGTERM and SIGHUP during a sweep: stop cleanly, keep what finished.
//!
//! SIGHUP is what a closed terminal or a dropped ssh session sends: the same "stop now"
//! as SIGTERM, so it gets the same clean stop and interrupted summary (the stderr it
//! would be printed on is often gone by then; the results file says it anyway).
//!
//! The first signal only sets a flag. The driver polls it while waiting for a child, kills
//! the child's process group, writes the results so far with `interrupted: true` and
//! exits with 130. A second signal exits at once (130): the results file on disk is still
//! valid, because it is rewritten atomically after every repetition, and the children
//! die with the driver (`PR_SET_PDEATHSIG`).

use anyhow::{Context, Result};
use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};
use signal_hook::SigId;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

/// Exit code of a run stopped by a signal (128 + SIGINT, as shells report it).
pub const INTERRUPTED_EXIT: u8 = 130;

/// The installed signal handlers and the flag they set; dropping it restores the
/// default behaviour.
pub struct Interrupt {
    flag: Arc<AtomicBool>,
    ids: Vec<SigId>,
}

impl Interrupt {
    /// Installs the handlers for SIGINT, SIGTERM and SIGHUP.
    pub fn install() -> Result<Interrupt> {
        let flag = Arc::new(AtomicBool::new(false));
        let mut ids = Vec::new();
        for sig in [SIGINT, SIGTERM, SIGHUP] {
            // Order matters: the shutdown hook is registered first, so it sees the flag
            // as it was *before* this signal — false the first time, true the second.
            ids.push(
                signal_hook::flag::register_conditional_shutdown(
                    sig,
                    i32::from(INTERRUPTED_EXIT),
                    Arc::clone(&flag),
                )
                .context("could not install the signal handlers")?,
            );
            ids.push(
                signal_hook::flag::register(sig, Arc::clone(&flag))
                    .context("could not install the signal handlers")?,
            );
        }
        Ok(Interrupt { flag, ids })
    }

    /// The flag the handlers set; the child-waiting loop polls it.
    pub fn flag(&self) -> &AtomicBool {
        &self.flag
    }

    /// True once a signal arrived.
    pub fn requested(&self) -> bool {
        self.flag.load(Ordering::SeqCst)
    }
}

impl Drop for Interrupt {
    fn drop(&mut self) {
        for id in self.ids.drain(..) {
            signal_hook::low_level::unregister(id);
        }
    }
}
