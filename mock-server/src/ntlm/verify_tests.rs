//! Server-side vectors: MS-NLMP 4.2.4.3, real client messages, the MIC vector.

use super::super::message::{build_authenticate, parse_authenticate};
use super::super::test_support::{self as ts, accounts, b64, hex, to_hex};
use super::*;

/// A captured handshake and the server challenge inside its CHALLENGE.
struct Capture {
    negotiate: Vec<u8>,
    challenge: Vec<u8>,
    authenticate: Vec<u8>,
}

impl Capture {
    fn run(&self, accept_v1: bool, table: &'static [(&str, &str, &str)]) -> Result<Verified, Failure> {
        let auth = parse_authenticate(&self.authenticate).expect("capture parses");
        let exchange = Exchange {
            negotiate: &self.negotiate,
            challenge: &self.challenge,
            authenticate: &self.authenticate,
            server_challenge: self.challenge[24..32].try_into().expect("8 bytes"),
        };
        verify(&auth, &exchange, accept_v1, &accounts(table))
    }
}

fn ms_v2() -> Capture {
    Capture { negotiate: Vec::new(), challenge: hex(ts::MS_CHALLENGE_V2), authenticate: hex(ts::MS_AUTH_V2) }
}

fn pyspnego() -> Capture {
    Capture {
        negotiate: b64(ts::PYSPNEGO_NEGOTIATE),
        challenge: b64(ts::PYSPNEGO_CHALLENGE),
        authenticate: b64(ts::PYSPNEGO_AUTH),
    }
}

fn curl67() -> Capture {
    Capture { negotiate: Vec::new(), challenge: b64(ts::CURL67_CHALLENGE), authenticate: b64(ts::CURL67_AUTH) }
}

fn trc() -> Capture {
    Capture { negotiate: Vec::new(), challenge: b64(ts::TRC_CHALLENGE), authenticate: b64(ts::TRC_AUTH) }
}

const MS_USER: &[(&str, &str, &str)] = &[("User", "Domain", "Password")];
const MS_USER_WRONG: &[(&str, &str, &str)] = &[("User", "Domain", "Passw0rd")];

#[test]
fn ms_nlmp_4_2_4_3_authenticate_verifies() {
    let ok = ms_v2().run(false, MS_USER).expect("verifies");
    assert_eq!((ok.user.as_str(), ok.domain.as_str()), ("User", "Domain"));
    assert_eq!(ok.response, ResponseKind::NtlmV2);
    assert_eq!(ok.hashed_domain.as_deref(), Some("Domain"));
    assert_eq!(ok.session_key.expose(), &[0x55; 16]);
    assert!(!ok.mic_checked);
}

#[test]
fn ms_nlmp_4_2_4_3_wrong_password_fails() {
    let err = ms_v2().run(false, MS_USER_WRONG).unwrap_err();
    assert_eq!(
        err,
        Failure::WrongPassword { user: "User".into(), domain: "Domain".into(), response: ResponseKind::NtlmV2 }
    );
}

#[test]
fn unknown_account_is_reported_before_any_hashing() {
    let err = ms_v2().run(false, &[("Someone", "Domain", "Password")]).unwrap_err();
    assert_eq!(err, Failure::UnknownUser { user: "User".into(), domain: "Domain".into() });
}

#[test]
fn domain_variants_upper_then_empty() {
    // The client hashed with "DOMAIN" / "" while sending "Domain"/"dOmain".
    let nt = crypto::nt_hash("Password");
    let capture = ms_v2();
    let mut auth = parse_authenticate(&capture.authenticate).unwrap();
    let temp = auth.nt_response[16..].to_vec();
    let sc: [u8; 8] = capture.challenge[24..32].try_into().unwrap();
    for (sent, hashed) in [("dOmain", "DOMAIN"), ("Elsewhere", "")] {
        let key = crypto::ntowf_v2(&nt, "User", hashed);
        auth.domain = sent.into();
        auth.nt_response = [&crypto::ntlmv2_proof(&key, &sc, &temp)[..], &temp].concat();
        auth.flags &= !flags::KEY_EXCH;
        let raw = build_authenticate(&auth);
        let ex = Exchange { negotiate: &[], challenge: &capture.challenge, authenticate: &raw, server_challenge: sc };
        let ok = verify(&auth, &ex, false, &|_, _| Some("Password".into())).expect(sent);
        assert_eq!(ok.hashed_domain.as_deref(), Some(hashed), "{sent}");
    }
}

#[test]
fn typed_rest_client_v1_accepted_or_refused_by_policy() {
    let table: &[(&str, &str, &str)] = &[("Zaphod", "URSA-MINOR", "Beeblebrox")];
    let ok = trc().run(true, table).expect("v1 accepted");
    assert_eq!((ok.user.as_str(), ok.domain.as_str()), ("Zaphod", "URSA-MINOR"));
    assert_eq!(ok.workstation, "LIGHTCITY");
    assert_eq!(ok.response, ResponseKind::NtlmV1);
    let err = trc().run(false, table).unwrap_err();
    assert_eq!(err, Failure::V1Refused { user: "Zaphod".into(), domain: "URSA-MINOR".into() });
}

#[test]
fn curl_test67_v1_with_oem_strings() {
    let ok = curl67().run(true, &[("testuser", "", "testpass")]).expect("verifies");
    assert_eq!((ok.user.as_str(), ok.domain.as_str()), ("testuser", ""));
    assert_eq!(ok.response, ResponseKind::NtlmV1);
    let err = curl67().run(true, &[("testuser", "", "wrong")]).unwrap_err();
    assert!(matches!(err, Failure::WrongPassword { response: ResponseKind::NtlmV1, .. }));
}

/// Rewrites the typed-rest-client capture with another challenge and NT response.
fn trc_with(nonce: &str, nt_response: &str) -> Result<Verified, Failure> {
    let mut capture = trc();
    capture.challenge[24..32].copy_from_slice(&hex(nonce));
    let mut auth = parse_authenticate(&capture.authenticate).unwrap();
    auth.nt_response = hex(nt_response);
    capture.authenticate = build_authenticate(&auth);
    capture.run(true, &[("Zaphod", "URSA-MINOR", "Beeblebrox")])
}

#[test]
fn typed_rest_client_nonce_bug() {
    // High challenge bytes: the client signs UTF-8(latin1(nonce)) and fails, as on IIS.
    let mangled = trc_with("0123456789abcdef", "306bf63005ea59c94873ea40a39a618c478f7b41db41f8bf");
    assert!(matches!(mangled, Err(Failure::WrongPassword { .. })));
    let standard = trc_with("0123456789abcdef", "d559ac238b6c32c20af8b18a3e5e57c4909febd70eff2547");
    assert!(standard.is_ok());
    let seven_bit = trc_with("0123456701234567", "2bbb5532ad34cfd6c9b34f21a0a98b5ed0770555ff16c410");
    assert!(seven_bit.is_ok());
}

#[test]
fn v1_ess_response_verifies() {
    let sc = [0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef];
    let auth = Authenticate {
        flags: flags::UNICODE | flags::NTLM | flags::ESS,
        lm_response: [&[0xaa; 8][..], &[0; 16]].concat(),
        nt_response: hex("7537f803ae367128ca458204bde7caf81e97ed2683267232"),
        domain: "Domain".into(),
        user: "User".into(),
        workstation: "COMPUTER".into(),
        encrypted_session_key: Vec::new(),
        version: None,
        mic: None,
    };
    let raw = build_authenticate(&auth);
    let ex = Exchange { negotiate: &[], challenge: &[], authenticate: &raw, server_challenge: sc };
    let ok = verify(&auth, &ex, true, &accounts(MS_USER)).expect("ESS verifies");
    assert_eq!(ok.response, ResponseKind::NtlmV1Ess);
}

const ALICE: &[(&str, &str, &str)] = &[("alice", "CORP", "S3cret!")];

#[test]
fn pyspnego_mic_vector_verifies() {
    let ok = pyspnego().run(false, ALICE).expect("verifies");
    assert_eq!((ok.user.as_str(), ok.domain.as_str()), ("alice", "CORP"));
    assert!(ok.mic_checked);
    assert_eq!(to_hex(ok.session_key.expose()), "4103ae6cd499d3846b359e5e65dab0cc");
}

#[test]
fn pyspnego_flipped_mic_byte_fails() {
    for at in [72, 80, 87] {
        let mut capture = pyspnego();
        capture.authenticate[at] ^= 0x01;
        let err = capture.run(false, ALICE).unwrap_err();
        assert_eq!(err, Failure::BadMic { user: "alice".into(), domain: "CORP".into() }, "byte {at}");
    }
}

#[test]
fn pyspnego_mic_covers_negotiate() {
    let mut capture = pyspnego();
    capture.negotiate[12] ^= 0x01;
    assert!(matches!(capture.run(false, ALICE), Err(Failure::BadMic { .. })));
}

#[test]
fn pyspnego_wrong_password_fails() {
    let err = pyspnego().run(false, &[("alice", "CORP", "S3cret?")]).unwrap_err();
    assert!(matches!(err, Failure::WrongPassword { response: ResponseKind::NtlmV2, .. }));
}

#[test]
fn refusals_before_lookup() {
    let base = parse_authenticate(&hex(ts::MS_AUTH_V2)).unwrap();
    let cases: &[(&str, Vec<u8>, &str, Failure)] = &[
        ("anonymous", vec![], "", Failure::Anonymous),
        ("LM only", vec![], "User", Failure::LmOnly),
        ("short NT", vec![1; 30], "User", Failure::malformed("NT response of 30 bytes")),
    ];
    for (name, nt, user, want) in cases {
        let auth = Authenticate { nt_response: nt.clone(), user: (*user).into(), ..base.clone() };
        let raw = build_authenticate(&auth);
        let ex = Exchange { negotiate: &[], challenge: &[], authenticate: &raw, server_challenge: [0; 8] };
        let looked_up = std::cell::Cell::new(false);
        let lookup = |_: &str, _: &str| {
            looked_up.set(true);
            Some("Password".to_owned())
        };
        assert_eq!(verify(&auth, &ex, true, &lookup).as_ref(), Err(want), "{name}");
        assert!(!looked_up.get(), "{name}: password looked up");
    }
}

/// MS-NLMP 4.2.2 and 4.2.3: User / Domain / Password, the server challenge 0123456789abcdef and
/// the client challenge aa*8; RandomSessionKey 55*16 (what KEY_EXCH carries, RC4-encrypted
/// with the KeyExchangeKey).
mod session_keys {
    use super::*;

    const SC: [u8; 8] = [0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef];
    const RANDOM_SESSION_KEY: [u8; 16] = [0x55; 16];
    /// 4.2.2.1.3 SessionBaseKey: the NTLMv1 KeyExchangeKey without ESS or LM_KEY.
    const V1_SESSION_BASE_KEY: &str = "d87262b0cde4b1cb7499becccdf10784";
    /// 4.2.3.1.2 KeyExchangeKey of NTLMv1 with ESS: HMAC_MD5(SessionBaseKey, SC || CC).
    const V1_ESS_KEY_EXCHANGE_KEY: &str = "eb93429a8bd952f8b89c55b87f475edc";
    /// 4.2.4.1.2 SessionBaseKey of NTLMv2 (its KeyExchangeKey).
    const V2_SESSION_BASE_KEY: &str = "8de40ccadbc14a82f15cb0ad0de95ca3";
    /// 4.2.2 NegotiateFlags (KEY_EXCH, 128, 56, VERSION, server, ALWAYS_SIGN, NTLM, SEAL, SIGN,
    /// OEM, UNICODE).
    const FLAGS_4_2_2: u32 = 0xe202_8233;
    /// 4.2.3 NegotiateFlags: ESS, no KEY_EXCH.
    const FLAGS_4_2_3: u32 = 0x820a_8233;

    fn key(text: &str) -> [u8; 16] {
        hex(text).try_into().expect("16 bytes")
    }

    /// Verifies an AUTHENTICATE of User with `flags`, the responses and EncryptedRandomSessionKey.
    fn verify_with(flags: u32, lm: Vec<u8>, nt: Vec<u8>, encrypted: Vec<u8>) -> Verified {
        let auth = Authenticate {
            flags,
            lm_response: lm,
            nt_response: nt,
            domain: "Domain".into(),
            user: "User".into(),
            workstation: "COMPUTER".into(),
            encrypted_session_key: encrypted,
            version: None,
            mic: None,
        };
        let raw = build_authenticate(&auth);
        let ex = Exchange { negotiate: &[], challenge: &[], authenticate: &raw, server_challenge: SC };
        verify(&auth, &ex, true, &accounts(MS_USER)).expect("the MS-NLMP response verifies")
    }

    /// 4.2.2: the NTLMv1 response and LMv1 response of "Password".
    fn v1(flags: u32, encrypted: Vec<u8>) -> Verified {
        let lm = hex("98def7b87f88aa5dafe2df779688a172def11c7d5ccdef13");
        verify_with(flags, lm, hex("67c43011f30298a2ad35ece64f16331c44bdbed927841f94"), encrypted)
    }

    /// 4.2.3: the NTLMv1-ESS response, LM field CC || Z(16).
    fn v1_ess(flags: u32, encrypted: Vec<u8>) -> Verified {
        let lm = [&[0xaa; 8][..], &[0; 16]].concat();
        verify_with(flags, lm, hex("7537f803ae367128ca458204bde7caf81e97ed2683267232"), encrypted)
    }

    #[test]
    fn ntlm_v1_with_key_exch_exports_the_decrypted_random_session_key() {
        // 4.2.2.2.3 EncryptedSessionKey.
        let ok = v1(FLAGS_4_2_2, hex("518822b1b3f350c8958682ecbb3e3cb7"));
        assert_eq!(ok.response, ResponseKind::NtlmV1);
        assert_eq!(ok.hashed_domain, None);
        assert_eq!(ok.session_key.expose(), &RANDOM_SESSION_KEY);
    }

    #[test]
    fn ntlm_v1_without_key_exch_exports_the_session_base_key_and_ignores_a_sent_key() {
        // ntlmclient sends its key in clear without KEY_EXCH: it must not be decrypted.
        let ok = v1(FLAGS_4_2_2 & !flags::KEY_EXCH, hex("518822b1b3f350c8958682ecbb3e3cb7"));
        assert_eq!(to_hex(ok.session_key.expose()), V1_SESSION_BASE_KEY);
        let ok = v1(FLAGS_4_2_2 & !flags::KEY_EXCH, Vec::new());
        assert_eq!(to_hex(ok.session_key.expose()), V1_SESSION_BASE_KEY);
    }

    #[test]
    fn ntlm_v1_ess_without_key_exch_exports_its_key_exchange_key() {
        let ok = v1_ess(FLAGS_4_2_3, Vec::new());
        assert_eq!(ok.response, ResponseKind::NtlmV1Ess);
        assert_eq!(to_hex(ok.session_key.expose()), V1_ESS_KEY_EXCHANGE_KEY);
    }

    #[test]
    fn ntlm_v1_ess_with_key_exch_decrypts_with_its_key_exchange_key() {
        let encrypted = crypto::rc4(&key(V1_ESS_KEY_EXCHANGE_KEY), &RANDOM_SESSION_KEY);
        let ok = v1_ess(FLAGS_4_2_3 | flags::KEY_EXCH, encrypted);
        assert_eq!(ok.session_key.expose(), &RANDOM_SESSION_KEY);
    }

    #[test]
    fn an_ess_flag_without_the_ess_lm_field_is_plain_ntlm_v1() {
        // The 4.2.2 messages with ESS set: the LM field is an LMv1 response, not CC || Z(16).
        let ok = v1((FLAGS_4_2_2 | flags::ESS) & !flags::KEY_EXCH, Vec::new());
        assert_eq!(ok.response, ResponseKind::NtlmV1);
        assert_eq!(to_hex(ok.session_key.expose()), V1_SESSION_BASE_KEY);
    }

    #[test]
    fn an_ess_shaped_lm_field_without_the_ess_flag_is_plain_ntlm_v1() {
        // CC || Z(16) in the LM field means ESS only with the flag: here the NT response is the
        // plain 4.2.2 one and must verify against the plain server challenge.
        let lm = [&[0xaa; 8][..], &[0; 16]].concat();
        let ok = verify_with(
            FLAGS_4_2_2 & !flags::KEY_EXCH,
            lm,
            hex("67c43011f30298a2ad35ece64f16331c44bdbed927841f94"),
            Vec::new(),
        );
        assert_eq!(ok.response, ResponseKind::NtlmV1);
        assert_eq!(to_hex(ok.session_key.expose()), V1_SESSION_BASE_KEY);
    }

    #[test]
    fn ntlm_v2_without_key_exch_exports_the_session_base_key() {
        let capture = ms_v2();
        let mut auth = parse_authenticate(&capture.authenticate).unwrap();
        auth.flags &= !flags::KEY_EXCH;
        let raw = build_authenticate(&auth);
        let ex = Exchange { negotiate: &[], challenge: &capture.challenge, authenticate: &raw, server_challenge: SC };
        let ok = verify(&auth, &ex, false, &accounts(MS_USER)).expect("verifies");
        assert_eq!(to_hex(ok.session_key.expose()), V2_SESSION_BASE_KEY);
    }

    #[test]
    fn key_exch_decrypts_with_sign_or_seal_alone_and_never_without_either() {
        let encrypted = hex("518822b1b3f350c8958682ecbb3e3cb7");
        let base = FLAGS_4_2_2 & !(flags::SIGN | flags::SEAL);
        for (flags, want) in [
            (base | flags::SIGN, to_hex(&RANDOM_SESSION_KEY)),
            (base | flags::SEAL, to_hex(&RANDOM_SESSION_KEY)),
            // pyspnego: KEY_EXCH without SIGN or SEAL; the key it sends is not used.
            (base, V1_SESSION_BASE_KEY.to_owned()),
        ] {
            assert_eq!(to_hex(v1(flags, encrypted.clone()).session_key.expose()), want, "flags {flags:#x}");
        }
    }

    #[test]
    fn an_encrypted_key_of_another_length_is_ignored() {
        for len in [1, 15, 17] {
            let ok = v1(FLAGS_4_2_2, vec![0x42; len]);
            assert_eq!(to_hex(ok.session_key.expose()), V1_SESSION_BASE_KEY, "{len} bytes");
        }
    }

    #[test]
    fn the_session_key_debug_form_shows_only_its_length() {
        let ok = v1(FLAGS_4_2_2, hex("518822b1b3f350c8958682ecbb3e3cb7"));
        assert_eq!(format!("{:?}", ok.session_key), "SessionKey(16 bytes)");
        assert_eq!(SessionKey::new([7; 16]).expose(), &[7; 16]);
    }
}

#[test]
fn the_shortest_ntlm_v2_response_is_44_bytes() {
    let base = parse_authenticate(&hex(ts::MS_AUTH_V2)).unwrap();
    for (len, want) in [(43, None), (44, Some(ResponseKind::NtlmV2)), (24, Some(ResponseKind::NtlmV1)), (25, None)] {
        let auth = Authenticate { nt_response: vec![1; len], ..base.clone() };
        assert_eq!(response_kind(&auth), want, "{len} bytes");
    }
    let auth = Authenticate { nt_response: vec![1; 44], ..base.clone() };
    let raw = build_authenticate(&auth);
    let ex = Exchange { negotiate: &[], challenge: &[], authenticate: &raw, server_challenge: [0; 8] };
    let err = verify(&auth, &ex, false, &accounts(MS_USER)).unwrap_err();
    assert!(matches!(err, Failure::WrongPassword { response: ResponseKind::NtlmV2, .. }), "{err:?}");
}
