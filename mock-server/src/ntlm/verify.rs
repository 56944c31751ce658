//! Checks an AUTHENTICATE against the account's password (MS-NLMP 3.3, 3.2.5.2.2).
//!
//! Implementation notes: sspi-rs was rejected as the verifier because its
//! acceptor never compares NTProofStr (facts §0.6). This follows Samba's
//! `ntlm_check.c` order instead: NTLMv2 with the domain as sent, upper-cased,
//! then empty; NTLMv1 checks only the NT response, since typed-rest-client's
//! LM response is wrong for passwords over 14 characters.

use std::fmt;

use super::crypto::{self, Key16, ct_eq};
use super::message::{Authenticate, authenticate::MIC_RANGE};
use super::{Failure, ResponseKind, flags};

/// The raw messages of one handshake, as the MIC covers them.
#[derive(Debug, Clone, Copy)]
pub struct Exchange<'a> {
    /// NEGOTIATE as received (empty when unknown; only the MIC needs it).
    pub negotiate: &'a [u8],
    /// CHALLENGE as sent.
    pub challenge: &'a [u8],
    /// AUTHENTICATE as received.
    pub authenticate: &'a [u8],
    /// The server challenge inside the CHALLENGE.
    pub server_challenge: [u8; 8],
}

/// The ExportedSessionKey. Debug prints only its length.
#[derive(Clone, PartialEq, Eq)]
pub struct SessionKey(Key16);

impl SessionKey {
    /// Wraps raw key bytes.
    pub fn new(bytes: Key16) -> Self {
        Self(bytes)
    }

    /// The key bytes; never log them.
    pub fn expose(&self) -> &Key16 {
        &self.0
    }
}

impl fmt::Debug for SessionKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SessionKey({} bytes)", self.0.len())
    }
}

/// A successful verification.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verified {
    /// User name as sent.
    pub user: String,
    /// Domain as sent.
    pub domain: String,
    /// Workstation as sent.
    pub workstation: String,
    /// Which kind of response verified.
    pub response: ResponseKind,
    /// The domain string the NTLMv2 key was computed with (None for NTLMv1).
    pub hashed_domain: Option<String>,
    /// NegotiateFlags of the AUTHENTICATE.
    pub flags: u32,
    /// The ExportedSessionKey (signing and the SPNEGO mechListMIC derive from it).
    pub session_key: SessionKey,
    /// Whether a MIC was present and checked.
    pub mic_checked: bool,
}

/// Checks `auth` (parsed from `exchange.authenticate`) against the password
/// `password_of(user, domain)` returns.
///
/// # Errors
/// Every refusal is a [`Failure`]: anonymous, LM-only, NTLMv1 by policy,
/// unknown account, wrong password, bad MIC or a malformed NT response.
pub fn verify(
    auth: &Authenticate,
    exchange: &Exchange<'_>,
    accept_v1: bool,
    password_of: &dyn Fn(&str, &str) -> Option<String>,
) -> Result<Verified, Failure> {
    let kind = classify(auth, accept_v1)?;
    let password = password_of(&auth.user, &auth.domain)
        .ok_or_else(|| Failure::UnknownUser { user: auth.user.clone(), domain: auth.domain.clone() })?;
    let nt = crypto::nt_hash(&password);
    let sc = &exchange.server_challenge;
    let proved = match kind {
        ResponseKind::NtlmV2 => prove_v2(auth, sc, &nt),
        ResponseKind::NtlmV1 | ResponseKind::NtlmV1Ess => prove_v1(auth, sc, &nt, kind),
    };
    let (kx_key, hashed_domain) = proved.ok_or_else(|| Failure::WrongPassword {
        user: auth.user.clone(),
        domain: auth.domain.clone(),
        response: kind,
    })?;
    let session_key = exported_session_key(auth, &kx_key);
    let mic_checked = check_mic(auth, exchange, &session_key)?;
    Ok(Verified {
        user: auth.user.clone(),
        domain: auth.domain.clone(),
        workstation: auth.workstation.clone(),
        response: kind,
        hashed_domain,
        flags: auth.flags,
        session_key: SessionKey(session_key),
        mic_checked,
    })
}

/// Shortest NTLMv2 response: NTProofStr and the 28-byte fixed blob header.
const MIN_V2_LEN: usize = 16 + 28;

/// The kind of NT response an AUTHENTICATE carries, before any policy.
pub fn response_kind(auth: &Authenticate) -> Option<ResponseKind> {
    match auth.nt_response.len() {
        24 if is_ess(auth) => Some(ResponseKind::NtlmV1Ess),
        24 => Some(ResponseKind::NtlmV1),
        n if n >= MIN_V2_LEN => Some(ResponseKind::NtlmV2),
        _ => None,
    }
}

/// Decides the response kind and applies policy before any password lookup.
fn classify(auth: &Authenticate, accept_v1: bool) -> Result<ResponseKind, Failure> {
    let n = auth.nt_response.len();
    match response_kind(auth) {
        _ if n == 0 && auth.user.is_empty() => Err(Failure::Anonymous),
        _ if n == 0 => Err(Failure::LmOnly),
        Some(ResponseKind::NtlmV1 | ResponseKind::NtlmV1Ess) if !accept_v1 => {
            Err(Failure::V1Refused { user: auth.user.clone(), domain: auth.domain.clone() })
        }
        Some(kind) => Ok(kind),
        None => Err(Failure::malformed(format!("NT response of {n} bytes"))),
    }
}

/// NTLMv1-ESS is signalled by the ESS flag and an LM field of CC || Z(16).
fn is_ess(auth: &Authenticate) -> bool {
    let lm = &auth.lm_response;
    auth.flags & flags::ESS != 0 && lm.len() == 24 && lm[8..].iter().all(|&b| b == 0)
}

/// Returns the KeyExchangeKey and the domain that matched, or None.
fn prove_v2(auth: &Authenticate, sc: &[u8; 8], nt: &Key16) -> Option<(Key16, Option<String>)> {
    let (proof, temp) = auth.nt_response.split_at(16);
    let upper = auth.domain.to_uppercase();
    let mut tried: Vec<&str> = Vec::with_capacity(3);
    for domain in [auth.domain.as_str(), upper.as_str(), ""] {
        if tried.contains(&domain) {
            continue;
        }
        tried.push(domain);
        let key = crypto::ntowf_v2(nt, &auth.user, domain);
        let expected = crypto::ntlmv2_proof(&key, sc, temp);
        if ct_eq(&expected, proof) {
            let base = crypto::session_base_key_v2(&key, &expected);
            return Some((base, Some(domain.to_owned())));
        }
    }
    None
}

/// Checks the 24-byte NT response; returns the KeyExchangeKey or None.
///
/// LM_KEY and NON_NT_SESSION_KEY key derivations are left out: the CHALLENGE
/// this server builds never grants those flags.
fn prove_v1(auth: &Authenticate, sc: &[u8; 8], nt: &Key16, kind: ResponseKind) -> Option<(Key16, Option<String>)> {
    let client_challenge: [u8; 8] = auth.lm_response.get(..8)?.try_into().ok()?;
    let signed = if kind == ResponseKind::NtlmV1Ess { crypto::ess_challenge(sc, &client_challenge) } else { *sc };
    if !ct_eq(&crypto::desl(nt, &signed), &auth.nt_response) {
        return None;
    }
    let base = crypto::session_base_key_v1(nt);
    let kx = if kind == ResponseKind::NtlmV1Ess {
        crypto::key_exchange_key_v1_ess(&base, sc, &client_challenge)
    } else {
        base
    };
    Some((kx, None))
}

/// ExportedSessionKey: RC4-decrypted only with KEY_EXCH and SIGN or SEAL.
///
/// ntlmclient sends its SessionBaseKey in clear without KEY_EXCH and pyspnego
/// sends one byte with KEY_EXCH but no SIGN/SEAL; both must be ignored.
fn exported_session_key(auth: &Authenticate, kx_key: &Key16) -> Key16 {
    let f = auth.flags;
    // Mutation testing (docs/MUTANTS.md): `SIGN ^ SEAL` here is an equivalent mutant of
    // `SIGN | SEAL`, since the two are distinct bits.
    let exchanged = f & flags::KEY_EXCH != 0 && f & (flags::SIGN | flags::SEAL) != 0;
    match <[u8; 16]>::try_from(auth.encrypted_session_key.as_slice()) {
        Ok(encrypted) if exchanged => crypto::rc4(kx_key, &encrypted).try_into().expect("RC4 keeps the length"),
        _ => *kx_key,
    }
}

/// Checks the MIC when MsvAvFlags says there is one; returns whether it did.
fn check_mic(auth: &Authenticate, ex: &Exchange<'_>, key: &Key16) -> Result<bool, Failure> {
    if !auth.mic_flagged() {
        return Ok(false);
    }
    let bad = || Failure::BadMic { user: auth.user.clone(), domain: auth.domain.clone() };
    let sent = auth.mic.ok_or_else(bad)?;
    let mut zeroed = ex.authenticate.to_vec();
    zeroed.get_mut(MIC_RANGE).ok_or_else(bad)?.fill(0);
    let expected = crypto::hmac_md5(key, &[ex.negotiate, ex.challenge, &zeroed]);
    if ct_eq(&expected, &sent) { Ok(true) } else { Err(bad()) }
}

#[cfg(test)]
#[path = "verify_tests.rs"]
mod tests;
