//! The control channel on stdin: one command a line (`mark`, `stats`), end of input =
//! shut down. The replies go out on stdout from the event loop.

use std::io;

/// A control command.
#[derive(Debug, PartialEq, Eq)]
pub(super) enum Command {
    /// Zero the counts and sample rusage: a measured window starts.
    Mark,
    /// Print the counts since the last mark as one JSON line.
    Stats,
    /// Anything else (answered with an error line, the server goes on).
    Unknown(String),
}

/// Stdin, read as lines without blocking the event loop (epoll says when it is readable).
#[derive(Default)]
pub(super) struct Control {
    /// The start of a line not yet ended.
    pending: Vec<u8>,
}

impl Control {
    /// Reads what stdin has (one `read`); returns the commands of the lines it completed,
    /// or `None` at end of input.
    pub(super) fn read(&mut self) -> io::Result<Option<Vec<Command>>> {
        let mut buf = [0u8; 4096];
        // Raw read(2), not `std::io::stdin()`: std's buffer could keep a line that epoll
        // would then never report again.
        // SAFETY: reads at most `buf.len()` bytes into a buffer we own.
        let n = unsafe { libc::read(libc::STDIN_FILENO, buf.as_mut_ptr().cast(), buf.len()) };
        if n < 0 {
            let err = io::Error::last_os_error();
            return match err.kind() {
                io::ErrorKind::WouldBlock | io::ErrorKind::Interrupted => Ok(Some(Vec::new())),
                _ => Err(err),
            };
        }
        if n == 0 {
            return Ok(None);
        }
        Ok(Some(self.feed(&buf[..n as usize])))
    }

    /// Adds `bytes` to the pending input and parses every line it completes.
    fn feed(&mut self, bytes: &[u8]) -> Vec<Command> {
        self.pending.extend_from_slice(bytes);
        let mut commands = Vec::new();
        while let Some(end) = self.pending.iter().position(|&b| b == b'\n') {
            let line: Vec<u8> = self.pending.drain(..=end).collect();
            let text = String::from_utf8_lossy(&line);
            match text.trim() {
                "" => {}
                "mark" => commands.push(Command::Mark),
                "stats" => commands.push(Command::Stats),
                other => commands.push(Command::Unknown(other.to_string())),
            }
        }
        commands
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_are_parsed_when_complete() {
        let mut c = Control::default();
        assert_eq!(c.feed(b"ma"), []);
        assert_eq!(
            c.feed(b"rk\n\nstats\r\nbogus\n"),
            [
                Command::Mark,
                Command::Stats,
                Command::Unknown("bogus".into())
            ]
        );
    }
}
