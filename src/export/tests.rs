//! The exporters on the fixture results: each output read back and checked for shape.

use std::path::PathBuf;

use super::*;
use crate::results::{compare, merge, CellStatus, Results};

pub(crate) fn fixture() -> Results {
    serde_json::from_str(include_str!("../../tests/fixtures/fixture-results.json")).unwrap()
}

fn export(format: Format, files: &[Results], comparison: Option<(&Comparison, &str)>) -> String {
    let merged = merge(files);
    let input = Input {
        files,
        merged: &merged,
        comparison,
    };
    String::from_utf8(format.exporter().serialize(&input).unwrap()).unwrap()
}

#[test]
fn csv_has_one_row_per_cell_and_every_number_parses() {
    let r = fixture();
    let text = export(Format::Csv, std::slice::from_ref(&r), None);
    let mut rd = ::csv::Reader::from_reader(text.as_bytes());
    let head: Vec<String> = rd.headers().unwrap().iter().map(String::from).collect();
    assert_eq!(head, csv_columns());
    let rows: Vec<::csv::StringRecord> = rd.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), r.cells.len());
    let col = |name: &str| head.iter().position(|h| h == name).unwrap();
    for (row, cell) in rows.iter().zip(&r.cells) {
        assert_eq!(&row[col("id")], cell.id);
        if cell.status == CellStatus::Ok {
            let ops: f64 = row[col("ops_per_s")].parse().unwrap();
            assert_eq!(
                ops,
                cell.summary.unwrap().ops_per_s.median,
                "full precision"
            );
            for name in ["io_fraction", "efficiency", "latency_p99_us", "max_rss_kib"] {
                row[col(name)].parse::<f64>().unwrap();
            }
        } else {
            assert_eq!(&row[col("status")], "failed");
            assert_eq!(&row[col("ops_per_s")], "");
            assert!(!row[col("error")].is_empty());
        }
    }
}

#[test]
fn csv_of_merged_files_names_each_row_s_file() {
    let a = fixture();
    let mut b = fixture();
    b.environment.hostname = "other".into();
    let text = export(Format::Csv, &[a.clone(), b], None);
    let mut rd = ::csv::Reader::from_reader(text.as_bytes());
    assert_eq!(&rd.headers().unwrap()[0], "source");
    let rows: Vec<_> = rd.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), 2 * a.cells.len());
    assert_eq!(&rows.last().unwrap()[0], "other");
}

/// The Markdown tables of `text`: each a list of rows, each a list of cells, split on
/// the pipes that are not escaped.
fn tables(text: &str) -> Vec<Vec<Vec<String>>> {
    let mut out: Vec<Vec<Vec<String>>> = Vec::new();
    let mut in_table = false;
    for line in text.lines() {
        if !line.starts_with('|') {
            in_table = false;
            continue;
        }
        assert!(line.ends_with('|'), "{line}");
        let mut cells = vec![String::new()];
        let mut escaped = false;
        for ch in line[1..line.len() - 1].chars() {
            match ch {
                '|' if !escaped => cells.push(String::new()),
                _ => cells.last_mut().unwrap().push(ch),
            }
            escaped = ch == '\\' && !escaped;
        }
        if !in_table {
            out.push(Vec::new());
            in_table = true;
        }
        out.last_mut().unwrap().push(cells);
    }
    out
}

/// Every table has a header, an alignment row and rows of the header's width.
fn assert_well_formed(text: &str, columns: usize) -> usize {
    let tables = tables(text);
    for t in &tables {
        assert!(t.len() >= 3, "{t:?}");
        assert_eq!(t[0].len(), columns, "{:?}", t[0]);
        assert!(
            t[1].iter().all(|c| c == ":--" || c == "--:"),
            "alignment row {:?}",
            t[1]
        );
        assert!(t.iter().all(|r| r.len() == columns), "{text}");
    }
    tables.len()
}

#[test]
fn markdown_has_a_header_and_one_well_formed_table_per_runtime() {
    let mut r = fixture();
    // A pipe in a label must not split its cell.
    // (The table shows plain names; an unknown model word passes through them as is.)
    r.cells[0].label = "se|q<b>".into();
    r.scenario.name = "a|b".into();
    let text = export(Format::Markdown, std::slice::from_ref(&r), None);
    assert!(text.starts_with("## spectrum: a\\|b\n"), "{text}");
    assert!(text.contains("- **Machine:** "), "{text}");
    assert!(text.contains("- **Run:** scenario a\\|b, "), "{text}");
    assert!(
        text.contains("00:10:00Z, 120 cells (119 measured), 3 repetition(s) each"),
        "{text}"
    );
    assert_eq!(assert_well_formed(&text, 13), 2, "rust and python");
    assert!(text.contains("### rust\n") && text.contains("### python\n"));
    assert!(text.contains("se\\|q\\<b\\>"), "{text}");
    assert!(text.contains("### Failed cells"), "{text}");
}

#[test]
fn markdown_with_a_baseline_shows_each_cell_s_change() {
    let r = fixture();
    let c = compare(&merge(std::slice::from_ref(&r)), &r, 0.05);
    let text = export(
        Format::Markdown,
        std::slice::from_ref(&r),
        Some((&c, "old.json")),
    );
    assert_eq!(assert_well_formed(&text, 16), 2);
    assert!(text.contains("Compared with old.json"), "{text}");
    assert!(
        text.contains("| new ÷ old | 95% interval | change |"),
        "{text}"
    );
    // A run compared with itself: the ratio is 1 and nothing changed.
    assert!(text.contains("| 1.00× | "), "{text}");
    assert!(!text.contains("| faster |") && !text.contains("| slower |"));
}

#[test]
fn json_is_the_results_file_itself() {
    let r = fixture();
    let text = export(Format::Json, std::slice::from_ref(&r), None);
    let back: Results = serde_json::from_str(&text).unwrap();
    assert_eq!(back, r);
}

#[test]
fn bad_targets_are_refused_before_anything_is_written() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let file = d.join("file");
    std::fs::write(&file, "x").unwrap();
    let check = |csv: Option<PathBuf>, md: Option<PathBuf>, json: Option<PathBuf>, files| {
        Exports::new(csv, md, json, None)
            .check(&[d.join("results.json")], files)
            .map_err(|e| e.to_string())
    };
    let folder = check(Some(d.to_path_buf()), None, None, 1).unwrap_err();
    assert!(
        folder.starts_with("--export-csv: ") && folder.contains("is a folder"),
        "{folder}"
    );
    let under_file = check(None, Some(file.join("x.md")), None, 1).unwrap_err();
    assert!(
        under_file.contains("is a file, not a folder"),
        "{under_file}"
    );
    let twice = check(Some(d.join("a")), Some(d.join("a")), None, 1).unwrap_err();
    assert!(
        twice.starts_with("--export-markdown: ") && twice.contains("--export-csv"),
        "{twice}"
    );
    let input = check(None, None, Some(d.join("results.json")), 1).unwrap_err();
    assert!(input.contains("results file being read"), "{input}");
    let merged = check(None, None, Some(d.join("out.json")), 2).unwrap_err();
    assert!(
        merged.starts_with("--export-json: copies one results file"),
        "{merged}"
    );
    // A missing folder is created at write time: fine.
    check(Some(d.join("new/sub/cells.csv")), None, None, 1).unwrap();
    // Nothing was left behind by the checks.
    let names: Vec<_> = std::fs::read_dir(d).unwrap().collect();
    assert_eq!(names.len(), 1);
}

#[test]
fn trace_has_the_required_fields_of_the_trace_event_format() {
    use crate::metrics::{Span, Timeline};
    let mut r = fixture();
    // No timeline anywhere: a clear error, not an empty trace.
    for c in &mut r.cells {
        for m in &mut c.repetitions {
            m.timeline = None;
        }
    }
    let merged = merge(std::slice::from_ref(&r));
    let input = Input {
        files: std::slice::from_ref(&r),
        merged: &merged,
        comparison: None,
    };
    let err = TraceExporter.serialize(&input).unwrap_err().to_string();
    assert!(err.contains("no timeline"), "{err}");

    let span = |worker, start| Span {
        worker,
        start,
        cpu_end: start + 3_000,
        end: start + 10_000,
        cpu: 1_000,
    };
    let cell = r
        .cells
        .iter_mut()
        .find(|c| !c.repetitions.is_empty())
        .unwrap();
    cell.repetitions[0].timeline = Some(Timeline {
        sampled: 2,
        workers: 2,
        window_ns: 50_000,
        spans: vec![span(0, 0), span(1, 4_000)],
    });
    let text = export(Format::Trace, std::slice::from_ref(&r), None);
    let doc: serde_json::Value = serde_json::from_str(&text).unwrap();
    let events = doc["traceEvents"].as_array().unwrap();
    // Process name, 2 thread names, and 3 slices for each of the 2 ops.
    assert_eq!(events.len(), 1 + 2 + 6);
    for e in events {
        for key in ["ph", "name", "pid", "tid"] {
            assert!(!e[key].is_null(), "{key} missing in {e}");
        }
        match e["ph"].as_str().unwrap() {
            "X" => {
                assert!(e["ts"].as_f64().unwrap() >= 0.0);
                assert!(e["dur"].as_f64().unwrap() > 0.0);
                assert!(STATES.contains(&e["name"].as_str().unwrap()));
            }
            "M" => assert!(e["args"]["name"].is_string()),
            other => panic!("unexpected phase {other}"),
        }
    }
    // The second op's slices: computing 1 µs from 4 µs, ready 2 µs, I/O 7 µs.
    let slices: Vec<(f64, f64)> = events
        .iter()
        .filter(|e| e["ph"] == "X" && e["tid"] == 1)
        .map(|e| (e["ts"].as_f64().unwrap(), e["dur"].as_f64().unwrap()))
        .collect();
    assert_eq!(slices, vec![(4.0, 1.0), (5.0, 2.0), (7.0, 7.0)]);
}
