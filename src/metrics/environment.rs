//! The machine a run was measured on, recorded once per run.

use serde::{Deserialize, Serialize};

/// The machine and toolchain behind a results file.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Environment {
    /// CPU brand string.
    pub cpu_model: String,
    /// Logical CPUs.
    pub logical_cores: usize,
    /// Physical cores, when the OS says.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub physical_cores: Option<usize>,
    /// Cores this process may use (`available_parallelism`): the `cores` of the ideal bound.
    pub available_cores: usize,
    /// Total memory, bytes.
    pub memory_bytes: u64,
    /// OS name and version.
    pub os: String,
    /// Kernel version.
    pub kernel: String,
    /// Host name.
    pub hostname: String,
    /// `rustc --version` of the compiler that built spectrum.
    pub rustc: String,
    /// Load averages (1, 5, 15 min) when the run started.
    pub load_average: [f64; 3],
    /// True when the 1-minute load at the start exceeded half the cores: the figures may
    /// be disturbed by other work.
    pub busy: bool,
    /// The embedded / cross-check Python interpreter, when a Python cell ran.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub python: Option<PythonInfo>,
}

/// The Python interpreter behind the `python` and `cpython` runtimes.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct PythonInfo {
    /// `sys.version`.
    pub version: String,
    /// `sys.executable` (embedded: the interpreter pyo3 was built against).
    pub executable: String,
    /// The libpython actually loaded by the spectrum binary (from `/proc/self/maps`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub libpython: Option<String>,
    /// `sys._is_gil_enabled()` where it exists (3.13+), else true.
    pub gil_enabled: bool,
    /// `sys.getswitchinterval()`, seconds.
    pub switch_interval_s: f64,
}
