//! The teaching demos: one effect per page, in under a minute.
//!
//! A demo is a shipped scenario (`scenarios/demo-NAME.toml`) plus the words of its page:
//! what the guide says, what to look at, and what to try next. It runs through the same
//! driver, isolation and results as `spectrum run`; what makes it a demo is only how its
//! results are shown — [`crate::report`] renders a results file whose scenario is a
//! demo's as that demo's page (and the full report beside it), whether it was written by
//! `spectrum demo`, `spectrum run demo-NAME` or re-rendered by `spectrum report`. The
//! numbers and verdict each page computes live with the other verdicts, in the report.

use crate::scenario::Plan;

/// One teaching demo.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Demo {
    /// `spectrum demo NAME`.
    pub name: &'static str,
    /// One line for `spectrum list` and `spectrum demo`.
    pub line: &'static str,
    /// What the guide says, as the page's opening paragraph.
    pub guide: &'static str,
    /// What to look at in the charts.
    pub look: &'static str,
    /// The knobs to turn next: (what it shows, the command line).
    pub try_next: &'static [(&'static str, &'static str)],
}

impl Demo {
    /// The name of the demo's shipped scenario: `demo-NAME`.
    pub fn scenario(&self) -> String {
        format!("demo-{}", self.name)
    }

    /// The demo's scenario, parsed.
    pub fn plan(&self) -> Result<Plan, crate::scenario::ScenarioError> {
        crate::scenario::load(Some(&self.scenario()))
    }

    /// How long the last complete run in the default folder took, seconds.
    pub fn last_run_seconds(&self) -> Option<f64> {
        let r = crate::results::read_results(&self.out_dir().join("results.json")).ok()?;
        if r.run.interrupted || r.scenario.name != self.scenario() {
            return None;
        }
        let took = crate::driver::parse_rfc3339(&r.run.finished_at)?
            - crate::driver::parse_rfc3339(&r.run.started_at)?;
        (took >= 0).then_some(took as f64)
    }

    /// The default output folder: `reports/demo-NAME`.
    pub fn out_dir(&self) -> std::path::PathBuf {
        std::path::Path::new("reports").join(self.scenario())
    }
}

/// Every demo, in the order a class would take them.
pub const ALL: &[Demo] = &[
    Demo {
        name: "spectrum",
        line: "The guide's line in one minute: which model wins from pure CPU to pure I/O, Rust and Python",
        guide: "Pure CPU — processes — threads — async tasks — pure I/O. For CPU-bound work, use processes (or, in Rust, threads: there is no GIL); as the op spends more of its time waiting, threads catch up; at the I/O end, with many slow connections, async tasks win because a waiting task costs a few hundred bytes and no kernel switch.",
        look: "The strips: which model won at each I/O share on this machine, against the guide's order above them. Then the timelines: at the CPU end every lane is blue (computing) or orange (ready, waiting for a core); at the I/O end the lanes are sky blue — the workers wait, and the number of workers, not the cores, sets the throughput.",
        try_next: &[
            ("the I/O end with many slow connections (10 000 sockets)", "spectrum run scale"),
            ("every model at more shares, three repetitions", "spectrum run spectrum"),
            ("only the Rust cells", "spectrum demo spectrum --filter rust"),
        ],
    },
    Demo {
        name: "gil",
        line: "Two Python threads take turns on the GIL; two processes run side by side; native code that releases the GIL runs in parallel",
        guide: "Python threads do not speed up pure-Python CPU work: only the thread holding the GIL (the global interpreter lock) runs Python bytecode, so two threads take turns. Processes each have their own interpreter and GIL and scale with the cores. Native code that releases the GIL (pyo3's detach, numpy's inner loops) runs in parallel like plain Rust threads.",
        look: "The timelines: the two Python threads alternate — while one computes (blue) the other is ready but not running (orange), about half of each op — while two processes are blue side by side. The speed-ups: threads near 1×, processes near the number of cores.",
        try_next: &[
            ("the same at 8 workers and a native sleep, five repetitions", "spectrum run gil"),
            ("the free-threaded build, where threads do scale", "scripts/get-free-threaded-python.sh && spectrum run pythons-cpu"),
            ("only the plain python3 cells", "spectrum demo gil --filter cpython"),
        ],
    },
    Demo {
        name: "memory",
        line: "What one more thread, task or process costs in memory: RSS per unit from a fit over N idle units",
        guide: "A thread costs kilobytes (its stack is reserved, not all touched, plus the kernel's task struct); an async task costs a few hundred bytes — which is why async tasks win at many slow connections. A process costs a whole interpreter.",
        look: "The slopes: kibibytes per unit for each model, fitted over several N (R² says how straight the line is). Compare threads with tasks in the same language, and Python's units with Rust's.",
        try_next: &[
            ("the same units waiting on sockets instead of timers", "spectrum run scale"),
            ("more repetitions for tighter fits", "spectrum run demo-memory --repetitions 3"),
        ],
    },
    Demo {
        name: "convoy",
        line: "An I/O-bound Python thread beside CPU-bound ones: each reply waits for the GIL, up to a switch interval",
        guide: "Python threads are fine for I/O-bound work — until a CPU-bound thread shares the interpreter. A thread that waits on a socket releases the GIL; when its reply arrives it must take the GIL back from the thread that is computing, which lets go only when asked, after at most one switch interval (sys.setswitchinterval, 5 ms by default). An I/O thread that does many small round trips then waits an interval per round trip: the convoy effect. Moving the CPU work to a process, or to native code that releases the GIL, gives the I/O thread its speed back.",
        look: "The table: the I/O thread's requests per second alone, beside one and two CPU-bound threads at each switch interval, and with the CPU work in a process or in native code. Beside a CPU thread its rate falls towards one request per interval and its mean time per request climbs towards the interval (the p99 past it); a shorter interval helps; a process or released native code restores it.",
        try_next: &[
            ("the same in a plain python3: copy scenarios/demo-convoy.toml, set runtime = \"cpython\" and drop \"native\"", "spectrum run my-convoy.toml"),
            ("more repetitions", "spectrum run demo-convoy --repetitions 5"),
            ("what the GIL does to CPU-bound threads themselves", "spectrum demo gil"),
        ],
    },
    Demo {
        name: "flush",
        line: "I/O rarely blocks unless flushing: one 4 KiB write, buffered, flushed, fdatasync'd, fsync'd and O_DSYNC, from Rust threads, tokio and Python",
        guide: "I/O rarely blocks unless flushing. A write() lands in the kernel's page cache and returns: it costs about a system call, and the kernel writes the page out later. Only a write that must reach the device — fdatasync, fsync, a file opened with O_DSYNC — waits for the disk. A userspace buffer's flush() only moves the bytes into the kernel.",
        look: "The first number: a buffered write against an fsync'd one on this disk. The table: every sync mode from Rust and Python — none and flush cost microseconds, the three syncs cost what the device takes. The OS threads: tokio runs file I/O on its blocking pool, so its tasks bring threads of their own.",
        try_next: &[
            ("the same writes on another disk (a tmpfs makes every sync free)", "SPECTRUM_FILE_DIR=/some/disk spectrum demo flush"),
            ("more repetitions", "spectrum run demo-flush --repetitions 7"),
        ],
    },
    Demo {
        name: "offload",
        line: "Blocking the event loop hurts every task: CPU chunks inline vs spawn_blocking/to_thread vs a CPU pool, tokio and asyncio",
        guide: "An async runtime runs many tasks on few threads (tokio: one per core; asyncio: one). A task gives its thread back only at an .await, so CPU work done inline in a task stalls every other task on that thread: their I/O is ready, but nobody runs them. Move the CPU work off the runtime — spawn_blocking or asyncio.to_thread (the executor's thread pool), or a CPU pool of its own (rayon, a ProcessPoolExecutor) — and the I/O tasks keep their pace; the executor pool uses extra resources: threads, or whole processes. In Python a thread of the pool still needs the GIL, so to_thread does not free the loop from pure-Python CPU work; a process pool does.",
        look: "The bars: the I/O tasks' median round trip alone, then beside two CPU-heavy tasks whose 2 ms chunks run inline (the round trip waits for a chunk to end), on the blocking pool, and on a CPU pool. The table: the CPU work each placement got done (chunks per second), and what it cost — the process's OS threads, and the process pool's processes and memory. Its p99 column: two chunks computing on two cores leave the I/O tasks no free core now and then, whatever the placement — a pool keeps the median, not the whole tail.",
        try_next: &[
            ("the same in a plain python3: copy scenarios/demo-offload.toml and set runtime = [\"rust\", \"cpython\"]", "spectrum run my-offload.toml"),
            ("more repetitions", "spectrum run demo-offload --repetitions 5"),
            ("what one CPU-bound Python thread does to an I/O thread", "spectrum demo convoy"),
        ],
    },
    Demo {
        name: "race",
        line: "Threads incrementing one shared counter with no synchronisation lose updates, in Rust and in Python: the GIL does not make += atomic; fetch_add, a Mutex or a Lock fix it, at a price",
        guide: "Incrementing a shared counter is three steps: read it, add one, write it back. When two threads do it at once, one thread's write can overwrite the other's, and that increment is lost — a lost update. In Rust, safe code cannot have a data race, but an atomic load followed by a separate atomic store is still a race of this kind; fetch_add makes the three steps one, and a Mutex lets one thread at a time through them. In Python, the GIL lets only one thread run bytecode at a time, but counter += 1 is several bytecodes (load, add, store) and the interpreter may hand the GIL over between them: the GIL does not make += atomic. Python's documentation lists i = i+1 among the operations that are not atomic; a threading.Lock around it is the fix.",
        look: "The numbers first: updates lost by two Rust threads doing load + store, and by two Python threads reading, calling a function and writing. Then the table: every fix lost exactly 0, and its time per increment against the racy form's — the price of being right. Python's bare c.n += 1 loses nothing on CPython 3.10 and later only because the interpreter no longer switches threads inside it; the plain python3 3.9 cell shows that it is not atomic.",
        try_next: &[
            ("more threads racing (copy scenarios/demo-race.toml and set concurrency = 4)", "spectrum run my-race.toml"),
            ("the bare += on every Python installed (copy scenarios/demo-race.toml and give its cpython table interpreter = [\"3.9\", \"3.12\", \"3.13\"]; spectrum list shows which exist)", "spectrum run my-race.toml"),
            ("more repetitions", "spectrum run demo-race --repetitions 9"),
        ],
    },
];

/// The demo called `name`.
pub fn find(name: &str) -> Option<&'static Demo> {
    ALL.iter().find(|d| d.name == name)
}

/// The demo whose scenario is called `scenario` (`demo-NAME`).
pub fn of_scenario(scenario: &str) -> Option<&'static Demo> {
    scenario
        .strip_prefix("demo-")
        .and_then(find)
        .filter(|d| d.scenario() == scenario)
}

/// The demos for `spectrum list` and a bare `spectrum demo`: name, one line, and the
/// estimated run time on this machine, in full and with `--quick`.
pub fn list_text() -> String {
    let cores = crate::metrics::available_cores();
    let mut out = String::new();
    for d in ALL {
        let time = match d.plan() {
            Ok(plan) => {
                let quick = crate::driver::effective_params(&plan.params, true, None);
                let q: f64 = plan
                    .cells
                    .iter()
                    .map(|c| crate::driver::estimated_cell_seconds(c, &quick, cores, true))
                    .sum();
                let mut t = format!(
                    "~{:.0} s, ~{:.0} s --quick",
                    plan.estimated_seconds(),
                    q + 3.0
                );
                // The estimate sizes ops at their nominal length; a demo whose ops run
                // slower than that (the convoy's) is told by its last run here.
                if let Some(s) = d.last_run_seconds() {
                    t.push_str(&format!("; last run here {s:.0} s"));
                }
                t
            }
            // Unreachable while the tests parse every demo's scenario; shown, not hidden.
            Err(e) => format!("its scenario is invalid: {e}"),
        };
        out.push_str(&format!("  {:<10}{} ({time})\n", d.name, d.line));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_demo_has_a_valid_scenario_named_after_it() {
        for d in ALL {
            let plan = d.plan().unwrap_or_else(|e| panic!("{}: {e}", d.name));
            assert_eq!(plan.name, d.scenario());
            assert_eq!(of_scenario(&plan.name), Some(d));
            assert!(!plan.cells.is_empty());
        }
        assert_eq!(of_scenario("gil"), None);
        assert_eq!(of_scenario("demo-nothing"), None);
    }
}
