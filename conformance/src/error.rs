//! Errors of the runner itself. A client that fails a scenario is not an error: it is a
//! verdict. Everything here means the input or the setup is unusable (exit code 2).

use std::fmt;
use std::path::PathBuf;

use crate::exit_code;

/// A file that cannot be used: which file, which key, and what was expected.
#[derive(Debug, thiserror::Error)]
pub struct LoadError {
    /// What kind of file (`scenario`, `client manifest`, `baseline`, `profile`).
    pub what: &'static str,
    /// The file.
    pub file: PathBuf,
    /// The offending key, e.g. `client.auth` or `server.iis.providers[0]`.
    pub key: Option<String>,
    /// What was expected and what was found.
    pub message: String,
}

impl LoadError {
    /// An error about `file` as a whole.
    pub fn file(what: &'static str, file: impl Into<PathBuf>, message: impl Into<String>) -> Self {
        Self { what, file: file.into(), key: None, message: message.into() }
    }

    /// An error about one key of `file`.
    pub fn key(
        what: &'static str,
        file: impl Into<PathBuf>,
        key: impl Into<String>,
        message: impl Into<String>,
    ) -> Self {
        Self { what, file: file.into(), key: Some(key.into()), message: message.into() }
    }
}

impl fmt::Display for LoadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "invalid {} {}", self.what, self.file.display())?;
        if let Some(key) = &self.key {
            write!(f, ", key `{key}`")?;
        }
        write!(f, ": {}", self.message)
    }
}

/// Several load errors (a folder is checked whole, so every bad file is reported at once).
#[derive(Debug, thiserror::Error)]
pub struct LoadErrors(pub Vec<LoadError>);

impl fmt::Display for LoadErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, e) in self.0.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "{e}")?;
        }
        Ok(())
    }
}

impl From<LoadError> for LoadErrors {
    fn from(e: LoadError) -> Self {
        Self(vec![e])
    }
}

/// An error the user can act on; each maps to a documented exit code.
#[derive(Debug, thiserror::Error)]
pub enum ExpectedError {
    /// Scenarios, a manifest or a baseline did not load.
    #[error(transparent)]
    Invalid(#[from] LoadErrors),
    /// `show`, `serve`: no scenario has this id.
    #[error("no scenario `{id}` in {scenarios} (see `ado-conformance list`)")]
    UnknownScenario {
        /// The id asked for.
        id: String,
        /// The scenarios searched (a folder, or the built-in library).
        scenarios: crate::scenario::Source,
    },
    /// `serve --release`: the scenario does not run on that release.
    #[error("scenario `{id}` does not run on `{release}`; its releases: {available}")]
    UnknownRelease {
        /// The scenario.
        id: String,
        /// The release asked for.
        release: String,
        /// The releases it has.
        available: String,
    },
    /// The filter selected nothing.
    #[error("no case matches the filter {filters:?} in {scenarios}")]
    NothingSelected {
        /// The filters.
        filters: Vec<String>,
        /// The scenarios searched.
        scenarios: crate::scenario::Source,
    },
    /// The client's program cannot be found.
    #[error("failed to find the client program `{program}` of {manifest} (on PATH or beside the manifest)")]
    ClientProgram {
        /// The manifest.
        manifest: PathBuf,
        /// The program named by `command[0]`.
        program: String,
    },
    /// A report could not be written.
    #[error("failed to write {path}")]
    Report {
        /// The file.
        path: PathBuf,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// The mock server could not start.
    #[error("failed to start the mock server for `{id}`")]
    Serve {
        /// The scenario.
        id: String,
        /// The cause.
        #[source]
        source: ado_mock_server::ServeError,
    },
}

impl ExpectedError {
    /// The process exit code for this error.
    pub fn exit_code(&self) -> u8 {
        exit_code::SETUP_ERROR
    }
}
