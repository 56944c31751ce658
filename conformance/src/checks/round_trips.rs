//! `round-trips`: a `note` when the client sent a request without its credential, got 401,
//! and sent it again with the credential: a wasted round-trip per request (pre-emptive
//! authentication avoids it). Not a failure: some libraries always probe first.

use super::{Check, CheckInput, CheckResult, Stage};
use crate::verdict::Verdict;

const NAME: &str = "round-trips";

/// The check.
pub const CHECK: Check = Check {
    name: NAME,
    summary: "no anonymous probe before sending the credential (a note otherwise)",
    stage: Stage::Wire,
    fix: "Send the credential with the first request instead of probing anonymously first.",
    run,
};

fn run(input: &CheckInput<'_>) -> CheckResult {
    let auth = input.case.scenario.client.auth;
    if auth.schemes().is_empty() {
        return CheckResult::not_applicable(NAME, "the client was handed no credential");
    }
    let journal = &input.observed.journal;
    let probes: Vec<_> = journal
        .iter()
        .filter(|probe| probe.credential.scheme.is_none() && probe.status == 401)
        .filter(|probe| {
            // Mutation testing (docs/MUTANTS.md): `>=` here is an equivalent mutant, since the
            // only row with the probe's seq is the probe itself, which carries no credential.
            journal.iter().any(|later| {
                later.seq > probe.seq
                    && later.method == probe.method
                    && later.path == probe.path
                    && later.credential.scheme.is_some()
            })
        })
        .collect();
    match probes.first() {
        None => CheckResult::pass(NAME, "no anonymous probe before the credential"),
        Some(first) => CheckResult::new(
            NAME,
            Verdict::Note,
            format!(
                "{} extra round-trip(s): sent without a credential first, then again with it; first: {}",
                probes.len(),
                CheckInput::cite(first)
            ),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::{Fixture, entry, with_credential};
    use super::*;
    use crate::scenario::Outcome;

    #[test]
    fn an_anonymous_probe_is_a_note() {
        let mut f = Fixture::new(Outcome::Success);
        f.journal.push(entry(1, "GET", "/p", 401, "auth.anonymous"));
        assert_eq!(f.check(run).verdict, Verdict::Pass);
        f.journal.push(with_credential(entry(2, "GET", "/p", 200, "ok"), "Basic", Some(true), None));
        assert_eq!(f.check(run).verdict, Verdict::Note);
    }

    #[test]
    fn without_a_credential_it_does_not_apply() {
        let mut f = Fixture::new(Outcome::Success);
        f.auth(crate::scenario::AuthKind::None);
        f.journal.push(entry(1, "GET", "/p", 401, "auth.anonymous"));
        let r = f.check(run);
        assert_eq!((r.verdict, r.detail.as_str()), (Verdict::Pass, "n/a: the client was handed no credential"));
    }

    #[test]
    fn the_note_counts_the_probes_and_cites_the_first() {
        let mut f = Fixture::new(Outcome::Success);
        f.journal.push(entry(1, "GET", "/p", 401, "auth.anonymous"));
        f.journal.push(with_credential(entry(2, "GET", "/p", 200, "ok"), "Basic", Some(true), None));
        f.journal.push(entry(3, "GET", "/q", 401, "auth.anonymous"));
        f.journal.push(with_credential(entry(4, "GET", "/q", 200, "ok"), "Basic", Some(true), None));
        let r = f.check(run);
        assert_eq!(r.verdict, Verdict::Note);
        assert_eq!(
            r.detail,
            format!(
                "2 extra round-trip(s): sent without a credential first, then again with it; first: {}",
                CheckInput::cite(&f.journal[0])
            )
        );
    }

    #[test]
    fn a_probe_is_the_same_request_sent_again_later_with_a_credential() {
        let basic = |e| with_credential(e, "Basic", Some(true), None);
        let cases = [
            (
                "another path",
                vec![entry(1, "GET", "/p", 401, "auth.anonymous"), basic(entry(2, "GET", "/q", 200, "ok"))],
            ),
            (
                "another method",
                vec![entry(1, "GET", "/p", 401, "auth.anonymous"), basic(entry(2, "POST", "/p", 200, "ok"))],
            ),
            (
                "credential first",
                vec![basic(entry(1, "GET", "/p", 200, "ok")), entry(2, "GET", "/p", 401, "auth.anonymous")],
            ),
            ("served anonymously", vec![entry(1, "GET", "/p", 200, "ok"), basic(entry(2, "GET", "/p", 200, "ok"))]),
            (
                "never with a credential",
                vec![entry(1, "GET", "/p", 401, "auth.anonymous"), entry(2, "GET", "/p", 401, "auth.anonymous")],
            ),
        ];
        for (name, journal) in cases {
            let mut f = Fixture::new(Outcome::Success);
            f.journal = journal;
            let r = f.check(run);
            assert_eq!(
                (r.verdict, r.detail.as_str()),
                (Verdict::Pass, "no anonymous probe before the credential"),
                "{name}"
            );
        }
    }
}
