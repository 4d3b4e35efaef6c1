//! "At a glance": the guide's line — processes at the CPU end, threads between, async
//! tasks at the I/O end — beside one strip per runtime (and I/O kind) saying which model
//! won at each I/O share on this machine, with ties where the best models are within
//! the noise. The winners are the verdicts' own (`verdicts::winners_per_fraction`, ties
//! within 5% by the repetitions' intervals) and the ends are judged by the guide's-line
//! findings (`verdicts::end_finding`), so the strips and the verdicts never disagree.

use anyhow::Result;
use std::fmt::Write;

use crate::report::data::{chart_groups, Group, Row};
use crate::report::html::{esc, fill};
use crate::report::names::runtime_name;
use crate::report::verdicts::{end_finding, winners_per_fraction, Outcome, Verdict};
use crate::scenario::{IoKind, ModelKind, Runtime};

const TEMPLATE: &str = include_str!("templates/glance.html");

/// The section that opens the page: the strips, a sentence per strip, every verdict on
/// one line (linking to its claim), and a short glossary.
pub(crate) fn section(rows: &[Row], claims: &[Verdict]) -> Result<String> {
    let all = strips(rows);
    let svg = if all.is_empty() {
        String::from("<p class=\"note\">No strip: this run has no panel with models compared at an I/O share (chart 1 and the tables have its cells).</p>")
    } else {
        crate::report::charts::glance_svg(&all)?
    };
    let mut sentences = String::from("<ul class=\"glance-notes\">");
    for s in &all {
        let _ = write!(
            sentences,
            "<li><strong>{}:</strong> {}</li>",
            esc(&s.title),
            esc(&s.sentence)
        );
    }
    sentences.push_str("</ul>");
    let mut verdicts = String::new();
    for c in claims {
        let _ = write!(
            verdicts,
            "<li class=\"{}\"><span class=\"mark\">{}</span> <a href=\"#claim-{}\">{}</a>: {}{}</li>",
            c.outcome.class(),
            c.outcome.mark(),
            esc(c.id),
            esc(&c.title()),
            esc(c.outcome.describe()),
            key_figure(c).map_or(String::new(), |k| format!(" — {}", esc(&k))),
        );
    }
    let aria = all
        .iter()
        .map(|s| format!("{}: {}", s.title, s.sentence))
        .collect::<Vec<_>>()
        .join(" ");
    fill(
        TEMPLATE,
        &[
            (
                "aria",
                &esc(&format!(
                    "The guide's line beside this machine's winners. {aria}"
                )),
            ),
            ("svg", &svg),
            ("sentences", &sentences),
            ("verdicts", &verdicts),
        ],
    )
}

/// The figure that decided a claim: the first finding whose outcome is the claim's own
/// (for a partly, the first decided one), as its phrase with the interval.
fn key_figure(c: &Verdict) -> Option<String> {
    let decided = |o: Option<Outcome>| matches!(o, Some(Outcome::Agrees | Outcome::Disagrees));
    let f = c
        .findings
        .iter()
        .find(|f| f.outcome == Some(c.outcome) && f.figure.is_some())
        .or_else(|| {
            c.findings
                .iter()
                .find(|f| decided(f.outcome) && f.figure.is_some())
        })
        .or_else(|| c.findings.iter().find(|f| f.figure.is_some()))?;
    let mark = if f.drift.is_some() { " ⚠" } else { "" };
    // Where the figure comes from: the finding's head, up to its first colon, when short.
    let head = f
        .text
        .split(": ")
        .next()
        .filter(|h| h.chars().count() <= 110 && *h != f.text)
        .map_or(String::new(), |h| format!("{h}: "));
    Some(format!("{head}{}{mark}", f.figure.as_ref()?.phrase()))
}

/// One strip: which model won at each I/O share of one panel, and what that says.
#[derive(Debug, Clone)]
pub(crate) struct Strip {
    /// "Rust · N = 8 · timer waits".
    pub title: String,
    /// Per I/O share (0–1): the winning model labels; two or more are a tie.
    pub winners: Vec<(f64, Vec<String>)>,
    /// Where this machine agrees with the guide and where not, in words.
    pub sentence: String,
}

/// The strips of `rows`: per file tag and runtime, the panel (concurrency) whose band
/// names a winner at the most I/O shares — then the larger N, nearer the guide's "many
/// slow connections" — and, where its I/O end ran on several kinds (timers and sockets), one
/// strip per kind.
pub(crate) fn strips(rows: &[Row]) -> Vec<Strip> {
    let groups = chart_groups(rows).0;
    let mut out = Vec::new();
    let mut seen: Vec<(&str, Runtime)> = Vec::new();
    for g in &groups {
        if seen.contains(&(g.tag, g.runtime)) {
            continue;
        }
        seen.push((g.tag, g.runtime));
        let best = groups
            .iter()
            .filter(|o| o.tag == g.tag && o.runtime == g.runtime)
            .max_by_key(|o| (winners_per_fraction(o).len(), o.concurrency.unwrap_or(0)));
        let Some(best) = best else { continue };
        let kinds = top_kinds(best);
        for kind in &kinds {
            let own = by_kind(best, *kind);
            let winners = winners_per_fraction(&own);
            if winners.is_empty() {
                continue;
            }
            let mut title = format!(
                "{} · N = {}",
                runtime_name(g.runtime),
                best.concurrency.unwrap_or(1)
            );
            if kinds.len() > 1 {
                title.push_str(match kind {
                    IoKind::Sleep => " · timer waits",
                    IoKind::Tcp => " · socket waits",
                    IoKind::File => " · file writes",
                });
            }
            if !g.tag.is_empty() {
                title.push_str(&format!(" · {}", g.tag));
            }
            out.push(Strip {
                sentence: sentence(&own, &winners, *kind),
                title,
                winners,
            });
        }
    }
    out
}

/// The I/O kinds of a panel's non-sequential cells at its top share (timers first).
fn top_kinds(g: &Group) -> Vec<IoKind> {
    let top = g.fractions().last().copied().unwrap_or(0.0);
    let mut kinds: Vec<IoKind> = g
        .rows
        .iter()
        .filter(|r| r.cell.io_fraction == top && r.cell.model != ModelKind::Sequential)
        .map(|r| r.cell.io)
        .collect();
    kinds.sort();
    kinds.dedup();
    if kinds.is_empty() {
        kinds.push(IoKind::Sleep);
    }
    kinds
}

/// The panel with only the cells that wait on `kind` (and the CPU-only cells, which
/// wait on nothing).
fn by_kind<'a>(g: &Group<'a>, kind: IoKind) -> Group<'a> {
    Group {
        rows: g
            .rows
            .iter()
            .filter(|r| r.cell.io == kind || r.cell.io_us == 0.0)
            .copied()
            .collect(),
        ..g.clone()
    }
}

/// The models that won at a share, in words for a sentence: "processes", "threads ≈
/// processes".
fn said(w: &[String]) -> String {
    let names: Vec<String> = w
        .iter()
        .map(|l| crate::report::names::tiny_name(l))
        .collect();
    names.join(" ≈ ")
}

/// "lead", or "tie for the lead (threads ≈ processes)" when several won.
fn lead(w: &[String]) -> String {
    if w.len() > 1 {
        format!("tie for the lead ({})", said(w))
    } else {
        "lead".into()
    }
}

/// One sentence: the CPU end, the middle, the I/O end — each held to the guide — with a
/// few words of why where the cells say it.
fn sentence(g: &Group, winners: &[(f64, Vec<String>)], kind: IoKind) -> String {
    let mut agree = Vec::new();
    let mut depart = Vec::new();
    let mut open = Vec::new();
    let python = g.runtime.is_python();
    let has = |w: &[String], m: &str| w.iter().any(|l| l.split_whitespace().next() == Some(m));
    let (first, last) = (winners.first(), winners.last());
    if let Some((f, w)) = first.filter(|(f, _)| *f < 0.5) {
        let outcome = end_finding(g, *f, ModelKind::Process, "CPU end").and_then(|x| x.outcome);
        let why = if python && has(w, "process") && !has(w, "thread") {
            " (one GIL: Python threads take turns on one core)"
        } else if !python && has(w, "process") && has(w, "thread") {
            " (no GIL: Rust threads use every core as processes do)"
        } else {
            ""
        };
        match outcome {
            Some(Outcome::Agrees) => {
                agree.push(format!("processes {} at the CPU end{why}", lead(w)))
            }
            Some(Outcome::Disagrees) => {
                depart.push(format!("{} beat processes at the CPU end{why}", said(w)));
            }
            Some(_) => open.push(format!("the CPU end ({})", said(w))),
            None => depart.push("no processes ran at the CPU end".into()),
        }
    }
    let middle: Vec<&(f64, Vec<String>)> = winners
        .iter()
        .filter(|(f, _)| Some(*f) != first.map(|x| x.0) && Some(*f) != last.map(|x| x.0))
        .collect();
    if !middle.is_empty() {
        let lost: Vec<String> = middle
            .iter()
            .filter(|(_, w)| !has(w, "thread"))
            .map(|(f, w)| format!("{} at {:.0}%", said(w), f * 100.0))
            .collect();
        if lost.is_empty() {
            agree.push("threads lead or tie in between".into());
        } else {
            depart.push(format!(
                "in between, {} rather than threads",
                lost.join(", ")
            ));
        }
    }
    if let Some((f, w)) = last.filter(|(f, _)| *f >= 0.5) {
        let outcome = end_finding(g, *f, ModelKind::Async, "I/O end").and_then(|x| x.outcome);
        let why = if !python && kind == IoKind::Sleep && !has(w, "async") {
            " (tokio's timer rounds every wait up to a whole millisecond)"
        } else if w.len() > 1 {
            " — every model keeps its waits in flight"
        } else {
            ""
        };
        match outcome {
            Some(Outcome::Agrees) => {
                agree.push(format!("async tasks {} at the I/O end{why}", lead(w)));
            }
            Some(Outcome::Disagrees) => {
                depart.push(format!("{} beat async tasks at the I/O end{why}", said(w)));
            }
            Some(_) => open.push(format!("the I/O end ({}){why}", said(w))),
            None => depart.push("no async tasks ran at the I/O end".into()),
        }
    }
    // One sentence: its parts joined by semicolons, the agreement first.
    let parts: Vec<String> = [
        ("agrees with the guide", agree),
        ("departs from it", depart),
        ("too close to call within the repetitions' spread", open),
    ]
    .into_iter()
    .filter(|(_, items)| !items.is_empty())
    .map(|(what, items)| format!("{what}: {}", items.join(", and ")))
    .collect();
    let s = parts.join("; ");
    let mut chars = s.chars();
    match chars.next() {
        Some(first) => format!("{}{}.", first.to_uppercase(), chars.as_str()),
        None => s,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::metrics::Measurement;
    use crate::report::data::rows;
    use crate::results::{merge, Results};

    fn fixture() -> Results {
        serde_json::from_str(include_str!("../../tests/fixtures/fixture-results.json")).unwrap()
    }

    /// Gives every cell three repetitions whose throughput is `ops(model label, share)`
    /// ±`spread`.
    fn set(r: &mut Results, ops: impl Fn(&str, f64) -> f64, spread: f64) {
        for c in &mut r.cells {
            let v = ops(&c.label, c.cell.io_fraction);
            c.repetitions = [1.0 - spread, 1.0, 1.0 + spread]
                .iter()
                .map(|k| Measurement {
                    ops_per_s: v * k,
                    ops: 100,
                    ..Measurement::default()
                })
                .collect();
            if let Some(s) = c.summary.as_mut() {
                s.ops_per_s.median = v;
            }
        }
    }

    fn rust_strip(r: &Results) -> Strip {
        let m = merge(std::slice::from_ref(r));
        let all = rows(&m);
        strips(&all)
            .into_iter()
            .find(|s| s.title.starts_with("Rust"))
            .expect("a Rust strip")
    }

    #[test]
    fn the_strip_names_the_known_winner_at_each_share() {
        let mut r = fixture();
        // Processes far ahead at the CPU end, threads in between, async at the I/O end.
        set(
            &mut r,
            |m, f| match (m, f) {
                ("process", f) if f < 0.25 => 1000.0,
                ("thread", f) if f > 0.0 && f < 1.0 => 1000.0,
                ("async", f) if f >= 1.0 => 1000.0,
                _ => 100.0,
            },
            0.01,
        );
        let s = rust_strip(&r);
        let first = &s.winners.first().unwrap().1;
        let last = &s.winners.last().unwrap().1;
        assert_eq!(first.len(), 1, "{:?}", s.winners);
        assert!(first[0].starts_with("process"), "{:?}", s.winners);
        assert_eq!(last.len(), 1, "{:?}", s.winners);
        assert!(last[0].starts_with("async"), "{:?}", s.winners);
        assert!(
            s.sentence.starts_with("Agrees with the guide"),
            "{}",
            s.sentence
        );
        assert!(!s.sentence.contains("departs"), "{}", s.sentence);
    }

    #[test]
    fn models_within_the_noise_are_a_tie() {
        let mut r = fixture();
        // Every model the same at every share, with a 2% spread: a tie everywhere.
        set(&mut r, |_, _| 500.0, 0.02);
        let s = rust_strip(&r);
        assert!(
            s.winners.iter().all(|(_, w)| w.len() > 1),
            "{:?}",
            s.winners
        );
        assert!(
            s.sentence.contains("tie") || s.sentence.contains("too close"),
            "{}",
            s.sentence
        );
    }
}
