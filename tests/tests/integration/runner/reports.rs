//! Every reporter's output for one run with each verdict (pass, note, skip, fail, insecure) and
//! a baseline entry, as reviewed snapshots. Durations are redacted; ports, temporary paths and
//! secrets never reach the files.

use super::util::{Workdir, fixtures, run};

/// Per-scenario scripts: expired -> fail (known in the baseline), revoked -> insecure,
/// anonymous-off -> note (silent failure), good -> pass; ntlm is skipped (no capability).
const SCRIPTS: &str = "[env]\nFAKE_SCRIPT_pat_expired = \"exit0-on-failure\"\nFAKE_SCRIPT_pat_revoked = \"print-secret\"\n\
                       FAKE_SCRIPT_iis_anonymous_off = \"silent\"\n";

const BASELINE: &str = "client = \"fake-by-scenario\"\n\n[[expect]]\nscenario = \"pat/expired\"\nverdict = \"fail\"\n\
                        reason = \"reports an expired PAT but exits 0 (known bug)\"\n";

fn filters() -> Vec<(String, &'static str)> {
    let workspace = regex::escape(&super::util::workspace().display().to_string());
    vec![
        (workspace, "[workspace]"),
        (r#""duration_ms": \d+"#.to_owned(), r#""duration_ms": "[ms]""#),
        (r#"time="[0-9.]+""#.to_owned(), r#"time="[secs]""#),
        (r"\b\d+\.\ds\b".to_owned(), "[secs]"),
        (r"\b\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}:\d{2}Z)?\b".to_owned(), "[date]"),
        (r"(?m)^Reports: .*/reports/".to_owned(), "Reports: [tmp]/reports/"),
    ]
}

#[test]
fn every_reporter_renders_the_same_run() {
    let work = Workdir::new();
    let manifest = work.manifest_with("by-scenario", r#"["pat", "basic", "bearer"]"#, 20, SCRIPTS);
    let baseline = work.write("baseline.toml", BASELINE);
    let reports = work.path("reports");
    let out = run(&manifest, &fixtures(), &reports, &["--baseline", baseline.to_str().unwrap(), "--jobs", "1"]);
    out.assert_code(1);
    let read = |name: &str| std::fs::read_to_string(reports.join(name)).expect("report written");
    let tmp = work.dir.path().display().to_string();
    let port = regex::Regex::new(r"127\.0\.0\.1:\d").unwrap();
    let account = ado_mock_server::profile::Account { domain: "CONTOSO".into(), user: "joseph".into() };
    let pat = ado_mock_server::profile::derive_token(&account, "full");
    let basic = base64::Engine::encode(&base64::engine::general_purpose::STANDARD, format!(":{pat}"));
    for (name, text) in [
        ("terminal", out.stdout.clone()),
        ("results_json", read("results.json")),
        ("junit_xml", read("junit.xml")),
        ("summary_md", read("summary.md")),
        ("report_html", read("report.html")),
    ] {
        let shown = text.lines().filter(|l| !l.starts_with("Reports: ")).collect::<Vec<_>>().join("\n");
        assert!(!shown.contains(&tmp), "{name} shows the temporary folder {tmp}");
        assert!(!port.is_match(&text), "{name} shows a port");
        assert!(!text.contains(&pat) && !text.contains(&basic), "{name} shows the PAT");
        assert!(!text.contains("Passw0rd!"), "{name} shows the password");
        let owned = filters();
        let filters: Vec<(&str, &str)> = owned.iter().map(|(k, v)| (k.as_str(), *v)).collect();
        insta::with_settings!({ filters => filters }, {
            insta::assert_snapshot!(name, text);
        });
    }
}
