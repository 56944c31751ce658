//! Loading: the canonical examples load, bad files are refused with the file, the key and what
//! was expected, and `check` validates a folder without running anything.

use std::path::Path;

use super::util::{Workdir, conformance, workspace};

/// A scenarios folder holding the default profile and the given scenario files.
fn folder(work: &Workdir, files: &[(&str, &str)]) -> std::path::PathBuf {
    let root = work.path("scenarios");
    std::fs::create_dir_all(root.join("profiles")).unwrap();
    std::fs::copy(workspace().join("scenarios/profiles/default.toml"), root.join("profiles/default.toml")).unwrap();
    for (name, text) in files {
        let path = root.join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
    root
}

#[test]
fn the_canonical_scenario_and_manifest_load() {
    let work = Workdir::new();
    let canonical = std::fs::read_to_string(workspace().join("scenarios/pat/missing-colon.toml")).unwrap();
    let root = folder(&work, &[("pat/missing-colon.toml", &canonical)]);
    let out =
        conformance(&["check", "--scenarios", root.to_str().unwrap(), "--client", "conformance/clients/curl.toml"]);
    out.assert_code(0);
    assert_eq!(out.stdout, "ok: 1 scenarios (3 cases), 1 client manifest(s), 0 baseline(s)\n");
}

#[test]
fn the_scenario_library_loads() {
    conformance(&["check"]).assert_code(0);
}

const GOOD: &str = "title = \"t\"\nsymptom = \"s\"\ncause = \"c\"\nfix = \"f\"\nfault = \"client\"\n\n\
                    [client]\nauth = \"pat\"\nidentity = 'CONTOSO\\joseph'\npat = \"full\"\noperation = \"list-projects\"\n\n\
                    [expect]\noutcome = \"success\"\n";

/// The scenario with `from` replaced by `to`.
fn variant(from: &str, to: &str) -> String {
    assert!(GOOD.contains(from), "{from}");
    GOOD.replacen(from, to, 1)
}

#[test]
fn bad_scenarios_are_refused_with_file_and_key() {
    let cases = [
        ("unknown-key", variant("fix = \"f\"", "fix = \"f\"\nfixx = 1")),
        ("bad-auth", variant("auth = \"pat\"", "auth = \"digest\"")),
        ("unknown-identity", variant("CONTOSO\\joseph", "CONTOSO\\nobody")),
        ("unknown-pat", variant("pat = \"full\"", "pat = \"nope\"")),
        ("password-with-pat", variant("pat = \"full\"", "pat = \"full\"\npassword = \"x\"")),
        ("bad-reason", variant("outcome = \"success\"", "outcome = \"success\"\nreasons = [\"pat.nope\"]")),
        ("bad-regex", variant("outcome = \"success\"", "outcome = \"success\"\nmessage = \"(\"")),
        ("bad-release", variant("[client]", "[server]\nreleases = [\"ads2030\"]\n\n[client]")),
        ("bad-override", variant("[client]", "[server.iis]\nproviders = [\"Kerberos\"]\n\n[client]")),
        ("missing-profile", variant("[client]", "[server]\nprofile = \"nope\"\n\n[client]")),
        ("syntax", "title = \n".to_owned()),
    ];
    let work = Workdir::new();
    let files: Vec<(String, String)> = cases.iter().map(|(n, t)| (format!("bad/{n}.toml"), t.clone())).collect();
    let refs: Vec<(&str, &str)> = files.iter().map(|(n, t)| (n.as_str(), t.as_str())).collect();
    let root = folder(&work, &refs);
    let out = conformance(&["check", "--scenarios", root.to_str().unwrap()]);
    out.assert_code(2);
    let root_text = root.display().to_string();
    insta::with_settings!({ filters => vec![(regex_escape(&root_text).as_str(), "[scenarios]")] }, {
        insta::assert_snapshot!(out.stderr);
    });
}

fn regex_escape(text: &str) -> String {
    regex::escape(text)
}

#[test]
fn bad_manifests_and_baselines_are_refused_with_file_and_key() {
    let work = Workdir::new();
    let manifest =
        work.write("m.toml", "name = \"x\"\ncommand = [\"x\"]\ncapabilities = [\"digest\"]\ntimeout-s = 5\n");
    let baseline = work.write("b.toml", "[[expect]]\nscenario = \"pat/good\"\nverdict = \"fail\"\n");
    let out = conformance(&[
        "check",
        "--scenarios",
        "tests/fixtures/runner/scenarios",
        "--client",
        manifest.to_str().unwrap(),
        "--baseline",
        baseline.to_str().unwrap(),
    ]);
    out.assert_code(2);
    let dir = work.dir.path().display().to_string();
    insta::with_settings!({ filters => vec![(regex_escape(&dir).as_str(), "[tmp]")] }, {
        insta::assert_snapshot!(out.stderr);
    });
}

#[test]
fn a_run_fails_only_on_differences_from_the_baseline() {
    let work = Workdir::new();
    let manifest = work.manifest("exit0-on-failure");
    let known =
        work.write("known.toml", "[[expect]]\nscenario = \"pat/expired\"\nverdict = \"fail\"\nreason = \"exits 0\"\n");
    let stale = work.write(
        "stale.toml",
        "[[expect]]\nscenario = \"pat/good\"\nrelease = \"ads2022\"\nverdict = \"fail\"\nreason = \"was broken\"\n",
    );
    let reports = work.path("reports");
    let run = |filter: &str, baseline: &Path| {
        conformance(&[
            "run",
            "--report-dir",
            reports.to_str().unwrap(),
            "--client",
            manifest.to_str().unwrap(),
            "--scenarios",
            "tests/fixtures/runner/scenarios",
            "--filter",
            filter,
            "--baseline",
            baseline.to_str().unwrap(),
        ])
    };
    let out = run("pat/expired", &known);
    out.assert_code(0);
    assert!(out.stdout.contains("EXPECTED  pat/expired [ads2022]"), "{}", out.context());
    assert!(out.stdout.contains("(known fail: exits 0)"), "{}", out.context());
    assert!(!out.stdout.contains("FAIL "), "a case matching its baseline is not shown as a failure: {}", out.context());
    // The case passes now, but the baseline still says fail: a difference fails the run.
    let out = run("pat/good [ads2022]", &stale);
    out.assert_code(1);
    assert!(out.stdout.contains("(baseline expected fail)"), "{}", out.context());
}
