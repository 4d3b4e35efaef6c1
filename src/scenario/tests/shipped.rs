//! The shipped scenarios and [`load`].

use super::*;
use crate::scenario::*;

/// The plan's estimate on a 2-core machine, counting only the cells of `runtime`.
fn estimate_of(plan: &Plan, runtime: Runtime) -> f64 {
    let mut part = plan.clone();
    part.cells.retain(|c| c.runtime == runtime);
    part.estimated_seconds_on(2)
}

#[test]
fn shipped_scenarios_parse_and_fit_their_budgets() {
    for (name, _) in shipped() {
        let p = load(Some(name)).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(p.name, *name);
        assert_eq!(p.source, format!("builtin:{name}"));
        assert!(
            p.cells.iter().all(|c| c.fault.is_none()),
            "{name}: fault cells"
        );
    }
    // Issue budgets on 2 cores: the default's Rust part in under 2 minutes, the whole
    // default (both runtimes) in under 3, the quick sweep in under 30 s. The estimates
    // are floors (docs/scenarios.md gives measured times), so keep a margin.
    let spectrum = load(Some("spectrum")).unwrap();
    assert!(estimate_of(&spectrum, Runtime::Rust) <= 100.0);
    assert!(spectrum.estimated_seconds_on(2) <= 160.0);
    assert!(load(Some("quick.toml")).unwrap().estimated_seconds_on(2) <= 25.0);
    // The flush demo runs in about 15-35 s here (its sync modes' tails vary with the
    // disk): the estimate must stay well under its one-minute budget.
    let flush = load(Some("demo-flush")).unwrap();
    assert!(flush.estimated_seconds_on(2) <= 40.0);
    assert!(flush.cells.iter().all(|c| c.io == IoKind::File));
    assert_eq!(flush.cells.len(), 25);
}

#[test]
fn every_exclude_of_the_shipped_scenarios_and_the_readme_removes_something() {
    let readme = include_str!("../../../README.md");
    let start = readme
        .find("```toml")
        .expect("the README has an example scenario")
        + 7;
    let end = start + readme[start..].find("```").unwrap();
    let mut texts: Vec<(String, &str)> =
        shipped().iter().map(|(n, t)| (n.to_string(), *t)).collect();
    texts.push(("README".into(), &readme[start..end]));
    for (name, text) in texts {
        let p = parse(text, &name).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert!(
            !p.notes.iter().any(|n| n.contains("removed no cell")),
            "{name}: {:?}",
            p.notes
        );
    }
}

#[test]
fn default_scenario_covers_the_spectrum() {
    let p = load(None).unwrap();
    assert_eq!(p.name, "spectrum");
    let fractions: Vec<f64> = {
        let mut f: Vec<f64> = p.cells.iter().map(|c| c.io_fraction).collect();
        f.sort_by(f64::total_cmp);
        f.dedup();
        f
    };
    assert_eq!(fractions, [0.0, 0.25, 0.5, 0.75, 1.0]);
    let has = |m: ModelKind, f: f64, n: u32, op: f64| {
        p.cells
            .iter()
            .filter(|c| c.runtime == Runtime::Rust)
            .any(|c| c.model == m && c.io_fraction == f && c.concurrency == n && c.op_time_us == op)
    };
    for m in [ModelKind::Thread, ModelKind::Process, ModelKind::Rayon] {
        assert!(has(m, 0.0, 2, 5000.0), "{m:?} pure CPU at 2");
    }
    assert!(has(ModelKind::Sequential, 0.0, 1, 5000.0));
    for m in [ModelKind::Async, ModelKind::Thread] {
        assert!(has(m, 1.0, 1000, 50_000.0), "{m:?} at 1000");
        assert!(p
            .cells
            .iter()
            .any(|c| c.model == m && c.io_fraction == 1.0 && c.op_time_us == 1000.0));
    }
    assert!(!p
        .cells
        .iter()
        .any(|c| c.model == ModelKind::Process && c.concurrency >= 1000));
    assert!(p
        .cells
        .iter()
        .any(|c| c.async_cpu == Some(AsyncCpu::Offload)));
    let ids: std::collections::HashSet<String> = p.cells.iter().map(Cell::id).collect();
    assert_eq!(ids.len(), p.cells.len(), "cell ids are unique");
}

#[test]
fn load_reads_files_and_names_shipped_scenarios_on_error() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("mine.toml");
    std::fs::write(&path, BASE).unwrap();
    let p = load(path.to_str()).unwrap();
    assert_eq!(p.source, path.to_str().unwrap());
    assert_eq!(p.text, BASE);

    let e = load(Some("nope")).unwrap_err();
    assert_err(
        &e,
        None,
        "",
        &["nope: no such scenario file", "spectrum, quick"],
    );
    let e = load(dir.path().to_str()).unwrap_err();
    assert!(e.to_string().contains("is not a file"), "{e}");

    std::fs::write(&path, "name = \"t\"\n[sweep]\nmodel = \"thred\"\n").unwrap();
    let e = load(path.to_str()).unwrap_err();
    assert_eq!(e.file, path.to_str().unwrap());
    assert_eq!(e.line, Some(3));
}

#[test]
fn list_text_names_every_shipped_scenario() {
    let t = list_text();
    assert!(t.contains("spectrum") && t.contains("quick") && t.contains("cells"));
    assert!(!t.contains("invalid"));
}
