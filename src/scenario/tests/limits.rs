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

/// Item 7: io_fraction was printed with two decimals, so 0.996, 0.999 and 1.0 were three
/// cells called `f1.00` (and 1e-300 was `f0.00`). Usual shares keep their ids.
#[test]
fn cell_ids_are_unique_and_usual_ones_unchanged() {
    let p = plan(
        "name = \"t\"\n[sweep]\nmodel = \"thread\"\nconcurrency = 2\n\
         io_fraction = [0, 1e-300, 0.1, 0.25, 0.5, 0.996, 0.999, 1.0]\n",
    );
    let ids: Vec<String> = p.cells.iter().map(Cell::id).collect();
    let f: Vec<&str> = ids.iter().map(|id| id.split('/').nth(3).unwrap()).collect();
    assert_eq!(
        f,
        ["f0.00", "f1e-300", "f0.10", "f0.25", "f0.50", "f0.996", "f0.999", "f1.00"]
    );
    assert_eq!(ids[4], "rust/thread/sleep/f0.50/op1000/c2");
}

#[test]
fn two_cells_with_one_id_are_an_error_naming_both() {
    let a = Cell::sleep_op(Runtime::Rust, ModelKind::Thread, 500.0, 500.0, 2);
    let mut b = a.clone();
    b.cpu_us = 400.0; // a field the id does not show
    let src = super::super::error::Source {
        name: "t.toml",
        text: "",
    };
    let e = super::super::expand::check_unique_ids(&src, &[a.clone(), b]).unwrap_err();
    let text = e.to_string();
    assert!(
        text.contains("two different cells get the same id 'rust/thread/sleep/f0.50/op1000/c2'"),
        "{text}"
    );
    assert!(
        text.contains("\"cpu_us\":500.0") && text.contains("\"cpu_us\":400.0"),
        "{text}"
    );
    assert!(super::super::expand::check_unique_ids(&src, &[a]).is_ok());
}
