//! One run per output folder: an advisory lock on `<out>/.spectrum.lock`.
//!
//! Two runs into one `--out` used to overwrite each other's `results.json` after every
//! repetition; both exited 0 and one run's results were gone. A run now holds an
//! exclusive `flock` on the folder's lock file for its whole length, and a second run
//! refuses at once (exit 2) naming the folder and the first run's pid, which the holder
//! writes into the file. Refusing beats waiting: a sweep lasts minutes to hours, and a
//! second run queued silently behind it is rarely what was meant.
//!
//! The lock is the kernel's, tied to the open file: it goes away with the process, however
//! it ends (Ctrl-C, SIGKILL, a crash), so a stale lock file is harmless and never needs
//! cleaning up. The file itself is never deleted (deleting it would let two runs lock two
//! different files of the same name).

use anyhow::{Context, Result};
use std::fs::{self, File, OpenOptions};
use std::io::{Read, Seek, Write};
use std::os::unix::fs::OpenOptionsExt;
use std::os::unix::io::AsRawFd;
use std::path::Path;

use crate::text;

/// The lock file's name inside the output folder.
pub const LOCK_FILE: &str = ".spectrum.lock";

/// The output folder is held by another run, or its lock file is not one: bad input
/// (exit code 2) that names the folder, and the other run's pid when it is known.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct FolderBusy(pub String);

/// The held lock on an output folder; dropping it releases the folder.
#[derive(Debug)]
pub struct OutputLock {
    // Held only for its open file description, which carries the lock.
    _file: File,
}

/// Creates the output folder if needed and locks it for this run; a folder another run
/// holds is a [`FolderBusy`] naming that run's pid.
pub fn lock_output(dir: &Path) -> Result<OutputLock> {
    fs::create_dir_all(dir).with_context(|| format!("could not create '{}'", text::path(dir)))?;
    let path = dir.join(LOCK_FILE);
    let mut file = open_lock_file(&path, true)?;
    if !try_flock(&file, libc::LOCK_EX)? {
        return Err(busy(dir, &mut file).into());
    }
    // Ours now: say who holds it, for the run that will be refused.
    let pid = std::process::id();
    file.set_len(0)
        .and_then(|()| file.rewind())
        .and_then(|()| writeln!(file, "{pid}"))
        .with_context(|| format!("could not write '{}'", text::path(&path)))?;
    Ok(OutputLock { _file: file })
}

/// Fails when a run holds `dir` (for `spectrum report`, which writes `index.html` there
/// but leaves no lock file of its own behind).
pub fn check_unlocked(dir: &Path) -> Result<()> {
    let path = dir.join(LOCK_FILE);
    if fs::symlink_metadata(&path).is_err() {
        return Ok(()); // no run ever locked it
    }
    let mut file = open_lock_file(&path, false)?;
    // A shared lock is refused only while a run holds the exclusive one; it is released
    // when `file` closes.
    if try_flock(&file, libc::LOCK_SH)? {
        Ok(())
    } else {
        Err(busy(dir, &mut file).into())
    }
}

/// Opens the lock file without following a symlink planted at its name, and never
/// truncates it before the lock is ours.
fn open_lock_file(path: &Path, create: bool) -> Result<File> {
    let file = OpenOptions::new()
        .read(true)
        .write(create)
        .create(create)
        .mode(0o644)
        .custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK)
        .open(path)
        .with_context(|| {
            format!(
                "could not open the lock file '{}' (remove it if it is not a plain file; no \
                 run can be using it then)",
                text::path(path)
            )
        })?;
    let meta = file.metadata()?;
    if !meta.is_file() {
        return Err(FolderBusy(format!(
            "'{}' is {}, not spectrum's lock file; remove it",
            text::path(path),
            crate::input::kind_of(meta.file_type())
        ))
        .into());
    }
    Ok(file)
}

/// `flock(operation | LOCK_NB)`: true when the lock was taken, false when another
/// process holds a conflicting one.
fn try_flock(file: &File, operation: libc::c_int) -> Result<bool> {
    // SAFETY: flock on a file descriptor we own; no memory is passed.
    let rc = unsafe { libc::flock(file.as_raw_fd(), operation | libc::LOCK_NB) };
    if rc == 0 {
        return Ok(true);
    }
    let err = std::io::Error::last_os_error();
    if err.raw_os_error() == Some(libc::EWOULDBLOCK) {
        Ok(false)
    } else {
        Err(err).context("could not lock the output folder")
    }
}

/// The refusal: which folder, and the pid the holder wrote (when it has already).
fn busy(dir: &Path, file: &mut File) -> FolderBusy {
    let mut text = String::new();
    let _ = file.read_to_string(&mut text);
    let who = match text.trim().parse::<u32>() {
        Ok(pid) => format!("another spectrum run (pid {pid})"),
        Err(_) => "another spectrum run".to_string(),
    };
    FolderBusy(format!(
        "{who} is writing into '{}'; wait for it to finish, or give this one another \
         folder with --out DIR",
        text::path(dir)
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_lock_is_refused_with_the_holders_pid_until_the_first_drops() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("out");
        let held = lock_output(&out).unwrap();
        // flock locks belong to the open file description: a second open in the same
        // process conflicts like another process would.
        let err = lock_output(&out).unwrap_err().to_string();
        let me = std::process::id();
        assert!(
            err.contains(&format!("another spectrum run (pid {me}) is writing into")),
            "{err}"
        );
        assert!(check_unlocked(&out).is_err());
        drop(held);
        assert!(check_unlocked(&out).is_ok());
        let _again = lock_output(&out).unwrap();
        assert_eq!(
            fs::read_to_string(out.join(LOCK_FILE)).unwrap().trim(),
            me.to_string()
        );
    }

    #[test]
    fn a_symlink_at_the_lock_name_is_not_followed() {
        let dir = tempfile::tempdir().unwrap();
        let victim = dir.path().join("victim");
        fs::write(&victim, "precious").unwrap();
        let out = dir.path().join("out");
        fs::create_dir(&out).unwrap();
        std::os::unix::fs::symlink(&victim, out.join(LOCK_FILE)).unwrap();
        assert!(lock_output(&out).is_err());
        assert_eq!(fs::read_to_string(&victim).unwrap(), "precious");
    }

    #[test]
    fn a_folder_never_locked_is_free() {
        let dir = tempfile::tempdir().unwrap();
        assert!(check_unlocked(dir.path()).is_ok());
        assert!(!dir.path().join(LOCK_FILE).exists());
    }
}
