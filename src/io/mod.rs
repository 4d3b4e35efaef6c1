//! I/O kinds support: the delay server of the `tcp` kind ([`server`]), its clients
//! ([`client`]), and the machine's timer floor ([`floor`]) that the server's lateness is
//! judged against.

pub mod client;
pub mod floor;
mod lateness;
pub mod server;
mod sys;

pub use lateness::LatenessUs;
pub use sys::raise_fd_limit;
