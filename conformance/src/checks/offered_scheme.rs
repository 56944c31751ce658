//! `offered-scheme`: the client answered only with schemes the server offered.
//!
//! # What is fair
//! Clients may authenticate pre-emptively: a PAT client sends Basic on its first request, an
//! NTLM client may open with a NEGOTIATE message. So a credential is acceptable when its scheme
//! was offered (`WWW-Authenticate`) by any earlier response of the run, or, while the server
//! has offered nothing yet, when it is a scheme of the credential the client was handed
//! (`pat`/`basic` -> Basic, `bearer` -> Bearer, `ntlm` -> NTLM or Negotiate, `negotiate` ->
//! Negotiate). Once the server has said what it accepts, a client that keeps sending another
//! scheme (Basic to an IIS that only offers Windows, NTLM where Windows authentication is off)
//! fails. Offers accumulate over the run rather than per connection, because clients open
//! new connections freely and the server's offer does not change between them.

use std::collections::BTreeSet;

use super::{Check, CheckInput, CheckResult, Stage};

const NAME: &str = "offered-scheme";

/// The check.
pub const CHECK: Check = Check {
    name: NAME,
    summary: "the client used only schemes the server offered",
    stage: Stage::Wire,
    fix: "After a 401, answer only with a scheme its `WWW-Authenticate` offered; before any offer, send only the scheme of the credential you were handed (a PAT goes as Basic).",
    run,
};

fn run(input: &CheckInput<'_>) -> CheckResult {
    let preemptive = input.case.scenario.client.auth.schemes();
    let mut offered: BTreeSet<String> = BTreeSet::new();
    let mut used = 0usize;
    let mut violations = Vec::new();
    for entry in &input.observed.journal {
        if let Some(scheme) = &entry.credential.scheme {
            used += 1;
            let lower = scheme.to_ascii_lowercase();
            let fair = offered.contains(&lower)
                || (offered.is_empty() && preemptive.iter().any(|s| s.eq_ignore_ascii_case(scheme)));
            if !fair {
                violations.push((entry, scheme.clone(), offered.iter().cloned().collect::<Vec<_>>()));
            }
        }
        offered.extend(entry.offered.iter().map(|s| s.to_ascii_lowercase()));
    }
    if used == 0 {
        return CheckResult::not_applicable(NAME, "no credential was sent");
    }
    match violations.first() {
        None => CheckResult::pass(NAME, format!("all {used} credential(s) used an offered or the handed scheme")),
        Some((entry, scheme, before)) => {
            let before = if before.is_empty() { "nothing yet".to_owned() } else { before.join(", ") };
            CheckResult::fail(
                NAME,
                format!(
                    "{} request(s) used a scheme the server had not offered; first: {scheme} in {} (offered so far: {before})",
                    violations.len(),
                    CheckInput::cite(entry)
                ),
            )
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::{Fixture, entry, offering, with_credential};
    use super::*;
    use crate::scenario::Outcome;
    use crate::verdict::Verdict;

    #[test]
    fn preemptive_handed_scheme_is_fair_but_not_after_the_offer() {
        let mut f = Fixture::new(Outcome::Success);
        // A PAT client: pre-emptive Basic, then refused with an offer of Windows schemes only.
        f.journal.push(offering(
            with_credential(entry(1, "GET", "/p", 401, "iis.anonymous_disabled"), "Basic", Some(true), None),
            &["Negotiate", "NTLM"],
        ));
        assert_eq!(f.check(run).verdict, Verdict::Pass);
        f.journal.push(with_credential(
            entry(2, "GET", "/p", 401, "iis.anonymous_disabled"),
            "Basic",
            Some(true),
            None,
        ));
        let r = f.check(run);
        assert_eq!(r.verdict, Verdict::Fail);
        assert!(r.detail.contains("Basic in #2"), "{}", r.detail);
        assert!(r.detail.contains("offered so far: negotiate, ntlm"), "{}", r.detail);
    }

    #[test]
    fn a_scheme_nobody_offered_and_not_handed_fails_at_once() {
        let mut f = Fixture::new(Outcome::Success);
        f.journal.push(with_credential(entry(1, "GET", "/p", 401, "bearer.not_supported"), "Bearer", None, None));
        assert_eq!(f.check(run).verdict, Verdict::Fail);
    }

    #[test]
    fn an_offered_scheme_is_fair_in_any_case_and_the_pass_counts_credentials() {
        let mut f = Fixture::new(Outcome::Success);
        f.journal.push(offering(entry(1, "GET", "/p", 401, "auth.anonymous"), &["NTLM"]));
        f.journal.push(offering(
            with_credential(entry(2, "GET", "/p", 401, "ntlm.challenge"), "ntlm", None, Some(1)),
            &["NTLM <token>"],
        ));
        f.journal.push(with_credential(entry(3, "GET", "/p", 200, "ok"), "NTLM", None, Some(3)));
        let r = f.check(run);
        assert_eq!(
            (r.verdict, r.detail.as_str()),
            (Verdict::Pass, "all 2 credential(s) used an offered or the handed scheme")
        );
    }

    #[test]
    fn the_handed_scheme_is_fair_only_before_any_offer() {
        let mut f = Fixture::new(Outcome::Success);
        // Offered Bearer first: the handed Basic is no longer pre-emptive.
        f.journal.push(offering(entry(1, "GET", "/p", 401, "auth.anonymous"), &["Bearer"]));
        f.journal.push(with_credential(entry(2, "GET", "/p", 401, "pat.unknown"), "Basic", Some(true), None));
        f.journal.push(with_credential(entry(3, "GET", "/p", 401, "pat.unknown"), "Basic", Some(true), None));
        let r = f.check(run);
        assert_eq!(
            r.detail,
            "2 request(s) used a scheme the server had not offered; first: Basic in #2 GET /p -> 401 pat.unknown (offered so far: bearer)"
        );
    }

    #[test]
    fn without_a_credential_it_does_not_apply_and_a_first_violation_says_nothing_was_offered() {
        let mut f = Fixture::new(Outcome::Success);
        f.journal.push(offering(entry(1, "GET", "/p", 401, "auth.anonymous"), &["NTLM"]));
        assert_eq!(f.check(run).detail, "n/a: no credential was sent");
        let mut f = Fixture::new(Outcome::Success);
        f.journal.push(with_credential(entry(1, "GET", "/p", 401, "auth.anonymous"), "Digest", None, None));
        assert!(f.check(run).detail.ends_with("(offered so far: nothing yet)"), "{}", f.check(run).detail);
    }
}
