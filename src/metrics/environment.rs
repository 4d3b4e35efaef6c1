//! The machine a run was measured on, recorded once per run.

use serde::{Deserialize, Serialize};
use std::time::Duration;
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
    /// True when other work was running at the start: other processes kept more than a
    /// quarter of the machine's CPU time busy during a short sample (or, where
    /// `/proc/stat` cannot be read, the 1-minute load exceeded half the cores). The
    /// figures may be disturbed.
    pub busy: bool,
    /// Share of all CPUs' time spent busy (not idle, not waiting for I/O) during a
    /// 0.3 s sample of `/proc/stat` taken as the run starts, while spectrum itself is idle:
    /// what other work was using the machine *now*, unlike the load average, which still
    /// remembers the last minute (a previous run included).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub other_cpu_share: Option<f64>,
    /// Share of all CPUs' time the hypervisor gave to someone else during that sample
    /// (`steal` in `/proc/stat`; 0 on bare metal).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub steal_share: Option<f64>,
    /// The cgroup's `cpu.stat` `nr_throttled` when the run started (containers with a
    /// CPU quota): if it grows during a run, the quota, not the model, limited throughput.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cgroup_nr_throttled: Option<u64>,
    /// The embedded / cross-check Python interpreter, when a Python cell ran.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub python: Option<PythonInfo>,
    /// The limits that bound a cell's units (open files, threads, ports, memory), as
    /// read when the run started (absent in older files).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limits: Option<super::limits::Limits>,
    /// The interpreters the run's `cpython` cells asked for (scenario key
    /// `interpreter`), as found on this machine; empty when none was asked for.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub interpreters: Vec<InterpreterInfo>,
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
        let sample = cpu_sample(Duration::from_millis(300));
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
            busy: match sample {
                Some(share) => share.busy > BUSY_SHARE,
                None => is_busy(load_average[0], available),
            },
            other_cpu_share: sample.map(|s| s.busy),
            steal_share: sample.map(|s| s.steal),
            cgroup_nr_throttled: read_nr_throttled(),
            python: None,
            interpreters: Vec::new(),
            limits: Some(super::limits::Limits::read()),
        }
    }

    /// A one-line warning when the machine looked busy, else `None`.
    pub fn busy_warning(&self) -> Option<String> {
        self.busy.then(|| {
            format!(
                "the machine looks busy ({}): figures may be disturbed by other work",
                self.busy_reason()
            )
        })
    }

    /// What made the machine look busy, in words: the CPU sample when there is one, else
    /// the load average.
    pub fn busy_reason(&self) -> String {
        match self.other_cpu_share {
            Some(share) => format!(
                "other work used {:.0}% of the {} cores' time during a 0.3 s sample at the start; 1-minute load {:.2}",
                share * 100.0,
                self.logical_cores,
                self.load_average[0]
            ),
            None => format!(
                "1-minute load {:.2} on {} cores",
                self.load_average[0], self.available_cores
            ),
        }
    }
}

/// Busy: other work kept more than this share of all CPUs' time busy during the sample.
const BUSY_SHARE: f64 = 0.25;

/// Shares of all CPUs' time over a sample of `/proc/stat`.
#[derive(Debug, Clone, Copy, PartialEq)]
struct CpuShare {
    /// Not idle and not waiting for I/O.
    busy: f64,
    /// Given by the hypervisor to another guest.
    steal: f64,
}

/// The aggregate CPU ticks of `/proc/stat` at one moment, to take the steal share of
/// a stretch of time from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CpuTicks([u64; 8]);

impl CpuTicks {
    /// Now; `None` where `/proc/stat` cannot be read.
    pub fn now() -> Option<CpuTicks> {
        parse_cpu_ticks(&std::fs::read_to_string("/proc/stat").ok()?).map(CpuTicks)
    }

    /// The share of all CPUs' time stolen by the hypervisor since `self` (`None` when
    /// no tick passed: a stretch shorter than the kernel's tick says nothing).
    pub fn steal_share_since(&self) -> Option<f64> {
        cpu_share(&self.0, &CpuTicks::now()?.0).map(|s| s.steal)
    }
}

/// Samples `/proc/stat` twice, `window` apart (the caller does nothing meanwhile).
fn cpu_sample(window: Duration) -> Option<CpuShare> {
    let read = || parse_cpu_ticks(&std::fs::read_to_string("/proc/stat").ok()?);
    let before = read()?;
    std::thread::sleep(window);
    let after = read()?;
    cpu_share(&before, &after)
}

/// The aggregate `cpu` line of `/proc/stat`: user nice system idle iowait irq softirq
/// steal (guest time is already counted in user and nice).
fn parse_cpu_ticks(text: &str) -> Option<[u64; 8]> {
    let line = text.lines().find(|l| l.starts_with("cpu "))?;
    let mut it = line
        .split_whitespace()
        .skip(1)
        .map(|f| f.parse::<u64>().ok());
    let mut ticks = [0u64; 8];
    for t in &mut ticks {
        *t = it.next()??;
    }
    Some(ticks)
}

fn cpu_share(before: &[u64; 8], after: &[u64; 8]) -> Option<CpuShare> {
    let d: Vec<u64> = after
        .iter()
        .zip(before)
        .map(|(a, b)| a.saturating_sub(*b))
        .collect();
    let total: u64 = d.iter().sum();
    if total == 0 {
        return None;
    }
    let (idle, iowait, steal) = (d[3], d[4], d[7]);
    Some(CpuShare {
        busy: (total - idle - iowait) as f64 / total as f64,
        steal: steal as f64 / total as f64,
    })
}

/// Busy (fallback without `/proc/stat`): more than half the usable cores' worth of
/// runnable work before we start.
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

/// One `python3` found on this machine (`spectrum list`, the `interpreter` key).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct InterpreterInfo {
    /// What a scenario calls it: `MAJOR.MINOR`, with `t` for a free-threaded build.
    pub name: String,
    /// `sys.version_info` as `MAJOR.MINOR.MICRO`.
    pub release: String,
    /// The executable that was run.
    pub executable: String,
    /// Where it was found: `PATH`, `pyenv`, `project` (`.pythons/`), or `given` (a path
    /// written in a scenario).
    pub origin: String,
    /// Built with `--disable-gil` (`Py_GIL_DISABLED`, PEP 703).
    pub free_threaded: bool,
    /// `sys._is_gil_enabled()` at start-up (true before 3.13).
    pub gil_enabled: bool,
    /// The shared libpython it was built with (none for a static build).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub libpython: Option<String>,
}

/// The Python interpreter behind the `python` and `cpython` runtimes.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct PythonInfo {
    /// `sys.version`, on one line.
    pub version: String,
    /// `sys.version_info` as `MAJOR.MINOR.MICRO` (absent in older files).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub release: String,
    /// Built with `--disable-gil` (`Py_GIL_DISABLED`): the GIL may still be on
    /// (`gil_enabled`) when `PYTHON_GIL=1` or an extension asked for it.
    #[serde(default)]
    pub free_threaded_build: bool,
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
    fn cpu_share_from_two_proc_stat_samples() {
        let before = parse_cpu_ticks("cpu  100 0 50 800 10 0 0 40 0 0\ncpu0 1 2 3\n").unwrap();
        let after = parse_cpu_ticks("cpu  160 0 70 900 10 0 0 60 0 0\n").unwrap();
        // 200 ticks in all: 100 idle, 20 steal, 80 user + system (+ the steal) busy.
        let share = cpu_share(&before, &after).unwrap();
        assert!((share.busy - 0.5).abs() < 1e-9, "{share:?}");
        assert!((share.steal - 0.1).abs() < 1e-9, "{share:?}");
        assert_eq!(cpu_share(&after, &after), None);
        assert_eq!(parse_cpu_ticks("intr 1 2 3"), None);
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
