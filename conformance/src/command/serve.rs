//! `serve ID`: one scenario's mock server for a person reproducing a case by hand.
//!
//! Output contract (`docs/CLIENT-CONTRACT.md`): stdout carries the client environment as
//! `KEY=VALUE` lines, then `ready`; stderr says where the control plane is, with its token
//! (`Authorization: Bearer TOKEN`; never part of the client's environment), and logs each
//! decision. It serves until SIGINT, SIGTERM or SIGHUP, whatever standard input is (a script
//! may start it with stdin closed or at end of file). This is the one place the runner prints
//! secrets: the person needs them to point their own client at the server.

use std::fmt::Write as _;
use std::sync::Arc;
use std::time::Duration;

use ado_mock_server::MockServer;
use ado_mock_server::server::Options;

use super::{StopSignals, catalogue, stop_signals};
use crate::cli::ServeArgs;
use crate::contract::{contract_env, tls_env};
use crate::error::ExpectedError;
use crate::exit_code;
use crate::run::kerberos::{self, Prepared};
use crate::scenario::Case;

pub(super) fn serve(args: &ServeArgs) -> anyhow::Result<u8> {
    let source = args.scenarios.source();
    let catalogue = catalogue(&source)?;
    let scenario = catalogue
        .get(&args.id)
        .ok_or_else(|| ExpectedError::UnknownScenario { id: args.id.clone(), scenarios: source })?;
    let case = pick_case(scenario, args.release.as_deref())?;
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    let served = runtime.block_on(serve_case(case, args));
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
    // A person may point a load of clients at it: one descriptor a connection.
    let _ = ado_mock_server::http::raise_open_file_limit();
    let options = Options { listen: args.listen, soft: args.soft, ..Options::default() };
    let server = MockServer::start_with(case.profile.as_ref().clone(), options)
        .await
        .map_err(|source| ExpectedError::Serve { id: case.scenario.id.clone(), source })?;
    // Handlers first: a SIGTERM right after `ready` must stop the server cleanly.
    let mut stop = stop_signals()?;
    // A Kerberos case gets its realm and a ticket cache, as in a run (kept until the end).
    let home = tempfile::Builder::new().prefix("ado-conformance-serve-").tempdir()?;
    let realm = match kerberos::prepare(&case, home.path()).await {
        Prepared::Ready(realm) => Some(realm),
        Prepared::NotKerberos => None,
        Prepared::Unavailable(why) | Prepared::Failed(why) => {
            crate::out::stderr(&format!("warning: serving without Kerberos: {why}\n"));
            None
        }
    };
    let mut env = String::new();
    for (key, value) in contract_env(&case, &server.server_url()).into_iter().chain(tls_env(server.ca_file())) {
        let _ = writeln!(env, "{key}={value}");
    }
    for (key, value) in realm.iter().flat_map(kerberos::CaseRealm::env) {
        let _ = writeln!(env, "{key}={value}");
    }
    env.push_str("ready\n");
    // A reader that went away (`serve ... | head -3`) does not stop the server.
    crate::out::stdout(&env);
    let control = server
        .control_url()
        .map(|u| {
            format!(
                "; control plane on {u} (GET /journal with `Authorization: Bearer {}`; keep the token from the client)",
                server.control_token().expose()
            )
        })
        .unwrap_or_default();
    crate::out::stderr(&format!(
        "serving {} on {}{control}; stop with Ctrl-C or SIGTERM\n",
        case.label(),
        server.url()
    ));
    wait_and_log(&server, &mut stop).await;
    server.shutdown().await;
    drop(realm);
    Ok(exit_code::SUCCESS)
}

/// Logs new journal entries to stderr until a stop signal.
async fn wait_and_log(server: &MockServer, stop: &mut StopSignals) {
    let mut logged = 0u64;
    let mut tick = tokio::time::interval(Duration::from_millis(200));
    loop {
        tokio::select! {
            _ = stop.next() => break,
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
        let hint = match &e.would_refuse {
            Some(w) => format!("{hint} | soft: would answer {} {}: {}", w.status, w.reason, w.hint),
            None => hint,
        };
        crate::out::stderr(&format!(
            "conn={} {} {} -> {} {}: {}{hint}\n",
            e.connection, e.method, e.path, e.status, e.reason, e.explanation
        ));
        last = e.seq;
    }
    last
}
