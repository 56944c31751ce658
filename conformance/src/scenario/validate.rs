//! Validation of `[client]` against the resolved profile, and of `[expect]`.
//!
//! Errors are `(key, message)` pairs; the loader adds the file.

use ado_mock_server::{Profile, Reason};
use regex::Regex;

use super::file::{ClientFile, ExpectFile};
use super::model::{AuthKind, ClientSpec, Expect, Scheme};

type KeyError = (String, String);

fn key_err(key: &str, message: impl Into<String>) -> KeyError {
    (key.to_owned(), message.into())
}

/// Checks `[client]` against the profile and fills in defaults.
pub fn client_spec(raw: ClientFile, profile: &Profile) -> Result<ClientSpec, KeyError> {
    check_credential(&raw, profile)?;
    if let Some(v) = &raw.api_version
        && (v.is_empty() || v.contains(char::is_whitespace))
    {
        return Err(key_err("client.api-version", format!("expected an api-version like \"7.0\", found `{v}`")));
    }
    let scheme = match (raw.scheme, profile.tls.enabled) {
        (Some(Scheme::Https), false) => {
            return Err(key_err(
                "client.scheme",
                "expected `http`, or `[server.tls] enabled = true` for `https` (the server speaks plain http)",
            ));
        }
        (Some(scheme), _) => scheme,
        (None, true) => Scheme::Https,
        (None, false) => Scheme::Http,
    };
    let collection = match (&raw.collection, profile.collections.first()) {
        (Some(c), _) => c.clone(),
        (None, Some(c)) => c.name.clone(),
        (None, None) => return Err(key_err("client.collection", "expected a collection: the profile has none")),
    };
    let project = profile.collection(&collection).and_then(|c| c.projects.first());
    let project_name = raw.project.clone().or_else(|| project.map(|p| p.name.clone()));
    let chosen = profile.collection(&collection).and_then(|c| project_name.as_deref().and_then(|n| c.project(n)));
    let repo = raw.repo.clone().or_else(|| chosen.and_then(|p| p.repos.first()).map(|r| r.name.clone()));
    let work_item = raw.work_item.or_else(|| chosen.and_then(|p| p.work_items.first().copied()));
    Ok(ClientSpec {
        auth: raw.auth,
        identity: raw.identity,
        account_form: raw.account_form,
        job_token: raw.job_token,
        pat: raw.pat,
        password: raw.password,
        operation: raw.operation,
        url: raw.url,
        scheme,
        api_version: raw.api_version,
        collection,
        project: project_name,
        repo,
        work_item,
    })
}

fn check_credential(raw: &ClientFile, profile: &Profile) -> Result<(), KeyError> {
    let auth = raw.auth;
    let unused = |key: &str| key_err(key, format!("expected no `{key}` with auth = \"{}\"", auth.name()));
    if raw.job_token.is_some() && auth != AuthKind::JobToken {
        return Err(unused("client.job-token"));
    }
    if auth == AuthKind::JobToken {
        for (key, present) in [
            ("client.identity", raw.identity.is_some()),
            ("client.pat", raw.pat.is_some()),
            ("client.password", raw.password.is_some()),
        ] {
            if present {
                return Err(unused(key));
            }
        }
        let name = raw.job_token.as_deref().ok_or_else(|| {
            key_err(
                "client.job-token",
                "expected the name of one of the profile's [[job-tokens]] for auth = \"job-token\"",
            )
        })?;
        if !profile.job_tokens.iter().any(|t| t.name.eq_ignore_ascii_case(name)) {
            let known: Vec<&str> = profile.job_tokens.iter().map(|t| t.name.as_str()).collect();
            return Err(key_err(
                "client.job-token",
                format!("expected one of the profile's job tokens ({}), found `{name}`", known.join(", ")),
            ));
        }
        return Ok(());
    }
    if auth == AuthKind::None {
        for (key, present) in [
            ("client.identity", raw.identity.is_some()),
            ("client.pat", raw.pat.is_some()),
            ("client.password", raw.password.is_some()),
        ] {
            if present {
                return Err(unused(key));
            }
        }
        return Ok(());
    }
    let account = raw.identity.as_deref().ok_or_else(|| {
        key_err("client.identity", format!("expected an identity (DOMAIN\\user) for auth = \"{}\"", auth.name()))
    })?;
    let identity = profile.identity(account).ok_or_else(|| {
        let known: Vec<String> = profile.identities.iter().map(|i| i.account.to_string()).collect();
        key_err(
            "client.identity",
            format!("expected one of the profile's identities ({}), found `{account}`", known.join(", ")),
        )
    })?;
    if auth.uses_token() {
        if raw.password.is_some() {
            return Err(unused("client.password"));
        }
        let name = raw.pat.as_deref().ok_or_else(|| {
            key_err("client.pat", format!("expected the name of a PAT of {account} for auth = \"{}\"", auth.name()))
        })?;
        if !identity.pats.iter().any(|p| p.name.eq_ignore_ascii_case(name)) {
            let known: Vec<&str> = identity.pats.iter().map(|p| p.name.as_str()).collect();
            return Err(key_err(
                "client.pat",
                format!("expected one of the PATs of {account} ({}), found `{name}`", known.join(", ")),
            ));
        }
    } else {
        if raw.pat.is_some() {
            return Err(unused("client.pat"));
        }
        if raw.password.is_none() && identity.password.is_none() {
            return Err(key_err(
                "client.password",
                format!("expected a password: {account} has none in the profile, so give client.password"),
            ));
        }
    }
    Ok(())
}

/// Checks `[expect]`: reason codes exist and the message is a regex.
pub fn expect_spec(raw: ExpectFile) -> Result<Expect, KeyError> {
    let reasons = reason_list("expect.reasons", &raw.reasons)?;
    let any_reasons = reason_list("expect.any-reasons", &raw.any_reasons)?;
    let forbid_reasons = reason_list("expect.forbid-reasons", &raw.forbid_reasons)?;
    if let Some(both) = reasons.iter().chain(&any_reasons).find(|r| forbid_reasons.contains(r)) {
        return Err(key_err(
            "expect.forbid-reasons",
            format!("expected no reason also in expect.reasons or expect.any-reasons, found `{both}`"),
        ));
    }
    let message = match &raw.message {
        None => None,
        Some(text) => Some(
            Regex::new(text).map_err(|e| key_err("expect.message", format!("expected a regular expression: {e}")))?,
        ),
    };
    if raw.max_requests == Some(0) {
        return Err(key_err("expect.max-requests", "expected at least 1, found `0`"));
    }
    Ok(Expect { outcome: raw.outcome, reasons, any_reasons, forbid_reasons, max_requests: raw.max_requests, message })
}

fn reason_list(key: &str, codes: &[String]) -> Result<Vec<Reason>, KeyError> {
    codes
        .iter()
        .enumerate()
        .map(|(i, code)| {
            Reason::from_code(code).ok_or_else(|| {
                key_err(&format!("{key}[{i}]"), format!("expected a reason code such as `pat.scope`, found `{code}`"))
            })
        })
        .collect()
}
