//! `message`: when the client fails, its message names the problem: it matches the scenario's
//! `expect.message` (a `fail` if not), or without one it carries a status code, a TF code or a
//! reason (a `note` if it is vague).

use std::sync::LazyLock;

use regex::Regex;

use super::{Check, CheckInput, CheckResult, Exit, Stage};
use crate::verdict::Verdict;

const NAME: &str = "message";

/// The check.
pub const CHECK: Check = Check {
    name: NAME,
    summary: "a failure message names the problem",
    stage: Stage::Ending,
    fix: "On failure, print on stderr what the server said: the HTTP status and the TF message of `X-TFS-ServiceError` or the body.",
    run,
};

/// What a message naming the problem contains: an HTTP status, a TF error, or words for the
/// usual causes.
static NAMES_PROBLEM: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)\b[45]\d\d\b|\bTF\d{5,6}\b|unauthori[sz]ed|forbidden|not found|anonymous|api[- ]?version|expired|revoked|scope|collection|permission|denied|locked",
    )
    .expect("the message pattern is valid")
});

fn run(input: &CheckInput<'_>) -> CheckResult {
    let observed = input.observed;
    let code = match observed.exit {
        Exit::Code(code) if code != 0 => code,
        _ => return CheckResult::not_applicable(NAME, "the client did not fail with an exit status"),
    };
    let (out, err) = (&observed.stdout.text, &observed.stderr.text);
    if let Some(pattern) = &input.case.scenario.expect.message {
        return match [("stderr", err), ("stdout", out)].into_iter().find(|(_, text)| pattern.is_match(text)) {
            Some((stream, _)) => CheckResult::pass(NAME, format!("{stream} matches /{pattern}/")),
            None => CheckResult::fail(
                NAME,
                format!("exited {code}, but neither stdout nor stderr matches /{pattern}/; {}", excerpt(err, out)),
            ),
        };
    }
    if out.trim().is_empty() && err.trim().is_empty() {
        return CheckResult::new(NAME, Verdict::Note, format!("exited {code} without printing why"));
    }
    if NAMES_PROBLEM.is_match(err) || NAMES_PROBLEM.is_match(out) {
        CheckResult::pass(NAME, "the message names the problem")
    } else {
        CheckResult::new(NAME, Verdict::Note, format!("vague: no status, TF code or reason; {}", excerpt(err, out)))
    }
}

/// The first non-empty line of stderr (else stdout), shortened.
fn excerpt(err: &str, out: &str) -> String {
    let (stream, text) = if err.trim().is_empty() { ("stdout", out) } else { ("stderr", err) };
    match text.lines().map(str::trim).find(|l| !l.is_empty()) {
        Some(line) => {
            let short: String = line.chars().take(120).collect();
            format!("{stream} starts with \"{short}\"")
        }
        None => "nothing was printed".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::Fixture;
    use super::*;
    use crate::scenario::Outcome;

    #[test]
    fn judges_the_message_of_a_failure() {
        let mut f = Fixture::new(Outcome::Failure);
        f.exit(Exit::Code(0));
        assert!(f.check(run).detail.starts_with("n/a"));
        f.exit(Exit::Code(1));
        f.stderr("error: HTTP 401 TF400813");
        assert_eq!(f.check(run).verdict, Verdict::Pass);
        f.stderr("something went wrong");
        let r = f.check(run);
        assert_eq!(
            (r.verdict, r.detail.as_str()),
            (Verdict::Note, "vague: no status, TF code or reason; stderr starts with \"something went wrong\"")
        );
        f.stderr("");
        assert_eq!(f.check(run).detail, "exited 1 without printing why");
        f.expect_message("TF400813");
        f.stderr("error: HTTP 401");
        assert_eq!(f.check(run).verdict, Verdict::Fail);
    }

    #[test]
    fn only_a_non_zero_exit_status_is_judged() {
        for exit in [Exit::Code(0), Exit::TimedOut, Exit::Signal(9), Exit::SpawnFailed("no such file".into())] {
            let mut f = Fixture::new(Outcome::Failure);
            f.exit(exit.clone());
            let r = f.check(run);
            assert_eq!(
                (r.verdict, r.detail.as_str()),
                (Verdict::Pass, "n/a: the client did not fail with an exit status"),
                "{exit:?}"
            );
        }
    }

    #[test]
    fn a_message_on_stdout_alone_counts() {
        let mut f = Fixture::new(Outcome::Failure);
        f.exit(Exit::Code(2));
        f.stdout("HTTP 401 Unauthorized");
        assert_eq!(f.check(run).detail, "the message names the problem");
        f.stdout("it broke");
        f.stderr("  \n");
        assert_eq!(f.check(run).detail, "vague: no status, TF code or reason; stdout starts with \"it broke\"");
    }

    #[test]
    fn the_expected_message_is_looked_for_on_stderr_then_stdout() {
        let mut f = Fixture::new(Outcome::Failure);
        f.exit(Exit::Code(1));
        f.expect_message("TF400813");
        f.stdout("TF400813 on stdout");
        assert_eq!(f.check(run).detail, "stdout matches /TF400813/");
        f.stderr("TF400813 on stderr");
        assert_eq!(f.check(run).detail, "stderr matches /TF400813/");
        f.stdout("");
        f.stderr("");
        let r = f.check(run);
        assert_eq!(
            (r.verdict, r.detail.as_str()),
            (Verdict::Fail, "exited 1, but neither stdout nor stderr matches /TF400813/; nothing was printed")
        );
    }

    #[test]
    fn the_excerpt_is_the_first_non_blank_line_cut_at_120_characters() {
        let long = "x".repeat(130);
        assert_eq!(
            excerpt(&format!("\n  \n  {long}\nsecond"), "out"),
            format!("stderr starts with \"{}\"", "x".repeat(120))
        );
        assert_eq!(excerpt("", "\nfirst\n"), "stdout starts with \"first\"");
        assert_eq!(excerpt(" ", " "), "nothing was printed");
    }
}
