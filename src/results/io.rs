//! Reading and writing results files. Writes are atomic: a temp file in the same folder,
//! then a rename, so a reader never sees half a file and Ctrl-C never leaves one.

use anyhow::{bail, Context, Result};
use std::fs;
use std::io::Write;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;

use super::{Results, SCHEMA};
use crate::text;

/// Writes `bytes` to `path` atomically (temp file beside it + rename).
///
/// The output folder may be shared or writable by others, so the temp file is created
/// by `tempfile`: an unpredictable name opened with `O_EXCL`, which fails on anything
/// already there (a planted symlink included) instead of following it. The rename then
/// *replaces* whatever sits at `path`, a symlink too, rather than writing through it.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    fs::create_dir_all(dir).with_context(|| format!("could not create '{}'", text::path(dir)))?;
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "out".into());
    let result = (|| -> std::io::Result<()> {
        let mut tmp = tempfile::Builder::new()
            .prefix(&format!(".{name}."))
            .suffix(".tmp")
            // tempfile's default is 0600; results and reports are meant to be read by
            // others, like any file the user creates (the umask still applies).
            .permissions(fs::Permissions::from_mode(0o644))
            .tempfile_in(dir)?;
        tmp.write_all(bytes)?;
        tmp.as_file().sync_all()?;
        // On failure the temp file is removed when the error drops it: nothing is left
        // half-written.
        tmp.persist(path).map_err(|e| e.error)?;
        // Make the rename itself durable; a folder that cannot be synced is no error.
        if let Ok(d) = fs::File::open(dir) {
            let _ = d.sync_all();
        }
        Ok(())
    })();
    result.with_context(|| format!("could not write '{}'", text::path(path)))
}

/// Writes a results file atomically, pretty-printed.
pub fn write_results(path: &Path, results: &Results) -> Result<()> {
    let mut json = serde_json::to_vec_pretty(results).context("could not serialize results")?;
    json.push(b'\n');
    write_atomic(path, &json)
}

/// Reads a results file, checking its schema.
pub fn read_results(path: &Path) -> Result<Results> {
    let text = fs::read_to_string(path)
        .with_context(|| format!("could not read '{}'", text::path(path)))?;
    let value: serde_json::Value = serde_json::from_str(&text)
        .with_context(|| format!("'{}' is not JSON", text::path(path)))?;
    match value.get("schema").and_then(|s| s.as_str()) {
        Some(SCHEMA) => {}
        Some(other) => bail!(
            "'{}' has schema '{other}'; this spectrum reads '{SCHEMA}'",
            text::path(path)
        ),
        None => bail!(
            "'{}' is not a spectrum results file (no \"schema\" field)",
            text::path(path)
        ),
    }
    serde_json::from_value(value)
        .with_context(|| format!("'{}' does not match {SCHEMA}", text::path(path)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::symlink;

    /// Regression (issue 10, item 1): the temp file used to be `.<name>.tmp.<pid>`,
    /// opened with a plain create, so symlinks planted at those names made a write land
    /// outside the folder. Nothing outside the folder may change, and a symlink at the
    /// final path is replaced, not followed.
    #[test]
    fn planted_symlinks_are_never_followed() {
        let outside = tempfile::tempdir().unwrap();
        let dir = tempfile::tempdir().unwrap();
        let victim = outside.path().join("victim.txt");
        fs::write(&victim, "precious").unwrap();
        let pid = std::process::id();
        for name in ["results.json", "index.html"] {
            for tmp in [
                format!(".{name}.tmp.{pid}"),
                format!(".{name}.tmp"),
                format!("{name}.tmp"),
            ] {
                symlink(&victim, dir.path().join(tmp)).unwrap();
            }
        }
        let target = dir.path().join("index.html");
        symlink(&victim, &target).unwrap();

        write_atomic(&target, b"new report").unwrap();
        write_atomic(&dir.path().join("results.json"), b"{}").unwrap();

        assert_eq!(fs::read_to_string(&victim).unwrap(), "precious");
        let meta = fs::symlink_metadata(&target).unwrap();
        assert!(meta.file_type().is_file(), "the symlink was replaced");
        assert_eq!(fs::read_to_string(&target).unwrap(), "new report");
        // Only what we wrote and what was planted: no temp file left behind.
        let mut names: Vec<String> = fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| !n.contains(".tmp"))
            .collect();
        names.sort();
        assert_eq!(names, ["index.html", "results.json"]);
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 2 + 6);
    }

    #[test]
    fn written_files_are_readable_by_others() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("results.json");
        write_atomic(&path, b"{}").unwrap();
        let mode = fs::metadata(&path).unwrap().permissions().mode();
        assert_eq!(mode & 0o044, 0o044 & !umask(), "mode {mode:o}");
    }

    /// The process umask, read from /proc (setting it to read it would race with the
    /// other tests' file creation).
    fn umask() -> u32 {
        let status = fs::read_to_string("/proc/self/status").unwrap();
        let line = status.lines().find(|l| l.starts_with("Umask:")).unwrap();
        u32::from_str_radix(line["Umask:".len()..].trim(), 8).unwrap()
    }
}
