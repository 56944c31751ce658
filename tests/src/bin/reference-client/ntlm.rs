//! NTLM messages for the reference client (through `ado_tests::ntlm`) and SPNEGO wrapping for
//! the Negotiate scheme.

use ado_mock_server::ntlm::spnego::{self, NegTokenResp, Token};

/// The client's NEGOTIATE.
pub fn negotiate() -> Vec<u8> {
    ado_tests::ntlm::negotiate("REFCLIENT")
}

/// The AUTHENTICATE answering `challenge` (NTLMv2 with `bindings` as MsvAvChannelBindings, or
/// NTLMv1 when `v1`).
pub fn authenticate(
    challenge: &[u8],
    user: &str,
    domain: &str,
    password: &str,
    v1: bool,
    bindings: Option<[u8; 16]>,
) -> Result<Vec<u8>, String> {
    let logon = ado_tests::ntlm::Logon { user, domain, password, workstation: "REFCLIENT" };
    if v1 {
        ado_tests::ntlm::authenticate_v1(challenge, &logon)
    } else {
        ado_tests::ntlm::authenticate_bound(challenge, &logon, bindings)
    }
}

/// SPNEGO NegTokenInit offering NTLMSSP, carrying `token`.
pub fn spnego_init(token: &[u8]) -> Vec<u8> {
    spnego::build_init(&[spnego::NTLMSSP_OID], Some(token)).expect("valid OIDs")
}

/// A NegTokenInit offering Kerberos only (what a Windows client sends first).
pub fn kerberos_only() -> Vec<u8> {
    spnego::build_init(&[spnego::MS_KRB5_OID, spnego::KRB5_OID], Some(b"optimistic AP-REQ")).expect("valid OIDs")
}

/// The client's NegTokenResp carrying `token`.
pub fn spnego_resp(token: Vec<u8>) -> Vec<u8> {
    let resp = NegTokenResp { neg_state: None, supported_mech: None, response_token: Some(token), mech_list_mic: None };
    spnego::build_resp(&resp).expect("a NegTokenResp serialises")
}

/// The NTLM token inside a server's SPNEGO answer.
pub fn spnego_inner(token: &[u8]) -> Result<Vec<u8>, String> {
    match spnego::parse(token) {
        Ok(Token::Resp(resp)) => {
            resp.response_token.ok_or_else(|| "the Negotiate answer carries no NTLM token".to_owned())
        }
        _ => Err("the Negotiate answer is not a NegTokenResp".to_owned()),
    }
}
