//! `spectrum report` as a user runs it: render from a results file without re-running,
//! merge several, compare with a baseline, and fail cleanly on bad input. Uses the
//! synthetic fixture (`tests/fixtures/fixture-results.json`; not a measurement).

use assert_cmd::Command;
use std::path::PathBuf;

fn fixture() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/fixture-results.json")
}

fn spectrum() -> Command {
    Command::cargo_bin("spectrum").expect("binary built")
}

#[test]
fn report_renders_and_prints_the_page_path() {
    let dir = tempfile::tempdir().unwrap();
    let out = spectrum()
        .args(["report"])
        .arg(fixture())
        .arg("--out")
        .arg(dir.path())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let page = dir.path().join("index.html");
    assert!(String::from_utf8_lossy(&out.stdout).contains(&*page.to_string_lossy()));
    let html = std::fs::read_to_string(&page).unwrap();
    assert!(html.matches("<svg").count() >= 6);
    // The page and the verdicts as data: the atomic write leaves no temp file behind.
    let mut names: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(names, ["index.html", "verdicts.json"]);
    // The terminal ends with the verdicts.
    assert!(String::from_utf8_lossy(&out.stdout).contains("Verdicts (95% intervals"));
}

#[test]
fn report_merges_files_and_compares_with_a_baseline() {
    let dir = tempfile::tempdir().unwrap();
    // A second "machine": the fixture with another host name.
    let text = std::fs::read_to_string(fixture()).unwrap().replace(
        "\"hostname\":\"fixture-host\"",
        "\"hostname\":\"second-host\"",
    );
    let second = dir.path().join("second.json");
    std::fs::write(&second, text).unwrap();
    let out = spectrum()
        .arg("report")
        .arg(fixture())
        .arg(&second)
        .arg("--baseline")
        .arg(fixture())
        .arg("--out")
        .arg(dir.path())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let html = std::fs::read_to_string(dir.path().join("comparison.html")).unwrap();
    assert!(html.contains("second-host") && html.contains("fixture-host"));
    assert!(html.contains("Comparison with the baseline"));
    assert!(html.contains("no change"));
    // What changed is printed, not only the path; the run's own page is untouched.
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("0 faster, 0 slower"), "{stdout}");
    assert!(!dir.path().join("index.html").exists());
}

#[test]
fn report_json_prints_the_verdicts_as_data() {
    let out = spectrum()
        .arg("report")
        .arg(fixture())
        .arg("--json")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    for c in v["claims"].as_array().unwrap() {
        let outcome = c["outcome"].as_str().unwrap();
        assert!(
            [
                "agrees",
                "partly",
                "disagrees",
                "inconclusive",
                "not-measured"
            ]
            .contains(&outcome),
            "{c}"
        );
    }
}

#[test]
fn report_of_a_missing_file_is_bad_input() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("nope.json");
    let out = spectrum().arg("report").arg(&missing).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("nope.json"));
    assert!(!dir.path().join("index.html").exists());
}
