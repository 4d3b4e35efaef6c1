//! Issue 10 ("Hardening"): the limits a scenario cannot get past, each a clear error
//! before anything big is built.

use super::*;
use std::time::Instant;

/// `n` `[[include]]` tables of `per` Rust thread cells each (distinct op lengths).
fn includes(n: usize, per: usize) -> String {
    let mut text = String::from("name = \"t\"\n");
    let concurrency: Vec<String> = (1..=per).map(|c| c.to_string()).collect();
    for i in 0..n {
        text.push_str(&format!(
            "[[include]]\nmodel = \"thread\"\nio_fraction = 0.5\nop_time = \"{}us\"\nconcurrency = [{}]\n",
            100 + i,
            concurrency.join(", ")
        ));
    }
    text
}

/// Item 5: 999 includes of 100 000 cells used to make 10^8 cells (a 3.2 GB allocation);
/// the plan's total is now capped, checked while the cells are made.
#[test]
fn the_cells_of_all_tables_together_are_capped() {
    let start = Instant::now();
    let e = err(&includes(999, 100));
    assert!(start.elapsed().as_secs() < 5, "took {:?}", start.elapsed());
    assert_eq!(e.field, "include[201]", "{e}");
    let text = e.to_string();
    assert!(
        text.contains("more than 20000 cells (include[1]: 100, include[2]: 100,"),
        "{text}"
    );
    assert!(text.contains("and 196 more tables with 19501"), "{text}");
    assert!(
        text.contains("split the sweep into several scenarios"),
        "{text}"
    );
    // Just under the cap is fine.
    assert_eq!(plan(&includes(200, 100)).cells.len(), 20_000);
}

/// The work of walking combinations is bounded too, even when every one is skipped.
#[test]
fn skipped_combinations_count_against_the_walk() {
    let mut text = String::from("name = \"t\"\n");
    let concurrency: Vec<String> = (1..=1000).map(|c| c.to_string()).collect();
    for _ in 0..200 {
        text.push_str(&format!(
            "[[include]]\nruntime = \"python\"\nmodel = \"rayon\"\nio_fraction = 0.5\nconcurrency = [{}]\n",
            concurrency.join(", ")
        ));
    }
    let e = err(&text);
    assert!(
        e.to_string()
            .contains("the tables expand to 101000 combinations (1000 in this one)"),
        "{e}"
    );
}

/// Excluded cells and merged GIL variants are not counted.
#[test]
fn excluded_and_merged_cells_do_not_count() {
    let concurrency: Vec<String> = (1..=10_000).map(|c| c.to_string()).collect();
    let p = plan(&format!(
        "name = \"t\"\n[sweep]\nruntime = \"python\"\nmodel = [\"thread\", \"async\"]\n\
         io_fraction = 0.5\nconcurrency = [{}]\ngil = [\"held\", \"released\"]\n\
         [[exclude]]\nmodel = \"async\"\n",
        concurrency.join(", ")
    ));
    assert_eq!(p.cells.len(), 10_000);
}

/// Item 6: durations are range-checked before anything converts them; `timeout = 1e300`
/// used to pass and panic in `Duration::from_secs_f64` (exit 101).
#[test]
fn durations_are_range_checked() {
    for (line, problem) in [
        ("timeout = 1e300", "1e300 s is outside 1 ms – 24 h"),
        ("timeout = 2e19", "2e19 s is outside 1 ms – 24 h"),
        ("timeout = \"90000s\"", "90000 s is outside 1 ms – 24 h"),
        ("timeout = 0.0001", "0.0001 s is outside 1 ms – 24 h"),
        ("duration = 1e300", "1e300 s is outside (0, 600] s"),
        ("op_time = 1e300", "1e294s is longer than the 10 s ceiling"),
    ] {
        let e = err(&format!("{BASE}[defaults]\n{line}\n"));
        let key = line.split(' ').next().unwrap();
        assert_err(&e, Some(7), &format!("defaults.{key}"), &[problem]);
    }
    let p = plan(&format!("{BASE}[defaults]\ntimeout = \"86400s\"\n"));
    assert_eq!(p.params.timeout_s, 86_400.0);
}
