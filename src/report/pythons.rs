//! The "Python interpreters" section: per interpreter a `cpython` sweep asked for
//! (scenario key `interpreter`), its single-thread speed (sequential pure-CPU ops/s, and
//! against the GIL build of the same version), the speed-up of threads, subinterpreters
//! and processes over it, and what one unit of each costs to start and to keep (RSS),
//! with the verdicts of claims P1 and P2 beside it. Empty when no cell named one.

use std::collections::BTreeMap;
use std::fmt::Write;

use super::charts::Table;
use super::data::{num, Row};
use super::html::{esc, table};
use super::page::{findings_list, published};
use super::verdicts::pythons::{free_threaded, gil_enabled, release};
use super::verdicts::Verdict;
use crate::scenario::{ModelKind, Runtime};

/// The section's anchor and title.
pub(crate) const ID: &str = "pythons";
/// The section's title.
pub(crate) const TITLE: &str = "Python interpreters";

/// Median of a figure over a row's repetitions (NaN when there are none).
fn median(mut v: Vec<f64>) -> f64 {
    v.retain(|x| x.is_finite());
    if v.is_empty() {
        return f64::NAN;
    }
    v.sort_by(f64::total_cmp);
    let n = v.len();
    if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    }
}

/// The pure-CPU rows of one interpreter.
struct Group<'r, 'a> {
    rows: Vec<&'r Row<'a>>,
}

impl<'a> Group<'_, 'a> {
    fn find(&self, model: ModelKind, n: u32) -> Option<&Row<'a>> {
        self.rows.iter().copied().find(|r| {
            r.cell.model == model && (model == ModelKind::Sequential || r.cell.concurrency == n)
        })
    }

    fn seq_ops(&self) -> f64 {
        self.find(ModelKind::Sequential, 1)
            .map_or(f64::NAN, |r| median(r.ops()))
    }

    /// Median ops/s of `model` at `n` over the sequential median.
    fn speedup(&self, model: ModelKind, n: u32) -> f64 {
        self.find(model, n)
            .map_or(f64::NAN, |r| median(r.ops()) / self.seq_ops())
    }

    /// Set-up seconds per unit (threads, processes, subinterpreters started before the
    /// window), at the largest N the sweep gave the model.
    fn startup_ms(&self, model: ModelKind) -> f64 {
        let Some(r) = self
            .rows
            .iter()
            .filter(|r| r.cell.model == model)
            .max_by_key(|r| r.cell.concurrency)
        else {
            return f64::NAN;
        };
        median(r.per_rep(|m| {
            m.info
                .get("setup_per_unit_s")
                .and_then(serde_json::Value::as_f64)
                .unwrap_or(f64::NAN)
        })) * 1e3
    }

    /// Milliseconds to create one subinterpreter alone (`unit_create_s`, every unit of
    /// every repetition of the model's cells), without its thread and imports.
    fn create_ms(&self) -> f64 {
        let all: Vec<f64> = self
            .rows
            .iter()
            .filter(|r| r.cell.model == ModelKind::Subinterpreter)
            .flat_map(|r| r.result.repetitions.iter())
            .filter_map(|m| m.info.get("unit_create_s")?.as_array().cloned())
            .flatten()
            .filter_map(|v| v.as_f64())
            .collect();
        median(all) * 1e3
    }

    /// KiB of peak RSS per extra unit: the slope between the smallest and largest N.
    fn rss_per_unit_kib(&self, model: ModelKind) -> f64 {
        let mut of: Vec<&Row> = self
            .rows
            .iter()
            .copied()
            .filter(|r| r.cell.model == model)
            .collect();
        of.sort_by_key(|r| r.cell.concurrency);
        match (of.first(), of.last()) {
            (Some(a), Some(b)) if b.cell.concurrency > a.cell.concurrency => {
                (b.s.max_rss_kib as f64 - a.s.max_rss_kib as f64)
                    / f64::from(b.cell.concurrency - a.cell.concurrency)
            }
            _ => f64::NAN,
        }
    }
}

/// The section's table: one row per interpreter (and file or op length, when merged
/// files differ in them).
pub(crate) fn interpreter_table(rows: &[Row]) -> Table {
    let named: Vec<&Row> = rows
        .iter()
        .filter(|r| {
            r.cell.runtime == Runtime::Cpython
                && r.cell.interpreter.is_some()
                && r.cell.io_fraction == 0.0
        })
        .collect();
    // Rows of different op lengths (merged files of two sweeps) are never compared:
    // the set a row belongs to names its op length when there are several.
    let lengths: std::collections::BTreeSet<u64> =
        named.iter().map(|r| r.cell.op_time_us.to_bits()).collect();
    let set_of = |r: &Row| match (lengths.len() > 1, r.tag.is_empty()) {
        (false, _) => r.tag.to_string(),
        (true, true) => format!("{} µs ops", r.cell.op_time_us),
        (true, false) => format!("{}, {} µs ops", r.tag, r.cell.op_time_us),
    };
    let mut groups: BTreeMap<(String, String), Group> = BTreeMap::new();
    for r in named {
        let key = (set_of(r), r.cell.interpreter.clone().unwrap_or_default());
        groups
            .entry(key)
            .or_insert_with(|| Group { rows: Vec::new() })
            .rows
            .push(r);
    }
    // The GIL build of each MAJOR.MINOR, for the free-threaded builds' ratio.
    let minor = |rel: &str| {
        rel.rsplit_once('.')
            .map_or(rel.to_string(), |(m, _)| m.to_string())
    };
    let mut gil_seq: BTreeMap<(String, String), f64> = BTreeMap::new();
    for ((tag, _), g) in &groups {
        if let Some(s) = g.find(ModelKind::Sequential, 1) {
            if !free_threaded(s) {
                gil_seq.insert((tag.clone(), minor(&release(s))), g.seq_ops());
            }
        }
    }
    let x = |v: f64| {
        if v.is_finite() {
            format!("{}×", num(v))
        } else {
            "—".into()
        }
    };
    let mut out = Table {
        head: [
            "interpreter",
            "release",
            "build",
            "sequential ops/s",
            "vs GIL build",
            "thread ×2",
            "thread ×4",
            "subinterp. ×2",
            "subinterp. ×4",
            "process ×2",
            "process ×4",
            "start-up/unit: thread (ms)",
            "subinterp. (ms)",
            "of which creation (ms)",
            "process (ms)",
            "RSS/unit: thread (KiB)",
            "subinterp. (KiB)",
            "process (KiB)",
        ]
        .map(String::from)
        .to_vec(),
        rows: Vec::new(),
    };
    for ((tag, name), g) in &groups {
        let Some(any) = g.rows.first() else { continue };
        let rel = release(any);
        let build = match (free_threaded(any), gil_enabled(any)) {
            (true, Some(false)) => "free-threaded, GIL off",
            (true, _) => "free-threaded, GIL on",
            (false, _) => "GIL",
        };
        let vs = gil_seq
            .get(&(tag.clone(), minor(&rel)))
            .map_or(f64::NAN, |g_ops| g.seq_ops() / g_ops);
        let label = if tag.is_empty() {
            name.clone()
        } else {
            format!("[{tag}] {name}")
        };
        let mut row = vec![label, rel, build.to_string(), num(g.seq_ops()), x(vs)];
        for (m, n) in [
            (ModelKind::Thread, 2),
            (ModelKind::Thread, 4),
            (ModelKind::Subinterpreter, 2),
            (ModelKind::Subinterpreter, 4),
            (ModelKind::Process, 2),
            (ModelKind::Process, 4),
        ] {
            row.push(x(g.speedup(m, n)));
        }
        row.push(num(g.startup_ms(ModelKind::Thread)));
        row.push(num(g.startup_ms(ModelKind::Subinterpreter)));
        row.push(num(g.create_ms()));
        row.push(num(g.startup_ms(ModelKind::Process)));
        for m in [
            ModelKind::Thread,
            ModelKind::Subinterpreter,
            ModelKind::Process,
        ] {
            row.push(num(g.rss_per_unit_kib(m)));
        }
        out.rows.push(row);
    }
    out
}

/// The whole section, or nothing when no `cpython` cell named an interpreter.
pub(crate) fn section(rows: &[Row], claims: &[Verdict]) -> String {
    let t = interpreter_table(rows);
    if t.rows.is_empty() {
        return String::new();
    }
    let mut s = format!("<section id=\"{ID}\"><h2>{TITLE}</h2>");
    s.push_str(
        "<p>Pure-Python CPU ops (io_fraction 0) on each interpreter the scenario named. Every \
         interpreter runs the same op (the same kernel iterations, sized by the cpython \
         calibration), so sequential ops/s compare single-thread speed directly; speed-ups \
         are over that interpreter's own sequential cell. Start-up per unit is the model's \
         set-up (outside the window) divided by its units: thread start, interpreter \
         creation with its imports (creation alone beside it), or process start (fork). RSS per unit is the peak-RSS slope \
         between the smallest and largest N.</p>",
    );
    s.push_str(&table(&t, "data"));
    for id in ["P1", "P2"] {
        if let Some(c) = claims.iter().find(|c| c.id == id) {
            let _ = write!(
                s,
                "<h3>{} {}: {}</h3><p>{}</p>{}{}",
                c.outcome.mark(),
                esc(&c.title()),
                esc(c.claim),
                esc(&c.phrase),
                findings_list(
                    &c.findings,
                    "the claim needs pure-CPU cpython cells on several interpreters"
                ),
                published(c.published)
            );
        }
    }
    s.push_str("</section>");
    s
}
