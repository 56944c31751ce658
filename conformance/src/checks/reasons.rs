//! `reasons`: the server produced every reason the scenario expects (so the case provably
//! exercised its cause) and none it forbids.

use std::collections::BTreeSet;

use super::{Check, CheckInput, CheckResult, Stage};

const NAME: &str = "reasons";

/// The check.
pub const CHECK: Check = Check {
    name: NAME,
    summary: "the server produced the expected reasons and no forbidden one",
    stage: Stage::Exchange,
    fix: "The server never met the scenario's cause: compare the transcript with the scenario's cause; the client took another path than the one the scenario exercises.",
    run,
};

fn run(input: &CheckInput<'_>) -> CheckResult {
    let expect = &input.case.scenario.expect;
    if expect.reasons.is_empty() && expect.any_reasons.is_empty() && expect.forbid_reasons.is_empty() {
        return CheckResult::not_applicable(NAME, "the scenario expects no reasons");
    }
    let journal = &input.observed.journal;
    let produced: BTreeSet<&str> = journal.iter().map(|e| e.reason.code()).collect();
    let produced_text = if produced.is_empty() {
        "no request reached the server".to_owned()
    } else {
        format!("produced: {}", join(&produced))
    };
    let missing: Vec<&str> = expect.reasons.iter().map(|r| r.code()).filter(|c| !produced.contains(c)).collect();
    if !missing.is_empty() {
        return CheckResult::fail(NAME, format!("the server never answered {} ({produced_text})", missing.join(", ")));
    }
    if !expect.any_reasons.is_empty() && !expect.any_reasons.iter().any(|r| produced.contains(r.code())) {
        let any: Vec<&str> = expect.any_reasons.iter().map(|r| r.code()).collect();
        return CheckResult::fail(NAME, format!("the server answered none of {} ({produced_text})", any.join(", ")));
    }
    if let Some(first) = journal.iter().find(|e| expect.forbid_reasons.contains(&e.reason)) {
        return CheckResult::fail(
            NAME,
            format!("the server answered forbidden {}: {}", first.reason, CheckInput::cite(first)),
        );
    }
    let wanted: Vec<&str> = expect
        .reasons
        .iter()
        .chain(expect.any_reasons.iter().filter(|r| produced.contains(r.code())))
        .map(|r| r.code())
        .collect();
    if wanted.is_empty() {
        CheckResult::pass(NAME, format!("no forbidden reason ({produced_text})"))
    } else {
        CheckResult::pass(NAME, format!("the server answered {}", wanted.join(", ")))
    }
}

fn join(set: &BTreeSet<&str>) -> String {
    set.iter().copied().collect::<Vec<_>>().join(", ")
}

#[cfg(test)]
mod tests {
    use super::super::testing::{Fixture, entry};
    use super::*;
    use crate::scenario::Outcome;
    use crate::verdict::Verdict;

    #[test]
    fn expected_reasons_must_appear() {
        let mut f = Fixture::new(Outcome::Success);
        f.expect_reasons(&["ok"], &["basic.no_colon"]);
        f.journal.push(entry(1, "GET", "/p", 401, "auth.anonymous"));
        let r = f.check(run);
        assert_eq!(
            (r.verdict, r.detail.as_str()),
            (Verdict::Fail, "the server never answered ok (produced: auth.anonymous)")
        );
        f.journal.push(entry(2, "GET", "/p", 200, "ok"));
        assert_eq!(f.check(run).verdict, Verdict::Pass);
        f.journal.push(entry(3, "GET", "/p", 401, "basic.no_colon"));
        assert_eq!(
            f.check(run).detail,
            "the server answered forbidden basic.no_colon: #3 GET /p -> 401 basic.no_colon"
        );
    }

    #[test]
    fn one_of_the_any_reasons_must_appear() {
        let mut f = Fixture::new(Outcome::Failure);
        f.expect_any_reasons(&["iis.provider_not_enabled", "auth.anonymous"]);
        f.journal.push(entry(1, "GET", "/p", 401, "pat.scope"));
        let r = f.check(run);
        assert_eq!(
            (r.verdict, r.detail.as_str()),
            (
                Verdict::Fail,
                "the server answered none of iis.provider_not_enabled, auth.anonymous (produced: pat.scope)"
            )
        );
        f.journal.push(entry(2, "GET", "/p", 401, "auth.anonymous"));
        assert_eq!(f.check(run).verdict, Verdict::Pass);
        assert_eq!(f.check(run).detail, "the server answered auth.anonymous");
    }

    #[test]
    fn without_expectations_it_does_not_apply() {
        let mut f = Fixture::new(Outcome::Success);
        f.journal.push(entry(1, "GET", "/p", 401, "auth.anonymous"));
        assert_eq!(f.check(run).detail, "n/a: the scenario expects no reasons");
    }

    #[test]
    fn each_kind_of_expectation_alone_is_judged() {
        // Only forbidden reasons.
        let mut f = Fixture::new(Outcome::Failure);
        f.expect_reasons(&[], &["identity.locked_out"]);
        f.journal.push(entry(1, "GET", "/p", 401, "pat.scope"));
        f.journal.push(entry(2, "GET", "/p", 401, "auth.anonymous"));
        let r = f.check(run);
        assert_eq!(
            (r.verdict, r.detail.as_str()),
            (Verdict::Pass, "no forbidden reason (produced: auth.anonymous, pat.scope)")
        );
        f.journal.push(entry(3, "GET", "/p", 401, "identity.locked_out"));
        assert_eq!(f.check(run).verdict, Verdict::Fail);
        // Only wanted reasons, nothing reached the server.
        let mut f = Fixture::new(Outcome::Failure);
        f.expect_reasons(&["pat.scope", "ok"], &[]);
        assert_eq!(f.check(run).detail, "the server never answered pat.scope, ok (no request reached the server)");
        f.journal.push(entry(1, "GET", "/p", 401, "pat.scope"));
        assert_eq!(f.check(run).detail, "the server never answered ok (produced: pat.scope)");
        f.journal.push(entry(2, "GET", "/p", 200, "ok"));
        assert_eq!(f.check(run).detail, "the server answered pat.scope, ok");
        // Wanted and any-of together: both must hold, and the pass names what was met.
        f.expect_reasons(&["ok"], &[]);
        f.expect_any_reasons(&["auth.anonymous", "pat.scope"]);
        assert_eq!(f.check(run).detail, "the server answered ok, pat.scope");
        f.expect_any_reasons(&["auth.anonymous"]);
        assert_eq!(f.check(run).verdict, Verdict::Fail);
    }
}
