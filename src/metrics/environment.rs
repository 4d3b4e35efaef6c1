//! The machine a run was measured on, recorded once per run.

use serde::{Deserialize, Serialize};
use sysinfo::{CpuRefreshKind, MemoryRefreshKind, RefreshKind, System};

use super::available_cores;

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
    /// The cgroup's `cpu.stat` `nr_throttled` when the run started (containers with a
    /// CPU quota): if it grows during a run, the quota, not the model, limited throughput.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cgroup_nr_throttled: Option<u64>,
    /// The embedded / cross-check Python interpreter, when a Python cell ran.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub python: Option<PythonInfo>,
}

impl Environment {
    /// Describes this machine now. Never fails: what cannot be read stays empty.
    pub fn collect() -> Environment {
        let sys = System::new_with_specifics(
            RefreshKind::nothing()
                .with_cpu(CpuRefreshKind::nothing())
                .with_memory(MemoryRefreshKind::nothing().with_ram()),
        );
        let available = available_cores();
        let load_average = read_loadavg().unwrap_or_default();
        Environment {
            cpu_model: sys
                .cpus()
                .first()
                .map(|c| c.brand().trim().to_string())
                .unwrap_or_default(),
            logical_cores: sys.cpus().len().max(1),
            physical_cores: System::physical_core_count(),
            available_cores: available,
            memory_bytes: sys.total_memory(),
            os: System::long_os_version()
                .or_else(System::name)
                .unwrap_or_default(),
            kernel: System::kernel_version().unwrap_or_default(),
            hostname: System::host_name().unwrap_or_default(),
            rustc: env!("SPECTRUM_RUSTC_VERSION").to_string(),
            load_average,
            busy: is_busy(load_average[0], available),
            cgroup_nr_throttled: read_nr_throttled(),
            python: None,
        }
    }

    /// A one-line warning when the machine looked busy, else `None`.
    pub fn busy_warning(&self) -> Option<String> {
        self.busy.then(|| {
            format!(
                "the machine looks busy (1-minute load {:.2} on {} cores): figures may be disturbed by other work",
                self.load_average[0], self.available_cores
            )
        })
    }
}

/// Busy: more than half the usable cores' worth of runnable work before we start.
fn is_busy(load_1min: f64, cores: usize) -> bool {
    load_1min > cores as f64 / 2.0
}

/// The 1, 5 and 15-minute load averages from `/proc/loadavg`.
fn read_loadavg() -> Option<[f64; 3]> {
    parse_loadavg(&std::fs::read_to_string("/proc/loadavg").ok()?)
}

fn parse_loadavg(text: &str) -> Option<[f64; 3]> {
    let mut it = text.split_whitespace().map(|f| f.parse::<f64>().ok());
    Some([it.next()??, it.next()??, it.next()??])
}

/// `nr_throttled` of this process's cgroup (v2 unified, else v1 `cpu` controller).
fn read_nr_throttled() -> Option<u64> {
    ["/sys/fs/cgroup/cpu.stat", "/sys/fs/cgroup/cpu/cpu.stat"]
        .iter()
        .find_map(|p| parse_nr_throttled(&std::fs::read_to_string(p).ok()?))
}

fn parse_nr_throttled(text: &str) -> Option<u64> {
    text.lines().find_map(|l| {
        let (key, value) = l.split_once(' ')?;
        (key == "nr_throttled").then(|| value.trim().parse().ok())?
    })
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_proc_and_cgroup_files() {
        assert_eq!(
            parse_loadavg("0.52 1.10 2.00 1/234 5678\n"),
            Some([0.52, 1.10, 2.00])
        );
        assert_eq!(parse_loadavg("garbage"), None);
        let stat = "usage_usec 100\nnr_periods 10\nnr_throttled 3\nthrottled_usec 9\n";
        assert_eq!(parse_nr_throttled(stat), Some(3));
        assert_eq!(parse_nr_throttled("usage_usec 1\n"), None);
    }

    #[test]
    fn busy_means_more_than_half_the_cores() {
        assert!(!is_busy(0.9, 2));
        assert!(is_busy(1.1, 2));
    }

    #[test]
    fn collect_describes_this_machine() {
        let env = Environment::collect();
        assert!(env.logical_cores >= 1 && env.available_cores >= 1);
        assert!(env.rustc.starts_with("rustc"), "{}", env.rustc);
        assert!(env.memory_bytes > 0);
    }
}
