//! The Kerberos scenarios' proof. The reference client has no Kerberos, so real clients and
//! their classic mistakes stand in for mutants: each client-fault Kerberos scenario fails a
//! client that makes the mistake it describes and passes one that does not.

use std::collections::BTreeMap;

use super::run;
use crate::runner::util::{Workdir, workspace};

/// Whether the scenario `id` (or `id [release]`) requires the `kerberos` capability.
pub fn needs_kerberos(id: &str) -> bool {
    let id = id.split(" [").next().unwrap_or(id);
    let Ok(text) = std::fs::read_to_string(workspace().join(format!("scenarios/{id}.toml"))) else { return false };
    let file: toml::Table = toml::from_str(&text).expect("scenario parses");
    file.get("requires").and_then(|r| r.as_array()).is_some_and(|r| r.iter().any(|c| c.as_str() == Some("kerberos")))
}

/// A manifest running a shipped adapter with `ADO_AUTH` forced to `auth` (the mistake).
fn mistaken(work: &Workdir, name: &str, adapter: &str, auth: &str, operation: &str) -> std::path::PathBuf {
    let clients = workspace().join("conformance/clients");
    let python =
        std::env::var("ADO_PYTHON").unwrap_or_else(|_| workspace().join(".venv/bin/python").display().to_string());
    let program = if adapter.ends_with(".py") { python } else { "bash".to_owned() };
    let script = clients.join(adapter);
    work.write(
        &format!("{name}.toml"),
        &format!(
            "name = {name:?}\ncommand = [\"bash\", \"-c\", \"ADO_AUTH={auth} exec \\\"$0\\\" \\\"$1\\\"\", {program:?}, {script:?}]\n\
             capabilities = [\"kerberos\"]\noperations = [{operation:?}]\ntimeout-s = 30\n"
        ),
    )
}

fn verdicts_of(results: &BTreeMap<String, String>, prefix: &str) -> BTreeMap<String, String> {
    results.iter().filter(|(k, _)| k.starts_with(prefix)).map(|(k, v)| (k.clone(), v.clone())).collect()
}

#[test]
fn kerberos_client_fault_scenarios_catch_real_client_mistakes() {
    let kdc = ado_mock_server::kerberos::kdc::available();
    let how = kdc.as_ref().err().map_or_else(String::new, ToString::to_string);
    if !crate::clients::available("an MIT Kerberos KDC", kdc.is_ok(), &how) {
        return;
    }
    let work = Workdir::new();
    // Using NTLM although the user has a ticket: caught where Kerberos is expected or required.
    let ntlm = run(&work, &mistaken(&work, "python-ntlm", "python_negotiate.py", "ntlm", "list-projects"), &[]);
    assert_eq!(verdicts_of(&ntlm, "kerberos/ticket")["kerberos/ticket [ads2022]"], "fail", "{ntlm:?}");
    assert_eq!(verdicts_of(&ntlm, "kerberos/kerberos-only ")["kerberos/kerberos-only [ads2022]"], "fail");
    // No NTLM fallback without a ticket: curl (MIT SPNEGO offers Kerberos only).
    let curl = run(&work, &workspace().join("conformance/clients/curl.toml"), &["--filter", "kerberos/"]);
    assert_eq!(curl["kerberos/no-spn-fallback [ads2022]"], "fail", "{curl:?}");
    assert_eq!(curl["kerberos/by-ip-address [ads2022]"], "fail", "{curl:?}");
    // git sending the password as Basic instead of Negotiate with the ticket.
    let git = run(&work, &mistaken(&work, "git-basic", "git.sh", "basic", "git-ls-remote"), &[]);
    assert_eq!(git["git/ls-remote-kerberos [ads2022]"], "fail", "{git:?}");
    // And the clients that do it right pass all of them.
    let python = run(&work, &workspace().join("conformance/clients/python-negotiate.toml"), &["--filter", "kerberos/"]);
    assert!(python.values().all(|v| v == "pass" || v == "note"), "{python:?}");
}
