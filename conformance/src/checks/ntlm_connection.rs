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

    /// A journal row of an NTLM `message` on `connection`.
    fn ntlm(seq: u64, connection: u64, status: u16, reason: &str, message: u8) -> ado_mock_server::JournalEntry {
        on_connection(with_credential(entry(seq, "GET", "/p", status, reason), "NTLM", None, Some(message)), connection)
    }

    #[test]
    fn without_a_windows_token_it_does_not_apply() {
        let mut f = Fixture::new(Outcome::Success);
        f.journal.push(with_credential(entry(1, "GET", "/p", 200, "ok"), "Basic", Some(true), None));
        let r = f.check(run);
        assert_eq!((r.verdict, r.detail.as_str()), (Verdict::Pass, "n/a: no NTLM or Negotiate token was sent"));
    }

    #[test]
    fn a_handshake_on_one_connection_passes_and_counts_the_tokens() {
        let mut f = Fixture::new(Outcome::Success);
        f.journal.push(ntlm(1, 4, 401, "ntlm.challenge", 1));
        f.journal.push(ntlm(2, 4, 200, "ok", 3));
        // A SPNEGO token (message 0) is a Windows token but no AUTHENTICATE.
        f.journal.push(ntlm(3, 5, 401, "ntlm.unsupported_mech", 0));
        let r = f.check(run);
        assert_eq!(
            (r.verdict, r.detail.as_str()),
            (Verdict::Pass, "3 Windows token(s), each AUTHENTICATE on its CHALLENGE's connection")
        );
    }

    #[test]
    fn an_authenticate_needs_an_earlier_challenge_on_its_own_connection() {
        let cases: &[(&str, Vec<ado_mock_server::JournalEntry>)] = &[
            ("challenge on another connection", vec![ntlm(1, 1, 401, "ntlm.challenge", 1), ntlm(2, 2, 200, "ok", 3)]),
            ("challenge after it", vec![ntlm(1, 1, 200, "ok", 3), ntlm(2, 1, 401, "ntlm.challenge", 1)]),
            ("challenge in the same row", vec![ntlm(1, 1, 401, "ntlm.challenge", 3)]),
            ("no challenge before it", vec![ntlm(1, 1, 401, "ntlm.bad_response", 1), ntlm(2, 1, 200, "ok", 3)]),
        ];
        for (name, journal) in cases {
            let mut f = Fixture::new(Outcome::Success);
            f.journal = journal.clone();
            let r = f.check(run);
            assert_eq!(r.verdict, Verdict::Fail, "{name}: {}", r.detail);
            assert!(r.detail.starts_with("an NTLM AUTHENTICATE arrived on connection "), "{name}: {}", r.detail);
        }
    }

    #[test]
    fn the_servers_no_handshake_answer_fails_whatever_the_message() {
        let mut f = Fixture::new(Outcome::Success);
        f.journal.push(ntlm(1, 1, 401, "ntlm.challenge", 1));
        f.journal.push(ntlm(2, 1, 401, "ntlm.no_handshake", 1));
        let r = f.check(run);
        assert_eq!(r.verdict, Verdict::Fail);
        assert_eq!(
            r.detail,
            format!(
                "an NTLM AUTHENTICATE arrived on connection 1 which got no CHALLENGE: {}",
                CheckInput::cite(&f.journal[1])
            )
        );
    }
}
