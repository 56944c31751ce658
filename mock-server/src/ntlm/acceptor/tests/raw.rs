//! Raw NTLMSSP handshakes through `step`.

use super::*;

#[test]
fn raw_round_trip_with_ntlmclient() {
    let (challenge, pending, leg) = expect_continue(run(&ntlmclient_negotiate(), false, None));
    assert_eq!(leg.message_type, Some(1));
    assert_eq!(leg.workstation.as_deref(), Some("CLIENTPC"));
    assert!(challenge.len() >= 56);
    let auth = ntlmclient_authenticate(&challenge, "alice", "CORP", "S3cret!");
    match run(&auth, false, Some(&pending)) {
        Step::Authenticated { user, domain, workstation, response, final_token, leg } => {
            assert_eq!((user.as_str(), domain.as_str(), workstation.as_str()), ("alice", "CORP", "CLIENTPC"));
            assert_eq!(response, ResponseKind::NtlmV2);
            assert_eq!(final_token, None);
            assert!(!leg.mic_present);
        }
        other => panic!("expected Authenticated, got {other:?}"),
    }
}

#[test]
fn raw_wrong_password_and_unknown_user() {
    let (challenge, pending, _) = expect_continue(run(&ntlmclient_negotiate(), true, None));
    let wrong = ntlmclient_authenticate(&challenge, "alice", "CORP", "s3cret!");
    let failure = expect_failure(run(&wrong, true, Some(&pending)));
    assert_eq!(
        failure,
        Failure::WrongPassword { user: "alice".into(), domain: "CORP".into(), response: ResponseKind::NtlmV2 }
    );
    let stranger = ntlmclient_authenticate(&challenge, "mallory", "CORP", "x");
    assert!(matches!(expect_failure(run(&stranger, true, Some(&pending))), Failure::UnknownUser { .. }));
}

#[test]
fn authenticate_without_pending_is_no_handshake() {
    let (challenge, _, _) = expect_continue(run(&ntlmclient_negotiate(), false, None));
    let auth = ntlmclient_authenticate(&challenge, "alice", "CORP", "S3cret!");
    assert_eq!(expect_failure(run(&auth, false, None)), Failure::NoHandshake);
    let step = run(&auth, false, None);
    assert_eq!(step.leg().message_type, Some(3));
}

#[test]
fn curl_negotiate_gets_iis_flags() {
    let (challenge, _, leg) = expect_continue(run(&b64("TlRMTVNTUAABAAAABoIIAAAAAAAAAAAAAAAAAAAAAAA="), false, None));
    assert_eq!(leg.server_flags, Some(0x0289_8206));
    assert_eq!(parse_challenge(&challenge).unwrap().flags, 0x0289_8206);
}

#[test]
fn negotiate_restarts_a_pending_handshake() {
    let (_, pending, _) = expect_continue(run(&ntlmclient_negotiate(), false, None));
    let (_, again, leg) = expect_continue(run(&ntlmclient_negotiate(), false, Some(&pending)));
    assert!(leg.restarted);
    assert_eq!(again.stage(), Stage::AwaitAuthenticate);
}

#[test]
fn token_level_refusals() {
    let (_, pending, _) = expect_continue(run(&ntlmclient_negotiate(), false, None));
    let challenge_from_client = parse_challenge(&pending.challenge).map(|_| pending.challenge.clone()).unwrap();
    let spnego_init = spnego::build_init(&[NTLMSSP_OID], Some(&ntlmclient_negotiate())).unwrap();
    let cases: &[(&str, &[u8], bool, Failure)] = &[
        ("CHALLENGE from a client", &challenge_from_client, false, Failure::UnexpectedMessage { got: 2 }),
        ("type 4", b"NTLMSSP\0\x04\0\0\0", false, Failure::UnexpectedMessage { got: 4 }),
        ("truncated", b"NTLMSSP\0\x01\0", false, Failure::malformed("truncated NTLM message")),
        ("SPNEGO under NTLM", &spnego_init, false, Failure::malformed("SPNEGO token under the NTLM scheme")),
        ("garbage", b"hello", true, Failure::malformed("token is neither NTLMSSP nor SPNEGO")),
        ("empty", b"", true, Failure::malformed("empty token")),
        ("half a signature", b"NTLM", true, Failure::malformed("truncated NTLM message")),
    ];
    for (name, token, negotiate_scheme, want) in cases {
        assert_eq!(&expect_failure(run(token, *negotiate_scheme, Some(&pending))), want, "{name}");
    }
}

#[test]
fn pyspnego_capture_with_mic_verifies_through_step() {
    let pending = pyspnego_pending(false);
    let step = run(&b64(ts::PYSPNEGO_AUTH), true, Some(&pending));
    assert!(matches!(&step, Step::Authenticated { user, .. } if user == "alice"), "{step:?}");
    assert!(step.leg().mic_present);
    assert!(step.leg().client_av_pairs.contains(&"TargetName"));
}

#[test]
fn wrapping_mismatch_is_refused() {
    let (_, raw_pending, _) = expect_continue(run(&ntlmclient_negotiate(), true, None));
    let resp = NegTokenResp { response_token: Some(b64(ts::PYSPNEGO_AUTH)), ..NegTokenResp::default() };
    let wrapped = spnego::build_resp(&resp).unwrap();
    assert_eq!(expect_failure(run(&wrapped, true, Some(&raw_pending))), Failure::NoHandshake);
    let spnego_pending = pyspnego_pending(true);
    assert!(matches!(
        expect_failure(run(&b64(ts::PYSPNEGO_AUTH), true, Some(&spnego_pending))),
        Failure::Malformed { .. }
    ));
}

#[test]
fn v1_policy_through_step() {
    let pending = Pending {
        stage: Stage::AwaitAuthenticate,
        spnego: None,
        negotiate: Vec::new(),
        challenge: b64(ts::TRC_CHALLENGE),
        server_challenge: *b"SrvNonce",
    };
    let table: &[(&str, &str, &str)] = &[("Zaphod", "URSA-MINOR", "Beeblebrox")];
    let mut strict = cfg();
    strict.accept_v1 = false;
    for (cfg, want) in
        [(cfg(), None), (strict, Some(Failure::V1Refused { user: "Zaphod".into(), domain: "URSA-MINOR".into() }))]
    {
        let input = StepInput {
            token: &b64(ts::TRC_AUTH),
            negotiate_scheme: false,
            pending: Some(&pending),
            server_challenge: SC,
            timestamp: NOW,
            channel_bindings: Default::default(),
        };
        match (step(&cfg, input, &accounts(table)), want) {
            (Step::Authenticated { response, .. }, None) => {
                assert_eq!(response, ResponseKind::NtlmV1)
            }
            (Step::Failed { failure, leg }, Some(want)) => {
                assert_eq!(failure, want);
                assert_eq!(leg.response, Some(ResponseKind::NtlmV1));
            }
            (other, want) => panic!("want {want:?}, got {other:?}"),
        }
    }
}
