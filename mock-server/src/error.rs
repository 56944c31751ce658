//! Errors of the mock server itself (never auth outcomes: a refusal is a `Decision`).

use std::fmt;

/// A profile that cannot be used: which file, which key, and what was expected.
#[derive(Debug, thiserror::Error)]
pub struct ProfileError {
    /// The file (or scenario) the profile came from.
    pub origin: String,
    /// The offending key, e.g. `identities[0].pats[1].scopes`.
    pub key: Option<String>,
    /// What was expected and what was found.
    pub message: String,
    /// The I/O error when the file could not be read.
    #[source]
    pub io: Option<std::io::Error>,
}

impl ProfileError {
    pub(crate) fn read(origin: &str, io: std::io::Error) -> Self {
        Self { origin: origin.to_owned(), key: None, message: "cannot read the file".to_owned(), io: Some(io) }
    }

    pub(crate) fn syntax(origin: &str, key: Option<String>, message: String) -> Self {
        Self { origin: origin.to_owned(), key, message, io: None }
    }

    pub(crate) fn invalid(origin: &str, key: String, message: String) -> Self {
        Self { origin: origin.to_owned(), key: Some(key), message, io: None }
    }
}

impl fmt::Display for ProfileError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "invalid profile {}", self.origin)?;
        if let Some(key) = &self.key {
            write!(f, ", key `{key}`")?;
        }
        write!(f, ": {}", self.message)
    }
}

/// The server could not start or serve.
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    /// Binding a listener failed.
    #[error("failed to bind {what} listener on {addr}")]
    Bind {
        /// Which listener (`emulated server` or `control plane`).
        what: &'static str,
        /// The address asked for.
        addr: String,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// Reading the bound address failed.
    #[error("failed to read the bound address")]
    LocalAddr(#[source] std::io::Error),
    /// TLS could not be set up (certificate, key or CA file).
    #[error("cannot set up TLS: {0}")]
    Tls(String),
    /// The profile given to [`MockServerBuilder`](crate::MockServerBuilder) cannot be read or is
    /// invalid (the error names the file, the key and what was expected).
    #[error(transparent)]
    Profile(#[from] ProfileError),
}
