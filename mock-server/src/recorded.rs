//! [`Recorded`]: the journal's rows at one moment, with the assertions a test makes on them.

use std::fmt::Write as _;

use crate::auth::Reason;
use crate::journal::JournalEntry;

/// The journal's rows (one per request the server answered), oldest first, as returned by
/// [`MockServer::journal`](crate::MockServer::journal). Derefs to `[JournalEntry]`.
///
/// ```
/// # #[tokio::main] async fn main() {
/// use ado_mock_server::{MockServer, Reason};
///
/// let server = MockServer::start().await;
/// // ... a client under test sends one request with no credential ...
/// # let _ = std::net::TcpStream::connect(server.addr()).and_then(|mut s| {
/// #     use std::io::{Read, Write};
/// #     s.write_all(b"GET /tfs/DefaultCollection/_apis/projects HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")?;
/// #     let mut out = Vec::new(); s.read_to_end(&mut out).map(|_| ())
/// # });
/// server.journal().assert_reasons(&[Reason::AuthAnonymous]);
/// # }
/// ```
#[derive(Clone, Debug, Default)]
pub struct Recorded(Vec<JournalEntry>);

impl Recorded {
    pub(crate) fn new(rows: Vec<JournalEntry>) -> Self {
        Recorded(rows)
    }

    /// Each row's reason, in order.
    pub fn reasons(&self) -> Vec<Reason> {
        self.0.iter().map(|e| e.reason).collect()
    }

    /// Each row's status code, in order.
    pub fn statuses(&self) -> Vec<u16> {
        self.0.iter().map(|e| e.status).collect()
    }

    /// Whether any row has `reason`.
    pub fn contains(&self, reason: Reason) -> bool {
        self.0.iter().any(|e| e.reason == reason)
    }

    /// Panics unless the rows' reasons are exactly `expected`, in order. The message lists every
    /// row (method, path, status, reason code and the server's explanation), so a failing test
    /// says why the server answered as it did.
    #[track_caller]
    pub fn assert_reasons(&self, expected: &[Reason]) {
        if self.reasons() != expected {
            let want: Vec<&str> = expected.iter().map(|r| r.code()).collect();
            panic!("journal reasons differ: expected [{}], got:\n{}", want.join(", "), self.table());
        }
    }

    /// Panics unless some row has `reason`, listing every row otherwise.
    #[track_caller]
    pub fn assert_contains(&self, reason: Reason) {
        if !self.contains(reason) {
            panic!("no journal row has reason {}; rows:\n{}", reason.code(), self.table());
        }
    }

    /// The rows, owned.
    pub fn into_vec(self) -> Vec<JournalEntry> {
        self.0
    }

    fn table(&self) -> String {
        let mut out = String::new();
        if self.0.is_empty() {
            out.push_str("  (no rows: the server answered no request)\n");
        }
        for e in &self.0 {
            let _ = writeln!(out, "  {} {} -> {} {}: {}", e.method, e.path, e.status, e.reason.code(), e.explanation);
        }
        out
    }
}

impl std::ops::Deref for Recorded {
    type Target = [JournalEntry];
    fn deref(&self) -> &[JournalEntry] {
        &self.0
    }
}

impl IntoIterator for Recorded {
    type Item = JournalEntry;
    type IntoIter = std::vec::IntoIter<JournalEntry>;
    fn into_iter(self) -> Self::IntoIter {
        self.0.into_iter()
    }
}

impl<'a> IntoIterator for &'a Recorded {
    type Item = &'a JournalEntry;
    type IntoIter = std::slice::Iter<'a, JournalEntry>;
    fn into_iter(self) -> Self::IntoIter {
        self.0.iter()
    }
}

impl From<Recorded> for Vec<JournalEntry> {
    fn from(r: Recorded) -> Self {
        r.0
    }
}
