//! `serve ID`: one scenario's mock server for a person reproducing a case by hand.
//!
//! Output contract (DESIGN): stdout carries the client environment as `KEY=VALUE` lines, then
//! `ready`; stderr says where the control plane is and logs each decision. It serves until
//! SIGINT or until standard input closes. This is the one place the runner prints secrets:
//! the person needs them to point their own client at the server.

use std::io::Write as _;
use std::sync::Arc;
use std::time::Duration;

use ado_mock_server::MockServer;
use ado_mock_server::server::Options;

use super::catalogue;
use crate::cli::ServeArgs;
use crate::contract::contract_env;
use crate::error::ExpectedError;
use crate::exit_code;
use crate::run::kerberos::{self, Prepared};
use crate::scenario::Case;

pub(super) fn serve(args: &ServeArgs) -> anyhow::Result<u8> {
    let dir = &args.scenarios.scenarios;
    let catalogue = catalogue(dir)?;
    let scenario = catalogue
        .get(&args.id)
        .ok_or_else(|| ExpectedError::UnknownScenario { id: args.id.clone(), dir: dir.clone() })?;
    let case = pick_case(scenario, args.release.as_deref())?;
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    let served = runtime.block_on(serve_case(case, args));
    // The stdin watcher is a plain thread blocked in read(); nothing waits for it.
    runtime.shutdown_timeout(Duration::from_millis(200));
    served
}

fn pick_case(scenario: &Arc<crate::scenario::Scenario>, release: Option<&str>) -> Result<Case, ExpectedError> {
    let cases = scenario.cases();
    match release {
        None => Ok(cases.into_iter().next().expect("a loaded scenario has at least one release")),
        Some(name) => cases.into_iter().find(|c| c.release.name().eq_ignore_ascii_case(name)).ok_or_else(|| {
            ExpectedError::UnknownRelease {
                id: scenario.id.clone(),
                release: name.to_owned(),
                available: scenario.release_names().join(", "),
            }
        }),
    }
}

async fn serve_case(case: Case, args: &ServeArgs) -> anyhow::Result<u8> {
    let options = Options { listen: args.listen, ..Options::default() };
    let server = MockServer::start_with(case.profile.as_ref().clone(), options)
        .await
        .map_err(|source| ExpectedError::Serve { id: case.scenario.id.clone(), source })?;
    // A Kerberos case gets its realm and a ticket cache, as in a run (kept until the end).
    let home = tempfile::Builder::new().prefix("ado-conformance-serve-").tempdir()?;
    let realm = match kerberos::prepare(&case, home.path()).await {
        Prepared::Ready(realm) => Some(realm),
        Prepared::NotKerberos => None,
        Prepared::Unavailable(why) | Prepared::Failed(why) => {
            eprintln!("warning: serving without Kerberos: {why}");
            None
        }
    };
    let mut stdout = std::io::stdout().lock();
    for (key, value) in contract_env(&case, &server.server_url()) {
        writeln!(stdout, "{key}={value}")?;
    }
    for (key, value) in realm.iter().flat_map(kerberos::CaseRealm::env) {
        writeln!(stdout, "{key}={value}")?;
    }
    writeln!(stdout, "ready")?;
    stdout.flush()?;
    drop(stdout);
    eprintln!(
        "serving {} on {}; control plane on {} (GET /journal); stop with Ctrl-C or by closing stdin",
        case.label(),
        server.url(),
        server.control_url()
    );
    wait_and_log(&server).await;
    server.shutdown().await;
    drop(realm);
    Ok(exit_code::SUCCESS)
}

/// Logs new journal entries to stderr until SIGINT or end of stdin.
async fn wait_and_log(server: &MockServer) {
    let (eof_tx, mut eof_rx) = tokio::sync::oneshot::channel::<()>();
    std::thread::spawn(move || {
        let mut sink = Vec::new();
        let _ = std::io::Read::read_to_end(&mut std::io::stdin().lock(), &mut sink);
        let _ = eof_tx.send(());
    });
    let mut logged = 0u64;
    let mut tick = tokio::time::interval(Duration::from_millis(200));
    loop {
        tokio::select! {
            _ = tokio::signal::ctrl_c() => break,
            _ = &mut eof_rx => break,
            _ = tick.tick() => {}
        }
        logged = log_new(server, logged);
    }
    log_new(server, logged);
}

fn log_new(server: &MockServer, after: u64) -> u64 {
    let mut last = after;
    for e in server.journal().into_iter().filter(|e| e.seq > after) {
        let hint = if e.hint.is_empty() { String::new() } else { format!(" | fix: {}", e.hint) };
        eprintln!(
            "conn={} {} {} -> {} {}: {}{hint}",
            e.connection, e.method, e.path, e.status, e.reason, e.explanation
        );
        last = e.seq;
    }
    last
}
