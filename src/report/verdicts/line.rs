//! The guide's line read off chart 1: processes should win at the CPU end, async tasks
//! at the I/O end. Per panel (runtime × N), each end is one finding: the model's
//! throughput over the best *other* model's at that I/O share, with a 95% bootstrap
//! interval over every compared cell's repetitions; "wins" allows 10% of the best.
//!
//! The CPU end is the panel's lowest I/O share at its main op length (there is no I/O
//! half to wait on there, so the I/O kind does not matter). The I/O end is its highest
//! share, on the `tcp` cells where the run has them — real socket readiness, the kind
//! the guide's claim is about — else on the timer (`sleep`) cells, and the finding says
//! which it used.

use super::{Finding, Judged, Side};
use crate::report::data::{num, show_us, Group, Row};
use crate::report::names::plain_name;
use crate::scenario::{Impl, IoKind, ModelKind};
use crate::stats::{bootstrap, ratio_of_medians};

/// "Wins" means at least this share of the best other model's throughput.
const NEAR_BEST: f64 = 0.9;
/// Two models tie at an I/O share when one's throughput can be within this share of
/// the leader's (its 95% interval ÷ the leader's reaches `1 - TIE_WITHIN`): a 0.4% lead
/// the repetitions can resolve is still no lead worth naming. The baseline comparison's
/// noise threshold, for the same reason.
const TIE_WITHIN: f64 = crate::results::DEFAULT_NOISE_THRESHOLD;

/// The rows a panel compares at I/O share `f`: the same op in every model (Python's
/// native-helper variants are claim 2's experiment, not a model of the guide's line); at
/// the CPU end (or any share below the top) the panel's main op length; at its top
/// share the `tcp` rows when there are any, then the op length with the most rows.
fn contest<'a>(g: &Group<'a>, f: f64) -> Vec<Row<'a>> {
    let at_f: Vec<Row<'a>> = g
        .rows
        .iter()
        .filter(|r| r.cell.io_fraction == f)
        .filter(|r| r.cell.cpu_impl != Some(Impl::Native) && r.cell.io_impl != Some(Impl::Native))
        .copied()
        .collect();
    // The panel's main op length when these rows have it, else the one with the most
    // rows (the shortest on a tie).
    let mut times: Vec<f64> = at_f.iter().map(|r| r.cell.op_time_us).collect();
    times.sort_by(f64::total_cmp);
    times.dedup();
    let count = |t: f64| at_f.iter().filter(|r| r.cell.op_time_us == t).count();
    let main = g.main_op_time().filter(|t| times.contains(t));
    let Some(t) = main.or_else(|| {
        times
            .iter()
            .copied()
            .max_by(|a, b| count(*a).cmp(&count(*b)).then(b.total_cmp(a)))
    }) else {
        return Vec::new();
    };
    let at_f: Vec<Row<'a>> = at_f
        .into_iter()
        .filter(|r| r.cell.op_time_us == t)
        .collect();
    // At the top share, the tcp cells — unless a delay server fell behind there (it
    // measured itself, not the model): then the timer cells, all of them, so that the
    // models are compared on one kind. Below it, the timer cells (no I/O at 0%).
    let top = g.fractions().last().copied() == Some(f) && f > 0.0;
    let tcp = |r: &Row| r.cell.io == IoKind::Tcp;
    let kind = if top && at_f.iter().any(tcp) && !at_f.iter().any(|r| tcp(r) && r.server_limited())
    {
        IoKind::Tcp
    } else {
        IoKind::Sleep
    };
    at_f.into_iter().filter(|r| r.cell.io == kind).collect()
}

/// At each I/O share of a panel, the model with the highest median throughput and
/// every model tied with it: one whose 95% interval of throughput over the leader's
/// reaches 0.95 (within 5% of it, as far as the repetitions can tell). Shares where only the sequential
/// baseline ran name no winner: there was no contest.
pub(crate) fn winners_per_fraction(g: &Group) -> Vec<(f64, Vec<String>)> {
    g.fractions()
        .into_iter()
        .filter_map(|f| {
            let rows = contest(g, f);
            if rows.iter().all(|r| r.cell.model == ModelKind::Sequential) {
                return None;
            }
            let leader = rows
                .iter()
                .max_by(|a, b| a.s.ops_per_s.median.total_cmp(&b.s.ops_per_s.median))?;
            let lead = leader.ops();
            let mut tied: Vec<&Row> = rows
                .iter()
                .filter(|r| {
                    r.result.id == leader.result.id
                        || ratio_of_medians(&r.ops(), &lead)
                            .is_some_and(|i| i.high >= 1.0 - TIE_WITHIN)
                })
                .collect();
            // A tie is a set: named in model order, so that the same set reads the
            // same whichever of its models happened to lead.
            tied.sort_by_key(|r| {
                (
                    ModelKind::ALL.iter().position(|m| *m == r.cell.model),
                    r.label().to_string(),
                )
            });
            Some((f, tied.iter().map(|r| r.label().to_string()).collect()))
        })
        .collect()
}

/// The finding for one end of a panel: `model`'s best row over the best other row.
pub(crate) fn end_finding(g: &Group, f: f64, model: ModelKind, end: &str) -> Option<Finding> {
    let rows = contest(g, f);
    let mine = rows
        .iter()
        .filter(|r| r.cell.model == model)
        .max_by(|a, b| a.s.ops_per_s.median.total_cmp(&b.s.ops_per_s.median))?;
    let others: Vec<&Row> = rows.iter().filter(|r| r.cell.model != model).collect();
    if others.is_empty() {
        return None;
    }
    let mut samples: Vec<Vec<f64>> = vec![mine.ops()];
    samples.extend(others.iter().map(|r| r.ops()));
    let refs: Vec<&[f64]> = samples.iter().map(Vec::as_slice).collect();
    let i = bootstrap(&refs, |m| {
        m[0] / m[1..].iter().copied().fold(f64::MIN, f64::max)
    })?;
    let best = others
        .iter()
        .max_by(|a, b| a.s.ops_per_s.median.total_cmp(&b.s.ops_per_s.median))?;
    let kind = if f > 0.0 {
        format!(", {}", mine.cell.io.as_str())
    } else {
        String::new()
    };
    let names = match model {
        ModelKind::Process => "processes",
        _ => "async tasks",
    };
    let head = format!(
        "{}, {end} ({:.0}% I/O, {} ops{kind}): {} {} ops/s, best other {} {} ops/s",
        g.title(),
        f * 100.0,
        show_us(mine.cell.op_time_us),
        plain_name(mine.label()),
        num(mine.s.ops_per_s.median),
        plain_name(best.label()),
        num(best.s.ops_per_s.median),
    );
    let mut compared: Vec<&Row> = vec![mine];
    compared.extend(others.iter().copied());
    let win = format!("{names} win here, as the guide says (within 10% of the best or ahead)");
    let lose = format!("{names} do not win here: this machine departs from the guide's line");
    Some(
        Finding::judge(
            head,
            Judged::new(
                &format!("{names} ÷ the best other model"),
                "×",
                i,
                NEAR_BEST,
                Side::Above,
            ),
            [
                &win,
                &lose,
                "too close to call within the repetitions' spread",
            ],
        )
        .about(&compared),
    )
}

/// The guide's line, per panel: the CPU end for processes, the I/O end for async
/// tasks, and the winners at every share as information.
pub(crate) fn spectrum_line(rows: &[Row]) -> Vec<Finding> {
    let mut out = Vec::new();
    for g in crate::report::data::chart_groups(rows).0 {
        let fs = g.fractions();
        if fs.len() < 2 {
            continue;
        }
        let path: Vec<String> = winners_per_fraction(&g)
            .iter()
            .map(|(f, w)| {
                let names: Vec<String> = w.iter().map(|l| plain_name(l)).collect();
                format!("{:.0}%: {}", f * 100.0, names.join(" ≈ "))
            })
            .collect();
        if !path.is_empty() {
            out.push(Finding::info(format!(
                "{}: fastest by I/O share (≈ marks a tie: within 5% of the fastest, as far as the repetitions can tell) — {}",
                g.title(),
                path.join("; ")
            )));
        }
        out.extend(end_finding(&g, fs[0], ModelKind::Process, "CPU end"));
        out.extend(end_finding(
            &g,
            fs[fs.len() - 1],
            ModelKind::Async,
            "I/O end",
        ));
    }
    out
}
