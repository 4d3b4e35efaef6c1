//! The `subinterpreter` model of the `cpython` runtime, driven as a cell child drives
//! it, on every interpreter of this machine that has one (3.12+; discovered like
//! `spectrum list` does): the same checksum as the Rust kernel, every op's latency, and
//! the set-up cost per unit in the model's info. The embedded runtime's is in
//! `python_models.rs` (it needs a build against CPython 3.12+).

use std::path::PathBuf;

use spectrum::model::{self, CellSpec};
use spectrum::python::interpreters::discover;
use spectrum::scenario::{Cell, ModelKind, Runtime};
use spectrum::workload::{kernel, Calibration};

const ITERS: u64 = 300;

fn spec(runtime: Runtime, exe: Option<PathBuf>) -> CellSpec {
    CellSpec {
        cell: Cell::sleep_op(runtime, ModelKind::Subinterpreter, ITERS as f64, 50.0, 2),
        ops: 20,
        warmup_ops: 0,
        calibration: Calibration::from_samples(vec![1.0]),
        repetition: 0,
        python_path: Some(PathBuf::from(env!("CARGO_MANIFEST_DIR"))),
        io_server: None,
        python_exe: exe,
        speed_reference: None,
        file_dir: None,
        trace_ops: 0,
    }
}

#[test]
fn subinterpreters_sum_to_the_rust_checksum_on_every_interpreter_that_has_them() {
    let found: Vec<_> = discover()
        .into_iter()
        .filter(|i| {
            let v: Vec<u32> = i
                .release
                .split('.')
                .map(|p| p.parse().unwrap_or(0))
                .collect();
            v >= vec![3, 12]
        })
        .collect();
    if found.is_empty() {
        eprintln!("skipped: no Python 3.12+ on PATH, in pyenv or in .pythons/");
        return;
    }
    for i in found {
        let s = spec(Runtime::Cpython, Some(PathBuf::from(&i.executable)));
        let mut m = spectrum::dispatch::build(&s)
            .unwrap_or_else(|e| panic!("{} {}: {e:#}", i.name, i.executable));
        let (out, latency) = model::run_collected(m.as_mut(), 5..25).unwrap();
        let expected = (5..25u64).fold(0u64, |a, k| a.wrapping_add(kernel(k, ITERS)));
        assert_eq!(out.checksum, expected, "{}", i.name);
        assert_eq!(latency.len(), 20, "{}", i.name);
        let info = m.info();
        assert_eq!(info["units"], 2, "{}: {info:?}", i.name);
        assert!(info["setup_per_unit_s"].as_f64().unwrap() > 0.0, "{info:?}");
        assert_eq!(info["free_threaded_build"], i.free_threaded, "{info:?}");
    }
}
