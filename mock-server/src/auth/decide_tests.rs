//! The decision's test table: every reason code, each row a named request against the test
//! profile, with its expected reason, layer and status; and a snapshot of each full response.

use axum::body::Body;
use axum::http::Response;
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use uuid::Uuid;

use super::{ConnectionAuth, Decision, Reason, Reply, decide};
use crate::http::{FixedHeaders, RenderContext, render, render_rest};
use crate::kerberos::test_support::TestTicket;
use crate::ntlm::{self, Step, StepInput};
use crate::profile::{Profile, Provider};
use crate::rest::{RestContext, RestState, answer};
use crate::testing::{self, basic, job_token, pat};
use crate::tls::ConnectionTls;

/// curl's NTLM NEGOTIATE (ntlm-facts 2.1).
const CURL_TYPE1: &str = "TlRMTVNTUAABAAAABoIIAAAAAAAAAAAAAAAAAAAAAAA=";
/// curl test67's NTLMv1 AUTHENTICATE (ntlm-facts 3.5).
const CURL_V1_TYPE3: &str = "TlRMTVNTUAADAAAAGAAYAEAAAAAYABgAWAAAAAAAAABwAAAACAAIAHAAAAALAAsAeAAAAAAAAAAAAAAAhoIBAFpkQwKRCZFMhjj0tw47wEjKHRHlvzfxQamFcheMuv8v+xeqphEO5V41xRd7R9deOXRlc3R1c2VyV09SS1NUQVRJT04=";

struct Case {
    name: &'static str,
    overrides: &'static str,
    method: &'static str,
    uri: String,
    headers: Vec<(&'static str, String)>,
    connection: ConnectionAuth,
    failed_logons: u32,
    tls: Option<ConnectionTls>,
    reason: Reason,
    status: u16,
}

fn case(name: &'static str, reason: Reason, status: u16) -> Case {
    Case {
        name,
        overrides: "",
        method: "GET",
        uri: "/tfs/DefaultCollection/_apis/projects".to_owned(),
        headers: Vec::new(),
        connection: ConnectionAuth::None,
        failed_logons: 0,
        tls: None,
        reason,
        status,
    }
}

impl Case {
    fn uri(mut self, uri: &str) -> Self {
        self.uri = uri.to_owned();
        self
    }
    fn method(mut self, method: &'static str) -> Self {
        self.method = method;
        self
    }
    fn header(mut self, name: &'static str, value: impl Into<String>) -> Self {
        self.headers.push((name, value.into()));
        self
    }
    fn auth(self, value: impl Into<String>) -> Self {
        self.header("authorization", value)
    }
    fn profile(mut self, overrides: &'static str) -> Self {
        self.overrides = overrides;
        self
    }
    fn connection(mut self, auth: ConnectionAuth) -> Self {
        self.connection = auth;
        self
    }
    fn failed(mut self, n: u32) -> Self {
        self.failed_logons = n;
        self
    }
    fn over_tls(mut self) -> Self {
        self.tls = Some(ConnectionTls { channel_bindings: Some(CHANNEL) });
        self
    }
}

/// The channel-binding value of the test TLS connection.
const CHANNEL: [u8; 16] = [0xcb; 16];

/// Extended Protection Require over https (the profile of the channel-binding rows).
const EPA_REQUIRE: &str = "[tls]\nenabled = true\n[iis]\nextended-protection = \"require\"";

/// A connection with a pending CHALLENGE and the NTLMv2 AUTHENTICATE of CONTOSO\joseph
/// answering it, binding `bindings`.
fn bound_logon(profile: &Profile, bindings: Option<[u8; 16]>) -> (ConnectionAuth, String) {
    ntlm_logon_binding(profile, ("joseph", "CONTOSO"), "Passw0rd!", bindings)
}

/// A connection that has just been sent a CHALLENGE for curl's NEGOTIATE.
fn pending(profile: &Profile) -> ConnectionAuth {
    let token = STANDARD.decode(CURL_TYPE1).unwrap();
    let input = StepInput {
        token: &token,
        negotiate_scheme: false,
        pending: None,
        server_challenge: [1; 8],
        timestamp: 0,
        channel_bindings: Default::default(),
    };
    match ntlm::step(&super::acceptor_config(profile), input, &|_, _| None) {
        Step::Continue { pending, .. } => {
            ConnectionAuth::Pending { scheme: Provider::Ntlm, handshake: Box::new(pending) }
        }
        _ => panic!("a NEGOTIATE starts a handshake"),
    }
}

/// A profile with Kerberos: the SPN on the machine account, kernel-mode authentication.
const KERBEROS: &str = "[kerberos]";
/// `Negotiate:Kerberos` only.
const KERBEROS_ONLY: &str = "[iis]\nproviders = ['Negotiate']\n[kerberos]\nonly = true\nuse-kernel-mode = false";

/// `Negotiate <SPNEGO NegTokenInit{KRB5, NTLMSSP; AP-REQ}>`, the ticket encrypted with the key
/// of `password` (the account the KDC holds the SPN for), adjusted by `adjust`.
fn kerberos(password: &str, adjust: impl Fn(&mut TestTicket)) -> String {
    let mut ticket = TestTicket::new(password, testing::NOW);
    adjust(&mut ticket);
    let mechs = [ntlm::spnego::MS_KRB5_OID, ntlm::spnego::KRB5_OID, ntlm::spnego::NTLMSSP_OID];
    format!("Negotiate {}", STANDARD.encode(ntlm::spnego::build_init(&mechs, Some(&ticket.token())).unwrap()))
}

/// `Negotiate <raw Kerberos AP-REQ>`.
fn kerberos_raw(password: &str) -> String {
    format!("Negotiate {}", STANDARD.encode(TestTicket::new(password, testing::NOW).token()))
}

fn cases(p: &Profile) -> Vec<Case> {
    let machine = crate::profile::machine_password(&p.ntlm.computer, &p.ntlm.domain).expose().to_owned();
    let full = pat(p, "CONTOSO\\joseph", "full");
    let star = pat(p, "CONTOSO\\joseph", "star");
    let kerberos_only = ntlm::spnego::build_init(&[ntlm::spnego::KRB5_OID], None).unwrap();
    let (unbound, unbound_auth) = bound_logon(p, None);
    let (misbound, misbound_auth) = bound_logon(p, Some([0x99; 16]));
    let (bound, bound_auth) = bound_logon(p, Some(CHANNEL));
    vec![
        case("ok.list-projects", Reason::Ok, 200).auth(basic(&format!(":{full}"))),
        case("ok.pat-in-user-slot", Reason::Ok, 200).auth(basic(&format!("{full}:"))),
        case("ok.resource-areas-anonymous", Reason::Ok, 200).uri("/tfs/DefaultCollection/_apis/ResourceAreas"),
        case("ok.windows-connection", Reason::Ok, 200)
            .connection(ConnectionAuth::Authenticated { account: "CONTOSO\\joseph".into(), scheme: Provider::Ntlm }),
        case("ok.iis-basic-windows-password", Reason::Ok, 200)
            .profile("[iis]\nbasic = true")
            .auth(basic("CONTOSO\\joseph:Passw0rd!")),
        case("auth.anonymous", Reason::AuthAnonymous, 401),
        case("auth.anonymous.tfs2015", Reason::AuthAnonymous, 401).profile("release = \"tfs2015\""),
        case("auth.anonymous.tfs2017", Reason::AuthAnonymous, 401).profile("release = \"tfs2017\""),
        case("auth.anonymous.tfs2018", Reason::AuthAnonymous, 401).profile("release = \"tfs2018\""),
        case("auth.anonymous.json-without-api-version.tfs2015", Reason::AuthAnonymous, 401)
            .profile("release = \"tfs2015\"")
            .method("OPTIONS")
            .uri("/tfs/defaultcollection/_apis")
            .header("accept", "application/json"),
        case("auth.anonymous.json-without-api-version.ads2019", Reason::AuthAnonymous, 401)
            .profile("release = \"ads2019\"")
            .method("OPTIONS")
            .uri("/tfs/defaultcollection/_apis")
            .header("accept", "application/json"),
        case("auth.anonymous.xhr.tfs2017", Reason::AuthAnonymous, 401)
            .profile("release = \"tfs2017\"")
            .header("x-requested-with", "XMLHttpRequest"),
        case("auth.anonymous.digest", Reason::AuthAnonymous, 401).auth("Digest username=\"x\""),
        case("auth.anonymous.no-scheme", Reason::AuthAnonymous, 401).auth(full.clone()),
        case("basic.no_colon", Reason::BasicNoColon, 401).auth(basic(&full)),
        case("basic.not_base64", Reason::BasicNotBase64, 401).auth("Basic not*base64"),
        case("basic.password_not_pat", Reason::BasicPasswordNotPat, 401).auth(basic("CONTOSO\\joseph:Passw0rd!")),
        // PATs exist on premises from TFS 2017 (ado-facts 3.1): on TFS 2015 a PAT is a password.
        case("basic.password_not_pat.pat-on-tfs2015", Reason::BasicPasswordNotPat, 401)
            .profile("release = \"tfs2015\"")
            .auth(basic(&format!(":{full}"))),
        case("bearer.not_supported", Reason::BearerNotSupported, 401).auth(format!("Bearer {full}")),
        case("ok.job-token-bearer", Reason::Ok, 200)
            .uri("/tfs/DefaultCollection/Fabrikam/_apis/git/repositories")
            .auth(format!("Bearer {}", job_token(p, "build"))),
        case("ok.job-token-basic-password", Reason::Ok, 200).auth(basic(&format!("OAuth:{}", job_token(p, "build")))),
        case("ok.job-token-basic-user", Reason::Ok, 200).auth(basic(&format!("{}:", job_token(p, "build")))),
        case("job_token.invalid", Reason::JobTokenInvalid, 401)
            .auth(format!("Bearer {}", job_token(&testing::profile_with("virtual-directory = \"tfs2\""), "build"))),
        case("job_token.expired", Reason::JobTokenExpired, 401)
            .header("accept", "application/json;api-version=7.0")
            .auth(format!("Bearer {}", job_token(p, "old-build"))),
        case("job_token.wrong_collection", Reason::JobTokenWrongCollection, 401)
            .uri("/tfs/Other/_apis/projects")
            .auth(format!("Bearer {}", job_token(p, "build"))),
        case("permission.hidden.project-scoped-job", Reason::PermissionHidden, 404)
            .uri("/tfs/DefaultCollection/_apis/projects/Secret")
            .header("accept", "application/json")
            .auth(format!("Bearer {}", job_token(p, "fabrikam-build"))),
        case("pat.unknown", Reason::PatUnknown, 401).auth(basic(&format!(":{}", "q".repeat(52)))),
        case("pat.revoked", Reason::PatRevoked, 401).auth(basic(&format!(":{}", pat(p, "CONTOSO\\joseph", "revoked")))),
        case("pat.expired.ads2022", Reason::PatExpired, 401)
            .header("accept", "application/json;api-version=7.0")
            .auth(basic(&format!(":{}", pat(p, "CONTOSO\\joseph", "expired")))),
        case("pat.expired.ads2019", Reason::PatExpired, 401)
            .profile("release = \"ads2019\"")
            .header("accept", "application/json;api-version=5.0")
            .auth(basic(&format!(":{}", pat(p, "CONTOSO\\joseph", "expired")))),
        case("pat.scope", Reason::PatScope, 401)
            .uri("/tfs/DefaultCollection/Fabrikam/_apis/git/repositories")
            .auth(basic(&format!(":{}", pat(p, "CONTOSO\\joseph", "work")))),
        case("pat.wrong_collection", Reason::PatWrongCollection, 401)
            .auth(basic(&format!(":{}", pat(p, "CONTOSO\\joseph", "other")))),
        case("pat.wrong_collection.unknown-collection", Reason::PatWrongCollection, 401)
            .uri("/tfs/NoSuchCollection/_apis/projects")
            .auth(basic(&format!(":{full}"))),
        case("pat.wrong_collection.server-url", Reason::PatWrongCollection, 401)
            .uri("/tfs/_apis/projects")
            .auth(basic(&format!(":{full}"))),
        case("identity.disabled", Reason::IdentityDisabled, 401)
            .auth(basic(&format!(":{}", pat(p, "CONTOSO\\gone", "full")))),
        case("identity.locked_out", Reason::IdentityLockedOut, 401)
            .profile("[iis]\nbasic = true")
            .failed(3)
            .auth(basic("CONTOSO\\locked:L0cked!")),
        // A lockout threshold of 0 never locks an account, however many logons failed.
        case("ok.iis-basic-no-lockout-threshold", Reason::Ok, 200)
            .profile("[iis]\nbasic = true\n[ntlm]\nlockout-threshold = 0")
            .failed(5)
            .auth(basic("CONTOSO\\locked:L0cked!")),
        case("membership.not_valid_user", Reason::MembershipNotValidUser, 401)
            .header("accept", "application/json")
            .auth(basic(&format!(":{}", pat(p, "CONTOSO\\outsider", "full")))),
        case("permission.denied", Reason::PermissionDenied, 403)
            .method("POST")
            .uri("/tfs/DefaultCollection/_apis/projects?api-version=7.0")
            .header("accept", "application/json")
            .auth(basic(&format!(":{full}"))),
        case("permission.denied.project-collections", Reason::PermissionDenied, 403)
            .profile("release = \"ads2019\"")
            .uri("/tfs/_apis/projectCollections")
            .header("accept", "application/json")
            .auth(basic(&format!(":{star}"))),
        case("permission.hidden", Reason::PermissionHidden, 404)
            .uri("/tfs/DefaultCollection/_apis/projects/Secret")
            .header("accept", "application/json")
            .auth(basic(&format!(":{full}"))),
        case("iis.anonymous_disabled", Reason::IisAnonymousDisabled, 401)
            .profile("[iis]\nanonymous = false")
            .auth(basic(&format!(":{full}"))),
        case("iis.basic_intercepts", Reason::IisBasicIntercepts, 401)
            .profile("[iis]\nbasic = true")
            .auth(basic(&format!(":{full}"))),
        case("iis.basic_intercepts.bare-domain-user", Reason::IisBasicIntercepts, 401)
            .profile("[iis]\nbasic = true")
            .auth(basic("joseph:Passw0rd!")),
        case("iis.basic_intercepts.detailed-page", Reason::IisBasicIntercepts, 401)
            .profile("[iis]\nbasic = true\ndetailed-errors = true\nversion = \"8.5\"")
            .auth(basic("joseph:Passw0rd!")),
        case("ok.iis-basic-upn", Reason::Ok, 200)
            .profile("[iis]\nbasic = true")
            .auth(basic("Joseph@CONTOSO.local:Passw0rd!")),
        case("ok.iis-basic-default-domain", Reason::Ok, 200)
            .profile("[iis]\nbasic = true\nbasic-default-domain = \"CONTOSO\"")
            .auth(basic("joseph:Passw0rd!")),
        case("ok.iis-basic-local-account", Reason::Ok, 200)
            .profile("[iis]\nbasic = true")
            .auth(basic("builder:B0ilder!")),
        case("iis.no_method", Reason::IisNoMethod, 401)
            .profile("[iis]\nanonymous = false\nwindows = false\nbasic = false"),
        case("iis.provider_not_enabled", Reason::IisProviderNotEnabled, 401)
            .profile("[iis]\nwindows = false")
            .auth(format!("NTLM {CURL_TYPE1}")),
        case("ntlm.challenge", Reason::NtlmChallenge, 401).auth(format!("NTLM {CURL_TYPE1}")),
        case("ntlm.bad_response", Reason::NtlmBadResponse, 401).auth("NTLM bm90IGFuIE5UTE0gdG9rZW4="),
        case("ntlm.v1_refused", Reason::NtlmV1Refused, 401)
            .connection(pending(p))
            .auth(format!("NTLM {CURL_V1_TYPE3}")),
        case("ntlm.no_handshake", Reason::NtlmNoHandshake, 401).auth(format!("NTLM {CURL_V1_TYPE3}")),
        case("ntlm.blocked", Reason::NtlmBlocked, 401)
            .profile("[ntlm]\nblocked = true\naccept-v1 = true")
            .connection(pending(p))
            .auth(format!("NTLM {CURL_V1_TYPE3}")),
        case("ntlm.channel_binding_missing", Reason::NtlmChannelBindingMissing, 401)
            .profile(EPA_REQUIRE)
            .over_tls()
            .connection(unbound)
            .auth(unbound_auth),
        case("ntlm.channel_binding_mismatch", Reason::NtlmChannelBindingMismatch, 401)
            .profile(EPA_REQUIRE)
            .over_tls()
            .connection(misbound)
            .auth(misbound_auth),
        case("ok.ntlm-channel-bound", Reason::Ok, 200)
            .profile(EPA_REQUIRE)
            .over_tls()
            .connection(bound)
            .auth(bound_auth),
        case("url.https_required", Reason::UrlHttpsRequired, 302)
            .profile("[tls]\nenabled = true\nssl-only = true")
            .uri("/tfs/DefaultCollection/_apis/projects?api-version=7.0")
            .auth(basic(&format!(":{full}"))),
        // HTTP.sys completes a Windows handshake before TFS's sslOnly redirect runs.
        case("ntlm.challenge.ssl-only-over-http", Reason::NtlmChallenge, 401)
            .profile("[tls]\nenabled = true\nssl-only = true")
            .auth(format!("NTLM {CURL_TYPE1}")),
        case("ok.ssl-only-over-https", Reason::Ok, 200)
            .profile("[tls]\nenabled = true\nssl-only = true")
            .over_tls()
            .auth(basic(&format!(":{full}"))),
        case("ntlm.unsupported_mech", Reason::NtlmUnsupportedMech, 401)
            .auth(format!("Negotiate {}", STANDARD.encode(kerberos_only))),
        case("ok.kerberos", Reason::Ok, 200).profile(KERBEROS).auth(kerberos(&machine, |_| {})),
        case("ok.kerberos-raw-token", Reason::Ok, 200).profile(KERBEROS).auth(kerberos_raw(&machine)),
        case("kerberos.ap_err_modified", Reason::KerberosApErrModified, 401)
            .profile("[kerberos]\nspn-account = 'CONTOSO\\admin'")
            .auth(kerberos("Adm1n!", |_| {})),
        case("kerberos.skew", Reason::KerberosSkew, 401)
            .profile(KERBEROS)
            .auth(kerberos(&machine, |t| t.ctime += 600)),
        case("kerberos.ticket_invalid", Reason::KerberosTicketInvalid, 401)
            .profile(KERBEROS)
            .auth(kerberos(&machine, |t| t.ticket_end = testing::NOW - 3600)),
        case("kerberos.not_us", Reason::KerberosNotUs, 401)
            .profile(KERBEROS)
            .auth(kerberos(&machine, |t| t.service = "HTTP/127.0.0.1")),
        case("kerberos.bad_token", Reason::KerberosBadToken, 401).profile(KERBEROS).auth(format!(
            "Negotiate {}",
            STANDARD.encode(crate::kerberos::token::frame(crate::kerberos::token::TOK_AP_REQ, b"junk"))
        )),
        case("kerberos.unknown_account", Reason::KerberosUnknownAccount, 401)
            .profile(KERBEROS)
            .auth(kerberos(&machine, |t| t.client = "nobody")),
        case("kerberos.required", Reason::KerberosRequired, 401)
            .profile(KERBEROS_ONLY)
            .auth(format!("Negotiate {CURL_TYPE1}")),
        case("kerberos.no_spn", Reason::KerberosNoSpn, 401)
            .profile("[iis]\nproviders = ['Negotiate']\n[kerberos]\nonly = true\nuse-kernel-mode = false\nspn-account = 'none'")
            .auth(format!("Negotiate {CURL_TYPE1}")),
        case("url.no_collection", Reason::UrlNoCollection, 404)
            .uri("/tfs/_apis/projects")
            .auth(basic(&format!(":{star}"))),
        case("url.unknown_collection", Reason::UrlUnknownCollection, 404)
            .uri("/tfs/NoSuchCollection/_apis/projects")
            .auth(basic(&format!(":{star}"))),
        case("collection.stopped", Reason::CollectionStopped, 503)
            .uri("/tfs/Frozen/_apis/projects")
            .header("accept", "application/json")
            .auth(basic(&format!(":{star}"))),
        case("api_version.out_of_range", Reason::ApiVersionOutOfRange, 400)
            .uri("/tfs/DefaultCollection/_apis/projects?api-version=7.1")
            .header("accept", "application/json")
            .auth(basic(&format!(":{full}"))),
        case("api_version.out_of_range.tfs2018", Reason::ApiVersionOutOfRange, 404)
            .profile("release = \"tfs2018\"")
            .header("accept", "application/json;api-version=4.1")
            .auth(basic(&format!(":{full}"))),
        case("api_version.missing", Reason::ApiVersionMissing, 400)
            .method("POST")
            .header("accept", "application/json")
            .auth(basic(&format!(":{full}"))),
        case("api_version.preview_required", Reason::ApiVersionPreviewRequired, 400)
            .profile("release = \"ads2022.1\"")
            .header("accept", "application/json;api-version=7.1")
            .auth(basic(&format!(":{full}"))),
        case("api_version.malformed", Reason::ApiVersionMalformed, 400)
            .uri("/tfs/DefaultCollection/_apis/projects?api-version=latest")
            .header("accept", "application/json")
            .auth(basic(&format!(":{full}"))),
        case("route.not_found", Reason::RouteNotFound, 404)
            .uri("/tfs/DefaultCollection/_apis/nothing/here")
            .header("accept", "application/json")
            .auth(basic(&format!(":{full}"))),
        case("route.not_found.outside-vdir", Reason::RouteNotFound, 404).uri("/DefaultCollection/_apis/projects"),
        case("resource.not_found", Reason::ResourceNotFound, 404)
            .uri("/tfs/DefaultCollection/_apis/projects/NoSuchProject")
            .header("accept", "application/json")
            .auth(basic(&format!(":{full}"))),
    ]
}

fn run(base: &Profile, case: &Case) -> (Profile, Decision) {
    let profile = if case.overrides.is_empty() { base.clone() } else { testing::profile_with(case.overrides) };
    let headers: Vec<(&str, &str)> = case.headers.iter().map(|(n, v)| (*n, v.as_str())).collect();
    let mut facts = testing::facts(&profile, case.method, &case.uri, &headers, case.connection.clone());
    facts.connection.tls = case.tls;
    let failed = case.failed_logons;
    let decision = decide(&profile, &facts, &|_| failed);
    (profile, decision)
}

#[test]
fn decision_table() {
    let base = testing::profile();
    for case in cases(&base) {
        let (_, d) = run(&base, &case);
        assert_eq!((d.reason, d.answer.status()), (case.reason, case.status), "case {}: {}", case.name, d.explanation);
        assert!(!d.explanation.is_empty(), "case {} explains itself", case.name);
        if d.reason != Reason::Ok && d.reason != Reason::NtlmChallenge {
            assert!(!d.hint.is_empty(), "case {} names a fix", case.name);
        }
    }
}

#[test]
fn the_table_covers_every_reason_code() {
    let base = testing::profile();
    let covered: std::collections::HashSet<Reason> = cases(&base).iter().map(|c| c.reason).collect();
    let missing: Vec<&str> =
        Reason::ALL.iter().filter(|r| !r.is_limit() && !covered.contains(r)).map(|r| r.code()).collect();
    assert!(missing.is_empty(), "reasons without a row: {missing:?}");
}

/// IIS's log line for each row: the values the captures show (docs/facts/iis-log.md), and
/// every row's line read back (`explain --iis-log`) names the row's reason.
#[test]
fn every_answer_has_its_iis_log_line_and_the_line_reads_back() {
    let base = testing::profile();
    let expected: &[(&str, &str, &str)] = &[
        ("auth.anonymous", "401 2 5", "-"),
        ("pat.scope", "401 2 5", "-"),
        ("iis.anonymous_disabled", "401 2 5", "-"),
        ("ntlm.challenge", "401 1 2148074254", "-"),
        ("ntlm.no_handshake", "401 1 2148074248", "-"),
        ("ntlm.v1_refused", "401 1 2148074252", "-"),
        ("ntlm.blocked", "401 1 2148074242", "-"),
        ("iis.basic_intercepts.bare-domain-user", "401 1 1326", "joseph"),
        ("identity.locked_out", "401 1 1909", "CONTOSO\\locked"),
        ("ok.windows-connection", "200 0 0", "CONTOSO\\joseph"),
        ("ok.iis-basic-upn", "200 0 0", "CONTOSO\\joseph"),
        ("permission.denied", "403 0 0", "CONTOSO\\joseph"),
        ("route.not_found.outside-vdir", "404 0 2", "-"),
        ("collection.stopped", "503 0 0", "-"),
    ];
    for case in cases(&base) {
        let (_, d) = run(&base, &case);
        let basic_user = case.headers.iter().find(|(n, _)| *n == "authorization").and_then(|(_, v)| {
            let encoded = v.strip_prefix("Basic ")?;
            let text = String::from_utf8(STANDARD.decode(encoded).ok()?).ok()?;
            text.split_once(':').map(|(u, _)| u.to_owned())
        });
        let log = super::IisLog::of(&d, d.answer.status(), basic_user.as_deref());
        let reading = super::iis_log::read_line(&log.triple()).unwrap();
        assert!(
            reading.reasons.contains(&d.reason),
            "case {}: {} does not read back as {}",
            case.name,
            log.triple(),
            d.reason
        );
        if let Some((_, triple, user)) = expected.iter().find(|(name, ..)| *name == case.name) {
            assert_eq!((log.triple().as_str(), log.cs_username.as_str()), (*triple, *user), "case {}", case.name);
        }
    }
}

#[test]
fn explanations_never_contain_secrets() {
    let base = testing::profile();
    for case in cases(&base) {
        let (profile, d) = run(&base, &case);
        let secrets: Vec<String> = profile.secrets().into_iter().map(|s| s.value).collect();
        assert!(
            case.overrides != "[kerberos]" || secrets.len() > base.secrets().len(),
            "the SPN's password is a secret"
        );
        for secret in &secrets {
            for text in [&d.explanation, &d.hint] {
                assert!(!text.contains(secret.as_str()), "case {} leaks a secret: {text}", case.name);
            }
        }
    }
}

/// The full response as text: status line, headers in order, body.
fn response_text(response: Response<Body>) -> String {
    let (parts, body) = response.into_parts();
    let mut out = format!("HTTP/1.1 {}\n", parts.status);
    for (name, value) in &parts.headers {
        out.push_str(&format!("{}: {}\n", name, String::from_utf8_lossy(value.as_bytes())));
    }
    let bytes = futures_body(body);
    out.push_str(&format!("content-length: {}\n\n{}", bytes.len(), String::from_utf8_lossy(&bytes)));
    out
}

fn futures_body(body: Body) -> Vec<u8> {
    let runtime = tokio::runtime::Builder::new_current_thread().build().unwrap();
    runtime.block_on(async { axum::body::to_bytes(body, usize::MAX).await.unwrap().to_vec() })
}

fn render_case(profile: &Profile, case: &Case, decision: &Decision) -> String {
    let headers: Vec<(&str, &str)> = case.headers.iter().map(|(n, v)| (*n, v.as_str())).collect();
    let facts = testing::facts(profile, case.method, &case.uri, &headers, ConnectionAuth::None);
    let realm = profile.public_url.clone().unwrap();
    let (path, query) = case.uri.split_once('?').map_or((case.uri.as_str(), None), |(p, q)| (p, Some(q)));
    let ctx = RenderContext {
        profile,
        realm: &realm,
        host: "tfs.contoso.local:8080",
        path,
        query,
        now: 1_700_000_000,
        fixed: &FixedHeaders::new(profile, Uuid::from_u128(1), Uuid::from_u128(3)),
        activity_id: Uuid::from_u128(2),
        session: None,
        accept: &facts.accept,
        api_major: facts.api_version.as_ref().and_then(|v| v.parsed).map(|v| v.major),
    };
    let response = match &decision.answer {
        Reply::Serve(serve) => {
            let rest = RestContext {
                origin: "http://tfs.contoso.local:8080",
                collection: facts.target.collection(),
                principal: decision.principal.as_ref(),
                query: None,
                method: &facts.method,
                body: &[],
                headers: Default::default(),
            };
            let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
            let rest = runtime.block_on(answer(profile, &RestState::default(), &serve.route, &rest));
            render_rest(rest, serve.final_token.as_deref(), &ctx)
        }
        Reply::Answer(answer) => render(answer, &ctx),
    };
    let text = response_text(response);
    format!(
        "{} {}\nreason: {} (layer {})\nwhy: {}\nfix: {}\n\n{text}",
        case.method,
        case.uri,
        decision.reason,
        decision.layer.name(),
        decision.explanation,
        decision.hint
    )
}

#[test]
fn every_reason_renders_its_full_response() {
    let base = testing::profile();
    let mut settings = insta::Settings::clone_current();
    // Handshake tokens carry the timestamp and are checked by the NTLM tests; PATs are derived
    // from names and stable, but redacted all the same.
    settings.add_filter(r"(WWW-Authenticate|www-authenticate): (NTLM|Negotiate) [A-Za-z0-9+/=]{20,}", "$1: $2 <token>");
    settings.set_snapshot_path("snapshots");
    settings.bind(|| {
        for case in cases(&base) {
            let (profile, decision) = run(&base, &case);
            let mut text = render_case(&profile, &case, &decision);
            for secret in profile.secrets() {
                text = text.replace(&secret.value, "<secret>");
            }
            for (name, value) in &case.headers {
                if *name == "authorization" {
                    text = text.replace(value.as_str(), "<authorization header>");
                }
            }
            insta::assert_snapshot!(case.name, text);
        }
    });
}

/// A successful IIS Basic logon is counted as one (it resets the account's failed logons, as a
/// successful LogonUser does in AD), and a wrong password as a failure.
#[test]
fn iis_basic_logons_are_recorded_for_lockout() {
    let base = testing::profile();
    let ok = case("ok", Reason::Ok, 200).profile("[iis]\nbasic = true").auth(basic("CONTOSO\\joseph:Passw0rd!"));
    let (_, d) = run(&base, &ok);
    assert_eq!(d.logon, Some(super::Logon::Succeeded { account: "CONTOSO\\joseph".into() }));
    let wrong = case("wrong", Reason::IisBasicIntercepts, 401)
        .profile("[iis]\nbasic = true")
        .auth(basic("CONTOSO\\joseph:nope"));
    let (_, d) = run(&base, &wrong);
    assert_eq!(d.logon, Some(super::Logon::Failed { account: "CONTOSO\\joseph".into() }));
}

/// Why IIS Basic found no account: a bare name of a domain account, looked up among local
/// accounts or in another default logon domain, is told apart from a wrong domain.
#[test]
fn iis_basic_explains_which_domain_a_name_was_looked_up_in() {
    let base = testing::profile();
    let explain = |overrides: &'static str, credential: &str| {
        run(&base, &case("x", Reason::IisBasicIntercepts, 401).profile(overrides).auth(basic(credential))).1.explanation
    };
    let local = explain("[iis]\nbasic = true", "joseph:Passw0rd!");
    assert!(local.contains("among the server's local accounts") && local.contains("CONTOSO\\joseph"), "{local}");
    let other = explain("[iis]\nbasic = true\nbasic-default-domain = \"FABRIKAM\"", "joseph:Passw0rd!");
    assert!(other.contains("in the default logon domain FABRIKAM") && other.contains("CONTOSO\\joseph"), "{other}");
    let wrong_domain = explain("[iis]\nbasic = true", "WRONGDOM\\joseph:Passw0rd!");
    assert!(wrong_domain.ends_with("no such Windows account"), "{wrong_domain}");
}

/// Decides `method uri` for the PAT `full` of `account` in the test profile (`overrides` on top).
fn decide_as(overrides: &'static str, account: &str, method: &'static str, uri: &str) -> Decision {
    decide_with(overrides, (account, "full"), method, uri)
}

/// Decides `method uri` for the PAT `(account, name)` in the test profile (`overrides` on top).
fn decide_with(overrides: &'static str, (account, name): (&str, &str), method: &'static str, uri: &str) -> Decision {
    let base = testing::profile();
    let profile = if overrides.is_empty() { base.clone() } else { testing::profile_with(overrides) };
    let token = pat(&profile, account, name);
    run(
        &base,
        &case("as", Reason::Ok, 200).profile(overrides).method(method).uri(uri).auth(basic(&format!(":{token}"))),
    )
    .1
}

fn service_error(decision: &Decision) -> &super::decision::ServiceError {
    match &decision.answer {
        Reply::Answer(super::Answer::Tfs { body: super::decision::Body::Error(error), .. }) => error,
        other => panic!("no service error in {other:?}"),
    }
}

/// Layer 7 for repositories: an unknown repository is missing, one in a project the caller
/// cannot see is hidden (both 404), with or without the project in the path.
#[test]
fn repositories_are_found_and_hidden_by_project_visibility() {
    let joseph = |uri: &str| decide_as("", "CONTOSO\\joseph", "GET", uri).reason;
    let c = "/tfs/DefaultCollection";
    assert_eq!(joseph(&format!("{c}/_apis/git/repositories/Tools")), Reason::Ok);
    assert_eq!(joseph(&format!("{c}/Fabrikam/_apis/git/repositories/Tools")), Reason::Ok);
    assert_eq!(joseph(&format!("{c}/_apis/git/repositories/Hidden")), Reason::PermissionHidden);
    assert_eq!(joseph(&format!("{c}/Secret/_apis/git/repositories/Hidden")), Reason::PermissionHidden);
    assert_eq!(joseph(&format!("{c}/_apis/git/repositories/Nowhere")), Reason::ResourceNotFound);
    assert_eq!(joseph(&format!("{c}/Fabrikam/_apis/git/repositories/Hidden")), Reason::ResourceNotFound);
    let admin = decide_as("", "CONTOSO\\admin", "GET", &format!("{c}/_apis/git/repositories/Hidden"));
    assert_eq!(admin.reason, Reason::Ok);
}

/// Layer 7 for work items: a number no project holds, or one asked through another project
/// (by name or id), is missing; one in a project the caller cannot see is hidden.
#[test]
fn work_items_are_found_in_their_project_and_hidden_by_visibility() {
    let profile = testing::profile();
    let fabrikam_id = profile.collection("DefaultCollection").unwrap().project("Fabrikam").unwrap().id;
    let joseph = |uri: &str| decide_as("", "CONTOSO\\joseph", "GET", uri).reason;
    let c = "/tfs/DefaultCollection";
    assert_eq!(joseph(&format!("{c}/_apis/wit/workItems/1")), Reason::Ok);
    assert_eq!(joseph(&format!("{c}/Fabrikam/_apis/wit/workItems/2")), Reason::Ok);
    assert_eq!(joseph(&format!("{c}/fabrikam/_apis/wit/workItems/2")), Reason::Ok);
    assert_eq!(joseph(&format!("{c}/{fabrikam_id}/_apis/wit/workItems/3")), Reason::Ok);
    assert_eq!(joseph(&format!("{c}/_apis/wit/workItems/99")), Reason::ResourceNotFound);
    assert_eq!(joseph(&format!("{c}/_apis/wit/workItems/x")), Reason::ResourceNotFound);
    assert_eq!(joseph(&format!("{c}/Fabrikam/_apis/wit/workItems/10")), Reason::ResourceNotFound);
    assert_eq!(joseph(&format!("{c}/{fabrikam_id}/_apis/wit/workItems/10")), Reason::ResourceNotFound);
    assert_eq!(joseph(&format!("{c}/_apis/wit/workItems/10")), Reason::PermissionHidden);
    assert_eq!(decide_as("", "CONTOSO\\admin", "GET", &format!("{c}/_apis/wit/workItems/10")).reason, Reason::Ok);
}

/// Creating projects needs Project Collection Administrators; publishing to the server's gallery
/// needs Team Foundation Administrators.
#[test]
fn administration_routes_need_their_groups() {
    let projects = "/tfs/DefaultCollection/_apis/projects?api-version=5.0";
    assert_eq!(decide_as("", "CONTOSO\\joseph", "POST", projects).reason, Reason::PermissionDenied);
    assert_eq!(decide_as("", "CONTOSO\\admin", "POST", projects).reason, Reason::Ok);
    let gallery = "/tfs/_apis/gallery/extensions?api-version=5.0-preview";
    let refused = decide_with("", ("CONTOSO\\joseph", "star"), "POST", gallery);
    assert_eq!((refused.reason, refused.answer.status()), (Reason::PermissionDenied, 403));
    assert!(service_error(&refused).message.contains("Publish extensions"), "{}", refused.explanation);
    assert_eq!(decide_as("", "CONTOSO\\admin", "POST", gallery).reason, Reason::Ok);
}

/// `_apis/projectCollections` needs instance-level permission up to 2019 Update 1 only.
#[test]
fn listing_collections_needs_administration_only_on_older_releases() {
    let uri = "/tfs/_apis/projectCollections";
    let joseph = ("CONTOSO\\joseph", "star");
    assert_eq!(decide_with("", joseph, "GET", uri).reason, Reason::Ok);
    assert_eq!(decide_with("release = \"ads2019.1\"", joseph, "GET", uri).reason, Reason::PermissionDenied);
    assert_eq!(decide_as("release = \"ads2019.1\"", "CONTOSO\\admin", "GET", uri).reason, Reason::Ok);
}

/// A missing project read through `_apis/projects/{id}` is reported by id (VS800075) when the
/// path names a GUID; every other route names it as a project name (TF200016).
#[test]
fn a_missing_project_is_reported_by_id_only_on_the_project_route() {
    let guid = "6ce954b1-ce1f-45d1-b94d-e6bf2464ba2c";
    let c = "/tfs/DefaultCollection";
    let by_id = decide_as("", "CONTOSO\\joseph", "GET", &format!("{c}/_apis/projects/{guid}"));
    assert!(service_error(&by_id).message.starts_with("VS800075"), "{}", service_error(&by_id).message);
    let by_name = decide_as("", "CONTOSO\\joseph", "GET", &format!("{c}/_apis/projects/Nowhere"));
    assert!(service_error(&by_name).message.starts_with("TF200016"), "{}", service_error(&by_name).message);
    let elsewhere = decide_as("", "CONTOSO\\joseph", "GET", &format!("{c}/{guid}/_apis/git/repositories"));
    assert!(service_error(&elsewhere).message.starts_with("TF200016"), "{}", service_error(&elsewhere).message);
}

/// An NTLM AUTHENTICATE of `domain\user` with `password`, answering the CHALLENGE pending on the
/// returned connection.
fn ntlm_logon(
    profile: &Profile,
    who: (&'static str, &'static str),
    password: &'static str,
) -> (ConnectionAuth, String) {
    ntlm_logon_binding(profile, who, password, None)
}

/// [`ntlm_logon`] with the client's channel bindings (`None`: it sends none).
fn ntlm_logon_binding(
    profile: &Profile,
    (user, domain): (&'static str, &'static str),
    password: &'static str,
    channel_bindings: Option<[u8; 16]>,
) -> (ConnectionAuth, String) {
    let client = ntlm::test_support::TestClient { user, domain, password, key_exch_and_mic: false, channel_bindings };
    let negotiate = client.negotiate();
    let input = StepInput {
        token: &negotiate,
        negotiate_scheme: false,
        pending: None,
        server_challenge: [1; 8],
        timestamp: 0,
        channel_bindings: Default::default(),
    };
    let Step::Continue { token: challenge, pending, .. } =
        ntlm::step(&super::acceptor_config(profile), input, &|_, _| None)
    else {
        panic!("a NEGOTIATE starts a handshake")
    };
    let (auth, _) = client.authenticate(&negotiate, &challenge);
    let connection = ConnectionAuth::Pending { scheme: Provider::Ntlm, handshake: Box::new(pending) };
    (connection, format!("NTLM {}", STANDARD.encode(auth)))
}

/// Decides an NTLM logon in a profile with `overrides`, after `failed` failed logons.
fn ntlm_decision(
    overrides: &'static str,
    who: (&'static str, &'static str),
    password: &'static str,
    failed: u32,
) -> Decision {
    let base = testing::profile();
    let profile = if overrides.is_empty() { base.clone() } else { testing::profile_with(overrides) };
    let (connection, header) = ntlm_logon(&profile, who, password);
    run(&base, &case("ntlm", Reason::Ok, 200).profile(overrides).connection(connection).auth(header).failed(failed)).1
}

/// NTLM logons count for lockout like any Windows logon: a wrong password is a failure of the
/// account, a right one a success, and an account at its lockout threshold is refused as
/// locked out (its connection reset) whatever the password.
#[test]
fn ntlm_logons_count_for_lockout() {
    let joseph = ("joseph", "CONTOSO");
    let ok = ntlm_decision("", joseph, "Passw0rd!", 0);
    assert_eq!(
        (ok.reason, ok.logon),
        (Reason::Ok, Some(super::Logon::Succeeded { account: "CONTOSO\\joseph".into() }))
    );
    let wrong = ntlm_decision("", joseph, "nope", 0);
    assert_eq!(wrong.reason, Reason::NtlmBadResponse);
    assert_eq!(wrong.logon, Some(super::Logon::Failed { account: "CONTOSO\\joseph".into() }));
    let locked = ntlm_decision("", joseph, "nope", 3);
    assert_eq!(locked.reason, Reason::IdentityLockedOut);
    assert!(matches!(locked.connection, super::ConnectionUpdate::Set(ConnectionAuth::None)), "{:?}", locked.connection);
    let unknown = ntlm_decision("", ("nobody", "CONTOSO"), "nope", 0);
    assert_eq!((unknown.reason, unknown.logon), (Reason::NtlmBadResponse, None));
}

/// The Restrict NTLM policy refuses even a correct NTLM logon of an account it denies; with
/// "deny all domain accounts", the server's local accounts still log on.
#[test]
fn the_ntlm_policy_refuses_correct_logons_of_denied_accounts() {
    let all = "[ntlm]\nblocked = true";
    assert_eq!(ntlm_decision(all, ("joseph", "CONTOSO"), "Passw0rd!", 0).reason, Reason::NtlmBlocked);
    let domain = "[ntlm]\nblocked = true\nblocked-accounts = \"domain\"";
    assert_eq!(ntlm_decision(domain, ("joseph", "CONTOSO"), "Passw0rd!", 0).reason, Reason::NtlmBlocked);
    assert_eq!(ntlm_decision(domain, ("builder", "TFS01"), "B0ilder!", 0).reason, Reason::Ok);
}

/// The server challenge: the profile's fixed one, else the request's nonce; masked to 7-bit
/// bytes when `seven-bit-challenge` is set.
#[test]
fn the_server_challenge_is_the_profiles_or_the_nonce() {
    let fixed = [0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef];
    assert_eq!(super::server_challenge(&testing::profile(), [0xff; 8]), fixed);
    let seven = testing::profile_with("[ntlm]\nseven-bit-challenge = true");
    assert_eq!(super::server_challenge(&seven, [0xff; 8]), [0x01, 0x23, 0x45, 0x67, 0x09, 0x2b, 0x4d, 0x6f]);
    let mut random = testing::profile();
    random.ntlm.challenge = None;
    assert_eq!(super::server_challenge(&random, [0xf5; 8]), [0xf5; 8]);
}

/// The CHALLENGE carries the server's time as a FILETIME (100 ns since 1601) in its target
/// information (MsvAvTimestamp, MS-NLMP 2.2.2.1): here the profile's fixed 2026-01-01.
#[test]
fn the_challenge_carries_the_time_as_a_filetime() {
    let (_, d) =
        run(&testing::profile(), &case("type1", Reason::NtlmChallenge, 401).auth(format!("NTLM {CURL_TYPE1}")));
    let Reply::Answer(super::Answer::Handshake { token, .. }) = &d.answer else { panic!("{:?}", d.answer) };
    let filetime: u64 = (1_767_225_600u64 + 11_644_473_600) * 10_000_000;
    let mut av = vec![7, 0, 8, 0];
    av.extend_from_slice(&filetime.to_le_bytes());
    assert!(token.windows(av.len()).any(|w| w == av.as_slice()), "no MsvAvTimestamp {filetime} in the CHALLENGE");
}

/// `_apis/projectCollections/{collection}` (by name or id) shows a collection to its valid users
/// and to server administrators; any other is missing.
#[test]
fn one_collection_is_shown_to_its_users_and_administrators() {
    let profile = testing::profile();
    let id = profile.collection("DefaultCollection").unwrap().id;
    let joseph = |c: &str| {
        decide_with("", ("CONTOSO\\joseph", "star"), "GET", &format!("/tfs/_apis/projectCollections/{c}")).reason
    };
    assert_eq!(joseph("DefaultCollection"), Reason::Ok);
    assert_eq!(joseph(&id.to_string()), Reason::Ok);
    assert_eq!(joseph("Other"), Reason::ResourceNotFound);
    assert_eq!(joseph("Nowhere"), Reason::ResourceNotFound);
    let admin = decide_as("", "CONTOSO\\admin", "GET", "/tfs/_apis/projectCollections/Other");
    assert_eq!(admin.reason, Reason::Ok);
}
