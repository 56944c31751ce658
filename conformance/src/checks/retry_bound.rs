//! `retry-bound`: after a refusal the client stopped within a bound: no more requests than
//! `expect.max-requests`, and no identical refusal more than [`REPEAT_LIMIT`] times (a retry
//! storm with a wrong password locks the account).
//!
//! Identical means the same method, path, reason and credential shape. NTLM challenges are
//! handshake steps, not refusals.

use std::collections::BTreeMap;

use ado_mock_server::{JournalEntry, Reason};

use super::{Check, CheckInput, CheckResult, Stage};

const NAME: &str = "retry-bound";
/// How often one identical refusal may be seen (the first answer and two retries).
pub const REPEAT_LIMIT: usize = 3;

/// The check.
pub const CHECK: Check = Check {
    name: NAME,
    summary: "after a refusal the client stopped within a bound",
    stage: Stage::Wire,
    fix: "Stop after a refusal: the same credential gets the same 401, and retries lock accounts; retry at most a few times and never in a loop.",
    run,
};

type Shape<'a> = (&'a str, &'a str, Reason, Option<&'a str>, Option<bool>, Option<u8>);

fn shape(e: &JournalEntry) -> Shape<'_> {
    let c = &e.credential;
    (&e.method, &e.path, e.reason, c.scheme.as_deref(), c.basic_colon, c.ntlm_message)
}

fn run(input: &CheckInput<'_>) -> CheckResult {
    let journal = &input.observed.journal;
    let total = journal.len();
    let bound = input.case.scenario.expect.max_requests;
    if let Some(max) = bound
        && total > max as usize
    {
        return CheckResult::fail(NAME, format!("{total} requests, more than max-requests = {max}"));
    }
    let mut repeats: BTreeMap<Shape<'_>, (usize, &JournalEntry)> = BTreeMap::new();
    for e in journal.iter().filter(|e| e.status >= 400 && e.reason != Reason::NtlmChallenge) {
        repeats.entry(shape(e)).or_insert((0, e)).0 += 1;
    }
    let storm = repeats.values().filter(|(n, _)| *n > REPEAT_LIMIT).max_by_key(|(n, e)| (*n, std::cmp::Reverse(e.seq)));
    if let Some((count, first)) = storm {
        return CheckResult::fail(
            NAME,
            format!(
                "the same refusal came back {count} times (limit {REPEAT_LIMIT}); first: {}",
                CheckInput::cite(first)
            ),
        );
    }
    match bound {
        Some(max) => CheckResult::pass(NAME, format!("{total} request(s), within max-requests = {max}")),
        None => {
            CheckResult::pass(NAME, format!("{total} request(s); no refusal repeated more than {REPEAT_LIMIT} times"))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::{Fixture, entry};
    use super::*;
    use crate::scenario::Outcome;
    use crate::verdict::Verdict;

    #[test]
    fn bounds_requests_and_identical_refusals() {
        let mut f = Fixture::new(Outcome::Failure);
        for seq in 1..=4 {
            f.journal.push(entry(seq, "GET", "/p", 401, "pat.expired"));
        }
        let r = f.check(run);
        assert_eq!(r.verdict, Verdict::Fail);
        assert!(r.detail.starts_with("the same refusal came back 4 times"), "{}", r.detail);
        f.journal.pop();
        assert_eq!(f.check(run).verdict, Verdict::Pass);
        f.max_requests(2);
        assert_eq!(f.check(run).detail, "3 requests, more than max-requests = 2");
    }

    #[test]
    fn exactly_max_requests_passes() {
        let mut f = Fixture::new(Outcome::Failure);
        for seq in 1..=3 {
            f.journal.push(entry(seq, "GET", "/p", 401, "pat.expired"));
        }
        f.max_requests(3);
        let r = f.check(run);
        assert_eq!((r.verdict, r.detail.as_str()), (Verdict::Pass, "3 request(s), within max-requests = 3"));
        f.max_requests(4);
        assert_eq!(f.check(run).verdict, Verdict::Pass);
    }

    #[test]
    fn without_a_bound_the_pass_says_what_was_counted() {
        let mut f = Fixture::new(Outcome::Success);
        f.journal.push(entry(1, "GET", "/p", 200, "ok"));
        let r = f.check(run);
        assert_eq!(
            (r.verdict, r.detail.as_str()),
            (Verdict::Pass, "1 request(s); no refusal repeated more than 3 times")
        );
    }

    #[test]
    fn only_refusals_count_and_challenges_are_not_refusals() {
        for (status, reason, verdict) in [
            (400, "api_version.missing", Verdict::Fail),
            (302, "url.https_required", Verdict::Pass),
            (401, "ntlm.challenge", Verdict::Pass),
            (200, "ok", Verdict::Pass),
        ] {
            let mut f = Fixture::new(Outcome::Failure);
            for seq in 1..=4 {
                f.journal.push(entry(seq, "GET", "/p", status, reason));
            }
            assert_eq!(f.check(run).verdict, verdict, "{status} {reason}");
        }
    }

    #[test]
    fn refusals_of_different_shapes_are_counted_apart() {
        let mut f = Fixture::new(Outcome::Failure);
        for seq in 1..=4 {
            let path = if seq % 2 == 0 { "/a" } else { "/b" };
            f.journal.push(entry(seq, "GET", path, 401, "pat.expired"));
        }
        assert_eq!(f.check(run).verdict, Verdict::Pass);
    }

    #[test]
    fn the_worst_storm_is_reported_then_the_earliest() {
        let mut f = Fixture::new(Outcome::Failure);
        for seq in 1..=4 {
            f.journal.push(entry(seq, "GET", "/a", 401, "pat.expired"));
        }
        for seq in 5..=9 {
            f.journal.push(entry(seq, "GET", "/b", 401, "pat.expired"));
        }
        for seq in 10..=14 {
            f.journal.push(entry(seq, "GET", "/c", 401, "pat.expired"));
        }
        let r = f.check(run);
        assert_eq!(
            r.detail,
            format!("the same refusal came back 5 times (limit 3); first: {}", CheckInput::cite(&f.journal[4]))
        );
    }
}
