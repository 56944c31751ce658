//! The validated scenario: trusted after loading.

use std::path::PathBuf;
use std::sync::Arc;

use ado_mock_server::{Profile, Reason, Release};
use regex::Regex;
use serde::{Deserialize, Serialize};

/// Who is at fault when a client fails the scenario.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Fault {
    /// A conforming client succeeds; the checks say what a failing one did wrong.
    Client,
    /// The server setup is broken; a conforming client must fail well.
    Server,
}

impl Fault {
    /// `client` or `server`.
    pub fn name(self) -> &'static str {
        match self {
            Fault::Client => "client",
            Fault::Server => "server",
        }
    }
}

/// A client capability (manifest `capabilities`, scenario `requires`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Capability {
    /// A PAT sent as Basic.
    Pat,
    /// User name and password as Basic.
    Basic,
    /// NTLM.
    Ntlm,
    /// Negotiate (SPNEGO).
    Negotiate,
    /// A Bearer token.
    Bearer,
    /// A pipeline job access token (`ADO_ACCESS_TOKEN`, sent as Bearer or as the Basic password).
    JobToken,
    /// Kerberos from a ticket cache (`KRB5CCNAME`, `KRB5_CONFIG`) behind Negotiate.
    Kerberos,
}

impl Capability {
    /// Every capability.
    pub const ALL: [Capability; 7] = [
        Capability::Pat,
        Capability::Basic,
        Capability::Ntlm,
        Capability::Negotiate,
        Capability::Bearer,
        Capability::JobToken,
        Capability::Kerberos,
    ];

    /// The lowercase name.
    pub fn name(self) -> &'static str {
        match self {
            Capability::Pat => "pat",
            Capability::Basic => "basic",
            Capability::Ntlm => "ntlm",
            Capability::Negotiate => "negotiate",
            Capability::Bearer => "bearer",
            Capability::JobToken => "job-token",
            Capability::Kerberos => "kerberos",
        }
    }
}

/// How the client is handed a Windows account name: `down-level` (`ADO_DOMAIN=CONTOSO`,
/// `ADO_USERNAME=joseph`), `upn` (`ADO_USERNAME=joseph@contoso.local`, no domain) or `bare`
/// (`ADO_USERNAME=joseph`, no domain).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum AccountForm {
    /// `DOMAIN\user`.
    #[default]
    DownLevel,
    /// `user@dns-domain`.
    Upn,
    /// `user` alone.
    Bare,
}

/// The kind of credential the client is handed (`ADO_AUTH`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum AuthKind {
    /// A PAT (`ADO_PAT`).
    Pat,
    /// User name and password for Basic.
    Basic,
    /// User name, password and domain for NTLM.
    Ntlm,
    /// User name, password and domain for Negotiate.
    Negotiate,
    /// A token for Bearer (`ADO_PAT`).
    Bearer,
    /// A pipeline job access token (`ADO_ACCESS_TOKEN`).
    JobToken,
    /// A Kerberos ticket cache the runner filled with `kinit` (`KRB5CCNAME`, `KRB5_CONFIG`),
    /// plus user name, password and domain for an NTLM fallback.
    Kerberos,
    /// No credential.
    None,
}

impl AuthKind {
    /// The value of `ADO_AUTH`.
    pub fn name(self) -> &'static str {
        match self {
            AuthKind::Pat => "pat",
            AuthKind::Basic => "basic",
            AuthKind::Ntlm => "ntlm",
            AuthKind::Negotiate => "negotiate",
            AuthKind::Bearer => "bearer",
            AuthKind::JobToken => "job-token",
            AuthKind::Kerberos => "kerberos",
            AuthKind::None => "none",
        }
    }

    /// The capability a client needs to use this credential at all.
    pub fn capability(self) -> Option<Capability> {
        match self {
            AuthKind::Pat => Some(Capability::Pat),
            AuthKind::Basic => Some(Capability::Basic),
            AuthKind::Ntlm => Some(Capability::Ntlm),
            AuthKind::Negotiate => Some(Capability::Negotiate),
            AuthKind::Bearer => Some(Capability::Bearer),
            AuthKind::JobToken => Some(Capability::JobToken),
            AuthKind::Kerberos => Some(Capability::Kerberos),
            AuthKind::None => None,
        }
    }

    /// Whether the client is handed a PAT-like token.
    pub fn uses_token(self) -> bool {
        matches!(self, AuthKind::Pat | AuthKind::Bearer)
    }

    /// Whether the client is handed a user name and password.
    pub fn uses_password(self) -> bool {
        matches!(self, AuthKind::Basic | AuthKind::Ntlm | AuthKind::Negotiate | AuthKind::Kerberos)
    }

    /// The `Authorization` schemes a client with this credential may send pre-emptively.
    pub fn schemes(self) -> &'static [&'static str] {
        match self {
            AuthKind::Pat | AuthKind::Basic => &["Basic"],
            AuthKind::Bearer => &["Bearer"],
            AuthKind::JobToken => &["Bearer", "Basic"],
            AuthKind::Ntlm => &["NTLM", "Negotiate"],
            AuthKind::Negotiate | AuthKind::Kerberos => &["Negotiate"],
            AuthKind::None => &[],
        }
    }
}

/// What the client is asked to do (`ADO_OPERATION`). A new operation goes into
/// [`Operation::ALL`] and gets a row in `docs/CLIENT-CONTRACT.md` (a test compares the two).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Operation {
    /// `GET _apis/connectionData`.
    ConnectionData,
    /// `GET _apis/projects`.
    ListProjects,
    /// `GET _apis/projects/{project}`.
    GetProject,
    /// `GET {project}/_apis/git/repositories`.
    ListRepos,
    /// `git ls-remote` (smart HTTP `info/refs`).
    GitLsRemote,
    /// `GET _apis/wit/workitems/{id}`.
    GetWorkItem,
    /// `POST {project}/_apis/wit/workitems/$Task`.
    CreateWorkItem,
    /// `GET _apis/projectCollections` (server URL).
    ListCollections,
    /// `POST _apis/projects`.
    CreateProject,
    /// `git clone` of the repository (smart HTTP: `info/refs`, then `git-upload-pack`).
    GitClone,
    /// `git fetch` of the repository's `main` into an empty repository.
    GitFetch,
    /// Clone, commit a file, `git push` (`git-receive-pack`: needs `vso.code_write`).
    GitPush,
    /// Clone, add a Git LFS object, push it (LFS batch API, then a `PUT` of the object).
    LfsPush,
    /// Clone without LFS content, then `git lfs pull` the repository's LFS object.
    LfsPull,
    /// `GET _apis/connectionData?connectOptions=1`, then `GET _apis/distributedtask/pools` (what
    /// the pipelines agent does when it is configured; usually given the server URL).
    ListPools,
    /// `GET {project}/_apis/build/definitions`.
    ListBuildDefinitions,
    /// `POST {project}/_apis/build/builds` for the project's first definition (`vso.build_execute`).
    QueueBuild,
    /// Publish a VSIX to the server's gallery (`_apis/gallery`, deployment level, given the
    /// server URL; `vso.gallery_publish`).
    PublishExtension,
}

impl Operation {
    /// Every operation, in the documentation's order.
    pub const ALL: [Operation; 18] = [
        Operation::ConnectionData,
        Operation::ListProjects,
        Operation::GetProject,
        Operation::ListRepos,
        Operation::GitLsRemote,
        Operation::GetWorkItem,
        Operation::CreateWorkItem,
        Operation::ListCollections,
        Operation::CreateProject,
        Operation::GitClone,
        Operation::GitFetch,
        Operation::GitPush,
        Operation::LfsPush,
        Operation::LfsPull,
        Operation::ListPools,
        Operation::ListBuildDefinitions,
        Operation::QueueBuild,
        Operation::PublishExtension,
    ];

    /// The value of `ADO_OPERATION`.
    pub fn name(self) -> &'static str {
        match self {
            Operation::ConnectionData => "connection-data",
            Operation::ListProjects => "list-projects",
            Operation::GetProject => "get-project",
            Operation::ListRepos => "list-repos",
            Operation::GitLsRemote => "git-ls-remote",
            Operation::GetWorkItem => "get-work-item",
            Operation::CreateWorkItem => "create-work-item",
            Operation::ListCollections => "list-collections",
            Operation::CreateProject => "create-project",
            Operation::GitClone => "git-clone",
            Operation::GitFetch => "git-fetch",
            Operation::GitPush => "git-push",
            Operation::LfsPush => "lfs-push",
            Operation::LfsPull => "lfs-pull",
            Operation::ListPools => "list-pools",
            Operation::ListBuildDefinitions => "list-build-definitions",
            Operation::QueueBuild => "queue-build",
            Operation::PublishExtension => "publish-extension",
        }
    }
}

/// Which URL the client is handed as `ADO_URL`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum UrlForm {
    /// The collection URL, e.g. `http://127.0.0.1:PORT/tfs/DefaultCollection`.
    #[default]
    Collection,
    /// The server URL without a collection, e.g. `http://127.0.0.1:PORT/tfs`.
    Server,
    /// The server URL with a collection that does not exist.
    WrongCollection,
}

impl UrlForm {
    /// The spelling in scenario files.
    pub fn name(self) -> &'static str {
        match self {
            UrlForm::Collection => "collection",
            UrlForm::Server => "server",
            UrlForm::WrongCollection => "wrong-collection",
        }
    }
}

/// The URL scheme the client is handed (`[client] scheme`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Scheme {
    /// `http://`: plain http (with TLS on, the same port answers it; see `[tls] ssl-only`).
    #[default]
    Http,
    /// `https://`: needs `[tls] enabled = true` in the server.
    Https,
}

impl Scheme {
    /// `http` or `https`.
    pub fn name(self) -> &'static str {
        match self {
            Scheme::Http => "http",
            Scheme::Https => "https",
        }
    }
}

/// Whether the client should succeed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Outcome {
    /// Exit 0.
    Success,
    /// Exit non-zero.
    Failure,
}

impl Outcome {
    /// `success` or `failure`.
    pub fn name(self) -> &'static str {
        match self {
            Outcome::Success => "success",
            Outcome::Failure => "failure",
        }
    }
}

/// One scenario, validated.
#[derive(Debug)]
pub struct Scenario {
    /// The id: the path below the scenarios folder without `.toml` (`pat/missing-colon`).
    pub id: String,
    /// The file it came from.
    pub file: PathBuf,
    /// One line.
    pub title: String,
    /// The seed line it comes from, if any.
    pub seed: Option<String>,
    /// What a customer reports.
    pub symptom: String,
    /// Why it happens.
    pub cause: String,
    /// What fixes it.
    pub fix: String,
    /// Whose fault a failure is.
    pub fault: Fault,
    /// Capabilities the client needs beyond the credential kind's own.
    pub requires: Vec<Capability>,
    /// The server: base profile, overrides and the resolved profile per release.
    pub server: ServerSpec,
    /// What the client is handed.
    pub client: ClientSpec,
    /// What is expected.
    pub expect: Expect,
}

/// The scenario's server.
#[derive(Debug)]
pub struct ServerSpec {
    /// The base profile's name (`profiles/<name>.toml`).
    pub profile: String,
    /// The overrides as written (without `profile` and `releases`).
    pub overrides: toml::Table,
    /// The resolved profile for each release of the matrix, in the order written.
    pub releases: Vec<(Release, Arc<Profile>)>,
}

/// What the client is handed (validated against the profile).
#[derive(Clone, Debug)]
pub struct ClientSpec {
    /// The credential kind.
    pub auth: AuthKind,
    /// The identity (`DOMAIN\user`), except for `auth = "none"` and `"job-token"`.
    pub identity: Option<String>,
    /// How the account name is handed over (`ADO_USERNAME`, `ADO_DOMAIN`).
    pub account_form: AccountForm,
    /// The job token's name, for `auth = "job-token"`.
    pub job_token: Option<String>,
    /// The PAT's name, for `pat` and `bearer`.
    pub pat: Option<String>,
    /// A password overriding the identity's (e.g. a wrong one).
    pub password: Option<String>,
    /// The operation.
    pub operation: Operation,
    /// The URL form.
    pub url: UrlForm,
    /// The URL scheme (resolved: `https` by default when the server has TLS).
    pub scheme: Scheme,
    /// A pinned api-version.
    pub api_version: Option<String>,
    /// The collection (default: the profile's first).
    pub collection: String,
    /// The project (default: the collection's first).
    pub project: Option<String>,
    /// The repository (default: the project's first).
    pub repo: Option<String>,
    /// The work item (default: the project's first).
    pub work_item: Option<u32>,
}

/// What the run must show.
#[derive(Clone, Debug)]
pub struct Expect {
    /// Whether the client should succeed.
    pub outcome: Outcome,
    /// Reasons the server must have produced at least once.
    pub reasons: Vec<Reason>,
    /// Reasons of which the server must have produced at least one.
    pub any_reasons: Vec<Reason>,
    /// Reasons the server must never have produced.
    pub forbid_reasons: Vec<Reason>,
    /// The most requests a conforming client needs.
    pub max_requests: Option<u32>,
    /// For failures: stdout or stderr must match.
    pub message: Option<Regex>,
}

/// One run of a scenario on one release: the unit the runner schedules and reports.
#[derive(Clone, Debug)]
pub struct Case {
    /// The scenario.
    pub scenario: Arc<Scenario>,
    /// The release.
    pub release: Release,
    /// The resolved profile for that release.
    pub profile: Arc<Profile>,
}

impl Case {
    /// `scenario-id [release]`, how the case is shown.
    pub fn label(&self) -> String {
        format!("{} [{}]", self.scenario.id, self.release)
    }
}

impl Scenario {
    /// The scenario's cases, one per release.
    pub fn cases(self: &Arc<Self>) -> Vec<Case> {
        self.server
            .releases
            .iter()
            .map(|(release, profile)| Case {
                scenario: Arc::clone(self),
                release: *release,
                profile: Arc::clone(profile),
            })
            .collect()
    }

    /// The releases, as written.
    pub fn release_names(&self) -> Vec<&'static str> {
        self.server.releases.iter().map(|(r, _)| r.name()).collect()
    }
}
