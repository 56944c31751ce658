//! A mock Azure DevOps Server / TFS that reproduces on-premise authentication: the IIS layer
//! (Anonymous, Windows with Negotiate/NTLM, IIS Basic) and the TFS layer (PATs over Basic,
//! scopes, membership, api-version ceilings), with the real status codes, headers and bodies,
//! and an explanation of every refusal.
//!
//! # Layout
//!
//! - [`profile`]: the TOML model of one emulated server, validated at load.
//! - [`auth`]: request facts, the pure [`auth::decide`] function, decisions and reason codes.
//! - [`ntlm`]: the server side of NTLM and SPNEGO (message parsing, CHALLENGE, verification).
//! - [`rest`]: path resolution and the REST surface real SDKs need (bodies only).
//! - [`http`]: the adapters: facts from requests, decisions to responses, the accept loop.
//! - [`journal`]: the bounded, redacted record of decisions.
//! - [`control`]: the control plane (journal, reset, health, profile) on its own port.
//! - [`server`]: [`MockServer`], an in-process server on port 0 for tests and the runner.
//! - [`cli`]: the `ado-mock-server` command line.
//! - [`jwt`]: the mock's job access tokens (HS256 JWTs).
//! - [`tls`]: HTTPS: the generated CA and certificate, channel bindings (RFC 5929).
//! - [`probe`]: `ado-mock-server probe URL`: a live server fingerprinted into a profile.
//! - [`soft`]: soft mode: refusals served anyway, the would-be refusal journaled.
//! - [`explain`]: the offline "what would the server decide" used by `ado-mock-server explain`.
//! - [`api_version`], [`secret`], [`error`], [`time_text`]: small shared types.

pub mod api_version;
pub mod auth;
pub mod cli;
pub mod control;
pub mod error;
pub mod explain;
pub mod http;
pub mod journal;
pub mod jwt;
pub mod kerberos;
pub mod ntlm;
pub mod probe;
pub mod profile;
pub mod rest;
pub mod secret;
pub mod server;
pub mod soft;
#[cfg(test)]
mod testing;
pub mod time_text;
pub mod tls;

pub use auth::{Decision, Reason, RequestFacts, decide};
pub use error::{ProfileError, ServeError};
pub use journal::{Journal, JournalEntry};
pub use profile::{Profile, Release};
pub use server::MockServer;
