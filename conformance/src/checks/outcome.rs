//! `outcome`: the exit status matches the expected outcome.

use super::{Check, CheckInput, CheckResult, Exit, Stage};
use crate::scenario::Outcome;

const NAME: &str = "outcome";

/// The check.
pub const CHECK: Check = Check {
    name: NAME,
    summary: "the exit status matches the expected outcome",
    stage: Stage::Ending,
    fix: "Exit 0 when the operation succeeded and non-zero when it failed.",
    run,
};

fn run(input: &CheckInput<'_>) -> CheckResult {
    let expected = input.case.scenario.expect.outcome;
    let server = match input.last_refusal() {
        Some(e) => format!("the server's last refusal was {} {}", e.status, e.reason),
        None => "the server refused nothing".to_owned(),
    };
    match (&input.observed.exit, expected) {
        (Exit::TimedOut, _) => {
            CheckResult::fail(NAME, format!("expected {}, the client never exited", expected.name()))
        }
        (Exit::SpawnFailed(why), _) => CheckResult::fail(NAME, format!("the client could not be started: {why}")),
        (Exit::Code(0), Outcome::Success) => CheckResult::pass(NAME, "exited 0 as expected"),
        (Exit::Code(code), Outcome::Success) => {
            CheckResult::fail(NAME, format!("expected success, the client exited {code}; {server}"))
        }
        (Exit::Code(0), Outcome::Failure) => {
            CheckResult::fail(NAME, format!("expected failure, the client exited 0 and so reported success; {server}"))
        }
        (Exit::Code(code), Outcome::Failure) => CheckResult::pass(NAME, format!("exited {code} as expected")),
        (Exit::Signal(signal), _) => {
            CheckResult::fail(NAME, format!("expected {}, the client was killed by signal {signal}", expected.name()))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::{Fixture, entry};
    use super::*;
    use crate::verdict::Verdict;

    #[test]
    fn exit_status_against_the_expected_outcome() {
        let mut f = Fixture::new(Outcome::Success);
        f.exit(Exit::Code(0));
        assert_eq!(f.check(run).verdict, Verdict::Pass);
        f.exit(Exit::Code(1));
        f.journal.push(entry(1, "GET", "/tfs/DefaultCollection/_apis/projects", 401, "basic.no_colon"));
        assert_eq!(
            f.check(run).detail,
            "expected success, the client exited 1; the server's last refusal was 401 basic.no_colon"
        );
        let mut f = Fixture::new(Outcome::Failure);
        f.exit(Exit::Code(0));
        assert_eq!(f.check(run).verdict, Verdict::Fail);
        f.exit(Exit::Code(3));
        assert_eq!(f.check(run).verdict, Verdict::Pass);
        f.exit(Exit::TimedOut);
        assert_eq!(f.check(run).verdict, Verdict::Fail);
    }

    #[test]
    fn the_last_refusal_is_the_last_row_of_status_400_or_more() {
        let mut f = Fixture::new(Outcome::Failure);
        f.exit(Exit::Code(0));
        assert_eq!(
            f.check(run).detail,
            "expected failure, the client exited 0 and so reported success; the server refused nothing"
        );
        f.journal.push(entry(1, "GET", "/p", 401, "auth.anonymous"));
        f.journal.push(entry(2, "GET", "/p", 400, "api_version.missing"));
        f.journal.push(entry(3, "GET", "/p", 302, "url.https_required"));
        f.journal.push(entry(4, "GET", "/p", 200, "ok"));
        assert_eq!(
            f.check(run).detail,
            "expected failure, the client exited 0 and so reported success; the server's last refusal was 400 api_version.missing"
        );
    }

    #[test]
    fn a_client_that_never_ran_to_its_end_fails_whatever_was_expected() {
        for expected in [Outcome::Success, Outcome::Failure] {
            let mut f = Fixture::new(expected);
            f.exit(Exit::TimedOut);
            assert_eq!(f.check(run).detail, format!("expected {}, the client never exited", expected.name()));
            f.exit(Exit::Signal(9));
            assert_eq!(f.check(run).detail, format!("expected {}, the client was killed by signal 9", expected.name()));
            f.exit(Exit::SpawnFailed("no such file".into()));
            assert_eq!(f.check(run).detail, "the client could not be started: no such file");
            assert_eq!(f.check(run).verdict, Verdict::Fail);
        }
        let mut f = Fixture::new(Outcome::Failure);
        f.exit(Exit::Code(3));
        assert_eq!(f.check(run).detail, "exited 3 as expected");
    }
}
