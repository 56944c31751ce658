//! Test helpers: a case on the default profile and hand-made journal entries.

use std::sync::Arc;
use std::time::Duration;

use ado_mock_server::auth::Layer;
use ado_mock_server::journal::CredentialSummary;
use ado_mock_server::{JournalEntry, Profile, Reason, Release};

use super::{CheckInput, CheckResult, Exit, Observation};
use crate::redact::Redactor;
use crate::scenario::{
    AuthKind, Case, ClientSpec, Expect, Fault, Operation, Outcome, Scenario, Scheme, ServerSpec, UrlForm,
};

/// A journal entry with no credential and no offer.
pub fn entry(seq: u64, method: &str, path: &str, status: u16, reason: &str) -> JournalEntry {
    JournalEntry {
        seq,
        time_ms: 0,
        connection: 1,
        scheme: "http".into(),
        host: None,
        method: method.into(),
        path: path.into(),
        status,
        reason: Reason::from_code(reason).expect("test reason code exists"),
        layer: Layer::Scheme,
        explanation: String::new(),
        hint: String::new(),
        identity: None,
        via: None,
        credential: CredentialSummary::default(),
        offered: vec![],
        api_version: None,
        user_agent: None,
        leg: None,
        secret_in_url: false,
        iis_log: Default::default(),
        channel_bindings: None,
        would_refuse: None,
    }
}

/// The entry with a credential.
pub fn with_credential(mut e: JournalEntry, scheme: &str, colon: Option<bool>, ntlm: Option<u8>) -> JournalEntry {
    e.credential =
        CredentialSummary { scheme: Some(scheme.into()), basic_colon: colon, ntlm_message: ntlm, ..Default::default() };
    e
}

/// The entry with offered schemes.
pub fn offering(mut e: JournalEntry, schemes: &[&str]) -> JournalEntry {
    e.offered = schemes.iter().map(|s| (*s).to_owned()).collect();
    e
}

/// The entry on another connection.
pub fn on_connection(mut e: JournalEntry, connection: u64) -> JournalEntry {
    e.connection = connection;
    e
}

/// A PAT case on the default profile and what was observed.
pub struct Fixture {
    scenario: Scenario,
    profile: Arc<Profile>,
    exit: Exit,
    stdout: String,
    stderr: String,
    /// The journal the checks see.
    pub journal: Vec<JournalEntry>,
    /// Processes left behind.
    pub leftovers: Vec<super::Leftover>,
    /// TLS handshakes the server saw fail.
    pub tls_handshake_failures: Vec<String>,
}

impl Fixture {
    /// A `pat` / `list-projects` case expecting `outcome`, exit 0, nothing printed.
    pub fn new(outcome: Outcome) -> Self {
        let profile = Arc::new(
            Profile::from_toml_str(ado_mock_server::profile::DEFAULT_PROFILE, "default", 0).expect("default profile"),
        );
        let scenario = Scenario {
            id: "test/case".into(),
            file: "test/case.toml".into(),
            title: "t".into(),
            seed: None,
            symptom: "s".into(),
            cause: "c".into(),
            fix: "f".into(),
            fault: Fault::Client,
            requires: vec![],
            server: ServerSpec {
                profile: "default".into(),
                overrides: toml::Table::new(),
                releases: vec![(Release::Ads2022, Arc::clone(&profile))],
            },
            client: ClientSpec {
                account_form: Default::default(),
                job_token: None,
                auth: AuthKind::Pat,
                identity: Some("CONTOSO\\joseph".into()),
                pat: Some("full".into()),
                password: None,
                operation: Operation::ListProjects,
                url: UrlForm::Collection,
                scheme: Scheme::Http,
                api_version: None,
                collection: "DefaultCollection".into(),
                project: Some("Fabrikam".into()),
                repo: Some("Fabrikam".into()),
                work_item: Some(1),
            },
            expect: Expect {
                outcome,
                reasons: vec![],
                any_reasons: vec![],
                forbid_reasons: vec![],
                max_requests: None,
                message: None,
            },
        };
        Self {
            scenario,
            profile,
            exit: Exit::Code(0),
            stdout: String::new(),
            stderr: String::new(),
            journal: vec![],
            leftovers: vec![],
            tls_handshake_failures: vec![],
        }
    }

    /// Serves the case's profile over TLS with `failure` (the client is handed https).
    pub fn tls(&mut self, failure: Option<ado_mock_server::profile::TrustFailure>) {
        let mut profile = (*self.profile).clone();
        profile.tls.enabled = true;
        profile.tls.trust_failure = failure;
        self.profile = Arc::new(profile);
        self.scenario.server.releases = vec![(Release::Ads2022, Arc::clone(&self.profile))];
        self.scenario.client.scheme = Scheme::Https;
    }

    /// Sets the exit.
    pub fn exit(&mut self, exit: Exit) {
        self.exit = exit;
    }

    /// Sets what the client is handed.
    pub fn auth(&mut self, auth: AuthKind) {
        self.scenario.client.auth = auth;
    }

    /// Sets the URL form the client is handed.
    pub fn url(&mut self, url: UrlForm) {
        self.scenario.client.url = url;
    }

    /// Sets stdout.
    pub fn stdout(&mut self, text: &str) {
        text.clone_into(&mut self.stdout);
    }

    /// Sets stderr.
    pub fn stderr(&mut self, text: &str) {
        text.clone_into(&mut self.stderr);
    }

    /// Sets `expect.message`.
    pub fn expect_message(&mut self, pattern: &str) {
        self.scenario.expect.message = Some(regex::Regex::new(pattern).expect("test regex"));
    }

    /// Sets `expect.any-reasons`.
    pub fn expect_any_reasons(&mut self, any: &[&str]) {
        self.scenario.expect.any_reasons = any.iter().map(|c| Reason::from_code(c).expect("code")).collect();
    }

    /// Sets `expect.reasons` and `expect.forbid-reasons`.
    pub fn expect_reasons(&mut self, wanted: &[&str], forbidden: &[&str]) {
        let codes = |list: &[&str]| list.iter().map(|c| Reason::from_code(c).expect("code")).collect();
        self.scenario.expect.reasons = codes(wanted);
        self.scenario.expect.forbid_reasons = codes(forbidden);
    }

    /// Sets `expect.max-requests`.
    pub fn max_requests(&mut self, max: u32) {
        self.scenario.expect.max_requests = Some(max);
    }

    /// Pins the api-version.
    pub fn pin_api_version(&mut self, version: &str) {
        self.scenario.client.api_version = Some(version.into());
    }

    /// The PAT `full`'s token.
    pub fn pat(&self) -> String {
        self.profile.identities[0].pats[0].token.expose().to_owned()
    }

    /// Runs every check on the fixture, through [`super::judge`].
    pub fn check_all(&self) -> Vec<CheckResult> {
        self.with_input(super::judge)
    }

    /// Runs one check on the fixture (2 s timeout).
    pub fn check(&self, run: fn(&CheckInput<'_>) -> CheckResult) -> CheckResult {
        self.with_input(run)
    }

    /// Calls `f` with the fixture's case and observation (2 s timeout).
    fn with_input<T>(&self, f: impl FnOnce(&CheckInput<'_>) -> T) -> T {
        let scenario = Arc::new(Scenario {
            id: self.scenario.id.clone(),
            file: self.scenario.file.clone(),
            title: self.scenario.title.clone(),
            seed: None,
            symptom: self.scenario.symptom.clone(),
            cause: self.scenario.cause.clone(),
            fix: self.scenario.fix.clone(),
            fault: self.scenario.fault,
            requires: vec![],
            server: ServerSpec {
                profile: "default".into(),
                overrides: toml::Table::new(),
                releases: self.scenario.server.releases.clone(),
            },
            client: self.scenario.client.clone(),
            expect: self.scenario.expect.clone(),
        });
        let case = Case { scenario, release: Release::Ads2022, profile: Arc::clone(&self.profile) };
        let observed = Observation {
            exit: self.exit.clone(),
            stdout: super::Captured { text: self.stdout.clone(), ..Default::default() },
            stderr: super::Captured { text: self.stderr.clone(), ..Default::default() },
            journal: self.journal.clone(),
            duration: Duration::from_millis(10),
            leftovers: self.leftovers.clone(),
            tls_handshake_failures: self.tls_handshake_failures.clone(),
        };
        let redactor = Redactor::for_profile(&self.profile);
        f(&CheckInput { case: &case, observed: &observed, timeout: Duration::from_secs(2), redactor: &redactor })
    }
}
