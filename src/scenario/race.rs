//! The race demo's `counter` key: which tables may give it, and the forms each cell
//! gets.
//!
//! A counter form replaces the CPU half of a pure-CPU op, and only the models whose
//! workers share one process and the op's state (`sequential`, `thread`) can share a
//! counter; a table that gives the key anywhere else is refused, not quietly run with
//! the kernel. `atomic` is Rust's and `racy_call` Python's: a form the runtime lacks is
//! skipped with a note, so one table can list every form for both languages.

use super::axes::Axes;
use super::error::{ScenarioError, Source};
use super::expand::Table;
use super::{Counter, Impl, ModelKind, Runtime};

/// A table that gives `counter` (itself or through `[sweep]`) must hold only pure-CPU
/// sequential and thread cells whose CPU half runs where the counter lives.
pub(super) fn check(
    src: &Source<'_>,
    table: &Table,
    axes: &Axes,
    models: &[ModelKind],
    fractions: &[f64],
    runtimes: &[Runtime],
) -> Result<(), ScenarioError> {
    if axes.counter.is_none() {
        return Ok(());
    }
    let at = axes.at.get("counter").cloned();
    let field = format!("{}.counter", table.path);
    let inherited = if table.axes.counter.is_none() {
        " (given in [sweep])"
    } else {
        ""
    };
    if let Some(m) = models
        .iter()
        .find(|m| !matches!(m, ModelKind::Sequential | ModelKind::Thread))
    {
        return Err(src.error(
            at,
            &field,
            format!(
                "`counter`{inherited} only applies to sequential and thread cells (workers \
                 sharing one counter in one process), and {} lists model \"{}\"",
                table.path,
                m.as_str()
            ),
            "give the other models a table without `counter` (an [[include]]), or remove \
             the key",
        ));
    }
    if let Some(f) = fractions.iter().find(|f| **f != 0.0) {
        return Err(src.error(
            at,
            &field,
            format!(
                "`counter`{inherited} replaces the CPU half of a pure-CPU op, and {} lists \
                 io_fraction = {f}",
                table.path
            ),
            "set io_fraction = 0.0 in this table, or remove the key",
        ));
    }
    let native = axes
        .cpu_impl
        .as_ref()
        .is_some_and(|l| l.contains(&Impl::Native));
    if native && runtimes.iter().any(|r| r.is_python()) {
        return Err(src.error(
            at,
            &field,
            "`counter` runs its increments in the interpreter, and cpu_impl = \"native\" \
             would hand the CPU half to the Rust helper",
            "remove cpu_impl from this table (the counter's Python cells run in Python)",
        ));
    }
    Ok(())
}

/// The counter forms a cell of `model` gets: each one `counter` lists for sequential
/// and thread cells, else none (the kernel).
pub(super) fn counters(model: ModelKind, axes: &Axes) -> Vec<Option<Counter>> {
    match (&axes.counter, model) {
        (Some(list), ModelKind::Sequential | ModelKind::Thread) => {
            list.iter().copied().map(Some).collect()
        }
        _ => vec![None],
    }
}

/// Why a form is skipped for `runtime`, when it is.
pub(super) fn skip_note(counter: Option<Counter>, runtime: Runtime) -> Option<String> {
    let c = counter.filter(|c| !c.supported_by(runtime))?;
    let why = match c {
        Counter::Atomic => "`fetch_add` is Rust's (Python has no atomic integer)",
        _ => "the call between read and write is Python's form (Rust's `racy` is already a bare load and store)",
    };
    Some(format!(
        "counter = \"{}\": {why}: skipped it for runtime {}",
        c.as_str(),
        runtime.as_str()
    ))
}
