//! Progress on stderr: a bar on a terminal (repetition by repetition, with the round and
//! the cell), otherwise one line per round start and one per finished cell. Failures are
//! printed as they happen, with their reason, in both cases.
//!
//! Every line goes through [`say`], never `eprintln!`: a closed stderr (`spectrum run |&
//! head -2`, a terminal that went away) must not stop the measurement, and `eprintln!`
//! panics on a write error.

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::io::{IsTerminal, Write};
use std::time::Duration;

use crate::results::{CellResult, CellStatus};

/// Reports the sweep's progress.
pub struct Progress {
    bar: Option<ProgressBar>,
    quiet: bool,
    cells: usize,
    cells_done: usize,
    repetitions: usize,
    reps_done: usize,
    interleaved: bool,
}

impl Progress {
    /// A progress display for `cells` cells of `repetitions` repetitions each, expected
    /// to take `estimated_s` seconds in all, run in rounds when `interleaved`. `quiet`
    /// turns it off.
    pub fn new(
        cells: usize,
        repetitions: usize,
        estimated_s: f64,
        interleaved: bool,
        quiet: bool,
    ) -> Progress {
        let bar = (!quiet && std::io::stderr().is_terminal()).then(|| {
            // The bar's unit is estimated milliseconds, not repetitions, so its ETA weighs
            // a long cell's repetition more than a short one's.
            let bar = ProgressBar::with_draw_target(
                Some(ms(estimated_s).max(1)),
                ProgressDrawTarget::stderr(),
            );
            let style = ProgressStyle::with_template(
                "{prefix:>11} [{bar:25}] {elapsed_precise} ETA {eta:<4} {wide_msg}",
            )
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> ");
            bar.set_style(style);
            bar.enable_steady_tick(Duration::from_millis(200));
            bar
        });
        Progress {
            bar,
            quiet,
            cells,
            cells_done: 0,
            repetitions,
            reps_done: 0,
            interleaved,
        }
    }

    /// Round `round` (from 0) starts; said on its own line off a terminal, when there
    /// are rounds to tell apart.
    pub fn start_round(&self, round: usize) {
        if self.bar.is_none() && !self.quiet && self.interleaved && self.repetitions > 1 {
            say(&format!("round {}/{}", round + 1, self.repetitions));
        }
    }

    /// Repetition `round` (from 0) of cell `id` starts.
    pub fn start_repetition(&self, round: usize, id: &str) {
        if let Some(bar) = &self.bar {
            let word = if self.interleaved { "round" } else { "rep" };
            bar.set_prefix(format!("{word} {}/{}", round + 1, self.repetitions));
            bar.set_message(format!(
                "{id}  ({}/{} repetitions done)",
                self.reps_done,
                self.cells * self.repetitions
            ));
        }
    }

    /// A repetition expected to take `estimated_s` finished.
    pub fn finish_repetition(&mut self, estimated_s: f64) {
        self.reps_done += 1;
        if let Some(bar) = &self.bar {
            bar.inc(ms(estimated_s));
        }
    }

    /// A failure ends a cell early: its failed and skipped repetitions, expected to
    /// take `estimated_s` in all, will not run.
    pub fn skip_repetitions(&mut self, estimated_s: f64) {
        if let Some(bar) = &self.bar {
            bar.inc(ms(estimated_s));
        }
    }

    /// A cell finished (ok after its last repetition, or failed).
    pub fn finish_cell(&mut self, cell: &CellResult) {
        self.cells_done += 1;
        if self.quiet {
            return;
        }
        let head = format!("[{}/{}] {}", self.cells_done, self.cells, cell.id);
        match (&self.bar, cell.status) {
            (Some(_), CellStatus::Ok) => {}
            (Some(bar), CellStatus::Failed) => bar.println(failure_line(&head, cell)),
            (None, CellStatus::Ok) => {
                let figures = cell.summary.map_or(String::new(), |s| {
                    let tail = lost_updates(cell).unwrap_or_else(|| {
                        format!("efficiency {:.0}%", s.shown_efficiency() * 100.0)
                    });
                    format!("{:.0} ops/s, {tail}", s.ops_per_s.median)
                });
                say(&format!("{head}  ok  {figures}"));
            }
            (None, CellStatus::Failed) => say(&failure_line(&head, cell)),
        }
    }

    /// Removes the bar.
    pub fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}

/// Writes `line` and a newline on stderr, control characters escaped; a write error (a
/// closed pipe, a vanished terminal) is ignored: progress is for the reader, and the
/// results file holds everything it says.
pub(crate) fn say(line: &str) {
    let text = format!("{}\n", crate::text::escape_lines(line));
    let _ = std::io::stderr().lock().write_all(text.as_bytes());
}

fn failure_line(head: &str, cell: &CellResult) -> String {
    let reason = cell.error.as_deref().unwrap_or("no reason given");
    // The reason quotes the child's stderr (a panic message, a Python traceback).
    let reason = crate::text::escape_lines(reason);
    format!("{head}  FAILED: {}", indent_after_first(&reason))
}

/// Indents continuation lines (a stderr tail) under the first.
fn indent_after_first(text: &str) -> String {
    text.lines().collect::<Vec<_>>().join("\n      ")
}

fn ms(seconds: f64) -> u64 {
    (seconds.max(0.0) * 1000.0).round() as u64
}

/// A counting cell's updates lost in each repetition (the race demo), said in place of
/// its efficiency: an increment is not the kernel the ideal bound is sized by.
fn lost_updates(cell: &CellResult) -> Option<String> {
    let lost: Vec<String> = cell
        .repetitions
        .iter()
        .filter_map(|m| m.counter.map(|t| t.lost().to_string()))
        .collect();
    (!lost.is_empty()).then(|| format!("updates lost {}", lost.join(", ")))
}
