//! A mock Azure DevOps Server / TFS that reproduces on-premise authentication: the IIS layer
//! (Anonymous, Windows with Negotiate/NTLM, IIS Basic) and the TFS layer (PATs over Basic,
//! job tokens, scopes, membership, api-version ceilings), with the real status codes, headers
//! and bodies of each release, and a journal that says why every request was answered as it was.
//!
//! # Embed it in a test
//!
//! ```
//! use ado_mock_server::{MockServer, Reason};
//!
//! # #[tokio::main] async fn main() {
//! let server = MockServer::start().await; // the built-in default profile, a free loopback port
//! let url = format!("{}/_apis/projects?api-version=7.0", server.collection_url("DefaultCollection"));
//! let pat = server.pat("full").unwrap(); // a full-access PAT of CONTOSO\joseph
//! // Point the client under test at `url` with Basic `:PAT`; here, plain curl:
//! let ok = std::process::Command::new("curl").args(["-s", "-m", "10", "-o", "/dev/null", "-u", &format!(":{pat}"), &url]).status();
//! if ok.is_ok() {
//!     server.journal().assert_reasons(&[Reason::Ok]);
//! }
//! # }
//! ```
//!
//! # Choose the server
//!
//! [`MockServer::builder`] takes a profile ([`profile_file`](MockServerBuilder::profile_file),
//! [`profile_toml`](MockServerBuilder::profile_toml); keys in `docs/PROFILES.md`), a
//! [`Release`] and the common IIS switches; relative expiries (`expires = "-1d"`) are resolved
//! against the server's clock when it starts.
//!
//! ```
//! # #[tokio::main(flavor = "current_thread")] async fn main() -> Result<(), ado_mock_server::ServeError> {
//! use ado_mock_server::{MockServer, Release};
//!
//! let server = MockServer::builder()
//!     .release(Release::Tfs2015) // predates PATs, Basic and Bearer challenges
//!     .profile_toml(r#"
//!         [[collections]]
//!         name = "DefaultCollection"
//!         [[identities]]
//!         account = 'CONTOSO\ana'
//!         password = "s3cret-pass"
//!         groups = ['[DefaultCollection]\Project Collection Valid Users']
//!     "#)
//!     .start()
//!     .await?;
//! assert_eq!(server.credentials().password(r"CONTOSO\ana"), Some("s3cret-pass"));
//! # Ok(()) }
//! ```
//!
//! Errors name the file, the key and what was expected:
//!
//! ```
//! # #[tokio::main(flavor = "current_thread")] async fn main() {
//! let error = ado_mock_server::MockServer::builder().set("iis.providers", vec!["Digest"]).start().await.err().unwrap();
//! assert!(error.to_string().contains("iis.providers"), "{error}");
//! # }
//! ```
//!
//! # What is public
//!
//! [`MockServer`], [`MockServerBuilder`], what a test reads back ([`Recorded`] journal rows
//! with typed [`Reason`]s, [`Credentials`]), the [`profile`] model, the offline [`explain`]er
//! and the one [`secret`] finder the journal and the conformance runner's reports share. The
//! rest (NTLM/SPNEGO, Kerberos, the HTTP adapters, the REST surface) is internal; the
//! workspace's own crates reach it through the `internals` feature, which has no compatibility
//! promise. `docs/ARCHITECTURE.md` in the repository maps those modules.

#![warn(unreachable_pub)]

// The public surface: the server, its builder, what a test reads back (journal, credentials),
// the profile model, the offline explanation and the one secret finder.
mod builder;
pub mod capacity;
mod credentials;
pub mod error;
pub mod explain;
pub mod journal;
pub mod probe;
pub mod profile;
mod recorded;
pub mod secret;

// The internal modules: `pub(crate)`, except with the `internals` feature, which this
// workspace's runner, tests and benches turn on to reach the NTLM messages, the decision and the
// HTTP adapters directly; that surface is hidden from the docs and carries no compatibility
// promise. Their items are `pub` so the feature can expose them; without it those items are
// unreachable on purpose, hence the allowances.
//
// Each module is declared once plainly (the `pub` form) and once through `crate_private!` (the
// `pub(crate)` form). Tools that read `mod` items without expanding macros (rustfmt,
// cargo-mutants) then see every file exactly once: two plain declarations made cargo-mutants
// generate and test every mutant of these files twice, and a macro alone hid the files from it
// and from rustfmt.
#[cfg(feature = "internals")]
#[doc(hidden)]
pub mod api_version;
#[cfg(feature = "internals")]
#[doc(hidden)]
pub mod auth;
#[cfg(feature = "internals")]
#[doc(hidden)]
pub mod control;
#[cfg(feature = "internals")]
#[doc(hidden)]
pub mod http;
#[cfg(feature = "internals")]
#[doc(hidden)]
pub mod jwt;
#[cfg(feature = "internals")]
#[doc(hidden)]
pub mod kerberos;
#[cfg(feature = "internals")]
#[doc(hidden)]
pub mod ntlm;
#[cfg(feature = "internals")]
#[doc(hidden)]
pub mod rest;
#[cfg(feature = "internals")]
#[doc(hidden)]
pub mod server;
#[cfg(feature = "internals")]
#[doc(hidden)]
pub mod soft;
#[cfg(feature = "internals")]
#[doc(hidden)]
pub mod time_text;
#[cfg(feature = "internals")]
#[doc(hidden)]
pub mod tls;

/// Declares each named module `pub(crate)`, with the allowances its unreachable `pub` items need.
#[cfg(not(feature = "internals"))]
macro_rules! crate_private {
    ($($name:ident),* $(,)?) => {
        $(
            #[allow(unreachable_pub, dead_code, unused_imports)]
            pub(crate) mod $name;
        )*
    };
}
#[cfg(not(feature = "internals"))]
crate_private!(api_version, auth, control, http, jwt, kerberos, ntlm, rest, server, soft, time_text, tls);

#[cfg(test)]
mod testing;

#[cfg(feature = "internals")]
#[doc(hidden)]
pub use auth::{Decision, RequestFacts, decide};
pub use auth::{Layer, Reason};
pub use builder::MockServerBuilder;
pub use credentials::{AccountCredentials, Credentials, JobTokenCredential, PatCredential};
pub use error::{ProfileError, ServeError};
pub use journal::{Journal, JournalEntry};
pub use profile::{Profile, Release};
pub use recorded::Recorded;
pub use server::MockServer;
