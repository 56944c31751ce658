//! Test support: a rich profile and request builders (compiled for tests only).

use axum::body::Body;
use axum::http::Request;

use crate::auth::{ConnectionAuth, RequestFacts};
use crate::http::extract;
use crate::profile::Profile;

/// The instant tests run at (2026-01-01T00:00:00Z); relative expiries resolve against it.
pub(crate) const NOW: i64 = 1_767_225_600;

/// A profile with one identity per situation the decision distinguishes (shared with the
/// integration tests).
pub(crate) const PROFILE: &str = include_str!("../../../tests/fixtures/mock/rich.toml");

/// The test profile with `extra` TOML lines prepended (top-level keys) or tables overriding it.
pub(crate) fn profile_with(overrides: &str) -> Profile {
    let mut base: toml::Table = toml::from_str(PROFILE).expect("test profile parses");
    let extra: toml::Table = toml::from_str(overrides).expect("override parses");
    crate::profile::merge_overrides(&mut base, &extra);
    Profile::from_toml_value(toml::Value::Table(base), "test profile", NOW).expect("test profile is valid")
}

/// The test profile.
pub(crate) fn profile() -> Profile {
    profile_with("")
}

/// A PAT's token by account and name.
pub(crate) fn pat(profile: &Profile, account: &str, name: &str) -> String {
    let identity = profile.identity(account).expect("identity exists");
    identity.pats.iter().find(|p| p.name == name).expect("pat exists").token.expose().to_owned()
}

/// A job token by name.
pub(crate) fn job_token(profile: &Profile, name: &str) -> String {
    profile.job_tokens.iter().find(|t| t.name == name).expect("job token exists").token.expose().to_owned()
}

/// `Basic base64(text)`.
pub(crate) fn basic(text: &str) -> String {
    use base64::Engine;
    format!("Basic {}", base64::engine::general_purpose::STANDARD.encode(text))
}

/// Facts for a request (headers as `(name, value)`), on a connection in state `auth`.
pub(crate) fn facts(
    profile: &Profile,
    method: &str,
    uri: &str,
    headers: &[(&str, &str)],
    auth: ConnectionAuth,
) -> RequestFacts {
    let mut builder = Request::builder().method(method).uri(uri).header("host", "tfs.contoso.local:8080");
    for (name, value) in headers {
        builder = builder.header(*name, *value);
    }
    let (parts, _) = builder.body(Body::empty()).expect("valid request").into_parts();
    extract::facts(profile, &parts, (7, auth, None), NOW, [0x42; 8]).0
}
