//! The profile file as written on disk (raw, strict) before validation.
//!
//! Every struct denies unknown keys: a typo in a profile must fail loudly, naming the key,
//! rather than silently emulate a different server.

use serde::Deserialize;
use uuid::Uuid;

use super::release::Release;

/// A profile file (`scenarios/profiles/*.toml`).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct ProfileFile {
    /// The emulated release; default `ads2022`.
    #[serde(default = "default_release")]
    pub release: Release,
    /// The IIS application path; default `tfs`, `""` serves collections at the root.
    #[serde(default = "default_virtual_directory")]
    pub virtual_directory: String,
    /// The public URL (the realm of Basic challenges); default: the bound address.
    pub public_url: Option<String>,
    /// IIS authentication settings.
    #[serde(default)]
    pub iis: IisFile,
    /// Windows (NTLM) settings.
    #[serde(default)]
    pub ntlm: NtlmFile,
    /// Project collections.
    #[serde(default)]
    pub collections: Vec<CollectionFile>,
    /// Windows identities with their PATs.
    #[serde(default)]
    pub identities: Vec<IdentityFile>,
    /// TFS's own answers (challenges, headers, error bodies); every key defaults to what the
    /// release sent as installed (docs/facts/release-defaults.md).
    #[serde(default)]
    pub tfs: TfsFile,
    /// Pipeline job access tokens (`System.AccessToken`) the server has issued.
    #[serde(default)]
    pub job_tokens: Vec<JobTokenFile>,
}

fn default_release() -> Release {
    Release::Ads2022
}

fn default_virtual_directory() -> String {
    "tfs".to_owned()
}

/// The `[iis]` table.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct IisFile {
    /// Anonymous authentication (on for every TFS site).
    #[serde(default = "yes")]
    pub anonymous: bool,
    /// Windows authentication.
    #[serde(default = "yes")]
    pub windows: bool,
    /// Windows authentication providers, in the order IIS offers them.
    #[serde(default = "default_providers")]
    pub providers: Vec<ProviderFile>,
    /// IIS Basic authentication (breaks PATs).
    #[serde(default)]
    pub basic: bool,
    /// Whether a Windows logon lasts for the connection (IIS `authPersistSingleRequest = false`).
    #[serde(default = "yes")]
    pub persist_auth_per_connection: bool,
    /// The IIS version (`Server: Microsoft-IIS/<version>`); default by release.
    pub version: Option<String>,
    /// IIS's detailed error pages (`httpErrors errorMode="Detailed"`, or a request made on the
    /// server itself) instead of the 1293-byte custom page.
    #[serde(default)]
    pub detailed_errors: bool,
    /// IIS Basic's `defaultLogonDomain`: the domain of a bare user name; empty (the default):
    /// the server's local accounts.
    #[serde(default)]
    pub basic_default_domain: String,
    /// IIS Basic's `realm`; default: the host name the client addressed.
    pub basic_realm: Option<String>,
}

impl Default for IisFile {
    fn default() -> Self {
        Self {
            anonymous: true,
            windows: true,
            providers: default_providers(),
            basic: false,
            persist_auth_per_connection: true,
            version: None,
            detailed_errors: false,
            basic_default_domain: String::new(),
            basic_realm: None,
        }
    }
}

fn yes() -> bool {
    true
}

fn default_providers() -> Vec<ProviderFile> {
    vec![ProviderFile::Negotiate, ProviderFile::Ntlm]
}

/// A Windows authentication provider name as IIS spells it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
pub enum ProviderFile {
    /// `Negotiate` (SPNEGO; raw NTLMSSP is accepted too).
    Negotiate,
    /// `NTLM`.
    #[serde(rename = "NTLM")]
    Ntlm,
}

/// The `[ntlm]` table.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct NtlmFile {
    /// NetBIOS domain name.
    #[serde(default = "default_domain")]
    pub domain: String,
    /// NetBIOS computer name.
    #[serde(default = "default_computer")]
    pub computer: String,
    /// DNS domain name.
    #[serde(default = "default_dns_domain")]
    pub dns_domain: String,
    /// Whether NTLMv1 responses are accepted.
    #[serde(default)]
    pub accept_v1: bool,
    /// Failed logons before an account locks; 0 never locks.
    #[serde(default)]
    pub lockout_threshold: u32,
    /// A fixed 8-byte server challenge as 16 hex digits.
    pub challenge: Option<String>,
    /// A fixed CHALLENGE timestamp (RFC 3339), for reproducible transcripts.
    pub timestamp: Option<String>,
    /// Mask the server challenge to 7-bit bytes, which the azure-devops-node-api NTLM handler
    /// needs (a deviation from IIS; off by default).
    #[serde(default)]
    pub seven_bit_challenge: bool,
    /// "Network security: Restrict NTLM: Incoming NTLM traffic" denies NTLM logons (raw, under
    /// Negotiate, or inside SPNEGO).
    #[serde(default)]
    pub blocked: bool,
    /// Which accounts the policy denies: `all` ("Deny all accounts", the default) or `domain`
    /// ("Deny all domain accounts": the server's local accounts still log on).
    #[serde(default)]
    pub blocked_accounts: BlockedAccountsFile,
}

/// Which accounts "Restrict NTLM: Incoming NTLM traffic" denies.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum BlockedAccountsFile {
    /// "Deny all accounts".
    #[default]
    All,
    /// "Deny all domain accounts".
    Domain,
}

impl Default for NtlmFile {
    fn default() -> Self {
        Self {
            domain: default_domain(),
            computer: default_computer(),
            dns_domain: default_dns_domain(),
            accept_v1: false,
            lockout_threshold: 0,
            challenge: None,
            timestamp: None,
            seven_bit_challenge: false,
            blocked: false,
            blocked_accounts: BlockedAccountsFile::All,
        }
    }
}

fn default_domain() -> String {
    "CONTOSO".to_owned()
}

fn default_computer() -> String {
    "TFS01".to_owned()
}

fn default_dns_domain() -> String {
    "contoso.local".to_owned()
}

/// A `[[collections]]` entry.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct CollectionFile {
    /// The collection name (matched case-insensitively).
    pub name: String,
    /// `online` or `stopped`.
    #[serde(default)]
    pub state: CollectionStateFile,
    /// A fixed id; default: derived from the name.
    pub id: Option<Uuid>,
    /// Projects of the collection.
    #[serde(default)]
    pub projects: Vec<ProjectFile>,
}

/// A collection's state.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum CollectionStateFile {
    /// Serving requests.
    #[default]
    Online,
    /// Stopped by an administrator: every request gets 503 TF24668.
    Stopped,
}

/// A `[[collections.projects]]` entry.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct ProjectFile {
    /// The project name.
    pub name: String,
    /// A fixed id; default: derived from the collection and project names.
    pub id: Option<Uuid>,
    /// Git repository names.
    #[serde(default)]
    pub repos: Vec<String>,
    /// Work item ids.
    #[serde(default)]
    pub work_items: Vec<u32>,
}

/// An `[[identities]]` entry.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct IdentityFile {
    /// `DOMAIN\user`.
    pub account: String,
    /// An explicit user principal name; the implicit one, `user@<ntlm.dns-domain>`, always works.
    pub upn: Option<String>,
    /// Display name; default: the user name.
    pub display_name: Option<String>,
    /// The Windows password (for NTLM and IIS Basic); none: no Windows logon possible.
    pub password: Option<String>,
    /// A disabled account cannot log on and its PATs are refused.
    #[serde(default = "yes")]
    pub enabled: bool,
    /// Group memberships like `[DefaultCollection]\Project Collection Valid Users`.
    #[serde(default)]
    pub groups: Vec<String>,
    /// Personal access tokens.
    #[serde(default)]
    pub pats: Vec<PatFile>,
}

/// An `[[identities.pats]]` entry.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct PatFile {
    /// The name scenarios use to refer to the PAT.
    pub name: String,
    /// Space-separated scopes; `app_token` is full access (the default).
    #[serde(default = "full_access")]
    pub scopes: String,
    /// A date (`2027-01-31`, RFC 3339) or relative to now (`+30d`, `-1d`, `+12h`); default `+365d`.
    #[serde(default = "one_year")]
    pub expires: String,
    /// A revoked PAT is refused like an unknown one.
    #[serde(default)]
    pub revoked: bool,
    /// The collection the PAT is valid for, or `*` for all accessible collections (the default).
    #[serde(default = "all_collections")]
    pub collection: String,
    /// 52 base32 characters; default: derived from the account and the name.
    pub token: Option<String>,
}

fn full_access() -> String {
    "app_token".to_owned()
}

fn one_year() -> String {
    "+365d".to_owned()
}

fn all_collections() -> String {
    "*".to_owned()
}

/// The `[tfs]` table: what TFS itself sends. Every key defaults to the release's installed
/// behaviour; set one to reproduce a capture that differs.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct TfsFile {
    /// `WWW-Authenticate: Bearer` (the OAuth module, which job tokens use).
    pub bearer_challenge: Option<bool>,
    /// `WWW-Authenticate: Basic realm="<public URL>"` (TFS's Basic module, for PATs).
    pub basic_challenge: Option<bool>,
    /// The body of an error for a client that accepts JSON but sent no api-version: `json`
    /// or `text` (text/plain).
    pub errors_without_api_version: Option<ErrorBodyFile>,
    /// The five `Access-Control-*` headers on every response.
    pub cors_headers: Option<bool>,
    /// `ActivityId`, `X-TFS-Session` and `X-VSS-E2EID` on every response.
    pub activity_headers: Option<bool>,
    /// `X-VSS-SenderDeploymentId` on every response.
    pub deployment_id_header: Option<bool>,
    /// `Set-Cookie: Tfs-SessionId=...` and `Tfs-SessionActive=...` on every response.
    pub session_cookies: Option<bool>,
    /// How `X-TFS-SoapException` is percent-encoded: `lower` (`%3c`, `+`) or `upper`
    /// (`%3C`, `%20`).
    pub soap_exception_encoding: Option<SoapEncodingFile>,
    /// An expired PAT gets the JSON "has expired" message (else an empty 401 like any rejected PAT).
    pub expired_pat_message: Option<bool>,
}

/// An error body format.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ErrorBodyFile {
    /// A JSON `WrappedException`.
    Json,
    /// `text/plain` with the message.
    Text,
}

/// A percent-encoding style of `X-TFS-SoapException`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum SoapEncodingFile {
    /// `HttpUtility.UrlEncode`: lower-case hex, space as `+`.
    Lower,
    /// `Uri.EscapeDataString`: upper-case hex, space as `%20`.
    Upper,
}

/// A `[[job-tokens]]` entry: a job access token the server issued to a pipeline job.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct JobTokenFile {
    /// The name scenarios use to refer to the token.
    pub name: String,
    /// The collection the job ran in.
    pub collection: String,
    /// The project, when the job's authorization scope is the current project; none: the
    /// collection (`Project Collection Build Service (<collection>)`).
    pub project: Option<String>,
    /// When the token expires: a date, RFC 3339, or relative to the server's start (`+48h`,
    /// `-1h`); default `+48h`.
    #[serde(default = "two_days")]
    pub expires: String,
}

fn two_days() -> String {
    "+48h".to_owned()
}
