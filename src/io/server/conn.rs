//! Client connections: a slab of them addressed by generation-checked keys, and each
//! connection's framing (16-byte requests in, 8-byte replies out, with the replies the
//! socket could not take yet).

use std::io::{self, Read, Write};
use std::net::TcpStream;

/// Bytes in a request: `token: u64 LE`, `delay_ns: u64 LE`.
pub const REQUEST_LEN: usize = 16;
/// Bytes in a reply: the request's `token: u64 LE`.
pub const REPLY_LEN: usize = 8;

/// Requests read per `read` call at most (level-triggered epoll reports the rest).
const READ_REQUESTS: usize = 256;

/// A connection's slot and the generation of that slot when the connection took it.
///
/// A slot is reused after its connection closes; the generation tells a late event or a
/// pending reply for the old connection from the new one, which must never receive it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(super) struct Key {
    index: u32,
    generation: u32,
}

impl Key {
    /// Generation of the fixed epoll tokens (listener, timer, stdin): never a slot's.
    const RESERVED: u32 = u32::MAX;

    pub(super) const fn new(index: u32, generation: u32) -> Key {
        Key { index, generation }
    }

    /// A fixed epoll token that no connection can have.
    pub(super) const fn reserved(n: u32) -> u64 {
        Key::new(n, Key::RESERVED).to_u64()
    }

    /// The epoll data for this key.
    pub(super) const fn to_u64(self) -> u64 {
        (self.generation as u64) << 32 | self.index as u64
    }

    /// The key an epoll data value stands for.
    pub(super) const fn from_u64(v: u64) -> Key {
        Key::new(v as u32, (v >> 32) as u32)
    }
}

/// One accepted client.
pub(super) struct Conn {
    stream: TcpStream,
    /// The start of a request split across reads.
    partial: [u8; REQUEST_LEN],
    partial_len: usize,
    /// Reply bytes the socket did not take yet (it was full): sent on EPOLLOUT.
    unsent: Vec<u8>,
    /// True while epoll watches this connection for EPOLLOUT.
    pub(super) watching_out: bool,
}

/// What a read found.
#[derive(Debug, PartialEq, Eq)]
pub(super) enum ReadState {
    /// The connection stays open (requests may have been read).
    Open,
    /// The client closed its end.
    Eof,
}

impl Conn {
    pub(super) fn new(stream: TcpStream) -> Conn {
        Conn {
            stream,
            partial: [0; REQUEST_LEN],
            partial_len: 0,
            unsent: Vec::new(),
            watching_out: false,
        }
    }

    pub(super) fn stream(&self) -> &TcpStream {
        &self.stream
    }

    /// Reads what has arrived (one `read`) and appends each complete request to `out` as
    /// `(token, delay_ns)`.
    pub(super) fn read_requests(&mut self, out: &mut Vec<(u64, u64)>) -> io::Result<ReadState> {
        let mut buf = [0u8; READ_REQUESTS * REQUEST_LEN];
        buf[..self.partial_len].copy_from_slice(&self.partial[..self.partial_len]);
        let n = match (&self.stream).read(&mut buf[self.partial_len..]) {
            Ok(0) => return Ok(ReadState::Eof),
            Ok(n) => n,
            Err(e) if is_transient(&e) => return Ok(ReadState::Open),
            Err(e) => return Err(e),
        };
        let filled = self.partial_len + n;
        let mut chunks = buf[..filled].chunks_exact(REQUEST_LEN);
        for req in &mut chunks {
            let token = u64::from_le_bytes(req[..8].try_into().expect("8 bytes"));
            let delay = u64::from_le_bytes(req[8..].try_into().expect("8 bytes"));
            out.push((token, delay));
        }
        let rest = chunks.remainder();
        self.partial[..rest.len()].copy_from_slice(rest);
        self.partial_len = rest.len();
        Ok(ReadState::Open)
    }

    /// Sends the reply `token`, or keeps it for [`Conn::flush`] when the socket is full
    /// (then [`Conn::wants_write`] is true). Replies never overtake one another.
    pub(super) fn send_reply(&mut self, token: u64) -> io::Result<()> {
        let reply = token.to_le_bytes();
        if !self.unsent.is_empty() {
            self.unsent.extend_from_slice(&reply);
            return Ok(());
        }
        match (&self.stream).write(&reply) {
            Ok(n) if n == REPLY_LEN => Ok(()),
            Ok(0) => Err(io::ErrorKind::WriteZero.into()),
            Ok(n) => {
                self.unsent.extend_from_slice(&reply[n..]);
                Ok(())
            }
            Err(e) if is_transient(&e) => {
                self.unsent.extend_from_slice(&reply);
                Ok(())
            }
            Err(e) => Err(e),
        }
    }

    /// Sends as much of the kept replies as the socket takes.
    pub(super) fn flush(&mut self) -> io::Result<()> {
        while !self.unsent.is_empty() {
            match (&self.stream).write(&self.unsent) {
                Ok(0) => return Err(io::ErrorKind::WriteZero.into()),
                Ok(n) => drop(self.unsent.drain(..n)),
                Err(e) if is_transient(&e) => return Ok(()),
                Err(e) => return Err(e),
            }
        }
        Ok(())
    }

    /// True while some reply bytes wait for the socket to have room.
    pub(super) fn wants_write(&self) -> bool {
        !self.unsent.is_empty()
    }
}

/// Errors that mean "not now" rather than "this connection is broken".
fn is_transient(e: &io::Error) -> bool {
    matches!(
        e.kind(),
        io::ErrorKind::WouldBlock | io::ErrorKind::Interrupted
    )
}

/// Open connections, by [`Key`].
#[derive(Default)]
pub(super) struct Slab {
    slots: Vec<Slot>,
    free: Vec<u32>,
    open: usize,
}

#[derive(Default)]
struct Slot {
    generation: u32,
    conn: Option<Conn>,
}

impl Slab {
    /// Stores `conn` in a free slot and returns its key.
    pub(super) fn insert(&mut self, conn: Conn) -> Key {
        let index = self.free.pop().unwrap_or_else(|| {
            self.slots.push(Slot::default());
            (self.slots.len() - 1) as u32
        });
        let slot = &mut self.slots[index as usize];
        slot.conn = Some(conn);
        self.open += 1;
        Key::new(index, slot.generation)
    }

    /// The connection `key` names, unless it has closed since.
    pub(super) fn get_mut(&mut self, key: Key) -> Option<&mut Conn> {
        let slot = self.slots.get_mut(key.index as usize)?;
        if slot.generation != key.generation {
            return None;
        }
        slot.conn.as_mut()
    }

    /// Takes the connection out (dropping it closes the socket) and retires the key.
    pub(super) fn remove(&mut self, key: Key) -> Option<Conn> {
        let slot = self.slots.get_mut(key.index as usize)?;
        if slot.generation != key.generation {
            return None;
        }
        let conn = slot.conn.take()?;
        // Skip the reserved generation so that no connection key equals a fixed token.
        slot.generation = match slot.generation.wrapping_add(1) {
            Key::RESERVED => 0,
            g => g,
        };
        self.free.push(key.index);
        self.open -= 1;
        Some(conn)
    }

    /// Connections open now.
    pub(super) fn len(&self) -> usize {
        self.open
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::TcpListener;

    fn pair() -> (TcpStream, Conn) {
        let l = TcpListener::bind("127.0.0.1:0").unwrap();
        let client = TcpStream::connect(l.local_addr().unwrap()).unwrap();
        let (server, _) = l.accept().unwrap();
        server.set_nonblocking(true).unwrap();
        (client, Conn::new(server))
    }

    fn request(token: u64, delay: u64) -> Vec<u8> {
        [token.to_le_bytes(), delay.to_le_bytes()].concat()
    }

    /// Reads until `want` requests have arrived (the bytes cross loopback at once, but a
    /// read may still see them in two parts).
    fn read_n(conn: &mut Conn, want: usize) -> Vec<(u64, u64)> {
        let mut got = Vec::new();
        for _ in 0..1000 {
            assert_eq!(conn.read_requests(&mut got).unwrap(), ReadState::Open);
            if got.len() >= want {
                break;
            }
            std::thread::sleep(std::time::Duration::from_millis(1));
        }
        got
    }

    #[test]
    fn requests_split_across_reads_are_reassembled() {
        let (mut client, mut conn) = pair();
        let bytes = [request(1, 100), request(2, 200)].concat();
        client.write_all(&bytes[..20]).unwrap();
        assert_eq!(read_n(&mut conn, 1), [(1, 100)]);
        client.write_all(&bytes[20..]).unwrap();
        assert_eq!(read_n(&mut conn, 1), [(2, 200)]);
        drop(client);
        let mut none = Vec::new();
        let mut state = ReadState::Open;
        for _ in 0..1000 {
            state = conn.read_requests(&mut none).unwrap();
            if state == ReadState::Eof {
                break;
            }
            std::thread::sleep(std::time::Duration::from_millis(1));
        }
        assert_eq!(state, ReadState::Eof);
        assert!(none.is_empty());
    }

    #[test]
    fn replies_arrive_in_order() {
        let (mut client, mut conn) = pair();
        conn.send_reply(5).unwrap();
        conn.send_reply(6).unwrap();
        conn.flush().unwrap();
        assert!(!conn.wants_write());
        let mut buf = [0u8; 16];
        client.read_exact(&mut buf).unwrap();
        assert_eq!(u64::from_le_bytes(buf[..8].try_into().unwrap()), 5);
        assert_eq!(u64::from_le_bytes(buf[8..].try_into().unwrap()), 6);
    }

    #[test]
    fn a_closed_connection_key_goes_stale() {
        let mut slab = Slab::default();
        let (_c1, conn1) = pair();
        let (_c2, conn2) = pair();
        let k1 = slab.insert(conn1);
        assert!(slab.remove(k1).is_some());
        let k2 = slab.insert(conn2);
        assert_ne!(k1, k2, "the slot is reused with a new generation");
        assert!(slab.get_mut(k1).is_none());
        assert!(slab.get_mut(k2).is_some());
        assert_eq!(slab.len(), 1);
        assert_eq!(Key::from_u64(k2.to_u64()), k2);
        assert_ne!(k2.to_u64(), Key::reserved(k2.index));
    }
}
