//! Secrets: a string that must never reach a log, a journal, a report or a panic message, and
//! the one finder that redacts every secret of a server wherever it turns up.

mod finder;
mod index;
mod view;

use std::fmt;

pub use finder::{
    Form, INDEX_FROM_SECRETS, Leak, LeakScanner, MIN_SECRET_LEN, SecretFinder, SecretKind, SecretSpec, label,
};

/// A secret (a PAT or a password). `Debug`, `Display` and `Serialize` print a placeholder;
/// the value is only reachable through [`Secret::expose`], which makes every use greppable.
#[derive(Clone, PartialEq, Eq, Hash, Default)]
pub struct Secret(String);

impl Secret {
    /// Wraps a secret value.
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    /// The secret itself. Call sites are the only places a secret is compared or sent.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// Whether the secret is empty.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

impl serde::Serialize for Secret {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str("<redacted>")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formatting_never_shows_the_value() {
        let s = Secret::new("hunter2");
        assert_eq!(format!("{s:?} {s} {}", serde_json::to_string(&s).unwrap()), "<redacted> <redacted> \"<redacted>\"");
        assert_eq!(s.expose(), "hunter2");
    }
}
