//! GIL costs in the embedded interpreter: detaching and re-attaching from a thread that
//! stays attached, attaching from a thread that is not, and a Python call of the native
//! no-op helper with the GIL held vs released (the difference is what releasing costs).

use std::hint::black_box;
use std::io;
use std::time::{Duration, Instant};

use pyo3::prelude::*;
use pyo3::types::PyDict;

/// Which GIL path to time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum GilPath {
    /// Inside `Python::attach`: `py.detach(|| ())` — release and re-take the GIL, as a
    /// native helper does around its work when the GIL is released.
    DetachReattach,
    /// `Python::attach(|py| ())` from a thread that is not attached: creating and
    /// destroying a thread state each time (why workers attach once for their lifetime).
    AttachFresh,
    /// A Python loop calling `spectrum_native.cpu(0, 0)`: a no-op holding the GIL.
    CallHeld,
    /// The same loop calling `spectrum_native.cpu_nogil(0, 0)`: a no-op inside `detach`.
    CallReleased,
}

impl GilPath {
    /// Every path, in the order benches show them.
    pub const ALL: [GilPath; 4] = [
        GilPath::DetachReattach,
        GilPath::AttachFresh,
        GilPath::CallHeld,
        GilPath::CallReleased,
    ];

    /// A short name for bench ids, e.g. `detach_reattach`.
    pub fn label(self) -> &'static str {
        match self {
            GilPath::DetachReattach => "detach_reattach",
            GilPath::AttachFresh => "attach_fresh_thread",
            GilPath::CallHeld => "call_native_held",
            GilPath::CallReleased => "call_native_released",
        }
    }
}

/// The loop is Python code so that the call is made by the interpreter, as in a
/// workload; its own cost is the same for both helpers and cancels in the difference.
const CALL_LOOP: &std::ffi::CStr = c"
def call_loop(f, n):
    for _ in range(n):
        f(0, 0)
";

/// Runs `path` `n` times and returns how long that took. Initializes the interpreter on
/// first use; set-up (building the native module, compiling the loop, spawning the fresh
/// thread) is outside the returned time.
pub fn gil_ops(path: GilPath, n: u64) -> io::Result<Duration> {
    Python::initialize();
    match path {
        GilPath::DetachReattach => Ok(Python::attach(|py| {
            let start = Instant::now();
            for _ in 0..n {
                py.detach(|| black_box(()));
            }
            start.elapsed()
        })),
        GilPath::AttachFresh => std::thread::spawn(move || {
            let start = Instant::now();
            for _ in 0..n {
                Python::attach(|py| {
                    black_box(py);
                });
            }
            start.elapsed()
        })
        .join()
        .map_err(|_| io::Error::other("the attaching thread panicked")),
        GilPath::CallHeld | GilPath::CallReleased => {
            let name = if path == GilPath::CallHeld {
                "cpu"
            } else {
                "cpu_nogil"
            };
            Python::attach(|py| -> PyResult<Duration> {
                let helpers = crate::python::native_module(py)?;
                let f = helpers.getattr(name)?;
                let scope = PyDict::new(py);
                py.run(CALL_LOOP, Some(&scope), None)?;
                let call_loop = scope
                    .get_item("call_loop")?
                    .ok_or_else(|| pyo3::exceptions::PyRuntimeError::new_err("no call_loop"))?;
                let start = Instant::now();
                call_loop.call1((f, n))?;
                Ok(start.elapsed())
            })
            .map_err(|e| io::Error::other(format!("Python error: {e}")))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_path_runs() {
        for path in GilPath::ALL {
            assert!(gil_ops(path, 20).unwrap() > Duration::ZERO, "{path:?}");
        }
    }
}
