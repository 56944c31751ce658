//! curl against the standalone binary: one request per non-NTLM reason code, each checked by
//! status, body and the reason the control plane's journal recorded; then NTLM with `--ntlm`.

use super::{Standalone, b64, curl, token};

struct Row {
    reason: &'static str,
    status: u16,
    args: Vec<String>,
    body_has: &'static str,
}

fn row(reason: &'static str, status: u16, body_has: &'static str, args: &[&str]) -> Row {
    Row { reason, status, args: args.iter().map(|s| (*s).to_owned()).collect(), body_has }
}

fn check(server: &Standalone, rows: Vec<Row>) {
    for row in rows {
        let args: Vec<&str> = row.args.iter().map(String::as_str).collect();
        let (status, body) = curl(&args);
        let reason = server.last_reason();
        assert_eq!((status, reason.as_str()), (row.status, row.reason), "curl {args:?} answered {body}");
        assert!(body.contains(row.body_has), "{}: body lacks {:?}: {body}", row.reason, row.body_has);
    }
}

#[test]
fn curl_meets_every_tfs_reason_on_the_default_layout() {
    let server = Standalone::start("");
    let p = &server.profile;
    let coll = server.collection();
    let projects = format!("{coll}/_apis/projects");
    let full = token(p, "CONTOSO\\joseph", "full");
    let star = token(p, "CONTOSO\\joseph", "star");
    let user_pat = |name: &str| format!(":{}", token(p, "CONTOSO\\joseph", name));
    let json = "Accept: application/json";
    let bare = format!("Authorization: Basic {}", b64(&full));
    let bearer = format!("Authorization: Bearer {full}");
    let unknown = format!(":{}", "z".repeat(52));
    let outsider = format!(":{}", token(p, "CONTOSO\\outsider", "full"));
    let gone = format!(":{}", token(p, "CONTOSO\\gone", "full"));
    let star_pat = format!(":{star}");
    let full_pat = format!(":{full}");
    let repos = format!("{coll}/Fabrikam/_apis/git/repositories");
    let rows = vec![
        row("ok", 200, "Fabrikam", &["-u", &full_pat, &projects]),
        row("auth.anonymous", 401, "TF400813", &[&projects]),
        row("basic.no_colon", 401, "TF400813", &["-H", &bare, &projects]),
        row("basic.not_base64", 401, "", &["-H", "Authorization: Basic %%%", &projects]),
        row("basic.password_not_pat", 401, "TF400813", &["-u", "CONTOSO\\joseph:Passw0rd!", &projects]),
        row("bearer.not_supported", 401, "TF400813", &["-H", &bearer, &projects]),
        row("pat.unknown", 401, "", &["-u", &unknown, &projects]),
        row("pat.revoked", 401, "", &["-u", &user_pat("revoked"), &projects]),
        row("pat.expired", 401, "has expired", &["-H", json, "-u", &user_pat("expired"), &projects]),
        row("pat.scope", 401, "", &["-u", &user_pat("work"), &repos]),
        row("ok", 200, "Tools", &["-u", &user_pat("code"), &repos]),
        row("pat.wrong_collection", 401, "TF400813", &["-u", &user_pat("other"), &projects]),
        row("identity.disabled", 401, "", &["-u", &gone, &projects]),
        row("membership.not_valid_user", 401, "is not authorized", &["-H", json, "-u", &outsider, &projects]),
        row(
            "permission.denied",
            403,
            "TF50309",
            &["-H", json, "-X", "POST", "-u", &full_pat, &format!("{projects}?api-version=7.0")],
        ),
        row("permission.hidden", 404, "TF200016", &["-H", json, "-u", &full_pat, &format!("{projects}/Secret")]),
        row("resource.not_found", 404, "TF200016", &["-H", json, "-u", &full_pat, &format!("{projects}/Nope")]),
        row(
            "url.no_collection",
            404,
            "Page not found",
            &["-H", json, "-u", &star_pat, &format!("{}/tfs/_apis/projects", server.url)],
        ),
        row(
            "url.unknown_collection",
            404,
            "Page not found",
            &["-H", json, "-u", &star_pat, &format!("{}/tfs/Nope/_apis/projects", server.url)],
        ),
        row(
            "collection.stopped",
            503,
            "TF24668",
            &["-H", json, "-u", &star_pat, &format!("{}/tfs/Frozen/_apis/projects", server.url)],
        ),
        row(
            "api_version.out_of_range",
            400,
            "supports is 7.0",
            &["-H", json, "-u", &full_pat, &format!("{projects}?api-version=7.1")],
        ),
        row(
            "api_version.missing",
            400,
            "No api-version was supplied",
            &["-H", json, "-X", "POST", "-u", &full_pat, &projects],
        ),
        row(
            "api_version.malformed",
            400,
            "Invalid api version string",
            &["-H", json, "-u", &full_pat, &format!("{projects}?api-version=seven")],
        ),
        row("route.not_found", 404, "Page not found", &["-H", json, "-u", &full_pat, &format!("{coll}/_apis/nothing")]),
    ];
    check(&server, rows);
    let log = server.log();
    let leaks = ado_mock_server::secret::SecretFinder::new(server.profile.secrets()).leaks(&log);
    assert!(leaks.is_empty(), "the server log holds {leaks:?}");
    assert!(log.contains("basic.no_colon") && log.contains("fix:"), "one log line per decision with its fix: {log}");
}

#[test]
fn curl_meets_the_release_and_iis_reasons() {
    let ads2020 = Standalone::start("release = \"ads2020\"");
    let full = format!(":{}", token(&ads2020.profile, "CONTOSO\\joseph", "full"));
    let projects = format!("{}/_apis/projects", ads2020.collection());
    check(
        &ads2020,
        vec![row(
            "api_version.out_of_range",
            400,
            "supports is 6.0",
            &["-H", "Accept: application/json", "-u", &full, &format!("{projects}?api-version=7.1")],
        )],
    );

    let update1 = Standalone::start("release = \"ads2022.1\"");
    let projects = format!("{}/_apis/projects", update1.collection());
    check(
        &update1,
        vec![row(
            "api_version.preview_required",
            400,
            "-preview flag",
            &["-H", "Accept: application/json;api-version=7.1", "-u", &full, &projects],
        )],
    );

    let no_anon = Standalone::start("[iis]\nanonymous = false");
    let projects = format!("{}/_apis/projects", no_anon.collection());
    check(&no_anon, vec![row("iis.anonymous_disabled", 401, "401 - Unauthorized", &["-u", &full, &projects])]);

    let nothing = Standalone::start("[iis]\nanonymous = false\nwindows = false\nbasic = false");
    let projects = format!("{}/_apis/projects", nothing.collection());
    check(&nothing, vec![row("iis.no_method", 401, "401 - Unauthorized", &["-u", &full, &projects])]);

    let no_windows = Standalone::start("[iis]\nwindows = false");
    let projects = format!("{}/_apis/projects", no_windows.collection());
    check(
        &no_windows,
        vec![
            row("iis.provider_not_enabled", 401, "TF400813", &["--ntlm", "-u", "CONTOSO\\joseph:Passw0rd!", &projects]),
            row("ok", 200, "Fabrikam", &["-u", &full, &projects]),
        ],
    );
}

#[test]
fn curl_with_iis_basic_locks_an_account_out_and_the_control_plane_unlocks_it() {
    let server = Standalone::start("[iis]\nbasic = true\n[ntlm]\nlockout-threshold = 2");
    let full = format!(":{}", token(&server.profile, "CONTOSO\\joseph", "full"));
    let projects = format!("{}/_apis/projects", server.collection());
    check(
        &server,
        vec![
            row("iis.basic_intercepts", 401, "401 - Unauthorized", &["-u", &full, &projects]),
            row("ok", 200, "Fabrikam", &["-u", "CONTOSO\\joseph:Passw0rd!", &projects]),
            row("iis.basic_intercepts", 401, "", &["-u", "CONTOSO\\locked:wrong", &projects]),
            row("iis.basic_intercepts", 401, "", &["-u", "CONTOSO\\locked:wrong", &projects]),
            row("identity.locked_out", 401, "", &["-u", "CONTOSO\\locked:L0cked!", &projects]),
        ],
    );
    let bearer = format!("Authorization: Bearer {}", server.control_token);
    let (status, _) = curl(&["-X", "POST", "-H", &bearer, &format!("{}/lockouts/reset", server.control)]);
    assert_eq!(status, 204);
    check(&server, vec![row("ok", 200, "\"count\":0", &["-u", "CONTOSO\\locked:L0cked!", &projects])]);
}

#[test]
fn curl_ntlm_lists_projects_and_fails_with_a_wrong_password() {
    let server = Standalone::start("");
    let projects = format!("{}/_apis/projects", server.collection());
    let (status, body) = curl(&["--ntlm", "-u", "CONTOSO\\joseph:Passw0rd!", &projects]);
    assert_eq!(status, 200, "{body}");
    assert!(body.contains("Fabrikam"));
    let reasons: Vec<String> = server.journal().iter().map(|e| e["reason"].as_str().unwrap().to_owned()).collect();
    assert_eq!(reasons, ["ntlm.challenge", "ok"]);
    let (status, _) = curl(&["--ntlm", "-u", "CONTOSO\\joseph:Wr0ngPassw0rd", &projects]);
    assert_eq!((status, server.last_reason().as_str()), (401, "ntlm.bad_response"));
    let journal = server.journal();
    let legs: Vec<&str> = journal.iter().filter_map(|e| e["leg"].as_str()).collect();
    assert!(legs.iter().any(|l| l.contains("NEGOTIATE")), "legs are explained: {legs:?}");
    let log = server.log();
    assert!(!log.contains("Passw0rd!") && !log.contains("Wr0ngPassw0rd"), "no password in the log");
}

/// Issue 10, item 3: `DOMAIN\user` and the UPN name the same account, for IIS Basic and NTLM; a
/// bare IIS Basic name is a local account unless `basic-default-domain` says otherwise.
#[test]
fn curl_names_accounts_as_windows_reads_them() {
    let server = Standalone::start("[iis]\nbasic = true");
    let projects = format!("{}/_apis/projects", server.collection());
    check(
        &server,
        vec![
            row("ok", 200, "Fabrikam", &["-u", "joseph@contoso.local:Passw0rd!", &projects]),
            row("ok", 200, "Fabrikam", &["-u", "JOSEPH@Contoso.Local:Passw0rd!", &projects]),
            row("ok", 200, "Fabrikam", &["-u", "contoso\\joseph:Passw0rd!", &projects]),
            row("ok", 200, "Fabrikam", &["-u", "contoso.local\\joseph:Passw0rd!", &projects]),
            row("iis.basic_intercepts", 401, "401 - Unauthorized", &["-u", "joseph:Passw0rd!", &projects]),
            row("ok", 200, "Fabrikam", &["-u", "builder:B0ilder!", &projects]),
            row("ok", 200, "Fabrikam", &["--ntlm", "-u", "joseph@contoso.local:Passw0rd!", &projects]),
            row("ntlm.bad_response", 401, "", &["--ntlm", "-u", "joseph@contoso.local:wrong", &projects]),
        ],
    );
    let bare = server.journal().iter().find(|e| e["reason"] == "iis.basic_intercepts").cloned().unwrap();
    let why = bare["explanation"].as_str().unwrap();
    assert!(why.contains("local accounts") && why.contains("joseph@contoso.local"), "{why}");
    assert_eq!(bare["iis_log"]["sc_win32_status"], 1326);
    assert_eq!(bare["iis_log"]["cs_username"], "joseph");

    let with_default = Standalone::start("[iis]\nbasic = true\nbasic-default-domain = \"CONTOSO\"");
    let projects = format!("{}/_apis/projects", with_default.collection());
    check(&with_default, vec![row("ok", 200, "Fabrikam", &["-u", "joseph:Passw0rd!", &projects])]);
}

/// Issue 10, item 6: NTLM refused by policy, with the right password, raw and under Negotiate.
#[test]
fn curl_ntlm_is_refused_when_the_policy_blocks_it() {
    let server = Standalone::start("[ntlm]\nblocked = true");
    let projects = format!("{}/_apis/projects", server.collection());
    let (status, _) = curl(&["--ntlm", "-u", "CONTOSO\\joseph:Passw0rd!", &projects]);
    assert_eq!((status, server.last_reason().as_str()), (401, "ntlm.blocked"));
    let last = server.journal().last().cloned().unwrap();
    assert_eq!(last["iis_log"]["sc_win32_status"], 2_148_074_242u64, "SEC_E_UNSUPPORTED_FUNCTION");
    let local = Standalone::start("[ntlm]\nblocked = true\nblocked-accounts = \"domain\"");
    let projects = format!("{}/_apis/projects", local.collection());
    let (status, _) = curl(&["--ntlm", "-u", "TFS01\\builder:B0ilder!", &projects]);
    assert_eq!(
        (status, local.last_reason().as_str()),
        (200, "ok"),
        "'Deny all domain accounts' lets local accounts log on"
    );
    let (status, _) = curl(&["--ntlm", "-u", "CONTOSO\\joseph:Passw0rd!", &projects]);
    assert_eq!((status, local.last_reason().as_str()), (401, "ntlm.blocked"));
}

/// Issue 10, item 5: job tokens as Bearer and as the Basic password; a PAT as Bearer refused.
#[test]
fn curl_with_job_tokens() {
    let server = Standalone::start("");
    let projects = format!("{}/_apis/projects", server.collection());
    let job = |name: &str| server.profile.job_tokens.iter().find(|t| t.name == name).unwrap().token.expose().to_owned();
    let bearer = |t: &str| format!("Authorization: Bearer {t}");
    let full = token(&server.profile, "CONTOSO\\joseph", "full");
    check(
        &server,
        vec![
            row("ok", 200, "Fabrikam", &["-H", &bearer(&job("build")), &projects]),
            row("ok", 200, "Fabrikam", &["-u", &format!("OAuth:{}", job("build")), &projects]),
            row("ok", 200, "Fabrikam", &["-u", &format!(":{}", job("build")), &projects]),
            row(
                "job_token.expired",
                401,
                "is not authorized",
                &["-H", "Accept: application/json", "-H", &bearer(&job("old-build")), &projects],
            ),
            row(
                "job_token.wrong_collection",
                401,
                "",
                &["-H", &bearer(&job("build")), &format!("{}/tfs/Other/_apis/projects", server.url)],
            ),
            row("bearer.not_supported", 401, "TF400813", &["-H", &bearer(&full), &projects]),
        ],
    );
    let ok = server.journal().into_iter().find(|e| e["reason"] == "ok").unwrap();
    assert_eq!(ok["via"], "job-token:build");
    let leaks = ado_mock_server::secret::SecretFinder::new(server.profile.secrets()).leaks(&server.log());
    assert!(leaks.is_empty(), "no job token in the log: {leaks:?}");
}

/// Issue 10, items 1 and 7: each release's anonymous 401 as installed (challenges, headers,
/// `Server`), seen by curl.
#[test]
fn curl_sees_each_release_answer_as_installed() {
    // (release, challenges in order, present, absent)
    type Case<'a> = (&'a str, &'a [&'a str], &'a [&'a str], &'a [&'a str]);
    let cases: [Case<'_>; 4] = [
        (
            "tfs2015",
            &["Bearer", "Negotiate", "NTLM"],
            &[
                "server: Microsoft-IIS/8.5",
                "access-control-allow-origin: *",
                "set-cookie: Tfs-SessionId=",
                "x-tfs-soapexception: %3c%3fxml+",
            ],
            &["activityid:", "x-vss-senderdeploymentid:", "Basic realm"],
        ),
        (
            "tfs2017",
            &["Bearer", "Basic realm=\"http://tfs.contoso.local:8080/tfs\"", "Negotiate", "NTLM"],
            &["server: Microsoft-IIS/10.0", "access-control-allow-origin: *"],
            &["activityid:", "x-vss-senderdeploymentid:", "set-cookie:"],
        ),
        (
            "tfs2018",
            &["Bearer", "Basic realm=\"http://tfs.contoso.local:8080/tfs\"", "Negotiate", "NTLM"],
            &["activityid:", "x-tfs-session:", "x-tfs-soapexception: %3C%3Fxml%20"],
            &["access-control-allow-origin:", "x-vss-senderdeploymentid:"],
        ),
        (
            "ads2022",
            &["Bearer", "Basic realm=\"http://tfs.contoso.local:8080/tfs\"", "Negotiate", "NTLM"],
            &["activityid:", "x-vss-senderdeploymentid:", "Azure DevOps Server</title>"],
            &["access-control-allow-origin:", "set-cookie:"],
        ),
    ];
    for (release, challenges, present, absent) in cases {
        let server = Standalone::start(&format!("release = \"{release}\""));
        let projects = format!("{}/_apis/projects", server.collection());
        let (status, text) = curl(&["-D", "-", &projects]);
        assert_eq!(status, 401, "{release}");
        let offered: Vec<&str> =
            text.lines().filter_map(|l| l.strip_prefix("www-authenticate: ")).map(str::trim).collect();
        assert_eq!(offered, challenges, "{release}: {text}");
        for needle in present {
            assert!(text.contains(needle), "{release} sends {needle}: {text}");
        }
        for needle in absent {
            assert!(!text.contains(needle), "{release} does not send {needle}: {text}");
        }
        let title = if release.starts_with("tfs") {
            "Microsoft Team Foundation Server</title>"
        } else {
            "Azure DevOps Server</title>"
        };
        assert!(text.contains(title), "{release}: {title}");
    }
}
