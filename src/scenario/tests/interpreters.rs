//! The `interpreter` key and the `subinterpreter` model: which cells they make, and the
//! mistakes they refuse.

use super::*;
use crate::scenario::*;

const SWEEP: &str = "name = \"t\"\n[sweep]\nruntime = [\"rust\", \"cpython\"]\n\
                     model = [\"sequential\", \"subinterpreter\"]\nio_fraction = 0.0\n\
                     concurrency = 2\ninterpreter = [\"3.12\", \"3.13t\"]\n";

#[test]
fn each_cpython_cell_runs_once_per_interpreter() {
    let p = plan(SWEEP);
    let ids: Vec<String> = p.cells.iter().map(Cell::id).collect();
    // Rust ignores the key and has no subinterpreters (a note says so).
    assert!(
        ids.contains(&"rust/sequential/sleep/f0.00/op1000/c1".to_string()),
        "{ids:?}"
    );
    for i in ["3.12", "3.13t"] {
        for m in ["sequential", "subinterpreter"] {
            let n = if m == "sequential" { 1 } else { 2 };
            let id = format!("cpython@{i}/{m},cpu=py,io=py/sleep/f0.00/op1000/c{n}");
            assert!(ids.contains(&id), "{id} not in {ids:?}");
        }
    }
    assert_eq!(p.cells.len(), 5);
    assert!(
        p.notes
            .iter()
            .any(|n| n.contains("subinterpreter runs only in runtime cpython")),
        "{:?}",
        p.notes
    );
}

#[test]
fn without_the_key_nothing_changes() {
    let p = plan(&format!("{BASE}runtime = \"cpython\"\n"));
    assert_eq!(p.cells[0].interpreter, None);
    assert!(
        p.cells[0].id().starts_with("cpython/thread"),
        "{}",
        p.cells[0].id()
    );
}

#[test]
fn an_exclude_can_name_an_interpreter() {
    let p = plan(&format!(
        "{SWEEP}[[exclude]]\ninterpreter = \"3.12\"\nmodel = \"subinterpreter\"\n"
    ));
    assert_eq!(p.cells.len(), 4);
}

#[test]
fn a_bad_interpreter_names_the_fix() {
    let e = err(&format!(
        "{BASE}runtime = \"cpython\"\ninterpreter = [\"3.12\", \"py3\"]\n"
    ));
    assert_err(
        &e,
        Some(7),
        "sweep.interpreter",
        &["\"py3\" is neither a version nor a path", "\"3.13t\""],
    );
}

#[test]
fn the_embedded_runtime_runs_subinterpreters_only_from_cpython_3_12() {
    let text = "name = \"t\"\n[sweep]\nruntime = [\"python\", \"cpython\"]\n\
                model = [\"thread\", \"subinterpreter\"]\nio_fraction = 0.0\nconcurrency = 2\n";
    if crate::python::EMBEDDED_SUBINTERPRETERS {
        let p = plan(text);
        assert!(p
            .cells
            .iter()
            .any(|c| c.runtime == Runtime::Python && c.model == ModelKind::Subinterpreter));
        // The native module cannot load in them: those cells are skipped with a note.
        let p = plan(&format!("{text}cpu_impl = [\"python\", \"native\"]\n"));
        assert!(
            p.notes.iter().any(|n| n.contains("single-phase")),
            "{:?}",
            p.notes
        );
        assert!(!p
            .cells
            .iter()
            .any(|c| c.model == ModelKind::Subinterpreter && c.cpu_impl == Some(Impl::Native)));
    } else {
        let e = err(text);
        assert_err(
            &e,
            Some(4),
            "sweep.model",
            &[
                "needs spectrum built against CPython 3.12 or later",
                "PYO3_PYTHON=python3.12",
                "use runtime = \"cpython\"",
            ],
        );
    }
}
