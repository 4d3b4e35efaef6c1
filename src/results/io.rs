//! Reading and writing results files. Writes are atomic: a temp file in the same folder,
//! then a rename, so a reader never sees half a file and Ctrl-C never leaves one; a full
//! disk is told apart from other write errors ([`DiskFull`]). Reads take only a regular
//! file of bounded size ([`crate::input`]) and say plainly what is wrong with one that is
//! not a results file.

use anyhow::{anyhow, bail, Context, Result};
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

/// The disk filled up (`ENOSPC`) or the quota ran out (`EDQUOT`) while a run was saving
/// its results. Its own exit code (3): unlike a failed cell, the measurements themselves
/// may have been fine, and the message says what the file on disk still holds.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct DiskFull(pub String);

/// True when a write in `err`'s chain failed for want of space or quota.
pub fn is_disk_full(err: &anyhow::Error) -> bool {
    use std::io::ErrorKind;
    err.chain().any(|e| {
        // By kind: tempfile re-wraps the OS error with its path, which keeps the kind
        // but not the raw code.
        e.downcast_ref::<std::io::Error>().is_some_and(|io| {
            matches!(io.kind(), ErrorKind::StorageFull | ErrorKind::QuotaExceeded)
        })
    })
}

/// Writes a results file atomically, pretty-printed.
pub fn write_results(path: &Path, results: &Results) -> Result<()> {
    write_atomic(path, &results_bytes(results)?)
}

/// The bytes of a results file: pretty-printed JSON and a final newline.
pub fn results_bytes(results: &Results) -> Result<Vec<u8>> {
    let mut json = serde_json::to_vec_pretty(results).context("could not serialize results")?;
    json.push(b'\n');
    Ok(json)
}

/// Largest results file `spectrum report` reads: a default run writes about 1 MiB, a
/// sweep at the cell limit with 100 repetitions a few hundred.
pub const RESULTS_MAX_BYTES: u64 = 512 << 20;

/// Reads a results file, checking its schema. Only a regular file of at most
/// [`RESULTS_MAX_BYTES`] is read (never a FIFO or a device); a UTF-8 byte-order mark is
/// accepted.
pub fn read_results(path: &Path) -> Result<Results> {
    let shown = text::path(path);
    let bytes = crate::input::read_regular(path, RESULTS_MAX_BYTES)
        .map_err(|e| anyhow!("'{shown}' {e}; give the results.json that `spectrum run` wrote"))?;
    let text = String::from_utf8(bytes).map_err(|e| {
        anyhow!(
            "'{shown}' is not UTF-8 text (invalid byte at offset {}); give the results.json \
             that `spectrum run` wrote",
            e.utf8_error().valid_up_to()
        )
    })?;
    let value: serde_json::Value = serde_json::from_str(crate::input::strip_bom(&text))
        .with_context(|| format!("'{shown}' is not JSON"))?;
    match value.get("schema") {
        Some(serde_json::Value::String(s)) if s == SCHEMA => {}
        Some(serde_json::Value::String(other)) => bail!(
            "'{shown}' has schema '{}'; this spectrum reads '{SCHEMA}'",
            text::escape(other)
        ),
        Some(other) => bail!(
            "'{shown}' has a \"schema\" field of {}, not the string \"{SCHEMA}\": it is not \
             a spectrum results file, or one edited by hand",
            text::escape(&short_json(other))
        ),
        None if !value.is_object() => {
            bail!("'{shown}' is JSON but not an object: it is not a spectrum results file")
        }
        None => bail!("'{shown}' is not a spectrum results file (no \"schema\" field)"),
    }
    serde_json::from_value(value).with_context(|| format!("'{shown}' does not match {SCHEMA}"))
}

/// A JSON value in at most 40 characters, for a message.
fn short_json(v: &serde_json::Value) -> String {
    let s = v.to_string();
    match s.char_indices().nth(40) {
        Some((i, _)) => format!("{}…", &s[..i]),
        None => s,
    }
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
    fn disk_full_is_told_apart_from_other_write_errors() {
        let full = anyhow::Error::new(std::io::Error::from_raw_os_error(libc::ENOSPC))
            .context("could not write 'x'");
        assert!(is_disk_full(&full));
        let quota = anyhow::Error::new(std::io::Error::from_raw_os_error(libc::EDQUOT));
        assert!(is_disk_full(&quota));
        let denied = anyhow::Error::new(std::io::Error::from_raw_os_error(libc::EACCES));
        assert!(!is_disk_full(&denied));
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
