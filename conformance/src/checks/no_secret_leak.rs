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

    #[test]
    fn a_pat_printed_on_stdout_is_insecure() {
        use base64::Engine as _;
        let mut f = Fixture::new(Outcome::Success);
        let pat = f.pat();
        f.stdout(&format!(
            "Authorization: Basic {}",
            base64::engine::general_purpose::STANDARD.encode(format!(":{pat}"))
        ));
        let result = f.check(run);
        assert_eq!(result.verdict, Verdict::Insecure);
        assert_eq!(result.detail, "leaked base64 of the PAT `full` on stdout");
    }

    #[test]
    fn every_leak_is_listed_url_then_stdout_then_stderr() {
        let mut f = Fixture::new(Outcome::Success);
        let pat = f.pat();
        f.stdout(&format!("token={pat}"));
        f.stderr("password Passw0rd%21");
        let mut e = entry(7, "GET", "/p?pat=<redacted pat full>", 200, "ok");
        e.secret_in_url = true;
        f.journal.push(entry(6, "GET", "/p", 200, "ok"));
        f.journal.push(e);
        let result = f.check(run);
        assert_eq!(result.verdict, Verdict::Insecure);
        assert_eq!(
            result.detail,
            format!(
                "leaked a secret in the URL of {}; the PAT `full` on stdout; the password of CONTOSO\\joseph (URL-encoded) on stderr",
                CheckInput::cite(&f.journal[1])
            )
        );
    }

    #[test]
    fn a_clean_run_passes_with_what_was_scanned() {
        let mut f = Fixture::new(Outcome::Success);
        f.stdout("[{\"name\": \"Fabrikam\"}]");
        f.stderr("warning: nothing secret");
        f.journal.push(entry(1, "GET", "/tfs/DefaultCollection/_apis/projects", 200, "ok"));
        let result = f.check(run);
        assert_eq!((result.verdict, result.detail.as_str()), (Verdict::Pass, "no secret in URLs, stdout or stderr"));
    }
}
