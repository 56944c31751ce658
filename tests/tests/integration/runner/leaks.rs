//! Issue 17: the leak finder sees what clients really print. One scenario per disguise (a copy
//! of a fixture scenario under `leak/<form>` or `leak-password/<form>`); `fake-client leak`
//! prints its secret in the disguise its scenario names. Every case must be `insecure` for
//! that secret, and no report file may hold the disguised text or the secret in any case.

use std::path::Path;

use ado_tests::leak;

use super::util::{Workdir, case, results, run};

const PAT_SCENARIO: &str = "tests/fixtures/runner/scenarios/pat/good.toml";
const NTLM_SCENARIO: &str = "tests/fixtures/runner/scenarios/ntlm/success.toml";
const REPORTS: [&str; 4] = ["results.json", "junit.xml", "report.html", "summary.md"];

/// A scenario folder with the fixture profile and one copy of `source` per form in `names`
/// under `folder/`, each on one release.
fn scenarios(work: &Workdir, folder: &str, source: &str, names: &[String]) {
    let root = work.path("scenarios");
    let workspace = super::util::workspace();
    std::fs::create_dir_all(root.join("profiles")).unwrap();
    std::fs::copy(
        workspace.join("tests/fixtures/runner/scenarios/profiles/default.toml"),
        root.join("profiles/default.toml"),
    )
    .unwrap();
    let mut text = std::fs::read_to_string(workspace.join(source)).unwrap();
    if !text.contains("[server]") {
        text.push_str("\n[server]\n");
    }
    text = text.replace("releases = [\"ads2019\", \"ads2022\"]", "");
    text = text.replace("[server]", "[server]\nreleases = [\"ads2022\"]");
    std::fs::create_dir_all(root.join(folder)).unwrap();
    for name in names {
        std::fs::write(root.join(folder).join(format!("{name}.toml")), &text).unwrap();
    }
}

fn read_reports(dir: &Path) -> Vec<(String, String)> {
    REPORTS.iter().map(|f| ((*f).to_owned(), std::fs::read_to_string(dir.join(f)).expect("report written"))).collect()
}

#[test]
fn every_disguise_of_a_leaked_secret_is_insecure_and_absent_from_every_report() {
    let work = Workdir::new();
    let pat_forms = leak::names();
    let mut password_forms = leak::names();
    password_forms.extend(leak::password_names());
    scenarios(&work, "leak", PAT_SCENARIO, &pat_forms);
    scenarios(&work, "leak-password", NTLM_SCENARIO, &password_forms);
    let manifest = work.manifest("leak");
    let reports = work.path("reports");
    let out = run(&manifest, &work.path("scenarios"), &reports, &["--jobs", "4"]);
    out.assert_code(1);
    let results = results(&reports);
    let files = read_reports(&reports);
    let profile = ado_mock_server::Profile::load(
        &super::util::workspace().join("tests/fixtures/runner/scenarios/profiles/default.toml"),
        0,
    );
    let (pat, password) = secrets(profile.ok());
    let mut missed = Vec::new();
    for (folder, forms, secret, owner) in
        [("leak", &pat_forms, &pat, "the PAT `full`"), ("leak-password", &password_forms, &password, "CONTOSO\\joseph")]
    {
        for name in forms {
            let id = format!("{folder}/{name}");
            let c = case(&results, &id, "ads2022");
            let detail = c["checks"]
                .as_array()
                .and_then(|checks| checks.iter().find(|k| k["name"] == "no-secret-leak"))
                .map(|k| k["detail"].as_str().unwrap_or_default().to_owned())
                .unwrap_or_default();
            if c["verdict"] != "insecure" || !detail.contains(owner) {
                missed.push(format!("{id}: {} / {detail}", c["verdict"]));
            }
            let printed = leak::form(name, secret, "joseph").unwrap();
            let shown = printed.lines().last().unwrap_or_default().trim().to_owned();
            for (file, text) in &files {
                assert!(!text.contains(&shown), "{file} holds the {id} form {shown:?}");
            }
        }
    }
    assert!(missed.is_empty(), "not caught as insecure:\n{}", missed.join("\n"));
    // Neither half of a secret split by a line break or colour codes survives either.
    let (pat_head, pat_tail) = pat.split_at(pat.len() / 2);
    let password_tail = &password[password.len() / 2..];
    for (file, text) in &files {
        let lower = text.to_lowercase();
        for part in [pat_head, pat_tail] {
            assert!(!lower.contains(&part.to_lowercase()), "{file} holds half the PAT");
        }
        assert!(!text.contains(password_tail), "{file} holds half the password");
    }
}

/// The fixture profile's `full` PAT of CONTOSO\joseph and his password.
fn secrets(profile: Option<ado_mock_server::Profile>) -> (String, String) {
    let profile = profile.expect("the fixture profile loads");
    let joseph = profile.identity("CONTOSO\\joseph").expect("joseph");
    let pat = joseph.pats.iter().find(|p| p.name == "full").expect("full PAT").token.expose().to_owned();
    let password = joseph.password.as_ref().expect("a password").expose().to_owned();
    (pat, password)
}
