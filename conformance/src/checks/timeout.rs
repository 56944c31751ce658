//! `timeout`: the client finished before the manifest's timeout (otherwise the runner killed
//! its whole process group).

use super::{Check, CheckInput, CheckResult, Exit, Stage};

const NAME: &str = "timeout";

/// The check.
pub const CHECK: Check = Check {
    name: NAME,
    summary: "the client finished before its timeout",
    stage: Stage::Wire,
    fix: "Never wait for ever: set connect and read timeouts and never prompt (there is no terminal and no stdin).",
    run,
};

fn run(input: &CheckInput<'_>) -> CheckResult {
    let limit = input.timeout.as_secs_f64();
    match input.observed.exit {
        Exit::TimedOut => CheckResult::fail(NAME, format!("still running after {limit}s: killed its process group")),
        _ => CheckResult::pass(NAME, format!("finished within {limit}s")),
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::Fixture;
    use super::*;
    use crate::scenario::Outcome;
    use crate::verdict::Verdict;

    #[test]
    fn a_timed_out_client_fails() {
        let mut f = Fixture::new(Outcome::Success);
        assert_eq!(f.check(run).verdict, Verdict::Pass);
        f.exit(Exit::TimedOut);
        assert_eq!(f.check(run).detail, "still running after 2s: killed its process group");
    }
}
