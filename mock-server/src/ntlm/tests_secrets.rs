//! Debug and Display output never shows a password, a response or a key.

use proptest::prelude::*;

use super::crypto;
use super::message::{Authenticate, parse_authenticate};
use super::spnego::{self, NegTokenResp};
use super::test_support::{self as ts, TestClient, b64, hex, to_hex};
use super::verify::{Exchange, SessionKey, verify};
use super::{Failure, Pending, ResponseKind, Step, StepInput, step};

/// Panics if `text` shows `secret` as hex or as a Debug list of four consecutive bytes.
fn assert_hidden(text: &str, secret: &[u8], what: &str) {
    let hex_lower = to_hex(secret);
    assert!(!text.contains(&hex_lower) && !text.contains(&hex_lower.to_uppercase()), "{what} shown as hex in {text}");
    for w in secret.windows(4) {
        let listed = format!("{}, {}, {}, {}", w[0], w[1], w[2], w[3]);
        assert!(!text.contains(&listed), "{what} shown as bytes in {text}");
    }
}

/// Everything the pyspnego capture lets a verifier know, formatted every way.
fn formatted_outputs(password: &str) -> Vec<String> {
    let raw = b64(ts::PYSPNEGO_AUTH);
    let auth = parse_authenticate(&raw).unwrap();
    let negotiate = b64(ts::PYSPNEGO_NEGOTIATE);
    let challenge = b64(ts::PYSPNEGO_CHALLENGE);
    let exchange = Exchange {
        negotiate: &negotiate,
        challenge: &challenge,
        authenticate: &raw,
        server_challenge: hex("1122334455667788").try_into().unwrap(),
    };
    let lookup = |_: &str, _: &str| Some(password.to_owned());
    let verified = verify(&auth, &exchange, true, &lookup);
    let wrapped = NegTokenResp { response_token: Some(raw.clone()), ..NegTokenResp::default() };
    let mut out = vec![
        format!("{auth:?}"),
        format!("{verified:?}"),
        format!("{wrapped:?}"),
        format!("{:?}", spnego::parse(&spnego::build_resp(&wrapped).unwrap())),
        format!("{:?}", SessionKey::new([0x42; 16])),
    ];
    out.extend(step_outputs(&raw, &lookup));
    if let Err(failure) = verified {
        out.push(failure.to_string());
    }
    out
}

fn step_outputs(raw: &[u8], lookup: &dyn Fn(&str, &str) -> Option<String>) -> Vec<String> {
    let cfg = super::AcceptorConfig::example();
    let first = step(&cfg, input(&b64(ts::PYSPNEGO_NEGOTIATE), None), lookup);
    let Step::Continue { pending, .. } = &first else { panic!("{first:?}") };
    let last_input = input(raw, Some(pending));
    let last = step(&cfg, last_input, lookup);
    let mut out = vec![format!("{first:?}"), format!("{last_input:?}"), format!("{last:?}"), last.leg().summary()];
    if let Step::Failed { failure, .. } = &last {
        out.push(failure.to_string());
    }
    out
}

/// A Windows-style handshake that succeeds; returns its outputs and the client's NTProofStr.
fn authenticated_outputs() -> (Vec<String>, Vec<u8>) {
    let cfg = super::AcceptorConfig::example();
    let client = TestClient::bob(true);
    let lookup = |_: &str, _: &str| Some("hunter2".to_owned());
    let negotiate = client.negotiate();
    let first = step(&cfg, input(&negotiate, None), &lookup);
    let Step::Continue { token, pending, .. } = &first else { panic!("{first:?}") };
    let (auth, _) = client.authenticate(&negotiate, token);
    let last = step(&cfg, input(&auth, Some(pending)), &lookup);
    assert!(matches!(last, Step::Authenticated { .. }), "{last:?}");
    let proof = parse_authenticate(&auth).unwrap().nt_response[..16].to_vec();
    (vec![format!("{last:?}"), format!("{:?}", input(&auth, Some(pending))), last.leg().summary()], proof)
}

#[test]
fn no_secret_in_a_successful_step() {
    let (outputs, proof) = authenticated_outputs();
    for text in outputs {
        assert!(!text.contains("hunter2"), "password in {text}");
        assert_hidden(&text, &proof, "NTProofStr");
        assert_hidden(&text, &[0x42; 16], "exported session key");
        assert_hidden(&text, &crypto::nt_hash("hunter2"), "NT hash");
    }
}

fn input<'a>(token: &'a [u8], pending: Option<&'a Pending>) -> StepInput<'a> {
    StepInput {
        token,
        negotiate_scheme: true,
        pending,
        server_challenge: [1; 8],
        timestamp: 2,
        channel_bindings: Default::default(),
    }
}

#[test]
fn no_secret_in_any_debug_or_display() {
    let auth = parse_authenticate(&b64(ts::PYSPNEGO_AUTH)).unwrap();
    let secrets: Vec<(&str, Vec<u8>)> = vec![
        // The rest of an NTLMv2 response echoes the public CHALLENGE AV pairs.
        ("NTProofStr", auth.nt_response[..16].to_vec()),
        ("encrypted session key", auth.encrypted_session_key.clone()),
        ("NT hash", crypto::nt_hash("S3cret!").to_vec()),
        ("session base key", hex("21fe28e992fbe2f3c553836c9045659d")),
        ("exported session key", hex("4103ae6cd499d3846b359e5e65dab0cc")),
        ("test key", vec![0x42; 16]),
    ];
    for password in ["S3cret!", "wrong-password"] {
        for text in formatted_outputs(password) {
            assert!(!text.contains(password), "password in {text}");
            for (what, secret) in &secrets {
                assert_hidden(&text, secret, what);
            }
        }
    }
}

#[test]
fn ms_vector_lm_response_hidden() {
    let auth = parse_authenticate(&hex(ts::MS_AUTH_V2)).unwrap();
    let text = format!("{auth:?}");
    assert_hidden(&text, &auth.lm_response, "LM response");
    assert!(text.contains("lm_response_len: 24"), "{text}");
}

#[test]
fn failures_name_accounts_not_secrets() {
    let failures = [
        Failure::WrongPassword { user: "alice".into(), domain: "CORP".into(), response: ResponseKind::NtlmV2 },
        Failure::BadMic { user: "alice".into(), domain: "CORP".into() },
        Failure::V1Refused { user: "alice".into(), domain: "CORP".into() },
    ];
    for failure in failures {
        let text = failure.to_string();
        assert!(text.contains("CORP\\alice"), "{text}");
    }
}

proptest! {
    #[test]
    fn authenticate_debug_never_shows_its_bytes(
        nt in proptest::collection::vec(any::<u8>(), 4..64),
        lm in proptest::collection::vec(any::<u8>(), 4..24),
        key in proptest::collection::vec(any::<u8>(), 4..16),
    ) {
        let auth = Authenticate {
            flags: 0, lm_response: lm.clone(), nt_response: nt.clone(), domain: "D".into(), user: "U".into(),
            workstation: "W".into(), encrypted_session_key: key.clone(), version: None, mic: None,
        };
        let text = format!("{auth:?}");
        for secret in [&nt, &lm, &key] {
            assert_hidden(&text, secret, "field");
        }
        let session = SessionKey::new(nt[..4].iter().chain([0; 12].iter()).copied().collect::<Vec<_>>().try_into().unwrap());
        assert_hidden(&format!("{session:?}"), &nt[..4], "session key");
    }
}
