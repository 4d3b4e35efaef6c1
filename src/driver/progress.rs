//! Progress on stderr: a bar on a terminal, one line per finished cell otherwise.
//! Failures are printed as they happen, with their reason, in both cases.

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::io::IsTerminal;
use std::time::Duration;

use crate::results::{CellResult, CellStatus};

/// Reports the sweep's progress.
pub struct Progress {
    bar: Option<ProgressBar>,
    total: usize,
    done: usize,
}

impl Progress {
    /// A progress display for `total` cells expected to take `estimated_s` seconds.
    /// `quiet` turns it off.
    pub fn new(total: usize, estimated_s: f64, quiet: bool) -> Progress {
        let bar = (!quiet && std::io::stderr().is_terminal()).then(|| {
            // The bar's unit is estimated milliseconds, not cells, so its ETA weighs a
            // long cell more than a short one.
            let bar = ProgressBar::with_draw_target(
                Some(ms(estimated_s).max(1)),
                ProgressDrawTarget::stderr(),
            );
            let style = ProgressStyle::with_template(
                "{prefix:>9} [{bar:25}] {elapsed_precise} ETA {eta:<4} {wide_msg}",
            )
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> ");
            bar.set_style(style);
            bar.enable_steady_tick(Duration::from_millis(200));
            bar
        });
        Progress {
            bar,
            total,
            done: 0,
        }
    }

    /// Cell `id` starts.
    pub fn start_cell(&self, id: &str) {
        if let Some(bar) = &self.bar {
            bar.set_prefix(format!("{}/{}", self.done + 1, self.total));
            bar.set_message(id.to_string());
        }
    }

    /// A cell finished (ok or failed); `estimated_s` is what it was expected to take.
    pub fn finish_cell(&mut self, cell: &CellResult, estimated_s: f64) {
        self.done += 1;
        let head = format!("[{}/{}] {}", self.done, self.total, cell.id);
        match (&self.bar, cell.status) {
            (Some(bar), CellStatus::Ok) => bar.inc(ms(estimated_s)),
            (Some(bar), CellStatus::Failed) => {
                bar.println(failure_line(&head, cell));
                bar.inc(ms(estimated_s));
            }
            (None, CellStatus::Ok) => {
                let figures = cell.summary.map_or(String::new(), |s| {
                    format!(
                        "{:.0} ops/s, efficiency {:.0}%",
                        s.ops_per_s.median,
                        s.efficiency * 100.0
                    )
                });
                eprintln!("{head}  ok  {figures}");
            }
            (None, CellStatus::Failed) => eprintln!("{}", failure_line(&head, cell)),
        }
    }

    /// Removes the bar.
    pub fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}

fn failure_line(head: &str, cell: &CellResult) -> String {
    let reason = cell.error.as_deref().unwrap_or("no reason given");
    format!("{head}  FAILED: {}", indent_after_first(reason))
}

/// Indents continuation lines (a stderr tail) under the first.
fn indent_after_first(text: &str) -> String {
    text.lines().collect::<Vec<_>>().join("\n      ")
}

fn ms(seconds: f64) -> u64 {
    (seconds.max(0.0) * 1000.0).round() as u64
}
