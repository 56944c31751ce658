//! A profile (TOML, the keys of docs/PROFILES.md) from what a server's answers showed, with a
//! comment on every key saying where it came from. Never holds a secret: identities carry an
//! account name and a PAT *name*; the mock derives the token (`ado-mock-server credentials`).

use std::fmt::Write as _;

use super::infer::Evidence;
use crate::profile::{ErrorBody, SoapEncoding, TfsSettings, default_iis_version};

/// One collection, its projects and their repositories, as listed by the server (or named by
/// URLs).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CollectionSeen {
    /// The collection's name.
    pub name: String,
    /// Projects: name and repositories.
    pub projects: Vec<(String, Vec<String>)>,
}

/// Everything a reproduction's profile is written from.
#[derive(Clone, Debug, Default)]
pub struct Reproduction {
    /// Answers read.
    pub evidence: Evidence,
    /// The IIS application path (`tfs`, or empty).
    pub virtual_directory: String,
    /// TFS's public URL when it differs from the address the server was reached at.
    pub public_url: Option<String>,
    /// Collections, projects and repositories.
    pub collections: Vec<CollectionSeen>,
    /// The account that authenticated (`DOMAIN\user`), if any.
    pub account: Option<String>,
    /// What could not be inferred, one line each (also written as comments at the top).
    pub unknown: Vec<String>,
}

fn quote(text: &str) -> String {
    toml::Value::String(text.to_owned()).to_string()
}

impl Reproduction {
    /// The profile as TOML text, loadable by `ado-mock-server --profile`.
    pub fn to_toml(&self, source: &str) -> String {
        let e = &self.evidence;
        let release = e.release();
        let candidates: Vec<&str> = e.candidates().iter().map(|r| r.name()).collect();
        let mut out = format!("# A reproduction profile of {source} (docs/TRACE.md).\n");
        for line in &self.unknown {
            let _ = writeln!(out, "# not inferred: {line}");
        }
        let why = match candidates.as_slice() {
            [] => "no release's defaults match every answer; the [tfs] keys below say what the server sent".to_owned(),
            [one] => format!("the only release matching the answers ({one})"),
            many => format!("the oldest of the releases matching the answers: {}", many.join(" ")),
        };
        let _ = writeln!(out, "release = {}    # {why}", quote(release.name()));
        let _ = writeln!(out, "virtual-directory = {}", quote(&self.virtual_directory));
        if let Some(url) = &self.public_url {
            let _ = writeln!(out, "public-url = {}    # TFS's Basic realm", quote(url));
        }
        self.write_iis(&mut out, release);
        self.write_tfs(&mut out, release);
        if let Some((domain, _)) = self.account.as_deref().and_then(|a| a.split_once('\\')) {
            let _ = writeln!(out, "\n[ntlm]\ndomain = {}    # the authenticated account's domain", quote(domain));
        }
        self.write_layout(&mut out);
        out
    }

    fn write_iis(&self, out: &mut String, release: crate::Release) {
        let iis = &self.evidence.iis;
        out.push_str("\n[iis]    # from the challenges of an anonymous request and the Server header\n");
        let flag = |out: &mut String, key: &str, value: Option<bool>| {
            if let Some(v) = value {
                let _ = writeln!(out, "{key} = {v}");
            }
        };
        flag(out, "anonymous", iis.anonymous);
        flag(out, "windows", iis.windows);
        if !iis.providers.is_empty() {
            let list: Vec<String> = iis.providers.iter().map(|p| quote(p)).collect();
            let _ = writeln!(out, "providers = [{}]", list.join(", "));
        }
        flag(out, "basic", iis.basic);
        if let Some(realm) = &iis.basic_realm {
            let _ = writeln!(out, "basic-realm = {}", quote(realm));
        }
        let version = iis.version.clone().unwrap_or_else(|| default_iis_version(release).to_owned());
        let _ = writeln!(out, "version = {}", quote(&version));
        flag(out, "detailed-errors", iis.detailed_errors);
    }

    fn write_tfs(&self, out: &mut String, release: crate::Release) {
        let t = &self.evidence.tfs;
        let d = TfsSettings::defaults(release);
        out.push_str("\n[tfs]    # what TFS sent (keys it did not show: the release's defaults)\n");
        let flag = |out: &mut String, key: &str, value: Option<bool>, default: bool| {
            let _ = writeln!(out, "{key} = {}", value.unwrap_or(default));
        };
        flag(out, "bearer-challenge", t.bearer_challenge, d.bearer_challenge);
        flag(out, "basic-challenge", t.basic_challenge, d.basic_challenge);
        let errors = match t.errors_without_api_version.unwrap_or(d.errors_without_api_version) {
            ErrorBody::Json => "json",
            ErrorBody::Text => "text",
        };
        let _ = writeln!(out, "errors-without-api-version = {}", quote(errors));
        flag(out, "cors-headers", t.cors_headers, d.cors_headers);
        flag(out, "activity-headers", t.activity_headers, d.activity_headers);
        flag(out, "deployment-id-header", t.deployment_id_header, d.deployment_id_header);
        flag(out, "session-cookies", t.session_cookies, d.session_cookies);
        let soap = match t.soap_exception_encoding.unwrap_or(d.soap_exception_encoding) {
            SoapEncoding::Lower => "lower",
            SoapEncoding::Upper => "upper",
        };
        let _ = writeln!(out, "soap-exception-encoding = {}", quote(soap));
    }

    fn write_layout(&self, out: &mut String) {
        for collection in &self.collections {
            let _ = writeln!(out, "\n[[collections]]\nname = {}", quote(&collection.name));
            for (project, repos) in &collection.projects {
                let list: Vec<String> = repos.iter().map(|r| quote(r)).collect();
                let _ = writeln!(
                    out,
                    "\n[[collections.projects]]\nname = {}\nrepos = [{}]",
                    quote(project),
                    list.join(", ")
                );
            }
        }
        let Some(account) = &self.account else { return };
        let groups: Vec<String> =
            self.collections.iter().map(|c| quote(&format!("[{}]\\Project Collection Valid Users", c.name))).collect();
        let _ = writeln!(
            out,
            "\n# The account that authenticated. No secret is written: give it a password for Windows logons, and\n\
             # see its PAT's token with `ado-mock-server credentials --profile THIS_FILE`.\n\
             [[identities]]\naccount = {}\ngroups = [{}]\n\n[[identities.pats]]\nname = \"probe\"",
            quote(account),
            groups.join(", ")
        );
    }
}
