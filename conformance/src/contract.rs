//! The client environment contract (`docs/CLIENT-CONTRACT.md`): the `ADO_*` variables a case
//! hands its client, and the process environment around them.
//!
//! `serve` prints exactly [`contract_env`] so a person reproduces a case with what the runner
//! would have given the client. [`VARIABLES`] is the list the documentation is checked
//! against (a test fails when the two differ).
//!
//! # Isolation, honestly
//! The environment is cleared and HOME and TMPDIR are fresh per case, which keeps the
//! developer's credentials, proxies, git and SDK configuration away from a well-behaved
//! client. It is not a security boundary: the client runs as the same user, so it can still
//! read the runner's environment through `/proc/<runner pid>/environ`, see other processes,
//! and write to the real home folder by its absolute path. `run --sandbox` (bubblewrap:
//! separate user, PID, network and mount namespaces) is the stronger option.

use std::path::Path;

use crate::manifest::ClientManifest;
use crate::scenario::{AccountForm, AuthKind, Case, Scheme, UrlForm};

/// The collection name used for `url = "wrong-collection"`.
pub const WRONG_COLLECTION: &str = "NoSuchCollection";

/// Variables passed through from the runner's own environment; everything else is cleared, so
/// a client does not pick up the developer's credentials, proxies or git configuration by
/// accident. A client that looks can still read them from `/proc/<runner pid>/environ` (see
/// the module documentation); only `--sandbox` hides them.
pub const PASSED_THROUGH: &[&str] = &["PATH", "LANG", "LC_ALL", "LC_CTYPE"];

/// One contract variable, for the documentation and its check.
#[derive(Clone, Copy, Debug)]
pub struct Variable {
    /// The name, e.g. `ADO_URL`.
    pub name: &'static str,
    /// When it is set.
    pub when: &'static str,
}

/// Every variable [`contract_env`] can set, in its order.
pub const VARIABLES: &[Variable] = &[
    Variable { name: "ADO_URL", when: "always" },
    Variable { name: "ADO_COLLECTION", when: "always" },
    Variable { name: "ADO_PROJECT", when: "when the collection has a project" },
    Variable { name: "ADO_REPO", when: "when the project has a repository" },
    Variable { name: "ADO_WORK_ITEM", when: "when the project has a work item" },
    Variable { name: "ADO_OPERATION", when: "always" },
    Variable { name: "ADO_AUTH", when: "always" },
    Variable { name: "ADO_PAT", when: "`ADO_AUTH` is `pat` or `bearer`" },
    Variable { name: "ADO_ACCESS_TOKEN", when: "`ADO_AUTH` is `job-token`" },
    Variable { name: "ADO_USERNAME", when: "`ADO_AUTH` is `basic`, `ntlm` or `negotiate`" },
    Variable { name: "ADO_PASSWORD", when: "`ADO_AUTH` is `basic`, `ntlm` or `negotiate`" },
    Variable { name: "ADO_DOMAIN", when: "`ADO_AUTH` is `basic`, `ntlm` or `negotiate`" },
    Variable { name: "ADO_API_VERSION", when: "only when the scenario pins a version" },
    Variable { name: "ADO_SCENARIO", when: "always" },
];

/// Variables that make common clients trust the CA file: OpenSSL (curl's default build, git,
/// Python's `ssl`), requests, curl's own, Node.js (added to its bundled roots) and git.
pub const CA_VARIABLES: &[&str] =
    &["ADO_CA_FILE", "SSL_CERT_FILE", "REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE", "NODE_EXTRA_CA_CERTS", "GIT_SSL_CAINFO"];

/// The contract variables for `case` against a server whose application URL is `server_url`
/// (e.g. `http://127.0.0.1:PORT/tfs`, or `https://...` with TLS), in a stable order. Secrets
/// are real values. A scenario's `[client] scheme = "http"` turns an https URL into the same
/// server's plain-http one (one port serves both).
pub fn contract_env(case: &Case, server_url: &str) -> Vec<(&'static str, String)> {
    let client = &case.scenario.client;
    let server_url = &kerberos_host(case, server_url);
    let server_url = &match (client.scheme, server_url.strip_prefix("https://")) {
        (Scheme::Http, Some(rest)) => format!("http://{rest}"),
        _ => server_url.to_owned(),
    };
    let url = match client.url {
        UrlForm::Collection => format!("{server_url}/{}", client.collection),
        UrlForm::Server => server_url.to_owned(),
        UrlForm::WrongCollection => format!("{server_url}/{WRONG_COLLECTION}"),
    };
    let mut vars = vec![("ADO_URL", url), ("ADO_COLLECTION", client.collection.clone())];
    if let Some(p) = &client.project {
        vars.push(("ADO_PROJECT", p.clone()));
    }
    if let Some(r) = &client.repo {
        vars.push(("ADO_REPO", r.clone()));
    }
    if let Some(w) = client.work_item {
        vars.push(("ADO_WORK_ITEM", w.to_string()));
    }
    vars.push(("ADO_OPERATION", client.operation.name().to_owned()));
    vars.push(("ADO_AUTH", client.auth.name().to_owned()));
    vars.extend(credential_env(case));
    if let Some(v) = &client.api_version {
        vars.push(("ADO_API_VERSION", v.clone()));
    }
    vars.push(("ADO_SCENARIO", case.scenario.id.clone()));
    vars
}

/// Kerberos clients build the SPN from the URL's host, so a Kerberos case reaches the server by
/// the SPN's host when that is `localhost` (`HTTP/localhost`). Any other SPN host does not
/// resolve here: the client keeps the IP address and asks for `HTTP/127.0.0.1`, which is how a
/// client that reaches the server by IP or an alias misses the SPN.
fn kerberos_host(case: &Case, server_url: &str) -> String {
    let spn_host = case.profile.kerberos.as_ref().and_then(|k| k.service_principal.split_once('/').map(|(_, h)| h));
    match spn_host {
        Some(host) if case.scenario.client.auth == AuthKind::Kerberos && host.eq_ignore_ascii_case("localhost") => {
            server_url.replacen("127.0.0.1", "localhost", 1)
        }
        _ => server_url.to_owned(),
    }
}

/// With TLS, the CA file (PEM) under every name in [`CA_VARIABLES`]; nothing without TLS.
pub fn tls_env(ca_file: Option<&Path>) -> Vec<(&'static str, String)> {
    let Some(path) = ca_file else { return Vec::new() };
    let path = path.display().to_string();
    CA_VARIABLES.iter().map(|name| (*name, path.clone())).collect()
}

/// `ADO_PAT`, `ADO_ACCESS_TOKEN`, or `ADO_USERNAME`/`ADO_PASSWORD`/`ADO_DOMAIN`: only what the
/// auth kind uses, the account name in the scenario's form.
fn credential_env(case: &Case) -> Vec<(&'static str, String)> {
    let client = &case.scenario.client;
    if client.auth == AuthKind::JobToken {
        let name = client.job_token.as_deref().unwrap_or_default();
        return case
            .profile
            .job_tokens
            .iter()
            .find(|t| t.name.eq_ignore_ascii_case(name))
            .map(|t| vec![("ADO_ACCESS_TOKEN", t.token.expose().to_owned())])
            .unwrap_or_default();
    }
    // The loader checked the identity and PAT against this profile.
    let Some(identity) = client.identity.as_deref().and_then(|a| case.profile.identity(a)) else {
        return Vec::new();
    };
    match client.auth {
        AuthKind::Pat | AuthKind::Bearer => client
            .pat
            .as_deref()
            .and_then(|name| identity.pats.iter().find(|p| p.name.eq_ignore_ascii_case(name)))
            .map(|pat| vec![("ADO_PAT", pat.token.expose().to_owned())])
            .unwrap_or_default(),
        AuthKind::Basic | AuthKind::Ntlm | AuthKind::Negotiate | AuthKind::Kerberos => {
            let password = client
                .password
                .clone()
                .or_else(|| identity.password.as_ref().map(|p| p.expose().to_owned()))
                .unwrap_or_default();
            let (user, domain) = match client.account_form {
                AccountForm::DownLevel => (identity.account.user.clone(), identity.account.domain.clone()),
                AccountForm::Upn => (
                    identity
                        .upn
                        .clone()
                        .unwrap_or_else(|| format!("{}@{}", identity.account.user, case.profile.ntlm.dns_domain)),
                    String::new(),
                ),
                AccountForm::Bare => (identity.account.user.clone(), String::new()),
            };
            vec![("ADO_USERNAME", user), ("ADO_PASSWORD", password), ("ADO_DOMAIN", domain)]
        }
        AuthKind::None | AuthKind::JobToken => Vec::new(),
    }
}

/// The full process environment of a client: the contract, a fresh HOME and TMPDIR (with the
/// Python SDK's cache and git's configuration inside), no terminal prompts, the manifest's own
/// variables, [`PASSED_THROUGH`] and the manifest's `pass-env` names from `parent`.
pub fn process_env(
    contract: &[(&'static str, String)],
    home: &Path,
    tmp: &Path,
    manifest: &ClientManifest,
    parent: impl Fn(&str) -> Option<String>,
) -> Vec<(String, String)> {
    let names = PASSED_THROUGH.iter().copied().chain(manifest.pass_env.iter().map(String::as_str));
    let mut env: Vec<(String, String)> = names.filter_map(|name| parent(name).map(|v| (name.to_owned(), v))).collect();
    let home_text = home.display().to_string();
    env.extend([
        ("HOME".to_owned(), home_text.clone()),
        ("TMPDIR".to_owned(), tmp.display().to_string()),
        ("XDG_CONFIG_HOME".to_owned(), format!("{home_text}/.config")),
        ("XDG_CACHE_HOME".to_owned(), format!("{home_text}/.cache")),
        // The Python SDK caches resource locations (OPTIONS answers) on disk, keyed by URL:
        // a shared cache would let one case's answer hide another case's 401.
        ("AZURE_DEVOPS_CACHE_DIR".to_owned(), format!("{home_text}/.azure-devops/python-sdk/cache")),
        ("GIT_TERMINAL_PROMPT".to_owned(), "0".to_owned()),
        // /etc/gitconfig may name a credential helper that would answer for the client.
        ("GIT_CONFIG_NOSYSTEM".to_owned(), "1".to_owned()),
    ]);
    env.extend(manifest.env.iter().cloned());
    env.extend(contract.iter().map(|(k, v)| ((*k).to_owned(), v.clone())));
    env
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::{Capability, Operation};

    /// The backticked first cells of the table under `## {heading}` (up to the next table's end).
    fn first_column(doc: &str, heading: &str, header: &str) -> Vec<String> {
        let section = doc.split(&format!("\n## {heading}\n")).nth(1).unwrap_or_else(|| panic!("no ## {heading}"));
        let table = section.split(&format!("| {header} |")).nth(1).unwrap_or_else(|| panic!("no {header} table"));
        table
            .lines()
            .skip(2)
            .take_while(|l| l.starts_with('|'))
            .filter_map(|l| l.split('|').nth(1)?.trim().strip_prefix('`')?.split('`').next().map(str::to_owned))
            .collect()
    }

    #[test]
    fn contract_doc_matches_the_code() {
        let doc = include_str!("../../docs/CLIENT-CONTRACT.md");
        let variables: Vec<&str> = VARIABLES.iter().map(|v| v.name).collect();
        assert_eq!(first_column(doc, "Variables", "variable"), variables, "docs/CLIENT-CONTRACT.md ## Variables");
        let operations: Vec<&str> = Operation::ALL.iter().map(|o| o.name()).collect();
        assert_eq!(first_column(doc, "Operations", "operation"), operations, "docs/CLIENT-CONTRACT.md ## Operations");
        let capabilities: Vec<&str> = Capability::ALL.iter().map(|c| c.name()).collect();
        assert_eq!(
            first_column(doc, "The client manifest", "capability"),
            capabilities,
            "docs/CLIENT-CONTRACT.md capabilities"
        );
        assert!(doc.contains(&format!("| `timeout-s` | `{}` |", crate::manifest::DEFAULT_TIMEOUT_S)));
    }
}
