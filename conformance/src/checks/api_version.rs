//! `api-version`: the client kept within the server's api-version range. Any `api_version.*`
//! reason fails the check, unless the scenario pinned the version (then the client only did
//! as told, and the scenario's `reasons` say what should happen).

use super::{Check, CheckInput, CheckResult, Stage};

const NAME: &str = "api-version";

/// The check.
pub const CHECK: Check = Check {
    name: NAME,
    summary: "api-version within the server's range",
    stage: Stage::Wire,
    fix: "Send an api-version the server's release supports (negotiate it: read the range from the 400 VssVersionOutOfRangeException or from OPTIONS), or none at all.",
    run,
};

fn run(input: &CheckInput<'_>) -> CheckResult {
    let case = input.case;
    if let Some(pinned) = &case.scenario.client.api_version {
        return CheckResult::not_applicable(NAME, format!("the scenario pinned api-version {pinned}"));
    }
    let journal = &input.observed.journal;
    let ceiling = case.release.api_ceiling();
    if let Some(e) = journal.iter().find(|e| e.reason.code().starts_with("api_version.")) {
        let sent = e.api_version.as_deref().unwrap_or("none");
        return CheckResult::fail(
            NAME,
            format!("sent api-version {sent} to {} (latest {ceiling}): {}", case.release, CheckInput::cite(e)),
        );
    }
    let mut sent: Vec<&str> = journal.iter().filter_map(|e| e.api_version.as_deref()).collect();
    sent.sort_unstable();
    sent.dedup();
    if sent.is_empty() {
        CheckResult::pass(NAME, "no api-version sent, none refused")
    } else {
        CheckResult::pass(NAME, format!("sent {} to {} (latest {ceiling})", sent.join(", "), case.release))
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::{Fixture, entry};
    use super::*;
    use crate::scenario::Outcome;
    use crate::verdict::Verdict;

    #[test]
    fn an_api_version_refusal_fails_unless_pinned() {
        let mut f = Fixture::new(Outcome::Success);
        let mut e = entry(1, "GET", "/p?api-version=99.0", 400, "api_version.out_of_range");
        e.api_version = Some("99.0".into());
        f.journal.push(e);
        let r = f.check(run);
        assert_eq!(r.verdict, Verdict::Fail);
        assert!(r.detail.starts_with("sent api-version 99.0 to ads2022 (latest 7.0)"), "{}", r.detail);
        f.pin_api_version("99.0");
        assert_eq!(f.check(run).verdict, Verdict::Pass);
    }
}
