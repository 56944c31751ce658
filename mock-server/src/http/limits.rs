//! Resource limits of the emulated server, each answered as a real server would.
//!
//! | limit | default | answer |
//! |---|---|---|
//! | request headers (all, bytes) | 16 KiB (HTTP.sys `MaxRequestBytes`) | 431 from hyper (HTTP.sys says 400 "Request Header Too Long") |
//! | header count | 100 | 431 |
//! | request body | 4 MiB | 413 |
//! | header read / idle keep-alive | 30 s | connection closed |
//! | body read | 30 s | 408 |
//! | open connections | 4096 | further clients wait in the accept backlog |
//! | pending NTLM handshakes | 1024 | the oldest is forgotten (its type 3 gets `ntlm.no_handshake`) |
//! | journal entries | 10 000 | the oldest is dropped (`/healthz` counts them) |

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
    /// Connections served at once.
    pub max_connections: usize,
    /// NTLM handshakes waiting for their AUTHENTICATE, server-wide.
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
            max_connections: 4096,
            max_pending_handshakes: 1024,
        }
    }
}
