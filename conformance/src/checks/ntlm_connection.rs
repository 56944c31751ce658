//! `ntlm-connection`: every NTLM AUTHENTICATE (type 3) arrived on the connection that got the
//! CHALLENGE (type 2). The server answers `ntlm.no_handshake` otherwise; raw NTLMSSP type 3
//! messages are also checked against the journal's connection numbers directly.

use super::{Check, CheckInput, CheckResult, Stage};
use ado_mock_server::Reason;

const NAME: &str = "ntlm-connection";

/// The check.
pub const CHECK: Check = Check {
    name: NAME,
    summary: "NTLM type 3 arrived on the type 2's connection",
    stage: Stage::Wire,
    fix: "Keep the connection open through the NTLM handshake: NEGOTIATE, CHALLENGE and AUTHENTICATE on one keep-alive connection (no `Connection: close`, no new pool connection).",
    run,
};

fn run(input: &CheckInput<'_>) -> CheckResult {
    let journal = &input.observed.journal;
    let windows = journal.iter().filter(|e| e.credential.ntlm_message.is_some()).count();
    if windows == 0 {
        return CheckResult::not_applicable(NAME, "no NTLM or Negotiate token was sent");
    }
    let challenged = |conn: u64, seq: u64| {
        journal.iter().any(|e| e.connection == conn && e.seq < seq && e.reason == Reason::NtlmChallenge)
    };
    let stray = journal.iter().find(|e| {
        e.reason == Reason::NtlmNoHandshake
            || (e.credential.ntlm_message == Some(3) && !challenged(e.connection, e.seq))
    });
    match stray {
        Some(e) => CheckResult::fail(
            NAME,
            format!(
                "an NTLM AUTHENTICATE arrived on connection {} which got no CHALLENGE: {}",
                e.connection,
                CheckInput::cite(e)
            ),
        ),
        None => CheckResult::pass(
            NAME,
            format!("{windows} Windows token(s), each AUTHENTICATE on its CHALLENGE's connection"),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::{Fixture, entry, on_connection, with_credential};
    use super::*;
    use crate::scenario::Outcome;
    use crate::verdict::Verdict;

    #[test]
    fn type_3_must_follow_type_2_on_the_same_connection() {
        let mut f = Fixture::new(Outcome::Success);
        f.journal.push(on_connection(
            with_credential(entry(1, "GET", "/p", 401, "ntlm.challenge"), "NTLM", None, Some(1)),
            1,
        ));
        f.journal.push(on_connection(with_credential(entry(2, "GET", "/p", 200, "ok"), "NTLM", None, Some(3)), 1));
        assert_eq!(f.check(run).verdict, Verdict::Pass);
        f.journal[1].connection = 2;
        let r = f.check(run);
        assert_eq!(r.verdict, Verdict::Fail);
        assert!(r.detail.contains("connection 2"), "{}", r.detail);
    }
}
