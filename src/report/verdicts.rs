//! Verdicts: each claim of REFERENCE.md held against this run's data. Every sentence
//! here is computed from the rows; the only fixed text is the claim itself and the
//! published figures, always shown with their source beside this machine's numbers.
//!
//! Thresholds are deliberately generous (a speed-up under 1.25× is "none", scaling is
//! "with the cores" above 75% of the ideal, "far fewer" is at least 2×): the claims are
//! about direction and order of magnitude, not about the third digit.

use crate::report::charts::{best_per_fraction, slopes, speedups, Slope};
use crate::report::data::{groups, num, Row};
use crate::scenario::{AsyncCpu, Gil, Impl, ModelKind, Runtime};

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

/// "python · N = 64" style prefix for a row (tag added when files were merged).
fn who(r: &Row) -> String {
    let mut s = format!("{} {}", r.cell.runtime.as_str(), r.label());
    if !r.tag.is_empty() {
        s = format!("[{}] {s}", r.tag);
    }
    format!("{s} ×{}", r.cell.concurrency)
}

fn cpu_in_python(r: &Row) -> bool {
    r.cell.cpu_impl != Some(Impl::Native)
}

/// Claim 1, first half: Python threads on pure CPU give no speed-up.
pub(crate) fn python_threads(rows: &[Row]) -> Vec<Finding> {
    speedups(rows)
        .iter()
        .filter(|s| s.row.cell.runtime.is_python() && s.row.cell.model == ModelKind::Thread)
        .filter(|s| cpu_in_python(&s.row))
        .map(|s| {
            let none = s.speedup < 1.25;
            let text = format!(
                "{} at {:.0}% I/O: {}× sequential — {}",
                who(&s.row),
                s.row.cell.io_fraction * 100.0,
                num(s.speedup),
                if none {
                    "no speed-up, as the GIL predicts"
                } else {
                    "a speed-up the GIL should prevent (a free-threaded build, or an I/O share high enough for the waits to overlap?)"
                }
            );
            Finding::judged(none, text)
        })
        .collect()
}

/// How `speedup` compares with `min(N, cores)`, the most a CPU-bound model can reach.
fn scales(r: &Row, speedup: f64) -> (bool, f64) {
    let expected = (r.cell.concurrency as usize).min(r.cores) as f64;
    (speedup >= 0.75 * expected, expected)
}

/// Claim 1, second half: Python processes scale with the cores.
pub(crate) fn python_processes(rows: &[Row]) -> Vec<Finding> {
    speedups(rows)
        .iter()
        .filter(|s| s.row.cell.runtime.is_python() && s.row.cell.model == ModelKind::Process)
        .filter(|s| cpu_in_python(&s.row))
        .map(|s| {
            let (ok, expected) = scales(&s.row, s.speedup);
            if expected <= 1.0 {
                return Finding::info(format!(
                    "{}: {}× sequential; this machine offers one core, so processes cannot scale here",
                    who(&s.row),
                    num(s.speedup)
                ));
            }
            Finding::judged(
                ok,
                format!(
                    "{} at {:.0}% I/O: {}× sequential of a possible {}× — {}",
                    who(&s.row),
                    s.row.cell.io_fraction * 100.0,
                    num(s.speedup),
                    num(expected),
                    if ok {
                        "processes scale with the cores"
                    } else {
                        "processes fall short of the cores"
                    }
                ),
            )
        })
        .collect()
}

/// Claim 2: native code releasing the GIL scales like Rust threads; holding it serializes.
pub(crate) fn gil_release(rows: &[Row]) -> Vec<Finding> {
    let all = speedups(rows);
    let mut out = Vec::new();
    for s in all.iter().filter(|s| {
        s.row.cell.runtime.is_python()
            && s.row.cell.model == ModelKind::Thread
            && s.row.cell.cpu_impl == Some(Impl::Native)
    }) {
        let rust = all.iter().find(|o| {
            o.row.cell.runtime == Runtime::Rust
                && o.row.tag == s.row.tag
                && o.row.cell.model == ModelKind::Thread
                && o.row.cell.concurrency == s.row.cell.concurrency
        });
        let (reference, what) = match rust {
            Some(r) => (r.speedup, format!("Rust threads {}×", num(r.speedup))),
            None => {
                let (_, e) = scales(&s.row, s.speedup);
                (
                    e,
                    format!("the cores' {}× (no Rust thread cell to compare)", num(e)),
                )
            }
        };
        match s.row.cell.gil {
            Some(Gil::Released) => {
                let ok = s.speedup >= 0.75 * reference;
                out.push(Finding::judged(
                    ok,
                    format!(
                        "{}: {}× sequential vs {} — {}",
                        who(&s.row),
                        num(s.speedup),
                        what,
                        if ok {
                            "released, native code scales like Rust threads"
                        } else {
                            "released, it still falls short of Rust threads"
                        }
                    ),
                ));
            }
            _ => {
                let serial = s.speedup < 1.25;
                out.push(Finding::judged(
                    serial,
                    format!(
                        "{}: {}× sequential vs {} — {}",
                        who(&s.row),
                        num(s.speedup),
                        what,
                        if serial {
                            "holding the GIL serializes it"
                        } else {
                            "it scales although the GIL is held (is the GIL enabled?)"
                        }
                    ),
                ));
            }
        }
    }
    out
}

/// The thread and async (CPU inline) rows of each runtime at its highest I/O share and
/// the highest concurrency where both were measured: the pure-I/O end of claim 3.
fn io_end_pairs<'a>(rows: &[Row<'a>]) -> Vec<(Row<'a>, Row<'a>)> {
    let mut out = Vec::new();
    for g in groups(rows, false) {
        let f = g.fractions().last().copied().unwrap_or(0.0);
        let at = |m: ModelKind| {
            g.rows
                .iter()
                .filter(move |r| r.cell.io_fraction == f && r.cell.model == m)
                .filter(|r| r.cell.async_cpu != Some(AsyncCpu::Offload))
                .filter(|r| r.cell.io_impl != Some(Impl::Native))
        };
        let pair = at(ModelKind::Thread)
            .flat_map(|t| at(ModelKind::Async).map(move |a| (*t, *a)))
            .filter(|(t, a)| t.cell.concurrency == a.cell.concurrency)
            .max_by_key(|(t, _)| t.cell.concurrency);
        out.extend(pair);
    }
    out
}

fn ratio_finding(t: &Row, a: &Row, what: &str, unit: &str, tv: f64, av: f64) -> Finding {
    let head = format!(
        "{} at {:.0}% I/O, N = {}: threads {} {unit}, async {} {unit}",
        t.cell.runtime.as_str(),
        t.cell.io_fraction * 100.0,
        t.cell.concurrency,
        num(tv),
        num(av)
    );
    // getrusage counts CPU time in scheduler ticks: over a short window both can be
    // zero, and 0 / 0 says nothing either way.
    if tv <= 0.0 && av <= 0.0 {
        return Finding::info(format!(
            "{head} — neither registered any {what} in the window: not judged"
        ))
        .tagged(a.tag);
    }
    let ok = av <= 0.0 || tv / av >= 2.0;
    let tail = if av <= 0.0 {
        format!("async registered no {what} at all")
    } else if ok {
        format!("async tasks cost {}× fewer {what}", num(tv / av))
    } else {
        format!(
            "async is not far below threads in {what} here ({}×)",
            num(tv / av)
        )
    };
    Finding::judged(ok, format!("{head} — {tail}")).tagged(a.tag)
}

impl Finding {
    fn tagged(mut self, tag: &str) -> Finding {
        if !tag.is_empty() {
            self.text = format!("[{tag}] {}", self.text);
        }
        self
    }
}

/// Claim 3, switches: async tasks cost far fewer context switches per op at the I/O end.
pub(crate) fn io_switches(rows: &[Row]) -> Vec<Finding> {
    io_end_pairs(rows)
        .iter()
        .map(|(t, a)| {
            let sw = |r: &Row| r.s.ctx_voluntary_per_op + r.s.ctx_involuntary_per_op;
            ratio_finding(t, a, "context switches", "switches/op", sw(t), sw(a))
        })
        .collect()
}

/// Claim 3, system time: async tasks cost far less system CPU per op at the I/O end.
pub(crate) fn io_sys_time(rows: &[Row]) -> Vec<Finding> {
    io_end_pairs(rows)
        .iter()
        .map(|(t, a)| {
            let (tv, av) = (t.s.cpu_sys_us_per_op, a.s.cpu_sys_us_per_op);
            ratio_finding(t, a, "system time", "µs system/op", tv, av)
        })
        .collect()
}

/// Claim 3, memory: a task costs a few hundred bytes, a thread kilobytes.
pub(crate) fn unit_memory(rows: &[Row]) -> Vec<Finding> {
    let all = slopes(rows);
    let mut out = Vec::new();
    // The plain variants only: the native helpers and the GIL setting do not change
    // what a thread or a task costs in memory, and repeating them says nothing new.
    let plain = |s: &&Slope, model: &str| {
        s.label.split_whitespace().next() == Some(model) && !s.label.contains("=native")
    };
    for t in all.iter().filter(|s| plain(s, "thread")) {
        let Some(a) = all
            .iter()
            .find(|a| a.tag == t.tag && a.runtime == t.runtime && plain(a, "async"))
        else {
            continue;
        };
        let ok = a.kib_per_unit < t.kib_per_unit / 2.0;
        let mut f = Finding::judged(
            ok,
            format!(
                "{} at {:.0}% I/O (line through N = {}): {} adds {} KiB of peak RSS per thread, {} {} KiB per task — {}",
                t.runtime.as_str(),
                t.io_fraction * 100.0,
                t.ns.iter().map(|n| n.to_string()).collect::<Vec<_>>().join(", "),
                t.label,
                num(t.kib_per_unit),
                a.label,
                num(a.kib_per_unit),
                if ok {
                    "tasks are far cheaper"
                } else {
                    "tasks are not far cheaper here"
                }
            ),
        );
        f = f.tagged(&t.tag);
        out.push(f);
    }
    out
}

/// Claim 4: switch and creation costs. The sweep's cells do not measure them directly;
/// the kernel time per voluntary switch of threads at the I/O end is shown as an
/// indirect upper bound (it includes the timer and the wake-up).
pub(crate) fn switch_costs(rows: &[Row]) -> Vec<Finding> {
    io_end_pairs(rows)
        .iter()
        .filter(|(t, _)| t.s.ctx_voluntary_per_op > 0.0)
        .map(|(t, _)| {
            Finding::info(format!(
                "indirect only: {} threads at {:.0}% I/O spend {} µs of system time per voluntary switch (timer, wake-up and switch together)",
                t.cell.runtime.as_str(),
                t.cell.io_fraction * 100.0,
                num(t.s.cpu_sys_us_per_op / t.s.ctx_voluntary_per_op)
            ))
            .tagged(t.tag)
        })
        .collect()
}

/// Claim 5: CPU inline in async tasks stalls the others; an executor pool fixes latency.
pub(crate) fn inline_vs_offload(rows: &[Row]) -> Vec<Finding> {
    let mut out = Vec::new();
    for g in groups(rows, true) {
        let mixed: Vec<f64> = g
            .fractions()
            .into_iter()
            .filter(|f| *f > 0.0 && *f < 1.0)
            .collect();
        let pick = |f: f64, cpu: AsyncCpu| {
            g.rows.iter().find(|r| {
                r.cell.model == ModelKind::Async
                    && r.cell.io_fraction == f
                    && r.cell.async_cpu.unwrap_or(AsyncCpu::Inline) == cpu
            })
        };
        // The mixed share nearest one half: both halves of the op matter there.
        let best = mixed
            .iter()
            .filter_map(|f| {
                Some((
                    *f,
                    pick(*f, AsyncCpu::Inline)?,
                    pick(*f, AsyncCpu::Offload)?,
                ))
            })
            .min_by(|a, b| (a.0 - 0.5).abs().total_cmp(&(b.0 - 0.5).abs()));
        let Some((f, inl, off)) = best else { continue };
        let (pi, po) = (inl.s.latency_us.p99, off.s.latency_us.p99);
        let ratio = if po > 0.0 { pi / po } else { f64::INFINITY };
        let ok = ratio >= 1.5;
        out.push(Finding::judged(
            ok,
            format!(
                "{} at {:.0}% I/O: p99 {} µs inline vs {} µs offloaded (p50 {} vs {}) — {}",
                g.title(),
                f * 100.0,
                num(pi),
                num(po),
                num(inl.s.latency_us.p50),
                num(off.s.latency_us.p50),
                if ok {
                    format!(
                        "inline CPU stretches the tail {}×; the pool fixes it",
                        num(ratio)
                    )
                } else {
                    format!(
                        "offloading does not shorten the tail here ({}×)",
                        num(ratio)
                    )
                }
            ),
        ));
    }
    out
}

/// Chart 1's reading: the best model at each end against the guide's line (processes
/// at the CPU end, async tasks at the I/O end; "best" allows 10% of the winner).
pub(crate) fn spectrum_line(rows: &[Row]) -> Vec<Finding> {
    let mut out = Vec::new();
    for g in groups(rows, true) {
        let best = best_per_fraction(&g);
        let (Some(first), Some(last)) = (best.first(), best.last()) else {
            continue;
        };
        if best.len() < 2 {
            continue;
        }
        let top = |f: f64| {
            g.rows
                .iter()
                .filter(|r| r.cell.io_fraction == f)
                .map(|r| r.s.ops_per_s.median)
                .fold(0.0, f64::max)
        };
        // `None` when the model was not measured at that end of this panel: no verdict.
        let near = |f: f64, m: ModelKind| {
            let at: Vec<&Row> = g
                .rows
                .iter()
                .filter(|r| r.cell.io_fraction == f && r.cell.model == m)
                .collect();
            (!at.is_empty()).then(|| at.iter().any(|r| r.s.ops_per_s.median >= 0.9 * top(f)))
        };
        let cpu_ok = near(first.0, ModelKind::Process);
        let io_ok = near(last.0, ModelKind::Async);
        // Runs of the same winner are said once, with the shares they cover.
        let mut path: Vec<String> = Vec::new();
        let mut i = 0;
        while i < best.len() {
            let mut j = i;
            while j + 1 < best.len() && best[j + 1].1 == best[i].1 {
                j += 1;
            }
            let span = if i == j {
                format!("{:.0}%", best[i].0 * 100.0)
            } else {
                format!("{:.0}–{:.0}%", best[i].0 * 100.0, best[j].0 * 100.0)
            };
            path.push(format!("{} ({span})", best[i].1));
            i = j + 1;
        }
        let cpu_end = match cpu_ok {
            Some(true) => "processes within 10% of the best at the CPU end",
            Some(false) => "processes NOT within 10% of the best at the CPU end",
            None => "no process cell at the CPU end",
        };
        let io_end = match io_ok {
            Some(true) => "async within 10% of the best at the I/O end",
            Some(false) => "async NOT within 10% of the best at the I/O end",
            None => "no async cell at the I/O end",
        };
        let verdict = match (cpu_ok, io_ok) {
            (None, None) => "the guide's line cannot be judged in this panel",
            (Some(false), _) | (_, Some(false)) => "this machine departs from the guide's line",
            _ => "the guide's line holds",
        };
        let text = format!(
            "{}: best by I/O share: {} — {verdict} ({cpu_end}; {io_end})",
            g.title(),
            path.join(" → ")
        );
        out.push(match (cpu_ok, io_ok) {
            (None, None) => Finding::info(text),
            (a, b) => Finding::judged(a.unwrap_or(true) && b.unwrap_or(true), text),
        });
    }
    out
}

/// Claims 1–5 with their findings and published figures.
pub(crate) fn claims(rows: &[Row]) -> Vec<Verdict> {
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
            findings: switch_costs(rows),
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
            published: &["no single published figure: the effect is the mechanism of every event loop — tokio's and asyncio's documentation on blocking"],
        },
    ]
}
