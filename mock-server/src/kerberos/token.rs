//! The Kerberos GSS-API token frame (RFC 4121 4.1; RFC 2743 3.1): `[APPLICATION 0] { OID,
//! TOK_ID, message }`, read and written with the SPNEGO DER helpers.

use super::KrbFailure;
use crate::ntlm::spnego::der::{OID, Reader, dotted_to_oid, oid_to_dotted, tlv};
use crate::ntlm::spnego::{INIT_TAG, KRB5_OID, MS_KRB5_OID};

/// TOK_ID of an AP-REQ token.
pub const TOK_AP_REQ: [u8; 2] = [0x01, 0x00];
/// TOK_ID of an AP-REP token.
pub const TOK_AP_REP: [u8; 2] = [0x02, 0x00];
/// TOK_ID of a KRB-ERROR token.
pub const TOK_ERROR: [u8; 2] = [0x03, 0x00];

/// An unwrapped Kerberos GSS-API token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Framed<'a> {
    /// The mechanism OID, dotted (the standard one or Microsoft's legacy one).
    pub mech: String,
    /// TOK_ID.
    pub tok_id: [u8; 2],
    /// The DER message after TOK_ID.
    pub message: &'a [u8],
}

/// Whether `mech` (dotted) names Kerberos 5 (RFC 4121's OID or Microsoft's legacy one).
pub fn is_kerberos(mech: &str) -> bool {
    mech == KRB5_OID || mech == MS_KRB5_OID
}

/// Whether `token` is a raw Kerberos GSS-API token (not SPNEGO), without judging the rest.
pub fn looks_like_kerberos(token: &[u8]) -> bool {
    unframe(token).is_ok()
}

/// Reads the frame of a Kerberos GSS-API token.
///
/// # Errors
/// [`KrbFailure::Malformed`] when the frame or the OID is not Kerberos 5.
pub fn unframe(token: &[u8]) -> Result<Framed<'_>, KrbFailure> {
    let malformed = |detail: &str| KrbFailure::malformed(detail);
    let outer = Reader::new(token).read().map_err(|_| malformed("not a DER token"))?;
    if outer.tag != INIT_TAG {
        return Err(malformed("not a GSS-API InitialContextToken"));
    }
    let oid = Reader::new(outer.content).expect(OID, "thisMech").map_err(|_| malformed("no mechanism OID"))?;
    let mech = oid_to_dotted(oid.content).ok_or_else(|| malformed("invalid mechanism OID"))?;
    if !is_kerberos(&mech) {
        return Err(KrbFailure::malformed(format!("mechanism {mech} is not Kerberos 5")));
    }
    let rest = &outer.content[oid.raw.len()..];
    let (tok_id, message) = rest.split_first_chunk::<2>().ok_or_else(|| malformed("no TOK_ID"))?;
    Ok(Framed { mech, tok_id: *tok_id, message })
}

/// Frames `message` with the Kerberos 5 OID (RFC 4121's) and `tok_id`.
pub fn frame(tok_id: [u8; 2], message: &[u8]) -> Vec<u8> {
    let oid = dotted_to_oid(KRB5_OID).unwrap_or_default();
    let mut content = tlv(OID, &oid);
    content.extend_from_slice(&tok_id);
    content.extend_from_slice(message);
    tlv(INIT_TAG, &content)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frame_round_trips() {
        let token = frame(TOK_AP_REP, &[0x6f, 0x00]);
        assert_eq!(&token[..13], &[0x60, 0x0f, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x12, 0x01, 0x02, 0x02]);
        let framed = unframe(&token).unwrap();
        assert_eq!((framed.mech.as_str(), framed.tok_id, framed.message), (KRB5_OID, TOK_AP_REP, &[0x6f, 0x00][..]));
    }

    #[test]
    fn other_tokens_are_not_kerberos() {
        assert!(!looks_like_kerberos(b"NTLMSSP\0\x01\0\0\0"));
        let spnego = crate::ntlm::spnego::build_init(&[crate::ntlm::spnego::NTLMSSP_OID], None).unwrap();
        assert!(!looks_like_kerberos(&spnego));
        assert!(!looks_like_kerberos(&[0x60, 0x03, 0x06, 0x01, 0x00]));
        assert!(!looks_like_kerberos(&[]));
    }
}
