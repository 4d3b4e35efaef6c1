//! Every kind of mistake in a scenario: the error names its line, field and fix.

use super::*;
use crate::scenario::*;

#[test]
fn io_fraction_out_of_range_reads_like_the_contract() {
    let e = err("name = \"t\"\n[sweep]\nmodel = \"thread\"\nconcurrency = 2\n\n\nio_fraction = [0.5, 1.5]\n");
    assert_eq!(
        e.to_string(),
        "t.toml:7: sweep.io_fraction: 1.5 is outside [0, 1]; \
         use a share between 0 (pure CPU) and 1 (pure I/O)"
    );
}

#[test]
fn unknown_top_level_key_suggests_and_lists() {
    let e = err("nme = \"t\"\n");
    assert_err(
        &e,
        Some(1),
        "nme",
        &[
            "unknown key `nme`",
            "did you mean `name`?",
            "Choose from: name, description, defaults, sweep, include, exclude.",
        ],
    );
}

#[test]
fn unknown_key_in_defaults() {
    let e = err(&format!(
        "{BASE}[defaults]\nrepetitions = 2\ndurration = \"1s\"\n"
    ));
    assert_err(
        &e,
        Some(8),
        "defaults.durration",
        &[
            "in [defaults]",
            "did you mean `duration`?",
            "Choose from: op_time, duration, ops",
        ],
    );
}

#[test]
fn unknown_key_in_sweep() {
    let e = err("name = \"t\"\n[sweep]\nmodel = \"thread\"\nio_fractoin = 0.5\n");
    assert_err(
        &e,
        Some(4),
        "sweep.io_fractoin",
        &[
            "did you mean `io_fraction`?",
            "Choose from: runtime, model, io_fraction",
        ],
    );
}

#[test]
fn unknown_key_in_include_and_exclude() {
    let e = err(&format!(
        "{BASE}[[include]]\nmodel = \"async\"\n[[include]]\nconcurency = 4\n"
    ));
    assert_err(
        &e,
        Some(9),
        "include[2].concurency",
        &["in [include[2]]", "did you mean `concurrency`?"],
    );
    let e = err(&format!("{BASE}[[exclude]]\nmodle = \"thread\"\n"));
    assert_err(&e, Some(7), "exclude[1].modle", &["did you mean `model`?"]);
}

#[test]
fn top_level_key_below_a_table_says_where_it_belongs() {
    let e = err("[sweep]\nname = \"t\"\n");
    assert_err(
        &e,
        Some(2),
        "sweep.name",
        &["belongs at the top of the file"],
    );
}

#[test]
fn wrong_type_names_what_was_found() {
    let e =
        err("name = \"t\"\n[sweep]\nmodel = \"thread\"\nio_fraction = 0.5\nconcurrency = \"2\"\n");
    assert_err(
        &e,
        Some(5),
        "sweep.concurrency",
        &["expected a whole number, found the string \"2\""],
    );
    let e = err("name = 3\n");
    assert_err(
        &e,
        Some(1),
        "name",
        &["expected a string, found the integer 3"],
    );
    let e = err("name = \"t\"\ndefaults = 1\n");
    assert_err(
        &e,
        Some(2),
        "defaults",
        &["expected a table", "[defaults] header"],
    );
}

#[test]
fn unknown_model_lists_the_models() {
    let e = err("name = \"t\"\n[sweep]\nmodel = [\"thread\",\n  \"gren\"]\n");
    assert_err(
        &e,
        Some(4),
        "sweep.model",
        &[
            "unknown value \"gren\"",
            "Choose from: sequential, thread, process, async, rayon, subinterpreter.",
        ],
    );
    // The test-only model is accepted but never advertised.
    assert!(!e.to_string().contains("fault"));
}

#[test]
fn concurrency_zero() {
    let e =
        err("name = \"t\"\n[sweep]\nmodel = \"thread\"\nio_fraction = 0.5\nconcurrency = [2, 0]\n");
    assert_err(
        &e,
        Some(5),
        "sweep.concurrency",
        &["0 is outside 1..=100000"],
    );
}

#[test]
fn op_time_too_small_explains_the_floor() {
    let e = err(&format!("{BASE}op_time = \"10us\"\n"));
    assert_err(
        &e,
        Some(6),
        "sweep.op_time",
        &["10us is shorter than the 50 µs floor", "under 1% of the op"],
    );
    let e = err(&format!("{BASE}[defaults]\nop_time = 20\n"));
    assert_err(&e, Some(7), "defaults.op_time", &["20us is shorter"]);
    let e = err(&format!("{BASE}op_time = \"11s\"\n"));
    assert_err(
        &e,
        Some(6),
        "sweep.op_time",
        &["longer than the 10 s ceiling"],
    );
}

#[test]
fn empty_list() {
    let e = err("name = \"t\"\n[sweep]\nmodel = []\n");
    assert_err(&e, Some(3), "sweep.model", &["the list is empty"]);
}

#[test]
fn bad_duration_strings() {
    let e = err(&format!("{BASE}[defaults]\nduration = \"fast\"\n"));
    assert_err(
        &e,
        Some(7),
        "defaults.duration",
        &["\"fast\" has an unknown unit", "us, µs, ms or s"],
    );
    let e = err(&format!("{BASE}[defaults]\nduration = \"10\"\n"));
    assert_err(&e, Some(7), "defaults.duration", &["has no unit"]);
    let e = err(&format!("{BASE}[defaults]\nduration = 0\n"));
    assert_err(&e, Some(7), "defaults.duration", &["outside (0, 600]"]);
    let e = err(&format!("{BASE}[defaults]\ntimeout = \"0s\"\n"));
    assert_err(&e, Some(7), "defaults.timeout", &["not positive"]);
}

#[test]
fn missing_name() {
    let e = err("[sweep]\nmodel = \"thread\"\nio_fraction = 0.5\nconcurrency = 2\n");
    assert_err(&e, None, "name", &["missing key `name`", "add name ="]);
    let e = err("name = \"../up\"\n");
    assert_err(&e, Some(1), "name", &["not a valid name"]);
}

#[test]
fn missing_sweep_keys_point_at_the_table() {
    let e = err("name = \"t\"\n\n[sweep]\nmodel = \"thread\"\nconcurrency = 2\n");
    assert_err(
        &e,
        Some(3),
        "sweep.io_fraction",
        &["missing key `io_fraction`"],
    );
    let e = err("name = \"t\"\n[[include]]\nmodel = \"thread\"\nio_fraction = 1\n");
    assert_err(
        &e,
        Some(2),
        "include[1].concurrency",
        &["take missing keys from [sweep]"],
    );
    let e = err("name = \"t\"\n");
    assert_err(
        &e,
        None,
        "sweep",
        &["expands to no cell", "add a [sweep] table"],
    );
}

#[test]
fn toml_syntax_error_has_its_line() {
    let e = err("name = \"t\"\n[sweep]\nmodel = [\"thread\"\n");
    assert_eq!(e.field, "");
    assert!(e.line.is_some());
    assert!(e.to_string().contains("TOML syntax"), "{e}");
}

#[test]
fn defaults_ranges_and_conflicts() {
    let e = err(&format!("{BASE}[defaults]\nduration = \"1s\"\nops = 100\n"));
    assert_err(&e, Some(8), "defaults.ops", &["both `duration` and `ops`"]);
    let e = err(&format!("{BASE}[defaults]\nrepetitions = 0\n"));
    assert_err(
        &e,
        Some(7),
        "defaults.repetitions",
        &["0 is outside 1..=100"],
    );
    let e = err(&format!("{BASE}[defaults]\nwarmup = 2\n"));
    assert_err(&e, Some(7), "defaults.warmup", &["2 is outside [0, 1]"]);
    let e = err(&format!("{BASE}[defaults]\nops = 0\n"));
    assert_err(&e, Some(7), "defaults.ops", &["less than 1"]);
    let e = err(&format!(
        "{BASE}[defaults]\nduration = \"10s\"\ntimeout = \"5s\"\n"
    ));
    assert_err(
        &e,
        Some(8),
        "defaults.timeout",
        &["not longer than the window"],
    );
}

#[test]
fn include_and_exclude_must_be_arrays_of_tables() {
    let e = err(&format!("{BASE}[include]\nmodel = \"async\"\n"));
    assert_err(
        &e,
        Some(6),
        "include",
        &["expected a list of tables", "[[include]]"],
    );
    let e = err(&format!("{BASE}[[exclude]]\n"));
    assert_err(
        &e,
        Some(6),
        "exclude[1]",
        &["empty [[exclude]] would remove every cell"],
    );
}

#[test]
fn fault_key_and_model_go_together() {
    let e = err(&format!("{BASE}fault = \"panic\"\n"));
    assert_err(
        &e,
        Some(6),
        "sweep.fault",
        &["only applies to the test-only model"],
    );
    let e = err("name = \"t\"\n[sweep]\nmodel = \"fault\"\nio_fraction = 0\nconcurrency = 1\n");
    assert_err(&e, Some(3), "sweep.model", &["needs a `fault` key"]);
    let p = plan("name = \"t\"\n[sweep]\nmodel = \"fault\"\nfault = [\"panic\", \"hang\"]\nio_fraction = 0\nconcurrency = 1\n");
    let faults: Vec<_> = p.cells.iter().map(|c| c.fault).collect();
    assert_eq!(faults, [Some(Fault::Panic), Some(Fault::Hang)]);
}
