//! The `file` I/O kind through the public API: every native model writes exactly one
//! 4 KiB block per op, each worker to a file of its own; a measured cell removes its
//! folder when it ends; and a synced write is slower than a buffered one (direction
//! only, on a real disk).

use std::path::Path;
use std::sync::Once;

use spectrum::model::{process, run_collected, CellSpec};
use spectrum::scenario::{AsyncCpu, Cell, FileSync, IoKind, ModelKind, Runtime};
use spectrum::workload::file::{self, BLOCK, BLOCK_BYTES, RING_BLOCKS};
use spectrum::workload::Calibration;

/// Points the process model at the real binary (this test executable has no `worker`).
fn use_spectrum_exe() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| std::env::set_var(process::EXE_ENV, env!("CARGO_BIN_EXE_spectrum")));
}

/// A pure-I/O Rust `file` cell of `model` with `n` workers, writing into `dir`.
fn spec(model: ModelKind, n: u32, sync: FileSync, dir: Option<&Path>) -> CellSpec {
    CellSpec {
        cell: Cell {
            io: IoKind::File,
            file_sync: Some(sync),
            async_cpu: (model == ModelKind::Async).then_some(AsyncCpu::Inline),
            ..Cell::sleep_op(Runtime::Rust, model, 0.0, 100.0, n)
        },
        ops: 40,
        warmup_ops: 0,
        calibration: Calibration::from_samples(vec![20.0]),
        repetition: 0,
        python_path: None,
        io_server: None,
        trace_ops: 0,
        python_exe: None,
        speed_reference: None,
        file_dir: dir.map(Path::to_path_buf),
    }
}

/// (files in `dir`, blocks holding [`BLOCK`] over all of them); asserts every file is one
/// ring and every other block still zero.
fn written(dir: &Path) -> (usize, usize) {
    let (mut files, mut blocks) = (0, 0);
    for entry in std::fs::read_dir(dir).unwrap() {
        let bytes = std::fs::read(entry.unwrap().path()).unwrap();
        assert_eq!(bytes.len(), RING_BLOCKS as usize * BLOCK_BYTES);
        files += 1;
        for b in bytes.chunks(BLOCK_BYTES) {
            if b == BLOCK {
                blocks += 1;
            } else {
                assert!(
                    b.iter().all(|x| *x == 0),
                    "a block neither written nor zero"
                );
            }
        }
    }
    (files, blocks)
}

#[test]
fn every_model_writes_one_block_per_op_into_a_file_per_worker() {
    use_spectrum_exe();
    for (model, n) in [
        (ModelKind::Sequential, 1),
        (ModelKind::Thread, 2),
        (ModelKind::Process, 2),
        (ModelKind::Async, 2),
        (ModelKind::Rayon, 2),
    ] {
        for sync in [FileSync::None, FileSync::Flush, FileSync::Fdatasync] {
            let dir = tempfile::tempdir().unwrap();
            let s = spec(model, n, sync, Some(dir.path()));
            let mut m =
                spectrum::dispatch::build(&s).unwrap_or_else(|e| panic!("{model:?}: {e:#}"));
            // 40 ops: fewer than a ring per worker, so no block is written twice.
            let (_, latency) = run_collected(m.as_mut(), 0..40).unwrap();
            assert_eq!(latency.len(), 40);
            drop(m);
            // Exactly ops × 4096 bytes written, one file per worker.
            assert_eq!(written(dir.path()), (n as usize, 40), "{model:?} {sync:?}");
        }
    }
}

#[test]
fn a_measured_file_cell_removes_its_folder_and_says_where_it_wrote() {
    let s = spec(ModelKind::Thread, 2, FileSync::Fsync, None);
    let m = spectrum::driver::child::measure(&s).unwrap();
    assert_eq!(m.ops, 40);
    let target = m.file_target.expect("a file cell records where it wrote");
    assert!(!target.fs_type.is_empty(), "{target:?}");
    assert!(
        target
            .dir
            .file_name()
            .unwrap()
            .to_string_lossy()
            .starts_with("spectrum-file-"),
        "{target:?}"
    );
    assert!(
        !target.dir.exists(),
        "{} was left behind",
        target.dir.display()
    );
    // The thread model's two workers and the main thread, at least.
    let threads = m.os_threads.expect("threads are counted in-process");
    assert!(threads.after >= 3, "{threads:?}");
}

#[test]
fn a_cell_without_an_io_half_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = spec(ModelKind::Sequential, 1, FileSync::None, Some(dir.path()));
    s.cell = Cell {
        io: IoKind::File,
        file_sync: Some(FileSync::None),
        ..Cell::sleep_op(Runtime::Rust, ModelKind::Sequential, 100.0, 0.0, 1)
    };
    assert!(!s.writes_files());
    let mut m = spectrum::dispatch::build(&s).unwrap();
    run_collected(m.as_mut(), 0..5).unwrap();
    assert_eq!(written(dir.path()), (0, 0));
}

#[test]
fn fsync_is_slower_than_a_buffered_write_on_a_disk() {
    let folder = file::CellFiles::create().unwrap();
    if file::is_memory(&folder.target.fs_type) {
        eprintln!(
            "skipped: {} is on {}, where a sync writes to no device",
            folder.path().display(),
            folder.target.fs_type
        );
        return;
    }
    let p50 = |sync| {
        let s = spec(ModelKind::Sequential, 1, sync, Some(folder.path()));
        let mut m = spectrum::dispatch::build(&s).unwrap();
        run_collected(m.as_mut(), 0..10).unwrap();
        let (_, latency) = run_collected(m.as_mut(), 10..210).unwrap();
        latency.summary().p50
    };
    let (none, fsync) = (p50(FileSync::None), p50(FileSync::Fsync));
    // Direction only: a buffered 4 KiB write is a copy into the page cache (µs), an
    // fsync waits for the device (tens of µs at the very least).
    assert!(fsync > none, "fsync p50 {fsync} µs, buffered p50 {none} µs");
}

/// Runs `spectrum cell` on `s` with `env` set, and returns the file system its
/// measurement says it wrote to.
fn cell_fs(s: &CellSpec, env: &[(&str, &str)]) -> String {
    use std::io::Write;
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_spectrum"));
    cmd.arg("cell")
        .env_remove(file::FILE_DIR_ENV)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped());
    for (k, v) in env {
        cmd.env(k, v);
    }
    let mut child = cmd.spawn().unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(serde_json::to_string(s).unwrap().as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let m: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    m["file_target"]["fs_type"].as_str().unwrap().to_string()
}

#[test]
fn a_tmpfs_temp_folder_is_avoided_unless_asked_for() {
    let shm = Path::new("/dev/shm");
    if file::mount_of(shm).is_none_or(|m| !file::is_memory(&m.fs_type)) {
        eprintln!("skipped: no tmpfs at /dev/shm");
        return;
    }
    let cwd_fs = file::mount_of(&std::env::current_dir().unwrap())
        .unwrap()
        .fs_type;
    let s = spec(ModelKind::Sequential, 1, FileSync::None, None);
    // TMPDIR on tmpfs: the cell writes under the working directory instead.
    assert_eq!(cell_fs(&s, &[("TMPDIR", "/dev/shm")]), cwd_fs);
    // SPECTRUM_FILE_DIR is taken as given, tmpfs or not.
    assert_eq!(cell_fs(&s, &[(file::FILE_DIR_ENV, "/dev/shm")]), "tmpfs");
}
