//! `spectrum_native`: the native helpers the embedded interpreter gets, in two flavours.
//!
//! `cpu(seed, iters)` runs the Rust kernel (same checksum as the Python one) and
//! `sleep(us)` blocks the calling thread, both *holding* the GIL: every other Python
//! thread waits, as behind any C extension that never releases it. `cpu_nogil` and
//! `sleep_nogil` do the same inside `py.detach`, which releases the GIL for the duration:
//! other Python threads run meanwhile. The op (`python_workloads/op.py`) picks the pair
//! named by the cell's `gil` key.

use pyo3::prelude::*;
use pyo3::types::PyModule;
use std::time::Duration;

use crate::workload::kernel;

/// The module's name in `sys.modules`.
pub(crate) const NAME: &str = "spectrum_native";

/// `us` microseconds as a sleep (negative or NaN: no sleep).
fn micros(us: f64) -> Duration {
    Duration::from_secs_f64((us / 1e6).max(0.0))
}

/// Runs the Rust kernel holding the GIL; returns its checksum.
#[pyfunction]
fn cpu(seed: u64, iters: u64) -> u64 {
    kernel(seed, iters)
}

/// Runs the Rust kernel with the GIL released; returns its checksum.
#[pyfunction]
fn cpu_nogil(py: Python<'_>, seed: u64, iters: u64) -> u64 {
    py.detach(|| kernel(seed, iters))
}

/// Sleeps `us` microseconds holding the GIL.
#[pyfunction]
fn sleep(us: f64) {
    std::thread::sleep(micros(us));
}

/// Sleeps `us` microseconds with the GIL released.
#[pyfunction]
fn sleep_nogil(py: Python<'_>, us: f64) {
    let d = micros(us);
    py.detach(|| std::thread::sleep(d));
}

/// Builds the module (registered in `sys.modules` by the embedding, not importable by a
/// plain `python3`).
pub(crate) fn module(py: Python<'_>) -> PyResult<Bound<'_, PyModule>> {
    let m = PyModule::new(py, NAME)?;
    m.add_function(wrap_pyfunction!(cpu, &m)?)?;
    m.add_function(wrap_pyfunction!(cpu_nogil, &m)?)?;
    m.add_function(wrap_pyfunction!(sleep, &m)?)?;
    m.add_function(wrap_pyfunction!(sleep_nogil, &m)?)?;
    m.add(
        "__doc__",
        "spectrum's native helpers: cpu/sleep hold the GIL, cpu_nogil/sleep_nogil release it.",
    )?;
    Ok(m)
}

#[cfg(test)]
mod tests {
    use super::super::embed::{attach_prepared, PyResultExt};
    use crate::workload::kernel;
    use pyo3::prelude::*;
    use std::path::Path;

    fn workloads() -> &'static Path {
        Path::new(env!("CARGO_MANIFEST_DIR"))
    }

    #[test]
    fn native_cpu_is_the_rust_kernel_whatever_the_gil() {
        attach_prepared(workloads(), |py| {
            let m = py.import(super::NAME).or_traceback(py)?;
            for f in ["cpu", "cpu_nogil"] {
                let c: u64 = m.call_method1(f, (42u64, 1000u64))?.extract()?;
                assert_eq!(c, kernel(42, 1000), "{f}");
            }
            for f in ["sleep", "sleep_nogil"] {
                m.call_method1(f, (10.0,))?;
            }
            Ok(())
        })
        .unwrap();
    }
}
