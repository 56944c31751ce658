//! `basic-colon`: every Basic credential decodes to `user:secret` (the journal's
//! `credential.basic_colon`); `base64(PAT)` without the `:` is ignored by TFS.

use super::{Check, CheckInput, CheckResult, Stage};

const NAME: &str = "basic-colon";

/// The check.
pub const CHECK: Check = Check {
    name: NAME,
    summary: "every Basic header decodes with a ':'",
    stage: Stage::Wire,
    fix: "Send a PAT as `Authorization: Basic base64(':' + PAT)`: any user name, or none, before the colon.",
    run,
};

fn is_basic(e: &ado_mock_server::JournalEntry) -> bool {
    e.credential.scheme.as_deref().is_some_and(|s| s.eq_ignore_ascii_case("basic"))
}

fn run(input: &CheckInput<'_>) -> CheckResult {
    let basic: Vec<_> = input.observed.journal.iter().filter(|e| is_basic(e)).collect();
    if basic.is_empty() {
        return CheckResult::not_applicable(NAME, "no Basic credential was sent");
    }
    let bad: Vec<_> = basic.iter().filter(|e| e.credential.basic_colon == Some(false)).collect();
    match bad.first() {
        None => CheckResult::pass(NAME, format!("all {} Basic credential(s) decoded to user:secret", basic.len())),
        Some(first) => CheckResult::fail(
            NAME,
            format!(
                "{} of {} Basic credential(s) decoded without ':' (base64 of the bare secret); first: {}",
                bad.len(),
                basic.len(),
                CheckInput::cite(first)
            ),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::{Fixture, entry, with_credential};
    use super::*;
    use crate::scenario::Outcome;
    use crate::verdict::Verdict;

    #[test]
    fn a_basic_header_without_colon_fails() {
        let mut f = Fixture::new(Outcome::Success);
        assert!(f.check(run).detail.starts_with("n/a"));
        f.journal.push(with_credential(entry(1, "GET", "/p", 200, "ok"), "Basic", Some(true), None));
        assert_eq!(f.check(run).verdict, Verdict::Pass);
        f.journal.push(with_credential(entry(2, "GET", "/p", 401, "basic.no_colon"), "Basic", Some(false), None));
        let r = f.check(run);
        assert_eq!(r.verdict, Verdict::Fail);
        assert!(r.detail.contains("first: #2 GET /p -> 401 basic.no_colon"), "{}", r.detail);
    }

    #[test]
    fn the_scheme_word_is_matched_in_any_case_and_only_basic_counts() {
        let mut f = Fixture::new(Outcome::Success);
        f.journal.push(with_credential(entry(1, "GET", "/p", 401, "basic.no_colon"), "BASIC", Some(false), None));
        f.journal.push(with_credential(entry(2, "GET", "/p", 200, "ok"), "basic", Some(true), None));
        f.journal.push(with_credential(entry(3, "GET", "/p", 401, "ntlm.challenge"), "NTLM", None, Some(1)));
        f.journal.push(with_credential(entry(4, "GET", "/p", 401, "auth.anonymous"), "Basicx", Some(false), None));
        let r = f.check(run);
        assert_eq!(
            (r.verdict, r.detail.as_str()),
            (
                Verdict::Fail,
                "1 of 2 Basic credential(s) decoded without ':' (base64 of the bare secret); first: #1 GET /p -> 401 basic.no_colon"
            )
        );
    }

    #[test]
    fn the_pass_counts_the_basic_credentials() {
        let mut f = Fixture::new(Outcome::Success);
        f.journal.push(with_credential(entry(1, "GET", "/p", 200, "ok"), "Basic", Some(true), None));
        // Basic with an empty token: no colon to judge.
        f.journal.push(with_credential(entry(2, "GET", "/p", 401, "auth.anonymous"), "Basic", None, None));
        f.journal.push(with_credential(entry(3, "GET", "/p", 401, "ntlm.challenge"), "NTLM", None, Some(1)));
        let r = f.check(run);
        assert_eq!((r.verdict, r.detail.as_str()), (Verdict::Pass, "all 2 Basic credential(s) decoded to user:secret"));
        f.journal.truncate(0);
        f.journal.push(with_credential(entry(1, "GET", "/p", 401, "ntlm.challenge"), "NTLM", None, Some(1)));
        assert_eq!(f.check(run).detail, "n/a: no Basic credential was sent");
    }
}
