//! SPNEGO-wrapped handshakes through `step`.

use super::*;

#[test]
fn pyspnego_capture_mech_list_mic_verifies() {
    let pending = pyspnego_pending(true);
    let esk = hex("4103ae6cd499d3846b359e5e65dab0cc").try_into().unwrap();
    let der = mech_types_der(&[NTLMSSP_OID]);
    let flags = 0xe289_8235;
    let good = mic::mech_list_mic(&esk, flags, mic::Direction::ClientToServer, &der).to_vec();
    for (name, client_mic, ok) in
        [("good", Some(good.clone()), true), ("absent", None, true), ("bad", Some(vec![0; 16]), false)]
    {
        let resp = NegTokenResp {
            response_token: Some(b64(ts::PYSPNEGO_AUTH)),
            mech_list_mic: client_mic,
            ..NegTokenResp::default()
        };
        let step = run(&spnego::build_resp(&resp).unwrap(), true, Some(&pending));
        match step {
            Step::Authenticated { final_token: Some(token), .. } if ok => {
                let Token::Resp(done) = spnego::parse(&token).unwrap() else { panic!("{name}") };
                assert_eq!(done.neg_state, Some(NegState::AcceptCompleted), "{name}");
                let server = mic::mech_list_mic(&esk, flags, mic::Direction::ServerToClient, &der);
                assert_eq!(done.mech_list_mic.as_deref(), Some(&server[..]), "{name}");
            }
            Step::Failed { failure: Failure::BadMic { .. }, .. } if !ok => {}
            other => panic!("{name}: {other:?}"),
        }
    }
}

/// Runs a whole SPNEGO handshake for `client`, NTLMSSP first; returns the last step.
fn spnego_handshake(client: &TestClient) -> Step {
    let negotiate = client.negotiate();
    let init = spnego::build_init(&[NTLMSSP_OID], Some(&negotiate)).unwrap();
    let (reply, pending, leg) = expect_continue(run(&init, true, None));
    assert_eq!(leg.mechs_offered, [NTLMSSP_OID]);
    let Token::Resp(resp) = spnego::parse(&reply).unwrap() else { panic!("not a NegTokenResp") };
    assert_eq!(resp.neg_state, Some(NegState::AcceptIncomplete));
    assert_eq!(resp.supported_mech.as_deref(), Some(NTLMSSP_OID));
    let challenge = resp.response_token.expect("CHALLENGE inside");
    let (auth, esk) = client.authenticate(&negotiate, &challenge);
    let der = mech_types_der(&[NTLMSSP_OID]);
    let flags = parse_authenticate(&auth).unwrap().flags;
    let client_mic =
        client.key_exch_and_mic.then(|| mic::mech_list_mic(&esk, flags, mic::Direction::ClientToServer, &der).to_vec());
    let resp = NegTokenResp { response_token: Some(auth), mech_list_mic: client_mic, ..NegTokenResp::default() };
    run(&spnego::build_resp(&resp).unwrap(), true, Some(&pending))
}

#[test]
fn spnego_round_trip_windows_style_with_mics() {
    let client = TestClient::bob(true);
    match spnego_handshake(&client) {
        Step::Authenticated { user, final_token: Some(token), leg, .. } => {
            assert_eq!(user, "bob");
            assert!(leg.mic_present && leg.mech_list_mic_present);
            let Token::Resp(done) = spnego::parse(&token).unwrap() else { panic!("not a resp") };
            assert_eq!(done.neg_state, Some(NegState::AcceptCompleted));
            let flags = TestClient::flags_after(ts::WINDOWS_FLAGS);
            let expected =
                mic::mech_list_mic(&[0x42; 16], flags, mic::Direction::ServerToClient, &mech_types_der(&[NTLMSSP_OID]));
            assert_eq!(done.mech_list_mic.as_deref(), Some(&expected[..]));
        }
        other => panic!("expected Authenticated, got {other:?}"),
    }
}

#[test]
fn spnego_round_trip_without_signing_has_no_mic() {
    let client = TestClient::bob(false);
    match spnego_handshake(&client) {
        Step::Authenticated { final_token: Some(token), .. } => {
            assert_eq!(token, hex("a1073005a0030a0100"));
        }
        other => panic!("expected Authenticated, got {other:?}"),
    }
}

#[test]
fn spnego_wrong_password() {
    let client = TestClient { password: "hunter3", ..TestClient::bob(true) };
    assert!(matches!(expect_failure(spnego_handshake(&client)), Failure::WrongPassword { .. }));
}

#[test]
fn spnego_kerberos_only_is_unsupported() {
    let init = spnego::build_init(&[MS_KRB5_OID, KRB5_OID], Some(b"\x6e\x03\x02\x01\x05")).unwrap();
    let failure = expect_failure(run(&init, true, None));
    assert_eq!(failure, Failure::UnsupportedMech { offered: vec![MS_KRB5_OID.into(), KRB5_OID.into()] });
    assert_eq!(failure.to_string(), format!("client offered no supported mechanism ({MS_KRB5_OID}, {KRB5_OID})"));
}

#[test]
fn spnego_ntlm_not_first_requests_mic() {
    let client = TestClient::bob(true);
    let init = spnego::build_init(&[MS_KRB5_OID, KRB5_OID, NTLMSSP_OID], Some(b"\x6e\x00")).unwrap();
    let (reply, pending, _) = expect_continue(run(&init, true, None));
    assert_eq!(pending.stage(), Stage::AwaitNegotiate);
    let Token::Resp(first) = spnego::parse(&reply).unwrap() else { panic!("not a resp") };
    assert_eq!((first.neg_state, first.supported_mech.as_deref()), (Some(NegState::RequestMic), Some(NTLMSSP_OID)));
    assert_eq!(first.response_token, None);

    let negotiate = client.negotiate();
    let wrapped =
        spnego::build_resp(&NegTokenResp { response_token: Some(negotiate.clone()), ..NegTokenResp::default() })
            .unwrap();
    let (reply, pending, _) = expect_continue(run(&wrapped, true, Some(&pending)));
    let Token::Resp(second) = spnego::parse(&reply).unwrap() else { panic!("not a resp") };
    assert_eq!(second.supported_mech, None);
    let (auth, esk) = client.authenticate(&negotiate, &second.response_token.expect("CHALLENGE"));

    let der = mech_types_der(&[MS_KRB5_OID, KRB5_OID, NTLMSSP_OID]);
    let flags = TestClient::flags_after(ts::WINDOWS_FLAGS);
    let good = mic::mech_list_mic(&esk, flags, mic::Direction::ClientToServer, &der).to_vec();
    for (name, client_mic, ok) in [("with mechListMIC", Some(good), true), ("without", None, false)] {
        let resp =
            NegTokenResp { response_token: Some(auth.clone()), mech_list_mic: client_mic, ..NegTokenResp::default() };
        let step = run(&spnego::build_resp(&resp).unwrap(), true, Some(&pending));
        assert_eq!(matches!(step, Step::Authenticated { .. }), ok, "{name}: {step:?}");
    }
}

#[test]
fn spnego_resp_without_handshake_or_token() {
    let empty =
        spnego::build_resp(&NegTokenResp { neg_state: Some(NegState::AcceptIncomplete), ..NegTokenResp::default() })
            .unwrap();
    assert_eq!(expect_failure(run(&empty, true, None)), Failure::NoHandshake);
    let (_, pending, _) = expect_continue(run(&spnego::build_init(&[NTLMSSP_OID], None).unwrap(), true, None));
    assert!(matches!(expect_failure(run(&empty, true, Some(&pending))), Failure::Malformed { .. }));
}

#[test]
fn spnego_round_trip_with_ntlmclient() {
    let init = spnego::build_init(&[NTLMSSP_OID], Some(&ntlmclient_negotiate())).unwrap();
    let (reply, pending, leg) = expect_continue(run(&init, true, None));
    assert_eq!(leg.spnego_token, Some("NegTokenInit"));
    let Ok(Token::Resp(resp)) = spnego::parse(&reply) else { panic!("not a NegTokenResp") };
    let challenge = resp.response_token.expect("CHALLENGE inside");
    let auth = ntlmclient_authenticate(&challenge, "alice", "CORP", "S3cret!");
    let wrapped = NegTokenResp {
        neg_state: Some(NegState::AcceptIncomplete),
        response_token: Some(auth),
        ..NegTokenResp::default()
    };
    match run(&spnego::build_resp(&wrapped).unwrap(), true, Some(&pending)) {
        Step::Authenticated { user, final_token, .. } => {
            assert_eq!(user, "alice");
            // ntlmclient negotiates no signing, so accept-completed carries no MIC.
            assert_eq!(final_token, Some(hex("a1073005a0030a0100")));
        }
        other => panic!("expected Authenticated, got {other:?}"),
    }
}

#[test]
fn pyspnego_init_bytes_start_a_handshake() {
    let init = b64(concat!(
        "YEgGBisGAQUFAqA+MDygDjAMBgorBgEEAYI3AgIKoioEKE5UTE1TU1AAAQAAADeCCOIA",
        "AAAAKAAAAAAAAAAoAAAAAAwAAAAAAA8="
    ));
    let (reply, pending, leg) = expect_continue(run(&init, true, None));
    assert!(pending.wrapped_in_spnego());
    assert_eq!(leg.flags, Some(0xe208_8237));
    let Ok(Token::Resp(resp)) = spnego::parse(&reply) else { panic!("not a NegTokenResp") };
    let challenge = parse_challenge(&resp.response_token.expect("CHALLENGE")).unwrap();
    assert_eq!(challenge.flags, 0xe289_8235);
    assert_eq!(challenge.server_challenge, SC);
}
