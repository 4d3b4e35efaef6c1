//! Plain names for what a person reads: one function turns a model label (the id of
//! `Cell::model_label`, e.g. `thread cpu=native io=py gil=held`) into words ("Python
//! threads, native CPU helper, GIL held"; a `file` cell's `sync=fsync` reads "writes +
//! fsync"). Charts, verdicts and the at-a-glance figure
//! all call it, so a model is named the same everywhere; the ids stay in the data
//! tables and in `results.json`, where a reader looks a cell up.

use crate::scenario::Runtime;

/// The name a table grouped by runtime (the terminal's, the Markdown export's) shows for
/// the model and variants of `cell`: the one-word name (`tiny_name`) with the GIL setting, e.g.
/// "threads (native), GIL released" — the group heading names the runtime, and the
/// terminal's 100 columns have no room for the whole plain name.
pub fn model_name(cell: &crate::results::CellResult) -> String {
    let head = cell.label.split(" · ").next().unwrap_or(&cell.label);
    let gil = if head.contains("gil=held") {
        ", GIL held"
    } else if head.contains("gil=released") {
        ", GIL released"
    } else {
        ""
    };
    format!("{}{gil}", tiny_name(&cell.label))
}

/// The plain name of a model label, e.g. "Rust threads", "tokio tasks, CPU offloaded",
/// "Python threads, native CPU helper, GIL held". A chart series name ("label · 1 ms op
/// · tcp") keeps its suffix: only the label before the first " · " is translated.
pub(crate) fn plain_name(label: &str) -> String {
    let (head, tail) = match label.split_once(" · ") {
        Some((h, t)) => (h, Some(t)),
        None => (label, None),
    };
    let mut words = head.split_whitespace();
    let model = words.next().unwrap_or("");
    let mut cpu = None;
    let mut io = None;
    let mut gil = None;
    let mut fault = None;
    let mut sync = None;
    let mut bg = None;
    let mut si = None;
    let mut counter = None;
    for w in words {
        match w.split_once('=') {
            Some(("cpu", v)) => cpu = Some(v),
            Some(("io", v)) => io = Some(v),
            Some(("gil", v)) => gil = Some(v),
            Some(("fault", v)) => fault = Some(v),
            Some(("sync", v)) => sync = Some(v),
            Some(("bg", v)) => bg = Some(v),
            Some(("si", v)) => si = Some(v),
            Some(("counter", v)) => counter = Some(v),
            _ => {}
        }
    }
    // Python labels always carry the halves (`cpu=… io=…`); Rust labels never do.
    let python = cpu.is_some() || io.is_some();
    let mut s = model_words(model, python);
    let native_cpu = cpu == Some("native");
    let native_io = io == Some("native");
    match (native_cpu, native_io) {
        (true, true) => s.push_str(", native CPU helper and sleep"),
        (true, false) => s.push_str(", native CPU helper"),
        (false, true) => s.push_str(", native sleep"),
        (false, false) => {}
    }
    match gil {
        Some("held") => s.push_str(", GIL held"),
        Some("released") => s.push_str(", GIL released"),
        _ => {}
    }
    if let Some(m) = sync {
        s.push_str(", ");
        s.push_str(&sync_words(m));
    }
    if let Some(b) = bg {
        s.push_str(&background_words(b));
    }
    if let Some(i) = si {
        s.push_str(&format!(
            ", switch interval {}",
            i.replace("ms", " ms").replace("us", " µs")
        ));
    }
    if let Some(c) = counter {
        s.push_str(", shared counter: ");
        s.push_str(&counter_words(c, python));
    }
    if let Some(f) = fault {
        s.push_str(&format!(" (fault: {f})"));
    }
    if let Some(t) = tail {
        s.push_str(" · ");
        s.push_str(t);
    }
    s
}

/// A background load in words: `2thread` → ", beside 2 CPU-bound Python threads".
fn background_words(b: &str) -> String {
    let digits = b.find(|c: char| !c.is_ascii_digit()).unwrap_or(b.len());
    let (n, kind) = b.split_at(digits);
    let plural = if n == "1" { "" } else { "s" };
    let what = match kind {
        "thread" => format!("CPU-bound Python thread{plural}"),
        "process" => format!("CPU-bound process{}", if n == "1" { "" } else { "es" }),
        "native" => format!("native CPU thread{plural}, GIL released"),
        "task" => format!("CPU-heavy task{plural}"),
        other => other.to_string(),
    };
    format!(", beside {n} {what}")
}

/// The model in words: Rust's runtimes are named (tokio, rayon), Python's asyncio.
fn model_words(model: &str, python: bool) -> String {
    let lang = if python { "Python" } else { "Rust" };
    match (model, python) {
        ("sequential", _) => format!("{lang} sequential (one worker)"),
        ("thread", _) => format!("{lang} threads"),
        ("process", _) => format!("{lang} processes"),
        ("async", false) => "tokio tasks".into(),
        ("async+offload", false) => "tokio tasks, CPU offloaded (spawn_blocking)".into(),
        ("async+pool", false) => "tokio tasks, CPU on rayon's pool".into(),
        ("async", true) => "asyncio tasks".into(),
        ("async+offload", true) => "asyncio tasks, CPU offloaded (to_thread)".into(),
        ("async+pool", true) => "asyncio tasks, CPU in a process pool".into(),
        ("rayon", _) => "rayon pool".into(),
        (other, _) => format!("{lang} {other}"),
    }
}

/// The race demo's counter form (`counter=` of a label) in words, in the language's
/// own code: "load + store (racy)", "`c.n += 1` (racy)", "Lock".
pub(crate) fn counter_words(form: &str, python: bool) -> String {
    match (form, python) {
        ("racy", false) => "load + store (racy)".into(),
        ("racy", true) => "c.n += 1 (racy)".into(),
        ("racy_call", _) => "read, call, write (racy)".into(),
        ("atomic", _) => "fetch_add".into(),
        ("locked", false) => "Mutex".into(),
        ("locked", true) => "Lock".into(),
        (other, _) => other.into(),
    }
}

/// A `file` cell's sync mode (`sync=` of a label) in words.
fn sync_words(mode: &str) -> String {
    match mode {
        "none" => "buffered writes (page cache)".into(),
        "flush" => "writes + flush() (to the kernel)".into(),
        "fdatasync" => "writes + fdatasync".into(),
        "fsync" => "writes + fsync".into(),
        "odsync" => "O_DSYNC writes".into(),
        other => format!("writes, sync {other}"),
    }
}

/// A runtime in words: "Rust", "embedded Python", "plain python3".
pub(crate) fn runtime_name(r: Runtime) -> &'static str {
    match r {
        Runtime::Rust => "Rust",
        Runtime::Python => "embedded Python",
        Runtime::Cpython => "plain python3",
    }
}

/// One or two words for the narrowest spots (the at-a-glance strips): "processes",
/// "tokio", "asyncio+offload" (the CPU half offloaded: spawn_blocking, to_thread).
pub(crate) fn tiny_name(label: &str) -> String {
    let head = label.split(" · ").next().unwrap_or(label);
    let python = head.contains("cpu=") || head.contains("io=");
    let model = head.split_whitespace().next().unwrap_or("");
    let base = match (model, python) {
        ("sequential", _) => "sequential",
        ("thread", _) => "threads",
        ("process", _) => "processes",
        ("async", false) => "tokio",
        ("async+offload", false) => "tokio+offload",
        ("async+pool", false) => "tokio+rayon",
        ("async", true) => "asyncio",
        ("async+offload", true) => "asyncio+offload",
        ("async+pool", true) => "asyncio+processes",
        ("rayon", _) => "rayon",
        (other, _) => other,
    };
    let base = if head.contains("=native") {
        format!("{base} (native)")
    } else {
        base.to_string()
    };
    // A file cell's sync mode, a race cell's counter form: the cells of one model
    // differ by nothing else.
    match head.split_whitespace().find_map(|w| {
        w.strip_prefix("sync=")
            .or_else(|| w.strip_prefix("counter="))
    }) {
        Some(mode) => format!("{base} {mode}"),
        None => base,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_read_as_words() {
        assert_eq!(plain_name("thread"), "Rust threads");
        assert_eq!(
            plain_name("async+offload"),
            "tokio tasks, CPU offloaded (spawn_blocking)"
        );
        assert_eq!(plain_name("thread cpu=py io=py"), "Python threads");
        assert_eq!(
            plain_name("thread cpu=native io=py gil=held"),
            "Python threads, native CPU helper, GIL held"
        );
        assert_eq!(
            plain_name("thread cpu=py io=native gil=released"),
            "Python threads, native sleep, GIL released"
        );
        assert_eq!(
            plain_name("async cpu=py io=py · 1 ms op · tcp"),
            "asyncio tasks · 1 ms op · tcp"
        );
        assert_eq!(tiny_name("sequential cpu=py io=py"), "sequential");
        assert_eq!(tiny_name("async+offload"), "tokio+offload");
        assert_eq!(
            tiny_name("thread cpu=native io=py gil=held"),
            "threads (native)"
        );
        assert_eq!(
            plain_name("thread sync=fdatasync · 100 µs op · file"),
            "Rust threads, writes + fdatasync · 100 µs op · file"
        );
        assert_eq!(
            plain_name("async cpu=py io=py sync=odsync"),
            "asyncio tasks, O_DSYNC writes"
        );
        assert_eq!(tiny_name("async sync=none"), "tokio none");
        for l in [
            "thread sync=flush",
            "thread cpu=native io=native gil=held",
            "rayon",
            "process cpu=py io=py",
        ] {
            let n = plain_name(l);
            assert!(!n.contains('='), "{n}");
        }
    }
}
