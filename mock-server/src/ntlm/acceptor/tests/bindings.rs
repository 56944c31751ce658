//! Extended Protection through whole handshakes: raw NTLM and SPNEGO, None / Allow / Require,
//! bindings absent, zero, right and wrong.

use super::*;
use crate::ntlm::{BindingsSeen, ChannelBindingCheck};
use crate::profile::ExtendedProtection;

/// This channel's MsvAvChannelBindings value in the tests.
const CHANNEL: [u8; 16] = [0xcb; 16];

fn check(token_checking: ExtendedProtection) -> ChannelBindingCheck {
    ChannelBindingCheck { token_checking, expected: Some(CHANNEL) }
}

/// NEGOTIATE then AUTHENTICATE from `client`, raw or in SPNEGO, under `bindings`.
fn handshake(client: &TestClient, spnego_wrapped: bool, bindings: ChannelBindingCheck) -> Step {
    let run = |token: &[u8], pending: Option<&Pending>| {
        let input = StepInput {
            token,
            negotiate_scheme: spnego_wrapped,
            pending,
            server_challenge: SC,
            timestamp: NOW,
            channel_bindings: bindings,
        };
        step(&cfg(), input, &accounts(TABLE))
    };
    let negotiate = client.negotiate();
    if !spnego_wrapped {
        let (challenge, pending, _) = expect_continue(run(&negotiate, None));
        let (auth, _) = client.authenticate(&negotiate, &challenge);
        return run(&auth, Some(&pending));
    }
    let init = spnego::build_init(&[NTLMSSP_OID], Some(&negotiate)).unwrap();
    let (reply, pending, _) = expect_continue(run(&init, None));
    let Ok(Token::Resp(resp)) = spnego::parse(&reply) else { panic!("NegTokenResp expected") };
    let challenge = resp.response_token.expect("CHALLENGE");
    let (auth, _) = client.authenticate(&negotiate, &challenge);
    let wrapped = NegTokenResp { response_token: Some(auth), ..NegTokenResp::default() };
    run(&spnego::build_resp(&wrapped).unwrap(), Some(&pending))
}

fn outcome(step: &Step) -> Result<(), String> {
    match step {
        Step::Authenticated { .. } => Ok(()),
        Step::Failed { failure, .. } => Err(match failure {
            Failure::ChannelBindingMissing { .. } => "missing".to_owned(),
            Failure::ChannelBindingMismatch { .. } => "mismatch".to_owned(),
            other => format!("{other}"),
        }),
        Step::Continue { .. } => Err("continue".to_owned()),
    }
}

#[test]
fn none_allow_require_against_what_the_client_binds() {
    use ExtendedProtection::{Allow, None as Off, Require};
    let sent = [None, Some([0u8; 16]), Some(CHANNEL), Some([0x99; 16])];
    let seen = [BindingsSeen::Absent, BindingsSeen::Zeros, BindingsSeen::Matched, BindingsSeen::Mismatched];
    let table: [(ExtendedProtection, [Result<(), &str>; 4]); 3] = [
        (Off, [Ok(()), Ok(()), Ok(()), Ok(())]),
        (Allow, [Ok(()), Ok(()), Ok(()), Err("mismatch")]),
        (Require, [Err("missing"), Err("missing"), Ok(()), Err("mismatch")]),
    ];
    for spnego_wrapped in [false, true] {
        for (mode, verdicts) in &table {
            for ((bindings, want), seen) in sent.iter().zip(verdicts).zip(seen) {
                let client = TestClient { channel_bindings: *bindings, ..TestClient::bob(spnego_wrapped) };
                let step = handshake(&client, spnego_wrapped, check(*mode));
                let got = outcome(&step).map_err(|e| e.clone());
                let want = want.map_err(str::to_owned);
                assert_eq!(got, want, "{mode:?} {bindings:?} spnego={spnego_wrapped}");
                assert_eq!(step.leg().channel_bindings, Some(seen));
                assert!(step.leg().summary().contains(&format!("channel bindings {}", seen.name())));
            }
        }
    }
}

#[test]
fn a_wrong_password_is_reported_before_missing_bindings() {
    let client = TestClient { password: "wrong", ..TestClient::bob(false) };
    let step = handshake(&client, false, check(ExtendedProtection::Require));
    assert!(matches!(outcome(&step), Err(e) if e.contains("wrong password")), "{step:?}");
}

#[test]
fn plain_http_has_no_channel_to_check() {
    let plain = ChannelBindingCheck { token_checking: ExtendedProtection::Require, expected: None };
    let step = handshake(&TestClient::bob(false), false, plain);
    assert_eq!(outcome(&step), Ok(()));
    let bound = TestClient { channel_bindings: Some([5; 16]), ..TestClient::bob(false) };
    let step = handshake(&bound, false, plain);
    assert_eq!((outcome(&step), step.leg().channel_bindings), (Ok(()), Some(BindingsSeen::Unchecked)));
}
