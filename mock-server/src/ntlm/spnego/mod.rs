//! SPNEGO (RFC 4178, MS-SPNG) tokens that wrap NTLM, as IIS exchanges them.
//!
//! Only what an NTLM acceptor needs: the client's InitialContextToken with
//! NegTokenInit, and NegTokenResp in both directions. The `build_*` helpers
//! also let tests act as a Windows client.

pub mod der;
pub mod mic;

use std::fmt;

use super::Failure;
use der::{ENUMERATED, OCTET_STRING, OID, Reader, SEQUENCE, Tlv, context, only, tlv};

pub use mic::{Direction, mech_list_mic};

/// The SPNEGO mechanism, `thisMech` of the InitialContextToken.
pub const SPNEGO_OID: &str = "1.3.6.1.5.5.2";
/// NTLMSSP.
pub const NTLMSSP_OID: &str = "1.3.6.1.4.1.311.2.2.10";
/// NTLMSSP content octets.
pub const NTLMSSP_OID_DER: &[u8] = &[0x2b, 0x06, 0x01, 0x04, 0x01, 0x82, 0x37, 0x02, 0x02, 0x0a];
/// Kerberos 5 as Microsoft's clients spell it first.
pub const MS_KRB5_OID: &str = "1.2.840.48018.1.2.2";
/// Kerberos 5.
pub const KRB5_OID: &str = "1.2.840.113554.1.2.2";
/// NegoEx.
pub const NEGOEX_OID: &str = "1.3.6.1.4.1.311.2.2.30";

/// Tag of an InitialContextToken (`[APPLICATION 0]`).
pub const INIT_TAG: u8 = 0x60;
/// Tag of a bare NegTokenResp (`[1]`).
pub const RESP_TAG: u8 = 0xa1;

/// negState of a NegTokenResp.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NegState {
    /// accept-completed (0).
    AcceptCompleted = 0,
    /// accept-incomplete (1).
    AcceptIncomplete = 1,
    /// reject (2).
    Reject = 2,
    /// request-mic (3).
    RequestMic = 3,
}

impl NegState {
    fn from_byte(b: u8) -> Option<Self> {
        [Self::AcceptCompleted, Self::AcceptIncomplete, Self::Reject, Self::RequestMic].get(usize::from(b)).copied()
    }
}

/// A client's NegTokenInit. Debug shows only lengths of the tokens.
#[derive(Clone, PartialEq, Eq)]
pub struct NegTokenInit {
    /// Offered mechanisms, dotted, in the client's order of preference.
    pub mech_types: Vec<String>,
    /// The `SEQUENCE OF OID` exactly as sent; the mechListMIC covers it.
    pub mech_types_der: Vec<u8>,
    /// The optimistic token for the first mechanism.
    pub mech_token: Option<Vec<u8>>,
    /// mechListMIC, if any.
    pub mech_list_mic: Option<Vec<u8>>,
}

/// A NegTokenResp. Debug shows only lengths (the token may hold an NT response).
#[derive(Clone, Default, PartialEq, Eq)]
pub struct NegTokenResp {
    /// negState.
    pub neg_state: Option<NegState>,
    /// supportedMech, dotted.
    pub supported_mech: Option<String>,
    /// responseToken (an NTLM message here).
    pub response_token: Option<Vec<u8>>,
    /// mechListMIC.
    pub mech_list_mic: Option<Vec<u8>>,
}

/// A parsed SPNEGO token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Token {
    /// An InitialContextToken carrying a NegTokenInit.
    Init(NegTokenInit),
    /// A NegTokenResp.
    Resp(NegTokenResp),
}

fn lens(token: &Option<Vec<u8>>) -> Option<usize> {
    token.as_ref().map(Vec::len)
}

impl fmt::Debug for NegTokenInit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("NegTokenInit")
            .field("mech_types", &self.mech_types)
            .field("mech_token_len", &lens(&self.mech_token))
            .field("mech_list_mic_len", &lens(&self.mech_list_mic))
            .finish()
    }
}

impl fmt::Debug for NegTokenResp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("NegTokenResp")
            .field("neg_state", &self.neg_state)
            .field("supported_mech", &self.supported_mech)
            .field("response_token_len", &lens(&self.response_token))
            .field("mech_list_mic_len", &lens(&self.mech_list_mic))
            .finish()
    }
}

/// Parses an InitialContextToken (0x60) or a NegTokenResp (0xa1).
///
/// Bytes after the token are ignored, as lenient acceptors do.
///
/// # Errors
/// [`Failure::Malformed`] for anything that is not one of the two tokens.
pub fn parse(bytes: &[u8]) -> Result<Token, Failure> {
    let outer = Reader::new(bytes).read()?;
    match outer.tag {
        INIT_TAG => parse_initial(outer.content).map(Token::Init),
        RESP_TAG => parse_resp(only(outer.content, SEQUENCE, "NegTokenResp")?.content).map(Token::Resp),
        tag => Err(Failure::malformed(format!("not a SPNEGO token (tag {tag:#04x})"))),
    }
}

fn parse_initial(content: &[u8]) -> Result<NegTokenInit, Failure> {
    let mut reader = Reader::new(content);
    let this_mech = reader.expect(OID, "thisMech")?;
    if der::oid_to_dotted(this_mech.content).as_deref() != Some(SPNEGO_OID) {
        return Err(Failure::malformed("InitialContextToken is not SPNEGO"));
    }
    let inner = reader.read()?;
    if inner.tag != context(0) {
        return Err(Failure::malformed("InitialContextToken does not hold a NegTokenInit"));
    }
    parse_init_fields(only(inner.content, SEQUENCE, "NegTokenInit")?.content)
}

fn parse_init_fields(seq: &[u8]) -> Result<NegTokenInit, Failure> {
    let mut init =
        NegTokenInit { mech_types: Vec::new(), mech_types_der: Vec::new(), mech_token: None, mech_list_mic: None };
    let mut seen_mech_types = false;
    for field in fields(seq)? {
        match field.tag {
            t if t == context(0) => {
                let list = only(field.content, SEQUENCE, "mechTypes")?;
                init.mech_types = mech_list(list)?;
                init.mech_types_der = list.raw.to_vec();
                seen_mech_types = true;
            }
            t if t == context(2) => init.mech_token = Some(octets(field, "mechToken")?),
            t if t == context(3) => init.mech_list_mic = octets(field, "mechListMIC").ok(),
            // reqFlags and NegTokenInit2 extras carry nothing an NTLM acceptor uses.
            _ => {}
        }
    }
    if !seen_mech_types {
        return Err(Failure::malformed("NegTokenInit without mechTypes"));
    }
    Ok(init)
}

fn parse_resp(seq: &[u8]) -> Result<NegTokenResp, Failure> {
    let mut resp = NegTokenResp::default();
    for field in fields(seq)? {
        match field.tag {
            t if t == context(0) => resp.neg_state = Some(neg_state(field)?),
            t if t == context(1) => {
                let oid = only(field.content, OID, "supportedMech")?;
                resp.supported_mech = Some(dotted(oid.content)?);
            }
            t if t == context(2) => resp.response_token = Some(octets(field, "responseToken")?),
            t if t == context(3) => resp.mech_list_mic = Some(octets(field, "mechListMIC")?),
            t => {
                return Err(Failure::malformed(format!("unknown NegTokenResp field {t:#04x}")));
            }
        }
    }
    Ok(resp)
}

/// Reads all TLVs of a SEQUENCE's content.
fn fields(seq: &[u8]) -> Result<Vec<Tlv<'_>>, Failure> {
    let mut reader = Reader::new(seq);
    let mut out = Vec::new();
    while !reader.is_empty() {
        out.push(reader.read()?);
    }
    Ok(out)
}

fn mech_list(list: Tlv<'_>) -> Result<Vec<String>, Failure> {
    fields(list.content)?
        .into_iter()
        .map(|oid| match oid.tag {
            OID => dotted(oid.content),
            _ => Err(Failure::malformed("mechTypes holds a non-OID")),
        })
        .collect()
}

fn dotted(content: &[u8]) -> Result<String, Failure> {
    der::oid_to_dotted(content).ok_or_else(|| Failure::malformed("invalid OID"))
}

fn octets(field: Tlv<'_>, what: &str) -> Result<Vec<u8>, Failure> {
    Ok(only(field.content, OCTET_STRING, what)?.content.to_vec())
}

fn neg_state(field: Tlv<'_>) -> Result<NegState, Failure> {
    let value = only(field.content, ENUMERATED, "negState")?.content;
    match value {
        [b] => NegState::from_byte(*b),
        _ => None,
    }
    .ok_or_else(|| Failure::malformed("invalid negState"))
}

/// Builds a client InitialContextToken offering `mechs` (dotted) in order.
///
/// # Errors
/// [`Failure::Malformed`] when a mechanism is not a valid dotted OID.
pub fn build_init(mechs: &[&str], mech_token: Option<&[u8]>) -> Result<Vec<u8>, Failure> {
    let mut oids = Vec::new();
    for mech in mechs {
        oids.extend(tlv(OID, &encode_oid(mech)?));
    }
    let mut fields = tlv(context(0), &tlv(SEQUENCE, &oids));
    if let Some(token) = mech_token {
        fields.extend(tlv(context(2), &tlv(OCTET_STRING, token)));
    }
    let mut content = tlv(OID, &encode_oid(SPNEGO_OID)?);
    content.extend(tlv(context(0), &tlv(SEQUENCE, &fields)));
    Ok(tlv(INIT_TAG, &content))
}

/// Builds a NegTokenResp (server replies, or a client's follow-up tokens).
///
/// # Errors
/// [`Failure::Malformed`] when `supported_mech` is not a valid dotted OID.
pub fn build_resp(resp: &NegTokenResp) -> Result<Vec<u8>, Failure> {
    let mech = resp.supported_mech.as_deref().map(encode_oid).transpose()?;
    Ok(resp_der(resp, mech.as_deref()))
}

/// Encodes a NegTokenResp with `mech` already as OID content octets.
pub(crate) fn resp_der(resp: &NegTokenResp, mech: Option<&[u8]>) -> Vec<u8> {
    let mut fields = Vec::new();
    if let Some(state) = resp.neg_state {
        fields.extend(tlv(context(0), &tlv(ENUMERATED, &[state as u8])));
    }
    if let Some(oid) = mech {
        fields.extend(tlv(context(1), &tlv(OID, oid)));
    }
    if let Some(token) = &resp.response_token {
        fields.extend(tlv(context(2), &tlv(OCTET_STRING, token)));
    }
    if let Some(mic) = &resp.mech_list_mic {
        fields.extend(tlv(context(3), &tlv(OCTET_STRING, mic)));
    }
    tlv(RESP_TAG, &tlv(SEQUENCE, &fields))
}

fn encode_oid(dotted: &str) -> Result<Vec<u8>, Failure> {
    der::dotted_to_oid(dotted).ok_or_else(|| Failure::malformed(format!("invalid OID {dotted:?}")))
}

#[cfg(test)]
mod tests;
