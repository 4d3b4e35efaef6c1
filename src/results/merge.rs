//! Merging several results files into one view for the report: runs of two machines,
//! two interpreters, or a Rust run and a Python run of the same machine.
//!
//! Cells keep the file they came from. Each file gets a short *tag* naming what tells it
//! apart from the others (host name, Python version, or the run's start time), so the
//! report can draw and tabulate their cells side by side without mixing them up. Files
//! that do not differ share the empty tag and are drawn together.

use std::collections::BTreeSet;

use super::{CellResult, Results};

/// One input file: everything but its cells, plus the tag that tells it apart.
#[derive(Debug, Clone)]
pub struct Source {
    /// What distinguishes this file from the others in the merge ("" when nothing needs to).
    pub tag: String,
    /// The file's header: scenario, environment, calibration, run, notes (cells moved out).
    pub results: Results,
}

/// A cell and the index of the [`Source`] it came from.
#[derive(Debug, Clone)]
pub struct SourcedCell {
    /// Index into [`Merged::sources`].
    pub source: usize,
    /// The cell as stored in its file.
    pub result: CellResult,
}

/// Several results files, merged.
#[derive(Debug, Clone, Default)]
pub struct Merged {
    /// The input files, in the order given.
    pub sources: Vec<Source>,
    /// Every cell of every file, in file order then run order.
    pub cells: Vec<SourcedCell>,
}

impl Merged {
    /// The tag of the file `cell` came from.
    pub fn tag_of(&self, cell: &SourcedCell) -> &str {
        &self.sources[cell.source].tag
    }

    /// The cell's id prefixed with its file's tag when there is one (`host-a: rust/...`).
    pub fn display_id(&self, cell: &SourcedCell) -> String {
        let tag = self.tag_of(cell);
        if tag.is_empty() {
            cell.result.id.clone()
        } else {
            format!("{tag}: {}", cell.result.id)
        }
    }

    /// The distinct tags, in first-seen order.
    pub fn tags(&self) -> Vec<String> {
        let mut seen = Vec::new();
        for s in &self.sources {
            if !seen.contains(&s.tag) {
                seen.push(s.tag.clone());
            }
        }
        seen
    }
}

/// Merges results files. One file gives one source with an empty tag.
pub fn merge(files: &[Results]) -> Merged {
    let tags = tags_for(files);
    let mut merged = Merged::default();
    for (i, (file, tag)) in files.iter().zip(tags).enumerate() {
        let mut header = file.clone();
        let cells = std::mem::take(&mut header.cells);
        merged.sources.push(Source {
            tag,
            results: header,
        });
        merged.cells.extend(
            cells
                .into_iter()
                .map(|result| SourcedCell { source: i, result }),
        );
    }
    merged
}

/// Picks each file's tag from what differs between the files: host name, then Python
/// version; when that still leaves two files with the same cell ids under the same tag
/// (two runs of one machine), the run's position and start time are added.
fn tags_for(files: &[Results]) -> Vec<String> {
    if files.len() < 2 {
        return vec![String::new(); files.len()];
    }
    let differs =
        |f: &dyn Fn(&Results) -> String| files.iter().map(f).collect::<BTreeSet<_>>().len() > 1;
    let host = |r: &Results| r.environment.hostname.clone();
    let python = |r: &Results| {
        r.environment
            .python
            .as_ref()
            .map(|p| {
                p.version
                    .split_whitespace()
                    .next()
                    .unwrap_or("")
                    .to_string()
            })
            .unwrap_or_default()
    };
    let by_host = differs(&host);
    let by_python = differs(&python);
    let mut tags: Vec<String> = files
        .iter()
        .map(|r| {
            let mut parts = Vec::new();
            if by_host {
                parts.push(host(r));
            }
            if by_python {
                let v = python(r);
                parts.push(if v.is_empty() {
                    "no python".to_string()
                } else {
                    format!("python {v}")
                });
            }
            parts.join(", ")
        })
        .collect();
    // Same tag and overlapping cell ids: the files would overwrite each other's points.
    let collides = |i: usize, j: usize| {
        tags[i] == tags[j]
            && files[i]
                .cells
                .iter()
                .any(|a| files[j].cells.iter().any(|b| a.id == b.id))
    };
    let mut clash = vec![false; files.len()];
    for i in 0..files.len() {
        for j in i + 1..files.len() {
            if collides(i, j) {
                clash[i] = true;
                clash[j] = true;
            }
        }
    }
    for (i, tag) in tags.iter_mut().enumerate() {
        if clash[i] {
            let run = format!("run {} ({})", i + 1, files[i].run.started_at);
            *tag = if tag.is_empty() {
                run
            } else {
                format!("{tag}, {run}")
            };
        }
    }
    tags
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixture() -> Results {
        serde_json::from_str(include_str!("../../tests/fixtures/fixture-results.json"))
            .expect("fixture parses")
    }

    #[test]
    fn one_file_has_no_tag() {
        let m = merge(&[fixture()]);
        assert_eq!(m.sources.len(), 1);
        assert_eq!(m.sources[0].tag, "");
        assert!(m.sources[0].results.cells.is_empty(), "cells moved out");
        assert_eq!(m.cells.len(), fixture().cells.len());
    }

    #[test]
    fn tags_name_what_differs() {
        let a = fixture();
        let mut b = fixture();
        b.environment.hostname = "b-host".into();
        let m = merge(&[a.clone(), b]);
        assert_eq!(m.tags(), vec!["fixture-host", "b-host"]);

        let mut c = fixture();
        if let Some(p) = c.environment.python.as_mut() {
            p.version = "3.13.1 (main)".into();
        }
        let m = merge(&[a.clone(), c]);
        assert_eq!(m.tags(), vec!["python 3.11.7", "python 3.13.1"]);
    }

    #[test]
    fn same_machine_twice_is_told_apart_by_run() {
        let a = fixture();
        let m = merge(&[a.clone(), a.clone()]);
        assert!(m.sources[0].tag.starts_with("run 1"));
        assert!(m.sources[1].tag.starts_with("run 2"));
        assert!(m.display_id(&m.cells[0]).starts_with("run 1"));

        // Same machine, disjoint cells (a Rust run and a Python run): drawn together.
        let mut rust = a.clone();
        rust.cells.retain(|c| c.id.starts_with("rust/"));
        let mut py = a;
        py.cells.retain(|c| !c.id.starts_with("rust/"));
        let m = merge(&[rust, py]);
        assert_eq!(m.tags(), vec![""]);
    }
}
