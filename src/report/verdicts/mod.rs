//! Verdicts: each claim of REFERENCE.md held against this run's data. Every sentence
//! here is computed from the rows; the only fixed text is the claim itself and the
//! published figures, always shown with their source beside this machine's numbers.
//!
//! Thresholds are deliberately generous (a speed-up under 1.25× is "none", scaling is
//! "with the cores" above 75% of the ideal, "far fewer" is at least 2×): the claims are
//! about direction and order of magnitude, not about the third digit.

mod io;
mod probes;
mod python;

pub(crate) use io::{
    inline_vs_offload, io_switches, io_sys_time, spectrum_line, switch_costs, unit_memory,
};
pub(crate) use probes::{probe_costs, probe_sources};
pub(crate) use python::{gil_release, python_processes, python_threads};

use crate::probe::Probes;
use crate::report::data::Row;

/// One computed statement about the data.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Finding {
    /// The sentence, with this run's figures.
    pub text: String,
    /// Whether it supports the claim; `None` when it only informs.
    pub agrees: Option<bool>,
}

impl Finding {
    fn judged(agrees: bool, text: String) -> Finding {
        Finding {
            text,
            agrees: Some(agrees),
        }
    }
    fn info(text: String) -> Finding {
        Finding { text, agrees: None }
    }
}

/// Overall standing of a claim on this run's data.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Status {
    /// Every judged finding supports the claim.
    Agrees,
    /// Every judged finding contradicts it.
    Disagrees,
    /// Some support it, some do not.
    Mixed,
    /// The cells needed were not in this run.
    NotMeasured,
}

impl Status {
    /// Words for the page.
    pub fn describe(self) -> &'static str {
        match self {
            Status::Agrees => "this machine agrees",
            Status::Disagrees => "this machine disagrees",
            Status::Mixed => "partly: see the findings",
            Status::NotMeasured => "not measured in this run",
        }
    }

    /// CSS class.
    pub fn class(self) -> &'static str {
        match self {
            Status::Agrees => "agrees",
            Status::Disagrees => "disagrees",
            Status::Mixed => "mixed",
            Status::NotMeasured => "unmeasured",
        }
    }

    /// The standing of a set of findings.
    pub fn of(findings: &[Finding]) -> Status {
        let judged: Vec<bool> = findings.iter().filter_map(|f| f.agrees).collect();
        if judged.is_empty() {
            Status::NotMeasured
        } else if judged.iter().all(|a| *a) {
            Status::Agrees
        } else if judged.iter().all(|a| !*a) {
            Status::Disagrees
        } else {
            Status::Mixed
        }
    }
}

/// A claim of REFERENCE.md with this run's findings.
#[derive(Debug, Clone)]
pub(crate) struct Verdict {
    /// The claim's number in REFERENCE.md.
    pub number: u8,
    /// The claim, as REFERENCE.md states it.
    pub claim: &'static str,
    /// What this run's data says.
    pub findings: Vec<Finding>,
    /// Published figures for comparison, with their sources.
    pub published: &'static [&'static str],
}

impl Verdict {
    /// The claim's standing.
    pub fn status(&self) -> Status {
        Status::of(&self.findings)
    }
}

impl Finding {
    /// Adds the drift clause when any of the compared `rows` ran while the machine's
    /// speed had left the calibration's (see `report::stability`).
    fn drifted(mut self, rows: &[&Row]) -> Finding {
        self.text
            .push_str(&crate::report::stability::drift_clause(rows));
        self
    }

    /// Prefixes the text with a file tag when files were merged.
    fn tagged(mut self, tag: &str) -> Finding {
        if !tag.is_empty() {
            self.text = format!("[{tag}] {}", self.text);
        }
        self
    }
}

/// Claims 1–5 with their findings and published figures; claim 4 reads the switch and
/// spawn costs of each file (tag, probes) that recorded them.
pub(crate) fn claims(rows: &[Row], probes: &[(&str, &Probes)]) -> Vec<Verdict> {
    let mut c4 = probe_costs(probes);
    c4.extend(switch_costs(rows));
    let mut c1 = python_threads(rows);
    c1.extend(python_processes(rows));
    let mut c3 = io_switches(rows);
    c3.extend(io_sys_time(rows));
    c3.extend(unit_memory(rows));
    vec![
        Verdict {
            number: 1,
            claim: "Pure-CPU Python: threads give no speed-up on the GIL build (often slightly slower than sequential); processes scale with cores.",
            findings: c1,
            published: &["4 threads 1.14× slower than sequential; 4 subinterpreters 3.2× faster (32 cores) — loremipsumpy/python-3.14-free-threading-benchmark"],
        },
        Verdict {
            number: 2,
            claim: "Native code that releases the GIL (pyo3 detach) scales like plain Rust threads; holding the GIL serializes it.",
            findings: gil_release(rows),
            published: &["beside a spinning Python thread: 376 Hz holding the GIL vs 119 Hz with detach (the other thread got 48% vs 96% of the CPU) — pollen-robotics/rustypot PR #125"],
        },
        Verdict {
            number: 3,
            claim: "Async tasks cost far fewer kernel context switches and far less system time per op than threads at the pure-I/O end; a task costs a few hundred bytes, a thread kilobytes.",
            findings: c3,
            published: &[
                "async sys time 8.3 s vs threads 27.9 s (500 tasks passing a byte along pipes) — jimblandy/context-switch",
                "per unit: OS thread ~9.5 KiB user + ~10 KiB kernel; tokio task ~0.4 KiB — jimblandy/context-switch",
                "10k sleeping tasks: Rust threads 48 MB, tokio 4.6 MB, Python asyncio 40 MB — pkolaczk, “How much memory do you need to run 1 million concurrent tasks?”",
            ],
        },
        Verdict {
            number: 4,
            claim: "A thread switch costs several times an async task switch; a process switch costs more than a thread switch; creating a process costs far more than either.",
            findings: c4,
            published: &[
                "thread switch 1.2–1.5 µs pinned, ~2.2 µs unpinned — Eli Bendersky 2018",
                "tokio task switch ~0.2 µs vs thread ~1.7 µs; creation ~0.3 µs vs ~17 µs — jimblandy/context-switch",
                "process vs thread switch ~2.4 µs vs ~1.1 µs — a single blog measurement, direction only",
            ],
        },
        Verdict {
            number: 5,
            claim: "CPU work done inline in an async task stalls every other task on that worker: the latency of the I/O tasks grows; an executor pool (spawn_blocking, to_thread) fixes the latency at the price of threads.",
            findings: inline_vs_offload(rows),
            published: &[
                "no single published figure: the effect is the mechanism of every event loop — tokio's and asyncio's documentation on blocking",
                // Why the verdict may not settle the claim: say what was measured.
                "what this sweep measures: every op has both halves, so the inline and offloaded cells compare ops that each carry their own CPU; the claim is about pure-I/O tasks running beside CPU-bound ones, a mixed workload spectrum does not run yet",
            ],
        },
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_of_findings() {
        let yes = Finding::judged(true, "a".into());
        let no = Finding::judged(false, "b".into());
        let info = Finding::info("c".into());
        assert_eq!(Status::of(&[]), Status::NotMeasured);
        assert_eq!(Status::of(std::slice::from_ref(&info)), Status::NotMeasured);
        assert_eq!(Status::of(&[yes.clone(), info]), Status::Agrees);
        assert_eq!(Status::of(std::slice::from_ref(&no)), Status::Disagrees);
        assert_eq!(Status::of(&[yes, no]), Status::Mixed);
    }
}
