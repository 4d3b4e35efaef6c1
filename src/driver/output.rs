//! The run's output folder: held for the whole run (one run per folder), cleared of the
//! report a previous run left, and `results.json` saved atomically with a record of what
//! the last good save held, so that a full disk can say what is left.

use anyhow::{Context, Result};
use std::path::{Path, PathBuf};

use crate::results::{self, OutputLock, Results};
use crate::text;

/// The report's files in the output folder: the page and the verdicts beside it, and a
/// comparison's page and data (all rendered from the folder's `results.json`).
const REPORT_FILES: [&str; 4] = [
    "index.html",
    "verdicts.json",
    "comparison.html",
    "comparison.json",
];

/// An output folder this run holds.
pub(crate) struct OutputFolder {
    results_path: PathBuf,
    /// Cells and repetitions in the `results.json` on disk; `None` before the first save.
    saved: Option<(usize, usize)>,
    // Held to the end of the run (the report included): a second run into this folder
    // is refused instead of overwriting these results.
    _lock: OutputLock,
}

impl OutputFolder {
    /// Locks `dir` for this run (creating it), then removes the report a previous run
    /// left there: from now on its `results.json` is this run's, and a report must never
    /// sit beside results it was not rendered from (this run writes its own at the end,
    /// unless `--no-report`, a hard kill or a failed rendering stops it).
    pub(crate) fn claim(dir: &Path) -> Result<OutputFolder> {
        let lock = results::lock_output(dir)?;
        for name in REPORT_FILES {
            let page = dir.join(name);
            match std::fs::remove_file(&page) {
                Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
                    return Err(e).with_context(|| {
                        format!(
                            "could not remove the previous report '{}'",
                            text::path(&page)
                        )
                    })
                }
                _ => {}
            }
        }
        Ok(OutputFolder {
            results_path: dir.join("results.json"),
            saved: None,
            _lock: lock,
        })
    }

    /// Where `results.json` is.
    pub(crate) fn results_path(&self) -> &Path {
        &self.results_path
    }

    /// Writes `results` atomically. A full disk (or quota) becomes a
    /// [`results::DiskFull`] saying what the file on disk still holds.
    pub(crate) fn save(&mut self, results: &Results) -> Result<()> {
        match results::write_results(&self.results_path, results) {
            Ok(()) => {
                let reps = results.cells.iter().map(|c| c.repetitions.len()).sum();
                self.saved = Some((results.cells.len(), reps));
                Ok(())
            }
            Err(e) if results::is_disk_full(&e) => {
                let shown = text::path(&self.results_path);
                let kept = match self.saved {
                    None => format!("nothing was saved: '{shown}' was never written"),
                    Some((cells, reps)) => format!(
                        "the run stopped; '{shown}' still holds what was saved before: \
                         {cells} cells ({reps} repetitions), marked interrupted (free some \
                         space, then run the missing cells, e.g. with --filter)"
                    ),
                };
                Err(e.context(results::DiskFull(format!(
                    "the disk is full (or over quota): {kept}"
                ))))
            }
            Err(e) => Err(e),
        }
    }
}
