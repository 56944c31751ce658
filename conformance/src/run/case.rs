//! Running one case: its own mock server on a loopback port, a fresh HOME and TMPDIR, the
//! client with the contract environment, then the checks.

use std::sync::Arc;

use ado_mock_server::MockServer;
use ado_mock_server::server::Options;

use super::assemble::{assemble, skipped};
use super::cancel::Cancel;
use super::child::{ChildOutcome, ChildSpec, run_child};
use crate::baseline::Baseline;
use crate::checks::{CheckInput, Exit, Observation, judge};
use crate::contract::{contract_env, process_env};
use crate::manifest::ClientManifest;
use crate::redact::Redactor;
use crate::result::CaseResult;
use crate::scenario::Case;

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
}

/// Runs `case`; `None` when the run was cancelled before it finished.
pub async fn run_case(case: Case, ctx: Arc<RunContext>, cancel: Cancel) -> Option<CaseResult> {
    let baseline = ctx.baseline.as_ref();
    if let Some(why) = ctx.manifest.skip_reason(&case) {
        return Some(skipped(&case, why, baseline));
    }
    let dirs = match CaseDirs::new() {
        Ok(d) => d,
        Err(e) => return Some(setup_failure(&case, &ctx, format!("failed to create the case's HOME: {e}"))),
    };
    let clock = ctx.clock;
    let options = Options { clock: Arc::new(move || clock), ..Options::default() };
    let server = match MockServer::start_with(case.profile.as_ref().clone(), options).await {
        Ok(s) => s,
        Err(e) => return Some(setup_failure(&case, &ctx, format!("failed to start the mock server: {e}"))),
    };
    let contract = contract_env(&case, &server.server_url());
    let parent = |name: &str| ctx.parent_env.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone());
    let spec = ChildSpec {
        command: ctx.manifest.command.clone(),
        cwd: ctx.manifest.dir.clone(),
        env: process_env(&contract, &dirs.home(), &dirs.tmp(), &ctx.manifest, parent),
        timeout: ctx.manifest.timeout,
    };
    let outcome = run_child(&spec, cancel).await;
    let journal = server.journal();
    server.shutdown().await;
    if outcome.cancelled {
        return None;
    }
    let redactor = Redactor::for_case(&case)
        .with_path(&dirs.home(), "<home>")
        .with_path(&dirs.tmp(), "<tmp>")
        .with_path(dirs.root.path(), "<case-dir>");
    let observed = observation(outcome, journal);
    Some(judged(&case, &ctx, &observed, &redactor))
}

fn observation(outcome: ChildOutcome, journal: Vec<ado_mock_server::JournalEntry>) -> Observation {
    Observation {
        exit: outcome.exit,
        stdout: outcome.stdout,
        stderr: outcome.stderr,
        journal,
        duration: outcome.duration,
    }
}

fn judged(case: &Case, ctx: &RunContext, observed: &Observation, redactor: &Redactor) -> CaseResult {
    let input = CheckInput { case, observed, timeout: ctx.manifest.timeout, redactor };
    let checks = judge(&input);
    assemble(case, observed, checks, redactor, ctx.baseline.as_ref())
}

/// A case whose setup failed is judged like a client that could not start.
fn setup_failure(case: &Case, ctx: &RunContext, why: String) -> CaseResult {
    let observed = Observation {
        exit: Exit::SpawnFailed(why),
        stdout: Default::default(),
        stderr: Default::default(),
        journal: Vec::new(),
        duration: std::time::Duration::ZERO,
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
