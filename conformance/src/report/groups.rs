//! Failing cases grouped by root cause, for every reporter: one group per root-cause check
//! (e.g. every case whose first broken link is `basic-colon`), and inside it one entry per
//! scenario with its releases, so a busy reader sees each distinct problem once, with what to
//! do about it.

use crate::result::{CaseResult, Diagnosis, RunRecord};
use crate::verdict::Verdict;

/// Cases sharing a root cause.
#[derive(Debug)]
pub struct Group<'a> {
    /// The root-cause check (or `baseline`).
    pub root_cause: &'a str,
    /// The worst verdict in the group.
    pub verdict: Verdict,
    /// What a client failing that check should do.
    pub check_fix: &'a str,
    /// The cases, per scenario.
    pub scenarios: Vec<ScenarioGroup<'a>>,
}

/// One scenario's failing cases within a group.
#[derive(Debug)]
pub struct ScenarioGroup<'a> {
    /// The scenario id.
    pub scenario: &'a str,
    /// Its title.
    pub title: &'a str,
    /// The releases that failed this way.
    pub releases: Vec<&'a str>,
    /// The first such case's diagnosis (the releases share scenario text and usually the
    /// finding).
    pub diagnosis: &'a Diagnosis,
}

impl Group<'_> {
    /// Cases in the group.
    pub fn cases(&self) -> usize {
        self.scenarios.iter().map(|s| s.releases.len()).sum()
    }

    /// `3 cases in 1 scenario`.
    pub fn size(&self) -> String {
        let cases = self.cases();
        let scenarios = self.scenarios.len();
        format!(
            "{cases} case{} in {scenarios} scenario{}",
            if cases == 1 { "" } else { "s" },
            if scenarios == 1 { "" } else { "s" }
        )
    }
}

impl ScenarioGroup<'_> {
    /// `pat/missing-colon [ads2019, ads2022]`.
    pub fn label(&self) -> String {
        format!("{} [{}]", self.scenario, self.releases.join(", "))
    }
}

/// The cases of `record` that fail the run, grouped by root cause: the worst verdict first,
/// then the largest group, then by name.
pub fn groups(record: &RunRecord) -> Vec<Group<'_>> {
    group_cases(record.cases.iter().filter(|c| c.failed))
}

/// Groups the given cases (those without a diagnosis are left out).
pub fn group_cases<'a>(cases: impl Iterator<Item = &'a CaseResult>) -> Vec<Group<'a>> {
    let mut out: Vec<Group<'a>> = Vec::new();
    for case in cases {
        let Some(d) = &case.diagnosis else { continue };
        let group = match out.iter().position(|g| g.root_cause == d.root_cause) {
            Some(i) => &mut out[i],
            None => {
                out.push(Group {
                    root_cause: &d.root_cause,
                    verdict: case.verdict,
                    check_fix: &d.check_fix,
                    scenarios: Vec::new(),
                });
                out.last_mut().expect("just pushed")
            }
        };
        group.verdict = group.verdict.max(case.verdict);
        match group.scenarios.iter_mut().find(|s| s.scenario == case.scenario) {
            Some(s) => s.releases.push(&case.release),
            None => group.scenarios.push(ScenarioGroup {
                scenario: &case.scenario,
                title: &case.title,
                releases: vec![&case.release],
                diagnosis: d,
            }),
        }
    }
    out.sort_by(|a, b| b.verdict.cmp(&a.verdict).then(b.cases().cmp(&a.cases())).then(a.root_cause.cmp(b.root_cause)));
    out
}
