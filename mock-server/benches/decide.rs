//! `decide` once per reason code: one representative request per code, after the unit tests'
//! decision table (`mock-server/src/auth/decide_tests.rs`), against the integration tests'
//! rich profile. Facts are built before timing: this is the pure decision alone.

// Each bench uses part of the shared support module.
#[allow(dead_code)]
mod support;

use std::collections::BTreeSet;
use std::hint::black_box;
use std::time::Duration;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use criterion::{Criterion, criterion_group, criterion_main};

use ado_mock_server::auth::{ConnectionAuth, RequestFacts, acceptor_config};
use ado_mock_server::http::extract;
use ado_mock_server::ntlm::{self, Step, StepInput};
use ado_mock_server::profile::Provider;
use ado_mock_server::{Profile, Reason, decide};
use support::{basic, pat};

/// curl's NTLM NEGOTIATE (ntlm-facts 2.1).
const CURL_TYPE1: &str = "TlRMTVNTUAABAAAABoIIAAAAAAAAAAAAAAAAAAAAAAA=";
/// curl test67's NTLMv1 AUTHENTICATE (ntlm-facts 3.5).
const CURL_V1_TYPE3: &str = "TlRMTVNTUAADAAAAGAAYAEAAAAAYABgAWAAAAAAAAABwAAAACAAIAHAAAAALAAsAeAAAAAAAAAAAAAAAhoIBAFpkQwKRCZFMhjj0tw47wEjKHRHlvzfxQamFcheMuv8v+xeqphEO5V41xRd7R9deOXRlc3R1c2VyV09SS1NUQVRJT04=";

/// One request whose decision has the reason `reason`.
struct Row {
    reason: Reason,
    overrides: &'static str,
    method: &'static str,
    uri: &'static str,
    headers: Vec<(&'static str, String)>,
    connection: ConnectionAuth,
    failed_logons: u32,
}

fn row(reason: Reason) -> Row {
    Row {
        reason,
        overrides: "",
        method: "GET",
        uri: "/tfs/DefaultCollection/_apis/projects",
        headers: Vec::new(),
        connection: ConnectionAuth::None,
        failed_logons: 0,
    }
}

impl Row {
    fn uri(self, uri: &'static str) -> Self {
        Self { uri, ..self }
    }
    fn post(self) -> Self {
        Self { method: "POST", ..self }
    }
    fn profile(self, overrides: &'static str) -> Self {
        Self { overrides, ..self }
    }
    fn json(self) -> Self {
        self.header("accept", "application/json")
    }
    fn header(mut self, name: &'static str, value: impl Into<String>) -> Self {
        self.headers.push((name, value.into()));
        self
    }
    fn auth(self, value: impl Into<String>) -> Self {
        self.header("authorization", value)
    }
    fn pat(self, token: &str) -> Self {
        self.auth(basic(&format!(":{token}")))
    }
}

/// A connection that has just been sent a CHALLENGE for curl's NEGOTIATE.
fn pending(profile: &Profile) -> ConnectionAuth {
    let token = STANDARD.decode(CURL_TYPE1).expect("valid base64");
    let input = StepInput {
        token: &token,
        negotiate_scheme: false,
        pending: None,
        server_challenge: [1; 8],
        timestamp: 0,
        channel_bindings: Default::default(),
    };
    match ntlm::step(&acceptor_config(profile), input, &|_, _| None) {
        Step::Continue { pending, .. } => {
            ConnectionAuth::Pending { scheme: Provider::Ntlm, handshake: Box::new(pending) }
        }
        other => panic!("a NEGOTIATE starts a handshake, got {other:?}"),
    }
}

fn rows(p: &Profile) -> Vec<Row> {
    let full = pat(p, "CONTOSO\\joseph", "full");
    let star = pat(p, "CONTOSO\\joseph", "star");
    let joseph = |name| pat(p, "CONTOSO\\joseph", name);
    let kerberos = ntlm::spnego::build_init(&[ntlm::spnego::KRB5_OID], None).expect("valid OID");
    let iis_basic = "[iis]\nbasic = true";
    vec![
        row(Reason::Ok).pat(&full),
        row(Reason::AuthAnonymous),
        row(Reason::BasicNoColon).auth(basic(&full)),
        row(Reason::BasicNotBase64).auth("Basic not*base64"),
        row(Reason::BasicPasswordNotPat).auth(basic("CONTOSO\\joseph:Passw0rd!")),
        row(Reason::BearerNotSupported).auth(format!("Bearer {full}")),
        row(Reason::PatUnknown).pat(&"q".repeat(52)),
        row(Reason::PatRevoked).pat(&joseph("revoked")),
        row(Reason::PatExpired).header("accept", "application/json;api-version=7.0").pat(&joseph("expired")),
        row(Reason::PatScope).uri("/tfs/DefaultCollection/Fabrikam/_apis/git/repositories").pat(&joseph("work")),
        row(Reason::PatWrongCollection).pat(&joseph("other")),
        row(Reason::IdentityDisabled).pat(&pat(p, "CONTOSO\\gone", "full")),
        Row { failed_logons: 3, ..row(Reason::IdentityLockedOut).profile(iis_basic) }
            .auth(basic("CONTOSO\\locked:L0cked!")),
        row(Reason::MembershipNotValidUser).json().pat(&pat(p, "CONTOSO\\outsider", "full")),
        row(Reason::PermissionDenied)
            .post()
            .uri("/tfs/DefaultCollection/_apis/projects?api-version=7.0")
            .json()
            .pat(&full),
        row(Reason::PermissionHidden).uri("/tfs/DefaultCollection/_apis/projects/Secret").json().pat(&full),
        row(Reason::IisAnonymousDisabled).profile("[iis]\nanonymous = false").pat(&full),
        row(Reason::IisBasicIntercepts).profile(iis_basic).pat(&full),
        row(Reason::IisNoMethod).profile("[iis]\nanonymous = false\nwindows = false\nbasic = false"),
        row(Reason::IisProviderNotEnabled).profile("[iis]\nwindows = false").auth(format!("NTLM {CURL_TYPE1}")),
        row(Reason::NtlmChallenge).auth(format!("NTLM {CURL_TYPE1}")),
        row(Reason::NtlmBadResponse).auth("NTLM bm90IGFuIE5UTE0gdG9rZW4="),
        Row { connection: pending(p), ..row(Reason::NtlmV1Refused) }.auth(format!("NTLM {CURL_V1_TYPE3}")),
        row(Reason::NtlmNoHandshake).auth(format!("NTLM {CURL_V1_TYPE3}")),
        row(Reason::NtlmUnsupportedMech).auth(format!("Negotiate {}", STANDARD.encode(kerberos))),
        row(Reason::UrlNoCollection).uri("/tfs/_apis/projects").pat(&star),
        row(Reason::UrlUnknownCollection).uri("/tfs/NoSuchCollection/_apis/projects").pat(&star),
        row(Reason::CollectionStopped).uri("/tfs/Frozen/_apis/projects").json().pat(&star),
        row(Reason::ApiVersionOutOfRange)
            .uri("/tfs/DefaultCollection/_apis/projects?api-version=7.1")
            .json()
            .pat(&full),
        row(Reason::ApiVersionMissing).post().json().pat(&full),
        row(Reason::ApiVersionPreviewRequired)
            .profile("release = \"ads2022.1\"")
            .header("accept", "application/json;api-version=7.1")
            .pat(&full),
        row(Reason::ApiVersionMalformed)
            .uri("/tfs/DefaultCollection/_apis/projects?api-version=latest")
            .json()
            .pat(&full),
        row(Reason::RouteNotFound).uri("/tfs/DefaultCollection/_apis/nothing/here").json().pat(&full),
        row(Reason::ResourceNotFound).uri("/tfs/DefaultCollection/_apis/projects/NoSuchProject").json().pat(&full),
    ]
}

/// The row's profile and facts, checked to decide as the row says.
fn prepare(base: &Profile, row: &Row) -> (Profile, RequestFacts) {
    let profile = if row.overrides.is_empty() { base.clone() } else { support::profile_with(row.overrides) };
    let parts = support::parts(row.method, row.uri, &row.headers);
    let (facts, _) = extract::facts(&profile, &parts, (7, row.connection.clone(), None), support::NOW, [0x42; 8]);
    let failed = row.failed_logons;
    let got = decide(&profile, &facts, &|_| failed).reason;
    assert_eq!(got, row.reason, "the bench row for {} decides {got} instead", row.reason);
    (profile, facts)
}

fn bench_decide(c: &mut Criterion) {
    let base = support::profile_with("");
    let rows = rows(&base);
    let covered: BTreeSet<Reason> = rows.iter().map(|r| r.reason).collect();
    let missing: Vec<&str> =
        Reason::ALL.iter().filter(|r| !r.is_limit() && !covered.contains(r)).map(|r| r.code()).collect();
    assert!(missing.is_empty(), "reason codes without a bench row: {missing:?}");
    let mut group = c.benchmark_group("decide");
    for row in &rows {
        let (profile, facts) = prepare(&base, row);
        let failed = row.failed_logons;
        group.bench_function(row.reason.code(), |b| {
            b.iter(|| decide(black_box(&profile), black_box(&facts), &|_| failed))
        });
    }
    group.finish();
}

criterion_group! {
    name = benches;
    // Short windows: 34 rows must fit the bench budget (BENCHMARKS.md); criterion's own
    // confidence intervals say when that was too short.
    config = Criterion::default().warm_up_time(Duration::from_millis(300)).measurement_time(Duration::from_secs(1));
    targets = bench_decide
}
criterion_main!(benches);
