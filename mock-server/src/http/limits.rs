//! Resource limits of the emulated server, each answered as a real server would, and each
//! answer journaled with a `limit.*` reason (layer `limits`).
//!
//! | limit | default | answer | journal reason |
//! |---|---|---|---|
//! | request headers (all, bytes) | 16 KiB (HTTP.sys `MaxRequestBytes`) | 431 from hyper (HTTP.sys says 400 "Request Header Too Long") | `limit.headers_too_large` |
//! | header count | 100 | 431 | `limit.headers_too_large` |
//! | request body | 4 MiB | 413 | `limit.body_too_large` |
//! | header read | 30 s | connection closed, nothing sent (as HTTP.sys's `Timer_HeaderWait`) | `limit.header_timeout` (status 408) |
//! | idle keep-alive | 30 s (the header read limit) | connection closed | none (not a request) |
//! | body read | 30 s | 408 | `limit.body_timeout` |
//! | writing an answer (a client that does not read) | 30 s without progress | connection closed | none (the request was journaled when answered) |
//! | open connections | 4096, and no more than the open-file limit allows | further clients wait in the accept backlog | none |
//! | pending NTLM handshakes | 1024 connections | the connection whose handshake is oldest forgets it (its type 3 gets `ntlm.no_handshake`); one connection holds at most one pending handshake, however many it runs | none |
//! | journal entries | 10 000 | the oldest is dropped (`/healthz` counts them) | none |

use std::time::Duration;

/// Limits of one server.
#[derive(Clone, Debug)]
pub struct Limits {
    /// Largest request head (request line and headers), bytes.
    pub max_header_bytes: usize,
    /// Most headers in one request.
    pub max_headers: usize,
    /// Largest request body, bytes.
    pub max_body_bytes: usize,
    /// Time allowed to send a request head, also the idle keep-alive timeout.
    pub header_read_timeout: Duration,
    /// Time allowed to send a request body.
    pub body_read_timeout: Duration,
    /// Time a write of an answer may make no progress (the client does not read) before the
    /// connection is closed.
    pub write_timeout: Duration,
    /// Connections served at once (further lowered to what the open-file limit allows, see
    /// [`connection_capacity`]).
    pub max_connections: usize,
    /// Connections with an NTLM handshake waiting for its AUTHENTICATE, server-wide.
    pub max_pending_handshakes: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_header_bytes: 16 * 1024,
            max_headers: 100,
            max_body_bytes: 4 * 1024 * 1024,
            header_read_timeout: Duration::from_secs(30),
            body_read_timeout: Duration::from_secs(30),
            write_timeout: Duration::from_secs(30),
            max_connections: 4096,
            max_pending_handshakes: 1024,
        }
    }
}

/// File descriptors kept for everything but client connections: listeners, the log, TLS
/// temporary files, git's pipes and the runtime's own.
pub const RESERVED_FDS: u64 = 64;

/// How many connections a server can really hold: `max_connections`, or fewer when the
/// open-file soft limit `open_files` (`RLIMIT_NOFILE`, `None` when unknown) leaves less room
/// (one descriptor a connection, [`RESERVED_FDS`] kept back).
pub fn connection_capacity(max_connections: usize, open_files: Option<u64>) -> usize {
    let max = max_connections.max(1);
    match open_files {
        None => max,
        Some(limit) => {
            let room = usize::try_from(limit.saturating_sub(RESERVED_FDS)).unwrap_or(usize::MAX);
            max.min(room.max(1))
        }
    }
}

/// The open-file limit before and after [`raise_open_file_limit`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct OpenFiles {
    /// The soft limit found at start.
    pub before: u64,
    /// The soft limit now (the hard limit when raising worked).
    pub now: u64,
    /// The hard limit.
    pub hard: u64,
}

/// Raises this process's open-file soft limit to its hard limit (a server holding thousands
/// of connections needs one descriptor each; shells often start with a soft limit of 1024).
///
/// # Errors
/// The `getrlimit`/`setrlimit` error.
pub fn raise_open_file_limit() -> Result<OpenFiles, std::io::Error> {
    use nix::sys::resource::{Resource, getrlimit, setrlimit};
    let (before, hard) = getrlimit(Resource::RLIMIT_NOFILE).map_err(std::io::Error::from)?;
    if before >= hard {
        return Ok(OpenFiles { before, now: before, hard });
    }
    setrlimit(Resource::RLIMIT_NOFILE, hard, hard).map_err(std::io::Error::from)?;
    let (now, hard) = getrlimit(Resource::RLIMIT_NOFILE).map_err(std::io::Error::from)?;
    Ok(OpenFiles { before, now, hard })
}

/// The open-file soft limit now, if it can be read.
pub fn open_file_limit() -> Option<u64> {
    nix::sys::resource::getrlimit(nix::sys::resource::Resource::RLIMIT_NOFILE).ok().map(|(soft, _)| soft)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_open_file_limit_caps_the_connections() {
        assert_eq!(connection_capacity(4096, None), 4096);
        assert_eq!(connection_capacity(4096, Some(1024)), 1024 - 64);
        assert_eq!(connection_capacity(4096, Some(1_048_576)), 4096);
        assert_eq!(connection_capacity(4096, Some(10)), 1, "at least one");
        assert_eq!(connection_capacity(0, Some(1024)), 1);
    }

    #[test]
    fn raising_reaches_the_hard_limit() {
        let files = raise_open_file_limit().expect("getrlimit works");
        assert_eq!(files.now, files.hard);
        assert!(files.now >= files.before);
        assert_eq!(open_file_limit(), Some(files.now));
    }
}
