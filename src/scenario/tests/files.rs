//! The `file` I/O kind and its `file_sync` axis: expansion, ids, and the keys refused.

use super::*;
use crate::scenario::*;

const FILE: &str = "name = \"t\"\n[sweep]\nmodel = \"thread\"\nio_fraction = 1.0\nconcurrency = 2\nio = \"file\"\n";

#[test]
fn each_sync_mode_is_a_cell_of_its_own() {
    let p = plan(&format!(
        "{FILE}file_sync = [\"none\", \"flush\", \"fdatasync\", \"fsync\", \"odsync\"]\n"
    ));
    assert_eq!(p.cells.len(), 5);
    let ids: Vec<String> = p.cells.iter().map(Cell::id).collect();
    assert_eq!(ids[0], "rust/thread,sync=none/file/f1.00/op1000/c2");
    assert_eq!(ids[3], "rust/thread,sync=fsync/file/f1.00/op1000/c2");
    for (c, m) in p.cells.iter().zip(FileSync::ALL) {
        assert_eq!((c.io, c.file_sync), (IoKind::File, Some(m)));
    }
}

#[test]
fn a_file_cell_without_file_sync_writes_buffered() {
    let p = plan(FILE);
    assert_eq!(p.cells.len(), 1);
    assert_eq!(p.cells[0].file_sync, Some(FileSync::None));
    // The key round-trips through results.json.
    let json = serde_json::to_string(&p.cells[0]).unwrap();
    assert!(json.contains("\"file_sync\":\"none\""), "{json}");
    let back: Cell = serde_json::from_str(&json).unwrap();
    assert_eq!(back, p.cells[0]);
}

#[test]
fn file_sync_applies_to_the_file_cells_of_a_mixed_sweep_only() {
    let p = plan("name = \"t\"\n[sweep]\nmodel = \"thread\"\nio_fraction = [0.0, 1.0]\nconcurrency = 2\nio = [\"sleep\", \"file\"]\nfile_sync = [\"none\", \"fsync\"]\n");
    // Pure CPU: one sleep cell (no I/O half, so no sync); at 1.0: sleep, file×2.
    assert_eq!(p.cells.len(), 4, "{:?}", p.cells);
    for c in &p.cells {
        assert_eq!(c.file_sync.is_some(), c.io == IoKind::File, "{c}");
    }
    // Python sleep cells get no sync mode either, and never a note about it.
    assert!(p.notes.is_empty(), "{:?}", p.notes);
}

#[test]
fn file_sync_without_file_is_refused_with_line_and_fix() {
    let e = err(&format!("{BASE}io = \"tcp\"\nfile_sync = \"fsync\"\n"));
    assert_err(
        &e,
        Some(7),
        "sweep.file_sync",
        &[
            "`file_sync` only applies to io = \"file\"",
            "this table's io is tcp",
            "add \"file\" to `io`",
        ],
    );
    // The default kind is sleep: the key alone is refused too.
    let e = err(&format!("{BASE}file_sync = \"none\"\n"));
    assert_err(&e, Some(6), "sweep.file_sync", &["io is sleep"]);
}

#[test]
fn an_unknown_sync_mode_lists_the_five() {
    let e = err(&format!("{FILE}file_sync = \"sync\"\n"));
    assert_err(
        &e,
        Some(7),
        "sweep.file_sync",
        &[
            "did you mean `fsync`?",
            "Choose from: none, flush, fdatasync, fsync, odsync.",
        ],
    );
}

#[test]
fn native_io_and_huge_concurrency_are_skipped_with_notes() {
    let p = plan("name = \"t\"\n[sweep]\nruntime = \"python\"\nmodel = \"thread\"\nio_fraction = 1.0\nconcurrency = [2, 5000]\nio = \"file\"\nio_impl = [\"python\", \"native\"]\n");
    assert_eq!(p.cells.len(), 1, "{:?}", p.cells);
    assert_eq!(p.cells[0].io_impl, Some(Impl::Python));
    let notes = p.notes.join("\n");
    assert!(notes.contains("io = \"file\""), "{notes}");
    assert!(notes.contains("file at concurrency 5000"), "{notes}");
}

#[test]
fn an_exclude_matches_on_file_sync() {
    let p = plan(&format!(
        "{FILE}file_sync = [\"none\", \"fsync\"]\n[[exclude]]\nfile_sync = \"fsync\"\n"
    ));
    assert_eq!(p.cells.len(), 1);
    assert_eq!(p.cells[0].file_sync, Some(FileSync::None));
}
