//! `--write-baseline FILE`: a baseline drafted from a run, so adopting the runner for a client
//! with known problems takes one review instead of forty hand-written entries.
//!
//! Every case that would fail a run without a baseline (`fail`, `insecure`) gets an entry,
//! as does every case that matched an entry of the baseline given with `--baseline` (its
//! reason is kept). A scenario whose cases all got the same verdict gets one entry for every
//! release; otherwise each release gets its own. A new entry's reason is prefilled from the
//! case's root cause and finding: a draft to review, not a judgement.

use std::fmt::Write as _;
use std::path::PathBuf;

use super::{Collector, Event, ReportError, Reporter, write_file};
use crate::result::{CaseResult, RunRecord};
use crate::verdict::Verdict;

/// Writes the draft when the run finishes.
pub struct BaselineDraft {
    path: PathBuf,
    collector: Collector,
}

impl BaselineDraft {
    /// A reporter writing the draft to `path`.
    pub fn new(path: PathBuf) -> Self {
        Self { path, collector: Collector::default() }
    }
}

impl Reporter for BaselineDraft {
    fn report(&mut self, event: &Event) -> Result<(), ReportError> {
        if let Some(record) = self.collector.collect(event) {
            write_file(&self.path, &render(&record))?;
        }
        Ok(())
    }
}

/// Whether a case belongs in the draft.
fn listed(c: &CaseResult) -> bool {
    c.verdict.is_failure() || c.baseline.as_ref().is_some_and(|b| b.matched)
}

/// The reason for a case: the reviewed one it matched, else its root cause and finding.
fn reason(c: &CaseResult) -> String {
    match (&c.baseline, &c.diagnosis) {
        (Some(b), _) if b.matched => b.reason.clone(),
        (_, Some(d)) => format!("{}: {}", d.root_cause, d.finding),
        _ => c.skip_reason.clone().unwrap_or_else(|| format!("{} in a run of this client", c.verdict)),
    }
}

/// The draft's TOML text.
pub fn render(record: &RunRecord) -> String {
    let mut out = format!(
        "# Baseline of {0} drafted by `ado-conformance run --write-baseline` ({1} of {2} cases listed).\n\
         # Each reason is prefilled from the case's findings: review it, say why in your own words,\n\
         # then run with --baseline FILE. The run fails on any difference from these entries.\n\
         client = {3}\n",
        record.client.name,
        record.cases.iter().filter(|c| listed(c)).count(),
        record.cases.len(),
        quote(&record.client.name)
    );
    let mut scenarios: Vec<&str> = record.cases.iter().map(|c| c.scenario.as_str()).collect();
    scenarios.dedup();
    for scenario in scenarios {
        let cases: Vec<&CaseResult> = record.cases.iter().filter(|c| c.scenario == scenario).collect();
        let first = cases[0];
        let uniform = cases.iter().all(|c| c.verdict == first.verdict);
        if uniform && listed(first) {
            entry(&mut out, scenario, None, first.verdict, &reason(first));
            continue;
        }
        for c in cases.into_iter().filter(|c| listed(c)) {
            entry(&mut out, scenario, Some(&c.release), c.verdict, &reason(c));
        }
    }
    out
}

fn entry(out: &mut String, scenario: &str, release: Option<&str>, verdict: Verdict, reason: &str) {
    let _ = write!(out, "\n[[expect]]\nscenario = {}\n", quote(scenario));
    if let Some(r) = release {
        let _ = writeln!(out, "release = {}", quote(r));
    }
    let _ = writeln!(out, "verdict = {}\nreason = {}", quote(verdict.name()), quote(reason));
}

/// A TOML basic string.
fn quote(text: &str) -> String {
    toml::Value::String(text.to_owned()).to_string()
}
