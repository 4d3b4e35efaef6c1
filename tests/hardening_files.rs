//! Issue 10 ("Hardening"), the files spectrum reads and writes, through the real binary:
//! planted symlinks in the output folder, special and oversized input files, misleading
//! messages about results files, two runs into one folder, and stale reports.

use std::os::unix::fs::symlink;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const EXE: &str = env!("CARGO_BIN_EXE_spectrum");

fn fixture() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/fixture-results.json")
}

fn spectrum(args: &[&std::ffi::OsStr]) -> Output {
    Command::new(EXE).args(args).output().unwrap()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn report(results: &Path, out_dir: &Path) -> Output {
    spectrum(&[
        "report".as_ref(),
        results.as_os_str(),
        "--out".as_ref(),
        out_dir.as_os_str(),
    ])
}

/// Item 1: symlinks planted in a writable output folder, at the final name and at the
/// temp names the old code used, never make a write land outside the folder.
#[test]
fn report_never_writes_through_planted_symlinks() {
    let outside = tempfile::tempdir().unwrap();
    let victim = outside.path().join("victim");
    std::fs::write(&victim, "precious").unwrap();
    let out = tempfile::tempdir().unwrap();
    symlink(&victim, out.path().join("index.html")).unwrap();
    // The old temp name was `.index.html.tmp.<pid>`: plant a range of pids around ours
    // (the child's pid is close to it on an idle machine; the point is that no name is
    // predictable any more).
    let me = std::process::id();
    for pid in me..me + 200 {
        symlink(&victim, out.path().join(format!(".index.html.tmp.{pid}"))).unwrap();
    }
    let run = report(&fixture(), out.path());
    assert!(run.status.success(), "{}", stderr(&run));
    assert_eq!(std::fs::read_to_string(&victim).unwrap(), "precious");
    let page = out.path().join("index.html");
    assert!(std::fs::symlink_metadata(&page).unwrap().is_file());
    assert!(std::fs::read_to_string(&page).unwrap().contains("<svg"));
}

/// Runs `spectrum report <file>` with a deadline (a FIFO used to hang for ever); returns
/// its output.
fn report_within(file: &Path, secs: u64) -> Output {
    let out = tempfile::tempdir().unwrap();
    let mut child = Command::new(EXE)
        .arg("report")
        .arg(file)
        .arg("--out")
        .arg(out.path())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(secs);
    while child.try_wait().unwrap().is_none() {
        if std::time::Instant::now() > deadline {
            child.kill().unwrap();
            panic!("spectrum report {} did not finish", file.display());
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    let output = child.wait_with_output().unwrap();
    assert!(
        !out.path().join("index.html").exists(),
        "a report from bad input"
    );
    output
}

/// Item 9: only regular files are read, with a size limit checked before reading.
#[test]
fn report_reads_only_regular_files_of_bounded_size() {
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("results.json");
    let c = std::ffi::CString::new(fifo.to_str().unwrap()).unwrap();
    // SAFETY: mkfifo reads a NUL-terminated path.
    assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
    let big = dir.path().join("big.json");
    // Sparse: takes no disk space, and is never read.
    std::fs::File::create(&big)
        .unwrap()
        .set_len(600 << 20)
        .unwrap();
    for (file, says) in [
        (fifo.as_path(), "is a FIFO (named pipe), not a regular file"),
        (Path::new("/dev/zero"), "is a character device"),
        (dir.path(), "is a directory"),
        (big.as_path(), "is 600 MiB, over the 512 MiB limit"),
    ] {
        let out = report_within(file, 10);
        assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
        assert!(stderr(&out).contains(says), "{}", stderr(&out));
    }
}

/// Item 11: a byte-order mark is not "not JSON", and `"schema": 1` is not "no schema".
#[test]
fn results_file_messages_say_what_is_wrong() {
    let dir = tempfile::tempdir().unwrap();
    let mut with_bom = b"\xef\xbb\xbf".to_vec();
    with_bom.extend(std::fs::read(fixture()).unwrap());
    let bom = dir.path().join("bom.json");
    std::fs::write(&bom, with_bom).unwrap();
    let out = report(&bom, &dir.path().join("out"));
    assert!(out.status.success(), "a BOM is accepted: {}", stderr(&out));

    let one = dir.path().join("one.json");
    std::fs::write(&one, r#"{"schema": 1, "cells": []}"#).unwrap();
    let out = report(&one, &dir.path().join("out1"));
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains(r#"has a "schema" field of 1, not the string "spectrum.results/1""#),
        "{}",
        stderr(&out)
    );
}

/// Pure-sleep cells, about a second in all: slow enough to overlap, no CPU load.
const SLEEPY: &str = r#"
name = "sleepy"

[defaults]
ops = 20
repetitions = 1
warmup = 0.0
timeout = "30s"

[sweep]
model = "sequential"
io_fraction = 1.0
op_time = ["10ms", "11ms", "12ms", "13ms", "14ms"]
concurrency = 1
"#;

/// Item 12: two runs into one `--out` used to overwrite each other and both exit 0. The
/// second is refused at once (exit 2), naming the folder and the first run's pid; the
/// first run's results are whole; once it ends the folder is free again.
#[test]
fn a_second_run_into_a_busy_folder_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let scenario = dir.path().join("sleepy.toml");
    std::fs::write(&scenario, SLEEPY).unwrap();
    let out = dir.path().join("out");
    let run = |extra: &[&str]| {
        let mut cmd = Command::new(EXE);
        cmd.arg("run")
            .arg(&scenario)
            .arg("--out")
            .arg(&out)
            .args(["--no-probes", "--no-report"])
            .args(extra);
        cmd
    };
    let mut first = run(&[])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    // Wait until the first run holds the folder (it writes its pid once it does).
    let lock = out.join(".spectrum.lock");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    while std::fs::read_to_string(&lock).map_or(true, |s| s.trim().is_empty()) {
        assert!(
            std::time::Instant::now() < deadline,
            "the first run never locked"
        );
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    let started = std::time::Instant::now();
    let second = run(&[]).output().unwrap();
    assert!(
        started.elapsed().as_secs() < 5,
        "refused at once, not after waiting"
    );
    assert_eq!(second.status.code(), Some(2), "{}", stderr(&second));
    let said = stderr(&second);
    assert!(
        said.contains(&format!(
            "another spectrum run (pid {}) is writing into",
            first.id()
        )),
        "{said}"
    );
    assert!(said.contains(&*out.to_string_lossy()), "{said}");
    // A report into the same folder waits its turn too.
    let rep = report(&fixture(), &out);
    assert_eq!(rep.status.code(), Some(2), "{}", stderr(&rep));
    assert!(stderr(&rep).contains("is writing into"), "{}", stderr(&rep));

    assert_eq!(first.wait().unwrap().code(), Some(0));
    let results = spectrum::results::read_results(&out.join("results.json")).unwrap();
    assert_eq!(results.cells.len(), 5);
    assert!(!results.run.interrupted);
    // Free again once the first run is over.
    let third = run(&["--filter", "op10000"]).output().unwrap();
    assert_eq!(third.status.code(), Some(0), "{}", stderr(&third));
}

/// Item 16: a disk that fills mid-run stopped the sweep with exit 1, the code for "some
/// cells failed". It is exit 3 now, with a message saying what the file still holds.
/// The disk is a 4 MiB tmpfs in a private mount namespace (`unshare`), filled once the
/// first cell is saved; skipped where namespaces or tmpfs mounts are not allowed.
#[test]
fn a_full_disk_has_its_own_exit_code_and_keeps_what_was_saved() {
    let dir = tempfile::tempdir().unwrap();
    let scenario = dir.path().join("s.toml");
    std::fs::write(&scenario, SLEEPY.replace("ops = 20", "ops = 60")).unwrap();
    let mnt = dir.path().join("mnt");
    std::fs::create_dir(&mnt).unwrap();
    let script = r#"
        mnt=$1 exe=$2 scenario=$3 keep=$4
        mount -t tmpfs -o size=4m tmpfs "$mnt" 2>/dev/null || exit 77
        "$exe" run "$scenario" --out "$mnt/out" --no-probes --no-report 2>"$keep/stderr" &
        pid=$!
        for _ in $(seq 600); do
            grep -q '"id":' "$mnt/out/results.json" 2>/dev/null && break
            sleep 0.02
        done
        dd if=/dev/zero of="$mnt/filler" bs=64k 2>/dev/null
        wait $pid
        echo $? >"$keep/code"
        cp "$mnt/out/results.json" "$keep/"
    "#;
    let status = Command::new("unshare")
        .args([
            "--user",
            "--map-root-user",
            "--mount",
            "bash",
            "-c",
            script,
            "bash",
        ])
        .arg(&mnt)
        .arg(EXE)
        .arg(&scenario)
        .arg(dir.path())
        .status();
    match status.map(|s| s.code()) {
        Ok(Some(0)) => {}
        other => {
            eprintln!("skipped: no private tmpfs mount here ({other:?})");
            return;
        }
    }
    let code = std::fs::read_to_string(dir.path().join("code")).unwrap();
    let said = std::fs::read_to_string(dir.path().join("stderr")).unwrap();
    assert_eq!(code.trim(), "3", "{said}");
    assert!(said.contains("the disk is full (or over quota)"), "{said}");
    assert!(said.contains("No space left on device"), "{said}");
    let saved = spectrum::results::read_results(&dir.path().join("results.json")).unwrap();
    assert!(
        !saved.cells.is_empty() && saved.cells.len() < 5,
        "{}",
        saved.cells.len()
    );
    assert!(
        saved.run.interrupted,
        "the file says the run did not finish"
    );
    assert!(
        said.contains(&format!(
            "still holds what was saved before: {} cells",
            saved.cells.len()
        )),
        "{said}"
    );
}
