//! The Python models, embedded (`python`) and plain `python3` (`cpython`): each runs
//! exactly the ops it is given, and every one gives the same checksum — the sum of the
//! kernel over the op indices, which the Rust kernel computes too.

use std::path::PathBuf;

use spectrum::model::{self, CellSpec};
use spectrum::scenario::{AsyncCpu, Cell, Fault, Impl, ModelKind, Runtime};
use spectrum::workload::{kernel, Calibration};

/// Kernel iterations per op (calibration 1 iteration/µs, 300 µs of CPU).
const ITERS: u64 = 300;

fn cell(runtime: Runtime, model: ModelKind, concurrency: u32) -> Cell {
    Cell::sleep_op(runtime, model, ITERS as f64, 100.0, concurrency)
}

fn spec(cell: Cell) -> CellSpec {
    CellSpec {
        cell,
        ops: 30,
        warmup_ops: 3,
        calibration: Calibration::from_samples(vec![1.0]),
        repetition: 0,
        python_path: Some(PathBuf::from(env!("CARGO_MANIFEST_DIR"))),
        io_server: None,
        trace_ops: 0,
        python_exe: None,
        speed_reference: None,
        file_dir: None,
    }
}

fn expected(ops: std::ops::Range<u64>) -> u64 {
    ops.fold(0u64, |acc, i| acc.wrapping_add(kernel(i, ITERS)))
}

/// Builds `cell`, runs a warm-up and a window as the cell child does, checks both.
fn check(cell: Cell) {
    let id = cell.id();
    let spec = spec(cell);
    let mut m = spectrum::dispatch::build(&spec).unwrap_or_else(|e| panic!("{id}: {e:#}"));
    for ops in [0..spec.warmup_ops, 0..spec.ops, 100..117] {
        let (out, latency) =
            model::run_collected(m.as_mut(), ops.clone()).unwrap_or_else(|e| panic!("{id}: {e:#}"));
        assert_eq!(
            latency.len(),
            ops.end - ops.start,
            "{id}: one record per op"
        );
        assert_eq!(out.checksum, expected(ops), "{id}: checksum");
    }
    let info = m.info();
    assert!(info.contains_key("python_version"), "{id}: {info:?}");
    assert!(info.contains_key("switch_interval_s"), "{id}: {info:?}");
}

#[test]
#[cfg(feature = "python")]
fn embedded_models_run_every_op_once() {
    check(cell(Runtime::Python, ModelKind::Sequential, 1));
    check(cell(Runtime::Python, ModelKind::Thread, 3));
    check(cell(Runtime::Python, ModelKind::Async, 3));
    let mut offload = cell(Runtime::Python, ModelKind::Async, 3);
    offload.async_cpu = Some(AsyncCpu::Offload);
    check(offload);
    let mut pool = cell(Runtime::Python, ModelKind::Async, 3);
    pool.async_cpu = Some(AsyncCpu::Pool);
    check(pool);
}

#[test]
#[cfg(feature = "python")]
fn native_halves_give_the_same_checksum() {
    use spectrum::scenario::Gil;
    for gil in [Gil::Held, Gil::Released] {
        for model in [ModelKind::Sequential, ModelKind::Thread, ModelKind::Async] {
            let mut c = cell(Runtime::Python, model, 2);
            c.gil = Some(gil);
            c.cpu_impl = Some(Impl::Native);
            c.io_impl = Some(Impl::Native);
            check(c);
        }
    }
}

#[test]
fn cpython_models_run_every_op_once() {
    check(cell(Runtime::Cpython, ModelKind::Sequential, 1));
    check(cell(Runtime::Cpython, ModelKind::Thread, 3));
    check(cell(Runtime::Cpython, ModelKind::Process, 2));
    let mut offload = cell(Runtime::Cpython, ModelKind::Async, 3);
    offload.async_cpu = Some(AsyncCpu::Offload);
    check(offload);
    let mut pool = cell(Runtime::Cpython, ModelKind::Async, 3);
    pool.async_cpu = Some(AsyncCpu::Pool);
    check(pool);
}

#[test]
fn cpython_reports_the_runners_rusage() {
    let mut c = cell(Runtime::Cpython, ModelKind::Process, 2);
    c.cpu_us = 20_000.0;
    let mut m = spectrum::dispatch::build(&spec(c)).unwrap();
    let (out, _) = model::run_collected(m.as_mut(), 0..4).unwrap();
    let ru = out.workers.expect("the runner's rusage");
    assert!(ru.user_s + ru.sys_s > 0.0, "{ru:?}");
    assert!(ru.max_rss_kib > 0, "{ru:?}");
    let mem = out.workers_memory.expect("the runner's memory");
    // The runner and its two workers each hold an interpreter: megabytes.
    assert!(mem.peak_kib > 3 * 1024 && mem.harness_kib > 0, "{mem:?}");
}

#[test]
fn a_raising_op_fails_with_its_traceback() {
    let mut cases = vec![(Runtime::Cpython, ModelKind::Thread)];
    if cfg!(feature = "python") {
        cases.extend([
            (Runtime::Python, ModelKind::Sequential),
            (Runtime::Python, ModelKind::Thread),
            (Runtime::Python, ModelKind::Async),
        ]);
    }
    for (runtime, model) in cases {
        let mut c = cell(runtime, model, 2);
        c.fault = Some(Fault::Error);
        let mut m = spectrum::dispatch::build(&spec(c)).unwrap();
        let err = format!("{:#}", model::run_collected(m.as_mut(), 0..4).unwrap_err());
        assert!(err.contains("Traceback"), "{runtime:?} {model:?}: {err}");
        assert!(
            err.contains("fault injected"),
            "{runtime:?} {model:?}: {err}"
        );
        assert!(
            err.contains("op.py"),
            "{runtime:?} {model:?}: names the file: {err}"
        );
    }
}

#[test]
fn a_native_half_is_refused_by_plain_python3() {
    let mut c = cell(Runtime::Cpython, ModelKind::Sequential, 1);
    c.cpu_impl = Some(Impl::Native);
    let err = format!(
        "{:#}",
        spectrum::dispatch::build(&spec(c)).err().expect("an error")
    );
    assert!(err.contains("spectrum_native"), "{err}");
}

#[test]
fn a_missing_workloads_folder_is_a_clear_error() {
    let tmp = tempfile::tempdir().unwrap();
    let mut s = spec(cell(Runtime::Python, ModelKind::Sequential, 1));
    s.python_path = Some(tmp.path().to_path_buf());
    let err = format!(
        "{:#}",
        spectrum::dispatch::build(&s).err().expect("an error")
    );
    assert!(err.contains("python_workloads"), "{err}");
    assert!(err.contains("--python-workloads"), "{err}");
}

#[test]
fn both_runtimes_calibrate_and_describe_the_interpreter() {
    let dir = spectrum::python::locate_workloads(None).unwrap();
    let runtimes: &[Runtime] = if cfg!(feature = "python") {
        &[Runtime::Python, Runtime::Cpython]
    } else {
        &[Runtime::Cpython]
    };
    for &runtime in runtimes {
        let (cal, info) = spectrum::python::calibrate(runtime, &dir).unwrap();
        assert!(cal.iters_per_us > 0.0 && cal.samples == 7, "{cal:?}");
        assert!(info.version.starts_with('3'), "{info:?}");
        assert!(info.switch_interval_s > 0.0, "{info:?}");
        let lib = info.libpython.clone().unwrap_or_default();
        assert!(lib.contains("libpython"), "{runtime:?}: {info:?}");
    }
}

/// Subinterpreters in the embedded runtime: where the build embeds CPython 3.12+, each
/// unit runs its ops in its own interpreter with the same checksum, a failing op comes
/// back with its traceback, and the creation cost is recorded; elsewhere the model says
/// what build it needs.
#[test]
#[cfg(feature = "python")]
fn embedded_subinterpreters_run_every_op_once_or_name_the_build_they_need() {
    let c = cell(Runtime::Python, ModelKind::Subinterpreter, 3);
    if !spectrum::python::EMBEDDED_SUBINTERPRETERS {
        let e = spectrum::dispatch::build(&spec(c)).err().expect("refused");
        assert!(
            format!("{e:#}").contains("needs spectrum built against CPython 3.12"),
            "{e:#}"
        );
        return;
    }
    check(c.clone());
    let m = spectrum::dispatch::build(&spec(c.clone())).unwrap();
    let info = m.info();
    let created = info["unit_create_s"].as_array().expect("one per unit");
    assert_eq!(created.len(), 3, "{info:?}");
    assert!(
        created.iter().all(|s| s.as_f64().unwrap() > 0.0),
        "{info:?}"
    );
    drop(m);
    let mut failing = c;
    failing.fault = Some(Fault::Error);
    let mut m = spectrum::dispatch::build(&spec(failing)).unwrap();
    let err = model::run_collected(m.as_mut(), 0..4).unwrap_err();
    assert!(format!("{err:#}").contains("Traceback"), "{err:#}");
}
