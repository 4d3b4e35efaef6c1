//! Checking export targets up front: a run of several minutes must not end on a path it
//! cannot write. Each check names the flag, the file and the fix.

use std::path::{Path, PathBuf};

use super::Format;
use crate::text;

/// An export target that cannot be written: bad input, exit code 2.
#[derive(Debug, thiserror::Error)]
#[error("{flag}: {message}")]
pub struct ExportError {
    /// The flag that named the target (`--export-csv`, ...).
    pub flag: &'static str,
    /// What is wrong, and how to fix it.
    pub message: String,
}

fn error(format: Format, message: String) -> ExportError {
    ExportError {
        flag: format.flag(),
        message,
    }
}

/// See [`super::Exports::check`].
pub(super) fn check(
    targets: &[(Format, PathBuf)],
    inputs: &[PathBuf],
    files: usize,
) -> Result<(), ExportError> {
    for (i, (format, path)) in targets.iter().enumerate() {
        let shown = text::path(path);
        if *format == Format::Json && files > 1 {
            return Err(error(
                *format,
                format!(
                    "copies one results file, and {files} were given; export each file on its own, or use --export-csv to get their cells in one table"
                ),
            ));
        }
        if path.as_os_str().is_empty() || path.is_dir() || path.to_string_lossy().ends_with('/') {
            return Err(error(
                *format,
                format!(
                    "'{shown}' is a folder; give a file name, e.g. '{}'",
                    text::path(&path.join(default_name(*format)))
                ),
            ));
        }
        if let Some((other, _)) = targets[..i].iter().find(|(_, p)| same_file(p, path)) {
            return Err(error(
                *format,
                format!(
                    "'{shown}' is also the file of {}; give each export its own file",
                    other.flag()
                ),
            ));
        }
        if inputs.iter().any(|p| same_file(p, path)) {
            return Err(error(
                *format,
                format!("'{shown}' is a results file being read; give the export another name"),
            ));
        }
        let folder = writable_folder(path).map_err(|m| error(*format, m))?;
        // The only sure test of "can write here" is writing: a temp file, removed at once.
        tempfile::Builder::new()
            .prefix(".spectrum-export-check.")
            .tempfile_in(&folder)
            .map_err(|e| {
                error(
                    *format,
                    format!(
                        "cannot write '{shown}': the folder '{}' is not writable ({e}); choose a folder you can write to",
                        text::path(&folder)
                    ),
                )
            })?;
    }
    Ok(())
}

/// A file name to suggest for `format`.
fn default_name(format: Format) -> &'static str {
    match format {
        Format::Csv => "cells.csv",
        Format::Markdown => "cells.md",
        Format::Json => "results.json",
        Format::Trace => "trace.json",
    }
}

/// The folder the export will be written in, or its nearest existing ancestor (the
/// atomic write creates the missing folders); an error when that ancestor is a file.
fn writable_folder(path: &Path) -> Result<PathBuf, String> {
    let parent = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let mut at = parent;
    loop {
        if at.is_dir() {
            return Ok(at.to_path_buf());
        }
        if at.exists() {
            return Err(format!(
                "cannot write '{}': '{}' is a file, not a folder; choose another path",
                text::path(path),
                text::path(at)
            ));
        }
        match at.parent().filter(|p| !p.as_os_str().is_empty()) {
            Some(p) => at = p,
            None => return Ok(PathBuf::from(".")),
        }
    }
}

/// True when `a` and `b` name the same file (compared through their folders' real paths,
/// so `./x.csv` and `x.csv` match; a file that does not exist yet compares by name).
fn same_file(a: &Path, b: &Path) -> bool {
    let real = |p: &Path| -> PathBuf {
        let folder = p
            .parent()
            .filter(|f| !f.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        match (folder.canonicalize(), p.file_name()) {
            (Ok(f), Some(name)) => f.join(name),
            _ => p.to_path_buf(),
        }
    };
    real(a) == real(b)
}
