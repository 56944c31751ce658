//! MS-NLMP 4.2 test vectors for the primitives.

use super::super::test_support::{hex, to_hex};
use super::*;

const SC: [u8; 8] = [0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef];
const CC: [u8; 8] = [0xaa; 8];
const RANDOM_KEY: [u8; 16] = [0x55; 16];

/// The 4.2.4 temp: Domain then Server AV pairs, EOL, Z(4).
const TEMP_V2: &str = "0101000000000000 0000000000000000 aaaaaaaaaaaaaaaa 00000000
    02000c0044006f006d00610069006e00 01000c00530065007200760065007200 00000000 00000000";

fn k16(text: &str) -> Key16 {
    hex(text).try_into().expect("16 bytes")
}

#[test]
fn ms_nlmp_4_2_vectors() {
    let nt = nt_hash("Password");
    let v2 = ntowf_v2(&nt, "User", "Domain");
    let temp = hex(TEMP_V2);
    let proof = ntlmv2_proof(&v2, &SC, &temp);
    let base_v2 = session_base_key_v2(&v2, &proof);
    let base_v1 = session_base_key_v1(&nt);
    let ess_cc = ess_challenge(&SC, &CC);
    let cases: &[(&str, Vec<u8>, &str)] = &[
        ("NTOWFv1", nt.to_vec(), "a4f49c406510bdcab6824ee7c30fd852"),
        ("LMOWFv1", lm_hash("Password").unwrap().to_vec(), "e52cac67419a9a224a3b108f3fa6cb6d"),
        ("NTLMv1 response", desl(&nt, &SC).to_vec(), "67c43011f30298a2ad35ece64f16331c44bdbed927841f94"),
        (
            "LMv1 response",
            desl(&lm_hash("Password").unwrap(), &SC).to_vec(),
            "98def7b87f88aa5dafe2df779688a172def11c7d5ccdef13",
        ),
        ("NTLMv1 SessionBaseKey", base_v1.to_vec(), "d87262b0cde4b1cb7499becccdf10784"),
        ("NTLMv1 EncryptedSessionKey", rc4(&base_v1, &RANDOM_KEY), "518822b1b3f350c8958682ecbb3e3cb7"),
        ("NTLMv1-ESS response", desl(&nt, &ess_cc).to_vec(), "7537f803ae367128ca458204bde7caf81e97ed2683267232"),
        ("NTOWFv2", v2.to_vec(), "0c868a403bfd7a93a3001ef22ef02e3f"),
        ("LMv2 response", lmv2_response(&v2, &SC, &CC).to_vec(), "86c35097ac9cec102554764a57cccc19aaaaaaaaaaaaaaaa"),
        ("NTProofStr", proof.to_vec(), "68cd0ab851e51c96aabc927bebef6a1c"),
        ("NTLMv2 SessionBaseKey", base_v2.to_vec(), "8de40ccadbc14a82f15cb0ad0de95ca3"),
        ("NTLMv2 EncryptedRandomSessionKey", rc4(&base_v2, &RANDOM_KEY), "c5dad2544fc9799094ce1ce90bc9d03e"),
    ];
    for (name, got, want) in cases {
        assert_eq!(to_hex(got), *want, "{name}");
    }
}

#[test]
fn temp_is_68_bytes() {
    assert_eq!(hex(TEMP_V2).len(), 68);
}

#[test]
fn rc4_is_its_own_inverse() {
    let key = k16("8de40ccadbc14a82f15cb0ad0de95ca3");
    assert_eq!(rc4(&key, &rc4(&key, &RANDOM_KEY)), RANDOM_KEY);
}

#[test]
fn lm_hash_absent_for_long_or_wide_passwords() {
    assert_eq!(lm_hash("fifteen-chars!!"), None);
    assert_eq!(lm_hash("pässword").map(|_| ()), Some(()));
    assert_eq!(lm_hash("密码"), None);
}

#[test]
fn typed_rest_client_nonce_bug_vectors() {
    let nt = nt_hash("Beeblebrox");
    let cases = [
        ("0123456789abcdef", "d559ac238b6c32c20af8b18a3e5e57c4909febd70eff2547"),
        ("01234567c289c2ab", "306bf63005ea59c94873ea40a39a618c478f7b41db41f8bf"),
        ("0123456701234567", "2bbb5532ad34cfd6c9b34f21a0a98b5ed0770555ff16c410"),
    ];
    for (challenge, want) in cases {
        let sc: [u8; 8] = hex(challenge).try_into().unwrap();
        assert_eq!(to_hex(&desl(&nt, &sc)), want, "challenge {challenge}");
    }
}

#[test]
fn ct_eq_compares_content_and_length() {
    assert!(ct_eq(b"abc", b"abc"));
    assert!(!ct_eq(b"abc", b"abd"));
    assert!(!ct_eq(b"abc", b"ab"));
    assert!(ct_eq(b"", b""));
}
