//! The PyPI `azure-devops` SDK (installed by `.ci/run` into `.venv`) against the standalone
//! binary, through the python-sdk client adapter.
//!
//! Without the venv these tests fail, unless `ADO_SKIP_MISSING_CLIENTS=1` asks to skip them
//! (`crate::clients`).

use std::path::PathBuf;
use std::process::Command;

use super::{Standalone, token, workspace};

pub(super) fn python() -> Option<PathBuf> {
    let candidate =
        std::env::var_os("ADO_PYTHON").map(PathBuf::from).unwrap_or_else(|| workspace().join(".venv/bin/python"));
    let what = format!("the Python SDK venv at {}", candidate.display());
    let how = "run .ci/run (or python3 -m venv .venv && .venv/bin/pip install -r conformance/clients/python-sdk-requirements.txt)";
    crate::clients::available(&what, candidate.exists(), how).then_some(candidate)
}

fn sdk(python: &PathBuf, server: &Standalone, vars: &[(&str, &str)]) -> (bool, String, String) {
    let cache = tempfile::tempdir().unwrap();
    let output = Command::new(python)
        .arg(workspace().join("conformance/clients/python_sdk.py"))
        .env("ADO_URL", server.collection())
        .env("AZURE_DEVOPS_CACHE_DIR", cache.path())
        .envs(vars.iter().copied())
        .output()
        .expect("python runs");
    let text = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
    (output.status.success(), text(&output.stdout), text(&output.stderr))
}

#[test]
fn the_sdk_lists_projects_with_a_pat_and_raises_its_authentication_error_for_a_revoked_one() {
    let Some(python) = python() else { return };
    let server = Standalone::start("");
    let full = token(&server.profile, "CONTOSO\\joseph", "full");
    let (ok, stdout, stderr) =
        sdk(&python, &server, &[("ADO_AUTH", "pat"), ("ADO_PAT", &full), ("ADO_OPERATION", "list-projects")]);
    assert!(ok, "the SDK lists projects: {stderr}");
    assert_eq!(stdout.trim(), "Fabrikam");
    let methods: Vec<String> = server
        .journal()
        .iter()
        .map(|e| format!("{} {}", e["method"].as_str().unwrap(), e["reason"].as_str().unwrap()))
        .collect();
    assert_eq!(
        methods.first().map(String::as_str),
        Some("OPTIONS ok"),
        "the SDK discovers locations first: {methods:?}"
    );

    let revoked = token(&server.profile, "CONTOSO\\joseph", "revoked");
    let (ok, _, stderr) =
        sdk(&python, &server, &[("ADO_AUTH", "pat"), ("ADO_PAT", &revoked), ("ADO_OPERATION", "list-projects")]);
    assert!(!ok);
    assert!(
        stderr.contains("AzureDevOpsAuthenticationError"),
        "an empty 401 is the SDK's authentication error: {stderr}"
    );
    assert_eq!(server.last_reason(), "pat.revoked");
}

#[test]
fn the_sdk_surfaces_the_servers_message_for_json_errors_and_completes_ntlm() {
    let Some(python) = python() else { return };
    let server = Standalone::start("");
    let expired = token(&server.profile, "CONTOSO\\joseph", "expired");
    let (ok, _, stderr) = sdk(&python, &server, &[("ADO_AUTH", "pat"), ("ADO_PAT", &expired)]);
    assert!(!ok);
    assert!(stderr.contains("AzureDevOpsServiceError") && stderr.contains("has expired"), "{stderr}");
    let (ok, stdout, stderr) = sdk(
        &python,
        &server,
        &[("ADO_AUTH", "ntlm"), ("ADO_USERNAME", "joseph"), ("ADO_DOMAIN", "CONTOSO"), ("ADO_PASSWORD", "Passw0rd!")],
    );
    assert!(ok, "requests-ntlm completes the handshake: {stderr}");
    assert_eq!(stdout.trim(), "Fabrikam");
}

/// Issue 10, item 2: the SDK's first request (`OPTIONS {collection}/_apis`, Accept JSON, no
/// api-version) gets a text/plain TF400813 from TFS 2015-2018, so the SDK raises its
/// authentication error with the server's text (azure-devops-python-api#317); Azure DevOps
/// Server answers JSON, and the SDK raises its service error.
#[test]
fn the_sdk_without_a_credential_raises_the_error_each_release_leads_it_to() {
    let Some(python) = python() else { return };
    let cases = [
        (
            "tfs2015",
            "AzureDevOpsAuthenticationError: TF400813: Resource not available for anonymous access. Client authentication required.  The requested resource requires user authentication",
        ),
        ("tfs2018.2", "AzureDevOpsAuthenticationError: TF400813"),
        ("ads2019", "AzureDevOpsServiceError: TF400813"),
        ("ads2022", "AzureDevOpsServiceError: TF400813"),
    ];
    for (release, expected) in cases {
        let server = Standalone::start(&format!("release = \"{release}\""));
        let (ok, _, stderr) = sdk(&python, &server, &[("ADO_AUTH", "none"), ("ADO_OPERATION", "list-projects")]);
        assert!(!ok, "{release}: no credential fails");
        assert!(stderr.contains(expected), "{release}: expected {expected:?} in {stderr}");
        assert_eq!(server.last_reason(), "auth.anonymous");
    }
}

/// Issue 10, item 5: a job token is accepted as Bearer through the SDK, as a pipeline task uses it.
#[test]
fn the_sdk_lists_projects_with_a_job_token() {
    let Some(python) = python() else { return };
    let server = Standalone::start("");
    let token = server.profile.job_tokens.iter().find(|t| t.name == "build").unwrap().token.expose().to_owned();
    let (ok, stdout, stderr) = sdk(
        &python,
        &server,
        &[("ADO_AUTH", "job-token"), ("ADO_ACCESS_TOKEN", &token), ("ADO_OPERATION", "list-projects")],
    );
    assert!(ok, "the SDK lists projects as the build service: {stderr}");
    assert_eq!(stdout.trim(), "Fabrikam\nSecret", "a collection-scoped job sees every project of its collection");
    let identities: Vec<String> =
        server.journal().iter().filter_map(|e| e["identity"].as_str().map(str::to_owned)).collect();
    assert!(
        identities.iter().any(|i| i == "Build\\Project Collection Build Service (DefaultCollection)"),
        "{identities:?}"
    );
}
