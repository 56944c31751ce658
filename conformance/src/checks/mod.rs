//! The named checks (`conformance/README.md` "Checks"), one per file. Each is a pure function of
//! the case, the client's exit and output, and the server's journal, returning a verdict and a
//! one-line detail. A check that does not apply passes with a detail saying why.
//!
//! A case's verdict is its worst check's ([`Verdict`] is ordered).

mod api_version;
mod basic_colon;
mod collection_in_path;
pub mod input;
mod leftover_process;
mod message;
mod no_secret_leak;
mod ntlm_connection;
mod offered_scheme;
mod outcome;
mod reasons;
mod retry_bound;
mod round_trips;
mod timeout;
mod tls_verification;

use serde::{Deserialize, Serialize};

pub use input::{Captured, CheckInput, Exit, Leftover, Observation};

use crate::verdict::Verdict;

/// The result of one check.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckResult {
    /// The check's name, e.g. `basic-colon`.
    pub name: String,
    /// Its verdict.
    pub verdict: Verdict,
    /// What it found, in one line.
    pub detail: String,
}

impl CheckResult {
    /// A result.
    pub fn new(name: &str, verdict: Verdict, detail: impl Into<String>) -> Self {
        Self { name: name.to_owned(), verdict, detail: detail.into() }
    }

    /// A passing result.
    pub fn pass(name: &str, detail: impl Into<String>) -> Self {
        Self::new(name, Verdict::Pass, detail)
    }

    /// A failing result.
    pub fn fail(name: &str, detail: impl Into<String>) -> Self {
        Self::new(name, Verdict::Fail, detail)
    }

    /// A pass for a check that does not apply to the case.
    pub fn not_applicable(name: &str, why: impl std::fmt::Display) -> Self {
        Self::pass(name, format!("n/a: {why}"))
    }
}

/// Where a check's finding sits in the chain of cause and effect, for grouping failures by
/// root cause: a wire violation (a Basic header without `:`) comes before what the server then
/// produced (not the reason the scenario is about), which comes before how the client ended
/// (it exits 1 with an unexpected message). Ordered: the earliest stage is the root.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Stage {
    /// Something the client did on the wire or as a process (a header, a connection, a leak,
    /// a hang).
    Wire,
    /// What the exchange produced on the server (the reasons the scenario expects): usually
    /// the consequence of a wire violation, else the sign that the client took another path.
    Exchange,
    /// How the client ended (exit status, message): the last link of the chain.
    Ending,
}

/// A named check.
pub struct Check {
    /// Its name in reports.
    pub name: &'static str,
    /// What it verifies, for the docs and reports.
    pub summary: &'static str,
    /// Cause or consequence.
    pub stage: Stage,
    /// What a client failing it should do, in one or two sentences (shown with every failure
    /// group whose root cause this check is).
    pub fix: &'static str,
    /// The check.
    pub run: fn(&CheckInput<'_>) -> CheckResult,
}

/// Every check, in report order.
pub const CHECKS: &[Check] = &[
    outcome::CHECK,
    message::CHECK,
    reasons::CHECK,
    basic_colon::CHECK,
    offered_scheme::CHECK,
    ntlm_connection::CHECK,
    retry_bound::CHECK,
    round_trips::CHECK,
    api_version::CHECK,
    collection_in_path::CHECK,
    no_secret_leak::CHECK,
    tls_verification::CHECK,
    timeout::CHECK,
    leftover_process::CHECK,
];

/// The check named `name`.
pub fn by_name(name: &str) -> Option<&'static Check> {
    CHECKS.iter().find(|c| c.name == name)
}

/// The root cause among a case's failing checks (verdict `fail` or worse): the worst verdict
/// first (a leak before anything else), then wire violations before consequences, then the
/// report order. `None` when no check failed.
pub fn root_cause(checks: &[CheckResult]) -> Option<&CheckResult> {
    let rank = |c: &CheckResult| {
        let position = CHECKS.iter().position(|k| k.name == c.name);
        let stage = position.map_or(Stage::Wire, |i| CHECKS[i].stage);
        (std::cmp::Reverse(c.verdict), stage, position.unwrap_or(usize::MAX))
    };
    checks.iter().filter(|c| c.verdict.is_failure()).min_by_key(|c| rank(c))
}

/// Runs every check.
pub fn judge(input: &CheckInput<'_>) -> Vec<CheckResult> {
    CHECKS.iter().map(|c| (c.run)(input)).collect()
}

/// The worst verdict of `checks` (`pass` when there are none).
pub fn worst(checks: &[CheckResult]) -> Verdict {
    checks.iter().map(|c| c.verdict).max().unwrap_or(Verdict::Pass)
}

#[cfg(test)]
pub(crate) mod testing;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_root_cause_is_the_wire_violation_not_its_consequence() {
        let checks = vec![
            CheckResult::fail("outcome", "exited 1"),
            CheckResult::fail("message", "vague"),
            CheckResult::fail("basic-colon", "no colon"),
            CheckResult::pass("timeout", "ok"),
        ];
        assert_eq!(root_cause(&checks).map(|c| c.name.as_str()), Some("basic-colon"));
        let leak = CheckResult::new("no-secret-leak", Verdict::Insecure, "leaked");
        let with_leak: Vec<CheckResult> = checks.iter().cloned().chain([leak]).collect();
        assert_eq!(root_cause(&with_leak).map(|c| c.name.as_str()), Some("no-secret-leak"));
        let consequences = vec![CheckResult::fail("message", "vague"), CheckResult::fail("outcome", "exited 1")];
        assert_eq!(root_cause(&consequences).map(|c| c.name.as_str()), Some("outcome"));
        let skipped_cause =
            vec![CheckResult::fail("outcome", "exited 0"), CheckResult::fail("reasons", "never saw it")];
        assert_eq!(root_cause(&skipped_cause).map(|c| c.name.as_str()), Some("reasons"));
        assert!(root_cause(&[CheckResult::pass("outcome", "ok")]).is_none());
    }

    #[test]
    fn checks_are_found_by_name_and_judge_runs_each_once_in_order() {
        assert_eq!(by_name("no-secret-leak").map(|c| c.name), Some("no-secret-leak"));
        assert!(by_name("no-such-check").is_none());
        let f = testing::Fixture::new(crate::scenario::Outcome::Success);
        let names: Vec<String> = f.check_all().into_iter().map(|r| r.name).collect();
        assert_eq!(names, CHECKS.iter().map(|c| c.name.to_owned()).collect::<Vec<_>>());
    }

    #[test]
    fn an_unknown_check_ranks_as_a_wire_violation_after_the_known_ones() {
        let checks = vec![CheckResult::fail("someone-elses", "x"), CheckResult::fail("outcome", "exited 1")];
        assert_eq!(root_cause(&checks).map(|c| c.name.as_str()), Some("someone-elses"));
        let checks = vec![CheckResult::fail("someone-elses", "x"), CheckResult::fail("basic-colon", "no colon")];
        assert_eq!(root_cause(&checks).map(|c| c.name.as_str()), Some("basic-colon"));
        assert_eq!(worst(&checks), Verdict::Fail);
        assert_eq!(worst(&[]), Verdict::Pass);
    }

    #[test]
    fn every_check_says_what_to_do() {
        for c in CHECKS {
            assert!(c.fix.ends_with('.') && c.fix.len() > 30, "{}: {}", c.name, c.fix);
        }
    }
}
