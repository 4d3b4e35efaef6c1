//! The identity of one cell of a sweep: what runs, under which model, for how long.
//!
//! A [`Cell`] is the only thing a model ever sees of a scenario. It is plain data,
//! serialized to JSON both on its way to the child process that measures it and into
//! `results.json`, so every field here is part of the results contract.

use serde::{Deserialize, Serialize};
use std::fmt;

/// Which language runs the op.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Runtime {
    /// Native Rust.
    Rust,
    /// CPython embedded in the spectrum binary through pyo3.
    Python,
    /// A plain `python3` process (threading / multiprocessing / asyncio): the cross-check
    /// that embedding does not change the numbers.
    Cpython,
}

impl Runtime {
    /// Every runtime, in the order the report shows them.
    pub const ALL: [Runtime; 3] = [Runtime::Rust, Runtime::Python, Runtime::Cpython];

    /// The name used in scenario files and results.
    pub fn as_str(self) -> &'static str {
        match self {
            Runtime::Rust => "rust",
            Runtime::Python => "python",
            Runtime::Cpython => "cpython",
        }
    }

    /// True for the runtimes whose op is Python code (GIL and op halves apply).
    pub fn is_python(self) -> bool {
        matches!(self, Runtime::Python | Runtime::Cpython)
    }
}

/// The execution model: how the ops of a cell are spread over workers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ModelKind {
    /// One thread, ops in a loop: the baseline.
    Sequential,
    /// N OS threads pulling ops from a shared counter.
    Thread,
    /// N worker processes.
    Process,
    /// N async tasks (tokio in Rust, asyncio in Python).
    Async,
    /// Ops as a rayon parallel iterator (Rust only).
    Rayon,
    /// N subinterpreters, each with its own GIL (PEP 684, Python 3.12+), one OS thread
    /// each (the `cpython` runtime only).
    Subinterpreter,
    /// Test-only model that fails on purpose (see [`Fault`]); never in a shipped scenario.
    Fault,
}

impl ModelKind {
    /// Every model a user can name, in the order the report shows them.
    pub const ALL: [ModelKind; 6] = [
        ModelKind::Sequential,
        ModelKind::Thread,
        ModelKind::Process,
        ModelKind::Async,
        ModelKind::Rayon,
        ModelKind::Subinterpreter,
    ];

    /// The name used in scenario files and results.
    pub fn as_str(self) -> &'static str {
        match self {
            ModelKind::Sequential => "sequential",
            ModelKind::Thread => "thread",
            ModelKind::Process => "process",
            ModelKind::Async => "async",
            ModelKind::Rayon => "rayon",
            ModelKind::Subinterpreter => "subinterpreter",
            ModelKind::Fault => "fault",
        }
    }

    /// Whether `runtime` implements this model.
    pub fn supported_by(self, runtime: Runtime) -> bool {
        match self {
            ModelKind::Rayon => runtime == Runtime::Rust,
            // The embedded runtime creates them through the C API, which has them from
            // CPython 3.12 (PEP 684): only a build against 3.12+ runs them.
            ModelKind::Subinterpreter => {
                runtime == Runtime::Cpython
                    || (runtime == Runtime::Python && crate::python::EMBEDDED_SUBINTERPRETERS)
            }
            _ => true,
        }
    }
}

/// The I/O half of the op.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum IoKind {
    /// A timer wait: `thread::sleep`, `tokio::time::sleep`, `time.sleep`, `asyncio.sleep`.
    Sleep,
    /// A request on the worker's own loopback TCP connection to the delay server, which
    /// answers after the I/O half's length: every model waits on socket readiness.
    Tcp,
    /// One 4 KiB write to a file of the worker's own, made durable as [`FileSync`] says.
    /// The I/O half's length is not a wait here: the op writes whenever it has an I/O
    /// half (`io_fraction > 0`), and takes as long as the file system and the device do.
    File,
}

impl IoKind {
    /// Every I/O kind.
    pub const ALL: [IoKind; 3] = [IoKind::Sleep, IoKind::Tcp, IoKind::File];

    /// The name used in scenario files and results.
    pub fn as_str(self) -> &'static str {
        match self {
            IoKind::Sleep => "sleep",
            IoKind::Tcp => "tcp",
            IoKind::File => "file",
        }
    }

    /// One line for `spectrum list`: what the kind waits on.
    pub fn describe(self) -> &'static str {
        match self {
            IoKind::Sleep => "a timer wait (thread::sleep, tokio::time::sleep, time.sleep, asyncio.sleep)",
            IoKind::Tcp => "a request on a loopback TCP connection to spectrum's delay server, answered after the I/O time (socket readiness, as real I/O)",
            IoKind::File => "one 4 KiB write to a file of the worker's own, synced per file_sync (none, flush, fdatasync, fsync, odsync); the I/O time is the disk's, not a parameter",
        }
    }
}

/// How far a `file` op pushes its 4 KiB write before the op ends (`io = "file"` only).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum FileSync {
    /// A plain `write`: the data reaches the page cache, nothing waits for the disk.
    None,
    /// The write goes through a userspace buffer (Rust `BufWriter`, a Python file object)
    /// and `flush()`: it reaches the kernel (the page cache), still not the disk.
    Flush,
    /// `write`, then `fdatasync`: the data (and only the metadata needed to read it back)
    /// reaches the device.
    Fdatasync,
    /// `write`, then `fsync`: the data and every inode change (the modification time)
    /// reach the device.
    Fsync,
    /// The file is opened with `O_DSYNC`: every `write` returns once its data is on the
    /// device, as if each were followed by `fdatasync`.
    Odsync,
}

impl FileSync {
    /// Every mode, from the cheapest to the most durable.
    pub const ALL: [FileSync; 5] = [
        FileSync::None,
        FileSync::Flush,
        FileSync::Fdatasync,
        FileSync::Fsync,
        FileSync::Odsync,
    ];

    /// The name used in scenario files, results and cell ids.
    pub fn as_str(self) -> &'static str {
        match self {
            FileSync::None => "none",
            FileSync::Flush => "flush",
            FileSync::Fdatasync => "fdatasync",
            FileSync::Fsync => "fsync",
            FileSync::Odsync => "odsync",
        }
    }
}

/// What spins beside a cell's measured workers: CPU-bound units running the kernel
/// from set-up to the end, not measured themselves — beside Python sequential and
/// thread cells (the convoy demo), or as tasks on an async cell's own runtime (the
/// offload demo).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum BackgroundModel {
    /// Python threads running the pure-Python kernel: they contend for the GIL.
    Thread,
    /// Forked processes running it: their own GIL, they contend only for the cores.
    Process,
    /// Python threads running the Rust kernel with the GIL released (embedded only).
    Native,
    /// Async cells: tasks on the cell's own runtime (tokio, the asyncio loop), each
    /// computing one chunk of [`TASK_CHUNK_US`] after another where the cell's
    /// `async_cpu` says: inline (blocking the executor), on the blocking pool, or on a
    /// pool of its own (rayon, a process pool).
    Task,
}

/// The CPU chunk of one background [`BackgroundModel::Task`], µs at the calibrated speed:
/// long against a loopback round trip (a blocked executor shows), short against the
/// window (each task yields between chunks).
pub const TASK_CHUNK_US: f64 = 2000.0;

impl BackgroundModel {
    /// The name used in scenario files, results and cell ids.
    pub fn as_str(self) -> &'static str {
        match self {
            BackgroundModel::Thread => "thread",
            BackgroundModel::Process => "process",
            BackgroundModel::Native => "native",
            BackgroundModel::Task => "task",
        }
    }
}

/// A cell's background load: `units` of `model`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Background {
    /// How many units (at least one).
    pub units: u32,
    /// What they are.
    pub model: BackgroundModel,
}

/// How a cell's CPU half increments its one shared counter (the `race` demo): the op's
/// `cpu_iters` increments of a counter every worker of the cell shares, instead of the
/// kernel.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Counter {
    /// Read, add one, write back, with nothing between: Rust's separate atomic `load` and
    /// `store` (safe code), Python's `c.n += 1`. Loses updates when two workers
    /// interleave between the read and the write.
    Racy,
    /// Python only: the read and the write with a function call between them
    /// (`v = c.n; v = bump(v); c.n = v`), where CPython may switch threads.
    RacyCall,
    /// Rust only: one `fetch_add`, an atomic read-modify-write.
    Atomic,
    /// Each increment under a lock: Rust's `Mutex`, Python's `threading.Lock`.
    Locked,
}

impl Counter {
    /// The name used in scenario files, results and cell ids.
    pub fn as_str(self) -> &'static str {
        match self {
            Counter::Racy => "racy",
            Counter::RacyCall => "racy_call",
            Counter::Atomic => "atomic",
            Counter::Locked => "locked",
        }
    }

    /// True when the form loses no update by construction (the fixes).
    pub fn is_synchronised(self) -> bool {
        matches!(self, Counter::Atomic | Counter::Locked)
    }

    /// Whether `runtime` has this form: `atomic` is Rust's, `racy_call` Python's.
    pub fn supported_by(self, runtime: Runtime) -> bool {
        match self {
            Counter::Atomic => runtime == Runtime::Rust,
            Counter::RacyCall => runtime.is_python(),
            Counter::Racy | Counter::Locked => true,
        }
    }
}

/// Where an async model runs the CPU half of the op.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum AsyncCpu {
    /// In the task itself: blocks the executor thread (tokio worker / the event loop).
    Inline,
    /// On the executor's blocking pool: `spawn_blocking` / `asyncio.to_thread`.
    Offload,
    /// On a CPU pool of its own, sized to the cores: rayon (tokio) / a
    /// `ProcessPoolExecutor` (asyncio), awaited.
    Pool,
}

/// Whether the native helpers hold or release the GIL (Python runtimes only).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Gil {
    /// The helper runs holding the GIL: other Python threads wait.
    Held,
    /// The helper runs inside `py.detach(...)`: other Python threads run meanwhile.
    Released,
}

/// Who implements one half of a Python op.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Impl {
    /// Python code: the bytecode loop, or `time.sleep` / `asyncio.sleep`.
    Python,
    /// The Rust helper of the native module (`cpu(iters)`, `sleep(us)`), GIL per [`Gil`].
    Native,
}

/// How a test-only [`ModelKind::Fault`] cell misbehaves.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Fault {
    /// The child exits with an error message.
    Error,
    /// The child panics.
    Panic,
    /// The child aborts (killed by a signal).
    Abort,
    /// The child never finishes: the per-cell timeout must kill it.
    Hang,
}

/// One cell of a sweep: a fully resolved point of the scenario's matrix.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Cell {
    /// Which language runs the op.
    pub runtime: Runtime,
    /// The execution model.
    pub model: ModelKind,
    /// Async models only: where the CPU half runs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub async_cpu: Option<AsyncCpu>,
    /// The I/O half's kind.
    pub io: IoKind,
    /// Share of the op's nominal time spent waiting, in [0, 1].
    pub io_fraction: f64,
    /// Nominal op length in microseconds (`cpu_us + io_us`).
    pub op_time_us: f64,
    /// CPU half in microseconds: `(1 - io_fraction) * op_time_us`.
    pub cpu_us: f64,
    /// I/O half in microseconds: `io_fraction * op_time_us`.
    pub io_us: f64,
    /// Number of workers (threads, processes, tasks); 1 for `sequential`.
    pub concurrency: u32,
    /// Python runtimes only: GIL held or released around the native helpers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gil: Option<Gil>,
    /// Python runtimes only: who runs the CPU half.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cpu_impl: Option<Impl>,
    /// Python runtimes only: who runs the I/O half.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub io_impl: Option<Impl>,
    /// Test-only: how a `fault` cell fails.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fault: Option<Fault>,
    /// `cpython` only: the interpreter asked for, as the scenario writes it (a version
    /// such as `3.13t`, or a path to a `python3`); none means the `python3` spectrum was
    /// built against. Resolved to an executable by the driver
    /// ([`crate::python::interpreters`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub interpreter: Option<String>,
    /// `file` cells only: how far each write is pushed (page cache, kernel, device).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub file_sync: Option<FileSync>,
    /// CPU-bound units spinning beside the measured workers for the whole window:
    /// threads, processes or native threads beside Python `sequential` and `thread`
    /// cells (the convoy demo), tasks on an `async` cell's runtime (the offload demo);
    /// none: no load.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub background: Option<Background>,
    /// Python runtimes only: `sys.setswitchinterval` for the cell, µs; none: the
    /// interpreter's default (5 ms).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub switch_interval_us: Option<f64>,
    /// Pure-CPU `sequential` and `thread` cells only: the CPU half increments one
    /// counter shared by the cell's workers, this way (the race demo); none: the kernel.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub counter: Option<Counter>,
}

impl Cell {
    /// A cell of `cpu_us` of CPU then `io_us` of sleep with `concurrency` workers, every
    /// variant unset (async CPU inline, Python halves in Python, GIL held): what a
    /// scenario's expansion gives when only these keys are swept.
    pub fn sleep_op(
        runtime: Runtime,
        model: ModelKind,
        cpu_us: f64,
        io_us: f64,
        concurrency: u32,
    ) -> Cell {
        let op_time_us = cpu_us + io_us;
        Cell {
            runtime,
            model,
            async_cpu: None,
            io: IoKind::Sleep,
            io_fraction: if op_time_us > 0.0 {
                io_us / op_time_us
            } else {
                0.0
            },
            op_time_us,
            cpu_us,
            io_us,
            concurrency,
            gil: None,
            cpu_impl: None,
            io_impl: None,
            fault: None,
            interpreter: None,
            file_sync: None,
            background: None,
            switch_interval_us: None,
            counter: None,
        }
    }

    /// A short stable label for the model and its variants, e.g. `async+offload`,
    /// `thread gil=released cpu=native`. Charts draw one line per label.
    pub fn model_label(&self) -> String {
        let mut s = self.model.as_str().to_string();
        match self.async_cpu {
            Some(AsyncCpu::Offload) => s.push_str("+offload"),
            Some(AsyncCpu::Pool) => s.push_str("+pool"),
            _ => {}
        }
        if self.runtime.is_python() {
            let half = |i: Option<Impl>| match i {
                Some(Impl::Native) => "native",
                _ => "py",
            };
            let uses_native =
                self.cpu_impl == Some(Impl::Native) || self.io_impl == Some(Impl::Native);
            s.push_str(&format!(
                " cpu={} io={}",
                half(self.cpu_impl),
                half(self.io_impl)
            ));
            if uses_native {
                if let Some(g) = self.gil {
                    s.push_str(match g {
                        Gil::Held => " gil=held",
                        Gil::Released => " gil=released",
                    });
                }
            }
        }
        // The sync mode changes what the op's I/O half is, so cells of different modes
        // are different lines of a chart (`sync=` keeps it apart from the halves' `io=`).
        if let Some(m) = self.file_sync {
            s.push_str(" sync=");
            s.push_str(m.as_str());
        }
        // The convoy's knobs: the load beside the workers and the GIL's switch interval.
        if let Some(b) = self.background {
            s.push_str(&format!(" bg={}{}", b.units, b.model.as_str()));
        }
        if let Some(us) = self.switch_interval_us {
            s.push_str(&format!(" si={}", interval_label(us)));
        }
        // The race demo's counter replaces the CPU half: its forms are different lines.
        if let Some(c) = self.counter {
            s.push_str(" counter=");
            s.push_str(c.as_str());
        }
        // Fault cells differ only by their fault: without it their ids would collide.
        if let Some(f) = self.fault {
            s.push_str(&format!(" fault={f:?}").to_lowercase());
        }
        s
    }

    /// A stable identifier for the cell, unique within a plan (the scenario checks it),
    /// used by `--filter`, the baseline comparison and the terminal table.
    pub fn id(&self) -> String {
        format!(
            "{}/{}/{}/f{}/op{}/c{}",
            self.runtime_label(),
            self.model_label().replace(' ', ","),
            self.io.as_str(),
            fraction_label(self.io_fraction),
            self.op_time_us,
            self.concurrency
        )
    }

    /// The runtime with the interpreter asked for, e.g. `cpython@3.13t` (just the
    /// runtime when none was).
    pub fn runtime_label(&self) -> String {
        match &self.interpreter {
            Some(i) => format!("{}@{i}", self.runtime.as_str()),
            None => self.runtime.as_str().to_string(),
        }
    }

    /// Typical seconds of start-up per repetition outside the measured window: the child
    /// process, the model's set-up (interpreter, worker processes) and the speed checks.
    /// Read off a default run on the 2-core development VM (gaps between repetitions in
    /// `results.json`: Rust 0.05 s, Rust processes 0.08 s, embedded Python 0.17 s, its
    /// processes 0.22 s, plain `python3` 0.23 s, its processes 0.29 s); only estimates
    /// (`spectrum list`, the progress bar's ETA) use it.
    pub fn startup_estimate_s(&self) -> f64 {
        let base = match self.runtime {
            Runtime::Rust => 0.05,
            Runtime::Python => 0.17,
            Runtime::Cpython => 0.23,
        };
        if self.model == ModelKind::Process {
            base + 0.05
        } else {
            base
        }
    }

    /// The ideal throughput bound of docs/design.md, in ops/s:
    /// `min(cores / cpu_s, N / (cpu_s + io_s))`.
    pub fn ideal_ops_per_s(&self, cores: usize) -> f64 {
        crate::metrics::ideal_ops_per_s(self.cpu_us, self.io_us, self.concurrency, cores)
    }
}

/// A switch interval as cell ids write it: `5ms`, `0.1ms`, `50us` — the shortest text
/// that gives the value back.
pub(crate) fn interval_label(us: f64) -> String {
    if us >= 1000.0 {
        format!("{}ms", us / 1000.0)
    } else {
        format!("{us}us")
    }
}

/// An I/O share as cell ids write it: two decimals (`0.50`, `1.00`) when they give the
/// value back exactly, which every share of a usual sweep does; otherwise the shortest
/// text that does (`0.996`, `1e-300`). Two decimals alone made 0.996, 0.999 and 1.0 three
/// cells called `f1.00`, and `--baseline` then matched the wrong ones.
pub(crate) fn fraction_label(f: f64) -> String {
    let two = format!("{f:.2}");
    if two.parse::<f64>() == Ok(f) {
        two
    } else {
        // `{:?}` is the shortest text that parses back to `f`, with an exponent for
        // tiny values (`{}` would print 1e-300 as 302 characters).
        format!("{f:?}")
    }
}

impl fmt::Display for Cell {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.id())
    }
}
