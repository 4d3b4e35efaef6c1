//! The `race` demo's figures: the updates an unsynchronised shared counter loses when
//! threads increment it — Rust's separate load and store, Python's `+=` and a call
//! between read and write — against `fetch_add`, a mutex and a `Lock`, which lose none,
//! and the time per increment each fix costs. Two claims judged on them: the race loses
//! updates (the GIL does not make `+=` atomic), and the fixes lose nothing.
//!
//! Lost updates are counts, not rates: a fix that lost one update is broken, and a race
//! that lost none in one run is not proven atomic. So the findings are decided by the
//! counts themselves, with no interval: any loss shows the race, a loss-free run only
//! fails to show it (inconclusive), and any loss in a fix contradicts it.

use crate::metrics::CounterTally;
use crate::report::charts::Table;
use crate::report::data::{num, Row};
use crate::report::names::{counter_words, runtime_name};
use crate::report::verdicts::{Finding, Outcome, Verdict};
use crate::scenario::{Counter, ModelKind, Runtime};
use crate::stats::median;

use super::lessons::{Bars, Number};

const RACE_CLAIM: &str = "An unsynchronised read-modify-write of a shared counter loses updates when threads run it: in Rust with a separate atomic load and store (safe code), and in Python despite the GIL — the GIL does not make += atomic.";

const FIX_CLAIM: &str = "An atomic read-modify-write (fetch_add) or a lock (Rust's Mutex, Python's Lock) loses no update, at a price per increment.";

/// The counting cells, in the page's order: per runtime (Rust, embedded Python, then
/// each plain python3), one thread before two, the racy forms before their fixes. The
/// run's order puts shorter ops first, and Rust's fixes run shorter ops than its race.
fn counting<'r, 'a>(rows: &'r [Row<'a>]) -> impl Iterator<Item = &'r Row<'a>> {
    let mut v: Vec<&Row> = rows.iter().filter(|r| r.cell.counter.is_some()).collect();
    v.sort_by(|a, b| {
        let key = |r: &Row| {
            (
                r.cell.runtime,
                r.cell.interpreter.clone(),
                r.cell.model,
                r.cell.counter,
            )
        };
        key(a).cmp(&key(b))
    });
    v.into_iter()
}

/// Each repetition's counter.
fn tallies(r: &Row) -> Vec<CounterTally> {
    r.result
        .repetitions
        .iter()
        .filter_map(|m| m.counter)
        .collect()
}

/// Each repetition's updates lost.
fn lost(r: &Row) -> Vec<u64> {
    tallies(r).iter().map(CounterTally::lost).collect()
}

/// The median repetition's increments (every repetition makes the same).
fn increments(r: &Row) -> u64 {
    tallies(r).first().map_or(0, |t| t.increments)
}

/// Median updates lost over the repetitions.
fn median_lost(r: &Row) -> f64 {
    median(&lost(r).iter().map(|&l| l as f64).collect::<Vec<_>>())
}

/// Median wall time per increment, ns: the window over the increments it made (for
/// two threads, the cell's pace, not one thread's).
fn ns_per_increment(r: &Row) -> f64 {
    let per: Vec<f64> = r
        .result
        .repetitions
        .iter()
        .filter_map(|m| {
            let t = m.counter?;
            (t.increments > 0).then(|| m.wall_s * 1e9 / t.increments as f64)
        })
        .collect();
    if per.is_empty() {
        f64::NAN
    } else {
        median(&per)
    }
}

/// "Rust", "embedded Python 3.11.7", "plain python3 3.9.18": the Python version the
/// cell ran (from its measurements), else the one it asked for.
fn runtime(r: &Row) -> String {
    if r.cell.runtime == Runtime::Rust {
        return runtime_name(Runtime::Rust).into();
    }
    let ran = r.result.repetitions.iter().find_map(|m| {
        let v = m.info.get("python_version")?.as_str()?;
        v.split_whitespace().next().map(str::to_string)
    });
    match ran.or_else(|| r.cell.interpreter.clone()) {
        Some(v) => format!("{} {v}", runtime_name(r.cell.runtime)),
        None => runtime_name(r.cell.runtime).into(),
    }
}

/// "one thread", "2 threads".
fn workers(r: &Row) -> String {
    match r.cell.model {
        ModelKind::Sequential => "one thread".into(),
        _ => format!("{} threads", r.cell.concurrency),
    }
}

/// The form in the language's own code.
fn form(r: &Row) -> String {
    r.cell.counter.map_or(String::new(), |c| {
        counter_words(c.as_str(), r.cell.runtime.is_python())
    })
}

/// "Rust, 2 threads, load + store (racy)".
fn who(r: &Row) -> String {
    format!("{}, {}, {}", runtime(r), workers(r), form(r))
}

/// A bar's label, short enough for the chart's margin: "Rust ×2 · load + store",
/// "Python 3.11 ×1 · Lock", "python3 3.9 ×2 · c.n += 1" (the table has the long form).
fn short(r: &Row) -> String {
    let rt = runtime(r);
    // "embedded Python 3.11.7" → "Python 3.11"; "plain python3 3.9.18" → "python3 3.9".
    let rt = rt
        .trim_start_matches("embedded ")
        .trim_start_matches("plain ");
    let rt = match rt.rsplit_once(' ') {
        Some((name, v)) if v.matches('.').count() == 2 => {
            format!("{name} {}", &v[..v.rfind('.').unwrap_or(v.len())])
        }
        _ => rt.to_string(),
    };
    let f = form(r);
    let f = f.trim_end_matches(" (racy)");
    format!("{rt} ×{} · {f}", r.cell.concurrency)
}

/// "96 452 of 241 400 (40%)": the median repetition's loss.
fn lost_text(r: &Row) -> String {
    let n = increments(r);
    let l = median_lost(r);
    format!(
        "{} of {} increments lost ({})",
        count(l),
        count(n as f64),
        share(l, n)
    )
}

/// A whole count with thin spaces between thousands: "1 234 567".
fn count(x: f64) -> String {
    let s = format!("{:.0}", x.max(0.0));
    let mut out = String::new();
    for (i, ch) in s.chars().enumerate() {
        if i > 0 && (s.len() - i) % 3 == 0 {
            out.push('\u{202f}');
        }
        out.push(ch);
    }
    out
}

/// `lost` as a share of `of`: "40%", "0.01%", "0%".
fn share(lost: f64, of: u64) -> String {
    if of == 0 {
        return "—".into();
    }
    let p = 100.0 * lost / of as f64;
    if p == 0.0 {
        "0%".into()
    } else {
        format!("{}%", num(p))
    }
}

/// The two-thread row of `runtime` (the embedded one for Python unless `interpreter`)
/// whose counter is `form`.
fn find<'r, 'a>(
    rows: &'r [Row<'a>],
    python: bool,
    interpreter: bool,
    form: Counter,
) -> Option<&'r Row<'a>> {
    counting(rows).find(|r| {
        r.cell.model == ModelKind::Thread
            && r.cell.runtime.is_python() == python
            && r.cell.interpreter.is_some() == interpreter
            && r.cell.counter == Some(form)
    })
}

/// The racy row a fix is priced against: same runtime, interpreter and threads.
fn racy_twin<'r, 'a>(rows: &'r [Row<'a>], fix: &Row) -> Option<&'r Row<'a>> {
    counting(rows).find(|r| {
        r.cell.runtime == fix.cell.runtime
            && r.cell.interpreter == fix.cell.interpreter
            && r.cell.model == fix.cell.model
            && r.cell.concurrency == fix.cell.concurrency
            && r.cell.counter == Some(Counter::Racy)
    })
}

/// The numbers: Rust's race, Python's (the call form, and `+=` per interpreter), and
/// what the fixes lost and cost.
pub(crate) fn numbers(rows: &[Row]) -> Vec<Number> {
    let mut out = Vec::new();
    if let Some(r) = find(rows, false, false, Counter::Racy) {
        out.push(Number {
            value: lost_text(r),
            sentence: format!(
                "{}: each increment a separate atomic load and store — safe code, no unsafe — and still a race: between one thread's load and its store the other thread's increments land, and the store overwrites them (median of the repetitions).",
                who(r)
            ),
        });
    }
    if let Some(r) = find(rows, true, false, Counter::RacyCall) {
        let plus = [
            find(rows, true, false, Counter::Racy),
            find(rows, true, true, Counter::Racy),
        ]
        .into_iter()
        .flatten()
        .map(|p| format!("{} on {}", count(median_lost(p)), runtime(p)))
        .collect::<Vec<_>>();
        let plus = if plus.is_empty() {
            String::new()
        } else {
            format!(
 " The bare c.n += 1 lost {}. It is a load, an add and a store too; CPython 3.10 and later only switch threads at calls and backward jumps, so there the switch never lands inside it and it happens to lose nothing — Python 3.9 switches between any two bytecodes.",
                plus.join(" and ")
            )
        };
        out.push(Number {
            value: lost_text(r),
            sentence: format!(
                "{}, switch interval 1 µs: the GIL lets one thread run bytecode at a time, yet the call between the read and the write is a point where it changes hands, and the other thread's increments are overwritten.{plus}",
                who(r)
            ),
        });
    }
    let fixes: Vec<(&Row, Option<&Row>)> = counting(rows)
        .filter(|r| {
            r.cell.model == ModelKind::Thread
                && r.cell.counter.is_some_and(Counter::is_synchronised)
        })
        .map(|f| (f, racy_twin(rows, f)))
        .collect();
    if !fixes.is_empty() {
        let total: f64 = fixes.iter().map(|(f, _)| median_lost(f)).sum();
        let costs: Vec<String> = fixes
            .iter()
            .map(|(f, racy)| {
                let ns = ns_per_increment(f);
                match racy.map(ns_per_increment).filter(|x| *x > 0.0) {
                    Some(base) => format!(
                        "{} {} ns ({}× the racy {} ns)",
                        who(f),
                        num(ns),
                        num(ns / base),
                        num(base)
                    ),
                    None => format!("{} {} ns", who(f), num(ns)),
                }
            })
            .collect();
        out.push(Number {
            value: format!("{} updates lost with a fix", count(total)),
            sentence: format!(
                "The fixes make each increment one indivisible step, so no update is lost; the price is the time per increment: {}.",
                costs.join("; ")
            ),
        });
    }
    out
}

/// Claim 8 — the race loses updates — and claim 9 — the fixes lose none.
pub(crate) fn verdicts(rows: &[Row]) -> Vec<Verdict> {
    let mut race = Vec::new();
    let mut fixed = Vec::new();
    for r in counting(rows).filter(|r| r.cell.model == ModelKind::Thread) {
        let Some(form) = r.cell.counter else { continue };
        let losses = lost(r);
        if losses.is_empty() {
            continue;
        }
        let reps = losses.len();
        let lossy = losses.iter().filter(|&&l| l > 0).count();
        let head = format!(
            "{}: lost {} updates per repetition of {} increments ({lossy} of {reps} repetitions lost some)",
            who(r),
            losses
                .iter()
                .map(|&l| count(l as f64))
                .collect::<Vec<_>>()
                .join(", "),
            count(increments(r) as f64)
        );
        let (list, outcome, says) = if form.is_synchronised() {
            if lossy == 0 {
                (
                    &mut fixed,
                    Outcome::Agrees,
                    "no update lost, as the fix promises",
                )
            } else {
                (&mut fixed, Outcome::Disagrees, "a fix that loses updates is broken: look for a bug before trusting any figure here")
            }
        } else if lossy > 0 {
            (
                &mut race,
                Outcome::Agrees,
                "increments were overwritten: the read-modify-write is not atomic",
            )
        } else {
            (&mut race, Outcome::Inconclusive, "none lost in this run, which does not make it atomic: the threads may not have interleaved inside it (a bare += on CPython 3.10+ is such a case, 3.9 loses updates)")
        };
        list.push(counted(format!("{head} — {says}"), outcome).about(&[r]));
    }
    for (f, racy) in counting(rows)
        .filter(|r| {
            r.cell.model == ModelKind::Thread
                && r.cell.counter.is_some_and(Counter::is_synchronised)
        })
        .filter_map(|f| racy_twin(rows, f).map(|r| (f, r)))
    {
        fixed.push(
            Finding::info(format!(
                "{}: {} ns per increment against {} ns racy — the fix costs {}×",
                who(f),
                num(ns_per_increment(f)),
                num(ns_per_increment(racy)),
                num(ns_per_increment(f) / ns_per_increment(racy))
            ))
            .about(&[f, racy]),
        );
    }
    let mut out = vec![
        Verdict::new(
            "8",
            RACE_CLAIM,
            race,
            &[
                "“These aren't [atomic]: i = i+1, … D[x] = D[x] + 1” — Python documentation, Library and Extension FAQ, “What kinds of global value mutation are thread-safe?”",
                "a load and a store are each atomic, the pair is not; fetch_add is one atomic read-modify-write — Rust documentation, std::sync::atomic",
            ],
        ),
        Verdict::new(
            "9",
            FIX_CLAIM,
            fixed,
            &[
                "mutex lock/unlock ~25 ns uncontended — J. Dean, “Latency numbers every programmer should know”; a contended one moves its cache line between cores on every hand-over",
            ],
        ),
    ];
    for v in &mut out {
        v.phrase = counted_phrase(&v.findings);
    }
    out
}

/// How sure a claim decided by counts is: how many cells decided it, and that no
/// interval was needed (the verdicts' usual phrase speaks of intervals).
fn counted_phrase(findings: &[Finding]) -> String {
    let judged: Vec<Outcome> = findings.iter().filter_map(|f| f.outcome).collect();
    let open = judged
        .iter()
        .filter(|o| **o == Outcome::Inconclusive)
        .count();
    match (judged.len(), open) {
        (0, _) => "no cell of this run tests it".into(),
        (n, 0) => format!("{n} of {n} cells decided by their counts of lost updates"),
        (n, o) if o == n => format!(
            "none of the {n} cells lost an update in this run, which shows no race and proves no atomicity"
        ),
        (n, o) => format!(
            "{} of {n} cells decided by their counts of lost updates; {o} lost none, which proves nothing",
            n - o
        ),
    }
}

/// A finding decided by counts (no interval: see the module's note).
fn counted(text: String, outcome: Outcome) -> Finding {
    Finding {
        outcome: Some(outcome),
        ..Finding::info(text)
    }
}

/// Time per increment of every counting cell, as bars (a log axis: Rust's racy
/// increment and Python's locked one are three decades apart).
pub(crate) fn bars(rows: &[Row]) -> Bars {
    let items = counting(rows)
        .map(|r| (short(r), ns_per_increment(r)))
        .collect();
    (
        "Time per increment: the window's wall time ÷ its increments, by runtime, threads and form"
            .into(),
        "ns per increment (median of the repetitions)".into(),
        items,
    )
}

/// Every counting cell: who, lost per repetition, increments, time per increment.
pub(crate) fn table(rows: &[Row]) -> Table {
    let mut t = Table {
        head: [
            "runtime",
            "threads",
            "counter",
            "updates lost, each repetition",
            "lost (median)",
            "increments per repetition",
            "ns per increment",
            "× racy",
        ]
        .map(String::from)
        .to_vec(),
        rows: Vec::new(),
    };
    for r in counting(rows) {
        let ns = ns_per_increment(r);
        // The racy row is its own twin: "—", not "1.00×".
        let vs = racy_twin(rows, r)
            .filter(|twin| twin.result.id != r.result.id)
            .map(ns_per_increment)
            .filter(|b| *b > 0.0)
            .map_or("—".into(), |b| format!("{}×", num(ns / b)));
        t.rows.push(vec![
            runtime(r),
            workers(r),
            form(r),
            lost(r)
                .iter()
                .map(|&l| count(l as f64))
                .collect::<Vec<_>>()
                .join(", "),
            share(median_lost(r), increments(r)),
            count(increments(r) as f64),
            num(ns),
            vs,
        ]);
    }
    t
}
