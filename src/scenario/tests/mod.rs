//! Scenario parsing end to end: every kind of mistake (with its line and field), the
//! expansion rules, and the shipped scenarios.

mod convoy;
mod errors;
mod expansion;
mod files;
mod interpreters;
mod limits;
mod race;
mod shipped;

use super::*;

pub(super) fn plan(text: &str) -> Plan {
    parse(text, "t.toml").unwrap_or_else(|e| panic!("should parse: {e}"))
}

pub(super) fn err(text: &str) -> ScenarioError {
    match parse(text, "t.toml") {
        Ok(p) => panic!("should fail, got {} cells", p.cells.len()),
        Err(e) => e,
    }
}

/// Asserts the error's line and field, and that its text contains every `needle`.
pub(super) fn assert_err(e: &ScenarioError, line: Option<usize>, field: &str, needles: &[&str]) {
    assert_eq!(e.line, line, "line of: {e}");
    assert_eq!(e.field, field, "field of: {e}");
    let text = e.to_string();
    for n in needles {
        assert!(text.contains(n), "{text:?} should contain {n:?}");
    }
}

pub(super) const BASE: &str =
    "name = \"t\"\n[sweep]\nmodel = \"thread\"\nio_fraction = 0.5\nconcurrency = 2\n";
