//! `tls-verification`: against a certificate a verifying client must refuse (the scenario's
//! `[server.tls] trust-failure`: expired, for another host name, or from a CA the client was
//! not given), no request may reach the server over https. One that does means the client
//! turned certificate verification off (`curl -k`, `verify=False`, `NODE_TLS_REJECT_UNAUTHORIZED=0`,
//! `http.sslVerify=false`): a man in the middle would get its credentials. That is `insecure`.

use ado_mock_server::profile::TrustFailure;

use super::{Check, CheckInput, CheckResult, Stage};
use crate::verdict::Verdict;

const NAME: &str = "tls-verification";

/// The check.
pub const CHECK: Check = Check {
    name: NAME,
    summary: "a certificate the client must refuse (expired, wrong host, unknown CA) is refused: no request gets through",
    stage: Stage::Wire,
    fix: "Keep certificate verification on: give the client the server's CA (CA bundle, REQUESTS_CA_BUNDLE, GIT_SSL_CAINFO, NODE_EXTRA_CA_CERTS) instead of -k, verify=False or http.sslVerify=false.",
    run,
};

fn what(failure: TrustFailure) -> &'static str {
    match failure {
        TrustFailure::WrongHost => "a certificate for another host name",
        TrustFailure::Expired => "an expired certificate",
        TrustFailure::UnknownCa => "a certificate from a CA it was not given",
    }
}

fn run(input: &CheckInput<'_>) -> CheckResult {
    let tls = &input.case.profile.tls;
    if !tls.enabled {
        return CheckResult::not_applicable(NAME, "the server speaks plain http");
    }
    let Some(failure) = tls.trust_failure else {
        return CheckResult::not_applicable(NAME, "the server's certificate is valid for the client");
    };
    let observed = input.observed;
    let over_tls: Vec<_> = observed.journal.iter().filter(|e| e.scheme == "https").collect();
    if let Some(first) = over_tls.first() {
        let credential =
            if over_tls.iter().any(|e| e.credential.scheme.is_some()) { ", credentials included" } else { "" };
        return CheckResult::new(
            NAME,
            Verdict::Insecure,
            format!(
                "the server presented {} and the client sent {} request(s) over it anyway{credential} (first: {}): \
                 certificate verification is off",
                what(failure),
                over_tls.len(),
                CheckInput::cite(first)
            ),
        );
    }
    let refusal = match observed.tls_handshake_failures.first() {
        Some(first) => format!(" (server saw: {first})"),
        None => String::new(),
    };
    CheckResult::pass(NAME, format!("the client refused {}{refusal}", what(failure)))
}

#[cfg(test)]
mod tests {
    use super::super::testing::{Fixture, entry, with_credential};
    use super::*;
    use crate::scenario::Outcome;

    fn over_https(mut e: ado_mock_server::JournalEntry) -> ado_mock_server::JournalEntry {
        e.scheme = "https".into();
        e
    }

    #[test]
    fn a_request_through_a_bad_certificate_is_insecure() {
        let mut f = Fixture::new(Outcome::Failure);
        assert!(f.check(run).detail.starts_with("n/a"), "plain http: nothing to verify");
        f.tls(Some(TrustFailure::Expired));
        f.tls_handshake_failures.push("received fatal alert: CertificateExpired".into());
        let passed = f.check(run);
        assert_eq!(passed.verdict, Verdict::Pass);
        assert_eq!(
            passed.detail,
            "the client refused an expired certificate (server saw: received fatal alert: CertificateExpired)"
        );
        let e =
            over_https(with_credential(entry(1, "GET", "/tfs/x", 401, "auth.anonymous"), "Basic", Some(true), None));
        f.journal.push(e);
        let caught = f.check(run);
        assert_eq!(caught.verdict, Verdict::Insecure);
        assert!(caught.detail.contains("an expired certificate") && caught.detail.contains("credentials included"));
    }

    #[test]
    fn plain_http_requests_do_not_count_and_valid_certificates_are_not_judged() {
        let mut f = Fixture::new(Outcome::Failure);
        f.tls(Some(TrustFailure::UnknownCa));
        f.journal.push(entry(1, "GET", "/tfs/x", 302, "url.https_required"));
        assert_eq!(f.check(run).verdict, Verdict::Pass);
        f.tls(None);
        f.journal.push(over_https(entry(2, "GET", "/tfs/x", 200, "ok")));
        assert!(f.check(run).detail.starts_with("n/a"));
    }

    #[test]
    fn every_trust_failure_is_named_and_a_request_without_credential_says_so() {
        for (failure, what) in [
            (TrustFailure::WrongHost, "a certificate for another host name"),
            (TrustFailure::Expired, "an expired certificate"),
            (TrustFailure::UnknownCa, "a certificate from a CA it was not given"),
        ] {
            let mut f = Fixture::new(Outcome::Failure);
            f.tls(Some(failure));
            assert_eq!(f.check(run).detail, format!("the client refused {what}"));
            f.journal.push(over_https(entry(1, "GET", "/tfs/x", 401, "auth.anonymous")));
            f.journal.push(over_https(entry(2, "GET", "/tfs/y", 401, "auth.anonymous")));
            let r = f.check(run);
            assert_eq!(r.verdict, Verdict::Insecure);
            assert_eq!(
                r.detail,
                format!(
                    "the server presented {what} and the client sent 2 request(s) over it anyway (first: #1 GET /tfs/x -> 401 auth.anonymous): certificate verification is off"
                )
            );
        }
    }

    #[test]
    fn tls_without_a_trust_failure_is_not_judged() {
        let mut f = Fixture::new(Outcome::Success);
        f.tls(None);
        assert_eq!(f.check(run).detail, "n/a: the server's certificate is valid for the client");
        let f = Fixture::new(Outcome::Success);
        assert_eq!(f.check(run).detail, "n/a: the server speaks plain http");
    }
}
