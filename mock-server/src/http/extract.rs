//! Request facts from an HTTP request: the only place request headers are parsed.

use std::borrow::Cow;

use axum::http::request::Parts;
use axum::http::{HeaderName, header};

use crate::auth::{AcceptFacts, ConnectionAuth, ConnectionFacts, Credential, RequestFacts, find_api_version};
use crate::profile::Profile;
use crate::rest::route;
use crate::tls::ConnectionTls;

/// Headers kept for rendering and the journal, beside the decision's facts, borrowed from the
/// request (`'a`).
#[derive(Clone, Debug, Default)]
pub struct Extras<'a> {
    /// `X-TFS-Session` sent by the client (echoed back), when it is a plausible session id
    /// (64 characters or fewer, hex digits and `-`).
    pub session: Option<&'a str>,
    /// `User-Agent`.
    pub user_agent: Option<&'a str>,
    /// `Host`, or the request target's authority without one.
    pub host: Option<&'a str>,
    /// The query string.
    pub query: Option<&'a str>,
    /// `Content-Type`, `Content-Encoding` and `Git-Protocol`, kept only for routes that take a
    /// body (git and LFS).
    pub body_headers: Option<[Option<&'a str>; 3]>,
}

impl Extras<'_> {
    /// The headers the git and LFS bodies read.
    pub fn git_headers(&self) -> crate::rest::GitHeaders<'_> {
        let get = |i: usize| self.body_headers.as_ref().and_then(|h| h[i]);
        crate::rest::GitHeaders { content_type: get(0), content_encoding: get(1), git_protocol: get(2) }
    }
}

const X_TFS_SESSION: HeaderName = HeaderName::from_static("x-tfs-session");
const X_REQUESTED_WITH: HeaderName = HeaderName::from_static("x-requested-with");
const GIT_PROTOCOL: HeaderName = HeaderName::from_static("git-protocol");

/// The headers the server reads, each the first of its name (as `HeaderMap::get` returns it),
/// found in one pass over the request's headers instead of one hashed lookup per name. A slot
/// is `Some` once its name was seen: `Some(None)` when that first value is not visible ASCII,
/// and the later values of the name are then ignored, as `get(..).to_str()` ignores them.
#[derive(Default)]
struct Read<'a> {
    authorization: Option<&'a [u8]>,
    accept: Option<Option<&'a str>>,
    requested_with: Option<Option<&'a str>>,
    session: Option<Option<&'a str>>,
    user_agent: Option<Option<&'a str>>,
    host: Option<Option<&'a str>>,
    content_type: Option<Option<&'a str>>,
    content_encoding: Option<Option<&'a str>>,
    git_protocol: Option<Option<&'a str>>,
}

impl<'a> Read<'a> {
    fn from(parts: &'a Parts) -> Self {
        let mut read = Read::default();
        for (name, value) in &parts.headers {
            if name == header::AUTHORIZATION {
                read.authorization.get_or_insert(value.as_bytes());
                continue;
            }
            let slot = if name == header::ACCEPT {
                &mut read.accept
            } else if name == header::USER_AGENT {
                &mut read.user_agent
            } else if name == header::HOST {
                &mut read.host
            } else if name == header::CONTENT_TYPE {
                &mut read.content_type
            } else if name == header::CONTENT_ENCODING {
                &mut read.content_encoding
            } else if name == X_TFS_SESSION {
                &mut read.session
            } else if name == X_REQUESTED_WITH {
                &mut read.requested_with
            } else if name == GIT_PROTOCOL {
                &mut read.git_protocol
            } else {
                continue;
            };
            slot.get_or_insert(value.to_str().ok());
        }
        read
    }
}

/// Builds the facts of one request on connection `connection` (in Windows state `auth`, over
/// the TLS channel `tls` or plain http).
pub fn facts<'a>(
    profile: &Profile,
    parts: &'a Parts,
    (connection, auth, tls): (u64, ConnectionAuth, Option<ConnectionTls>),
    now: i64,
    nonce: [u8; 8],
) -> (RequestFacts, Extras<'a>) {
    let read = Read::from(parts);
    let text = |slot: Option<Option<&'a str>>| slot.flatten();
    let accept = text(read.accept);
    let method = match parts.method.as_str() {
        // Every standard method is upper case already; an extension method may not be.
        text if text.bytes().all(|b| !b.is_ascii_lowercase()) => text.to_owned(),
        text => text.to_ascii_uppercase(),
    };
    let path = parts.uri.path().to_owned();
    let query = parts.uri.query();
    let xhr = text(read.requested_with).is_some_and(|v| v.eq_ignore_ascii_case("XMLHttpRequest"));
    let facts = RequestFacts {
        target: route::resolve(profile, &method, &path),
        method,
        path,
        api_version: find_api_version(query, accept),
        accept: AcceptFacts::from_header(accept, xhr),
        credential: Credential::parse(read.authorization),
        connection: ConnectionFacts { id: connection, auth, tls },
        now,
        nonce,
    };
    let takes_body = facts.target.route.as_ref().is_ok_and(|r| r.row().takes_body);
    let extras = Extras {
        session: text(read.session).filter(|s| s.len() <= 64 && s.bytes().all(|b| b.is_ascii_hexdigit() || b == b'-')),
        user_agent: text(read.user_agent),
        host: text(read.host).or_else(|| parts.uri.authority().map(|a| a.as_str())),
        query,
        body_headers: takes_body
            .then(|| [text(read.content_type), text(read.content_encoding), text(read.git_protocol)]),
    };
    (facts, extras)
}

/// `path?query`, or the path alone.
pub fn path_and_query<'a>(path: &'a str, query: Option<&str>) -> Cow<'a, str> {
    match query {
        Some(query) => Cow::Owned(format!("{path}?{query}")),
        None => Cow::Borrowed(path),
    }
}

#[cfg(test)]
mod tests {
    use axum::http::{HeaderValue, Request};

    use super::*;
    use crate::auth::Basic;

    fn parts(uri: &str, headers: &[(&str, HeaderValue)]) -> Parts {
        let mut builder = Request::get(uri);
        for (name, value) in headers {
            builder = builder.header(*name, value.clone());
        }
        builder.body(()).unwrap().into_parts().0
    }

    fn read(parts: &Parts) -> (RequestFacts, Extras<'_>) {
        let profile = crate::testing::profile();
        facts(&profile, parts, (1, ConnectionAuth::None, None), 0, [0; 8])
    }

    #[test]
    fn the_first_value_of_a_header_decides_even_when_it_is_not_text() {
        let not_text = HeaderValue::from_bytes(b"caf\xe9").unwrap();
        let parts = parts(
            "/tfs/DefaultCollection/_apis/projects",
            &[
                ("user-agent", not_text),
                ("user-agent", HeaderValue::from_static("second")),
                ("x-tfs-session", HeaderValue::from_static("0a0b")),
                ("x-tfs-session", HeaderValue::from_static("0c0d")),
                ("authorization", HeaderValue::from_static("Basic OmFiYw==")),
                ("authorization", HeaderValue::from_static("Bearer x")),
            ],
        );
        let (facts, extras) = read(&parts);
        // As `HeaderMap::get(..).to_str().ok()`: the first value, unreadable, means none.
        assert_eq!(extras.user_agent, None);
        assert_eq!(extras.session, Some("0a0b"));
        assert!(matches!(facts.credential, Credential::Basic(Basic::Pair { .. })), "{:?}", facts.credential);
    }

    #[test]
    fn without_host_the_request_targets_authority_is_the_host() {
        let parts = parts("http://tfs.contoso.local:8080/tfs/_apis/projects?api-version=5.0", &[]);
        let (facts, extras) = read(&parts);
        assert_eq!((extras.host, extras.query), (Some("tfs.contoso.local:8080"), Some("api-version=5.0")));
        assert_eq!(facts.api_version.map(|v| v.raw), Some("5.0".to_owned()));
        let with_host = super::tests::parts("http://a:1/tfs/", &[("host", HeaderValue::from_static("b:2"))]);
        assert_eq!(read(&with_host).1.host, Some("b:2"));
    }

    #[test]
    fn a_session_that_is_not_an_id_is_not_echoed_and_methods_are_upper_case() {
        let long = HeaderValue::from_str(&"a".repeat(65)).unwrap();
        let parts = parts("/tfs/", &[("x-tfs-session", long)]);
        assert_eq!(read(&parts).1.session, None);
        let mut lower = super::tests::parts("/tfs/", &[("x-tfs-session", HeaderValue::from_static("zz"))]);
        lower.method = axum::http::Method::from_bytes(b"propfind").unwrap();
        let (facts, extras) = read(&lower);
        assert_eq!((facts.method.as_str(), extras.session), ("PROPFIND", None));
    }
}
