//! The embedded interpreter: start-up, `sys.path`, the native module, Python errors.
//!
//! Every embedded entry point goes through [`attach_prepared`]: it initializes the
//! interpreter (once per process; pyo3's `auto-initialize`, signal handlers off), puts the
//! `python_workloads` folder first on `sys.path`, registers [`super::native`] as
//! `spectrum_native` and imports the package, then runs the caller's closure attached.
//! A Python exception becomes an error whose message is the formatted traceback, so a
//! failed cell shows the Python file and line.

use anyhow::{anyhow, Context, Result};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList};
use serde::de::DeserializeOwned;
use serde_json::Value;
use std::path::Path;

use crate::metrics::PythonInfo;
use crate::workload::Calibration;

/// Runs `f` attached to the interpreter, after making sure it is initialized and can
/// import `python_workloads` from `workloads`.
pub(crate) fn attach_prepared<R>(
    workloads: &Path,
    f: impl for<'py> FnOnce(Python<'py>) -> Result<R>,
) -> Result<R> {
    Python::initialize();
    Python::attach(|py| {
        prepare(py, workloads)
            .map_err(|e| py_error(py, &e))
            .with_context(|| {
                format!(
                    "could not import python_workloads from '{}'",
                    workloads.display()
                )
            })?;
        f(py)
    })
}

/// Idempotent set-up: `sys.path`, `spectrum_native`, `import python_workloads`.
fn prepare(py: Python<'_>, workloads: &Path) -> PyResult<()> {
    let sys = py.import("sys")?;
    let path = sys.getattr("path")?.cast_into::<PyList>()?;
    let dir = workloads.to_string_lossy();
    if !path.contains(dir.as_ref())? {
        path.insert(0, dir.as_ref())?;
    }
    let modules = sys.getattr("modules")?.cast_into::<PyDict>()?;
    if !modules.contains(super::native::NAME)? {
        modules.set_item(super::native::NAME, super::native::module(py)?)?;
    }
    py.import("python_workloads")?;
    Ok(())
}

/// A Python exception as an error carrying the formatted traceback (falls back to the
/// exception's one-line form if formatting itself fails).
pub(crate) fn py_error(py: Python<'_>, err: &PyErr) -> anyhow::Error {
    let formatted = || -> PyResult<String> {
        // The three-argument form: on 3.11 a fetched exception's __traceback__ may not
        // be set yet, pyo3 keeps the traceback beside it.
        let lines = py.import("traceback")?.call_method1(
            "format_exception",
            (err.get_type(py), err.value(py), err.traceback(py)),
        )?;
        "".into_pyobject(py)?
            .call_method1("join", (lines,))?
            .extract::<String>()
    };
    anyhow!(formatted().unwrap_or_else(|_| err.to_string()))
}

/// Extension for `PyResult`: convert the error with its traceback.
pub(crate) trait PyResultExt<T> {
    /// The value, or an error carrying the Python traceback.
    fn or_traceback(self, py: Python<'_>) -> Result<T>;
}

impl<T> PyResultExt<T> for PyResult<T> {
    fn or_traceback(self, py: Python<'_>) -> Result<T> {
        self.map_err(|e| py_error(py, &e))
    }
}

/// A JSON value as a Python object (through `json.loads`: exact for the op spec's plain
/// numbers, strings and nulls).
pub(crate) fn to_python<'py>(py: Python<'py>, value: &Value) -> PyResult<Bound<'py, PyAny>> {
    py.import("json")?
        .call_method1("loads", (value.to_string(),))
}

/// A Python object (dicts, lists, numbers, strings) as a Rust value, through `json.dumps`.
pub(crate) fn from_python<T: DeserializeOwned>(obj: &Bound<'_, PyAny>) -> Result<T> {
    let py = obj.py();
    let text: String = py
        .import("json")
        .and_then(|json| json.call_method1("dumps", (obj,)))
        .and_then(|s| s.extract())
        .or_traceback(py)?;
    serde_json::from_str(&text).with_context(|| format!("unexpected value from Python: {text}"))
}

/// Calibrates the Python kernel inside this process's interpreter and describes it.
pub(crate) fn calibrate(workloads: &Path) -> Result<(Calibration, PythonInfo)> {
    attach_prepared(workloads, |py| {
        let module = py.import("python_workloads.calibrate").or_traceback(py)?;
        let calibration: Calibration =
            from_python(&module.call_method0("calibrate").or_traceback(py)?)?;
        Ok((calibration, describe(py)?))
    })
}

/// Seconds the Python kernel takes for `iters` iterations in this process's interpreter
/// (median of three calls, timed in Python like the calibration).
pub(crate) fn time_kernel(workloads: &Path, seed: u64, iters: u64) -> Result<f64> {
    attach_prepared(workloads, |py| {
        let module = py.import("python_workloads.calibrate").or_traceback(py)?;
        module
            .call_method1("time_kernel", (seed, iters))
            .and_then(|v| v.extract::<f64>())
            .or_traceback(py)
    })
}

/// The interpreter in this process (libpython as mapped into spectrum itself).
pub(crate) fn describe(py: Python<'_>) -> Result<PythonInfo> {
    let module = py.import("python_workloads.calibrate").or_traceback(py)?;
    let mut info: PythonInfo = from_python(&module.call_method0("describe").or_traceback(py)?)?;
    // sys.executable of an embedded interpreter is a guess from the program name and
    // PATH; the interpreter pyo3 was built against is the one that matters.
    let built = env!("SPECTRUM_PYO3_PYTHON");
    if !built.is_empty() {
        info.executable = built.to_string();
    }
    Ok(info)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::Value;

    fn workloads() -> &'static Path {
        Path::new(env!("CARGO_MANIFEST_DIR"))
    }

    #[test]
    fn the_embedded_python_kernel_matches_the_shared_vectors() {
        let text =
            std::fs::read_to_string(workloads().join("python_workloads/kernel_vectors.json"))
                .unwrap();
        let doc: Value = serde_json::from_str(&text).unwrap();
        attach_prepared(workloads(), |py| {
            let k = py
                .import("python_workloads.kernel")
                .and_then(|m| m.getattr("kernel"))
                .or_traceback(py)?;
            for case in doc["cases"].as_array().unwrap() {
                let (seed, iters) = (
                    case["seed"].as_u64().unwrap(),
                    case["iters"].as_u64().unwrap(),
                );
                let got: u64 = k.call1((seed, iters))?.extract()?;
                assert_eq!(got, case["checksum"].as_u64().unwrap(), "{case}");
                assert_eq!(got, crate::workload::kernel(seed, iters), "{case}");
            }
            Ok(())
        })
        .unwrap();
    }

    #[test]
    fn python_errors_carry_the_traceback() {
        let err = attach_prepared(workloads(), |py| {
            py.run(
                c"def inner():\n    raise ValueError('boom')\ninner()",
                None,
                None,
            )
            .or_traceback(py)
        })
        .unwrap_err();
        let text = format!("{err:#}");
        assert!(text.contains("Traceback"), "{text}");
        assert!(text.contains("in inner"), "{text}");
        assert!(text.contains("ValueError: boom"), "{text}");
    }

    #[test]
    fn json_round_trips_through_python() {
        let v = serde_json::json!({"a": 1, "b": [1.5, "x", null], "big": u64::MAX});
        let back: Value = attach_prepared(workloads(), |py| {
            from_python(&to_python(py, &v).or_traceback(py)?)
        })
        .unwrap();
        assert_eq!(back, v);
    }
}
