//! [`Credentials`]: the test credentials a profile holds (accounts, passwords, PATs, job
//! tokens), for a test or a person to hand to a client. This and `ado-mock-server credentials`
//! are the only places the mock shows a secret; the journal, logs and reports never do.

use std::fmt;

use crate::profile::Profile;
use crate::time_text::format_instant;

/// Every credential of a profile, in profile order. `Display` prints the text of
/// `ado-mock-server credentials`.
#[derive(Clone, Debug)]
pub struct Credentials {
    /// Windows accounts (build service identities, which have no logon, are left out).
    pub accounts: Vec<AccountCredentials>,
    /// Pipeline job access tokens (`[[job-tokens]]`).
    pub job_tokens: Vec<JobTokenCredential>,
}

/// One Windows account and its PATs.
#[derive(Clone, Debug)]
pub struct AccountCredentials {
    /// The account, down-level form, e.g. `CONTOSO\joseph`.
    pub account: String,
    /// The Windows password; `None` when the account cannot log on with one.
    pub password: Option<String>,
    /// Whether the account is enabled (a disabled account is refused with 401.1).
    pub enabled: bool,
    /// The account's personal access tokens.
    pub pats: Vec<PatCredential>,
}

/// One personal access token.
#[derive(Clone, Debug)]
pub struct PatCredential {
    /// The name the profile and scenarios use, e.g. `full`.
    pub name: String,
    /// The token (52 base32 characters), sent as the password of a Basic credential.
    pub token: String,
    /// Granted scopes, e.g. `["vso.code"]`; `app_token` is full access.
    pub scopes: Vec<String>,
    /// Expiry, Unix seconds (resolved against the server's clock when the profile was read).
    pub expires: i64,
    /// Whether the PAT was revoked.
    pub revoked: bool,
}

/// One pipeline job access token.
#[derive(Clone, Debug)]
pub struct JobTokenCredential {
    /// The name the profile and scenarios use.
    pub name: String,
    /// The build service account it acts as, e.g. `Build\Project Collection Build Service (DefaultCollection)`.
    pub account: String,
    /// The token (a JWT), sent as `Authorization: Bearer` or as a Basic password.
    pub token: String,
    /// Expiry, Unix seconds.
    pub expires: i64,
}

impl Credentials {
    /// The credentials of `profile`.
    pub fn of(profile: &Profile) -> Self {
        let accounts = profile
            .identities
            .iter()
            .filter(|i| !i.is_build_service())
            .map(|identity| AccountCredentials {
                account: identity.account.to_string(),
                password: identity.password.as_ref().map(|p| p.expose().to_owned()),
                enabled: identity.enabled,
                pats: identity
                    .pats
                    .iter()
                    .map(|pat| PatCredential {
                        name: pat.name.clone(),
                        token: pat.token.expose().to_owned(),
                        scopes: pat.scopes.clone(),
                        expires: pat.expires,
                        revoked: pat.revoked,
                    })
                    .collect(),
            })
            .collect();
        let job_tokens = profile
            .job_tokens
            .iter()
            .map(|job| JobTokenCredential {
                name: job.name.clone(),
                account: job.account.clone(),
                token: job.token.expose().to_owned(),
                expires: job.expires,
            })
            .collect();
        Credentials { accounts, job_tokens }
    }

    /// The token of the first PAT called `name` (profile order), if any.
    pub fn pat(&self, name: &str) -> Option<&str> {
        self.accounts.iter().flat_map(|a| &a.pats).find(|p| p.name == name).map(|p| p.token.as_str())
    }

    /// The password of `account` (any case; down-level form, e.g. `CONTOSO\joseph`), if any.
    pub fn password(&self, account: &str) -> Option<&str> {
        self.accounts.iter().find(|a| a.account.eq_ignore_ascii_case(account)).and_then(|a| a.password.as_deref())
    }

    /// The job token called `name`, if any.
    pub fn job_token(&self, name: &str) -> Option<&str> {
        self.job_tokens.iter().find(|j| j.name == name).map(|j| j.token.as_str())
    }
}

impl fmt::Display for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for account in &self.accounts {
            let password = account.password.as_deref().unwrap_or("(none: no Windows logon)");
            let state = if account.enabled { "" } else { " (disabled)" };
            writeln!(f, "{}{state}\n  password: {password}", account.account)?;
            for pat in &account.pats {
                let revoked = if pat.revoked { ", revoked" } else { "" };
                writeln!(
                    f,
                    "  pat {}: {} (scopes: {}; expires {}{revoked})",
                    pat.name,
                    pat.token,
                    pat.scopes.join(" "),
                    format_instant(pat.expires)
                )?;
            }
        }
        for job in &self.job_tokens {
            writeln!(
                f,
                "job token {} ({}; expires {}; send as Authorization: Bearer, or as the Basic password)\n  {}",
                job.name,
                job.account,
                format_instant(job.expires),
                job.token
            )?;
        }
        Ok(())
    }
}
