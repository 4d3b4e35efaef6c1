//! Verdicts: each claim of REFERENCE.md held against this run's data, as data.
//!
//! Every finding that judges is a ratio (or slope) with a 95% bootstrap interval over
//! the repetitions ([`crate::stats`]) held against a threshold: it *agrees* when the
//! whole interval lies on the claim's side, *disagrees* when the whole interval lies on
//! the other, and is *inconclusive* when the interval straddles the threshold. So two
//! runs of one machine cannot give ✓ and ✗ for one finding unless the machine changed
//! by more than the repetitions' spread; where the data cannot decide, the verdict says
//! so instead of tossing a coin. A claim's outcome follows from its decided findings.
//!
//! Thresholds are deliberately generous (a speed-up under 1.25× is "none", scaling is
//! "with the cores" above 75% of the ideal, "far fewer" is at least 2×): the claims are
//! about direction and order of magnitude, not about the third digit. Everything here is
//! computed from the rows; the only fixed text is the claim itself and the published
//! figures, always shown with their source beside this machine's numbers.

mod io;
mod judge;
mod line;
mod probes;
mod python;
pub(crate) mod pythons;

pub(crate) use io::{
    inline_vs_offload, io_switches, io_sys_time, switch_costs, timer_vs_socket, unit_memory,
};
pub(crate) use judge::{Judged, Side};
pub(crate) use line::{end_finding, spectrum_line, winners_per_fraction};
pub(crate) use probes::{probe_costs, probe_sources};
pub(crate) use python::{gil_release, python_processes, python_threads};
pub(crate) use pythons::{free_threading_tax, threads_per_interpreter};

use serde::Serialize;

use crate::probe::Probes;
use crate::report::data::Row;
use crate::scenario::IoKind;

/// How a finding, or a claim, stands on this run's data.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub(crate) enum Outcome {
    /// Every decided finding supports the claim.
    Agrees,
    /// Some decided findings support it, some contradict it.
    Partly,
    /// Every decided finding contradicts it.
    Disagrees,
    /// Findings were measured but none could be decided: every interval straddles its
    /// threshold.
    Inconclusive,
    /// The cells the claim needs are not in this run.
    NotMeasured,
}

impl Outcome {
    /// Words for the page.
    pub fn describe(self) -> &'static str {
        match self {
            Outcome::Agrees => "this machine agrees",
            Outcome::Partly => "partly: see the findings",
            Outcome::Disagrees => "this machine disagrees",
            Outcome::Inconclusive => "inconclusive: the data cannot decide",
            Outcome::NotMeasured => "not measured in this run",
        }
    }

    /// One character for the terminal and the summary: ✓ ~ ✗ ? –.
    pub fn mark(self) -> &'static str {
        match self {
            Outcome::Agrees => "✓",
            Outcome::Partly => "~",
            Outcome::Disagrees => "✗",
            Outcome::Inconclusive => "?",
            Outcome::NotMeasured => "–",
        }
    }

    /// CSS class.
    pub fn class(self) -> &'static str {
        match self {
            Outcome::Agrees => "agrees",
            Outcome::Partly => "mixed",
            Outcome::Disagrees => "disagrees",
            Outcome::Inconclusive => "inconclusive",
            Outcome::NotMeasured => "unmeasured",
        }
    }

    /// The standing of a set of findings: from the decided ones; inconclusive when
    /// some were judged but none decided; not measured when none was judged.
    pub fn of(findings: &[Finding]) -> Outcome {
        let judged: Vec<Outcome> = findings.iter().filter_map(|f| f.outcome).collect();
        let agree = judged.iter().filter(|o| **o == Outcome::Agrees).count();
        let disagree = judged.iter().filter(|o| **o == Outcome::Disagrees).count();
        match (agree, disagree) {
            (0, 0) if judged.is_empty() => Outcome::NotMeasured,
            (0, 0) => Outcome::Inconclusive,
            (_, 0) => Outcome::Agrees,
            (0, _) => Outcome::Disagrees,
            _ => Outcome::Partly,
        }
    }
}

/// One computed statement about the data.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct Finding {
    /// The sentence, with this run's figures and how sure they are.
    pub text: String,
    /// `agrees`, `disagrees` or `inconclusive` when it judges; absent when it only
    /// informs.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub outcome: Option<Outcome>,
    /// The figure judged: its interval and the threshold it was held against.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub figure: Option<Judged>,
    /// The ids of the cells compared.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub cells: Vec<String>,
    /// The I/O kind of the cells compared, where the finding is about waiting.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub io: Option<IoKind>,
    /// Which compared cells ran while the machine's speed had left the calibration's,
    /// e.g. "0.72× calibrated speed during the Python sequential (one worker) cell". The
    /// page marks the finding (⚠) and says what drift means once, in a banner.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub drift: Option<String>,
}

impl Finding {
    /// A finding that judges `figure`: `head` names what is compared, `meaning` says
    /// what each outcome means (agrees, disagrees, inconclusive).
    pub(crate) fn judge(head: String, figure: Judged, meaning: [&str; 3]) -> Finding {
        let outcome = figure.outcome();
        let says = match outcome {
            Outcome::Agrees => meaning[0],
            Outcome::Disagrees => meaning[1],
            _ => meaning[2],
        };
        Finding {
            text: format!("{head}: {} — {says}", figure.phrase()),
            outcome: Some(outcome),
            figure: Some(figure),
            cells: Vec::new(),
            io: None,
            drift: None,
        }
    }

    /// A finding that only informs.
    pub(crate) fn info(text: String) -> Finding {
        Finding {
            text,
            outcome: None,
            figure: None,
            cells: Vec::new(),
            io: None,
            drift: None,
        }
    }

    /// The finding about these rows (their ids; their I/O kind when all share one and
    /// any of them waits).
    pub(crate) fn about(mut self, rows: &[&Row]) -> Finding {
        self.cells = rows.iter().map(|r| r.result.id.clone()).collect();
        let waits = rows.iter().any(|r| r.cell.io_us > 0.0);
        let io = rows.first().map(|r| r.cell.io);
        if waits && rows.iter().all(|r| Some(r.cell.io) == io) {
            self.io = io;
        }
        self
    }

    /// Marks the finding when any of the compared `rows` ran while the machine's speed
    /// had left the calibration's (see `report::stability`).
    fn drifted(mut self, rows: &[&Row]) -> Finding {
        self.drift = crate::report::stability::drift_clause(rows);
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

/// A claim of REFERENCE.md (or the guide's line) with this run's findings.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct Verdict {
    /// Stable id: `line` for the guide's line, `1`–`5` for REFERENCE.md's claims.
    pub id: &'static str,
    /// The claim, as REFERENCE.md states it.
    pub claim: &'static str,
    /// The claim's standing, from its findings.
    pub outcome: Outcome,
    /// How sure, in one phrase.
    pub phrase: String,
    /// What this run's data says.
    pub findings: Vec<Finding>,
    /// Published figures for comparison, with their sources.
    pub published: &'static [&'static str],
}

impl Verdict {
    /// A claim with its findings; its outcome and phrase follow from them.
    pub(crate) fn new(
        id: &'static str,
        claim: &'static str,
        findings: Vec<Finding>,
        published: &'static [&'static str],
    ) -> Verdict {
        let outcome = Outcome::of(&findings);
        Verdict {
            id,
            claim,
            outcome,
            phrase: phrase(outcome, &findings),
            findings,
            published,
        }
    }

    /// The claim judged on `findings` instead of its own (a demo that shows one part).
    pub(crate) fn with_findings(self, findings: Vec<Finding>) -> Verdict {
        Verdict::new(self.id, self.claim, findings, self.published)
    }

    /// "Claim 3" or "The guide's line".
    pub fn title(&self) -> String {
        if self.id == "line" {
            "The guide's line".to_string()
        } else {
            format!("Claim {}", self.id)
        }
    }
}

/// How sure a claim's outcome is, in one phrase.
fn phrase(outcome: Outcome, findings: &[Finding]) -> String {
    let judged = findings.iter().filter(|f| f.outcome.is_some()).count();
    let open = findings
        .iter()
        .filter(|f| f.outcome == Some(Outcome::Inconclusive))
        .count();
    let decided = judged - open;
    let assumed = findings
        .iter()
        .filter_map(|f| f.figure.as_ref())
        .any(|j| j.interval.assumed);
    let tail = if assumed {
        " (single repetitions: ±10% assumed, not measured)"
    } else {
        ""
    };
    match outcome {
        Outcome::NotMeasured if findings.is_empty() => {
            "no finding could be computed from this run's cells".into()
        }
        Outcome::NotMeasured => "this run's cells do not test it; the findings only inform".into(),
        Outcome::Inconclusive => format!(
            "all {judged} findings have 95% intervals that straddle their thresholds{tail}"
        ),
        _ if open == 0 => format!(
            "{decided} of {judged} findings decided, each by a 95% interval clear of its threshold{tail}"
        ),
        _ => format!(
            "{decided} of {judged} findings decided by a 95% interval clear of its threshold, {open} inconclusive{tail}"
        ),
    }
}

/// The guide's line and claims 1–5 with their findings and published figures; claim 4
/// reads the switch and spawn costs of each file (tag, probes) that recorded them.
pub(crate) fn claims(rows: &[Row], probes: &[(&str, &Probes)]) -> Vec<Verdict> {
    // `file` cells measure a disk, not the spectrum the claims are about: their I/O half
    // is a write, not a wait, and tokio and asyncio run it on a thread pool. Judged as
    // "pure I/O" they made claim 3 read tokio's pool hops and claim 1 read writes.
    // Counting cells (the race demo) run increments of a shared counter, not the
    // kernel: claim 1 would read a lock's contention as the GIL's.
    let rows: Vec<Row> = rows
        .iter()
        .filter(|r| r.cell.io != crate::scenario::IoKind::File && r.cell.counter.is_none())
        .copied()
        .collect();
    let rows = &rows[..];
    let mut c4 = probe_costs(probes);
    c4.extend(switch_costs(rows));
    let mut c1 = python_threads(rows);
    c1.extend(python_processes(rows));
    let mut c3 = io_switches(rows);
    c3.extend(io_sys_time(rows));
    c3.extend(unit_memory(rows));
    vec![
        Verdict::new(
            "line",
            "Pure CPU — processes — threads — async tasks — pure I/O: processes win at the CPU end, async tasks at the I/O end (many slow connections).",
            {
                let mut f = spectrum_line(rows);
                f.extend(timer_vs_socket(rows));
                f
            },
            &[],
        ),
        Verdict::new(
            "1",
            "Pure-CPU Python: threads give no speed-up on the GIL build (often slightly slower than sequential); processes scale with cores.",
            c1,
            &["4 threads 1.14× slower than sequential; 4 subinterpreters 3.2× faster (32 cores) — loremipsumpy/python-3.14-free-threading-benchmark"],
        ),
        Verdict::new(
            "2",
            "Native code that releases the GIL (pyo3 detach) scales like plain Rust threads; holding the GIL serializes it.",
            gil_release(rows),
            &["beside a spinning Python thread: 376 Hz holding the GIL vs 119 Hz with detach (the other thread got 48% vs 96% of the CPU) — pollen-robotics/rustypot PR #125"],
        ),
        Verdict::new(
            "3",
            "Async tasks cost far fewer kernel context switches and far less system time per op than threads at the pure-I/O end; a task costs a few hundred bytes, a thread kilobytes.",
            c3,
            &[
                "async sys time 8.3 s vs threads 27.9 s (500 tasks passing a byte along pipes) — jimblandy/context-switch",
                "per unit: OS thread ~9.5 KiB user + ~10 KiB kernel; tokio task ~0.4 KiB — jimblandy/context-switch",
                "10k sleeping tasks: Rust threads 48 MB, tokio 4.6 MB, Python asyncio 40 MB — pkolaczk, “How much memory do you need to run 1 million concurrent tasks?”",
            ],
        ),
        Verdict::new(
            "4",
            "A thread switch costs several times an async task switch; a process switch costs more than a thread switch; creating a process costs far more than either.",
            c4,
            &[
                "thread switch 1.2–1.5 µs pinned, ~2.2 µs unpinned — Eli Bendersky 2018",
                "tokio task switch ~0.2 µs vs thread ~1.7 µs; creation ~0.3 µs vs ~17 µs — jimblandy/context-switch",
                "process vs thread switch ~2.4 µs vs ~1.1 µs — a single blog measurement, direction only",
            ],
        ),
        Verdict::new(
            "5",
            "CPU work done inline in an async task stalls every other task on that worker: the latency of the I/O tasks grows; an executor pool (spawn_blocking, to_thread) fixes the latency at the price of threads.",
            {
                // The offload demo's cells (I/O tasks beside CPU-heavy tasks) judge it;
                // the sweep's mixed ops only inform.
                let mut f = crate::report::demo::offload::findings(rows);
                f.extend(inline_vs_offload(rows));
                f
            },
            &["no single published figure: the stall is as long as the CPU work between two .awaits, whatever the machine; “a good rule of thumb is no more than 10 to 100 microseconds between each .await” — Alice Ryhl (tokio), “Async: What is blocking?”, 2020"],
        ),
        Verdict::new(
            "P1",
            "Threads do not speed up pure-Python CPU work — judged per interpreter: it should hold on GIL builds and fail on free-threaded ones (PEP 703).",
            threads_per_interpreter(rows),
            &[
                "free-threaded 3.14t: threads scale ~3.7× on 4 — CPython free-threading howto, PEP 779",
                "counting primes below 2M: GIL 2.7 s single and threaded; 3.14t 3.1 s single, 0.8 s threaded — PyCon JP 2025 (adarshdigievo/pycon_jp_goodbye_gil_talk)",
            ],
        ),
        Verdict::new(
            "P2",
            "Free-threading costs single-thread speed: the free-threaded build runs one thread of pure Python slower than the GIL build of the same version.",
            free_threading_tax(rows),
            &["3.13t ~40% slower single-threaded (pyperformance); 3.14t 5–10% (1% macOS aarch64 to 8% x86-64 Linux) — What's New 3.14, free-threading HOWTO, PEP 779"],
        ),
    ]
}

/// The verdicts as the JSON document `verdicts.json` and `spectrum report --json` give.
pub(crate) fn to_json(claims: &[Verdict], sources: &[String]) -> serde_json::Value {
    serde_json::json!({
        "schema": "spectrum.verdicts/1",
        "results": sources,
        "confidence": crate::stats::CONFIDENCE,
        "method": "percentile bootstrap over repetitions (4000 resamples, fixed seed) of the ratio of medians; a finding agrees or disagrees only when its whole 95% interval lies on one side of its threshold",
        "claims": claims,
    })
}

/// The verdicts in a few terminal lines: mark, title, outcome and phrase.
pub(crate) fn terminal_lines(claims: &[Verdict]) -> String {
    let mut out = String::from("Verdicts (95% intervals over the repetitions):\n");
    for c in claims {
        out.push_str(&format!(
            "  {} {:<17} {} — {}\n",
            c.outcome.mark(),
            c.title(),
            c.outcome.describe(),
            c.phrase
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stats::Interval;

    fn judged(estimate: f64, low: f64, high: f64) -> Finding {
        Finding::judge(
            "x".into(),
            Judged::new(
                "speed-up",
                "×",
                Interval::new(estimate, low, high, 3),
                1.25,
                Side::Below,
            ),
            ["yes", "no", "cannot tell"],
        )
    }

    #[test]
    fn a_finding_decides_only_clear_of_its_threshold() {
        assert_eq!(judged(0.97, 0.94, 1.0).outcome, Some(Outcome::Agrees));
        assert_eq!(judged(1.9, 1.8, 2.0).outcome, Some(Outcome::Disagrees));
        let open = judged(1.2, 1.1, 1.3);
        assert_eq!(open.outcome, Some(Outcome::Inconclusive));
        assert!(open.text.ends_with("cannot tell"), "{}", open.text);
    }

    #[test]
    fn outcome_of_findings() {
        let yes = judged(0.97, 0.94, 1.0);
        let no = judged(1.9, 1.8, 2.0);
        let open = judged(1.2, 1.1, 1.3);
        let info = Finding::info("c".into());
        assert_eq!(Outcome::of(&[]), Outcome::NotMeasured);
        assert_eq!(
            Outcome::of(std::slice::from_ref(&info)),
            Outcome::NotMeasured
        );
        assert_eq!(
            Outcome::of(&[open.clone(), info.clone()]),
            Outcome::Inconclusive
        );
        assert_eq!(
            Outcome::of(&[yes.clone(), info, open.clone()]),
            Outcome::Agrees
        );
        assert_eq!(Outcome::of(&[no.clone(), open.clone()]), Outcome::Disagrees);
        assert_eq!(Outcome::of(&[yes.clone(), no.clone()]), Outcome::Partly);
        let v = Verdict::new("1", "c", vec![yes, open], &[]);
        assert_eq!(v.outcome, Outcome::Agrees);
        assert!(v.phrase.contains("1 of 2 findings decided"), "{}", v.phrase);
        assert!(v.phrase.contains("1 inconclusive"), "{}", v.phrase);
    }

    #[test]
    fn verdicts_serialize_with_ids_outcomes_and_intervals() {
        let v = Verdict::new("2", "c", vec![judged(0.97, 0.94, 1.0)], &[]);
        let j = to_json(&[v], &["a.json".into()]);
        let c = &j["claims"][0];
        assert_eq!(c["id"], "2");
        assert_eq!(c["outcome"], "agrees");
        let f = &c["findings"][0];
        assert_eq!(f["outcome"], "agrees");
        assert_eq!(f["figure"]["interval"]["low"], 0.94);
        assert_eq!(f["figure"]["threshold"], 1.25);
        assert_eq!(f["figure"]["agrees_when"], "below");
        assert_eq!(j["schema"], "spectrum.verdicts/1");
        let nm = Verdict::new("5", "c", vec![], &[]);
        assert_eq!(
            serde_json::to_value(&nm).unwrap()["outcome"],
            "not-measured"
        );
    }
}
