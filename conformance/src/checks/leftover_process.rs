//! `no-leftover-process`: nothing the client started is still running once it has exited. The
//! runner kills what is left (its process group, and processes detached with `setsid` or a
//! double fork, which it adopts as a child subreaper); this check says that it had to. A
//! `note`: leaving a daemon behind is bad manners in CI, not an authentication mistake.

use super::{Check, CheckInput, CheckResult, Stage};
use crate::verdict::Verdict;

const NAME: &str = "no-leftover-process";

/// The check.
pub const CHECK: Check = Check {
    name: NAME,
    summary: "nothing the client started outlives it (a note otherwise; the runner kills it)",
    stage: Stage::Wire,
    fix: "Wait for every process you start before exiting, and do not detach daemons (setsid, double fork) from a command-line client.",
    run,
};

fn run(input: &CheckInput<'_>) -> CheckResult {
    let left = &input.observed.leftovers;
    if left.is_empty() {
        return CheckResult::pass(NAME, "nothing was left running");
    }
    let detached = left.iter().filter(|l| l.detached).count();
    let mut names: Vec<String> = left.iter().map(|l| format!("`{}`", l.command)).collect();
    names.sort();
    names.dedup();
    CheckResult::new(
        NAME,
        Verdict::Note,
        format!(
            "left {} process(es) running after it exited ({} detached from its process group with setsid or a double fork): {}; the runner killed them",
            left.len(),
            detached,
            names.join(", ")
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::super::testing::Fixture;
    use super::*;
    use crate::checks::Leftover;
    use crate::scenario::Outcome;

    #[test]
    fn a_detached_process_is_noted() {
        let mut f = Fixture::new(Outcome::Success);
        assert_eq!(f.check(run).verdict, Verdict::Pass);
        f.leftovers = vec![Leftover { command: "sleep".into(), detached: true }];
        let r = f.check(run);
        assert_eq!(r.verdict, Verdict::Note);
        assert!(
            r.detail.contains("1 process(es)") && r.detail.contains("1 detached") && r.detail.contains("`sleep`"),
            "{}",
            r.detail
        );
    }
}
