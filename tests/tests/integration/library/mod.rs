//! The scenario library and its proof: the reference client passes every scenario, every
//! mutant (one classic client mistake each) is caught, every client-fault scenario catches a
//! mistake of its own; curl and the Python SDK match their committed baselines; the catalogue
//! in scenarios/README.md is current.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use serde_json::Value;

use crate::runner::util::{self, Outcome, Workdir, conformance, results, workspace};

mod kerberos;
mod secrets;

const REFERENCE: &str = env!("CARGO_BIN_EXE_reference-client");

/// Every operation of the client contract: the reference client implements them all.
const REFERENCE_OPERATIONS: &str = r#"["connection-data", "list-projects", "get-project", "list-repos", "git-ls-remote", "get-work-item", "create-work-item", "list-collections", "create-project", "git-clone", "git-fetch", "git-push", "lfs-push", "lfs-pull", "list-pools", "list-build-definitions", "queue-build", "publish-extension"]"#;

/// Mutants that every scenario catches whatever its cause (a leak, a hang, a lie about the
/// outcome): catching them does not show that a scenario exercises its own cause.
const UNIVERSAL: &[&str] = &["secret-printed", "pat-in-url", "hang", "exit0-on-failure"];

/// Mutants and the scenario built to catch each one.
const MUTANTS: &[(&str, &str)] = &[
    ("no-colon", "pat/missing-colon"),
    ("bearer", "pat/bearer-instead-of-basic"),
    ("pat-in-url", "pat/full-access"),
    ("secret-printed", "pat/full-access"),
    ("retry-storm", "ntlm/lockout"),
    ("ntlm-new-connection", "ntlm/legs-on-one-connection"),
    ("no-collection", "pat/full-access"),
    ("too-new-api", "api/negotiated-every-release"),
    ("exit0-on-failure", "pat/revoked-cached"),
    ("ntlm-v1", "ntlm/v1-refused"),
    ("negotiate-kerberos", "iis/negotiate-first"),
    ("ntlm-once", "ntlm/per-request-auth"),
    ("no-api-version", "api/missing-on-post"),
    ("bare-user", "accounts/iis-basic-down-level"),
    ("no-ca-file", "tls/pat-over-https"),
    ("insecure-tls", "tls/expired-certificate"),
    ("no-channel-bindings", "tls/epa-require-ntlm"),
];

fn manifest(work: &Workdir, mutant: Option<&str>, timeout_s: u32) -> std::path::PathBuf {
    let name = mutant.unwrap_or("reference");
    let command = match mutant {
        Some(m) => format!("[{REFERENCE:?}, \"--mutant\", {m:?}]"),
        None => format!("[{REFERENCE:?}]"),
    };
    work.write(
        &format!("{name}.toml"),
        &format!(
            "name = {name:?}\ncommand = {command}\ncapabilities = [\"pat\", \"basic\", \"bearer\", \"ntlm\", \"negotiate\", \"job-token\"]\n\
             operations = {}\ntimeout-s = {timeout_s}\n",
            REFERENCE_OPERATIONS
        ),
    )
}

/// Runs the library against a manifest; returns `id [release]` -> verdict. Every artifact of
/// the run (reports and the runner's own output) is checked for secrets.
fn run(work: &Workdir, manifest: &Path, extra: &[&str]) -> BTreeMap<String, String> {
    let reports = work.path(&format!("reports-{}", manifest.file_stem().unwrap().to_string_lossy()));
    let outcome = util::run(manifest, &workspace().join("scenarios"), &reports, extra);
    assert!(outcome.code == 0 || outcome.code == 1, "{}", outcome.context());
    let leaky = manifest.file_stem().is_some_and(|s| s == "secret-printed" || s == "pat-in-url");
    if !leaky {
        secrets::assert_none_in(&reports, &outcome);
    }
    let results = results(&reports);
    results["cases"]
        .as_array()
        .expect("cases")
        .iter()
        .map(|c| (format!("{} [{}]", str_of(c, "scenario"), str_of(c, "release")), str_of(c, "verdict")))
        .collect()
}

fn str_of(v: &Value, key: &str) -> String {
    v[key].as_str().unwrap_or_default().to_owned()
}

fn caught(verdict: &str) -> bool {
    verdict == "fail" || verdict == "insecure"
}

fn client_fault_scenarios() -> BTreeSet<String> {
    let outcome = conformance(&["list"]);
    outcome.assert_code(0);
    outcome
        .stdout
        .lines()
        .skip(1)
        .filter(|l| l.split_whitespace().nth(1) == Some("client"))
        .map(|l| l.split_whitespace().next().unwrap().to_owned())
        .collect()
}

#[test]
fn the_reference_passes_every_scenario_and_every_mutant_is_caught() {
    let work = Workdir::new();
    let reference = run(&work, &manifest(&work, None, 20), &[]);
    assert!(reference.len() >= 40, "the whole library ran: {reference:?}");
    // The reference client has no Kerberos: real clients prove those scenarios (kerberos.rs).
    let bad: Vec<_> = reference
        .iter()
        .filter(|(k, v)| *v != "pass" && *v != "note" && !(*v == "skip" && kerberos::needs_kerberos(k)))
        .collect();
    assert!(bad.is_empty(), "the reference client must pass every scenario: {bad:?}");

    let mut caught_by: BTreeMap<String, BTreeSet<&str>> = BTreeMap::new();
    for (mutant, scenario) in MUTANTS {
        let verdicts = run(&work, &manifest(&work, Some(mutant), 20), &[]);
        let failing: Vec<&String> = verdicts.iter().filter(|(_, v)| caught(v)).map(|(k, _)| k).collect();
        assert!(!failing.is_empty(), "mutant {mutant} is caught by no scenario");
        assert!(
            failing.iter().any(|k| k.starts_with(&format!("{scenario} ["))),
            "mutant {mutant} is not caught by {scenario}, which exists for it; caught by: {failing:?}"
        );
        for case in failing {
            let id = case.split(" [").next().unwrap().to_owned();
            caught_by.entry(id).or_default().insert(mutant);
        }
    }
    let hang = run(&work, &manifest(&work, Some("hang"), 1), &["--filter", "pat/full-access"]);
    assert!(hang.values().all(|v| v == "fail"), "a hanging client is killed and fails: {hang:?}");

    for scenario in client_fault_scenarios().into_iter().filter(|s| !kerberos::needs_kerberos(s)) {
        let own: Vec<&&str> =
            caught_by.get(&scenario).into_iter().flatten().filter(|m| !UNIVERSAL.contains(m)).collect();
        assert!(
            !own.is_empty(),
            "client-fault scenario {scenario} catches no mistake of its own (caught: {:?})",
            caught_by.get(&scenario)
        );
    }
}

/// Whether a shipped client's prerequisite is installed; a missing one fails the test unless
/// skipping was asked for (`crate::clients`).
fn client_available(what: &str, available: bool, how: &str) -> bool {
    crate::clients::available(what, available, how)
}

fn node_clients_installed() -> bool {
    let node = std::process::Command::new("node").arg("--version").output().is_ok_and(|o| o.status.success());
    let modules = workspace().join("conformance/clients/node/node_modules");
    let installed = modules.join("azure-devops-node-api").is_dir() && modules.join("tfx-cli").is_dir();
    client_available("node or conformance/clients/node/node_modules", node && installed, "run .ci/run (npm ci)")
}

#[test]
fn git_lfs_matches_its_baseline() {
    let lfs = std::process::Command::new("git").args(["lfs", "version"]).output().is_ok_and(|o| o.status.success());
    if client_available("git-lfs", lfs, "apt-get install git-lfs (.ci/run does)") {
        baseline_run("git-lfs").assert_code(0);
    }
}

#[test]
fn the_node_sdk_matches_its_baseline() {
    if node_clients_installed() {
        baseline_run("node-sdk").assert_code(0);
    }
}

#[test]
fn tfx_matches_its_baseline() {
    if node_clients_installed() {
        baseline_run("tfx").assert_code(0);
    }
}

/// Runs a shipped adapter with its baseline; checks every artifact for secrets.
fn baseline_run(client: &str) -> Outcome {
    let work = Workdir::new();
    let manifest = workspace().join(format!("conformance/clients/{client}.toml"));
    let baseline = format!("conformance/baselines/{client}.toml");
    let reports = work.path("reports");
    let outcome = util::run(&manifest, &workspace().join("scenarios"), &reports, &["--baseline", &baseline]);
    secrets::assert_none_in(&reports, &outcome);
    outcome
}

#[test]
fn curl_matches_its_baseline() {
    baseline_run("curl").assert_code(0);
}

#[test]
fn git_matches_its_baseline() {
    baseline_run("git").assert_code(0);
}

#[test]
fn the_python_sdk_matches_its_baseline() {
    let python = std::env::var_os("ADO_PYTHON")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| workspace().join(".venv/bin/python"));
    if !client_available(&format!("the Python SDK venv at {}", python.display()), python.exists(), "run .ci/run") {
        return;
    }
    baseline_run("python-sdk").assert_code(0);
}

#[test]
fn the_python_negotiate_adapter_matches_its_baseline() {
    let python = std::env::var_os("ADO_PYTHON")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| workspace().join(".venv/bin/python"));
    let ready = std::process::Command::new(&python)
        .args(["-c", "import gssapi, krb5, spnego"])
        .output()
        .is_ok_and(|o| o.status.success());
    if !client_available(&format!("pyspnego's Kerberos in {}", python.display()), ready, "run .ci/run") {
        return;
    }
    baseline_run("python-negotiate").assert_code(0);
}

#[test]
fn the_catalogue_is_current() {
    let outcome = conformance(&["list", "--format", "markdown"]);
    outcome.assert_code(0);
    let committed = std::fs::read_to_string(workspace().join("scenarios/README.md")).unwrap_or_default();
    assert!(
        committed == outcome.stdout,
        "scenarios/README.md is out of date; regenerate it with:\n  cargo run -p ado-conformance -- list --format markdown > scenarios/README.md"
    );
}
