//! What TFS itself sends, per release as installed (`[tfs]`), and the job access tokens it
//! issued (`[[job-tokens]]`). The defaults come from captures of each release
//! (docs/facts/release-defaults.md, docs/facts/error-bodies.md, docs/facts/job-tokens.md).

use serde::Serialize;

use super::file::{ErrorBodyFile, JobTokenFile, SoapEncodingFile, TfsFile};
use super::load::{Ctx, derived_id};
use super::model::{Account, Collection, Group, GroupScope, Identity};
use super::release::Release;
use crate::error::ProfileError;
use crate::jwt::{self, Claims};
use crate::secret::Secret;
use crate::time_text;

/// The body of an error for a client that accepts JSON but sent no api-version.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ErrorBody {
    /// A JSON `WrappedException` (Azure DevOps Server 2019 and later).
    Json,
    /// `text/plain` with the message (TFS 2015 to 2018: the Python SDK then raises
    /// `AzureDevOpsAuthenticationError` with the text).
    Text,
}

/// How `X-TFS-SoapException` is percent-encoded.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum SoapEncoding {
    /// `%3c`, `+` for spaces (TFS 2015 and 2017 captures).
    Lower,
    /// `%3C`, `%20` for spaces (TFS 2018 and later captures).
    Upper,
}

/// What TFS sends besides its decisions, resolved from `[tfs]` and the release.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "kebab-case")]
pub struct TfsSettings {
    /// `WWW-Authenticate: Bearer` on anonymous 401s.
    pub bearer_challenge: bool,
    /// `WWW-Authenticate: Basic realm="<public URL>"` on anonymous 401s (TFS 2017 and later).
    pub basic_challenge: bool,
    /// The error body for a JSON client without an api-version.
    pub errors_without_api_version: ErrorBody,
    /// The `Access-Control-*` block (TFS 2015 to 2017 Update 1).
    pub cors_headers: bool,
    /// `ActivityId`, `X-TFS-Session`, `X-VSS-E2EID` (TFS 2017 Update 2 and later).
    pub activity_headers: bool,
    /// `X-VSS-SenderDeploymentId` (Azure DevOps Server).
    pub deployment_id_header: bool,
    /// `Set-Cookie: Tfs-SessionId`, `Tfs-SessionActive` (TFS 2015).
    pub session_cookies: bool,
    /// `X-TFS-SoapException` encoding.
    pub soap_exception_encoding: SoapEncoding,
    /// The JSON "has expired" 401 for an expired PAT (Azure DevOps Server 2022).
    pub expired_pat_message: bool,
}

impl TfsSettings {
    /// The release's defaults, overridden by `[tfs]`.
    pub fn resolve(release: Release, file: &TfsFile) -> Self {
        let defaults = Self::defaults(release);
        Self {
            bearer_challenge: file.bearer_challenge.unwrap_or(defaults.bearer_challenge),
            basic_challenge: file.basic_challenge.unwrap_or(defaults.basic_challenge),
            errors_without_api_version: file.errors_without_api_version.map_or(
                defaults.errors_without_api_version,
                |b| match b {
                    ErrorBodyFile::Json => ErrorBody::Json,
                    ErrorBodyFile::Text => ErrorBody::Text,
                },
            ),
            cors_headers: file.cors_headers.unwrap_or(defaults.cors_headers),
            activity_headers: file.activity_headers.unwrap_or(defaults.activity_headers),
            deployment_id_header: file.deployment_id_header.unwrap_or(defaults.deployment_id_header),
            session_cookies: file.session_cookies.unwrap_or(defaults.session_cookies),
            soap_exception_encoding: file.soap_exception_encoding.map_or(
                defaults.soap_exception_encoding,
                |e| match e {
                    SoapEncodingFile::Lower => SoapEncoding::Lower,
                    SoapEncodingFile::Upper => SoapEncoding::Upper,
                },
            ),
            expired_pat_message: file.expired_pat_message.unwrap_or(defaults.expired_pat_message),
        }
    }

    /// What each release sent as installed (docs/facts/release-defaults.md §2-3).
    pub fn defaults(release: Release) -> Self {
        Self {
            bearer_challenge: true,
            basic_challenge: release.has_pats(),
            errors_without_api_version: if release < Release::Ads2019 { ErrorBody::Text } else { ErrorBody::Json },
            cors_headers: release < Release::Tfs2017u2,
            activity_headers: release >= Release::Tfs2017u2,
            deployment_id_header: release >= Release::Ads2019,
            session_cookies: release < Release::Tfs2017,
            soap_exception_encoding: if release < Release::Tfs2018 { SoapEncoding::Lower } else { SoapEncoding::Upper },
            expired_pat_message: release >= Release::Ads2022,
        }
    }
}

/// The IIS version a release's server typically ran (`Server: Microsoft-IIS/<version>`): the
/// one TFS 2015 capture shows 8.5 (Windows Server 2012 R2); later releases 10.0.
pub fn default_iis_version(release: Release) -> &'static str {
    if release < Release::Tfs2017 { "8.5" } else { "10.0" }
}

/// A job access token the server issued (`System.AccessToken`).
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "kebab-case")]
pub struct JobToken {
    /// The name scenarios use.
    pub name: String,
    /// The JWT.
    pub token: Secret,
    /// Its collection (canonical spelling).
    pub collection: String,
    /// Its project, when project-scoped (canonical spelling).
    pub project: Option<String>,
    /// The build service account it runs as, `Build\<display name>`.
    pub account: String,
    /// Expiry, Unix seconds.
    pub expires: i64,
}

/// The domain of the build service identities job tokens run as (TFS's service identities).
pub(super) const BUILD_SERVICE_DOMAIN: &str = "Build";

/// The key the server signs its job tokens with: derived from the deployment's collections, so
/// a token of one emulated server is refused by another.
pub fn signing_key(collections: &[Collection], virtual_directory: &str) -> Vec<u8> {
    use sha2::Digest;
    let mut hasher = sha2::Sha256::new();
    hasher.update(b"ado-mock-server job token key\0");
    hasher.update(virtual_directory.to_ascii_lowercase().as_bytes());
    for c in collections {
        hasher.update(c.id.as_bytes());
    }
    hasher.finalize().to_vec()
}

/// Resolves `[[job-tokens]]`: each token and the build service identity it runs as.
pub(super) fn resolve_job_tokens(
    ctx: &Ctx<'_>,
    files: &[JobTokenFile],
    collections: &[Collection],
    key: &[u8],
) -> Result<(Vec<JobToken>, Vec<Identity>), ProfileError> {
    let mut tokens: Vec<JobToken> = Vec::new();
    let mut identities: Vec<Identity> = Vec::new();
    for (i, f) in files.iter().enumerate() {
        let base = format!("job-tokens[{i}]");
        if f.name.is_empty() || tokens.iter().any(|t| t.name.eq_ignore_ascii_case(&f.name)) {
            return Err(ctx.err(format!("{base}.name"), "a token name not used before", &f.name));
        }
        let collection = collections
            .iter()
            .find(|c| c.name.eq_ignore_ascii_case(&f.collection))
            .ok_or_else(|| ctx.err(format!("{base}.collection"), "a collection of this profile", &f.collection))?;
        let project = match &f.project {
            None => None,
            Some(name) => Some(collection.project(name).ok_or_else(|| {
                ctx.err(format!("{base}.project"), format!("a project of {}", collection.name), name)
            })?),
        };
        let expires = time_text::parse_instant(&f.expires, ctx.now).ok_or_else(|| {
            ctx.err(
                format!("{base}.expires"),
                "a date, an RFC 3339 date-time or a relative time (+48h, -1h)",
                &f.expires,
            )
        })?;
        let identity = build_service(collection, project.map(|p| p.name.as_str()));
        let claims = Claims {
            nameid: identity.id.to_string(),
            scp: "app_token".to_owned(),
            aud: format!("vso:{}", collection.id),
            iss: "ado-mock-server".to_owned(),
            nbf: ctx.now.min(expires),
            exp: expires,
            jti: f.name.clone(),
            project: project.map(|p| p.id.to_string()),
        };
        tokens.push(JobToken {
            name: f.name.clone(),
            token: Secret::new(jwt::mint(key, &claims)),
            collection: collection.name.clone(),
            project: project.map(|p| p.name.clone()),
            account: identity.account.to_string(),
            expires,
        });
        if !identities.iter().any(|i| i.account == identity.account) {
            identities.push(identity);
        }
    }
    Ok((tokens, identities))
}

/// The build service identity of a job: `Project Collection Build Service (<collection>)`, or
/// `<project> Build Service (<collection>)` when the job is scoped to its project
/// (docs/facts/job-tokens.md §1). It has no Windows password and no PATs; it can see every
/// project of its collection, or only its own.
fn build_service(collection: &Collection, project: Option<&str>) -> Identity {
    let name = match project {
        None => format!("Project Collection Build Service ({})", collection.name),
        Some(p) => format!("{p} Build Service ({})", collection.name),
    };
    let mut groups = Vec::new();
    if project.is_none() {
        groups.push(Group {
            scope: GroupScope::Collection { collection: collection.name.clone() },
            name: "Project Collection Build Service Accounts".to_owned(),
        });
    }
    let visible = collection.projects.iter().filter(|p| project.is_none_or(|only| p.name.eq_ignore_ascii_case(only)));
    groups.extend(visible.map(|p| Group {
        scope: GroupScope::Project { collection: collection.name.clone(), project: p.name.clone() },
        name: "Contributors".to_owned(),
    }));
    Identity {
        account: Account { domain: BUILD_SERVICE_DOMAIN.to_owned(), user: name.clone() },
        upn: None,
        id: derived_id(&["build-service", &collection.name, project.unwrap_or("")]),
        display_name: name,
        password: None,
        enabled: true,
        groups,
        pats: Vec::new(),
    }
}
