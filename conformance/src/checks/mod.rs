//! The named checks (DESIGN "Checks and verdicts"), one per file. Each is a pure function of
//! the case, the client's exit and output, and the server's journal, returning a verdict and a
//! one-line detail. A check that does not apply passes with a detail saying why.
//!
//! A case's verdict is its worst check's ([`Verdict`] is ordered).

mod api_version;
mod basic_colon;
mod collection_in_path;
pub mod input;
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

pub use input::{Captured, CheckInput, Exit, Observation};

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

/// A named check.
pub struct Check {
    /// Its name in reports.
    pub name: &'static str,
    /// What it verifies, for `ado-conformance list --checks` and the docs.
    pub summary: &'static str,
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
];

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
