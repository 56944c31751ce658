//! The client environment contract (DESIGN "The client contract"): the `ADO_*` variables a
//! case hands its client, and the clean process environment around them.
//!
//! `serve` prints exactly [`contract_env`] so a person reproduces a case with what the runner
//! would have given the client.

use std::path::Path;

use crate::manifest::ClientManifest;
use crate::scenario::{AuthKind, Case, UrlForm};

/// The collection name used for `url = "wrong-collection"`.
pub const WRONG_COLLECTION: &str = "NoSuchCollection";

/// Variables passed through from the runner's own environment; everything else is cleared so
/// the client cannot pick up the developer's credentials, proxies or git configuration.
pub const PASSED_THROUGH: &[&str] = &["PATH", "LANG", "LC_ALL", "LC_CTYPE"];

/// The contract variables for `case` against a server whose application URL is `server_url`
/// (e.g. `http://127.0.0.1:PORT/tfs`), in a stable order. Secrets are real values.
pub fn contract_env(case: &Case, server_url: &str) -> Vec<(&'static str, String)> {
    let client = &case.scenario.client;
    let server_url = &kerberos_host(case, server_url);
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

/// `ADO_PAT`, or `ADO_USERNAME`/`ADO_PASSWORD`/`ADO_DOMAIN`: only what the auth kind uses.
fn credential_env(case: &Case) -> Vec<(&'static str, String)> {
    let client = &case.scenario.client;
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
            vec![
                ("ADO_USERNAME", identity.account.user.clone()),
                ("ADO_PASSWORD", password),
                ("ADO_DOMAIN", identity.account.domain.clone()),
            ]
        }
        AuthKind::None => Vec::new(),
    }
}

/// The full process environment of a client: the contract, a fresh HOME and TMPDIR (with the
/// Python SDK's cache and git's configuration inside), no terminal prompts, the manifest's own
/// variables and [`PASSED_THROUGH`] from `parent`.
pub fn process_env(
    contract: &[(&'static str, String)],
    home: &Path,
    tmp: &Path,
    manifest: &ClientManifest,
    parent: impl Fn(&str) -> Option<String>,
) -> Vec<(String, String)> {
    let mut env: Vec<(String, String)> =
        PASSED_THROUGH.iter().filter_map(|name| parent(name).map(|v| ((*name).to_owned(), v))).collect();
    let home_text = home.display().to_string();
    env.extend([
        ("HOME".to_owned(), home_text.clone()),
        ("TMPDIR".to_owned(), tmp.display().to_string()),
        ("XDG_CONFIG_HOME".to_owned(), format!("{home_text}/.config")),
        ("XDG_CACHE_HOME".to_owned(), format!("{home_text}/.cache")),
        // client-facts 3.1: the Python SDK caches resource locations on disk by URL.
        ("AZURE_DEVOPS_CACHE_DIR".to_owned(), format!("{home_text}/.azure-devops/python-sdk/cache")),
        ("GIT_TERMINAL_PROMPT".to_owned(), "0".to_owned()),
        // /etc/gitconfig may name a credential helper that would answer for the client.
        ("GIT_CONFIG_NOSYSTEM".to_owned(), "1".to_owned()),
    ]);
    env.extend(manifest.env.iter().cloned());
    env.extend(contract.iter().map(|(k, v)| ((*k).to_owned(), v.clone())));
    env
}
