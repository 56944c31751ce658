//! NTLM cryptography (MS-NLMP 3.3, 3.4.5) on the RustCrypto primitives.
//!
//! All keys here are secrets: they are returned as plain arrays and never
//! formatted by this module.

use cipher::{BlockEncrypt, KeyInit, StreamCipher};
use des::Des;
use hmac::{Hmac, Mac};
use md4::{Digest, Md4};
use md5::Md5;
use rc4::Rc4;

use super::message::wire::utf16_encode;

/// A 16-byte NTLM key or hash.
pub type Key16 = [u8; 16];

/// HMAC-MD5 over the concatenation of `parts`.
pub fn hmac_md5(key: &[u8], parts: &[&[u8]]) -> Key16 {
    let mut mac = <Hmac<Md5> as Mac>::new_from_slice(key).expect("HMAC accepts keys of any length");
    for part in parts {
        mac.update(part);
    }
    mac.finalize().into_bytes().into()
}

/// MD5 over the concatenation of `parts`.
pub fn md5(parts: &[&[u8]]) -> Key16 {
    let mut hasher = Md5::new();
    for part in parts {
        hasher.update(part);
    }
    hasher.finalize().into()
}

/// NTOWFv1: MD4 of the UTF-16LE password (the "NT hash").
pub fn nt_hash(password: &str) -> Key16 {
    Md4::digest(utf16_encode(password)).into()
}

/// LMOWFv1, or None when the password has no LM hash (over 14 OEM characters).
pub fn lm_hash(password: &str) -> Option<Key16> {
    let upper: Vec<u8> = password.to_uppercase().chars().map(|c| u8::try_from(c).ok()).collect::<Option<_>>()?;
    if upper.len() > 14 {
        return None;
    }
    let mut padded = [0u8; 14];
    padded[..upper.len()].copy_from_slice(&upper);
    let magic = *b"KGS!@#$%";
    let mut out = [0u8; 16];
    out[..8].copy_from_slice(&des7(&padded[..7], magic));
    out[8..].copy_from_slice(&des7(&padded[7..], magic));
    Some(out)
}

/// NTOWFv2: HMAC-MD5(NT hash, UTF16(UPPER(user) + domain)); the domain keeps its case.
pub fn ntowf_v2(nt_hash: &Key16, user: &str, domain: &str) -> Key16 {
    let identity = utf16_encode(&(user.to_uppercase() + domain));
    hmac_md5(nt_hash, &[&identity])
}

/// NTProofStr: HMAC-MD5(NTOWFv2, ServerChallenge || temp), temp being the client's blob.
pub fn ntlmv2_proof(key_v2: &Key16, server_challenge: &[u8; 8], temp: &[u8]) -> Key16 {
    hmac_md5(key_v2, &[server_challenge, temp])
}

/// LMv2 response: HMAC-MD5(NTOWFv2, SC || CC) || CC.
pub fn lmv2_response(key_v2: &Key16, server_challenge: &[u8; 8], client_challenge: &[u8; 8]) -> [u8; 24] {
    let mut out = [0u8; 24];
    out[..16].copy_from_slice(&hmac_md5(key_v2, &[server_challenge, client_challenge]));
    out[16..].copy_from_slice(client_challenge);
    out
}

/// NTLMv2 SessionBaseKey: HMAC-MD5(NTOWFv2, NTProofStr).
pub fn session_base_key_v2(key_v2: &Key16, proof: &Key16) -> Key16 {
    hmac_md5(key_v2, &[proof])
}

/// NTLMv1 SessionBaseKey: MD4(NT hash).
pub fn session_base_key_v1(nt_hash: &Key16) -> Key16 {
    Md4::digest(nt_hash).into()
}

/// NTLMv1 KeyExchangeKey with ESS: HMAC-MD5(SessionBaseKey, SC || LmResponse[0..8]).
pub fn key_exchange_key_v1_ess(base: &Key16, server_challenge: &[u8; 8], lm8: &[u8; 8]) -> Key16 {
    hmac_md5(base, &[server_challenge, lm8])
}

/// The challenge NTLMv1-ESS signs: MD5(SC || CC)[0..8].
pub fn ess_challenge(server_challenge: &[u8; 8], client_challenge: &[u8; 8]) -> [u8; 8] {
    let digest = md5(&[server_challenge, client_challenge]);
    let mut out = [0u8; 8];
    out.copy_from_slice(&digest[..8]);
    out
}

/// DESL: three DES encryptions of `data` under the 16-byte key split 7/7/2+zeros.
pub fn desl(key: &Key16, data: &[u8; 8]) -> [u8; 24] {
    let mut third = [0u8; 7];
    third[..2].copy_from_slice(&key[14..]);
    let mut out = [0u8; 24];
    out[..8].copy_from_slice(&des7(&key[..7], *data));
    out[8..16].copy_from_slice(&des7(&key[7..14], *data));
    out[16..].copy_from_slice(&des7(&third, *data));
    out
}

/// DES-encrypts one block under a 7-byte key widened to 8 bytes.
fn des7(key7: &[u8], block: [u8; 8]) -> [u8; 8] {
    let k: [u8; 7] = key7.try_into().expect("callers pass exactly 7 key bytes");
    // The low bit of each byte is DES parity, which the des crate ignores.
    let wide = [
        k[0],
        (k[0] << 7) | (k[1] >> 1),
        (k[1] << 6) | (k[2] >> 2),
        (k[2] << 5) | (k[3] >> 3),
        (k[3] << 4) | (k[4] >> 4),
        (k[4] << 3) | (k[5] >> 5),
        (k[5] << 2) | (k[6] >> 6),
        k[6] << 1,
    ];
    let cipher = Des::new(&wide.into());
    let mut block = block.into();
    cipher.encrypt_block(&mut block);
    block.into()
}

/// RC4 with a 16-byte key over `data`, from a fresh cipher state.
pub fn rc4(key: &Key16, data: &[u8]) -> Vec<u8> {
    let mut cipher = Rc4::<rc4::consts::U16>::new(key.into());
    let mut out = data.to_vec();
    cipher.apply_keystream(&mut out);
    out
}

/// Compares two byte strings in time that depends only on their lengths.
pub fn ct_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    let diff = a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y));
    // black_box keeps the optimiser from turning the fold into an early exit.
    std::hint::black_box(diff) == 0
}

#[cfg(test)]
#[path = "crypto_tests.rs"]
mod tests;
