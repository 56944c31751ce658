//! [`MockServerBuilder`]: the one way to configure and start a [`MockServer`] from a test.
//!
//! The profile is read and validated at [`start`](MockServerBuilder::start), against the
//! server's own clock at that moment: relative expiries such as `expires = "+180d"` or `"-1d"`
//! mean "from when this server started", so no caller ever passes a Unix time.

use std::net::SocketAddr;
use std::path::PathBuf;

use crate::error::{ProfileError, ServeError};
use crate::http::{Clock, Limits, system_clock};
use crate::journal::DEFAULT_CAPACITY;
use crate::profile::{DEFAULT_PROFILE, Profile, Release, merge_overrides};
use crate::server::{MockServer, Options};

/// Where the profile comes from.
enum Source {
    BuiltIn,
    File(PathBuf),
    Toml(String),
    Loaded(Box<Profile>),
}

/// Configures a [`MockServer`]; made by [`MockServer::builder`].
///
/// Every setter takes and returns the builder by value, so a server is one expression:
///
/// ```
/// # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// use ado_mock_server::{MockServer, Release};
///
/// let server = MockServer::builder()
///     .release(Release::Tfs2018)   // per-release challenges, headers and api-version ceiling
///     .iis_basic(true)             // IIS Basic authentication on (it then owns every Basic header)
///     .start()
///     .await?;
/// assert!(server.collection_url("DefaultCollection").ends_with("/tfs/DefaultCollection"));
/// # Ok(()) }
/// ```
#[must_use = "a builder does nothing until `.start().await`"]
pub struct MockServerBuilder {
    source: Source,
    overrides: toml::Table,
    listen: SocketAddr,
    control: Option<SocketAddr>,
    journal_capacity: usize,
    clock: Option<Clock>,
    soft: bool,
}

impl MockServerBuilder {
    pub(crate) fn new() -> Self {
        Self {
            source: Source::BuiltIn,
            overrides: toml::Table::new(),
            listen: SocketAddr::from(([127, 0, 0, 1], 0)),
            control: None,
            journal_capacity: DEFAULT_CAPACITY,
            clock: None,
            soft: false,
        }
    }

    /// Uses a profile file (TOML, the keys of `docs/PROFILES.md`) instead of the built-in
    /// default profile (an Azure DevOps Server 2022 with `CONTOSO\joseph` and a PAT `full`).
    /// `[tls]` certificate and key paths are relative to the file. Read at `start`.
    pub fn profile_file(mut self, path: impl Into<PathBuf>) -> Self {
        self.source = Source::File(path.into());
        self
    }

    /// Uses profile text (TOML) instead of the built-in default profile. Read at `start`.
    pub fn profile_toml(mut self, text: impl Into<String>) -> Self {
        self.source = Source::Toml(text.into());
        self
    }

    /// Uses a profile already loaded with [`Profile::load`] or [`Profile::from_toml_str`]; its
    /// expiries were resolved when it was loaded, and the switches of this builder do not apply.
    pub fn profile(mut self, profile: Profile) -> Self {
        self.source = Source::Loaded(Box::new(profile));
        self
    }

    /// The release to emulate (challenge sets, response headers, error bodies, api-version
    /// ceiling and routes of that release), overriding the profile's `release`.
    pub fn release(self, release: Release) -> Self {
        self.set("release", release.name())
    }

    /// IIS Anonymous authentication on or off (`[iis] anonymous`).
    pub fn anonymous(self, on: bool) -> Self {
        self.set("iis.anonymous", on)
    }

    /// IIS Windows authentication (NTLM and Negotiate) on or off (`[iis] windows`).
    pub fn windows(self, on: bool) -> Self {
        self.set("iis.windows", on)
    }

    /// IIS Basic authentication on or off (`[iis] basic`). On, IIS checks every Basic
    /// credential against Windows, so a PAT sent as Basic is refused with 401.1.
    pub fn iis_basic(self, on: bool) -> Self {
        self.set("iis.basic", on)
    }

    /// Whether an authenticated connection stays authenticated (`[iis]
    /// persist-auth-per-connection`; IIS's `authPersistNonNTLM` / kernel-mode default: true).
    pub fn persist_auth_per_connection(self, on: bool) -> Self {
        self.set("iis.persist-auth-per-connection", on)
    }

    /// https with a certificate issued by a CA generated for this server (`[tls] enabled`);
    /// see [`MockServer::ca_file`].
    pub fn tls(self, on: bool) -> Self {
        self.set("tls.enabled", on)
    }

    /// Sets any profile key by its dotted path, e.g. `.set("ntlm.lockout-threshold", 3)`
    /// or `.set("iis.providers", vec!["NTLM"])`. Applied over the profile before it is
    /// validated, as a scenario's `[profile]` overrides are; a wrong key or value is reported
    /// by `start` with the key and what was expected.
    pub fn set(mut self, key: &str, value: impl Into<toml::Value>) -> Self {
        let mut table = toml::Table::new();
        let mut parts: Vec<&str> = key.split('.').collect();
        let last = parts.pop().unwrap_or(key);
        table.insert(last.to_owned(), value.into());
        for part in parts.into_iter().rev() {
            let mut outer = toml::Table::new();
            outer.insert(part.to_owned(), toml::Value::Table(table));
            table = outer;
        }
        merge_overrides(&mut self.overrides, &table);
        self
    }

    /// Where the emulated server listens; default `127.0.0.1:0` (a free loopback port).
    pub fn listen(mut self, addr: SocketAddr) -> Self {
        self.listen = addr;
        self
    }

    /// Also serve the control plane (journal, reset, profile over HTTP) on a free loopback
    /// port; default off, since a test reads the journal in-process.
    pub fn control_plane(mut self, on: bool) -> Self {
        self.control = on.then_some(SocketAddr::from(([127, 0, 0, 1], 0)));
        self
    }

    /// Serve the control plane on `addr` (as `ado-mock-server --control` does).
    pub fn control_plane_at(mut self, addr: SocketAddr) -> Self {
        self.control = Some(addr);
        self
    }

    /// How many journal rows are kept (oldest dropped first); default 10,000.
    pub fn journal_capacity(mut self, rows: usize) -> Self {
        self.journal_capacity = rows;
        self
    }

    /// The server's clock, Unix seconds; default the system clock. Relative expiries are
    /// resolved against it at `start`.
    pub fn clock(mut self, clock: impl Fn() -> i64 + Send + Sync + 'static) -> Self {
        self.clock = Some(std::sync::Arc::new(clock));
        self
    }

    /// Soft mode: every refused request is served anyway, and its journal row's
    /// `would_refuse` says what the real server would have answered and why; for finding a
    /// client's auth mistakes in an existing integration suite without breaking it first
    /// (Windows handshake steps and requests with no credential at all are still answered as
    /// decided, so clients can authenticate). Default off.
    pub fn soft(mut self, on: bool) -> Self {
        self.soft = on;
        self
    }

    /// Reads the profile, applies the switches and starts the server.
    ///
    /// # Errors
    /// [`ServeError::Profile`] when the profile file cannot be read or a key is wrong (the
    /// message names the file, the key and what was expected); [`ServeError::Bind`] when the
    /// address cannot be bound; [`ServeError::Tls`] when TLS cannot be set up.
    pub async fn start(self) -> Result<MockServer, ServeError> {
        let clock = self.clock.unwrap_or_else(system_clock);
        let profile = resolve(self.source, &self.overrides, clock())?;
        let options = Options {
            listen: self.listen,
            control: self.control,
            journal_capacity: self.journal_capacity,
            clock,
            limits: Limits::default(),
            soft: self.soft,
        };
        MockServer::start_with(profile, options).await
    }
}

fn resolve(source: Source, overrides: &toml::Table, now: i64) -> Result<Profile, ServeError> {
    let (text, origin, base) = match source {
        Source::Loaded(profile) => return Ok(*profile),
        Source::BuiltIn => (DEFAULT_PROFILE.to_owned(), "built-in default profile".to_owned(), None),
        Source::Toml(text) => (text, "profile text".to_owned(), None),
        Source::File(path) => {
            let origin = path.display().to_string();
            let text = std::fs::read_to_string(&path).map_err(|e| ProfileError::read(&origin, e))?;
            (text, origin, path.parent().map(PathBuf::from))
        }
    };
    let mut table: toml::Table =
        text.parse().map_err(|e: toml::de::Error| ProfileError::syntax(&origin, None, e.to_string()))?;
    merge_overrides(&mut table, overrides);
    let mut profile = Profile::from_toml_value(toml::Value::Table(table), &origin, now)?;
    if let Some(dir) = base {
        profile.tls.rebase(&dir);
    }
    Ok(profile)
}
