//! NTLM messages for the reference client: ntlmclient for NTLMv2, the mock's own crypto for the
//! NTLMv1 mutant (ntlmclient's v1 code panics), SPNEGO wrapping for the Negotiate scheme.

use ado_mock_server::ntlm::spnego::{self, NegTokenResp, Token};
use ado_mock_server::ntlm::{crypto, message};

/// The client's NEGOTIATE (ntlmclient's flags).
pub fn negotiate() -> Vec<u8> {
    let flags = ntlmclient::Flags::NEGOTIATE_UNICODE
        | ntlmclient::Flags::REQUEST_TARGET
        | ntlmclient::Flags::NEGOTIATE_NTLM
        | ntlmclient::Flags::NEGOTIATE_WORKSTATION_SUPPLIED;
    let msg = ntlmclient::Message::Negotiate(ntlmclient::NegotiateMessage {
        flags,
        supplied_domain: String::new(),
        supplied_workstation: "REFCLIENT".to_owned(),
        os_version: ntlmclient::OsVersion::default(),
    });
    msg.to_bytes().expect("ntlmclient serialises a NEGOTIATE")
}

/// The AUTHENTICATE answering `challenge` (NTLMv2, or NTLMv1 when `v1`).
pub fn authenticate(challenge: &[u8], user: &str, domain: &str, password: &str, v1: bool) -> Result<Vec<u8>, String> {
    let Ok(ntlmclient::Message::Challenge(chal)) = ntlmclient::Message::try_from(challenge) else {
        return Err("the server's NTLM CHALLENGE does not parse".to_owned());
    };
    if v1 {
        let nt = crypto::desl(&crypto::nt_hash(password), &chal.challenge).to_vec();
        let auth = message::Authenticate {
            flags: 0x0000_8201,
            lm_response: nt.clone(),
            nt_response: nt,
            domain: domain.to_owned(),
            user: user.to_owned(),
            workstation: "REFCLIENT".to_owned(),
            encrypted_session_key: Vec::new(),
            version: None,
            mic: None,
        };
        return Ok(message::build_authenticate(&auth));
    }
    let target_info: Vec<u8> = chal.target_information.iter().flat_map(|e| e.to_bytes()).collect();
    let creds =
        ntlmclient::Credentials { username: user.to_owned(), password: password.to_owned(), domain: domain.to_owned() };
    let response =
        ntlmclient::respond_challenge_ntlm_v2(chal.challenge, &target_info, ntlmclient::get_ntlm_time(), &creds);
    let flags = ntlmclient::Flags::NEGOTIATE_UNICODE | ntlmclient::Flags::NEGOTIATE_NTLM;
    response
        .to_message(&creds, "REFCLIENT", flags)
        .to_bytes()
        .map_err(|e| format!("cannot build the AUTHENTICATE: {e:?}"))
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
