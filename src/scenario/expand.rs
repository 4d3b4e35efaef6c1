//! Expansion of the sweep tables into cells: the cartesian product of each table, the
//! rules that collapse or skip combinations (with a note), `[[exclude]]` and
//! `[[include]]`, duplicate merging and the deterministic cell order.

use std::cmp::Ordering;
use std::ops::Range;

use super::axes::Axes;
use super::error::{ScenarioError, Source};
use super::value::names;
use super::{
    AsyncCpu, Background, BackgroundModel, Cell, Counter, FileSync, Gil, Impl, IoKind, ModelKind,
    Runtime,
};

/// More worker processes than this in one cell is a fork bomb, not a sweep point.
pub(crate) const PROCESS_MAX: u32 = 256;
/// Most workers of one `file` cell: each writes a 256 KiB file of its own, so this bounds
/// a cell's disk use to 256 MiB (and its open files to as many).
pub(crate) const FILE_WORKERS_MAX: u32 = 1024;
/// Most cells in one plan, all tables together: a cell takes a second or more per
/// repetition, so 20 000 cells is most of a day. Checked as cells are produced, so a
/// runaway scenario (999 `[[include]]`s of 100 000 cells each) stops here instead of
/// allocating gigabytes.
pub(crate) const PLAN_CELLS_MAX: usize = 20_000;
/// Most combinations walked over all tables, skipped ones included: bounds the work of
/// expanding even when nearly every combination is skipped.
const COMBINATIONS_MAX: usize = 100_000;

/// One sweep table as written: its dotted path, its own keys and its header's span.
#[derive(Debug, Clone)]
pub(crate) struct Table {
    /// `sweep`, `include[1]`, `exclude[2]` (1-based, as a person counts tables).
    pub path: String,
    /// The keys the table itself gives.
    pub axes: Axes,
    /// The table's header, for errors about a missing key.
    pub span: Range<usize>,
}

/// Why combinations were skipped, counted per reason, in the order first seen.
#[derive(Debug, Default)]
struct Notes(Vec<(String, usize)>);

impl Notes {
    /// Counts one skipped combination under `reason`.
    fn add(&mut self, reason: String) {
        match self.0.iter_mut().find(|(r, _)| *r == reason) {
            Some((_, n)) => *n += 1,
            None => self.0.push((reason, 1)),
        }
    }

    /// A note that is not a count of skipped combinations.
    fn push_line(&mut self, line: String) {
        self.0.push((line, 0));
    }

    /// The notes as the plan keeps them, with their counts.
    fn into_lines(self) -> Vec<String> {
        self.0
            .into_iter()
            .map(|(r, n)| match n {
                0 => r,
                1 => format!("{r} (1 combination)"),
                n => format!("{r} ({n} combinations)"),
            })
            .collect()
    }
}

/// The cells each table has produced so far, against [`PLAN_CELLS_MAX`] and
/// [`COMBINATIONS_MAX`].
#[derive(Debug, Default)]
struct Tally {
    /// (table path, cells it produced), in file order.
    tables: Vec<(String, usize)>,
    cells: usize,
    combinations: usize,
}

impl Tally {
    /// `table` is about to walk `n` combinations.
    fn walk(&mut self, src: &Source<'_>, table: &Table, n: usize) -> Result<(), ScenarioError> {
        self.combinations = self.combinations.saturating_add(n);
        self.tables.push((table.path.clone(), 0));
        if self.combinations <= COMBINATIONS_MAX {
            return Ok(());
        }
        let problem = if self.tables.len() == 1 {
            format!("the table expands to {n} combinations")
        } else {
            format!(
                "the tables expand to {} combinations ({} in this one)",
                self.combinations, n
            )
        };
        Err(src.error(
            Some(table.span.clone()),
            &table.path,
            problem,
            format!(
                "keep the scenario under {COMBINATIONS_MAX} combinations by shortening its \
                 lists, or split it into several scenarios"
            ),
        ))
    }

    /// `table` (the last one [`Tally::walk`] was given) produces one more cell.
    fn cell(&mut self, src: &Source<'_>, table: &Table) -> Result<(), ScenarioError> {
        self.cells += 1;
        if let Some((_, n)) = self.tables.last_mut() {
            *n += 1;
        }
        if self.cells <= PLAN_CELLS_MAX {
            return Ok(());
        }
        Err(src.error(
            Some(table.span.clone()),
            &table.path,
            format!(
                "the scenario expands to more than {PLAN_CELLS_MAX} cells ({})",
                self.largest()
            ),
            "a cell takes a second or more per repetition, so this many would run for most \
             of a day or longer: shorten the lists, or split the sweep into several scenarios",
        ))
    }

    /// The tables with the most cells, e.g. `include[3]: 9000, sweep: 8000, and 40 more
    /// tables with 3001`.
    fn largest(&self) -> String {
        const SHOWN: usize = 5;
        let mut by_size: Vec<&(String, usize)> =
            self.tables.iter().filter(|(_, n)| *n > 0).collect();
        by_size.sort_by_key(|t| std::cmp::Reverse(t.1));
        let mut parts: Vec<String> = by_size
            .iter()
            .take(SHOWN)
            .map(|(path, n)| format!("{path}: {n}"))
            .collect();
        let rest = &by_size[by_size.len().min(SHOWN)..];
        if !rest.is_empty() {
            let n: usize = rest.iter().map(|(_, n)| n).sum();
            parts.push(format!("and {} more tables with {n}", rest.len()));
        }
        parts.join(", ")
    }
}

/// Expands the scenario's sweep tables into its cells and the notes on what was skipped.
///
/// Excludes apply to the `[sweep]` product only, and includes are added after them (as in
/// a GitHub Actions matrix), so an include can bring back a combination an exclude removed.
/// Cells are counted against [`PLAN_CELLS_MAX`] as they are produced (after excludes,
/// before a cell that two tables give is merged).
pub(crate) fn expand(
    src: &Source<'_>,
    sweep: Option<&Table>,
    includes: &[Table],
    excludes: &[Table],
    default_op_time_us: f64,
) -> Result<(Vec<Cell>, Vec<String>), ScenarioError> {
    let mut notes = Notes::default();
    let mut tally = Tally::default();
    for ex in excludes {
        if ex.axes.is_empty() {
            return Err(src.error(
                Some(ex.span.clone()),
                &ex.path,
                "an empty [[exclude]] would remove every cell",
                "give the keys a cell must match to be removed, e.g. model = \"process\" and \
                 concurrency = 64",
            ));
        }
    }
    let base = sweep.map(|t| t.axes.clone()).unwrap_or_default();
    // Excludes are applied as the [sweep] cells are made, so removed cells never count
    // against the limit; `removed` counts what each one took out.
    let mut removed = vec![0usize; excludes.len()];
    let mut cells = match sweep {
        Some(t) => {
            let keep = |c: &Cell| {
                let hit = excludes.iter().position(|ex| matches(&ex.axes, c));
                if let Some(i) = hit {
                    removed[i] += 1;
                }
                hit.is_none()
            };
            let mut ctx = Expander {
                src,
                default_op_time_us,
                notes: &mut notes,
                tally: &mut tally,
            };
            ctx.product(t, &base, keep)?
        }
        None => Vec::new(),
    };
    for (ex, n) in excludes.iter().zip(&removed) {
        if *n == 0 {
            notes.push_line(format!(
                "{} (line {}) removed no cell of [sweep]",
                ex.path,
                src.line_of(ex.span.start)
            ));
        }
    }
    for inc in includes {
        let resolved = inc.axes.or(&base);
        let mut ctx = Expander {
            src,
            default_op_time_us,
            notes: &mut notes,
            tally: &mut tally,
        };
        cells.extend(ctx.product(inc, &resolved, |_| true)?);
    }
    cells.sort_by(order);
    cells.dedup();
    check_unique_ids(src, &cells)?;
    if cells.is_empty() {
        let why = notes.into_lines();
        return Err(src.error(
            sweep.map(|t| t.span.clone()),
            "sweep",
            "the scenario expands to no cell",
            if why.is_empty() {
                "add a [sweep] table (or [[include]] tables) with model, io_fraction and \
                 concurrency"
                    .to_string()
            } else {
                format!(
                    "every combination was skipped or excluded: {}",
                    why.join("; ")
                )
            },
        ));
    }
    Ok((cells, notes.into_lines()))
}

/// What expanding one table needs besides the table.
struct Expander<'a, 's> {
    src: &'a Source<'s>,
    default_op_time_us: f64,
    notes: &'a mut Notes,
    tally: &'a mut Tally,
}

impl Expander<'_, '_> {
    /// The cells of one table whose keys (after fallbacks) are `axes`, those `keep`
    /// accepts.
    fn product(
        &mut self,
        table: &Table,
        axes: &Axes,
        mut keep: impl FnMut(&Cell) -> bool,
    ) -> Result<Vec<Cell>, ScenarioError> {
        let src = self.src;
        let required = |key: &str, example: &str| {
            let fallback = if table.path == "sweep" {
                String::new()
            } else {
                " ([[include]] tables take missing keys from [sweep], which has none either)"
                    .to_string()
            };
            src.error(
                Some(table.span.clone()),
                &format!("{}.{key}", table.path),
                format!("missing key `{key}`{fallback}"),
                format!("add e.g. {key} = {example}"),
            )
        };
        let models = axes.model.as_ref().ok_or_else(|| {
            let list = names::<ModelKind>().join(", ");
            required(
                "model",
                &format!("[\"thread\", \"async\"] (models: {list})"),
            )
        })?;
        let fractions = axes
            .io_fraction
            .as_ref()
            .ok_or_else(|| required("io_fraction", "[0.0, 0.5, 1.0]"))?;
        let concurrency = axes
            .concurrency
            .as_ref()
            .ok_or_else(|| required("concurrency", "[2, 64]"))?;
        let runtimes = axes.runtime.clone().unwrap_or_else(|| vec![Runtime::Rust]);
        let ios = axes.io.clone().unwrap_or_else(|| vec![IoKind::Sleep]);
        let op_times = axes
            .op_time_us
            .clone()
            .unwrap_or_else(|| vec![self.default_op_time_us]);
        check_fault(src, table, axes, models)?;
        check_file_sync(src, table, &ios)?;
        check_convoy_keys(src, table, models, &runtimes)?;
        check_subinterpreter(src, table, axes, models, &runtimes)?;
        super::race::check(src, table, axes, models, fractions, &runtimes)?;

        let combinations = [
            runtimes.len(),
            models.len(),
            ios.len(),
            op_times.len(),
            fractions.len(),
            concurrency.len(),
            axes.async_cpu.as_ref().map_or(1, Vec::len),
            axes.gil.as_ref().map_or(1, Vec::len),
            axes.cpu_impl.as_ref().map_or(1, Vec::len),
            axes.io_impl.as_ref().map_or(1, Vec::len),
            axes.fault.as_ref().map_or(1, Vec::len),
            axes.interpreter.as_ref().map_or(1, Vec::len),
            axes.file_sync.as_ref().map_or(1, Vec::len),
            axes.background.as_ref().map_or(1, Vec::len),
            axes.background_model.as_ref().map_or(1, Vec::len),
            axes.switch_interval_us.as_ref().map_or(1, Vec::len),
            axes.counter.as_ref().map_or(1, Vec::len),
        ]
        .iter()
        .try_fold(1usize, |acc, n| acc.checked_mul(*n))
        .unwrap_or(usize::MAX);
        self.tally.walk(src, table, combinations)?;

        let mut cells = Vec::new();
        for &runtime in &runtimes {
            for &model in models {
                if !model.supported_by(runtime) {
                    let only = if model == ModelKind::Subinterpreter {
                        "in runtime cpython"
                    } else {
                        "in Rust"
                    };
                    self.notes.add(format!(
                        "{} runs only {only}: skipped it for runtime {}",
                        model.as_str(),
                        runtime.as_str()
                    ));
                    continue;
                }
                // Sequential is one worker by definition: every concurrency collapses
                // into one cell, made once.
                let workers = if model == ModelKind::Sequential {
                    &[1][..]
                } else {
                    &concurrency[..]
                };
                for variant in variants(runtime, model, axes) {
                    if model == ModelKind::Subinterpreter && variant.uses_native() {
                        self.notes.add(
                            "spectrum's native module is single-phase and cannot load in a \
                             subinterpreter with its own GIL: skipped the subinterpreter cells \
                             with cpu_impl or io_impl = \"native\""
                                .to_string(),
                        );
                        continue;
                    }
                    if runtime == Runtime::Cpython && variant.uses_native() {
                        self.notes.add(
                            "cpython is a plain python3 process without spectrum's native \
                             helpers: skipped its cells with cpu_impl, io_impl or \
                             background_model = \"native\""
                                .to_string(),
                        );
                        continue;
                    }
                    if let Some(note) = super::race::skip_note(variant.counter, runtime) {
                        self.notes.add(note);
                        continue;
                    }
                    for &io in &ios {
                        if io != IoKind::Sleep && variant.io_impl == Some(Impl::Native) {
                            self.notes.add(format!(
                                "the native I/O helper is a timer sleep only: skipped its {0} \
                                 cells (io_impl = \"native\" with io = \"{0}\")",
                                io.as_str()
                            ));
                            continue;
                        }
                        for &op_time_us in &op_times {
                            for &f in fractions {
                                // A pure-CPU op has no I/O half: its I/O kind changes
                                // nothing, so the kinds merge into one cell (`sleep`).
                                if f == 0.0 && io != IoKind::Sleep && ios.contains(&IoKind::Sleep) {
                                    continue;
                                }
                                let io = if f == 0.0 { IoKind::Sleep } else { io };
                                for file_sync in file_syncs(io, axes) {
                                    for &n in workers {
                                        if io == IoKind::File && n > FILE_WORKERS_MAX {
                                            self.notes.add(format!(
                                            "file at concurrency {n} would write too many files \
                                             (one of 256 KiB per worker, at most \
                                             {FILE_WORKERS_MAX} workers): skipped"
                                        ));
                                            continue;
                                        }
                                        if model == ModelKind::Process && n > PROCESS_MAX {
                                            self.notes.add(format!(
                                                "process at concurrency {n} would start too many \
                                             processes for a sweep (at most {PROCESS_MAX}): \
                                             skipped"
                                            ));
                                            continue;
                                        }
                                        for interpreter in interpreters(runtime, axes) {
                                            let cell = Cell {
                                                runtime,
                                                model,
                                                async_cpu: variant.async_cpu,
                                                io,
                                                io_fraction: f,
                                                op_time_us,
                                                cpu_us: (1.0 - f) * op_time_us,
                                                io_us: f * op_time_us,
                                                concurrency: n,
                                                gil: variant.gil,
                                                cpu_impl: variant.cpu_impl,
                                                io_impl: variant.io_impl,
                                                fault: variant.fault,
                                                interpreter,
                                                file_sync,
                                                background: variant.background,
                                                switch_interval_us: variant.switch_interval_us,
                                                counter: variant.counter,
                                            };
                                            if keep(&cell) {
                                                self.tally.cell(src, table)?;
                                                cells.push(cell);
                                            }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        Ok(cells)
    }
}

/// Two different cells with one id would be mixed up by `--filter`, the report and
/// `--baseline`: an error naming both (every field, since their ids are the same).
pub(crate) fn check_unique_ids(src: &Source<'_>, cells: &[Cell]) -> Result<(), ScenarioError> {
    let mut ids: Vec<(String, &Cell)> = cells.iter().map(|c| (c.id(), c)).collect();
    ids.sort_by(|a, b| a.0.cmp(&b.0));
    for pair in ids.windows(2) {
        let ((id, a), (_, b)) = (&pair[0], &pair[1]);
        if pair[0].0 == pair[1].0 {
            let show = |c: &Cell| serde_json::to_string(c).unwrap_or_else(|_| format!("{c:?}"));
            return Err(src.error(
                None,
                "sweep",
                format!(
                    "two different cells get the same id '{id}': {} and {}",
                    show(a),
                    show(b)
                ),
                "make the values of the fields that differ further apart",
            ));
        }
    }
    Ok(())
}

/// `model = "fault"` needs `fault`, and a table that sets `fault` must run that model.
fn check_fault(
    src: &Source<'_>,
    table: &Table,
    axes: &Axes,
    models: &[ModelKind],
) -> Result<(), ScenarioError> {
    let has_fault_model = models.contains(&ModelKind::Fault);
    if has_fault_model && axes.fault.is_none() {
        return Err(src.error(
            axes.at.get("model").cloned(),
            &format!("{}.model", table.path),
            "the test-only model \"fault\" needs a `fault` key",
            "add fault = \"error\", \"panic\", \"abort\" or \"hang\"",
        ));
    }
    if !has_fault_model && table.axes.fault.is_some() {
        return Err(src.error(
            table.axes.at.get("fault").cloned(),
            &format!("{}.fault", table.path),
            "`fault` only applies to the test-only model \"fault\"",
            "remove the `fault` key, or add \"fault\" to `model`",
        ));
    }
    Ok(())
}

/// The load keys act where a cell can carry a load: `background` and
/// `background_model` on Python sequential and thread cells (threads, processes, native
/// threads) and on async cells of any runtime (tasks); `switch_interval` on Python cells.
/// A table whose cells they would never reach is refused, not quietly run without them.
fn check_convoy_keys(
    src: &Source<'_>,
    table: &Table,
    models: &[ModelKind],
    runtimes: &[Runtime],
) -> Result<(), ScenarioError> {
    let python = runtimes.iter().any(|r| r.is_python());
    let asynchronous = models.contains(&ModelKind::Async);
    let loaded = python
        && models
            .iter()
            .any(|m| matches!(m, ModelKind::Sequential | ModelKind::Thread));
    for key in ["background", "background_model", "switch_interval"] {
        let Some(at) = table.axes.at.get(key) else {
            continue;
        };
        let field = format!("{}.{key}", table.path);
        if key == "switch_interval" && !python {
            return Err(src.error(
                Some(at.clone()),
                &field,
                format!("`{key}` only applies to Python cells, and this table's runtime has none"),
                "add \"python\" or \"cpython\" to `runtime`, or remove the key",
            ));
        }
        if key != "switch_interval" && !loaded && !asynchronous {
            let (why, fix) = if python {
                (
                    format!("`{key}` only applies to sequential, thread and async cells"),
                    "add \"thread\" or \"async\" to `model`, or remove the key",
                )
            } else {
                (
                    format!(
                        "`{key}` applies to Rust cells only as tasks beside async cells \
                         (background_model = \"task\"), and this table has no async model"
                    ),
                    "add \"async\" to `model` for tasks, or \"python\" to `runtime` for \
                     threads beside Python threads, or remove the key",
                )
            };
            return Err(src.error(Some(at.clone()), &field, why, fix));
        }
    }
    // Every load named must reach a cell: tasks need async cells, the others Python
    // sequential or thread cells.
    if let (Some(at), Some(kinds)) = (
        table.axes.at.get("background_model"),
        &table.axes.background_model,
    ) {
        let field = format!("{}.background_model", table.path);
        for &k in kinds {
            let (reaches, needs, fix) = match k {
                BackgroundModel::Task => (
                    asynchronous,
                    "async cells (tasks on the cell's own runtime)",
                    "add \"async\" to `model`, or remove \"task\"",
                ),
                _ => (
                    loaded,
                    "Python sequential and thread cells",
                    "add \"thread\" to `model` and \"python\" or \"cpython\" to `runtime`, or remove it",
                ),
            };
            if !reaches {
                return Err(src.error(
                    Some(at.clone()),
                    &field,
                    format!(
                        "background_model \"{}\" only applies to {needs}, and this table has none",
                        k.as_str()
                    ),
                    fix,
                ));
            }
        }
    }
    Ok(())
}

/// A table that sets `file_sync` must write files: on any other I/O kind the key would
/// change nothing, and a sweep must not quietly ignore a key it names.
fn check_file_sync(src: &Source<'_>, table: &Table, ios: &[IoKind]) -> Result<(), ScenarioError> {
    if table.axes.file_sync.is_some() && !ios.contains(&IoKind::File) {
        let kinds = ios
            .iter()
            .map(|k| k.as_str())
            .collect::<Vec<_>>()
            .join(", ");
        return Err(src.error(
            table.axes.at.get("file_sync").cloned(),
            &format!("{}.file_sync", table.path),
            format!("`file_sync` only applies to io = \"file\", and this table's io is {kinds}"),
            "remove the `file_sync` key, or add \"file\" to `io`",
        ));
    }
    Ok(())
}

/// The sync modes of a cell whose I/O kind is `io`: each one `file_sync` lists for a
/// `file` cell (a plain buffered write when it lists none), else none.
fn file_syncs(io: IoKind, axes: &Axes) -> Vec<Option<FileSync>> {
    match (io, &axes.file_sync) {
        (IoKind::File, Some(list)) => list.iter().copied().map(Some).collect(),
        (IoKind::File, None) => vec![Some(FileSync::None)],
        _ => vec![None],
    }
}

/// The interpreters a cell of `runtime` runs on: each one `interpreter` lists for
/// `cpython`, else none (the other runtimes' interpreter is fixed when spectrum is built).
fn interpreters(runtime: Runtime, axes: &Axes) -> Vec<Option<String>> {
    match (&axes.interpreter, runtime) {
        (Some(list), Runtime::Cpython) => list.iter().cloned().map(Some).collect(),
        _ => vec![None],
    }
}

/// `model = "subinterpreter"` runs in the `cpython` runtime only: with the embedded
/// `python` runtime it is an error (a sweep must not quietly lose the model it names).
fn check_subinterpreter(
    src: &Source<'_>,
    table: &Table,
    axes: &Axes,
    models: &[ModelKind],
    runtimes: &[Runtime],
) -> Result<(), ScenarioError> {
    let embedded = runtimes.contains(&Runtime::Python);
    if models.contains(&ModelKind::Subinterpreter)
        && embedded
        && !crate::python::EMBEDDED_SUBINTERPRETERS
    {
        return Err(src.error(
            axes.at.get("model").cloned(),
            &format!("{}.model", table.path),
            format!(
                "model \"subinterpreter\" in the embedded runtime \"python\" needs spectrum \
                 built against CPython 3.12 or later (subinterpreters with their own GIL); \
                 this build embeds {}",
                crate::python::embedded_version()
            ),
            "rebuild with PYO3_PYTHON=python3.12 (or later) cargo build --release, or use \
             runtime = \"cpython\" for subinterpreter cells (e.g. an [[include]] with runtime = \
             \"cpython\" and model = \"subinterpreter\")",
        ));
    }
    Ok(())
}

/// The per-model, per-runtime options of a cell (None where they do not apply).
#[derive(Debug, Clone, Copy, PartialEq)]
struct Variant {
    async_cpu: Option<AsyncCpu>,
    gil: Option<Gil>,
    cpu_impl: Option<Impl>,
    io_impl: Option<Impl>,
    fault: Option<super::Fault>,
    background: Option<Background>,
    switch_interval_us: Option<f64>,
    counter: Option<Counter>,
}

impl Variant {
    /// True when the variant needs spectrum's native module (the embedded runtime).
    fn uses_native(&self) -> bool {
        self.cpu_impl == Some(Impl::Native)
            || self.io_impl == Some(Impl::Native)
            || self
                .background
                .is_some_and(|b| b.model == BackgroundModel::Native)
    }
}

/// The background loads `axes` gives a cell of `model` on `runtime`: threads, processes
/// or native threads beside Python sequential and thread cells (threads when
/// `background_model` is not given), tasks beside async cells of any runtime; none
/// elsewhere. Zero units is no load, whatever `background_model` says.
fn backgrounds(runtime: Runtime, model: ModelKind, axes: &Axes) -> Vec<Option<Background>> {
    let beside_workers =
        runtime.is_python() && matches!(model, ModelKind::Sequential | ModelKind::Thread);
    let applies = |k: &BackgroundModel| match k {
        BackgroundModel::Task => model == ModelKind::Async,
        _ => beside_workers,
    };
    let Some(units) = &axes.background else {
        return vec![None];
    };
    let default = if model == ModelKind::Async {
        BackgroundModel::Task
    } else {
        BackgroundModel::Thread
    };
    let models: Vec<BackgroundModel> = axes
        .background_model
        .clone()
        .unwrap_or_else(|| vec![default])
        .into_iter()
        .filter(applies)
        .collect();
    if models.is_empty() {
        return vec![None];
    }
    let mut out = Vec::new();
    for &n in units {
        for &model in &models {
            let b = (n > 0).then_some(Background { units: n, model });
            if !out.contains(&b) {
                out.push(b);
            }
        }
    }
    out
}

/// Every variant of `model` on `runtime`: options that do not apply are None, options
/// that apply but are not given take their defaults.
fn variants(runtime: Runtime, model: ModelKind, axes: &Axes) -> Vec<Variant> {
    fn opt<T: Copy>(applies: bool, given: &Option<Vec<T>>, default: T) -> Vec<Option<T>> {
        match (applies, given) {
            (false, _) => vec![None],
            (true, Some(list)) => list.iter().copied().map(Some).collect(),
            (true, None) => vec![Some(default)],
        }
    }
    let py = runtime.is_python();
    let is_fault = model == ModelKind::Fault;
    // The convoy's and the offload's knobs: a background load, and the switch interval
    // (left as the interpreter has it unless given).
    let intervals: Vec<Option<f64>> = match (&axes.switch_interval_us, py) {
        (Some(list), true) => list.iter().copied().map(Some).collect(),
        _ => vec![None],
    };
    let mut out = Vec::new();
    for async_cpu in opt(model == ModelKind::Async, &axes.async_cpu, AsyncCpu::Inline) {
        for cpu_impl in opt(py, &axes.cpu_impl, Impl::Python) {
            for io_impl in opt(py, &axes.io_impl, Impl::Python) {
                for gil in opt(py, &axes.gil, Gil::Held) {
                    // The GIL toggle acts on the native helpers only: with both halves in
                    // Python it changes nothing, so the variants merge into one.
                    let native = cpu_impl == Some(Impl::Native) || io_impl == Some(Impl::Native);
                    let gil = if native { gil } else { None };
                    // `fault` is required for the fault model (checked before), so the
                    // placeholder default is never used.
                    for fault in opt(is_fault, &axes.fault, super::Fault::Error) {
                        for background in backgrounds(runtime, model, axes) {
                            for &switch_interval_us in &intervals {
                                let v = Variant {
                                    async_cpu,
                                    gil,
                                    cpu_impl,
                                    io_impl,
                                    fault,
                                    background,
                                    switch_interval_us,
                                    counter: None,
                                };
                                // The merged GIL variants are one cell, made once (the
                                // lists are a handful long: the quadratic search costs
                                // nothing).
                                if !out.contains(&v) {
                                    out.push(v);
                                }
                            }
                        }
                    }
                }
            }
        }
    }
    // The race demo's counter: every variant once per form (none where it does not apply).
    super::race::counters(model, axes)
        .into_iter()
        .flat_map(|counter| out.iter().map(move |v| Variant { counter, ..*v }))
        .collect()
}

/// Whether `cell` matches every key an `[[exclude]]` table gives.
fn matches(ex: &Axes, c: &Cell) -> bool {
    fn any<T: PartialEq + Copy>(list: &Option<Vec<T>>, v: T) -> bool {
        list.as_ref().is_none_or(|l| l.contains(&v))
    }
    fn any_opt<T: PartialEq + Copy>(list: &Option<Vec<T>>, v: Option<T>) -> bool {
        list.as_ref()
            .is_none_or(|l| v.is_some_and(|v| l.contains(&v)))
    }
    fn near(list: &Option<Vec<f64>>, v: f64) -> bool {
        list.as_ref()
            .is_none_or(|l| l.iter().any(|x| (x - v).abs() <= 1e-9 * v.abs().max(1.0)))
    }
    any(&ex.runtime, c.runtime)
        && any(&ex.model, c.model)
        && any(&ex.io, c.io)
        && any(&ex.concurrency, c.concurrency)
        && near(&ex.io_fraction, c.io_fraction)
        && near(&ex.op_time_us, c.op_time_us)
        && any_opt(&ex.async_cpu, c.async_cpu)
        && any_opt(&ex.gil, c.gil)
        && any_opt(&ex.cpu_impl, c.cpu_impl)
        && any_opt(&ex.io_impl, c.io_impl)
        && any_opt(&ex.fault, c.fault)
        && any_opt(&ex.file_sync, c.file_sync)
        && any(&ex.background, c.background.map_or(0, |b| b.units))
        && any_opt(&ex.background_model, c.background.map(|b| b.model))
        && ex.switch_interval_us.as_ref().is_none_or(|l| {
            c.switch_interval_us
                .is_some_and(|v| l.iter().any(|x| (x - v).abs() <= 1e-9 * v.max(1.0)))
        })
        && ex
            .interpreter
            .as_ref()
            .is_none_or(|l| c.interpreter.as_ref().is_some_and(|i| l.contains(i)))
        && any_opt(&ex.counter, c.counter)
}

/// The run order: language (Rust, then Python), I/O kind, op length, I/O share, model
/// and its variants, concurrency, then the Python runtime. Neighbouring cells are the
/// ones a chart or a verdict compares, and they run close in time: a shared machine's
/// speed drifts over seconds (docs/noise.md), so `python` and `cpython` of the same
/// cell run back to back rather than a minute apart.
fn order(a: &Cell, b: &Cell) -> Ordering {
    let language = |c: &Cell| c.runtime.is_python();
    language(a)
        .cmp(&language(b))
        .then(a.io.cmp(&b.io))
        .then(a.file_sync.cmp(&b.file_sync))
        .then(a.op_time_us.total_cmp(&b.op_time_us))
        .then(a.io_fraction.total_cmp(&b.io_fraction))
        .then(a.model.cmp(&b.model))
        .then(a.async_cpu.cmp(&b.async_cpu))
        .then(a.cpu_impl.cmp(&b.cpu_impl))
        .then(a.io_impl.cmp(&b.io_impl))
        .then(a.gil.cmp(&b.gil))
        .then(a.background.cmp(&b.background))
        .then(
            a.switch_interval_us
                .unwrap_or(0.0)
                .total_cmp(&b.switch_interval_us.unwrap_or(0.0)),
        )
        .then(a.concurrency.cmp(&b.concurrency))
        .then(a.runtime.cmp(&b.runtime))
        .then(a.interpreter.cmp(&b.interpreter))
        .then(a.fault.cmp(&b.fault))
        .then(a.counter.cmp(&b.counter))
}
