//! No secret in any artifact: every PAT, password (including the wrong ones scenarios hand
//! out) and NT hash of every scenario's profile, raw, base64-encoded as a Basic credential, or
//! hex, is absent from the reports, transcripts and the runner's own output.

use std::path::Path;

use ado_mock_server::ntlm::crypto;
use base64::Engine;
use base64::engine::general_purpose::STANDARD;

use crate::runner::util::{Outcome, workspace};

/// Every secret form the library can hand to a client.
fn needles() -> Vec<String> {
    let catalogue = ado_conformance::scenario::load_dir(&workspace().join("scenarios"), 1_800_000_000)
        .unwrap_or_else(|e| panic!("the library loads: {e:?}"));
    let mut out = Vec::new();
    for scenario in &catalogue.scenarios {
        if let Some(password) = &scenario.client.password {
            out.extend(password_forms(password, scenario.client.identity.as_deref().unwrap_or("")));
        }
        for (_, profile) in &scenario.server.releases {
            for identity in &profile.identities {
                let account = identity.account.to_string();
                if let Some(password) = &identity.password {
                    out.extend(password_forms(password.expose(), &account));
                }
                for pat in &identity.pats {
                    let token = pat.token.expose();
                    out.push(token.to_owned());
                    out.push(STANDARD.encode(format!(":{token}")));
                    out.push(STANDARD.encode(token));
                }
            }
        }
    }
    out.sort();
    out.dedup();
    out
}

fn password_forms(password: &str, account: &str) -> Vec<String> {
    let user = account.rsplit('\\').next().unwrap_or(account);
    let hash: String = crypto::nt_hash(password).iter().map(|b| format!("{b:02x}")).collect();
    vec![
        password.to_owned(),
        STANDARD.encode(format!("{account}:{password}")),
        STANDARD.encode(format!("{user}:{password}")),
        hash.to_ascii_uppercase(),
        hash,
    ]
}

/// Panics naming the file (or stream) and the kind of secret found.
pub fn assert_none_in(reports: &Path, outcome: &Outcome) {
    let needles = needles();
    assert!(needles.len() > 20, "the library hands out secrets: {}", needles.len());
    let mut texts = vec![
        ("runner stdout".to_owned(), outcome.stdout.clone()),
        ("runner stderr".to_owned(), outcome.stderr.clone()),
    ];
    for entry in std::fs::read_dir(reports).expect("the report folder exists") {
        let path = entry.expect("a directory entry").path();
        texts.push((path.display().to_string(), std::fs::read_to_string(&path).unwrap_or_default()));
    }
    assert!(texts.len() >= 6, "all four reports were written: {texts:?}");
    for (name, text) in &texts {
        for needle in &needles {
            assert!(!text.contains(needle.as_str()), "{name} holds a secret ({} characters)", needle.len());
        }
    }
}

#[test]
fn the_secret_scan_finds_a_leaked_pat_or_nt_hash() {
    let dir = tempfile::tempdir().unwrap();
    for file in ["results.json", "junit.xml", "report.html", "summary.md"] {
        std::fs::write(dir.path().join(file), "clean").unwrap();
    }
    let clean = Outcome { command: "scan".into(), code: 0, stdout: String::new(), stderr: String::new() };
    assert_none_in(dir.path(), &clean);
    let leaked = needles().into_iter().find(|n| n.len() == 52).expect("a PAT among the needles");
    let dirty = Outcome { stdout: format!("token {leaked}"), ..clean };
    let caught = std::panic::catch_unwind(|| assert_none_in(dir.path(), &dirty));
    assert!(caught.is_err(), "a PAT on the runner's stdout is found");
    let hash: String = crypto::nt_hash("Passw0rd!").iter().map(|b| format!("{b:02x}")).collect();
    std::fs::write(dir.path().join("report.html"), format!("<td>{hash}</td>")).unwrap();
    let clean = Outcome { command: "scan".into(), code: 0, stdout: String::new(), stderr: String::new() };
    assert!(
        std::panic::catch_unwind(|| assert_none_in(dir.path(), &clean)).is_err(),
        "an NT hash in a report is found"
    );
}
