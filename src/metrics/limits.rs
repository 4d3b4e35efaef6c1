//! The machine's limits that bound a cell's units: open files, threads, ephemeral ports,
//! memory. Read once per run into the environment, and checked for each cell before it
//! creates anything, so a cell the machine cannot hold fails with the reason instead of
//! hanging, aborting half-way or taking the machine down.

use serde::{Deserialize, Serialize};

use crate::scenario::{AsyncCpu, Cell, IoKind, ModelKind, Runtime};

/// Threads and processes left free for the rest of the machine.
const THREAD_MARGIN: u64 = 512;
/// Files a process keeps open besides its connections (pipes, the runtime, libraries).
const FD_MARGIN: u64 = 64;
/// Ephemeral ports left for everything else on the machine.
const PORT_MARGIN: u64 = 1000;
/// Resident memory assumed per OS thread (its touched stack pages, TLS and the kernel's
/// own structures: about 10 KiB each measured here, doubled as a margin).
const THREAD_KIB: u64 = 40;
/// Kernel memory assumed per open loopback connection (socket structures and the small
/// buffers of 16-byte requests), both ends.
const CONNECTION_KIB: u64 = 16;

/// Limits of this machine and process, as read when the run started.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Limits {
    /// `RLIMIT_NOFILE` soft limit (after spectrum raised it to the hard limit with
    /// [`crate::io::raise_fd_limit`]).
    pub open_files: u64,
    /// `RLIMIT_NOFILE` hard limit.
    pub open_files_hard: u64,
    /// `/proc/sys/kernel/pid_max`: the most threads and processes alive at once.
    pub pid_max: u64,
    /// `/proc/sys/kernel/threads-max`.
    pub threads_max: u64,
    /// `RLIMIT_NPROC` (threads and processes of this user); `None` when unlimited.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_processes: Option<u64>,
    /// Ephemeral ports (`net.ipv4.ip_local_port_range`), first and last.
    pub port_range: [u64; 2],
    /// `MemAvailable` when the run started, KiB.
    pub memory_available_kib: u64,
}

impl Limits {
    /// Reads the limits now (missing files leave a zero, which checks ignore).
    pub fn read() -> Limits {
        let num = |path: &str| {
            std::fs::read_to_string(path)
                .ok()
                .and_then(|t| t.trim().parse::<u64>().ok())
                .unwrap_or(0)
        };
        let ports: Vec<u64> = std::fs::read_to_string("/proc/sys/net/ipv4/ip_local_port_range")
            .unwrap_or_default()
            .split_whitespace()
            .filter_map(|w| w.parse().ok())
            .collect();
        let (files, files_hard) = rlimit(libc::RLIMIT_NOFILE);
        let (nproc, _) = rlimit(libc::RLIMIT_NPROC);
        Limits {
            open_files: files.unwrap_or(u64::MAX),
            open_files_hard: files_hard.unwrap_or(u64::MAX),
            pid_max: num("/proc/sys/kernel/pid_max"),
            threads_max: num("/proc/sys/kernel/threads-max"),
            // Root is not held to RLIMIT_NPROC.
            user_processes: nproc.filter(|_| unsafe { libc::geteuid() } != 0),
            port_range: [
                ports.first().copied().unwrap_or(0),
                ports.get(1).copied().unwrap_or(0),
            ],
            memory_available_kib: meminfo_kib("MemAvailable:").unwrap_or(0),
        }
    }

    /// Ephemeral ports available, all of them.
    pub fn ports(&self) -> u64 {
        (self.port_range[1] + 1).saturating_sub(self.port_range[0])
    }
}

/// The soft and hard values of a resource limit; `None` for unlimited.
fn rlimit(resource: libc::__rlimit_resource_t) -> (Option<u64>, Option<u64>) {
    // SAFETY: getrlimit fills a plain struct.
    unsafe {
        let mut r: libc::rlimit = std::mem::zeroed();
        if libc::getrlimit(resource, &mut r) != 0 {
            return (None, None);
        }
        let v = |x: libc::rlim_t| (x != libc::RLIM_INFINITY).then_some(x);
        (v(r.rlim_cur), v(r.rlim_max))
    }
}

fn meminfo_kib(key: &str) -> Option<u64> {
    std::fs::read_to_string("/proc/meminfo")
        .ok()?
        .lines()
        .find_map(|l| l.strip_prefix(key))?
        .split_whitespace()
        .next()?
        .parse()
        .ok()
}

/// Threads and processes alive on the machine now (`/proc/loadavg`'s fourth field).
fn threads_now() -> u64 {
    std::fs::read_to_string("/proc/loadavg")
        .ok()
        .and_then(|t| t.split_whitespace().nth(3)?.split('/').nth(1)?.parse().ok())
        .unwrap_or(0)
}

/// What one cell needs from the machine.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Needs {
    /// OS threads (and processes) the cell adds.
    pub threads: u64,
    /// Connections to the delay server held at once (`tcp`).
    pub connections: u64,
    /// Of those, the most one process holds (worker processes each hold their own).
    pub connections_per_process: u64,
    /// `file` cells: the most files one process holds open (one per worker).
    pub files_per_process: u64,
}

/// What `cell` needs: its workers' threads and processes, and for `tcp` one connection
/// (for `file` one open file) per worker.
pub fn needs(cell: &Cell, cores: usize) -> Needs {
    let n = u64::from(cell.concurrency.max(1));
    let cores = cores.max(1) as u64;
    let threads = match (cell.model, cell.runtime) {
        (ModelKind::Sequential, _) => 1,
        // One worker per core, and the blocking pool when the CPU half is offloaded.
        (ModelKind::Async, Runtime::Rust) => {
            cores
                + if cell.async_cpu == Some(AsyncCpu::Offload) {
                    n.min(512)
                } else {
                    0
                }
        }
        // One event loop, and the executor's threads when the CPU half is offloaded.
        (ModelKind::Async, _) => {
            1 + if cell.async_cpu == Some(AsyncCpu::Offload) {
                n
            } else {
                0
            }
        }
        // Each worker process, and its own threads (an interpreter's few).
        (ModelKind::Process, _) => n * 4,
        _ => n,
    };
    let tcp = cell.io == IoKind::Tcp && cell.io_us > 0.0;
    let connections = if tcp { n } else { 0 };
    let files = if cell.io == IoKind::File && cell.io_us > 0.0 {
        n
    } else {
        0
    };
    let per_process = |held: u64| match cell.model {
        ModelKind::Process | ModelKind::Sequential => held.min(1),
        _ => held,
    };
    Needs {
        threads: threads + 1,
        connections,
        connections_per_process: per_process(connections),
        files_per_process: per_process(files),
    }
}

/// Why `cell` cannot run within `limits` on a machine of `cores` cores, or `Ok`.
pub fn check(cell: &Cell, limits: &Limits, cores: usize) -> Result<(), String> {
    let need = needs(cell, cores);
    let n = cell.concurrency;
    let room = limits
        .pid_max
        .min(limits.threads_max)
        .saturating_sub(threads_now() + THREAD_MARGIN);
    if limits.pid_max > 0 && need.threads > room {
        return Err(format!(
            "{} workers need about {} threads, but this machine allows {} threads and processes in all (pid_max {}, threads-max {}) of which {} are in use; lower the concurrency, or raise kernel.pid_max",
            n, need.threads, limits.pid_max.min(limits.threads_max), limits.pid_max, limits.threads_max, threads_now()
        ));
    }
    if let Some(nproc) = limits.user_processes {
        if need.threads + THREAD_MARGIN > nproc {
            return Err(format!(
                "{n} workers need about {} threads, but RLIMIT_NPROC allows this user {nproc} (`ulimit -u`)",
                need.threads
            ));
        }
    }
    if need.files_per_process > 0 {
        let files = limits.open_files.min(limits.open_files_hard);
        if need.files_per_process + FD_MARGIN > files {
            return Err(format!(
                "{} workers each hold a file open, but RLIMIT_NOFILE allows {files} (`ulimit -n`); lower the concurrency to at most {}",
                need.files_per_process,
                files.saturating_sub(FD_MARGIN)
            ));
        }
    }
    if need.connections > 0 {
        let files = limits.open_files.min(limits.open_files_hard);
        if need.connections_per_process + FD_MARGIN > files {
            return Err(format!(
                "{} connections to the delay server need as many open files in this process and in the server, but RLIMIT_NOFILE allows {files} (`ulimit -n`; a root user may raise the hard limit up to fs.nr_open); lower the concurrency to at most {}",
                need.connections_per_process,
                files.saturating_sub(FD_MARGIN)
            ));
        }
        let ports = limits.ports();
        if ports > 0 && need.connections + PORT_MARGIN > ports {
            return Err(format!(
                "{} connections need as many ephemeral ports, but net.ipv4.ip_local_port_range gives {ports} ({}–{}); lower the concurrency to at most {}",
                need.connections,
                limits.port_range[0],
                limits.port_range[1],
                ports.saturating_sub(PORT_MARGIN)
            ));
        }
    }
    let kib = need.threads * THREAD_KIB + need.connections * CONNECTION_KIB;
    if limits.memory_available_kib > 0 && kib > limits.memory_available_kib / 2 {
        return Err(format!(
            "{n} workers need about {} MiB for their threads and connections, more than half of the {} MiB this machine has available",
            kib / 1024,
            limits.memory_available_kib / 1024
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limits() -> Limits {
        Limits {
            open_files: 20_000,
            open_files_hard: 20_000,
            pid_max: 32_768,
            threads_max: 192_726,
            user_processes: None,
            port_range: [32_768, 60_999],
            memory_available_kib: 24 << 20,
        }
    }

    fn cell(model: ModelKind, io: IoKind, n: u32) -> Cell {
        Cell {
            io,
            ..Cell::sleep_op(Runtime::Rust, model, 0.0, 1000.0, n)
        }
    }

    #[test]
    fn a_hundred_thousand_threads_do_not_fit_a_pid_max_of_32768() {
        let err = check(
            &cell(ModelKind::Thread, IoKind::Sleep, 100_000),
            &limits(),
            2,
        )
        .unwrap_err();
        assert!(err.contains("pid_max 32768"), "{err}");
        // Tasks are not threads.
        assert!(check(
            &cell(ModelKind::Async, IoKind::Sleep, 100_000),
            &limits(),
            2
        )
        .is_ok());
    }

    #[test]
    fn connections_must_fit_the_open_files_and_the_ports() {
        assert!(check(&cell(ModelKind::Async, IoKind::Tcp, 10_000), &limits(), 2).is_ok());
        let err = check(&cell(ModelKind::Async, IoKind::Tcp, 19_990), &limits(), 2).unwrap_err();
        assert!(err.contains("RLIMIT_NOFILE allows 20000"), "{err}");
        let mut few_ports = limits();
        few_ports.port_range = [60_000, 60_999];
        let err = check(&cell(ModelKind::Async, IoKind::Tcp, 500), &few_ports, 2).unwrap_err();
        assert!(err.contains("ephemeral ports"), "{err}");
        // Worker processes each hold one connection of their own.
        assert_eq!(
            needs(&cell(ModelKind::Process, IoKind::Tcp, 8), 2).connections_per_process,
            1
        );
    }

    #[test]
    fn the_limits_of_this_machine_are_read() {
        let l = Limits::read();
        assert!(l.open_files > 0 && l.pid_max > 0 && l.ports() > 0, "{l:?}");
    }
}
