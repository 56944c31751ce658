//! Running one case: its own mock server on a loopback port, a fresh HOME and TMPDIR, the
//! client with the contract environment, then the checks.

use std::sync::Arc;

use ado_mock_server::MockServer;
use ado_mock_server::server::Options;

use super::assemble::{assemble, skipped};
use super::cancel::Cancel;
use super::child::{ChildOutcome, ChildSpec, run_command};
use super::kerberos::{self, CaseRealm, Prepared};
use super::sandbox::{Sandbox, receive_listener, send_env};
use crate::baseline::Baseline;
use crate::checks::{CheckInput, Exit, Observation, judge};
use crate::contract::{contract_env, process_env, tls_env};
use crate::manifest::ClientManifest;
use crate::redact::Redactor;
use crate::result::CaseResult;
use crate::scenario::{AuthKind, Case};

/// What every case of a run shares.
#[derive(Debug)]
pub struct RunContext {
    /// The client.
    pub manifest: ClientManifest,
    /// The baseline, if any.
    pub baseline: Option<Baseline>,
    /// The runner's PATH and locale variables, passed through to clients.
    pub parent_env: Vec<(String, String)>,
    /// Unix seconds every mock server reads as "now" (the scenarios were loaded against it).
    pub clock: i64,
    /// Arguments that select the run's scenarios again (`""` for the built-in library), for
    /// the reproduction command of a failure.
    pub scenarios_args: String,
    /// Run each client in a bubblewrap sandbox.
    pub sandbox: Option<Sandbox>,
}

/// Runs `case`; `None` when the run was cancelled before it finished.
pub async fn run_case(case: Case, ctx: Arc<RunContext>, cancel: Cancel) -> Option<CaseResult> {
    let baseline = ctx.baseline.as_ref();
    if let Some(why) = ctx.manifest.skip_reason(&case) {
        return Some(skipped(&case, why, baseline, &ctx.scenarios_args));
    }
    let dirs = match CaseDirs::new() {
        Ok(d) => d,
        Err(e) => return Some(setup_failure(&case, &ctx, format!("failed to create the case's HOME: {e}"))),
    };
    let realm = match kerberos::prepare(&case, &dirs.home()).await {
        Prepared::NotKerberos => None,
        Prepared::Ready(realm) => Some(realm),
        Prepared::Unavailable(why) => return Some(skipped(&case, why, baseline, &ctx.scenarios_args)),
        Prepared::Failed(why) => {
            return Some(setup_failure(&case, &ctx, format!("failed to start the case's KDC: {why}")));
        }
    };
    let parent = |name: &str| ctx.parent_env.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone());
    let env_for = |server: &MockServer| {
        let mut contract = contract_env(&case, &server.server_url());
        contract.extend(tls_env(server.ca_file()));
        let mut env = process_env(&contract, &dirs.home(), &dirs.tmp(), &ctx.manifest, parent);
        env.extend(realm.iter().flat_map(CaseRealm::env));
        env
    };
    // The case's secrets, known before the client starts: its output is scanned as it streams.
    let mut redactor = Redactor::for_case(&case);
    let mut spec = ChildSpec {
        command: ctx.manifest.command.clone(),
        cwd: ctx.manifest.dir.clone(),
        env: Vec::new(),
        timeout: ctx.manifest.timeout,
        marker: dirs.root.path().display().to_string(),
        secrets: std::sync::Arc::clone(redactor.finder()),
    };
    let (outcome, server) = match &ctx.sandbox {
        None => {
            let server = match MockServer::start_with(case.profile.as_ref().clone(), server_options(&case, &ctx)).await
            {
                Ok(s) => s,
                Err(e) => return Some(setup_failure(&case, &ctx, format!("failed to start the mock server: {e}"))),
            };
            spec.env = env_for(&server);
            (run_command(&spec, &spec.command, None, cancel).await, Ok(server))
        }
        Some(sandbox) => {
            // bwrap runs with the client's environment minus the contract, which names the
            // port of a listener that does not exist yet: the handshake sends it.
            spec.env = process_env(&[], &dirs.home(), &dirs.tmp(), &ctx.manifest, parent);
            let argv = sandbox.wrap(&spec.command, &spec.cwd, dirs.root.path());
            let (ours, theirs) = match std::os::unix::net::UnixStream::pair() {
                Ok(pair) => pair,
                Err(e) => return Some(setup_failure(&case, &ctx, format!("failed to create a socket pair: {e}"))),
            };
            let handshake = sandbox_handshake(ours, &case, &ctx, &env_for);
            let (outcome, server) = tokio::join!(run_command(&spec, &argv, Some(theirs.into()), cancel), handshake);
            (outcome, server)
        }
    };
    let (journal, handshake_failures) = match server {
        Ok(server) => {
            let journal = server.journal().into_vec();
            let handshake_failures = server.tls().map(|tls| tls.handshake_failures()).unwrap_or_default();
            server.shutdown().await;
            (journal, handshake_failures)
        }
        Err(why) if !outcome.cancelled => {
            return Some(setup_failure(&case, &ctx, format!("the sandbox did not start: {why}")));
        }
        Err(_) => (Vec::new(), Vec::new()),
    };
    if outcome.cancelled {
        return None;
    }
    redactor = redactor
        .with_path(&dirs.home(), "<home>")
        .with_path(&dirs.tmp(), "<tmp>")
        .with_path(dirs.root.path(), "<case-dir>");
    if let Some(realm) = &realm {
        redactor = redactor.with_path(realm.dir(), "<kdc>");
    }
    let mut observed = observation(outcome, journal);
    observed.tls_handshake_failures = handshake_failures;
    Some(judged(&case, &ctx, &observed, &redactor))
}

fn observation(outcome: ChildOutcome, journal: Vec<ado_mock_server::JournalEntry>) -> Observation {
    Observation {
        exit: outcome.exit,
        stdout: outcome.stdout,
        stderr: outcome.stderr,
        journal,
        duration: outcome.duration,
        leftovers: outcome.leftovers,
        tls_handshake_failures: Vec::new(),
    }
}

fn judged(case: &Case, ctx: &RunContext, observed: &Observation, redactor: &Redactor) -> CaseResult {
    let input = CheckInput { case, observed, timeout: ctx.manifest.timeout, redactor };
    let checks = judge(&input);
    assemble(case, observed, checks, redactor, ctx.baseline.as_ref(), &ctx.scenarios_args)
}

/// The case's server: no control plane (the client runs as the same user and could find its
/// port; the runner reads the journal in-process), the run's fixed "now",
/// except for Kerberos cases: a real KDC stamps tickets with the real time.
fn server_options(case: &Case, ctx: &RunContext) -> Options {
    if case.scenario.client.auth == AuthKind::Kerberos {
        return Options { control: None, ..Options::default() };
    }
    let clock = ctx.clock;
    Options { clock: Arc::new(move || clock), control: None, ..Options::default() }
}

/// The runner's side of `--sandbox`: receive the listener bound inside the client's network
/// namespace, serve the case on it, send the client its environment.
async fn sandbox_handshake(
    ours: std::os::unix::net::UnixStream,
    case: &Case,
    ctx: &RunContext,
    env_for: &impl Fn(&MockServer) -> Vec<(String, String)>,
) -> Result<MockServer, String> {
    let ours = Arc::new(ours);
    let socket = Arc::clone(&ours);
    let listener = tokio::task::spawn_blocking(move || receive_listener(&socket))
        .await
        .map_err(|e| e.to_string())?
        .map_err(|e| format!("no listener from the sandbox: {e}"))?;
    let listener = tokio::net::TcpListener::from_std(listener).map_err(|e| e.to_string())?;
    let server = MockServer::start_on(case.profile.as_ref().clone(), listener, server_options(case, ctx))
        .await
        .map_err(|e| format!("failed to start the mock server: {e}"))?;
    let env = env_for(&server);
    tokio::task::spawn_blocking(move || send_env(&ours, &env))
        .await
        .map_err(|e| e.to_string())?
        .map_err(|e| format!("cannot send the environment into the sandbox: {e}"))?;
    Ok(server)
}

/// A case whose setup failed is judged like a client that could not start.
fn setup_failure(case: &Case, ctx: &RunContext, why: String) -> CaseResult {
    let observed = Observation {
        exit: Exit::SpawnFailed(why),
        stdout: Default::default(),
        stderr: Default::default(),
        journal: Vec::new(),
        duration: std::time::Duration::ZERO,
        leftovers: Vec::new(),
        tls_handshake_failures: Vec::new(),
    };
    judged(case, ctx, &observed, &Redactor::for_case(case))
}

/// The case's temporary folder with `home/` and `tmp/`, removed when dropped.
struct CaseDirs {
    root: tempfile::TempDir,
}

impl CaseDirs {
    fn new() -> std::io::Result<Self> {
        let root = tempfile::Builder::new().prefix("ado-conformance-").tempdir()?;
        std::fs::create_dir(root.path().join("home"))?;
        std::fs::create_dir(root.path().join("tmp"))?;
        Ok(Self { root })
    }

    fn home(&self) -> std::path::PathBuf {
        self.root.path().join("home")
    }

    fn tmp(&self) -> std::path::PathBuf {
        self.root.path().join("tmp")
    }
}
