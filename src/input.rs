//! Reading the files a user names (scenarios, results): regular files only, with a size
//! limit checked before reading, and never blocking.
//!
//! `spectrum report /dev/zero` used to read without bound and a FIFO hung for ever. The
//! file is opened with `O_NONBLOCK` (so opening a FIFO returns at once instead of waiting
//! for a writer), then the *opened* file is checked, so nothing can swap the path between
//! the check and the read.

use std::fmt;
use std::fs::{File, FileType, OpenOptions};
use std::io::{self, Read};
use std::os::unix::fs::{FileTypeExt, OpenOptionsExt};
use std::path::Path;

/// Why an input file could not be read.
#[derive(Debug)]
pub enum InputError {
    /// Not a regular file: a directory, a FIFO, a device, a socket.
    NotRegular(&'static str),
    /// Larger than the limit (checked before reading, and again while reading).
    TooLarge {
        /// The file's size in bytes, or at least this many when it grew while read.
        size: u64,
        /// The limit in bytes.
        limit: u64,
    },
    /// Opening or reading failed.
    Io(io::Error),
}

impl fmt::Display for InputError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            InputError::NotRegular(kind) => write!(f, "is {kind}, not a regular file"),
            InputError::TooLarge { size, limit } => {
                write!(f, "is {}, over the {} limit", mib(*size), mib(*limit))
            }
            InputError::Io(e) => write!(f, "could not be read: {e}"),
        }
    }
}

impl std::error::Error for InputError {}

/// The contents of the regular file at `path` (symbolic links followed), at most `limit`
/// bytes.
pub fn read_regular(path: &Path, limit: u64) -> Result<Vec<u8>, InputError> {
    let file = OpenOptions::new()
        .read(true)
        // A FIFO opens at once instead of waiting for a writer; a terminal device never
        // becomes our controlling terminal. Regular files ignore both.
        .custom_flags(libc::O_NONBLOCK | libc::O_NOCTTY)
        .open(path)
        .map_err(InputError::Io)?;
    let meta = file.metadata().map_err(InputError::Io)?;
    if !meta.is_file() {
        return Err(InputError::NotRegular(kind_of(meta.file_type())));
    }
    if meta.len() > limit {
        return Err(InputError::TooLarge {
            size: meta.len(),
            limit,
        });
    }
    read_at_most(file, meta.len(), limit)
}

/// Reads `file` (expected to hold `expected` bytes) to its end, failing past `limit`:
/// a file that grows while read is held to the limit too.
fn read_at_most(file: File, expected: u64, limit: u64) -> Result<Vec<u8>, InputError> {
    let mut buf = Vec::with_capacity(expected as usize);
    file.take(limit.saturating_add(1))
        .read_to_end(&mut buf)
        .map_err(InputError::Io)?;
    if buf.len() as u64 > limit {
        return Err(InputError::TooLarge {
            size: buf.len() as u64,
            limit,
        });
    }
    Ok(buf)
}

/// What kind of file a non-regular one is, for a message ("a directory").
pub(crate) fn kind_of(t: FileType) -> &'static str {
    if t.is_dir() {
        "a directory"
    } else if t.is_fifo() {
        "a FIFO (named pipe)"
    } else if t.is_char_device() {
        "a character device (like /dev/zero)"
    } else if t.is_block_device() {
        "a block device"
    } else if t.is_socket() {
        "a socket"
    } else {
        "a special file"
    }
}

/// A size in MiB as a person reads it.
fn mib(bytes: u64) -> String {
    let m = bytes as f64 / (1024.0 * 1024.0);
    if m >= 10.0 {
        format!("{m:.0} MiB")
    } else {
        format!("{m:.1} MiB")
    }
}

/// `text` without a leading UTF-8 byte-order mark, which some editors on Windows write
/// and JSON parsers reject as "expected value at line 1 column 1".
pub fn strip_bom(text: &str) -> &str {
    text.strip_prefix('\u{feff}').unwrap_or(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn special_files_are_refused_without_reading() {
        let err = read_regular(Path::new("/dev/zero"), 1 << 20).unwrap_err();
        assert!(err.to_string().contains("character device"), "{err}");
        let dir = tempfile::tempdir().unwrap();
        let err = read_regular(dir.path(), 1 << 20).unwrap_err();
        assert_eq!(err.to_string(), "is a directory, not a regular file");
        let fifo = dir.path().join("fifo");
        let c = std::ffi::CString::new(fifo.to_str().unwrap()).unwrap();
        // SAFETY: mkfifo reads a NUL-terminated path.
        assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
        // Opening a FIFO with no writer would block for ever without O_NONBLOCK.
        let err = read_regular(&fifo, 1 << 20).unwrap_err();
        assert!(err.to_string().contains("FIFO"), "{err}");
    }

    #[test]
    fn the_limit_is_checked_before_and_while_reading() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("big");
        std::fs::write(&path, vec![b'x'; 3 << 20]).unwrap();
        let err = read_regular(&path, 1 << 20).unwrap_err();
        assert_eq!(err.to_string(), "is 3.0 MiB, over the 1.0 MiB limit");
        assert_eq!(read_regular(&path, 3 << 20).unwrap().len(), 3 << 20);
        let f = File::open(&path).unwrap();
        assert!(matches!(
            read_at_most(f, 10, 100),
            Err(InputError::TooLarge { size: 101, .. })
        ));
    }

    #[test]
    fn a_bom_is_dropped() {
        assert_eq!(strip_bom("\u{feff}{}"), "{}");
        assert_eq!(strip_bom("{}"), "{}");
    }
}
