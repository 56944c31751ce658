//! SPNEGO token vectors (facts §1.6) and builder round trips.

use super::super::test_support::{b64, hex};
use super::*;

const PYSPNEGO_INIT: &str =
    "YEgGBisGAQUFAqA+MDygDjAMBgorBgEEAYI3AgIKoioEKE5UTE1TU1AAAQAAADeCCOIAAAAAKAAAAAAAAAAoAAAAAAwAAAAAAA8=";
const IIS_FINAL: &str = "oRswGaADCgEAoxIEEAEAAAAKRXS7Vw5jqgAAAAA=";
const NTLMSSP_MECH_TYPES: &str = "300c060a2b06010401823702020a";

#[test]
fn pyspnego_neg_token_init_parses() {
    let Token::Init(init) = parse(&b64(PYSPNEGO_INIT)).unwrap() else {
        panic!("not an init token");
    };
    assert_eq!(init.mech_types, [NTLMSSP_OID]);
    assert_eq!(init.mech_types_der, hex(NTLMSSP_MECH_TYPES));
    let token = init.mech_token.expect("mechToken");
    assert_eq!(token.len(), 40);
    assert!(token.starts_with(b"NTLMSSP\0\x01\0\0\0"));
    assert_eq!(init.mech_list_mic, None);
}

#[test]
fn build_init_reproduces_pyspnego_bytes() {
    let original = b64(PYSPNEGO_INIT);
    let Token::Init(init) = parse(&original).unwrap() else { unreachable!() };
    let rebuilt = build_init(&[NTLMSSP_OID], init.mech_token.as_deref()).unwrap();
    assert_eq!(rebuilt, original);
}

#[test]
fn iis_final_token_parses_and_rebuilds() {
    let original = b64(IIS_FINAL);
    let Token::Resp(resp) = parse(&original).unwrap() else { panic!("not a resp") };
    assert_eq!(resp.neg_state, Some(NegState::AcceptCompleted));
    assert_eq!(resp.supported_mech, None);
    assert_eq!(resp.response_token, None);
    assert_eq!(resp.mech_list_mic, Some(hex("010000000a4574bb570e63aa00000000")));
    assert_eq!(build_resp(&resp).unwrap(), original);
}

#[test]
fn server_challenge_reply_has_facts_layout() {
    let resp = NegTokenResp {
        neg_state: Some(NegState::AcceptIncomplete),
        supported_mech: Some(NTLMSSP_OID.to_owned()),
        response_token: Some(vec![0x4e; 0x7c]),
        mech_list_mic: None,
    };
    let bytes = build_resp(&resp).unwrap();
    let head = hex("a181963081 93a0030a0101a10c060a2b06010401823702020aa27e047c");
    assert_eq!(&bytes[..head.len()], head.as_slice());
    assert_eq!(parse(&bytes).unwrap(), Token::Resp(resp));
}

#[test]
fn client_auth_resp_with_long_lengths_round_trips() {
    let resp = NegTokenResp {
        neg_state: Some(NegState::AcceptIncomplete),
        supported_mech: None,
        response_token: Some(vec![7; 0x154]),
        mech_list_mic: Some(vec![1; 16]),
    };
    let bytes = build_resp(&resp).unwrap();
    assert_eq!(&bytes[..8], &hex("a182017930820175"));
    assert_eq!(parse(&bytes).unwrap(), Token::Resp(resp));
}

#[test]
fn kerberos_only_init_lists_mechs() {
    let bytes = build_init(&[MS_KRB5_OID, KRB5_OID], Some(b"\x6e\x00")).unwrap();
    let Token::Init(init) = parse(&bytes).unwrap() else { unreachable!() };
    assert_eq!(init.mech_types, [MS_KRB5_OID, KRB5_OID]);
}

#[test]
fn rejects_non_spnego() {
    let cases: &[(&str, Vec<u8>)] = &[
        ("empty", vec![]),
        ("raw NTLMSSP", b"NTLMSSP\0".to_vec()),
        ("wrong thisMech", hex("600d06092a864886f71201020200")),
        ("init without mechTypes", hex("6010 06062b0601050502 a006 3004 a2020400")),
        ("bad negState", hex("a1073005a0030a0109")),
        ("resp not a sequence", hex("a1020400")),
        ("truncated", b64(PYSPNEGO_INIT)[..30].to_vec()),
    ];
    for (name, bytes) in cases {
        assert!(matches!(parse(bytes), Err(Failure::Malformed { .. })), "{name}");
    }
}

#[test]
fn build_rejects_invalid_oids() {
    assert!(build_init(&["not.an.oid"], None).is_err());
    let resp = NegTokenResp { supported_mech: Some("1".into()), ..NegTokenResp::default() };
    assert!(build_resp(&resp).is_err());
}

#[test]
fn debug_hides_token_bytes() {
    let resp = NegTokenResp { response_token: Some(vec![0xab; 4]), ..NegTokenResp::default() };
    let text = format!("{resp:?}");
    assert!(text.contains("response_token_len: Some(4)"), "{text}");
    assert!(!text.contains("171"), "{text}");
}

/// A NegTokenInit with `fields` (each a context tag and its content) after its mechTypes.
fn init_with(fields: &[(u8, Vec<u8>)]) -> Vec<u8> {
    let oid = der::dotted_to_oid(NTLMSSP_OID).unwrap();
    let mut seq = tlv(context(0), &tlv(SEQUENCE, &tlv(OID, &oid)));
    for (n, content) in fields {
        seq.extend(tlv(context(*n), content));
    }
    let mut content = tlv(OID, &der::dotted_to_oid(SPNEGO_OID).unwrap());
    content.extend(tlv(context(0), &tlv(SEQUENCE, &seq)));
    tlv(INIT_TAG, &content)
}

/// reqFlags [1] and fields past mechListMIC [3] carry nothing an NTLM acceptor uses: they are
/// skipped, and mechToken [2] and mechListMIC [3] are each read from their own field.
#[test]
fn init_fields_are_read_by_their_own_tags() {
    let bytes = init_with(&[
        (1, tlv(0x03, &[0x00, 0x80])),
        (2, tlv(OCTET_STRING, b"NTLMSSP\0token")),
        (3, tlv(OCTET_STRING, &[0x5a; 16])),
        (4, tlv(OCTET_STRING, b"not the mic")),
    ]);
    let Token::Init(init) = parse(&bytes).unwrap() else { panic!("not an init token") };
    assert_eq!(init.mech_token.as_deref(), Some(&b"NTLMSSP\0token"[..]));
    assert_eq!(init.mech_list_mic, Some(vec![0x5a; 16]));
    let without_mic = init_with(&[(2, tlv(OCTET_STRING, b"NTLMSSP\0token"))]);
    let Token::Init(init) = parse(&without_mic).unwrap() else { panic!("not an init token") };
    assert_eq!(init.mech_list_mic, None);
}

/// A NegTokenResp has four fields; any other is malformed (not taken for a mechListMIC).
#[test]
fn a_resp_with_an_unknown_field_is_malformed() {
    let fields =
        [tlv(context(3), &tlv(OCTET_STRING, &[1; 16])), tlv(context(4), &tlv(OCTET_STRING, &[2; 16]))].concat();
    let bytes = tlv(RESP_TAG, &tlv(SEQUENCE, &fields));
    assert!(matches!(parse(&bytes), Err(Failure::Malformed { .. })), "{:?}", parse(&bytes));
}

/// The debug form of a NegTokenInit shows its mechanisms and lengths, never the token's bytes.
#[test]
fn init_debug_shows_lengths_not_bytes() {
    let Token::Init(init) = parse(&b64(PYSPNEGO_INIT)).unwrap() else { panic!("not an init token") };
    let text = format!("{init:?}");
    assert!(text.starts_with("NegTokenInit") && text.contains("mech_token_len: Some(40)"), "{text}");
    assert!(!text.contains("NTLMSSP\\0") && !text.contains("78, 84, 76"), "{text}");
}
