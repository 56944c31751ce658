//! Whole-handshake tests: real client messages through `step`, raw and SPNEGO.

mod bindings;
mod raw;
mod wrapped;

use super::super::message::{parse_authenticate, parse_challenge};
use super::super::spnego::{self, KRB5_OID, MS_KRB5_OID, NTLMSSP_OID, NegState, NegTokenResp, Token, mic};
use super::super::test_support::{self as ts, TestClient, accounts, b64, hex};
use super::*;

pub(super) const SC: [u8; 8] = [0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x08];
pub(super) const NOW: u64 = 0x01dc_0000_0000_0000;
pub(super) const TABLE: &[(&str, &str, &str)] = &[("alice", "CORP", "S3cret!"), ("bob", "CONTOSO", "hunter2")];

pub(super) fn cfg() -> AcceptorConfig {
    AcceptorConfig::example()
}

pub(super) fn run(token: &[u8], negotiate_scheme: bool, pending: Option<&Pending>) -> Step {
    run_with(&cfg(), token, negotiate_scheme, pending)
}

pub(super) fn run_with(cfg: &AcceptorConfig, token: &[u8], negotiate_scheme: bool, pending: Option<&Pending>) -> Step {
    let input = StepInput {
        token,
        negotiate_scheme,
        pending,
        server_challenge: SC,
        timestamp: NOW,
        channel_bindings: Default::default(),
    };
    step(cfg, input, &accounts(TABLE))
}

pub(super) fn expect_continue(step: Step) -> (Vec<u8>, Pending, LegInfo) {
    match step {
        Step::Continue { token, pending, leg } => (token, pending, leg),
        other => panic!("expected Continue, got {other:?}"),
    }
}

pub(super) fn expect_failure(step: Step) -> Failure {
    match step {
        Step::Failed { failure, .. } => failure,
        other => panic!("expected Failed, got {other:?}"),
    }
}

/// ntlmclient 0.2.0's NEGOTIATE, as its example sends it.
pub(super) fn ntlmclient_negotiate() -> Vec<u8> {
    let flags = ntlmclient::Flags::NEGOTIATE_UNICODE
        | ntlmclient::Flags::REQUEST_TARGET
        | ntlmclient::Flags::NEGOTIATE_NTLM
        | ntlmclient::Flags::NEGOTIATE_WORKSTATION_SUPPLIED;
    let msg = ntlmclient::Message::Negotiate(ntlmclient::NegotiateMessage {
        flags,
        supplied_domain: String::new(),
        supplied_workstation: "CLIENTPC".to_owned(),
        os_version: ntlmclient::OsVersion::default(),
    });
    msg.to_bytes().expect("ntlmclient serialises")
}

/// ntlmclient 0.2.0's NTLMv2 AUTHENTICATE for our CHALLENGE.
pub(super) fn ntlmclient_authenticate(challenge: &[u8], user: &str, domain: &str, password: &str) -> Vec<u8> {
    let Ok(ntlmclient::Message::Challenge(chal)) = ntlmclient::Message::try_from(challenge) else {
        panic!("ntlmclient could not parse the CHALLENGE");
    };
    let target_info: Vec<u8> = chal.target_information.iter().flat_map(|e| e.to_bytes()).collect();
    let creds =
        ntlmclient::Credentials { username: user.to_owned(), password: password.to_owned(), domain: domain.to_owned() };
    let time = ntlmclient::get_ntlm_time();
    let response = ntlmclient::respond_challenge_ntlm_v2(chal.challenge, &target_info, time, &creds);
    let flags = ntlmclient::Flags::NEGOTIATE_UNICODE | ntlmclient::Flags::NEGOTIATE_NTLM;
    response.to_message(&creds, "CLIENTPC", flags).to_bytes().expect("ntlmclient serialises")
}

/// A pending state holding the pyspnego capture's NEGOTIATE and CHALLENGE.
pub(super) fn pyspnego_pending(spnego: bool) -> Pending {
    Pending {
        stage: Stage::AwaitAuthenticate,
        spnego: spnego
            .then(|| SpnegoState { mech_types_der: hex("300c060a2b06010401823702020a"), mic_requested: false }),
        negotiate: b64(ts::PYSPNEGO_NEGOTIATE),
        challenge: b64(ts::PYSPNEGO_CHALLENGE),
        server_challenge: hex("1122334455667788").try_into().unwrap(),
    }
}

/// The mechTypes DER a client offering `mechs` sends (and the mechListMIC covers).
pub(super) fn mech_types_der(mechs: &[&str]) -> Vec<u8> {
    let init = spnego::build_init(mechs, None).expect("valid OIDs");
    match spnego::parse(&init) {
        Ok(Token::Init(parsed)) => parsed.mech_types_der,
        other => panic!("own NegTokenInit did not parse: {other:?}"),
    }
}
