//! Reading and writing results files. Writes are atomic: a temp file in the same folder,
//! then a rename, so a reader never sees half a file and Ctrl-C never leaves one.

use anyhow::{bail, Context, Result};
use std::fs;
use std::io::Write;
use std::path::Path;

use super::{Results, SCHEMA};

/// Writes `bytes` to `path` atomically (temp file beside it + rename).
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    fs::create_dir_all(dir).with_context(|| format!("could not create '{}'", dir.display()))?;
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "out".into());
    let tmp = dir.join(format!(".{name}.tmp.{}", std::process::id()));
    let result = (|| -> Result<()> {
        let mut f = fs::File::create(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        fs::rename(&tmp, path)?;
        Ok(())
    })();
    if result.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    result.with_context(|| format!("could not write '{}'", path.display()))
}

/// Writes a results file atomically, pretty-printed.
pub fn write_results(path: &Path, results: &Results) -> Result<()> {
    let mut json = serde_json::to_vec_pretty(results).context("could not serialize results")?;
    json.push(b'\n');
    write_atomic(path, &json)
}

/// Reads a results file, checking its schema.
pub fn read_results(path: &Path) -> Result<Results> {
    let text =
        fs::read_to_string(path).with_context(|| format!("could not read '{}'", path.display()))?;
    let value: serde_json::Value =
        serde_json::from_str(&text).with_context(|| format!("'{}' is not JSON", path.display()))?;
    match value.get("schema").and_then(|s| s.as_str()) {
        Some(SCHEMA) => {}
        Some(other) => bail!(
            "'{}' has schema '{other}'; this spectrum reads '{SCHEMA}'",
            path.display()
        ),
        None => bail!(
            "'{}' is not a spectrum results file (no \"schema\" field)",
            path.display()
        ),
    }
    serde_json::from_value(value)
        .with_context(|| format!("'{}' does not match {SCHEMA}", path.display()))
}
