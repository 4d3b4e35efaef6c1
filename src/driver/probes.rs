//! Switch and spawn costs for the run's record: the hidden `spectrum probe` subcommand
//! in a child process, like calibration, so the driver's own threads never colour them.

use anyhow::{Context, Result};
use std::path::Path;
use std::sync::atomic::AtomicBool;
use std::time::Duration;

use super::calibrate::stderr_suffix;
use super::spawn::{run_child, Ending};
use crate::probe::Probes;

/// Far above what the probe takes (about 2 s, more in a debug build on a busy machine):
/// only a probe that hangs reaches it.
pub(crate) const PROBE_TIMEOUT: Duration = Duration::from_secs(60);

/// Runs `exe probe` and parses what it prints. `Ok(None)`: the run was interrupted;
/// `Ok(Some(Err(why)))`: the probe failed and the run goes on without it.
pub(crate) fn probe_costs(
    exe: &Path,
    timeout: Duration,
    stop: &AtomicBool,
) -> Result<Option<Result<Probes, String>>> {
    let run = run_child(exe, &["probe"], &[], b"", timeout, stop)
        .context("could not start the switch and spawn probe")?;
    if run.ending == Ending::Interrupted {
        return Ok(None);
    }
    Ok(Some(match run.describe_failure(timeout) {
        Some(why) => Err(format!(
            "the switch and spawn probe {why}{}",
            stderr_suffix(&run)
        )),
        None => serde_json::from_str::<Probes>(run.stdout.trim())
            .map_err(|e| format!("the switch and spawn probe printed bad JSON: {e}")),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_child_that_fails_or_prints_garbage_is_an_error_not_a_panic() {
        let stop = AtomicBool::new(false);
        let t = Duration::from_secs(10);
        // `false probe` exits 1; `echo probe` prints something that is not JSON.
        let failed = probe_costs(Path::new("/bin/false"), t, &stop).unwrap();
        assert!(matches!(failed, Some(Err(ref e)) if e.contains("exited with code 1")));
        let garbage = probe_costs(Path::new("/bin/echo"), t, &stop).unwrap();
        assert!(matches!(garbage, Some(Err(ref e)) if e.contains("bad JSON")));
        assert!(probe_costs(Path::new("/nonexistent/spectrum"), t, &stop).is_err());
    }
}
