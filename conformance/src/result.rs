//! The data reporters consume: one [`CaseResult`] per case and the run's [`Totals`], already
//! redacted. [`RunRecord`] is also the shape of `results.json`.
//!
//! Everything here is deterministic for a deterministic client except the `duration_ms`
//! fields: ports, temporary paths and secrets are redacted, and there are no timestamps.

use serde::{Deserialize, Serialize};

use crate::checks::CheckResult;
use crate::scenario::Fault;
use crate::verdict::Verdict;

/// Bumped when `results.json` changes incompatibly.
pub const SCHEMA_VERSION: u32 = 1;

/// The client under test, as reports name it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClientInfo {
    /// The manifest's `name`.
    pub name: String,
    /// The manifest's timeout in seconds.
    pub timeout_s: u64,
}

/// How a case compares with the baseline.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BaselineStatus {
    /// The known verdict.
    pub verdict: Verdict,
    /// Why it is known.
    pub reason: String,
    /// Whether the case's verdict is the known one.
    pub matched: bool,
}

/// How the client's process ended.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExitSummary {
    /// The exit code, if it exited.
    pub code: Option<i32>,
    /// The signal that killed it (other than the runner's timeout kill).
    pub signal: Option<i32>,
    /// Whether the runner killed it at the timeout.
    pub timed_out: bool,
    /// Why it could not be started.
    pub spawn_error: Option<String>,
}

/// One request as the server saw and answered it (a redacted journal entry).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Exchange {
    /// Sequence number in the case's server, from 1.
    pub seq: u64,
    /// The TCP connection's number in the case's server.
    pub connection: u64,
    /// The method.
    pub method: String,
    /// Path and query.
    pub path: String,
    /// The status sent.
    pub status: u16,
    /// The reason code.
    pub reason: String,
    /// The layer that decided.
    pub layer: String,
    /// Why the server answered so.
    pub explanation: String,
    /// What would fix it.
    pub hint: String,
    /// Schemes offered in `WWW-Authenticate`.
    pub offered: Vec<String>,
    /// The credential's scheme.
    pub scheme: Option<String>,
    /// For Basic: whether it decoded with a ':'.
    pub basic_colon: Option<bool>,
    /// For Windows schemes: the NTLM message type.
    pub ntlm_message: Option<u8>,
    /// The Windows handshake leg, described.
    pub leg: Option<String>,
    /// The api-version sent.
    pub api_version: Option<String>,
    /// The authenticated account.
    pub identity: Option<String>,
    /// How it authenticated.
    pub via: Option<String>,
    /// `User-Agent`.
    pub user_agent: Option<String>,
    /// Whether a secret was in the URL.
    pub secret_in_url: bool,
}

/// Captured output as reported (redacted, bounded).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Output {
    /// The text.
    pub text: String,
    /// Whether output was cut.
    pub truncated: bool,
}

/// The result of one case.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaseResult {
    /// The scenario id.
    pub scenario: String,
    /// The release.
    pub release: String,
    /// The scenario's title.
    pub title: String,
    /// Whose fault a failure is.
    pub fault: Fault,
    /// The worst check's verdict (`skip` when not run).
    pub verdict: Verdict,
    /// Whether the case fails the run (a fail/insecure verdict without a matching baseline
    /// entry, or any difference from the baseline).
    pub failed: bool,
    /// The baseline entry for the case, if any.
    pub baseline: Option<BaselineStatus>,
    /// Why the case was skipped.
    pub skip_reason: Option<String>,
    /// The reason codes the server produced, in order of first appearance.
    pub server_reasons: Vec<String>,
    /// Every check.
    pub checks: Vec<CheckResult>,
    /// How the client ended.
    pub exit: ExitSummary,
    /// What the server saw.
    pub requests: Vec<Exchange>,
    /// The client's stdout.
    pub stdout: Output,
    /// The client's stderr.
    pub stderr: Output,
    /// Wall time of the client, in milliseconds (the only field that varies between runs).
    pub duration_ms: u64,
    /// For a case that failed (or differs from its baseline): its root cause and what to do.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub diagnosis: Option<Diagnosis>,
}

/// Why a case failed and what to do about it: the root cause (the first link of the chain,
/// e.g. `basic-colon` rather than its consequence `message`), the scenario's symptom, cause
/// and fix, what the server said, and the command that reproduces the case's server.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Diagnosis {
    /// The root-cause check's name, or `baseline` for a case that now differs from its
    /// baseline entry without failing a check (e.g. it was fixed).
    pub root_cause: String,
    /// What that check found.
    pub finding: String,
    /// What a client failing that check should do.
    pub check_fix: String,
    /// The scenario's symptom (what a customer reports).
    pub symptom: String,
    /// The scenario's cause.
    pub cause: String,
    /// The scenario's fix.
    pub fix: String,
    /// The server's explanations of its refusals, each once (`401 basic.no_colon: ...`).
    pub server: Vec<String>,
    /// The server's hint for its last refusal.
    pub hint: Option<String>,
    /// The command that starts this case's server for reproducing it by hand.
    pub reproduce: String,
}

impl CaseResult {
    /// `scenario [release]`.
    pub fn label(&self) -> String {
        format!("{} [{}]", self.scenario, self.release)
    }

    /// The checks that did not pass.
    pub fn findings(&self) -> impl Iterator<Item = &CheckResult> {
        self.checks.iter().filter(|c| c.verdict != Verdict::Pass)
    }

    /// Explanations of the server's refusals, each once, in order.
    pub fn refusals(&self) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for e in self.requests.iter().filter(|e| e.status >= 400) {
            let line = format!("{} {}: {}", e.status, e.reason, e.explanation);
            if !out.contains(&line) {
                out.push(line);
            }
        }
        out
    }
}

/// Counts over a run.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Totals {
    /// Cases that finished.
    pub cases: usize,
    /// `pass` verdicts.
    pub pass: usize,
    /// `note` verdicts.
    pub note: usize,
    /// `skip` verdicts.
    pub skip: usize,
    /// `fail` verdicts.
    pub fail: usize,
    /// `insecure` verdicts.
    pub insecure: usize,
    /// Cases that fail the run.
    pub failed: usize,
    /// Cases whose verdict matched their baseline entry.
    pub expected: usize,
    /// Cases never finished because the run was interrupted.
    pub not_run: usize,
    /// Whether the run was interrupted.
    pub interrupted: bool,
    /// Wall time of the run, in milliseconds.
    pub duration_ms: u64,
}

impl Totals {
    /// Counts `results`; `planned` is how many cases the run had.
    pub fn count(results: &[CaseResult], planned: usize, interrupted: bool, duration_ms: u64) -> Self {
        let mut t = Totals { cases: results.len(), interrupted, duration_ms, ..Totals::default() };
        t.not_run = planned.saturating_sub(results.len());
        for r in results {
            *t.slot(r.verdict) += 1;
            t.failed += usize::from(r.failed);
            t.expected += usize::from(r.baseline.as_ref().is_some_and(|b| b.matched));
        }
        t
    }

    fn slot(&mut self, verdict: Verdict) -> &mut usize {
        match verdict {
            Verdict::Pass => &mut self.pass,
            Verdict::Note => &mut self.note,
            Verdict::Skip => &mut self.skip,
            Verdict::Fail => &mut self.fail,
            Verdict::Insecure => &mut self.insecure,
        }
    }

    /// The count for one verdict.
    pub fn of(&self, verdict: Verdict) -> usize {
        match verdict {
            Verdict::Pass => self.pass,
            Verdict::Note => self.note,
            Verdict::Skip => self.skip,
            Verdict::Fail => self.fail,
            Verdict::Insecure => self.insecure,
        }
    }

    /// Whether the run passes (exit code 0): nothing failed and every planned case ran.
    pub fn succeeded(&self) -> bool {
        self.failed == 0 && !self.interrupted && self.not_run == 0
    }
}

/// A whole run: the content of `results.json`, cases sorted by (scenario, release).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RunRecord {
    /// [`SCHEMA_VERSION`].
    pub schema: u32,
    /// The client.
    pub client: ClientInfo,
    /// The cases.
    pub cases: Vec<CaseResult>,
    /// The counts.
    pub totals: Totals,
    /// Which part of the suite this run was (`run --partition K/N`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub partition: Option<PartitionRecord>,
}

/// The part of a suite a partitioned run covered, so `merge` can tell a missing part.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PartitionRecord {
    /// K, from 1.
    pub index: usize,
    /// N.
    pub count: usize,
    /// Cases the whole suite had (before partitioning).
    pub suite_cases: usize,
}
