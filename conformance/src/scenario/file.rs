//! The scenario file as written on disk (raw, strict) before validation.
//!
//! Every struct denies unknown keys: a typo in `[expect]` would otherwise silently weaken
//! what a scenario proves. `[server]` stays a raw table because its keys are profile keys,
//! which the profile loader checks after the overrides are merged.

use serde::Deserialize;

use super::model::{AccountForm, AuthKind, Capability, Fault, Operation, Outcome, Scheme, UrlForm};

/// A scenario file (`scenarios/<area>/<name>.toml`).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct ScenarioFile {
    /// One line.
    pub title: String,
    /// The seed line it comes from.
    pub seed: Option<String>,
    /// What a customer reports.
    pub symptom: String,
    /// Why it happens.
    pub cause: String,
    /// What fixes it.
    pub fix: String,
    /// `client` or `server`.
    pub fault: Fault,
    /// Capabilities the client needs.
    #[serde(default)]
    pub requires: Vec<Capability>,
    /// `profile`, `releases` and profile overrides.
    #[serde(default)]
    pub server: toml::Table,
    /// What the client is handed.
    pub client: ClientFile,
    /// What is expected.
    pub expect: ExpectFile,
}

/// The `[client]` table.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct ClientFile {
    /// `pat`, `basic`, `ntlm`, `negotiate`, `bearer` or `none`.
    pub auth: AuthKind,
    /// `DOMAIN\user` of a profile identity.
    pub identity: Option<String>,
    /// How the account name is handed over: `down-level` (default), `upn` or `bare`.
    #[serde(default)]
    pub account_form: AccountForm,
    /// The name of one of the profile's job tokens, for `auth = "job-token"`.
    pub job_token: Option<String>,
    /// The name of one of the identity's PATs.
    pub pat: Option<String>,
    /// A password overriding the identity's (e.g. a wrong one).
    pub password: Option<String>,
    /// The operation.
    pub operation: Operation,
    /// `collection` (default), `server` or `wrong-collection`.
    #[serde(default)]
    pub url: UrlForm,
    /// `https` or `http`; default: `https` when the server has `[tls] enabled`, else `http`.
    pub scheme: Option<Scheme>,
    /// A pinned api-version (`ADO_API_VERSION`).
    pub api_version: Option<String>,
    /// The collection (default: the profile's first).
    pub collection: Option<String>,
    /// The project (default: the collection's first).
    pub project: Option<String>,
    /// The repository (default: the project's first).
    pub repo: Option<String>,
    /// The work item id (default: the project's first).
    pub work_item: Option<u32>,
}

/// The `[expect]` table.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct ExpectFile {
    /// `success` or `failure`.
    pub outcome: Outcome,
    /// Reason codes the server must have produced at least once.
    #[serde(default)]
    pub reasons: Vec<String>,
    /// Reason codes of which the server must have produced at least one (for causes that
    /// clients meet in different ways, e.g. with or without an anonymous probe).
    #[serde(default)]
    pub any_reasons: Vec<String>,
    /// Reason codes the server must never have produced.
    #[serde(default)]
    pub forbid_reasons: Vec<String>,
    /// The most requests a conforming client needs.
    pub max_requests: Option<u32>,
    /// A regex that stdout or stderr must match when the client fails.
    pub message: Option<String>,
}
