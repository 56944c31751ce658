//! Property tests: no parser or `step` panics on any input, and claimed
//! lengths never produce more data than the input held.

use proptest::prelude::*;

use super::message::{self, av_pair};
use super::spnego::{self, der};
use super::test_support::{self as ts, TestClient, b64, hex};
use super::{AcceptorConfig, Pending, Step, StepInput, step};

/// Arbitrary bytes, often starting like a real token so parsers get past the signature.
fn token() -> impl Strategy<Value = Vec<u8>> {
    let tail = proptest::collection::vec(any::<u8>(), 0..400);
    prop_oneof![
        tail.clone(),
        (1u8..=4, tail.clone()).prop_map(|(t, rest)| [&b"NTLMSSP\0"[..], &[t, 0, 0, 0], &rest].concat()),
        (prop_oneof![Just(0x60u8), Just(0xa1)], tail).prop_map(|(tag, rest)| [&[tag][..], &rest].concat()),
    ]
}

/// A valid message with a few bytes overwritten and maybe truncated.
fn mutated(valid: Vec<u8>) -> impl Strategy<Value = Vec<u8>> {
    let len = valid.len();
    (proptest::collection::vec((0..len, any::<u8>()), 1..6), 0..=len).prop_map(move |(edits, keep)| {
        let mut bytes = valid.clone();
        for (at, value) in edits {
            bytes[at] = value;
        }
        bytes.truncate(keep.max(len / 2));
        bytes
    })
}

/// Pending states to run tokens against: none, raw after a NEGOTIATE, SPNEGO after one.
fn pendings() -> Vec<Option<Pending>> {
    let client = TestClient::bob(true);
    let raw = continue_pending(&client.negotiate(), false);
    let init = spnego::build_init(&[spnego::NTLMSSP_OID], Some(&client.negotiate())).unwrap();
    let wrapped = continue_pending(&init, true);
    vec![None, Some(raw), Some(wrapped)]
}

fn continue_pending(token: &[u8], negotiate_scheme: bool) -> Pending {
    match run(token, negotiate_scheme, None) {
        Step::Continue { pending, .. } => pending,
        other => panic!("expected Continue, got {other:?}"),
    }
}

fn run(token: &[u8], negotiate_scheme: bool, pending: Option<&Pending>) -> Step {
    let input = StepInput {
        token,
        negotiate_scheme,
        pending,
        server_challenge: [7; 8],
        timestamp: 1,
        channel_bindings: Default::default(),
    };
    step(&AcceptorConfig::example(), input, &|_, _| Some("hunter2".to_owned()))
}

fn valid_messages() -> Vec<Vec<u8>> {
    vec![
        b64(ts::PYSPNEGO_NEGOTIATE),
        b64(ts::PYSPNEGO_AUTH),
        b64(ts::TRC_AUTH),
        b64(ts::CURL67_AUTH),
        hex(ts::MS_AUTH_V2),
        spnego::build_init(&[spnego::MS_KRB5_OID, spnego::NTLMSSP_OID], Some(b"\x6e\x00")).unwrap(),
        spnego::build_resp(&spnego::NegTokenResp {
            response_token: Some(b64(ts::PYSPNEGO_AUTH)),
            mech_list_mic: Some(vec![1; 16]),
            ..Default::default()
        })
        .unwrap(),
    ]
}

fn any_valid_mutated() -> impl Strategy<Value = Vec<u8>> {
    proptest::sample::select(valid_messages()).prop_flat_map(mutated)
}

fn check_bounded(bytes: &[u8]) {
    let n = bytes.len();
    if let Ok(auth) = message::parse_authenticate(bytes) {
        let total = auth.lm_response.len() + auth.nt_response.len() + auth.encrypted_session_key.len();
        assert!(total <= 3 * n);
        assert!(auth.lm_response.len() <= n && auth.nt_response.len() <= n);
        assert!(auth.user.chars().count() <= n && auth.domain.chars().count() <= n);
    }
    if let Ok(neg) = message::parse_negotiate(bytes) {
        assert!(neg.domain.map_or(0, |d| d.chars().count()) <= n);
    }
    if let Ok(chal) = message::parse_challenge(bytes) {
        assert!(chal.target_info.len() <= n);
    }
    match spnego::parse(bytes) {
        Ok(spnego::Token::Init(init)) => {
            assert!(init.mech_types_der.len() <= n);
            assert!(init.mech_token.map_or(0, |t| t.len()) <= n);
        }
        Ok(spnego::Token::Resp(resp)) => assert!(resp.response_token.map_or(0, |t| t.len()) <= n),
        Err(_) => {}
    }
    assert!(av_pair::parse(bytes).iter().map(|p| p.value.len()).sum::<usize>() <= n);
}

proptest! {
    #[test]
    fn parsers_never_panic_and_stay_in_bounds(bytes in token()) {
        check_bounded(&bytes);
    }

    #[test]
    fn step_never_panics_on_arbitrary_tokens(bytes in token(), negotiate_scheme in any::<bool>()) {
        for pending in pendings() {
            let _ = run(&bytes, negotiate_scheme, pending.as_ref());
        }
    }

    #[test]
    fn mutated_valid_messages_never_panic(bytes in any_valid_mutated(), negotiate_scheme in any::<bool>()) {
        check_bounded(&bytes);
        for pending in pendings() {
            let _ = run(&bytes, negotiate_scheme, pending.as_ref());
        }
    }

    #[test]
    fn challenge_is_well_formed_for_any_config(
        flags in any::<u32>(),
        names in proptest::collection::vec(".{0,40}", 5),
        sc in any::<[u8; 8]>(),
        timestamp in any::<u64>(),
    ) {
        let cfg = AcceptorConfig {
            nb_domain: names[0].clone(), nb_computer: names[1].clone(), dns_domain: names[2].clone(),
            dns_computer: names[3].clone(), dns_tree: names[4].clone(), accept_v1: true,
        };
        let (msg, chosen) = message::build_challenge(&cfg, flags, sc, timestamp);
        prop_assert!(msg.len() >= message::challenge::HEADER_LEN);
        let parsed = message::parse_challenge(&msg).unwrap();
        prop_assert_eq!(parsed.flags, chosen);
        prop_assert_eq!(parsed.server_challenge, sc);
        let pairs = av_pair::parse(&parsed.target_info);
        prop_assert_eq!(pairs.len(), 6);
        prop_assert!(pairs.iter().all(|p| p.value.len() % 2 == 0));
        prop_assert_eq!(av_pair::text(&pairs, av_pair::DNS_TREE), Some(names[4].clone()));
    }

    #[test]
    fn oids_round_trip(first in 0u64..3, second in 0u64..40, rest in proptest::collection::vec(any::<u64>().prop_map(|v| v >> 8), 0..8)) {
        let dotted = std::iter::once(first).chain(std::iter::once(second)).chain(rest)
            .map(|a| a.to_string()).collect::<Vec<_>>().join(".");
        let encoded = der::dotted_to_oid(&dotted).unwrap();
        prop_assert_eq!(der::oid_to_dotted(&encoded), Some(dotted));
    }

    #[test]
    fn neg_token_resp_round_trips(
        state in proptest::option::of(0u8..4),
        token in proptest::option::of(proptest::collection::vec(any::<u8>(), 0..600)),
        mic in proptest::option::of(proptest::collection::vec(any::<u8>(), 0..20)),
        with_mech in any::<bool>(),
    ) {
        let states = [spnego::NegState::AcceptCompleted, spnego::NegState::AcceptIncomplete, spnego::NegState::Reject, spnego::NegState::RequestMic];
        let resp = spnego::NegTokenResp {
            neg_state: state.map(|s| states[usize::from(s)]),
            supported_mech: with_mech.then(|| spnego::NTLMSSP_OID.to_owned()),
            response_token: token,
            mech_list_mic: mic,
        };
        let bytes = spnego::build_resp(&resp).unwrap();
        prop_assert_eq!(spnego::parse(&bytes).unwrap(), spnego::Token::Resp(resp));
    }

    #[test]
    fn oid_builders_never_panic(mechs in proptest::collection::vec("[0-9.]{0,40}|.{0,20}", 0..5)) {
        let refs: Vec<&str> = mechs.iter().map(String::as_str).collect();
        if let Ok(init) = spnego::build_init(&refs, None) {
            prop_assert!(spnego::parse(&init).is_ok());
        }
    }
}
