//! One-byte pipe I/O for the ping-pong probes, on raw file descriptors so that the
//! `fork`ed echo child can use it too (only `read`, `write` and `close`: async-signal-safe).

use std::io;
use std::os::fd::{FromRawFd, OwnedFd, RawFd};

/// The byte a ping-pong sends each way.
pub(crate) const PING: u8 = 1;
/// The byte that tells a partner to exit.
pub(crate) const STOP: u8 = 0;

/// A pipe as (read end, write end), both close-on-exec so that a process spawned
/// meanwhile (by another probe) cannot keep them open.
pub(crate) fn pipe() -> io::Result<(OwnedFd, OwnedFd)> {
    let mut fds = [0 as RawFd; 2];
    // SAFETY: `fds` has room for the two descriptors pipe2 writes.
    if unsafe { libc::pipe2(fds.as_mut_ptr(), libc::O_CLOEXEC) } != 0 {
        return Err(io::Error::last_os_error());
    }
    // SAFETY: pipe2 succeeded, so both descriptors are open and owned by nobody else.
    Ok(unsafe { (OwnedFd::from_raw_fd(fds[0]), OwnedFd::from_raw_fd(fds[1])) })
}

/// Writes one byte, retrying on EINTR.
#[inline]
pub(crate) fn write_byte(fd: RawFd, byte: u8) -> io::Result<()> {
    loop {
        // SAFETY: writes one byte from a valid stack buffer.
        let n = unsafe { libc::write(fd, (&byte as *const u8).cast(), 1) };
        match n {
            1 => return Ok(()),
            -1 if io::Error::last_os_error().kind() == io::ErrorKind::Interrupted => continue,
            -1 => return Err(io::Error::last_os_error()),
            _ => return Err(io::Error::other("short write on a ping-pong pipe")),
        }
    }
}

/// Reads one byte, retrying on EINTR; `None` at end of file.
#[inline]
pub(crate) fn read_byte(fd: RawFd) -> io::Result<Option<u8>> {
    let mut byte = 0u8;
    loop {
        // SAFETY: reads at most one byte into a valid stack buffer.
        let n = unsafe { libc::read(fd, (&mut byte as *mut u8).cast(), 1) };
        match n {
            1 => return Ok(Some(byte)),
            0 => return Ok(None),
            -1 if io::Error::last_os_error().kind() == io::ErrorKind::Interrupted => continue,
            _ => return Err(io::Error::last_os_error()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::fd::AsRawFd;

    #[test]
    fn a_byte_goes_through_and_eof_reads_none() {
        let (r, w) = pipe().unwrap();
        write_byte(w.as_raw_fd(), PING).unwrap();
        assert_eq!(read_byte(r.as_raw_fd()).unwrap(), Some(PING));
        drop(w);
        assert_eq!(read_byte(r.as_raw_fd()).unwrap(), None);
    }
}
