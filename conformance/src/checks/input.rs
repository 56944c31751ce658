//! What the checks judge: the case, what the client did (exit, output) and what the server saw.

use std::time::Duration;

use ado_mock_server::JournalEntry;

use crate::redact::Redactor;
use crate::scenario::Case;

/// How the client's process ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Exit {
    /// It exited with this code.
    Code(i32),
    /// A signal killed it (not the runner's timeout).
    Signal(i32),
    /// The runner killed its process group at the manifest's timeout.
    TimedOut,
    /// It could not be started.
    SpawnFailed(String),
}

/// One captured output stream (bounded).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Captured {
    /// What was kept, decoded lossily.
    pub text: String,
    /// Whether output beyond the bound was dropped.
    pub truncated: bool,
    /// Secrets the stream scanner found in everything the client wrote to this stream, kept
    /// or not (a secret after the first MiB counts as much as one in the first line).
    pub leaks: Vec<ado_mock_server::secret::Leak>,
}

/// Everything observed while running one case.
#[derive(Clone, Debug)]
pub struct Observation {
    /// How the client ended.
    pub exit: Exit,
    /// Its stdout.
    pub stdout: Captured,
    /// Its stderr.
    pub stderr: Captured,
    /// The server's journal, oldest first.
    pub journal: Vec<JournalEntry>,
    /// Wall time from spawn to exit.
    pub duration: Duration,
    /// Processes still running after the client exited (the runner killed them).
    pub leftovers: Vec<Leftover>,
    /// TLS handshakes the server saw fail (e.g. the client refused the certificate).
    pub tls_handshake_failures: Vec<String>,
}

/// A process the client left running after it exited.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Leftover {
    /// Its command name (`/proc/PID/comm`).
    pub command: String,
    /// Whether it had left the client's process group (`setsid`, a double fork), so that only
    /// the runner's subreaper role found it.
    pub detached: bool,
}

/// The input of every check.
pub struct CheckInput<'a> {
    /// The case.
    pub case: &'a Case,
    /// What happened.
    pub observed: &'a Observation,
    /// The manifest's timeout.
    pub timeout: Duration,
    /// The case's redactor (also finds leaked secrets).
    pub redactor: &'a Redactor,
}

impl CheckInput<'_> {
    /// `#seq METHOD path -> status reason`, how checks cite a request.
    pub fn cite(entry: &JournalEntry) -> String {
        format!("#{} {} {} -> {} {}", entry.seq, entry.method, entry.path, entry.status, entry.reason)
    }

    /// The last refusal (status 400 or more), if any.
    pub fn last_refusal(&self) -> Option<&JournalEntry> {
        self.observed.journal.iter().rev().find(|e| e.status >= 400)
    }
}
