//! Exports: the results in the formats people already work with — CSV for pandas or a
//! spreadsheet, Markdown for a pull request, and a copy of the results JSON — behind one
//! small [`Exporter`] trait with one file per format (hyperfine's `src/export/` shape).
//!
//! An exporter is a pure function of the results (and of a comparison when there is a
//! baseline): it returns the file's bytes, and this module writes them atomically. The
//! targets are checked before anything runs ([`Exports::check`]), so a run of several
//! minutes never ends on an unwritable path. A new format is one more file and one more
//! [`Format`] variant (the per-op timelines as a Chrome trace were added so).

mod csv;
mod json;
mod markdown;
mod target;
mod trace;

use anyhow::{Context, Result};
use std::path::{Path, PathBuf};

use crate::results::{Comparison, Merged, Results};

pub use self::csv::{csv_columns, CsvExporter};
pub use self::json::JsonExporter;
pub use self::markdown::MarkdownExporter;
pub use self::target::ExportError;
pub use self::trace::{TraceExporter, STATES};

/// What every exporter is given: the results files (several when merged), their merged
/// view, and the comparison against a baseline when there is one.
#[derive(Debug, Clone, Copy)]
pub struct Input<'a> {
    /// The results files as read (or as the run wrote them), in the order given.
    pub files: &'a [Results],
    /// The same files merged: every cell with the file it came from.
    pub merged: &'a Merged,
    /// The comparison against `--baseline`, and how the baseline is named.
    pub comparison: Option<(&'a Comparison, &'a str)>,
}

/// One output format: turns the results into the bytes of one file.
pub trait Exporter {
    /// The file's whole content for `input`.
    fn serialize(&self, input: &Input) -> Result<Vec<u8>>;
}

/// The formats, each named after the flag that asks for it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// `--export-csv`: one row per cell.
    Csv,
    /// `--export-markdown`: one table per runtime, ready to paste.
    Markdown,
    /// `--export-json`: the results file itself.
    Json,
    /// `--export-trace`: the per-op timelines as Chrome trace-event JSON.
    Trace,
}

impl Format {
    /// The command-line flag of this format, for messages.
    pub fn flag(self) -> &'static str {
        match self {
            Format::Csv => "--export-csv",
            Format::Markdown => "--export-markdown",
            Format::Json => "--export-json",
            Format::Trace => "--export-trace",
        }
    }

    /// The exporter that writes this format.
    pub fn exporter(self) -> Box<dyn Exporter> {
        match self {
            Format::Csv => Box::new(CsvExporter),
            Format::Markdown => Box::new(MarkdownExporter),
            Format::Json => Box::new(JsonExporter),
            Format::Trace => Box::new(TraceExporter),
        }
    }
}

/// The exports a command line asked for: a format and a file each.
#[derive(Debug, Clone, Default)]
pub struct Exports {
    targets: Vec<(Format, PathBuf)>,
}

impl Exports {
    /// The exports of the four flags (each optional).
    pub fn new(
        csv: Option<PathBuf>,
        markdown: Option<PathBuf>,
        json: Option<PathBuf>,
        trace: Option<PathBuf>,
    ) -> Exports {
        let targets = [
            (Format::Csv, csv),
            (Format::Markdown, markdown),
            (Format::Json, json),
            (Format::Trace, trace),
        ]
        .into_iter()
        .filter_map(|(f, p)| p.map(|p| (f, p)))
        .collect();
        Exports { targets }
    }

    /// True when no export was asked for.
    pub fn is_empty(&self) -> bool {
        self.targets.is_empty()
    }

    /// Checks every target before any work is done: each names a file (not a folder) in
    /// a folder this process can write, no two flags share a file, and none would
    /// overwrite one of `inputs` (the results files being read). `files` is how many
    /// results files will be exported (`--export-json` copies exactly one).
    pub fn check(&self, inputs: &[PathBuf], files: usize) -> Result<(), ExportError> {
        target::check(&self.targets, inputs, files)
    }

    /// Writes every export of `input`, each atomically; returns the paths written.
    pub fn write(&self, input: &Input) -> Result<Vec<PathBuf>> {
        let mut written = Vec::new();
        for (format, path) in &self.targets {
            let bytes = format
                .exporter()
                .serialize(input)
                .with_context(|| format!("{}: could not export the results", format.flag()))?;
            write_one(*format, path, &bytes)?;
            written.push(path.clone());
        }
        Ok(written)
    }
}

/// Writes one export atomically (temp file + rename: nothing half-written).
fn write_one(format: Format, path: &Path, bytes: &[u8]) -> Result<()> {
    crate::results::write_atomic(path, bytes).with_context(|| format!("{} failed", format.flag()))
}

#[cfg(test)]
pub(crate) mod tests;
