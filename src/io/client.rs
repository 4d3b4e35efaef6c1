//! The client side of the delay server's protocol, blocking (std) and async (tokio).
//!
//! These run inside the measured window, once per op: one write of 16 bytes and one read
//! of 8, nothing else.

use std::io::{self, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::io::server::{REPLY_LEN, REQUEST_LEN};

/// Connects to the delay server at `addr`, with `TCP_NODELAY` (a request is 16 bytes:
/// Nagle would hold it back while a previous one is unacknowledged).
pub fn connect_blocking(addr: SocketAddr) -> io::Result<TcpStream> {
    let s = TcpStream::connect(addr)?;
    s.set_nodelay(true)?;
    Ok(s)
}

/// Asks the server for a reply after `delay` and blocks until it arrives.
pub fn request_blocking(s: &mut TcpStream, token: u64, delay: Duration) -> io::Result<()> {
    s.write_all(&encode(token, delay))?;
    let mut reply = [0u8; REPLY_LEN];
    s.read_exact(&mut reply).map_err(closed)?;
    check(token, reply)
}

/// Asks the server for a reply after `delay` and awaits it.
pub async fn request_async(
    s: &mut tokio::net::TcpStream,
    token: u64,
    delay: Duration,
) -> io::Result<()> {
    s.write_all(&encode(token, delay)).await?;
    let mut reply = [0u8; REPLY_LEN];
    s.read_exact(&mut reply).await.map_err(closed)?;
    check(token, reply)
}

/// The request's bytes: token and delay in nanoseconds, little-endian.
fn encode(token: u64, delay: Duration) -> [u8; REQUEST_LEN] {
    let ns = u64::try_from(delay.as_nanos()).unwrap_or(u64::MAX);
    let mut req = [0u8; REQUEST_LEN];
    req[..8].copy_from_slice(&token.to_le_bytes());
    req[8..].copy_from_slice(&ns.to_le_bytes());
    req
}

/// Says what an end of input means here.
fn closed(e: io::Error) -> io::Error {
    if e.kind() == io::ErrorKind::UnexpectedEof {
        io::Error::new(e.kind(), "the delay server closed the connection")
    } else {
        e
    }
}

/// An error unless the reply echoes `token`.
fn check(token: u64, reply: [u8; REPLY_LEN]) -> io::Result<()> {
    let got = u64::from_le_bytes(reply);
    if got == token {
        Ok(())
    } else {
        Err(io::Error::new(
            io::ErrorKind::InvalidData,
            format!("the delay server answered token {got} to request {token}"),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::TcpListener;

    /// A one-connection fake server that answers `replies` requests with
    /// `answer(token)` at once, then reads one more and closes without answering.
    fn fake(replies: usize, answer: fn(u64) -> u64) -> SocketAddr {
        let l = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = l.local_addr().unwrap();
        std::thread::spawn(move || {
            let (mut s, _) = l.accept().unwrap();
            for n in 0..=replies {
                let mut req = [0u8; REQUEST_LEN];
                if s.read_exact(&mut req).is_err() || n == replies {
                    return;
                }
                let token = u64::from_le_bytes(req[..8].try_into().unwrap());
                s.write_all(&answer(token).to_le_bytes()).unwrap();
            }
        });
        addr
    }

    #[test]
    fn the_request_carries_token_and_nanoseconds() {
        let req = encode(7, Duration::from_micros(150));
        assert_eq!(u64::from_le_bytes(req[..8].try_into().unwrap()), 7);
        assert_eq!(u64::from_le_bytes(req[8..].try_into().unwrap()), 150_000);
    }

    #[test]
    fn a_wrong_token_and_a_closed_connection_are_errors() {
        let mut s = connect_blocking(fake(1, |t| t + 1)).unwrap();
        let err = request_blocking(&mut s, 3, Duration::ZERO).unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::InvalidData);
        assert!(err.to_string().contains("token 4 to request 3"), "{err}");

        let mut s = connect_blocking(fake(1, |t| t)).unwrap();
        request_blocking(&mut s, 1, Duration::ZERO).unwrap();
        let err = request_blocking(&mut s, 2, Duration::ZERO).unwrap_err();
        assert!(err.to_string().contains("closed the connection"), "{err}");
    }

    #[test]
    fn the_async_client_speaks_the_same_protocol() {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_io()
            .build()
            .unwrap();
        let addr = fake(1, |t| t);
        rt.block_on(async {
            let mut s = tokio::net::TcpStream::connect(addr).await.unwrap();
            request_async(&mut s, 9, Duration::ZERO).await.unwrap();
            let err = request_async(&mut s, 10, Duration::ZERO).await.unwrap_err();
            assert!(err.to_string().contains("closed the connection"), "{err}");
        });
    }
}
