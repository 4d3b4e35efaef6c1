//! The Python half: the embedded interpreter (feature `python`), its native helper
//! module and Python models, and the plain-`python3` cross-check runtime (`cpython`).

use anyhow::Result;
use std::path::{Path, PathBuf};

use crate::metrics::PythonInfo;
use crate::model::{CellSpec, Model};
use crate::scenario::Runtime;
use crate::workload::Calibration;

/// Sets up the model of a `python` or `cpython` cell.
pub fn build(spec: &CellSpec) -> Result<Box<dyn Model>> {
    let _ = spec;
    anyhow::bail!("the Python runtimes are not built yet")
}

/// Calibrates the Python kernel of `runtime` (run inside the `calibrate` child) and
/// describes the interpreter.
pub fn calibrate(runtime: Runtime, workloads: &Path) -> Result<(Calibration, PythonInfo)> {
    let _ = (runtime, workloads);
    anyhow::bail!("the Python runtimes are not built yet")
}

/// Finds the folder holding the `python_workloads` package: `flag`, else
/// `$SPECTRUM_PYTHON_WORKLOADS`, else the source tree spectrum was built from.
pub fn locate_workloads(flag: Option<&Path>) -> Result<PathBuf> {
    let _ = flag;
    anyhow::bail!("the Python runtimes are not built yet")
}
