//! Soft mode: each mutant of the reference client fails against its scenario's server, passes
//! against the same server in soft mode, and every mistake it made is a `would_refuse` row.

use std::collections::BTreeSet;

use ado_conformance::contract::{contract_env, tls_env};
use ado_conformance::scenario::{Case, Source};
use ado_mock_server::MockServer;
use ado_mock_server::server::Options;

const REFERENCE: &str = env!("CARGO_BIN_EXE_reference-client");

/// Mutant, the scenario that catches it, and the reasons its mistake produces on that server.
const MISTAKES: &[(&str, &str, &[&str])] = &[
    ("no-colon", "pat/missing-colon", &["basic.no_colon"]),
    ("bearer", "pat/bearer-instead-of-basic", &["bearer.not_supported"]),
    ("too-new-api", "api/negotiated-every-release", &["api_version.out_of_range"]),
    ("no-api-version", "api/missing-on-post", &["api_version.missing"]),
    ("ntlm-v1", "ntlm/v1-refused", &["ntlm.v1_refused"]),
    ("ntlm-new-connection", "ntlm/legs-on-one-connection", &["ntlm.no_handshake"]),
];

fn case(id: &str) -> Case {
    let catalogue = ado_conformance::command::catalogue(&Source::BuiltIn).expect("the built-in library loads");
    let scenario = catalogue.get(id).unwrap_or_else(|| panic!("scenario {id}"));
    scenario.cases().into_iter().next().expect("a case")
}

struct Run {
    code: Option<i32>,
    output: String,
    journal: Vec<ado_mock_server::JournalEntry>,
}

async fn run(case: &Case, mutant: &str, soft: bool) -> Run {
    let options = Options { control: None, soft, ..Options::default() };
    let server = MockServer::start_with(case.profile.as_ref().clone(), options).await.expect("server starts");
    let home = tempfile::tempdir().expect("home");
    let env = contract_env(case, &server.server_url()).into_iter().chain(tls_env(server.ca_file()));
    let output = tokio::process::Command::new(REFERENCE)
        .args(["--mutant", mutant])
        .env_clear()
        .envs(env)
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("HOME", home.path())
        .kill_on_drop(true)
        .output();
    let output = tokio::time::timeout(std::time::Duration::from_secs(60), output)
        .await
        .expect("the client finishes")
        .expect("the client runs");
    let journal = server.journal();
    server.shutdown().await;
    let text = format!("{}{}", String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr));
    Run { code: output.status.code(), output: text, journal: journal.into_vec() }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_mutant_passes_in_soft_mode_and_every_mistake_is_journaled() {
    for (mutant, id, reasons) in MISTAKES {
        let case = case(id);
        let strict = run(&case, mutant, false).await;
        assert_ne!(strict.code, Some(0), "{mutant} should fail {id} without soft mode: {}", strict.output);
        assert!(strict.journal.iter().all(|e| e.would_refuse.is_none()), "{mutant}: would_refuse outside soft mode");

        let soft = run(&case, mutant, true).await;
        assert_eq!(soft.code, Some(0), "{mutant} should pass {id} in soft mode: {}", soft.output);
        let refused: BTreeSet<&str> =
            soft.journal.iter().filter_map(|e| e.would_refuse.as_ref()).map(|w| w.reason.code()).collect();
        let expected: BTreeSet<&str> = reasons.iter().copied().collect();
        assert_eq!(refused, expected, "{mutant} on {id}: the journal's would-be refusals");
        // What the strict server refused with, the soft one recorded (the same mistakes).
        let strict_refusals: BTreeSet<&str> =
            strict.journal.iter().map(|e| e.reason.code()).filter(|r| expected.contains(r)).collect();
        assert_eq!(strict_refusals, expected, "{mutant}: the strict server's refusals");
        for row in soft.journal.iter().filter(|e| e.would_refuse.is_some()) {
            let would = row.would_refuse.as_ref().unwrap();
            assert!((200..300).contains(&row.status), "{mutant}: a softened row was answered {}", row.status);
            assert!(would.status >= 300 && !would.explanation.is_empty() && !would.hint.is_empty(), "{would:?}");
        }
    }
}
