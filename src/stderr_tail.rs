//! A child's stderr (a worker process, the delay server), kept in an anonymous
//! in-memory file so that its tail can be quoted when the child fails.
//!
//! Why not a pipe: a pipe needs a reader thread per child (or the child blocks once it
//! has written 64 KiB), and a thread of ours would wake in the process being measured; a
//! memfd needs neither, and `read_at` never moves the offset the child writes at.

use std::fs::File;
use std::os::fd::FromRawFd;
use std::os::unix::fs::FileExt;
use std::process::Stdio;

/// Where one child's stderr goes.
pub(crate) struct StderrTail {
    /// `None` when memfd is unavailable: the child then inherits the cell's stderr,
    /// which the driver reads anyway.
    file: Option<File>,
}

impl StderrTail {
    /// A fresh capture, `name` naming it in `/proc/<pid>/fd`.
    pub(crate) fn new(name: &str) -> StderrTail {
        let name = std::ffi::CString::new(name).expect("no NUL in the name");
        // SAFETY: memfd_create takes a valid C string and flags; on success the returned
        // descriptor is ours alone, so File may own it.
        let fd = unsafe { libc::memfd_create(name.as_ptr(), libc::MFD_CLOEXEC) };
        let file = (fd >= 0).then(|| unsafe { File::from_raw_fd(fd) });
        StderrTail { file }
    }

    /// The `Stdio` to give the child as its stderr.
    pub(crate) fn stdio(&self) -> Stdio {
        match self.file.as_ref().and_then(|f| f.try_clone().ok()) {
            Some(f) => Stdio::from(f),
            None => Stdio::inherit(),
        }
    }

    /// The last `max` bytes the child wrote on stderr, trimmed: "(empty)" when it wrote
    /// nothing, led by "..." when cut.
    pub(crate) fn tail(&self, max: u64) -> String {
        let Some(file) = &self.file else {
            return "(on the cell's stderr)".to_string();
        };
        let len = file.metadata().map(|m| m.len()).unwrap_or(0);
        let from = len.saturating_sub(max);
        let mut buf = vec![0u8; (len - from) as usize];
        let n = file.read_at(&mut buf, from).unwrap_or(0);
        buf.truncate(n);
        let text = String::from_utf8_lossy(&buf).trim().to_string();
        if text.is_empty() {
            "(empty)".to_string()
        } else if from > 0 {
            format!("...{text}")
        } else {
            text
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    #[test]
    fn tail_keeps_the_end() {
        let t = StderrTail::new("test-stderr");
        assert_eq!(t.tail(100), "(empty)");
        let mut f = t.file.as_ref().unwrap().try_clone().unwrap();
        f.write_all(b"first line\nthe error\n").unwrap();
        assert_eq!(t.tail(100), "first line\nthe error");
        assert_eq!(t.tail(10), "...the error");
    }
}
