//! Each check failing for the right reason: the fake client misbehaves one way per script,
//! and the named check (and the case's verdict) says so.

use super::util::{Workdir, case, check, fixtures, results, run, show};

/// Runs `script` on one case and asserts the check's verdict and detail, and the case verdict.
fn judged(script: &str, scenario: &str, check_name: &str, verdict: &str, detail: &str, case_verdict: &str) {
    let work = Workdir::new();
    let manifest = work.manifest(script);
    let reports = work.path("reports");
    let filter = format!("{scenario} [ads2022]");
    let out = run(&manifest, &fixtures(), &reports, &["--filter", &filter, "--jobs", "1"]);
    let expected_code = if matches!(case_verdict, "fail" | "insecure") { 1 } else { 0 };
    out.assert_code(expected_code);
    let results = results(&reports);
    let c = case(&results, scenario, "ads2022");
    let (got, text) = check(c, check_name);
    assert_eq!(got, verdict, "check {check_name} of {script}:\n{}\n{}", show(c), out.context());
    assert!(text.contains(detail), "check {check_name} of {script}: {text:?} lacks {detail:?}\n{}", show(c));
    assert_eq!(c["verdict"], case_verdict, "case verdict for {script}:\n{}", show(c));
}

macro_rules! judged {
    ($name:ident: $script:literal on $scenario:literal => $check:literal $verdict:literal $detail:literal, case $case:literal) => {
        #[test]
        fn $name() {
            judged($script, $scenario, $check, $verdict, $detail, $case);
        }
    };
}

judged!(a_good_pat_client_passes: "good" on "pat/good" => "outcome" "pass" "exited 0", case "pass");
judged!(a_good_ntlm_client_passes: "good" on "ntlm/success" => "ntlm-connection" "pass" "each AUTHENTICATE on its CHALLENGE's connection", case "pass");
judged!(a_good_client_fails_well_on_an_expired_pat: "good" on "pat/expired" => "message" "pass" "matches", case "pass");
judged!(outcome_fails_when_a_success_is_reported_as_failure: "no-colon" on "pat/good" => "outcome" "fail" "expected success, the client exited 1; the server's last refusal was 401 basic.no_colon", case "fail");
judged!(outcome_fails_when_a_refusal_exits_zero: "exit0-on-failure" on "pat/expired" => "outcome" "fail" "expected failure, the client exited 0", case "fail");
judged!(reasons_fail_when_the_cause_never_shows: "no-colon" on "pat/good" => "reasons" "fail" "the server never answered ok (produced: basic.no_colon)", case "fail");
judged!(basic_colon_fails_without_the_colon: "no-colon" on "pat/good" => "basic-colon" "fail" "decoded without ':'", case "fail");
judged!(offered_scheme_fails_for_an_unhanded_preemptive_scheme: "bearer" on "pat/good" => "offered-scheme" "fail" "first: Bearer in #1", case "fail");
judged!(offered_scheme_fails_when_insisting_on_an_unoffered_scheme: "insist" on "iis/anonymous-off" => "offered-scheme" "fail" "first: Basic in #2", case "fail");
judged!(ntlm_connection_fails_for_type_3_on_a_new_connection: "ntlm-new-connection" on "ntlm/success" => "ntlm-connection" "fail" "arrived on connection 2 which got no CHALLENGE", case "fail");
judged!(retry_bound_fails_for_a_retry_storm: "retry-storm" on "pat/expired" => "retry-bound" "fail" "the same refusal came back 10 times (limit 3)", case "fail");
judged!(api_version_fails_when_too_new: "too-new-api" on "pat/good" => "api-version" "fail" "sent api-version 99.0 to ads2022 (latest 7.0)", case "fail");
judged!(collection_in_path_fails_when_dropped: "no-collection" on "pat/good" => "collection-in-path" "fail" "dropped collection DefaultCollection", case "fail");
judged!(a_pat_in_the_url_is_insecure: "pat-in-url" on "pat/good" => "no-secret-leak" "insecure" "a secret in the URL of #1", case "insecure");
judged!(a_base64_pat_in_the_url_is_insecure: "b64-pat-in-url" on "pat/good" => "no-secret-leak" "insecure" "a secret in the URL of #1", case "insecure");
judged!(a_printed_pat_is_insecure: "print-secret" on "pat/good" => "no-secret-leak" "insecure" "the PAT `full` on stderr", case "insecure");
judged!(a_printed_authorization_header_is_insecure: "print-header" on "pat/good" => "no-secret-leak" "insecure" "base64 of the PAT `full` on stdout", case "insecure");
judged!(message_fails_when_the_pattern_does_not_match: "vague" on "pat/expired" => "message" "fail" "neither stdout nor stderr matches", case "fail");
judged!(message_notes_a_vague_failure: "vague" on "pat/revoked" => "message" "note" "vague: no status, TF code or reason", case "note");
judged!(message_notes_a_silent_failure: "silent" on "pat/revoked" => "message" "note" "exited 1 without printing why", case "note");
judged!(round_trips_note_an_anonymous_probe: "anonymous-probe" on "pat/good" => "round-trips" "note" "1 extra round-trip(s)", case "note");

#[test]
fn a_case_needing_a_missing_capability_is_skipped() {
    let work = Workdir::new();
    let manifest = work.manifest_with("good", r#"["pat"]"#, 20, "");
    let reports = work.path("reports");
    run(&manifest, &fixtures(), &reports, &["--filter", "ntlm/"]).assert_code(0);
    let results = results(&reports);
    let c = case(&results, "ntlm/success", "ads2022");
    assert_eq!(c["verdict"], "skip", "{}", show(c));
    assert_eq!(c["skip_reason"], "fake-good lacks capability ntlm");
}

/// `curl -k` (verification off) against each certificate a client must refuse: `insecure`.
#[test]
fn a_client_with_certificate_verification_off_is_insecure() {
    let work = Workdir::new();
    let manifest = work.write(
        "curl-k.toml",
        "name = \"curl-k\"\ncommand = [\"bash\", \"-c\", \"exec curl -sSk --fail -u \\\":$ADO_PAT\\\" \\\"$ADO_URL/_apis/projects\\\"\"]\n\
         capabilities = [\"pat\"]\noperations = [\"list-projects\"]\ntimeout-s = 20\n",
    );
    let reports = work.path("reports");
    let scenarios = super::util::workspace().join("scenarios");
    let filters = ["--filter", "tls/expired-certificate", "--filter", "tls/wrong-host", "--filter", "tls/untrusted-ca"];
    run(&manifest, &scenarios, &reports, &filters).assert_code(1);
    let insecure = results(&reports);
    for scenario in ["tls/expired-certificate", "tls/wrong-host", "tls/untrusted-ca"] {
        let c = case(&insecure, scenario, "ads2022");
        let (verdict, detail) = check(c, "tls-verification");
        assert_eq!((verdict, c["verdict"].as_str()), ("insecure", Some("insecure")), "{}", show(c));
        assert!(detail.contains("certificate verification is off"), "{detail}");
    }
    // With verification on, curl refuses, and the same check passes.
    let good = work.write(
        "curl.toml",
        "name = \"curl\"\ncommand = [\"bash\", \"-c\", \"exec curl -sS --fail -u \\\":$ADO_PAT\\\" \\\"$ADO_URL/_apis/projects\\\"\"]\n\
         capabilities = [\"pat\"]\noperations = [\"list-projects\"]\ntimeout-s = 20\n",
    );
    let reports = work.path("reports-good");
    run(&good, &scenarios, &reports, &filters).assert_code(0);
    let refused = results(&reports);
    for scenario in ["tls/expired-certificate", "tls/wrong-host", "tls/untrusted-ca"] {
        let c = case(&refused, scenario, "ads2022");
        assert_eq!(check(c, "tls-verification").0, "pass", "{}", show(c));
    }
}
