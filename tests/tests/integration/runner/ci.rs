//! What a team running the suite in CI acts on: failures grouped by root cause with what to
//! do and the command reproducing them (terminal, summary.md, junit.xml); a baseline drafted
//! from a run; `--partition K/N` splitting a suite with no case twice; `merge` giving the
//! verdicts of one run.

use std::collections::BTreeSet;

use serde_json::Value;

use super::util::{Workdir, conformance, fixtures, results, run, without_durations, workspace};

/// Per-scenario scripts over the fixtures: expired -> fail, revoked -> insecure,
/// anonymous-off -> note, good -> pass; ntlm skipped.
const SCRIPTS: &str = "[env]\nFAKE_SCRIPT_pat_expired = \"exit0-on-failure\"\nFAKE_SCRIPT_pat_revoked = \"print-secret\"\n\
                       FAKE_SCRIPT_iis_anonymous_off = \"silent\"\n";

#[test]
fn a_failing_client_is_told_the_root_cause_the_fix_and_the_serve_command() {
    let work = Workdir::new();
    let manifest = work.manifest("no-colon");
    let reports = work.path("reports");
    let library = workspace().join("scenarios");
    let out = run(&manifest, &library, &reports, &["--filter", "pat/missing-colon [ads2022]"]);
    out.assert_code(1);
    let serve = "ado-conformance serve pat/missing-colon --release ads2022 --scenarios";
    let what = "Send a PAT as `Authorization: Basic base64(':' + PAT)`";
    let scenario_fix = "Encode ':' + PAT";
    // The root cause is the wire violation, not its consequences (outcome, message, reasons).
    assert!(out.stdout.contains("basic-colon (fail): 1 case in 1 scenario"), "{}", out.context());
    for text in [serve, what, scenario_fix, "server:    401 "] {
        assert!(out.stdout.contains(text), "terminal lacks {text:?}:\n{}", out.context());
    }
    let summary = std::fs::read_to_string(reports.join("summary.md")).expect("summary.md");
    for text in ["### `basic-colon` (fail)", serve, what, scenario_fix, "**Server said**: 401"] {
        assert!(summary.contains(text), "summary.md lacks {text:?}:\n{summary}");
    }
    let junit = std::fs::read_to_string(reports.join("junit.xml")).expect("junit.xml");
    let message = regex::Regex::new(r#"<failure message="([^"]*)""#).unwrap();
    let message = message.captures(&junit).map(|c| c[1].to_owned()).unwrap_or_default();
    for text in ["basic-colon", serve, "Encode &apos;:&apos; + PAT", "what to do: Send a PAT"] {
        assert!(message.contains(text), "JUnit message lacks {text:?}: {message}");
    }
    let html = std::fs::read_to_string(reports.join("report.html")).expect("report.html");
    let top = html.split("<table id=\"cases\">").next().unwrap_or_default();
    assert!(
        top.contains("Failures by root cause") && top.contains(serve),
        "the HTML shows the groups before the table"
    );
    assert!(!top.contains("<details>"), "the root causes are not folded away");
}

#[test]
fn write_baseline_drafts_a_baseline_the_next_run_passes_with() {
    let work = Workdir::new();
    let manifest = work.manifest_with("by-scenario", r#"["pat", "basic", "bearer"]"#, 20, SCRIPTS);
    let draft = work.path("draft.toml");
    let out = run(&manifest, &fixtures(), &work.path("one"), &["--write-baseline", draft.to_str().unwrap()]);
    out.assert_code(1);
    let text = std::fs::read_to_string(&draft).expect("the draft is written");
    assert!(out.stdout.contains(&format!("Baseline draft: {}", draft.display())), "{}", out.context());
    let parsed: toml::Table = text.parse().expect("the draft is TOML");
    let entries = parsed["expect"].as_array().expect("entries");
    let scenarios: Vec<&str> = entries.iter().map(|e| e["scenario"].as_str().unwrap()).collect();
    assert_eq!(scenarios, ["pat/expired", "pat/revoked"], "{text}");
    assert_eq!(entries[1]["verdict"].as_str(), Some("insecure"));
    let reason = entries[0]["reason"].as_str().unwrap();
    assert!(reason.starts_with("outcome: expected failure, the client exited 0"), "{reason}");
    let again = run(&manifest, &fixtures(), &work.path("two"), &["--baseline", draft.to_str().unwrap()]);
    again.assert_code(0);
    let check =
        conformance(&["check", "--scenarios", fixtures().to_str().unwrap(), "--baseline", draft.to_str().unwrap()]);
    check.assert_code(0);
}

fn labels(results: &Value) -> Vec<String> {
    results["cases"]
        .as_array()
        .expect("cases")
        .iter()
        .map(|c| format!("{} [{}]", c["scenario"].as_str().unwrap(), c["release"].as_str().unwrap()))
        .collect()
}

#[test]
fn partitions_cover_the_suite_once_and_merge_gives_the_verdicts_of_one_run() {
    let work = Workdir::new();
    let manifest = work.manifest_with("by-scenario", r#"["pat", "basic", "bearer"]"#, 20, SCRIPTS);
    let whole = run(&manifest, &fixtures(), &work.path("whole"), &["--jobs", "2"]);
    whole.assert_code(1);
    let mut parts = Vec::new();
    let mut union: Vec<String> = Vec::new();
    for k in 1..=3 {
        let dir = work.path(&format!("part{k}"));
        let part = format!("{k}/3");
        let out = run(&manifest, &fixtures(), &dir, &["--partition", &part, "--jobs", "2"]);
        assert!(out.code == 0 || out.code == 1, "{}", out.context());
        assert!(out.stdout.contains(&format!("partition {k}/3 of 6 cases")), "{}", out.context());
        union.extend(labels(&results(&dir)));
        parts.push(dir);
    }
    let distinct: BTreeSet<&String> = union.iter().collect();
    assert_eq!(distinct.len(), union.len(), "a case ran in two partitions: {union:?}");
    let mut expected = labels(&results(&work.path("whole")));
    union.sort();
    expected.sort();
    assert_eq!(union, expected, "the partitions together are the whole suite");

    let merged = work.path("merged");
    let mut args = vec!["merge", "--report-dir", merged.to_str().unwrap()];
    args.extend(parts.iter().map(|p| p.to_str().unwrap()));
    let out = conformance(&args);
    out.assert_code(whole.code);
    assert!(
        out.stdout
            .ends_with(&format!("Reports: {}/ (results.json, junit.xml, report.html, summary.md)\n", merged.display()))
    );
    let (mut one, mut combined) = (results(&work.path("whole")), results(&merged));
    for r in [&mut one, &mut combined] {
        without_durations(r);
    }
    assert_eq!(one, combined, "merge gives the results of one run");
    for file in ["junit.xml", "report.html", "summary.md"] {
        assert!(merged.join(file).exists(), "{file}");
    }

    // A missing partition: the merged run is incomplete and fails.
    let out = conformance(&[
        "merge",
        "--report-dir",
        work.path("incomplete").to_str().unwrap(),
        parts[0].to_str().unwrap(),
        parts[1].to_str().unwrap(),
    ]);
    out.assert_code(1);
    assert!(out.stderr.contains("partition(s) 3/3 missing"), "{}", out.context());
    // The same case twice is unusable input.
    let out = conformance(&[
        "merge",
        "--report-dir",
        work.path("twice").to_str().unwrap(),
        parts[0].to_str().unwrap(),
        parts[0].to_str().unwrap(),
    ]);
    out.assert_code(2);
    assert!(out.stderr.contains("is also in"), "{}", out.context());
}

#[test]
fn a_bad_partition_is_a_usage_error() {
    for bad in ["0/3", "4/3", "1/0", "x", "1/3/4"] {
        let out = conformance(&["run", "--client", "conformance/clients/curl.toml", "--partition", bad]);
        out.assert_code(2);
        assert!(out.stderr.contains("expected K/N"), "{bad}: {}", out.context());
    }
}
