//! A HAR (HTTP Archive 1.2 or 1.3, as browsers' developer tools and Fiddler export it, read
//! with the `har` crate) as a list of exchanges, anonymised as they are read: the same host,
//! collection, project, repository or account always gets the same placeholder, and no
//! credential, cookie or token is kept (a credential is reduced to its kind, and to whether the
//! server accepted it).

use std::collections::BTreeMap;
use std::path::Path;

use anyhow::Context as _;
use base64::Engine as _;

use ado_mock_server::probe::infer::Observed;
use ado_mock_server::secret::{SecretKind, SecretSpec};

/// What a request presented, without the secret.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Presented {
    /// No `Authorization`.
    Nothing,
    /// Basic `user:PAT` (or `:PAT`).
    Pat,
    /// Basic base64(PAT), no colon.
    PatNoColon,
    /// Basic `user:password` that is not a PAT.
    Password,
    /// `Bearer <token>`.
    Bearer,
    /// An NTLM or Negotiate handshake leg.
    Windows,
    /// Anything else.
    Other,
}

/// One request and its answer, anonymised.
#[derive(Clone, Debug)]
pub struct Exchange {
    /// The method.
    pub method: String,
    /// The path (placeholders for collection, project, repository) and the api-version, if any.
    pub path: String,
    /// The request's `Accept`.
    pub accept: String,
    /// Whether an api-version was sent.
    pub api_version: bool,
    /// The credential's kind.
    pub presented: Presented,
    /// The same credential (by an in-memory number; the value is never kept).
    pub credential: Option<usize>,
    /// The answer (headers anonymised: no cookie values, realms with placeholder hosts).
    pub answer: Observed,
}

/// The trace read: exchanges, the secrets seen (for the caller's leak check, never written),
/// and the placeholders' counts.
#[derive(Default)]
pub struct Trace {
    /// The exchanges, in order.
    pub exchanges: Vec<Exchange>,
    /// Every secret value the trace held (Authorization values decoded, cookies).
    pub secrets: Vec<SecretSpec>,
    /// Placeholders.
    pub names: Names,
}

/// Consistent placeholders per kind.
#[derive(Default)]
pub struct Names {
    map: BTreeMap<(&'static str, String), String>,
}

impl Names {
    /// The placeholder of `value` of `kind` (`host`, `Collection`, `Project`, `Repo`, `user`).
    pub fn of(&mut self, kind: &'static str, value: &str) -> String {
        let key = (kind, value.to_ascii_lowercase());
        if let Some(name) = self.map.get(&key) {
            return name.clone();
        }
        let n = self.map.keys().filter(|(k, _)| *k == kind).count() + 1;
        let name = match kind {
            "host" => format!("tfs{n}.example.invalid"),
            _ => format!("{kind}{n}"),
        };
        self.map.insert(key, name.clone());
        name
    }
}

/// An entry as the HAR had it.
pub struct Raw {
    method: String,
    url: String,
    request: Vec<(String, String)>,
    status: i64,
    response: Vec<(String, String)>,
    body: String,
}

macro_rules! raw {
    ($e:expr) => {
        Raw {
            method: $e.request.method,
            url: $e.request.url,
            request: $e.request.headers.into_iter().map(|h| (h.name, h.value)).collect(),
            status: $e.response.status,
            response: $e.response.headers.into_iter().map(|h| (h.name, h.value)).collect(),
            body: $e.response.content.text.unwrap_or_default(),
        }
    };
}

/// Reads a HAR file.
///
/// # Errors
/// The file cannot be read or is not HAR 1.2/1.3 (the message names the file).
pub fn read(path: &Path) -> anyhow::Result<Trace> {
    let har =
        har::from_path(path).with_context(|| format!("{}: not an HTTP Archive (HAR 1.2 or 1.3)", path.display()))?;
    let raw: Vec<Raw> = match har.log {
        har::Spec::V1_2(log) => log.entries.into_iter().map(|e| raw!(e)).collect(),
        har::Spec::V1_3(log) => log.entries.into_iter().map(|e| raw!(e)).collect(),
    };
    let mut trace = Trace::default();
    let mut credentials: Vec<String> = Vec::new();
    for entry in raw {
        let exchange = anonymise(entry, &mut trace, &mut credentials);
        if let Some(exchange) = exchange {
            trace.exchanges.push(exchange);
        }
    }
    Ok(trace)
}

fn header<'a>(headers: &'a [(String, String)], name: &str) -> Option<&'a str> {
    headers.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
}

fn anonymise(raw: Raw, trace: &mut Trace, credentials: &mut Vec<String>) -> Option<Exchange> {
    let url = reqwest_like(&raw.url)?;
    let (presented, secret) = presented(header(&raw.request, "authorization"), &mut trace.secrets);
    let credential = secret.map(|s| match credentials.iter().position(|c| *c == s) {
        Some(i) => i,
        None => {
            credentials.push(s);
            credentials.len() - 1
        }
    });
    for (name, value) in raw.request.iter().chain(&raw.response) {
        if name.eq_ignore_ascii_case("cookie") || name.eq_ignore_ascii_case("set-cookie") {
            remember(&mut trace.secrets, SecretKind::Other, "a cookie", value);
        }
    }
    let _host = trace.names.of("host", &url.host);
    let (path, api_version) = anonymise_path(&url.path, &url.query, &mut trace.names);
    let accept = header(&raw.request, "accept").unwrap_or("*/*").to_owned();
    let api_version = api_version || accept.contains("api-version");
    let headers = raw.response.iter().filter_map(|(n, v)| answer_header(n, v, &mut trace.names)).collect();
    let body = anonymise_body(&raw.body, &path, &mut trace.names);
    let answer = Observed { status: u16::try_from(raw.status).unwrap_or(0), headers, body };
    Some(Exchange { method: raw.method.to_ascii_uppercase(), path, accept, api_version, presented, credential, answer })
}

struct Url {
    host: String,
    path: String,
    query: String,
}

fn reqwest_like(url: &str) -> Option<Url> {
    let rest = url.strip_prefix("http://").or_else(|| url.strip_prefix("https://"))?;
    let (authority, path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
    let host = authority.rsplit('@').next()?.split(':').next()?.to_owned();
    let (path, query) = path.split_once('?').unwrap_or((path, ""));
    Some(Url { host, path: if path.is_empty() { "/".into() } else { path.to_owned() }, query: query.to_owned() })
}

/// Placeholders for the collection (the segment after the virtual directory, before `_apis`),
/// the project (a segment between the collection and `_apis`) and the repository; only the
/// query's `api-version` is kept (a query may carry a secret).
fn anonymise_path(path: &str, query: &str, names: &mut Names) -> (String, bool) {
    let segments: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
    let apis = segments.iter().position(|s| s.eq_ignore_ascii_case("_apis")).unwrap_or(segments.len());
    let vdir = usize::from(segments.first().is_some_and(|s| s.eq_ignore_ascii_case("tfs")));
    let mut out: Vec<String> = Vec::new();
    for (i, segment) in segments.iter().enumerate() {
        let decoded = ado_mock_server::rest::route::percent_decode(segment);
        out.push(match i {
            i if i < vdir => (*segment).to_owned(),
            i if i == vdir && i < apis => names.of("Collection", &decoded),
            i if i > vdir && i < apis => names.of("Project", &decoded),
            i if i > 0 && segments[i - 1].eq_ignore_ascii_case("repositories") => names.of("Repo", &decoded),
            _ => (*segment).to_owned(),
        });
    }
    let version = query.split('&').find(|kv| kv.to_ascii_lowercase().starts_with("api-version="));
    let mut path = format!("/{}", out.join("/"));
    if let Some(v) = version {
        path = format!("{path}?{v}");
    }
    (path, version.is_some())
}

/// Response headers worth keeping: TFS's and IIS's (no cookie values, anonymised realms).
fn answer_header(name: &str, value: &str, names: &mut Names) -> Option<(String, String)> {
    let lower = name.to_ascii_lowercase();
    let value = match lower.as_str() {
        "set-cookie" => format!("{}=", value.split('=').next().unwrap_or("")),
        "www-authenticate" => realm_host(value, names),
        "server"
        | "content-type"
        | "x-tfs-processid"
        | "activityid"
        | "x-tfs-session"
        | "x-vss-e2eid"
        | "x-vss-senderdeploymentid"
        | "x-tfs-serviceerror"
        | "x-tfs-soapexception" => value.to_owned(),
        n if n.starts_with("access-control-") => value.to_owned(),
        _ => return None,
    };
    // A Windows handshake token is session material: keep the scheme only.
    let value = match (lower.as_str(), value.split_once(' ')) {
        ("www-authenticate", Some((scheme, token)))
            if ["ntlm", "negotiate"].contains(&scheme.to_ascii_lowercase().as_str()) && !token.is_empty() =>
        {
            format!("{scheme} <token>")
        }
        _ => value,
    };
    Some((lower, value))
}

fn realm_host(value: &str, names: &mut Names) -> String {
    let Some((before, realm)) = value.split_once("realm=\"") else { return value.to_owned() };
    let realm = realm.trim_end_matches('"');
    let anonymised = match reqwest_like(realm) {
        Some(url) => {
            let scheme = if realm.starts_with("https") { "https" } else { "http" };
            format!("{scheme}://{}{}", names.of("host", &url.host), url.path.trim_end_matches('/'))
        }
        None => names.of("host", realm),
    };
    format!("{before}realm=\"{anonymised}\"")
}

/// Only list bodies are kept, reduced to placeholder names (projects, repositories with their
/// project, the authenticated account) and location rows (id, maxVersion); the rest is dropped.
fn anonymise_body(body: &str, path: &str, names: &mut Names) -> String {
    let listed = if path.contains("projectCollections") { "Collection" } else { "Project" };
    let Ok(json) = serde_json::from_str::<serde_json::Value>(body) else {
        // Keep a TFS page's title (it names the product), nothing else.
        let title = body.find("<title>").and_then(|s| body[s..].find("</title>").map(|e| &body[s..s + e + 8]));
        return title
            .map(|t| t.rsplit(" - ").next().map(|p| format!("<title>x - {p}")).unwrap_or_default())
            .unwrap_or_default();
    };
    let mut out = serde_json::json!({});
    if let Some(account) = json.pointer("/authenticatedUser/properties/Account/$value").and_then(|v| v.as_str()) {
        out["account"] = names.of("user", account).into();
    }
    if let Some(rows) = json.get("value").and_then(|v| v.as_array()) {
        let kept: Vec<serde_json::Value> = rows
            .iter()
            .map(|r| {
                let mut row = serde_json::json!({});
                if let (Some(id), Some(max)) = (r["id"].as_str(), r["maxVersion"].as_str()) {
                    row["id"] = id.into();
                    row["maxVersion"] = max.into();
                } else if let Some(project) = r.pointer("/project/name").and_then(|p| p.as_str()) {
                    row["name"] = names.of("Repo", r["name"].as_str().unwrap_or("")).into();
                    row["project"] = names.of("Project", project).into();
                } else if let Some(name) = r["name"].as_str() {
                    row["name"] = names.of(listed, name).into();
                }
                row
            })
            .collect();
        out["value"] = kept.into();
    }
    out.to_string()
}

fn remember(secrets: &mut Vec<SecretSpec>, kind: SecretKind, owner: &str, value: &str) {
    if value.len() >= 4 && !secrets.iter().any(|s| s.value == value) {
        secrets.push(SecretSpec { kind, owner: owner.to_owned(), value: value.to_owned(), users: Vec::new() });
    }
}

/// The credential's kind, and its value for telling credentials apart in memory.
fn presented(authorization: Option<&str>, secrets: &mut Vec<SecretSpec>) -> (Presented, Option<String>) {
    let Some(value) = authorization else { return (Presented::Nothing, None) };
    let (scheme, token) = value.trim().split_once(' ').unwrap_or((value.trim(), ""));
    let token = token.trim();
    remember(secrets, SecretKind::Other, "an Authorization header", token);
    let kind = match scheme.to_ascii_lowercase().as_str() {
        "basic" => {
            let decoded = base64::engine::general_purpose::STANDARD
                .decode(token)
                .ok()
                .map(|b| String::from_utf8_lossy(&b).into_owned());
            match decoded.as_deref().map(|d| d.split_once(':')) {
                Some(Some((_, secret))) if ado_mock_server::profile::is_pat_syntax(secret) => {
                    remember(secrets, SecretKind::Pat, "a PAT of the trace", secret);
                    Presented::Pat
                }
                Some(Some((_, secret))) => {
                    remember(secrets, SecretKind::Password, "a password of the trace", secret);
                    Presented::Password
                }
                Some(None) => {
                    remember(secrets, SecretKind::Pat, "a PAT of the trace", decoded.as_deref().unwrap_or(""));
                    Presented::PatNoColon
                }
                None => Presented::Other,
            }
        }
        "bearer" => {
            remember(secrets, SecretKind::Pat, "a bearer token of the trace", token);
            Presented::Bearer
        }
        "ntlm" | "negotiate" => Presented::Windows,
        _ => Presented::Other,
    };
    (kind, Some(token.to_owned()))
}
