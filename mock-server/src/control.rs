//! The control plane, on its own port so that emulated authentication never locks the harness
//! out: `GET /journal`, `DELETE /journal`, `GET /healthz`, `GET /profile` (secrets redacted),
//! `GET /lockouts`, `POST /lockouts/reset[?account=DOMAIN\user]`.
//!
//! It holds the evidence a verdict is made from, so nothing reaches it without the server's
//! per-start token, and only under a loopback name:
//!
//! - every request needs `Authorization: Bearer <token>`; the token is random (32 bytes from
//!   the OS-seeded CSPRNG, URL-safe base64), new at every start, printed once by the
//!   standalone server (`control-token ...`) and by `ado-conformance serve` (stderr), never
//!   handed to a client, and redacted like a profile secret wherever the journal or a log
//!   would show it. Without it: 401 with `WWW-Authenticate: Bearer realm="control plane"`;
//! - `Host` must be `localhost`, a loopback address or the address the control plane is bound
//!   to (a web page cannot reach it by DNS rebinding); otherwise 403;
//! - it is served by the same accept loop as the emulated server, so it has the same
//!   connection, header-size, header-time and write-time limits (`http::Limits`).
//!
//! The conformance runner's case servers start no control plane at all.

use std::net::{IpAddr, SocketAddr};

use axum::extract::{Query, Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::Deserialize;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use crate::http::AppState;
use crate::journal::JournalEntry;
use crate::secret::{Secret, SecretKind, SecretSpec};

/// The owner name the token is redacted under (`<redacted secret control-token>`).
pub const TOKEN_OWNER: &str = "control-token";

/// A new random token.
pub fn new_token() -> String {
    let bytes: [u8; 32] = rand::random();
    URL_SAFE_NO_PAD.encode(bytes)
}

/// The token as a secret the finder redacts (journal, logs).
pub fn token_spec(token: &Secret) -> SecretSpec {
    SecretSpec {
        kind: SecretKind::Other,
        owner: TOKEN_OWNER.to_owned(),
        value: token.expose().to_owned(),
        users: Vec::new(),
    }
}

/// The control plane's router for a plane bound to `bound`: token and `Host` checked on every
/// request.
pub fn router(state: AppState, bound: SocketAddr) -> Router {
    Router::new()
        .route("/journal", get(journal).delete(clear))
        .route("/healthz", get(health))
        .route("/profile", get(profile))
        .route("/lockouts", get(lockouts))
        .route("/lockouts/reset", post(reset))
        .layer(axum::middleware::from_fn_with_state((state.clone(), bound), guard))
        .with_state(state)
}

/// Refuses a request with a `Host` outside loopback and the bound address (403), or without
/// the token (401).
async fn guard(State((state, bound)): State<(AppState, SocketAddr)>, request: Request, next: Next) -> Response {
    let host = request.headers().get(header::HOST).and_then(|h| h.to_str().ok());
    if !host.is_some_and(|h| host_allowed(h, bound)) {
        return (StatusCode::FORBIDDEN, "the control plane answers only to a loopback Host or its own address\n")
            .into_response();
    }
    let presented = request.headers().get(header::AUTHORIZATION).and_then(|h| h.to_str().ok());
    if !presented.is_some_and(|value| token_matches(value, state.control_token())) {
        let mut response = (
            StatusCode::UNAUTHORIZED,
            "the control plane needs `Authorization: Bearer <control-token>` (printed by the server at start)\n",
        )
            .into_response();
        response
            .headers_mut()
            .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer realm=\"control plane\""));
        return response;
    }
    next.run(request).await
}

/// Whether `Authorization` carries the token. Compared through SHA-256 digests, so the time
/// taken says nothing about how much of the token was right.
pub fn token_matches(authorization: &str, token: &Secret) -> bool {
    let Some((scheme, value)) = authorization.trim().split_once(' ') else { return false };
    scheme.eq_ignore_ascii_case("bearer") && Sha256::digest(value.trim()) == Sha256::digest(token.expose())
}

/// Whether `host` (a `Host` header: name or address, optional port) names loopback or the
/// bound address, with the bound port if it has one.
pub fn host_allowed(host: &str, bound: SocketAddr) -> bool {
    let (name, port) = split_host(host);
    if port.is_some_and(|p| p != bound.port()) {
        return false;
    }
    if name.eq_ignore_ascii_case("localhost") {
        return true;
    }
    match name.parse::<IpAddr>() {
        Ok(ip) => ip.is_loopback() || ip == bound.ip(),
        Err(_) => false,
    }
}

fn split_host(host: &str) -> (&str, Option<u16>) {
    let host = host.trim();
    if let Some(rest) = host.strip_prefix('[') {
        let Some((name, after)) = rest.split_once(']') else { return (host, None) };
        return (
            name,
            after.strip_prefix(':').and_then(|p| p.parse().ok()).or(if after.is_empty() { None } else { Some(0) }),
        );
    }
    match host.rsplit_once(':') {
        Some((name, port)) if !name.contains(':') => (name, Some(port.parse().unwrap_or(0))),
        _ => (host, None),
    }
}

async fn journal(State(state): State<AppState>) -> Json<Vec<JournalEntry>> {
    Json(state.journal().entries())
}

async fn clear(State(state): State<AppState>) -> StatusCode {
    state.journal().clear();
    StatusCode::NO_CONTENT
}

async fn health(State(state): State<AppState>) -> Json<Value> {
    Json(json!({
        "status": "ok",
        "release": state.profile().release,
        "journal_entries": state.journal().len(),
        "journal_dropped": state.journal().dropped(),
    }))
}

async fn profile(State(state): State<AppState>) -> Json<Value> {
    // `Secret` serializes as "<redacted>", so the profile can be shown as is.
    Json(serde_json::to_value(state.profile()).unwrap_or(Value::Null))
}

async fn lockouts(State(state): State<AppState>) -> Json<Value> {
    Json(json!(state.lockout_counts()))
}

#[derive(Deserialize)]
struct ResetQuery {
    account: Option<String>,
}

async fn reset(State(state): State<AppState>, Query(query): Query<ResetQuery>) -> StatusCode {
    state.reset_lockouts(query.account.as_deref());
    StatusCode::NO_CONTENT
}

#[cfg(test)]
mod tests {
    use super::*;

    fn addr(text: &str) -> SocketAddr {
        text.parse().unwrap()
    }

    #[test]
    fn only_loopback_names_and_the_bound_address_are_hosts() {
        let bound = addr("127.0.0.1:4000");
        for ok in ["127.0.0.1:4000", "localhost:4000", "LOCALHOST", "127.0.0.1", "[::1]:4000", "127.1.2.3:4000", "::1"]
        {
            assert!(host_allowed(ok, bound), "{ok}");
        }
        for refused in
            ["evil.example:4000", "127.0.0.1:4001", "10.0.0.5:4000", "localhost.evil:4000", "", "[::1]x", "127.0.0.1:x"]
        {
            assert!(!host_allowed(refused, bound), "{refused}");
        }
        let lan = addr("192.168.1.20:4000");
        assert!(host_allowed("192.168.1.20:4000", lan));
        assert!(!host_allowed("192.168.1.21:4000", lan));
    }

    #[test]
    fn the_token_must_be_sent_as_bearer_whole() {
        let token = Secret::new(new_token());
        assert_eq!(token.expose().len(), 43);
        assert_ne!(new_token(), new_token(), "new at every start");
        assert!(token_matches(&format!("Bearer {}", token.expose()), &token));
        assert!(token_matches(&format!("bearer  {} ", token.expose()), &token));
        assert!(!token_matches(token.expose(), &token), "no scheme");
        assert!(!token_matches(&format!("Basic {}", token.expose()), &token));
        assert!(!token_matches(&format!("Bearer {}", &token.expose()[1..]), &token));
        assert!(!token_matches("Bearer ", &token));
    }
}
