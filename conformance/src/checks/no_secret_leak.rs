//! `no-secret-leak`: no PAT or password appears in a request URL (the journal's
//! `secret_in_url`), on stdout or on stderr, in any form the secret finder knows (raw in any
//! case, percent-encoded, split by line breaks or colour codes, base64, base32, hex, the NT
//! hash). Output is scanned whole as it streams, not only the kept capture. A leak is
//! `insecure`, the worst verdict.

use super::{Check, CheckInput, CheckResult, Stage};
use crate::verdict::Verdict;

const NAME: &str = "no-secret-leak";

/// The check.
pub const CHECK: Check = Check {
    name: NAME,
    summary: "the PAT or password never appears in a URL, stdout or stderr",
    stage: Stage::Wire,
    fix: "Never print a credential or put it in a URL: send it only in the `Authorization` header and redact that header in logs.",
    run,
};

fn run(input: &CheckInput<'_>) -> CheckResult {
    let observed = input.observed;
    let mut found = Vec::new();
    if let Some(e) = observed.journal.iter().find(|e| e.secret_in_url) {
        found.push(format!("a secret in the URL of {}", CheckInput::cite(e)));
    }
    for (stream, captured) in [("stdout", &observed.stdout), ("stderr", &observed.stderr)] {
        // The stream scanner saw everything; the kept text is scanned too (for a capture made
        // without a scanner).
        let mut leaks = input.redactor.leaks(&captured.text);
        leaks.extend(captured.leaks.iter().map(ado_mock_server::secret::Leak::describe));
        leaks.sort();
        leaks.dedup();
        for leak in leaks {
            found.push(format!("{leak} on {stream}"));
        }
    }
    if found.is_empty() {
        CheckResult::pass(NAME, "no secret in URLs, stdout or stderr")
    } else {
        CheckResult::new(NAME, Verdict::Insecure, format!("leaked {}", found.join("; ")))
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::{Fixture, entry};
    use super::*;
    use crate::scenario::Outcome;

    #[test]
    fn a_printed_pat_or_a_pat_in_the_url_is_insecure() {
        let mut f = Fixture::new(Outcome::Success);
        assert_eq!(f.check(run).verdict, Verdict::Pass);
        let pat = f.pat();
        f.stderr(&format!("using token {pat}"));
        assert_eq!(f.check(run).detail, "leaked the PAT `full` on stderr");
        f.stderr("");
        assert_eq!(f.check(run).verdict, Verdict::Pass);
        let mut e = entry(1, "GET", "/p?pat=<redacted pat of full>", 200, "ok");
        e.secret_in_url = true;
        f.journal.push(e);
        assert_eq!(f.check(run).verdict, Verdict::Insecure);
    }
}
