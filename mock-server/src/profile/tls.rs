//! The `[tls]` table and `[iis] extended-protection`: HTTPS as customers run their servers.
//!
//! Sources (docs/PROFILES.md has the keys, docs/TLS.md the facts): IIS `extendedProtection
//! tokenChecking` None/Allow/Require (IIS configuration reference, `<extendedProtection>`);
//! TFS's web.config `appSettings` key `sslOnly` (non-SSL requests are redirected to https).

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::error::ProfileError;

/// IIS Extended Protection for Authentication (`<extendedProtection tokenChecking>`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ExtendedProtection {
    /// `None` (IIS's default): channel bindings are not checked.
    #[default]
    None,
    /// `Allow`: bindings a client sends must match; a client that sends none is accepted.
    Allow,
    /// `Require`: over https every Windows logon must carry matching bindings.
    Require,
}

impl ExtendedProtection {
    /// The spelling in profiles (`none`, `allow`, `require`).
    pub fn name(self) -> &'static str {
        match self {
            ExtendedProtection::None => "none",
            ExtendedProtection::Allow => "allow",
            ExtendedProtection::Require => "require",
        }
    }
}

/// A certificate fault that makes verifying clients refuse the server (for scenarios).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum TrustFailure {
    /// The certificate names another host (`not-this-server.invalid`), not the one dialled.
    WrongHost,
    /// The certificate expired yesterday (issued by the CA the client is given).
    Expired,
    /// The certificate is issued by a second CA, not the one in the CA file the client is given.
    UnknownCa,
}

impl TrustFailure {
    /// The spelling in profiles.
    pub fn name(self) -> &'static str {
        match self {
            TrustFailure::WrongHost => "wrong-host",
            TrustFailure::Expired => "expired",
            TrustFailure::UnknownCa => "unknown-ca",
        }
    }
}

/// The `[tls]` table as written.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct TlsFile {
    /// Serve https (and plain http on the same port; see `ssl-only`).
    #[serde(default)]
    pub enabled: bool,
    /// Host names and IP addresses for the generated certificate's subjectAltName.
    pub hosts: Option<Vec<String>>,
    /// A PEM certificate chain to serve instead of a generated one (needs `key`).
    pub certificate: Option<PathBuf>,
    /// The PEM private key of `certificate`.
    pub key: Option<PathBuf>,
    /// A deliberate certificate fault.
    pub trust_failure: Option<TrustFailure>,
    /// TFS `sslOnly`: plain-http requests are redirected to https.
    #[serde(default)]
    pub ssl_only: bool,
}

/// HTTPS settings, validated.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub struct TlsSettings {
    /// Whether the server speaks TLS.
    pub enabled: bool,
    /// subjectAltName entries of the generated certificate, in order.
    pub hosts: Vec<String>,
    /// The customer's certificate chain (PEM), if given.
    pub certificate: Option<PathBuf>,
    /// The customer's private key (PEM), if given. Only its path is kept here.
    pub key: Option<PathBuf>,
    /// A deliberate certificate fault.
    pub trust_failure: Option<TrustFailure>,
    /// Whether plain-http requests are redirected to https.
    pub ssl_only: bool,
}

impl TlsSettings {
    /// Resolves relative `certificate`/`key` paths against `dir` (the profile file's folder).
    pub fn rebase(&mut self, dir: &Path) {
        for path in [&mut self.certificate, &mut self.key].into_iter().flatten() {
            if path.is_relative() {
                *path = dir.join(&*path);
            }
        }
    }
}

/// Validates the `[tls]` table; `public_url` gives the default host besides `localhost` and
/// `127.0.0.1`. `err(key, expected, found)` builds the error.
pub(super) fn resolve(
    file: &TlsFile,
    public_url: Option<&str>,
    err: impl Fn(&str, &str, &str) -> ProfileError,
) -> Result<TlsSettings, ProfileError> {
    let hosts = match &file.hosts {
        Some(list) => {
            if list.is_empty() {
                return Err(err("tls.hosts", "at least one host name or IP address", "[]"));
            }
            for (i, host) in list.iter().enumerate() {
                if !is_host(host) {
                    return Err(err(&format!("tls.hosts[{i}]"), "a DNS name or an IP address", host));
                }
            }
            list.clone()
        }
        None => default_hosts(public_url),
    };
    match (&file.certificate, &file.key) {
        (Some(_), None) => return Err(err("tls.key", "the private key of tls.certificate (PEM)", "nothing")),
        (None, Some(_)) => return Err(err("tls.certificate", "the certificate of tls.key (PEM)", "nothing")),
        (Some(_), Some(_)) if file.trust_failure.is_some() => {
            let found = file.trust_failure.map_or("", TrustFailure::name);
            return Err(err("tls.trust-failure", "no trust failure with your own certificate and key", found));
        }
        (Some(_), Some(_)) if file.hosts.is_some() => {
            let found = file.hosts.as_deref().unwrap_or_default().join(", ");
            return Err(err("tls.hosts", "no hosts with your own certificate (its names are its own)", &found));
        }
        _ => {}
    }
    if !file.enabled {
        let set = [
            ("tls.ssl-only", file.ssl_only),
            ("tls.trust-failure", file.trust_failure.is_some()),
            ("tls.certificate", file.certificate.is_some()),
        ];
        if let Some((key, _)) = set.iter().find(|(_, on)| *on) {
            return Err(err(key, "tls.enabled = true as well", "tls.enabled = false"));
        }
    }
    Ok(TlsSettings {
        enabled: file.enabled,
        hosts,
        certificate: file.certificate.clone(),
        key: file.key.clone(),
        trust_failure: file.trust_failure,
        ssl_only: file.ssl_only,
    })
}

/// `localhost`, `127.0.0.1` and the public URL's host.
fn default_hosts(public_url: Option<&str>) -> Vec<String> {
    let mut hosts = vec!["localhost".to_owned(), "127.0.0.1".to_owned()];
    if let Some(host) = public_url.and_then(url_host)
        && !hosts.iter().any(|h| h.eq_ignore_ascii_case(&host))
    {
        hosts.push(host);
    }
    hosts
}

/// The host of `scheme://host[:port]/...` (brackets of IPv6 literals removed).
fn url_host(url: &str) -> Option<String> {
    let rest = url.split_once("://")?.1;
    let authority = rest.split(['/', '?', '#']).next()?;
    let authority = authority.rsplit_once('@').map_or(authority, |(_, a)| a);
    let host = match authority.strip_prefix('[') {
        Some(v6) => v6.split(']').next()?,
        None => authority.split(':').next()?,
    };
    (!host.is_empty()).then(|| host.to_ascii_lowercase())
}

fn is_host(host: &str) -> bool {
    if host.parse::<std::net::IpAddr>().is_ok() {
        return true;
    }
    let name = host.strip_prefix("*.").unwrap_or(host);
    !name.is_empty()
        && name.len() <= 253
        && name.split('.').all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && label.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
                && !label.starts_with('-')
                && !label.ends_with('-')
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_hosts_add_the_public_url_host_once() {
        assert_eq!(default_hosts(None), ["localhost", "127.0.0.1"]);
        assert_eq!(
            default_hosts(Some("https://TFS.contoso.local:8443/tfs")),
            ["localhost", "127.0.0.1", "tfs.contoso.local"]
        );
        assert_eq!(default_hosts(Some("http://localhost:8080/tfs")), ["localhost", "127.0.0.1"]);
        assert_eq!(default_hosts(Some("https://[::1]:8443/")), ["localhost", "127.0.0.1", "::1"]);
    }

    #[test]
    fn hosts_are_dns_names_or_addresses() {
        for good in ["localhost", "tfs01.contoso.local", "*.contoso.local", "10.0.0.5", "::1"] {
            assert!(is_host(good), "{good}");
        }
        for bad in ["", "has space", "-x.local", "a..b", "http://x", "x_y"] {
            assert!(!is_host(bad), "{bad}");
        }
    }
}
