//! AUTHENTICATE_MESSAGE (type 3) parsing, MS-NLMP 2.2.1.3.

use std::fmt;

use super::super::{Failure, flags};
use super::av_pair::{self, AvPair};
use super::wire::{
    array_at, check_header, decode_string, field_at, oem_encode, payload, push_field, u32_at, utf16_encode,
};

/// The shortest header (curl, typed-rest-client): no Version, no MIC.
const MIN_LEN: usize = 64;
/// Where the MIC sits when present.
pub const MIC_RANGE: std::ops::Range<usize> = 72..88;
/// Offset of the AV pairs inside an NTLMv2 response (NTProofStr + fixed blob header).
const V2_AV_OFFSET: usize = 16 + 28;

/// A parsed AUTHENTICATE_MESSAGE.
///
/// Debug shows lengths only: the responses and the session key are secrets.
#[derive(Clone, PartialEq, Eq)]
pub struct Authenticate {
    /// NegotiateFlags as sent.
    pub flags: u32,
    /// LmChallengeResponse.
    pub lm_response: Vec<u8>,
    /// NtChallengeResponse (24 bytes for NTLMv1, longer for NTLMv2).
    pub nt_response: Vec<u8>,
    /// DomainName as sent.
    pub domain: String,
    /// UserName as sent.
    pub user: String,
    /// Workstation as sent.
    pub workstation: String,
    /// EncryptedRandomSessionKey (meaningful only with KEY_EXCH).
    pub encrypted_session_key: Vec<u8>,
    /// VERSION, when the payload starts at 72 or later.
    pub version: Option<[u8; 8]>,
    /// Bytes 72..88, when the payload starts at 88 or later. They are a MIC
    /// only if the NTLMv2 blob's MsvAvFlags has bit 0x2.
    pub mic: Option<[u8; 16]>,
}

impl fmt::Debug for Authenticate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Authenticate")
            .field("flags", &format_args!("{:#010x}", self.flags))
            .field("lm_response_len", &self.lm_response.len())
            .field("nt_response_len", &self.nt_response.len())
            .field("domain", &self.domain)
            .field("user", &self.user)
            .field("workstation", &self.workstation)
            .field("encrypted_session_key_len", &self.encrypted_session_key.len())
            .field("version", &self.version.as_ref().map(super::wire::version_text))
            .field("mic_field", &self.mic.is_some())
            .finish()
    }
}

impl Authenticate {
    /// The AV pairs of an NTLMv2 response's blob (empty for NTLMv1).
    pub fn v2_av_pairs(&self) -> Vec<AvPair<'_>> {
        match self.nt_response.get(V2_AV_OFFSET..) {
            Some(list) if self.nt_response.len() > 24 => av_pair::parse(list),
            _ => Vec::new(),
        }
    }

    /// Whether the client says it sent a MIC (MsvAvFlags bit 0x2).
    pub fn mic_flagged(&self) -> bool {
        av_pair::msv_av_flags(&self.v2_av_pairs()).is_some_and(|f| f & av_pair::FLAG_MIC_PRESENT != 0)
    }

    /// Whether strings are UTF-16.
    pub fn unicode(&self) -> bool {
        self.flags & flags::UNICODE != 0
    }
}

/// Header offsets of the six security buffers, in wire order.
const FIELDS: [usize; 6] = [12, 20, 28, 36, 44, 52];

/// Parses an AUTHENTICATE, locating every payload by its offset.
///
/// # Errors
/// [`Failure::Malformed`] for a bad signature, a header under 64 bytes, a
/// buffer outside the message or a bad UTF-16 string;
/// [`Failure::UnexpectedMessage`] for another type.
pub fn parse_authenticate(msg: &[u8]) -> Result<Authenticate, Failure> {
    check_header(msg, 3, MIN_LEN)?;
    let flags = u32_at(msg, 60).unwrap_or_default();
    let unicode = flags & flags::UNICODE != 0;
    let [lm, nt, dom, user, ws, key] = FIELDS;
    let text = |at: usize, what: &str| decode_string(payload(msg, at, what)?, unicode, what);
    let start = payload_start(msg);
    Ok(Authenticate {
        flags,
        lm_response: payload(msg, lm, "LM response")?.to_vec(),
        nt_response: payload(msg, nt, "NT response")?.to_vec(),
        domain: text(dom, "domain")?,
        user: text(user, "user name")?,
        workstation: text(ws, "workstation")?,
        encrypted_session_key: payload(msg, key, "session key")?.to_vec(),
        version: (start >= 72).then(|| array_at(msg, 64)).flatten(),
        mic: (start >= MIC_RANGE.end).then(|| array_at(msg, MIC_RANGE.start)).flatten(),
    })
}

/// Where the payload begins: the lowest offset of a non-empty buffer.
///
/// Headers are 64, 72 or 88 bytes depending on the client, and this is the
/// only reliable way to tell which (empty buffers may point anywhere).
fn payload_start(msg: &[u8]) -> usize {
    FIELDS.iter().filter_map(|&at| field_at(msg, at)).filter(|f| f.len > 0).map(|f| f.offset).min().unwrap_or(msg.len())
}

/// Serialises an AUTHENTICATE, as a client would (tests and benchmarks).
///
/// The header is 64 bytes, 72 with `version`, 88 with `mic` (the version is
/// then zero-filled if absent). Strings follow the UNICODE flag.
pub fn build_authenticate(auth: &Authenticate) -> Vec<u8> {
    let encode = |s: &str| {
        if auth.unicode() { utf16_encode(s) } else { oem_encode(s) }
    };
    let header = match (auth.version, auth.mic) {
        (_, Some(_)) => MIC_RANGE.end,
        (Some(_), None) => MIC_RANGE.start,
        (None, None) => MIN_LEN,
    };
    let parts = [
        auth.lm_response.clone(),
        auth.nt_response.clone(),
        encode(&auth.domain),
        encode(&auth.user),
        encode(&auth.workstation),
        auth.encrypted_session_key.clone(),
    ];
    let mut msg = super::wire::SIGNATURE.to_vec();
    msg.extend_from_slice(&3u32.to_le_bytes());
    let mut offset = header;
    for part in &parts {
        push_field(&mut msg, part.len(), offset);
        offset += part.len();
    }
    msg.extend_from_slice(&auth.flags.to_le_bytes());
    if header > MIN_LEN {
        msg.extend_from_slice(&auth.version.unwrap_or_default());
    }
    if let Some(mic) = auth.mic {
        msg.extend_from_slice(&mic);
    }
    parts.iter().for_each(|p| msg.extend_from_slice(p));
    msg
}

#[cfg(test)]
mod tests {
    use super::super::super::test_support::{b64, hex};
    use super::*;

    #[test]
    fn parses_ms_nlmp_4_2_4_3() {
        let auth = parse_authenticate(&hex(super::super::super::test_support::MS_AUTH_V2)).unwrap();
        assert_eq!((auth.user.as_str(), auth.domain.as_str()), ("User", "Domain"));
        assert_eq!(auth.workstation, "COMPUTER");
        assert_eq!(auth.flags, 0xe288_8235);
        assert_eq!((auth.lm_response.len(), auth.nt_response.len()), (24, 84));
        assert_eq!(auth.encrypted_session_key, hex("c5dad2544fc9799094ce1ce90bc9d03e"));
        assert_eq!(auth.version, Some([5, 1, 0x28, 0x0a, 0, 0, 0, 0x0f]));
        assert_eq!(auth.mic, None);
        assert!(!auth.mic_flagged());
        let ids: Vec<u16> = auth.v2_av_pairs().iter().map(|p| p.id).collect();
        assert_eq!(ids, [2, 1]);
    }

    #[test]
    fn parses_curl_64_byte_oem_header() {
        let msg = b64(super::super::super::test_support::CURL67_AUTH);
        let auth = parse_authenticate(&msg).unwrap();
        assert_eq!(auth.user, "testuser");
        assert_eq!(auth.domain, "");
        assert_eq!(auth.workstation, "WORKSTATION");
        assert!(!auth.unicode());
        assert_eq!((auth.version, auth.mic), (None, None));
    }

    #[test]
    fn parses_pyspnego_88_byte_header_with_mic() {
        let auth = parse_authenticate(&b64(super::super::super::test_support::PYSPNEGO_AUTH)).unwrap();
        assert_eq!((auth.user.as_str(), auth.domain.as_str()), ("alice", "CORP"));
        assert_eq!(auth.mic, Some(hex("3e172b12c938084f052fef410bf858cd").try_into().unwrap()));
        assert!(auth.mic_flagged());
    }

    #[test]
    fn build_then_parse_round_trips() {
        let original = parse_authenticate(&b64(super::super::super::test_support::PYSPNEGO_AUTH)).unwrap();
        for (version, mic) in [(None, None), (original.version, None), (original.version, original.mic)] {
            let auth = Authenticate { version, mic, ..original.clone() };
            assert_eq!(parse_authenticate(&build_authenticate(&auth)).unwrap(), auth);
        }
        let oem = Authenticate { flags: 0x8201 & !flags::UNICODE, ..original };
        assert_eq!(parse_authenticate(&build_authenticate(&oem)).unwrap().user, "alice");
    }

    #[test]
    fn rejects_buffer_past_end_and_short_header() {
        let msg = hex(super::super::super::test_support::MS_AUTH_V2);
        assert!(parse_authenticate(&msg[..63]).is_err());
        assert!(matches!(parse_authenticate(&msg[..200]), Err(Failure::Malformed { .. })));
    }
}
