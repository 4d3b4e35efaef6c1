//! The worker side of the process model: the hidden `spectrum worker` subcommand.

use anyhow::Context;
use std::fs::File;
use std::io::{BufRead, Write};
use std::os::fd::FromRawFd;

use super::protocol::{Command, RunReply, SpeedReply, READY};
use crate::metrics::{PeakWatch, Rusage, Who};
use crate::model::{CellSpec, OpLog};
use crate::scenario::ModelKind;

/// Runs a worker: reads its cell spec from stdin, builds that (sequential) model, says
/// `ready`, then answers `run` commands until `exit` or EOF.
///
/// Errors end the worker with a non-zero exit and the message on stderr, which the
/// cell process quotes.
pub fn worker_main() -> anyhow::Result<()> {
    let mut replies = protocol_stdout()?;
    let mut lines = std::io::stdin().lock().lines();
    let Some(first) = lines.next() else {
        return Ok(());
    };
    let first = first.context("could not read the cell spec from stdin")?;
    let spec: CellSpec =
        serde_json::from_str(&first).context("the worker's first line is not a cell spec")?;
    // A process model inside a worker would spawn workers of its own, without end.
    anyhow::ensure!(
        spec.cell.model != ModelKind::Process,
        "a worker cannot run the process model itself"
    );
    let mut model =
        crate::dispatch::build(&spec).context("the worker could not build its model")?;
    send(&mut replies, READY)?;

    for line in lines {
        let line = line.context("could not read a command from stdin")?;
        match Command::parse(&line)? {
            Command::Exit => break,
            Command::Speed { seed, iters } => {
                let seconds =
                    crate::driver::speed::kernel_seconds(&spec, model.as_mut(), seed, iters)
                        .context("the speed check failed")?;
                send(
                    &mut replies,
                    &serde_json::to_string(&SpeedReply { seconds })?,
                )?;
            }
            Command::Run { ops, traced } => {
                // The part's log is allocated and touched before this worker's clock and
                // samples start, like the cell process's (it is 8 bytes per op of the
                // part: the parts add up to one log of the whole window).
                let log = std::sync::Arc::new(OpLog::with_trace(ops.clone(), traced));
                let watch = PeakWatch::start();
                let before = Rusage::now(Who::SelfProcess);
                let out = model
                    .run(ops.clone(), &log)
                    .with_context(|| format!("running ops {}..{}", ops.start, ops.end))?;
                let rusage = Rusage::now(Who::SelfProcess).delta(&before);
                let memory = watch.finish(log.resident_kib());
                let (latency, empty) = log.to_recorder();
                anyhow::ensure!(
                    empty == 0,
                    "{empty} ops of {}..{} were not recorded",
                    ops.start,
                    ops.end
                );
                let reply = RunReply {
                    checksum: out.checksum,
                    buckets: latency.to_buckets(),
                    rusage,
                    memory,
                    spans: log.spans(),
                };
                send(&mut replies, &serde_json::to_string(&reply)?)?;
            }
        }
    }
    Ok(())
}

/// Takes stdout for the protocol alone: keeps a private copy of the descriptor and
/// points descriptor 1 at stderr, so that anything else printing to stdout (a Python
/// `print`, a library's chatter) lands on stderr instead of corrupting a reply.
fn protocol_stdout() -> anyhow::Result<File> {
    // SAFETY: plain descriptor calls; the duplicate is owned by the File alone.
    unsafe {
        let fd = libc::fcntl(1, libc::F_DUPFD_CLOEXEC, 3);
        anyhow::ensure!(
            fd >= 0,
            "could not duplicate stdout: {}",
            std::io::Error::last_os_error()
        );
        let file = File::from_raw_fd(fd);
        anyhow::ensure!(
            libc::dup2(2, 1) >= 0,
            "could not point stdout at stderr: {}",
            std::io::Error::last_os_error()
        );
        Ok(file)
    }
}

/// Writes one protocol line and flushes it.
fn send(out: &mut File, line: &str) -> anyhow::Result<()> {
    // One write per line: the File is unbuffered, so build the whole line first.
    out.write_all(format!("{line}\n").as_bytes())
        .context("could not write to the cell process (has it exited?)")
}
