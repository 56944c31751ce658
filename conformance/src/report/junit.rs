//! `junit.xml` through quick-junit: one test suite for the client, one testcase per case.
//!
//! - `pass` and `note` are successes (notes go to `system-out`);
//! - `skip`, and a `fail`/`insecure` that matches the baseline, are skipped with the reason;
//! - any other `fail`/`insecure`, and any difference from the baseline, is a failure whose
//!   `message` names the root cause, what to do and the command that reproduces the case,
//!   and whose text adds the scenario's symptom, cause and fix, every finding and the
//!   server's explanations.

use std::time::Duration;

use quick_junit::{NonSuccessKind, Report, TestCase, TestCaseStatus, TestSuite};

use crate::result::{CaseResult, RunRecord};
use crate::verdict::Verdict;

/// The XML text.
pub fn render(record: &RunRecord) -> String {
    let mut suite = TestSuite::new(record.client.name.clone());
    suite.set_time(Duration::from_millis(record.totals.duration_ms));
    for case in &record.cases {
        suite.add_test_case(test_case(&record.client.name, case));
    }
    let mut report = Report::new("ado-conformance");
    report.set_time(Duration::from_millis(record.totals.duration_ms));
    report.add_test_suite(suite);
    report.to_string().unwrap_or_else(|e| format!("<!-- failed to serialize the JUnit report: {e} -->\n"))
}

fn test_case(client: &str, case: &CaseResult) -> TestCase {
    let mut tc = TestCase::new(case.label(), status(case));
    tc.set_classname(format!("{client}.{}", case.scenario.replace('/', ".")));
    tc.set_time(Duration::from_millis(case.duration_ms));
    let notes: Vec<String> = case.findings().map(|c| format!("{} [{}]: {}", c.name, c.verdict, c.detail)).collect();
    let mut out = notes.join("\n");
    if !case.stdout.text.is_empty() {
        out.push_str(&format!("\n--- client stdout ---\n{}", case.stdout.text));
    }
    if !out.is_empty() {
        tc.set_system_out(out.trim_start());
    }
    if !case.stderr.text.is_empty() {
        tc.set_system_err(case.stderr.text.clone());
    }
    tc
}

fn status(case: &CaseResult) -> TestCaseStatus {
    if let Some(b) = &case.baseline
        && b.matched
        && case.verdict.is_failure()
    {
        let mut s = TestCaseStatus::skipped();
        s.set_message(format!("known {} (baseline): {}", case.verdict, b.reason));
        return s;
    }
    if !case.failed {
        if case.verdict == Verdict::Skip {
            let mut s = TestCaseStatus::skipped();
            s.set_message(case.skip_reason.clone().unwrap_or_else(|| "skipped".to_owned()));
            return s;
        }
        return TestCaseStatus::success();
    }
    let mut s = TestCaseStatus::non_success(NonSuccessKind::Failure);
    s.set_type(case.verdict.name());
    s.set_message(message(case));
    s.set_description(description(case));
    s
}

/// One line a CI page shows next to the failed test: root cause, finding, what to do,
/// how to reproduce.
fn message(case: &CaseResult) -> String {
    let Some(d) = &case.diagnosis else {
        return format!("{}: failed", case.verdict);
    };
    let expected = match &case.baseline {
        Some(b) if !b.matched => format!(" (the baseline expects {})", b.verdict),
        _ => String::new(),
    };
    format!(
        "{}{expected}: {}: {} | what to do: {} | fix: {} | reproduce: {}",
        case.verdict, d.root_cause, d.finding, d.check_fix, d.fix, d.reproduce
    )
}

fn description(case: &CaseResult) -> String {
    let mut lines: Vec<String> = Vec::new();
    if let Some(d) = &case.diagnosis {
        lines.push(format!("root cause: {}: {}", d.root_cause, d.finding));
        lines.push(format!("what to do: {}", d.check_fix));
        lines.push(format!("symptom: {}", d.symptom));
        lines.push(format!("cause: {}", d.cause));
        lines.push(format!("fix: {}", d.fix));
        lines.push(format!("reproduce: {}", d.reproduce));
    }
    if let Some(b) = &case.baseline {
        lines.push(format!("baseline: expects {}: {}", b.verdict, b.reason));
    }
    lines.push("findings:".to_owned());
    lines.extend(case.findings().map(|c| format!("  {} [{}]: {}", c.name, c.verdict, c.detail)));
    let refusals = case.refusals();
    if !refusals.is_empty() {
        lines.push("server explanation:".to_owned());
        lines.extend(refusals.into_iter().map(|r| format!("  {r}")));
    }
    if let Some(hint) = case.diagnosis.as_ref().and_then(|d| d.hint.as_deref()) {
        lines.push(format!("server hint: {hint}"));
    }
    lines.join("\n")
}
