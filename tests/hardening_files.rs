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
