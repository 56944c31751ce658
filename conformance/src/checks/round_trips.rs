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
}
