//! The expansion rules: products, collapsed and skipped combinations, include/exclude,
//! order, run parameters and the run-time estimate.

use super::*;
use crate::scenario::*;

#[test]
fn cartesian_product_with_sequential_collapsed() {
    let p = plan("name = \"t\"\n[sweep]\nmodel = [\"sequential\", \"thread\"]\nio_fraction = [0, 1]\nconcurrency = [2, 8]\n");
    // sequential: one cell per io_fraction; thread: 2 × 2.
    assert_eq!(p.cells.len(), 6);
    let seq: Vec<_> = p
        .cells
        .iter()
        .filter(|c| c.model == ModelKind::Sequential)
        .collect();
    assert_eq!(seq.len(), 2);
    assert!(seq.iter().all(|c| c.concurrency == 1));
    assert!(p.notes.is_empty(), "{:?}", p.notes);
}

#[test]
fn op_time_splits_into_cpu_and_io() {
    let p = plan(&format!("{BASE}op_time = \"10ms\"\n"));
    let c = &p.cells[0];
    assert_eq!(
        (c.op_time_us, c.cpu_us, c.io_us),
        (10_000.0, 5_000.0, 5_000.0)
    );
    // [defaults].op_time applies when the sweep gives none; a bare number is µs.
    let p = plan(&format!("{BASE}[defaults]\nop_time = 400\n"));
    assert_eq!(p.cells[0].op_time_us, 400.0);
    let p = plan(&format!("{BASE}[defaults]\nop_time = \"2ms\"\n"));
    assert_eq!((p.cells[0].cpu_us, p.cells[0].io_us), (1000.0, 1000.0));
}

#[test]
fn rayon_is_skipped_for_python_with_a_note() {
    let p = plan("name = \"t\"\n[sweep]\nruntime = [\"rust\", \"python\"]\nmodel = \"rayon\"\nio_fraction = [0, 1]\nconcurrency = 2\n");
    assert_eq!(p.cells.len(), 2);
    assert!(p.cells.iter().all(|c| c.runtime == Runtime::Rust));
    assert_eq!(p.notes.len(), 1);
    assert!(p.notes[0].contains("rayon runs only in Rust") && p.notes[0].contains("python"));
}

#[test]
fn python_options_apply_to_python_only() {
    let p = plan("name = \"t\"\n[sweep]\nruntime = [\"rust\", \"python\"]\nmodel = [\"thread\", \"async\"]\nio_fraction = 0.5\nconcurrency = 2\ngil = [\"held\", \"released\"]\ncpu_impl = [\"python\", \"native\"]\n");
    let rust: Vec<_> = p
        .cells
        .iter()
        .filter(|c| c.runtime == Runtime::Rust)
        .collect();
    assert_eq!(rust.len(), 2, "gil and cpu_impl do not multiply rust cells");
    assert!(rust
        .iter()
        .all(|c| c.gil.is_none() && c.cpu_impl.is_none() && c.io_impl.is_none()));
    // Python thread: cpu=python (gil has no effect: one cell) + cpu=native × 2 gil.
    let py_thread: Vec<_> = p
        .cells
        .iter()
        .filter(|c| c.runtime == Runtime::Python && c.model == ModelKind::Thread)
        .collect();
    assert_eq!(py_thread.len(), 3);
    assert!(py_thread.iter().all(|c| c.io_impl == Some(Impl::Python)));
    let no_native = py_thread
        .iter()
        .find(|c| c.cpu_impl == Some(Impl::Python))
        .unwrap();
    assert_eq!(no_native.gil, None);
    // async_cpu defaults to inline for async, and is None elsewhere.
    for c in &p.cells {
        let want = (c.model == ModelKind::Async).then_some(AsyncCpu::Inline);
        assert_eq!(c.async_cpu, want, "{c}");
    }
}

#[test]
fn cpython_cannot_use_native_halves() {
    let p = plan("name = \"t\"\n[sweep]\nruntime = \"cpython\"\nmodel = \"thread\"\nio_fraction = 0.5\nconcurrency = 2\nio_impl = [\"python\", \"native\"]\n");
    assert_eq!(p.cells.len(), 1);
    assert_eq!(p.cells[0].io_impl, Some(Impl::Python));
    assert!(
        p.notes[0].contains("cpython") && p.notes[0].contains("native"),
        "{:?}",
        p.notes
    );
}

#[test]
fn process_above_256_is_skipped_with_a_note() {
    let p = plan("name = \"t\"\n[sweep]\nmodel = [\"process\", \"thread\"]\nio_fraction = 1\nconcurrency = [4, 1000]\n");
    assert_eq!(p.cells.len(), 3);
    assert!(!p
        .cells
        .iter()
        .any(|c| c.model == ModelKind::Process && c.concurrency > 256));
    assert!(p.notes[0].contains("concurrency 1000"), "{:?}", p.notes);
}

#[test]
fn exclude_then_include_with_fallback() {
    let text = "name = \"t\"\n[sweep]\nmodel = [\"thread\", \"process\"]\nio_fraction = [0, 1]\nconcurrency = [2, 64]\n\
                [[exclude]]\nmodel = \"process\"\nconcurrency = 64\n\
                [[include]]\nmodel = \"thread\"\nconcurrency = 1000\nop_time = \"10ms\"\n\
                [[include]]\nmodel = \"process\"\nio_fraction = 1\nconcurrency = 64\n";
    let p = plan(text);
    let has = |m: ModelKind, f: f64, n: u32| {
        p.cells
            .iter()
            .any(|c| c.model == m && c.io_fraction == f && c.concurrency == n)
    };
    assert!(!has(ModelKind::Process, 0.0, 64), "excluded");
    assert!(
        has(ModelKind::Process, 1.0, 64),
        "brought back by an include"
    );
    // The first include takes io_fraction [0, 1] from [sweep].
    assert!(has(ModelKind::Thread, 0.0, 1000) && has(ModelKind::Thread, 1.0, 1000));
    assert_eq!(p.cells.len(), 4 + 2 + 2 + 1);
}

#[test]
fn exclude_matching_nothing_leaves_a_note_and_duplicates_merge() {
    let p = plan(&format!(
        "{BASE}[[exclude]]\nmodel = \"process\"\n[[include]]\nmodel = \"thread\"\n"
    ));
    assert_eq!(p.cells.len(), 1, "the include repeats the sweep's cell");
    assert!(
        p.notes[0].contains("exclude[1] (line 6) removed no cell"),
        "{:?}",
        p.notes
    );
}

#[test]
fn everything_skipped_is_an_error_with_the_reasons() {
    let e = err("name = \"t\"\n[sweep]\nruntime = \"python\"\nmodel = \"rayon\"\nio_fraction = 0\nconcurrency = 2\n");
    assert_err(
        &e,
        Some(2),
        "sweep",
        &["expands to no cell", "rayon runs only in Rust"],
    );
}

#[test]
fn order_is_language_then_io_fraction_then_model_then_concurrency_then_runtime() {
    let p = plan("name = \"t\"\n[sweep]\nruntime = [\"cpython\", \"python\", \"rust\"]\nmodel = [\"thread\", \"sequential\"]\nio_fraction = [1, 0]\nconcurrency = [8, 2]\n");
    let ids: Vec<String> = p.cells.iter().map(Cell::id).collect();
    let mut sorted = p.cells.clone();
    let key = |c: &Cell| {
        (
            c.runtime.is_python(),
            c.io_fraction.to_bits(),
            c.model,
            c.concurrency,
            c.runtime,
        )
    };
    sorted.sort_by_key(key);
    assert_eq!(ids, sorted.iter().map(Cell::id).collect::<Vec<_>>());
    assert_eq!(p.cells[0].runtime, Runtime::Rust);
    assert_eq!(p.cells[0].model, ModelKind::Sequential);
    // The same Python cell in both runtimes runs back to back.
    let first_py = p.cells.iter().position(|c| c.runtime.is_python()).unwrap();
    assert_eq!(p.cells[first_py].runtime, Runtime::Python);
    assert_eq!(p.cells[first_py + 1].runtime, Runtime::Cpython);
    assert_eq!(p.cells[first_py].model, p.cells[first_py + 1].model);
}

#[test]
fn defaults_fill_run_params() {
    let p = plan(BASE);
    assert_eq!(p.params.budget, Budget::Duration(1.0));
    assert_eq!(
        (p.params.repetitions, p.params.warmup, p.params.timeout_s),
        (3, 0.1, 60.0)
    );
    let p = plan(&format!(
        "{BASE}[defaults]\nops = 500\nrepetitions = 2\nwarmup = 0\ntimeout = \"90s\"\n"
    ));
    assert_eq!(p.params.budget, Budget::Ops(500));
    assert_eq!(
        (p.params.repetitions, p.params.warmup, p.params.timeout_s),
        (2, 0.0, 90.0)
    );
    assert_eq!(p.source, "t.toml");
    assert_eq!(p.name, "t");
}

#[test]
fn estimate_counts_repetitions_window_and_setup() {
    let p = plan(&format!(
        "{BASE}[defaults]\nduration = \"1s\"\nrepetitions = 2\nwarmup = 0.5\n"
    ));
    // One Rust thread cell: 0.05 s of start-up per repetition, 5 s for the whole run.
    assert!((p.estimated_seconds_on(2) - (2.0 * (1.5 + 0.05) + 5.0)).abs() < 1e-9);
    // 100 ops of 1 ms (half CPU) by 2 workers on 2 cores: 2000 ops/s, 0.05 s, + set-up.
    let p = plan(&format!(
        "{BASE}[defaults]\nops = 100\nrepetitions = 1\nwarmup = 0\n"
    ));
    assert!((p.estimated_seconds_on(2) - (0.05 + 0.05 + 5.0)).abs() < 1e-9);
}

#[test]
fn negative_zero_share_is_plain_zero() {
    let p = plan(
        "name = \"t\"\n[sweep]\nmodel = \"thread\"\nio_fraction = [-0.0, 0.0]\nconcurrency = 2\n",
    );
    assert_eq!(p.cells.len(), 1);
    assert_eq!(p.cells[0].io_fraction.to_bits(), 0.0f64.to_bits());
}
