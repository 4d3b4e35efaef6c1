//! The child side of a measurement: the hidden `spectrum cell` subcommand.
//!
//! Reads a [`CellSpec`] as JSON on stdin, sets the model up, runs the warm-up, then
//! checks the kernel's speed ([`super::speed`]), measures `model.run(0..ops)`, checks
//! the speed again, and prints one [`Measurement`] as a JSON line on stdout.
//! Errors go to stderr (`Error: …`, exit 1) where the driver picks them up.

use anyhow::{bail, Context, Result};
use std::io::{Read, Write};
use std::sync::Arc;
use std::time::Instant;

use crate::io::server::DelayServer;
use crate::metrics::{
    threads_now, CpuTicks, Measurement, OsThreads, PeakWatch, Rusage, Timeline, Who,
};
use crate::model::{self, CellSpec, Model, OpLog};
use crate::scenario::{IoKind, ModelKind, Runtime};
use crate::workload::file::CellFiles;

/// Runs the `cell` subcommand: one repetition of one cell, spec on stdin.
pub fn cell_main() -> Result<()> {
    let mut input = String::new();
    std::io::stdin()
        .read_to_string(&mut input)
        .context("could not read the cell spec from stdin")?;
    let spec: CellSpec =
        serde_json::from_str(&input).context("the cell spec on stdin is not valid JSON")?;
    let m = measure(&spec)?;
    let line = serde_json::to_string(&m).context("could not serialize the measurement")?;
    let mut out = std::io::stdout().lock();
    writeln!(out, "{line}")
        .and_then(|()| out.flush())
        .context("could not write the measurement to stdout")?;
    Ok(())
}

/// Builds the model of `spec`, warms it up and measures its window.
pub fn measure(spec: &CellSpec) -> Result<Measurement> {
    // Before anything is created: a cell the machine cannot hold fails with the reason.
    crate::metrics::limits::check(
        &spec.cell,
        &crate::metrics::limits::Limits::read(),
        crate::metrics::available_cores(),
    )
    .map_err(|why| anyhow::anyhow!("{} does not fit this machine: {why}", spec.cell))?;
    let setup_start = Instant::now();
    // A tcp cell's far end: the delay server, a child of this process (so the cell's
    // process group takes it down), started before the model connects to it. Declared
    // before the model, so the model's connections close before the server stops.
    let (mut server, with_server);
    let spec = if spec.cell.io == IoKind::Tcp && spec.cell.io_us > 0.0 {
        let exe = crate::model::process::worker_exe()?;
        let s = DelayServer::start_spread(&exe, crate::io::server::FAR_END_SPREAD)
            .context("could not start the delay server")?;
        with_server = CellSpec {
            io_server: Some(s.addr()),
            ..spec.clone()
        };
        server = Some(s);
        &with_server
    } else {
        server = None;
        spec
    };
    // A file cell's folder: made here, before the model (each worker creates its file
    // in it at set-up), and declared before the model so that it is removed, files and
    // all, after the model has closed them — also when the cell fails.
    let (files, with_files);
    let spec = if spec.writes_files() {
        let f = CellFiles::create()?;
        with_files = CellSpec {
            file_dir: Some(f.path().to_path_buf()),
            ..spec.clone()
        };
        files = Some(f);
        &with_files
    } else {
        files = None;
        spec
    };
    let mut model =
        crate::dispatch::build(spec).with_context(|| format!("could not set up {}", spec.cell))?;
    if spec.warmup_ops > 0 {
        // Warm-up runs the same op indices as the window: it pays for first-touch costs
        // (page faults, lazy thread starts, interpreter caches) and its checksum is unused.
        model::run_collected(model.as_mut(), 0..spec.warmup_ops)
            .with_context(|| format!("warm-up of {} failed", spec.cell))?;
    }
    let setup_s = setup_start.elapsed().as_secs_f64();
    let mut check_errors = Vec::new();
    // The speed checks sit outside the window (and outside set-up time): they describe
    // the machine around it, not the model.
    let speed_before = speed_check(spec, model.as_mut(), &mut check_errors);

    // The op log is allocated and touched before the window, so recording never
    // allocates inside it and its memory is known (taken off the window's peak RSS).
    let log = Arc::new(OpLog::with_trace(0..spec.ops, spec.trace_ops));
    if let Some(s) = server.as_mut() {
        // The server's lateness and CPU time count from here: the window's requests only.
        s.mark().context("the delay server did not answer `mark`")?;
    }
    // The window: only `run` sits between the samples, so set-up, warm-up, JSON and
    // process start/exit are all outside it (the driver keeps those separately, from wait4).
    // Threads are counted where the ops run: not for worker processes or the runner.
    let count_threads =
        spec.cell.model != ModelKind::Process && spec.cell.runtime != Runtime::Cpython;
    let threads_before = threads_now().filter(|_| count_threads);
    let watch = PeakWatch::start();
    let ticks_before = CpuTicks::now();
    let ru_before = Rusage::now(Who::SelfProcess);
    let origin = model::trace::mono_ns();
    let t = Instant::now();
    let out = model.run(0..spec.ops, &log);
    let wall_s = t.elapsed().as_secs_f64();
    let rusage = Rusage::now(Who::SelfProcess).delta(&ru_before);
    let steal_share = ticks_before.and_then(|t| t.steal_share_since());
    let memory = watch.finish(log.resident_kib());
    let os_threads = threads_before
        .zip(threads_now())
        .map(|(before, after)| OsThreads { before, after });
    let server_stats = match server.as_mut() {
        // A server that died explains the failed ops: say that first.
        Some(s) => match s.alive() {
            Err(e) => {
                return Err(e.context(format!(
                    "measured run of {} failed: the delay server died during the window",
                    spec.cell
                )))
            }
            Ok(()) => Some(s.stats().context("the delay server did not answer `stats`")),
        },
        None => None,
    };
    let mut out = out.with_context(|| format!("measured run of {} failed", spec.cell))?;
    let server_stats = server_stats.transpose()?;
    let speed_after = speed_check(spec, model.as_mut(), &mut check_errors);

    // Folding the log into the histogram happens here, after the window.
    let (latency, spans) = model::collect_latency(model.as_mut(), &mut out, &log)
        .with_context(|| format!("could not collect the latencies of {}", spec.cell))?;
    let latency = latency.summary();
    let timeline = (spec.trace_ops > 0).then(|| {
        Timeline::from_spans(
            spans,
            origin,
            spec.trace_ops.min(spec.ops),
            spec.cell.concurrency,
            (wall_s * 1e9) as u64,
        )
    });
    if latency.count != spec.ops {
        bail!(
            "{} recorded {} op latencies for {} ops",
            spec.cell,
            latency.count,
            spec.ops
        );
    }
    let mut info = model.info();
    if !check_errors.is_empty() {
        info.insert(
            "speed_check_error".into(),
            serde_json::Value::from(check_errors.join("; ")),
        );
    }
    Ok(Measurement {
        ops: spec.ops,
        wall_s,
        ops_per_s: if wall_s > 0.0 {
            spec.ops as f64 / wall_s
        } else {
            0.0
        },
        setup_s,
        warmup_ops: spec.warmup_ops,
        latency_us: latency,
        rusage,
        workers: out.workers,
        memory: Some(memory),
        workers_memory: out.workers_memory,
        server: server_stats,
        file_target: files.as_ref().map(|f| f.target.clone()),
        os_threads,
        steal_share,
        whole_child: None,
        checksum: out.checksum,
        kernel_speed_before: speed_before,
        kernel_speed_after: speed_after,
        info,
        started_at_s: 0.0,
        timeline,
        counter: out.counter,
    })
}

/// One speed check; a failure is kept as a note, not a failed cell (the window's figures
/// stand without it).
fn speed_check(spec: &CellSpec, model: &mut dyn Model, errors: &mut Vec<String>) -> Option<f64> {
    // Beside a background load the kernel would be timed against that load: the check
    // would read the convoy, not the machine. The convoy's cells have no CPU half to
    // size anyway.
    if spec.cell.background.is_some() {
        return None;
    }
    // A counting cell's CPU half is not the kernel: the check would time an op the cell
    // never runs, and its efficiency against the kernel's bound means nothing either.
    if spec.cell.counter.is_some() {
        return None;
    }
    match super::speed::speed_ratio(spec, model) {
        Ok(r) => Some(r),
        Err(e) => {
            errors.push(format!("{e:#}"));
            None
        }
    }
}
