//! `ado-mock-server probe URL`: fingerprints a live Azure DevOps Server / TFS into a profile
//! (TOML) that the mock loads. It sends few, read-only requests (GET and OPTIONS, never a
//! write), says on the log what each is for, and sends no credential unless one is given.
//!
//! Without a credential it learns what anonymous 401s show: the virtual directory, the
//! challenge set and order (IIS Anonymous, Windows providers, IIS Basic, TFS's Bearer and
//! Basic), the `Server` header, the headers TFS adds per release, the error-body format; the
//! release then narrows to the releases whose defaults match. With a PAT it also reads the
//! location table (whose `maxVersion` and ids pin the release), the account it authenticated
//! as, and the collections, projects and repositories it may see.

pub mod infer;
pub mod render;

use std::time::Duration;

use anyhow::Context as _;

use self::infer::{Evidence, Observed};
use self::render::{CollectionSeen, Reproduction};
use crate::secret::Secret;

/// What to probe and how.
pub struct ProbeOptions {
    /// The server's URL (`http[s]://host[:port]/tfs`, or a collection URL).
    pub url: String,
    /// A PAT to send (as Basic `:PAT`) for the authenticated requests; none: anonymous only.
    pub pat: Option<Secret>,
    /// A CA certificate (PEM) to trust for https, besides none.
    pub ca_file: Option<std::path::PathBuf>,
    /// Per-request timeout.
    pub timeout: Duration,
}

/// The most collections whose projects and repositories are listed.
const MAX_COLLECTIONS: usize = 5;

struct Prober<'a> {
    http: reqwest::Client,
    origin: String,
    pat: Option<&'a Secret>,
    log: &'a mut dyn FnMut(&str),
    sent: usize,
}

/// Probes `options.url`; `log` receives one line per request (method, URL, purpose).
///
/// # Errors
/// A URL that does not parse, a server that cannot be reached, a CA file that cannot be read.
pub async fn probe(options: &ProbeOptions, log: &mut dyn FnMut(&str)) -> anyhow::Result<Reproduction> {
    let url = reqwest::Url::parse(options.url.trim_end_matches('/'))
        .with_context(|| format!("`{}` is not a URL (expected http[s]://host[:port]/tfs)", options.url))?;
    if !matches!(url.scheme(), "http" | "https") {
        anyhow::bail!("`{}`: expected an http:// or https:// URL", options.url);
    }
    let origin = match url.port() {
        Some(port) => format!("{}://{}:{port}", url.scheme(), url.host_str().unwrap_or_default()),
        None => format!("{}://{}", url.scheme(), url.host_str().unwrap_or_default()),
    };
    let segments: Vec<String> =
        url.path_segments().map(|s| s.filter(|x| !x.is_empty()).map(str::to_owned).collect()).unwrap_or_default();
    let http = client(options)?;
    let mut p = Prober { http, origin, pat: options.pat.as_ref(), log, sent: 0 };
    let mut repro = Reproduction::default();
    let (vdir, first) = p.application(&segments).await?;
    repro.virtual_directory = vdir.clone();
    let base = p.base(&vdir);
    let mut evidence = Evidence::default();
    evidence.learn(&first, "application/json", false, false);
    if evidence.realm.as_deref().is_some_and(|realm| realm.trim_end_matches('/') != base) {
        repro.public_url.clone_from(&evidence.realm);
    }
    let named = segments.get(vdir.split('/').filter(|s| !s.is_empty()).count()).cloned();
    if p.pat.is_some() {
        p.authenticated(&base, named.as_deref(), &mut evidence, &mut repro).await?;
    } else {
        repro
            .unknown
            .push("the release beyond what anonymous answers show (give --pat-env to read the location table)".into());
        repro.unknown.push("projects and repositories (they need a credential)".into());
        if let Some(name) = named {
            repro.collections.push(CollectionSeen { name, projects: Vec::new() });
        }
    }
    if evidence.iis.anonymous == Some(false) {
        repro.unknown.push("TFS's own Basic challenge (IIS refused before TFS answered)".into());
    }
    repro.evidence = evidence;
    (p.log)(&format!("done: {} requests sent", p.sent));
    Ok(repro)
}

impl Prober<'_> {
    fn base(&self, vdir: &str) -> String {
        if vdir.is_empty() { self.origin.clone() } else { format!("{}/{vdir}", self.origin) }
    }

    /// The virtual directory: the shortest prefix of the URL's path whose `_apis/connectionData`
    /// is not IIS's own 404. Returns it and that (anonymous) answer.
    async fn application(&mut self, segments: &[String]) -> anyhow::Result<(String, Observed)> {
        let mut last = None;
        for k in 0..=segments.len().min(2) {
            let vdir = segments[..k].join("/");
            let url = format!("{}/_apis/connectionData", self.base(&vdir));
            let answer = self
                .get(
                    &url,
                    "application/json",
                    false,
                    "virtual directory; challenge set and order; TFS's headers; the error body without api-version",
                )
                .await?;
            if !answer.outside_application() {
                return Ok((vdir, answer));
            }
            last = Some(answer);
        }
        let status = last.map_or(0, |a| a.status);
        anyhow::bail!(
            "no TFS application under {} (every `_apis/connectionData` was IIS's 404, last status {status})",
            self.origin
        )
    }

    async fn authenticated(
        &mut self,
        base: &str,
        named: Option<&str>,
        evidence: &mut Evidence,
        repro: &mut Reproduction,
    ) -> anyhow::Result<()> {
        let options = self
            .send(
                reqwest::Method::OPTIONS,
                &format!("{base}/_apis"),
                "application/json",
                true,
                "the location table: maxVersion and ids pin the release",
            )
            .await?;
        if options.status == 200 {
            evidence.learn_locations(&options.body, true);
        } else if options.status == 401 {
            repro.unknown.push("anything behind authentication: the server refused the PAT (401)".into());
            if let Some(name) = named {
                repro.collections.push(CollectionSeen { name: name.to_owned(), projects: Vec::new() });
            }
            return Ok(());
        } else {
            repro.unknown.push(format!("the location table (OPTIONS _apis answered {} to the PAT)", options.status));
        }
        let data = self
            .get(&format!("{base}/_apis/connectionData"), "application/json", true, "the account the PAT authenticates")
            .await?;
        repro.account = json(&data)
            .and_then(|v| Some(v.pointer("/authenticatedUser/properties/Account/$value")?.as_str()?.to_owned()));
        let listed = self
            .get(
                &format!("{base}/_apis/projectCollections?api-version=1.0"),
                "application/json",
                true,
                "the collections",
            )
            .await?;
        let mut names: Vec<String> = names_of(&listed).into_iter().take(MAX_COLLECTIONS).collect();
        if let Some(named) = named.filter(|n| !names.iter().any(|x| x.eq_ignore_ascii_case(n))) {
            names.insert(0, named.to_owned());
        }
        if names.is_empty() {
            repro.unknown.push(format!(
                "the collections (projectCollections answered {}; pass a collection URL)",
                listed.status
            ));
        }
        for name in names {
            let seen = self.collection(base, &name).await?;
            repro.collections.push(seen);
        }
        Ok(())
    }

    async fn collection(&mut self, base: &str, name: &str) -> anyhow::Result<CollectionSeen> {
        let url = format!("{base}/{name}/_apis/projects?api-version=1.0");
        let projects = names_of(&self.get(&url, "application/json", true, "the collection's projects").await?);
        let url = format!("{base}/{name}/_apis/git/repositories?api-version=1.0");
        let repos = self.get(&url, "application/json", true, "the collection's git repositories").await?;
        let mut seen =
            CollectionSeen { name: name.to_owned(), projects: projects.into_iter().map(|p| (p, Vec::new())).collect() };
        let rows = json(&repos).and_then(|v| v.get("value").and_then(|r| r.as_array()).cloned()).unwrap_or_default();
        for row in rows {
            let (Some(repo), Some(project)) =
                (row["name"].as_str(), row.pointer("/project/name").and_then(|p| p.as_str()))
            else {
                continue;
            };
            if let Some(entry) = seen.projects.iter_mut().find(|(p, _)| p.eq_ignore_ascii_case(project)) {
                entry.1.push(repo.to_owned());
            }
        }
        Ok(seen)
    }

    async fn get(&mut self, url: &str, accept: &str, credential: bool, purpose: &str) -> anyhow::Result<Observed> {
        self.send(reqwest::Method::GET, url, accept, credential, purpose).await
    }

    async fn send(
        &mut self,
        method: reqwest::Method,
        url: &str,
        accept: &str,
        credential: bool,
        purpose: &str,
    ) -> anyhow::Result<Observed> {
        let with = if credential { " (with the PAT)" } else { "" };
        (self.log)(&format!("{method} {url}{with}: {purpose}"));
        self.sent += 1;
        let mut request = self.http.request(method, url).header("accept", accept);
        if let (true, Some(pat)) = (credential, self.pat) {
            use base64::Engine as _;
            let token = base64::engine::general_purpose::STANDARD.encode(format!(":{}", pat.expose()));
            request = request.header("authorization", format!("Basic {token}"));
        }
        let response = request.send().await.with_context(|| format!("{url}: no answer"))?;
        let head = Observed::of(&response, String::new());
        let body = response.text().await.unwrap_or_default();
        Ok(Observed { body, ..head })
    }
}

fn json(answer: &Observed) -> Option<serde_json::Value> {
    (answer.status == 200).then(|| serde_json::from_str(&answer.body).ok()).flatten()
}

/// The `name`s of a `{"value": [...]}` list.
fn names_of(answer: &Observed) -> Vec<String> {
    let rows = json(answer).and_then(|v| v.get("value").and_then(|r| r.as_array()).cloned()).unwrap_or_default();
    rows.iter().filter_map(|r| Some(r.get("name")?.as_str()?.to_owned())).collect()
}

fn client(options: &ProbeOptions) -> anyhow::Result<reqwest::Client> {
    use rustls::pki_types::CertificateDer;
    use rustls::pki_types::pem::PemObject as _;
    let provider = std::sync::Arc::new(rustls::crypto::ring::default_provider());
    let mut roots = rustls::RootCertStore::empty();
    if let Some(path) = &options.ca_file {
        let certs = CertificateDer::pem_file_iter(path)
            .with_context(|| format!("cannot read the CA file {}", path.display()))?
            .collect::<Result<Vec<_>, _>>()
            .with_context(|| format!("the CA file {} is not PEM", path.display()))?;
        roots.add_parsable_certificates(certs);
    }
    let tls = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()?
        .with_root_certificates(roots)
        .with_no_client_auth();
    Ok(reqwest::Client::builder()
        .tls_backend_preconfigured(tls)
        .redirect(reqwest::redirect::Policy::none())
        .timeout(options.timeout)
        .user_agent(concat!("ado-mock-server-probe/", env!("CARGO_PKG_VERSION")))
        .build()?)
}
