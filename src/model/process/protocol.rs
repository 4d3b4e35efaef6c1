//! The line protocol between the cell process and its worker processes.
//!
//! On the worker's stdin: the [`CellSpec`](crate::model::CellSpec) as one JSON line, then
//! commands, one per line: `run <start> <end>` or `exit` (EOF means `exit` too). On the
//! worker's stdout: `ready` once its model is built, then one [`RunReply`] JSON line per
//! `run`. A worker that fails prints its error on stderr and exits non-zero; the cell
//! process reports it with the tail of that stderr.

use serde::{Deserialize, Serialize};
use std::ops::Range;

use crate::metrics::{Rusage, Span, WindowMemory};

/// What a worker says once its model is built.
pub(crate) const READY: &str = "ready";

/// A command from the cell process to a worker.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Command {
    /// Run the ops with these indices and reply with a [`RunReply`].
    Run { ops: Range<u64>, traced: u64 },
    /// Time the kernel (`seed`, `iters`) and reply with a [`SpeedReply`]: the speed
    /// check around the window, taken where the ops run.
    Speed {
        /// Kernel seed.
        seed: u64,
        /// Kernel iterations.
        iters: u64,
    },
    /// Exit cleanly.
    Exit,
}

impl Command {
    /// The command as a line, without its newline.
    pub(crate) fn to_line(&self) -> String {
        match self {
            Command::Run { ops, traced } => format!("run {} {} {traced}", ops.start, ops.end),
            Command::Speed { seed, iters } => format!("speed {seed} {iters}"),
            Command::Exit => "exit".to_string(),
        }
    }

    /// Parses one line of the worker's stdin.
    pub(crate) fn parse(line: &str) -> anyhow::Result<Command> {
        let words: Vec<&str> = line.split_whitespace().collect();
        match words.as_slice() {
            ["exit"] => Ok(Command::Exit),
            ["run", start, end, traced] => {
                let num = |s: &str| {
                    s.parse::<u64>()
                        .map_err(|e| anyhow::anyhow!("bad op index '{s}' in command '{line}': {e}"))
                };
                let (start, end, traced) = (num(start)?, num(end)?, num(traced)?);
                anyhow::ensure!(start <= end, "empty-backwards range in command '{line}'");
                Ok(Command::Run {
                    ops: start..end,
                    traced,
                })
            }
            ["speed", seed, iters] => {
                let num = |s: &str| {
                    s.parse::<u64>()
                        .map_err(|e| anyhow::anyhow!("bad number '{s}' in command '{line}': {e}"))
                };
                Ok(Command::Speed {
                    seed: num(seed)?,
                    iters: num(iters)?,
                })
            }
            _ => anyhow::bail!(
                "unknown worker command '{line}' (expected `run START END TRACED`, `speed SEED ITERS` or `exit`)"
            ),
        }
    }
}

/// A worker's answer to `run`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct RunReply {
    /// Wrapping sum of the ops' checksums.
    pub checksum: u64,
    /// The latency histogram, as `Recorder::to_buckets` pairs (nanoseconds, count).
    pub buckets: Vec<(u64, u64)>,
    /// The worker's own `getrusage(RUSAGE_SELF)` difference across the run.
    pub rusage: Rusage,
    /// The worker's memory across the run (its op log counted as harness).
    pub memory: WindowMemory,
    #[serde(default)]
    pub spans: Vec<Span>,
}

/// A worker's answer to `speed`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct SpeedReply {
    /// Seconds the kernel took.
    pub seconds: f64,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commands_round_trip() {
        for c in [
            Command::Run {
                ops: 3..17,
                traced: 4,
            },
            Command::Run {
                ops: 0..0,
                traced: 0,
            },
            Command::Speed { seed: 1, iters: 9 },
            Command::Exit,
        ] {
            assert_eq!(Command::parse(&c.to_line()).unwrap(), c);
        }
    }

    #[test]
    fn bad_commands_are_errors_naming_the_line() {
        let err = Command::parse("run 5 x 0").unwrap_err().to_string();
        assert!(err.contains("run 5 x 0"), "{err}");
        assert!(Command::parse("run 9 2 0").is_err());
        assert!(Command::parse("walk").is_err());
        assert!(Command::parse("").is_err());
    }
}
