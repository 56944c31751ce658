//! Turning an observation and its checks into a redacted [`CaseResult`], and comparing it with
//! the baseline.

use ado_mock_server::JournalEntry;

use crate::baseline::Baseline;
use crate::checks::{CheckResult, Exit, Observation, root_cause, worst};
use crate::redact::Redactor;
use crate::result::{BaselineStatus, CaseResult, Diagnosis, Exchange, ExitSummary, Output};
use crate::scenario::Case;
use crate::verdict::Verdict;

/// Characters of each output stream kept in reports (the checks saw more).
pub const REPORT_OUTPUT_LIMIT: usize = 64 * 1024;

/// The result of a judged case. `scenarios_args` selects the case's scenarios again on a
/// command line (empty for the built-in library), for the reproduction command.
pub fn assemble(
    case: &Case,
    observed: &Observation,
    checks: Vec<CheckResult>,
    redactor: &Redactor,
    baseline: Option<&Baseline>,
    scenarios_args: &str,
) -> CaseResult {
    let checks: Vec<CheckResult> =
        checks.into_iter().map(|c| CheckResult { detail: redactor.redact(&c.detail), ..c }).collect();
    let verdict = worst(&checks);
    let mut server_reasons: Vec<String> = Vec::new();
    for e in &observed.journal {
        let code = e.reason.code().to_owned();
        if !server_reasons.contains(&code) {
            server_reasons.push(code);
        }
    }
    let mut result = CaseResult {
        scenario: case.scenario.id.clone(),
        release: case.release.name().to_owned(),
        title: case.scenario.title.clone(),
        fault: case.scenario.fault,
        verdict,
        failed: false,
        baseline: None,
        skip_reason: None,
        server_reasons,
        checks,
        exit: exit_summary(&observed.exit, redactor),
        requests: observed.journal.iter().map(|e| exchange(e, redactor)).collect(),
        stdout: output(&observed.stdout.text, observed.stdout.truncated, redactor),
        stderr: output(&observed.stderr.text, observed.stderr.truncated, redactor),
        duration_ms: u64::try_from(observed.duration.as_millis()).unwrap_or(u64::MAX),
        diagnosis: None,
    };
    compare(&mut result, case, baseline);
    result.diagnosis = diagnose(&result, case, scenarios_args);
    result
}

/// The result of a case the client cannot run.
pub fn skipped(case: &Case, why: String, baseline: Option<&Baseline>, scenarios_args: &str) -> CaseResult {
    let mut result = CaseResult {
        scenario: case.scenario.id.clone(),
        release: case.release.name().to_owned(),
        title: case.scenario.title.clone(),
        fault: case.scenario.fault,
        verdict: Verdict::Skip,
        failed: false,
        baseline: None,
        skip_reason: Some(why),
        server_reasons: Vec::new(),
        checks: Vec::new(),
        exit: ExitSummary::default(),
        requests: Vec::new(),
        stdout: Output::default(),
        stderr: Output::default(),
        duration_ms: 0,
        diagnosis: None,
    };
    compare(&mut result, case, baseline);
    result.diagnosis = diagnose(&result, case, scenarios_args);
    result
}

/// The command that serves `case` for reproducing it by hand.
pub fn reproduce_command(case: &Case, scenarios_args: &str) -> String {
    format!("ado-conformance serve {} --release {}{scenarios_args}", case.scenario.id, case.release.name())
}

/// The diagnosis of a case that failed a check or differs from its baseline.
fn diagnose(result: &CaseResult, case: &Case, scenarios_args: &str) -> Option<Diagnosis> {
    let (root_cause, finding, check_fix) = match root_cause(&result.checks) {
        Some(check) => {
            let fix = crate::checks::by_name(&check.name).map_or("", |c| c.fix);
            (check.name.clone(), check.detail.clone(), fix.to_owned())
        }
        None => {
            let b = result.baseline.as_ref().filter(|b| !b.matched)?;
            let finding =
                format!("the baseline expects {} ({}), the case now gets {}", b.verdict, b.reason, result.verdict);
            let fix = "Update or remove the baseline entry (`ado-conformance run --write-baseline FILE` drafts a current one).";
            ("baseline".to_owned(), finding, fix.to_owned())
        }
    };
    let s = &case.scenario;
    let hint = result.requests.iter().rev().find(|e| e.status >= 400 && !e.hint.is_empty()).map(|e| e.hint.clone());
    Some(Diagnosis {
        root_cause,
        finding,
        check_fix,
        symptom: s.symptom.clone(),
        cause: s.cause.clone(),
        fix: s.fix.clone(),
        server: result.refusals(),
        hint,
        reproduce: reproduce_command(case, scenarios_args),
    })
}

/// Sets `baseline` and `failed`: without an entry a fail/insecure verdict fails the run; with
/// one, any difference does (a fixed case too, so the baseline stays true).
fn compare(result: &mut CaseResult, case: &Case, baseline: Option<&Baseline>) {
    let entry = baseline.and_then(|b| b.lookup(&case.scenario.id, case.release));
    result.baseline = entry.map(|e| BaselineStatus {
        verdict: e.verdict,
        reason: e.reason.clone(),
        matched: e.verdict == result.verdict,
    });
    result.failed = match &result.baseline {
        Some(b) => !b.matched,
        None => result.verdict.is_failure(),
    };
}

fn exit_summary(exit: &Exit, redactor: &Redactor) -> ExitSummary {
    match exit {
        Exit::Code(code) => ExitSummary { code: Some(*code), ..ExitSummary::default() },
        Exit::Signal(signal) => ExitSummary { signal: Some(*signal), ..ExitSummary::default() },
        Exit::TimedOut => ExitSummary { timed_out: true, ..ExitSummary::default() },
        Exit::SpawnFailed(why) => ExitSummary { spawn_error: Some(redactor.redact(why)), ..ExitSummary::default() },
    }
}

fn output(text: &str, truncated: bool, redactor: &Redactor) -> Output {
    let clean = redactor.redact(text);
    if clean.len() <= REPORT_OUTPUT_LIMIT {
        return Output { text: clean, truncated };
    }
    let mut end = REPORT_OUTPUT_LIMIT;
    while !clean.is_char_boundary(end) {
        end -= 1;
    }
    Output { text: clean[..end].to_owned(), truncated: true }
}

fn exchange(e: &JournalEntry, r: &Redactor) -> Exchange {
    let opt = |v: &Option<String>| v.as_deref().map(|t| r.redact(t));
    Exchange {
        seq: e.seq,
        connection: e.connection,
        method: e.method.clone(),
        path: r.redact(&e.path),
        status: e.status,
        reason: e.reason.code().to_owned(),
        layer: e.layer.name().to_owned(),
        explanation: r.redact(&e.explanation),
        hint: r.redact(&e.hint),
        offered: e.offered.clone(),
        scheme: e.credential.scheme.clone(),
        basic_colon: e.credential.basic_colon,
        ntlm_message: e.credential.ntlm_message,
        leg: opt(&e.leg),
        api_version: opt(&e.api_version),
        identity: e.identity.clone(),
        via: e.via.clone(),
        user_agent: opt(&e.user_agent),
        secret_in_url: e.secret_in_url,
    }
}
