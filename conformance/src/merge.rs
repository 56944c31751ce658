//! Combining the `results.json` of several runs (the partitions of a CI matrix, or runs with
//! different filters) into one [`RunRecord`], checked: one client, each case once, and every
//! partition of a partitioned suite present (a missing one counts its cases as not run).

use std::path::PathBuf;

use crate::error::{LoadError, LoadErrors};
use crate::report::record;
use crate::result::{RunRecord, SCHEMA_VERSION, Totals};

const WHAT: &str = "results file";

/// The merged record and what the user should know about it.
#[derive(Debug)]
pub struct Merged {
    /// The combined run.
    pub record: RunRecord,
    /// Warnings (a missing partition).
    pub warnings: Vec<String>,
}

/// Reads `results.json` from a report folder, or the file itself.
///
/// # Errors
/// A [`LoadError`] when it cannot be read or is not a results file of this schema.
pub fn read(input: &std::path::Path) -> Result<(PathBuf, RunRecord), LoadError> {
    let file = if input.is_dir() { input.join("results.json") } else { input.to_owned() };
    let text = crate::files::read_text(&file).map_err(|e| LoadError::file(WHAT, &file, e))?;
    let record: RunRecord = serde_json::from_str(&text).map_err(|e| {
        LoadError::file(WHAT, &file, format!("expected the results.json of an ado-conformance run: {e}"))
    })?;
    if record.schema != SCHEMA_VERSION {
        let message = format!("expected schema {SCHEMA_VERSION}, found {} (written by another version)", record.schema);
        return Err(LoadError::key(WHAT, &file, "schema", message));
    }
    Ok((file, record))
}

/// Combines runs.
///
/// # Errors
/// Runs of different clients, a case in two inputs, a partition given twice.
pub fn combine(inputs: Vec<(PathBuf, RunRecord)>) -> Result<Merged, LoadErrors> {
    let mut errors = Vec::new();
    let Some((_, first)) = inputs.first() else {
        return Err(LoadError::file(WHAT, "merge", "expected at least one results file").into());
    };
    let client = first.client.clone();
    let mut seen: Vec<(String, PathBuf)> = Vec::new();
    for (file, r) in &inputs {
        if r.client.name != client.name {
            let message =
                format!("expected results of client `{}` like the first input, found `{}`", client.name, r.client.name);
            errors.push(LoadError::key(WHAT, file, "client.name", message));
        }
        for c in &r.cases {
            let label = c.label();
            match seen.iter().find(|(l, _)| *l == label) {
                Some((_, other)) => errors.push(LoadError::file(
                    WHAT,
                    file,
                    format!("case `{label}` is also in {}: each case must come from one run", other.display()),
                )),
                None => seen.push((label, file.clone())),
            }
        }
    }
    let (planned, warnings) = planned(&inputs, &mut errors);
    if !errors.is_empty() {
        return Err(LoadErrors(errors));
    }
    let interrupted = inputs.iter().any(|(_, r)| r.totals.interrupted);
    let duration = inputs.iter().map(|(_, r)| r.totals.duration_ms).max().unwrap_or(0);
    let cases: Vec<_> = inputs.into_iter().flat_map(|(_, r)| r.cases).collect();
    let totals = Totals::count(&cases, planned, interrupted, duration);
    Ok(Merged { record: record(Some(client), cases, totals), warnings })
}

/// How many cases the combined run had: a partitioned suite's size (warning about missing
/// partitions), else the sum of what each run planned.
fn planned(inputs: &[(PathBuf, RunRecord)], errors: &mut Vec<LoadError>) -> (usize, Vec<String>) {
    let summed = inputs.iter().map(|(_, r)| r.totals.cases + r.totals.not_run).sum();
    let parts: Vec<_> = inputs.iter().filter_map(|(f, r)| r.partition.map(|p| (f, p))).collect();
    let Some((_, p0)) = parts.first() else { return (summed, Vec::new()) };
    let same = parts.len() == inputs.len()
        && parts.iter().all(|(_, p)| p.count == p0.count && p.suite_cases == p0.suite_cases);
    if !same {
        return (summed, Vec::new());
    }
    let mut present = Vec::new();
    for (file, p) in &parts {
        if present.contains(&p.index) {
            errors.push(LoadError::file(WHAT, *file, format!("partition {}/{} is given twice", p.index, p.count)));
        }
        present.push(p.index);
    }
    let missing: Vec<String> =
        (1..=p0.count).filter(|i| !present.contains(i)).map(|i| format!("{i}/{}", p0.count)).collect();
    let warnings = if missing.is_empty() {
        Vec::new()
    } else {
        vec![format!("partition(s) {} missing: their cases did not run, so the merged run fails", missing.join(", "))]
    };
    (p0.suite_cases.max(summed), warnings)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::result::{CaseResult, ClientInfo, ExitSummary, Output, PartitionRecord};
    use crate::scenario::Fault;
    use crate::verdict::Verdict;

    fn case(scenario: &str, verdict: Verdict) -> CaseResult {
        CaseResult {
            scenario: scenario.into(),
            release: "ads2022".into(),
            title: String::new(),
            fault: Fault::Client,
            verdict,
            failed: verdict.is_failure(),
            baseline: None,
            skip_reason: None,
            server_reasons: vec![],
            checks: vec![],
            exit: ExitSummary::default(),
            requests: vec![],
            stdout: Output::default(),
            stderr: Output::default(),
            duration_ms: 1,
            diagnosis: None,
        }
    }

    fn part(index: usize, cases: Vec<CaseResult>, ms: u64) -> (PathBuf, RunRecord) {
        let totals = Totals::count(&cases, cases.len(), false, ms);
        let mut r = record(Some(ClientInfo { name: "c".into(), timeout_s: 5 }), cases, totals);
        r.partition = Some(PartitionRecord { index, count: 3, suite_cases: 3 });
        (PathBuf::from(format!("part{index}")), r)
    }

    #[test]
    fn parts_combine_into_one_run() {
        let merged = combine(vec![
            part(2, vec![case("b", Verdict::Fail)], 30),
            part(1, vec![case("a", Verdict::Pass)], 50),
            part(3, vec![case("c", Verdict::Note)], 10),
        ])
        .unwrap();
        let t = &merged.record.totals;
        assert_eq!((t.cases, t.pass, t.fail, t.note, t.failed, t.not_run, t.duration_ms), (3, 1, 1, 1, 1, 0, 50));
        let order: Vec<&str> = merged.record.cases.iter().map(|c| c.scenario.as_str()).collect();
        assert_eq!(order, ["a", "b", "c"]);
        assert!(merged.warnings.is_empty());
    }

    #[test]
    fn a_missing_part_is_not_run_and_a_repeated_case_is_refused() {
        let merged = combine(vec![part(1, vec![case("a", Verdict::Pass)], 5)]).unwrap();
        assert_eq!(merged.record.totals.not_run, 2);
        assert!(!merged.record.totals.succeeded());
        assert!(merged.warnings[0].contains("2/3, 3/3 missing"), "{:?}", merged.warnings);
        let twice =
            combine(vec![part(1, vec![case("a", Verdict::Pass)], 5), part(2, vec![case("a", Verdict::Pass)], 5)]);
        assert!(twice.unwrap_err().to_string().contains("is also in part1"));
        let mut other = part(2, vec![case("b", Verdict::Pass)], 5);
        other.1.client.name = "d".into();
        let clients = combine(vec![part(1, vec![case("a", Verdict::Pass)], 5), other]);
        assert!(clients.unwrap_err().to_string().contains("client `c`"));
    }
}
