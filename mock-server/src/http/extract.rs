//! Request facts from an HTTP request: the only place request headers are parsed.

use axum::http::request::Parts;
use axum::http::{HeaderMap, header};

use crate::auth::{AcceptFacts, ConnectionAuth, ConnectionFacts, Credential, RequestFacts, find_api_version};
use crate::profile::Profile;
use crate::rest::route;
use crate::tls::ConnectionTls;

/// Headers kept for rendering and the journal, beside the decision's facts.
#[derive(Clone, Debug, Default)]
pub struct Extras {
    /// `X-TFS-Session` sent by the client (echoed back).
    pub session: Option<String>,
    /// `User-Agent`.
    pub user_agent: Option<String>,
    /// `Host`.
    pub host: Option<String>,
    /// The query string.
    pub query: Option<String>,
    /// `Content-Type`, `Content-Encoding` and `Git-Protocol`, kept only for routes that take a
    /// body (git and LFS).
    pub body_headers: Option<[Option<String>; 3]>,
}

impl Extras {
    /// The headers the git and LFS bodies read.
    pub fn git_headers(&self) -> crate::rest::GitHeaders<'_> {
        let get = |i: usize| self.body_headers.as_ref().and_then(|h| h[i].as_deref());
        crate::rest::GitHeaders { content_type: get(0), content_encoding: get(1), git_protocol: get(2) }
    }
}

/// Builds the facts of one request on connection `connection` (in Windows state `auth`, over
/// the TLS channel `tls` or plain http).
pub fn facts(
    profile: &Profile,
    parts: &Parts,
    (connection, auth, tls): (u64, ConnectionAuth, Option<ConnectionTls>),
    now: i64,
    nonce: [u8; 8],
) -> (RequestFacts, Extras) {
    let headers = &parts.headers;
    let method = parts.method.as_str().to_ascii_uppercase();
    let path = parts.uri.path().to_owned();
    let query = parts.uri.query().map(str::to_owned);
    let accept = text(headers, header::ACCEPT.as_str());
    let xhr = text(headers, "x-requested-with").is_some_and(|v| v.eq_ignore_ascii_case("XMLHttpRequest"));
    let facts = RequestFacts {
        target: route::resolve(profile, &method, &path),
        method,
        path,
        api_version: find_api_version(query.as_deref(), accept.as_deref()),
        accept: AcceptFacts::from_header(accept.as_deref(), xhr),
        credential: Credential::parse(headers.get(header::AUTHORIZATION).map(|v| v.as_bytes())),
        connection: ConnectionFacts { id: connection, auth, tls },
        now,
        nonce,
    };
    let extras =
        Extras {
            session: text(headers, "x-tfs-session")
                .filter(|s| s.len() <= 64 && s.bytes().all(|b| b.is_ascii_hexdigit() || b == b'-')),
            user_agent: text(headers, header::USER_AGENT.as_str()),
            host: text(headers, header::HOST.as_str()).or_else(|| parts.uri.authority().map(|a| a.to_string())),
            query,
            body_headers: facts.target.route.as_ref().ok().filter(|r| r.row().takes_body).map(|_| {
                [text(headers, "content-type"), text(headers, "content-encoding"), text(headers, "git-protocol")]
            }),
        };
    (facts, extras)
}

fn text(headers: &HeaderMap, name: &str) -> Option<String> {
    headers.get(name).and_then(|v| v.to_str().ok()).map(str::to_owned)
}
