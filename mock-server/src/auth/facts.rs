//! Request facts: everything the decision depends on, extracted once per request.

use crate::api_version::ApiVersion;
use crate::auth::credential::Credential;
use crate::ntlm;
use crate::profile::Provider;
use crate::rest::route::Target;

/// The facts of one request. Built by `http::extract` (or by hand in tests and `explain`);
/// the decision reads nothing else, not even the clock.
#[derive(Clone, Debug)]
pub struct RequestFacts {
    /// Upper-case method.
    pub method: String,
    /// The path as sent (no query).
    pub path: String,
    /// Host and route the path resolves to.
    pub target: Target,
    /// The api-version, if any, and where it came from.
    pub api_version: Option<ApiVersionFact>,
    /// What the client accepts, for the error body format.
    pub accept: AcceptFacts,
    /// The parsed `Authorization` header.
    pub credential: Credential,
    /// The connection's id and Windows authentication state.
    pub connection: ConnectionFacts,
    /// Unix seconds now (PAT expiry).
    pub now: i64,
    /// A fresh random server challenge, used if this request starts an NTLM handshake.
    pub nonce: [u8; 8],
}

/// Where an api-version came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum VersionSource {
    /// `?api-version=`.
    Query,
    /// `Accept: application/json;api-version=`.
    Accept,
}

/// The api-version as sent.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ApiVersionFact {
    /// The raw text.
    pub raw: String,
    /// Its source.
    pub source: VersionSource,
    /// Parsed, or `None` when malformed.
    pub parsed: Option<ApiVersion>,
}

/// How the server picks an error body format (ado-facts 2.4).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AcceptFacts {
    /// `X-Requested-With: XMLHttpRequest`.
    pub xhr: bool,
    /// Whether the request "accepts text/html" by the server's rule.
    pub html: bool,
    /// Whether it accepts `application/json` without listing `text/plain`.
    pub json: bool,
}

impl AcceptFacts {
    /// Applies the server's rule to an `Accept` header value.
    pub fn from_header(accept: Option<&str>, xhr: bool) -> Self {
        let Some(accept) = accept else { return Self { xhr, html: true, json: false } };
        let (mut html, mut any, mut text_any, mut json, mut app_any, mut plain) =
            (false, false, false, false, false, false);
        for media in accept.split(',') {
            let media = media.split(';').next().unwrap_or("").trim();
            let is = |t: &str| media.eq_ignore_ascii_case(t);
            html |= is("text/html");
            any |= is("*/*");
            text_any |= is("text/*");
            json |= is("application/json");
            app_any |= is("application/*");
            plain |= is("text/plain");
        }
        let json_or_text = json || plain;
        Self { xhr, html: html || ((text_any || any) && !json_or_text), json: (json || app_any || any) && !plain }
    }
}

/// The connection a request arrived on.
#[derive(Clone, Debug)]
pub struct ConnectionFacts {
    /// A server-unique connection number.
    pub id: u64,
    /// Its Windows authentication state.
    pub auth: ConnectionAuth,
    /// Its TLS channel (issue 11: https, channel bindings); `None` for plain http.
    pub tls: Option<crate::tls::ConnectionTls>,
}

/// Windows authentication state of one TCP connection (IIS keeps it per connection, never
/// per client address).
#[derive(Clone, Debug, Default)]
pub enum ConnectionAuth {
    /// No handshake.
    #[default]
    None,
    /// A CHALLENGE was sent on this connection; the AUTHENTICATE must follow on it.
    Pending {
        /// The scheme the handshake runs under.
        scheme: Provider,
        /// The acceptor's state.
        handshake: Box<ntlm::Pending>,
    },
    /// A Windows logon succeeded on this connection.
    Authenticated {
        /// `DOMAIN\user` as configured.
        account: String,
        /// The scheme used.
        scheme: Provider,
    },
}

/// Finds the api-version in the query string or the `Accept` header (query wins).
pub fn find_api_version(query: Option<&str>, accept: Option<&str>) -> Option<ApiVersionFact> {
    let from_query = query.and_then(|q| {
        q.split('&').find_map(|pair| {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            k.eq_ignore_ascii_case("api-version")
                .then(|| crate::rest::route::percent_decode(&v.replace('+', " ")).into_owned())
        })
    });
    let (raw, source) = match from_query {
        Some(raw) => (raw, VersionSource::Query),
        None => {
            let raw = accept?.split([',', ';']).find_map(|param| {
                let (k, v) = param.split_once('=')?;
                k.trim().eq_ignore_ascii_case("api-version").then(|| v.trim().trim_matches('"').to_owned())
            })?;
            (raw, VersionSource::Accept)
        }
    };
    let parsed = ApiVersion::parse(&raw);
    Some(ApiVersionFact { raw, source, parsed })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accept_rule() {
        let cases = [
            (None, true, false),
            (Some("*/*"), true, true),
            (Some("text/html,application/xhtml+xml"), true, false),
            (Some("application/json"), false, true),
            (Some("application/json;api-version=7.1-preview.4"), false, true),
            (Some("text/plain"), false, false),
            (Some("application/json, text/plain"), false, false),
            (Some("*/*, application/json"), false, true),
        ];
        for (header, html, json) in cases {
            let a = AcceptFacts::from_header(header, false);
            assert_eq!((a.html, a.json), (html, json), "{header:?}");
        }
    }

    #[test]
    fn api_version_sources() {
        let q =
            find_api_version(Some("a=1&api-version=7.1-preview.1"), Some("application/json;api-version=6.0")).unwrap();
        assert_eq!((q.raw.as_str(), q.source), ("7.1-preview.1", VersionSource::Query));
        let a = find_api_version(None, Some("application/json; api-version=7.1-preview.4")).unwrap();
        assert_eq!((a.raw.as_str(), a.source), ("7.1-preview.4", VersionSource::Accept));
        assert_eq!(a.parsed.unwrap().to_string(), "7.1-preview.4");
        let bad = find_api_version(Some("api-version=seven"), None).unwrap();
        assert_eq!(bad.parsed, None);
        assert_eq!(find_api_version(Some("x=1"), Some("application/json")), None);
    }
}
