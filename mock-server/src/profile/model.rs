//! The validated profile: what the emulated server is, trusted after loading.

use std::fmt;

use serde::Serialize;
use uuid::Uuid;

use super::index::ProfileIndex;
use super::release::Release;
pub use super::tfs::{ErrorBody, JobToken, SoapEncoding, TfsSettings};
use crate::secret::{Secret, SecretKind, SecretSpec};

/// One emulated server, resolved from a profile file.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "kebab-case")]
pub struct Profile {
    /// The release, which fixes api-version ceilings and release-specific behaviour.
    pub release: Release,
    /// The IIS application path without slashes (`tfs`), or empty.
    pub virtual_directory: String,
    /// The public URL used as the Basic realm; `None`: the bound address.
    pub public_url: Option<String>,
    /// IIS authentication switches.
    pub iis: Iis,
    /// Windows (NTLM) settings.
    pub ntlm: NtlmSettings,
    /// HTTPS settings.
    pub tls: super::tls::TlsSettings,
    /// Kerberos settings; `None`: no Kerberos.
    pub kerberos: Option<super::kerberos::KerberosSettings>,
    /// Project collections.
    pub collections: Vec<Collection>,
    /// Identities and their PATs (and the build service identities of job tokens).
    pub identities: Vec<Identity>,
    /// What TFS itself sends (challenges, headers, error bodies).
    pub tfs: TfsSettings,
    /// Pipeline job access tokens the server issued.
    pub job_tokens: Vec<JobToken>,
    /// Lookups by account, user name, UPN and token (built at load).
    #[serde(skip)]
    pub(crate) index: ProfileIndex,
}

/// IIS authentication settings of the TFS site.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "kebab-case")]
pub struct Iis {
    /// Anonymous authentication.
    pub anonymous: bool,
    /// Windows authentication.
    pub windows: bool,
    /// Windows providers in the order they are offered.
    pub providers: Vec<Provider>,
    /// IIS Basic authentication.
    pub basic: bool,
    /// Whether a Windows logon lasts for the whole connection.
    pub persist_auth_per_connection: bool,
    /// The IIS version, e.g. `10.0` (`Server: Microsoft-IIS/10.0`).
    pub version: String,
    /// Whether IIS shows its detailed error pages (`errorMode="Detailed"`).
    pub detailed_errors: bool,
    /// IIS Basic's `defaultLogonDomain`; empty: a bare user name is a local account.
    pub basic_default_domain: String,
    /// IIS Basic's `realm`; `None`: the host name the client addressed.
    pub basic_realm: Option<String>,
    /// Extended Protection (channel binding of Windows logons to the TLS channel).
    pub extended_protection: super::tls::ExtendedProtection,
}

impl Iis {
    /// Windows providers actually offered (none when Windows authentication is off).
    pub fn offered_providers(&self) -> &[Provider] {
        if self.windows { &self.providers } else { &[] }
    }
}

/// A Windows authentication provider.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
pub enum Provider {
    /// `Negotiate`.
    Negotiate,
    /// `NTLM`.
    #[serde(rename = "NTLM")]
    Ntlm,
}

impl Provider {
    /// The HTTP scheme name.
    pub fn scheme(self) -> &'static str {
        match self {
            Provider::Negotiate => "Negotiate",
            Provider::Ntlm => "NTLM",
        }
    }
}

/// Windows settings for NTLM.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "kebab-case")]
pub struct NtlmSettings {
    /// NetBIOS domain, e.g. `CONTOSO`.
    pub domain: String,
    /// NetBIOS computer name, e.g. `TFS01`.
    pub computer: String,
    /// DNS domain, e.g. `contoso.local`.
    pub dns_domain: String,
    /// Whether NTLMv1 is accepted.
    pub accept_v1: bool,
    /// Failed logons before the account locks; 0 never locks.
    pub lockout_threshold: u32,
    /// A fixed server challenge.
    #[serde(serialize_with = "hex_opt")]
    pub challenge: Option<[u8; 8]>,
    /// A fixed CHALLENGE timestamp, Unix seconds.
    pub timestamp: Option<i64>,
    /// Whether challenges are masked to 7-bit bytes (node-api compatibility).
    pub seven_bit_challenge: bool,
    /// "Restrict NTLM: Incoming NTLM traffic".
    pub blocked: NtlmBlocking,
}

/// The "Network security: Restrict NTLM: Incoming NTLM traffic" policy of the server.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum NtlmBlocking {
    /// "Allow all" (the default).
    Allowed,
    /// "Deny all domain accounts": the server's local accounts still log on.
    DomainAccounts,
    /// "Deny all accounts".
    All,
}

impl NtlmSettings {
    /// Whether the policy denies an NTLM logon of `identity` (a local account has the server's
    /// computer name as its domain).
    pub fn denies(&self, domain: &str) -> bool {
        match self.blocked {
            NtlmBlocking::Allowed => false,
            NtlmBlocking::All => true,
            NtlmBlocking::DomainAccounts => !domain.eq_ignore_ascii_case(&self.computer),
        }
    }
}

fn hex_opt<S: serde::Serializer>(value: &Option<[u8; 8]>, s: S) -> Result<S::Ok, S::Error> {
    match value {
        Some(bytes) => s.serialize_str(&bytes.iter().map(|b| format!("{b:02x}")).collect::<String>()),
        None => s.serialize_none(),
    }
}

/// A project collection.
#[derive(Clone, Debug, Serialize)]
pub struct Collection {
    /// Its name as configured.
    pub name: String,
    /// Its id.
    pub id: Uuid,
    /// Whether it serves requests.
    pub stopped: bool,
    /// Its projects.
    pub projects: Vec<Project>,
}

/// A team project.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "kebab-case")]
pub struct Project {
    /// Its name.
    pub name: String,
    /// Its id.
    pub id: Uuid,
    /// Git repositories.
    pub repos: Vec<Repo>,
    /// Work item ids.
    pub work_items: Vec<u32>,
}

/// A Git repository.
#[derive(Clone, Debug, Serialize)]
pub struct Repo {
    /// Its name.
    pub name: String,
    /// Its id.
    pub id: Uuid,
}

/// A Windows account name, `DOMAIN\user`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Account {
    /// The NetBIOS domain.
    pub domain: String,
    /// The user name.
    pub user: String,
}

impl fmt::Display for Account {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}\\{}", self.domain, self.user)
    }
}

impl Account {
    /// `DOMAIN\user`, as [`Display`](fmt::Display) writes it, in one allocation of the exact
    /// size (a principal is built from it on every allowed request).
    pub fn qualified(&self) -> String {
        let mut text = String::with_capacity(self.domain.len() + 1 + self.user.len());
        text.push_str(&self.domain);
        text.push('\\');
        text.push_str(&self.user);
        text
    }
}

/// An identity known to the server.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "kebab-case")]
pub struct Identity {
    /// The Windows account.
    pub account: Account,
    /// An explicit user principal name (the implicit `user@<dns-domain>` always works).
    pub upn: Option<String>,
    /// The identity id (TFS shows it in "The user '{id}' is not authorized").
    pub id: Uuid,
    /// Display name.
    pub display_name: String,
    /// The Windows password, if the account can log on.
    pub password: Option<Secret>,
    /// Whether the account is enabled.
    pub enabled: bool,
    /// Group memberships.
    pub groups: Vec<Group>,
    /// Personal access tokens.
    pub pats: Vec<Pat>,
}

/// Where a group lives.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "level", rename_all = "kebab-case")]
pub enum GroupScope {
    /// `[Team Foundation]\...`: the deployment.
    Server,
    /// `[Collection]\...`.
    Collection {
        /// Collection name (canonical spelling).
        collection: String,
    },
    /// `[Project]\...`.
    Project {
        /// Collection name (canonical spelling).
        collection: String,
        /// Project name (canonical spelling).
        project: String,
    },
}

/// A group membership.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Group {
    /// Where the group lives.
    pub scope: GroupScope,
    /// Its canonical name, e.g. `Project Collection Valid Users`.
    pub name: String,
}

/// Group names a profile may use, per level (permissions.md, ado-facts 5.1).
pub mod group_names {
    /// The server administrators group.
    pub const SERVER_ADMINS: &str = "Team Foundation Administrators";
    /// The collection administrators group.
    pub const COLLECTION_ADMINS: &str = "Project Collection Administrators";
    /// The collection's everyone group.
    pub const COLLECTION_VALID_USERS: &str = "Project Collection Valid Users";
    /// Server-level groups.
    pub const SERVER: &[&str] = &[
        SERVER_ADMINS,
        "Team Foundation Valid Users",
        "Team Foundation Service Accounts",
        "Team Foundation Proxy Service Accounts",
    ];
    /// Collection-level groups.
    pub const COLLECTION: &[&str] = &[
        COLLECTION_ADMINS,
        COLLECTION_VALID_USERS,
        "Project Collection Build Administrators",
        "Project Collection Build Service Accounts",
        "Project Collection Proxy Service Accounts",
        "Project Collection Service Accounts",
        "Project Collection Test Service Accounts",
    ];
    /// Project-level groups (plus `{project} Team`).
    pub const PROJECT: &[&str] =
        &["Project Administrators", "Contributors", "Readers", "Build Administrators", "Project Valid Users"];
}

impl Identity {
    /// Whether the identity belongs to the collection's *Project Collection Valid Users*, which
    /// holds everyone added anywhere in the collection.
    pub fn is_valid_user_of(&self, collection: &str) -> bool {
        self.groups.iter().any(|g| match &g.scope {
            GroupScope::Server => false,
            GroupScope::Collection { collection: c } | GroupScope::Project { collection: c, .. } => {
                c.eq_ignore_ascii_case(collection)
            }
        })
    }

    /// Whether the identity is a *Project Collection Administrator* of the collection.
    pub fn is_admin_of(&self, collection: &str) -> bool {
        self.groups.iter().any(|g| {
            matches!(&g.scope, GroupScope::Collection { collection: c } if c.eq_ignore_ascii_case(collection))
                && g.name == group_names::COLLECTION_ADMINS
        })
    }

    /// Whether this is the build service identity of a job token (no Windows logon, no PATs).
    pub fn is_build_service(&self) -> bool {
        self.account.domain == super::tfs::BUILD_SERVICE_DOMAIN && self.password.is_none() && self.pats.is_empty()
    }

    /// Whether the identity is a *Team Foundation Administrator*.
    pub fn is_server_admin(&self) -> bool {
        self.groups.iter().any(|g| g.scope == GroupScope::Server && g.name == group_names::SERVER_ADMINS)
    }

    /// Whether the identity is known at the deployment level (any server group or any collection).
    pub fn is_valid_at_deployment(&self) -> bool {
        !self.groups.is_empty()
    }

    /// Whether the identity may see the project (a member of one of its groups, or an admin).
    pub fn can_see_project(&self, collection: &str, project: &str) -> bool {
        self.is_admin_of(collection)
            || self.groups.iter().any(|g| {
                matches!(&g.scope, GroupScope::Project { collection: c, project: p }
                    if c.eq_ignore_ascii_case(collection) && p.eq_ignore_ascii_case(project))
            })
    }
}

/// Which collections a PAT is valid for.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum PatCollection {
    /// `*`: every collection the user can access (and the deployment level).
    All,
    /// One collection (canonical spelling).
    One(String),
}

/// A personal access token.
#[derive(Clone, Debug, Serialize)]
pub struct Pat {
    /// The name scenarios use.
    pub name: String,
    /// The token (52 base32 characters).
    pub token: Secret,
    /// Granted scopes; `app_token` is full access.
    pub scopes: Vec<String>,
    /// Expiry, Unix seconds.
    pub expires: i64,
    /// Whether it was revoked.
    pub revoked: bool,
    /// Where it is valid.
    pub collection: PatCollection,
}

impl Profile {
    /// The collection with this name (case-insensitive).
    pub fn collection(&self, name: &str) -> Option<&Collection> {
        self.collections.iter().find(|c| c.name.eq_ignore_ascii_case(name))
    }

    /// Every secret the profile holds (passwords and PATs), with the user names that may precede
    /// them in a Basic credential, for the [`SecretFinder`](crate::secret::SecretFinder).
    pub fn secrets(&self) -> Vec<SecretSpec> {
        let mut out = Vec::new();
        for identity in &self.identities {
            let account = identity.account.to_string();
            let users = vec![
                identity.account.user.clone(),
                account.clone(),
                format!("{}@{}", identity.account.user, self.ntlm.dns_domain),
            ];
            if let Some(password) = &identity.password {
                out.push(SecretSpec {
                    kind: SecretKind::Password,
                    owner: account.clone(),
                    value: password.expose().to_owned(),
                    users: users.clone(),
                });
            }
            for pat in &identity.pats {
                out.push(SecretSpec {
                    kind: SecretKind::Pat,
                    owner: pat.name.clone(),
                    value: pat.token.expose().to_owned(),
                    users: users.clone(),
                });
            }
        }
        for job in &self.job_tokens {
            out.push(SecretSpec {
                kind: SecretKind::JobToken,
                owner: job.name.clone(),
                value: job.token.expose().to_owned(),
                users: vec!["OAuth".to_owned()],
            });
        }
        // The password of the account that holds the SPN (the machine account's, when it does).
        if let Some(password) = self.kerberos.as_ref().and_then(|k| k.spn_password.as_ref()) {
            out.push(SecretSpec {
                kind: SecretKind::Password,
                owner: "the SPN's account".to_owned(),
                value: password.expose().to_owned(),
                users: Vec::new(),
            });
        }
        out
    }
}

impl Collection {
    /// The project with this name or id (case-insensitive).
    pub fn project(&self, name_or_id: &str) -> Option<&Project> {
        self.projects
            .iter()
            .find(|p| p.name.eq_ignore_ascii_case(name_or_id) || p.id.to_string().eq_ignore_ascii_case(name_or_id))
    }
}

impl Project {
    /// The repository with this name or id (case-insensitive).
    pub fn repo(&self, name_or_id: &str) -> Option<&Repo> {
        self.repos
            .iter()
            .find(|r| r.name.eq_ignore_ascii_case(name_or_id) || r.id.to_string().eq_ignore_ascii_case(name_or_id))
    }
}
