//! A client side of NTLM for tests, the reference client and the load test: NEGOTIATE and
//! NTLMv2 AUTHENTICATE through `ntlmclient`, NTLMv1 through the mock's own crypto (ntlmclient's
//! NTLMv1 code panics, client-facts 7.2).

use ado_mock_server::ntlm::{crypto, message};

/// A NEGOTIATE with ntlmclient's usual flags (UNICODE, REQUEST_TARGET, NTLM, workstation).
pub fn negotiate(workstation: &str) -> Vec<u8> {
    let flags = ntlmclient::Flags::NEGOTIATE_UNICODE
        | ntlmclient::Flags::REQUEST_TARGET
        | ntlmclient::Flags::NEGOTIATE_NTLM
        | ntlmclient::Flags::NEGOTIATE_WORKSTATION_SUPPLIED;
    let msg = ntlmclient::Message::Negotiate(ntlmclient::NegotiateMessage {
        flags,
        supplied_domain: String::new(),
        supplied_workstation: workstation.to_owned(),
        os_version: ntlmclient::OsVersion::default(),
    });
    msg.to_bytes().expect("ntlmclient serialises a NEGOTIATE")
}

/// Who logs on.
pub struct Logon<'a> {
    /// User name.
    pub user: &'a str,
    /// Domain (may be empty).
    pub domain: &'a str,
    /// Password.
    pub password: &'a str,
    /// Workstation name to send.
    pub workstation: &'a str,
}

/// The NTLMv2 AUTHENTICATE answering a server's CHALLENGE.
///
/// # Errors
/// When the CHALLENGE does not parse.
pub fn authenticate(challenge: &[u8], logon: &Logon<'_>) -> Result<Vec<u8>, String> {
    authenticate_bound(challenge, logon, None)
}

/// The NTLMv2 AUTHENTICATE answering a server's CHALLENGE, with MsvAvChannelBindings
/// `bindings` in its blob when given (Extended Protection over TLS).
///
/// # Errors
/// When the CHALLENGE does not parse.
pub fn authenticate_bound(challenge: &[u8], logon: &Logon<'_>, bindings: Option<[u8; 16]>) -> Result<Vec<u8>, String> {
    let chal = parse_challenge(challenge)?;
    let mut target_info: Vec<u8> = Vec::new();
    for pair in message::av_pair::parse(&chal_target_info(&chal)) {
        message::av_pair::push_raw(&mut target_info, pair.id, pair.value);
    }
    if let Some(bindings) = bindings {
        message::av_pair::push_raw(&mut target_info, message::av_pair::CHANNEL_BINDINGS, &bindings);
    }
    message::av_pair::push_raw(&mut target_info, message::av_pair::EOL, &[]);
    let creds = ntlmclient::Credentials {
        username: logon.user.to_owned(),
        password: logon.password.to_owned(),
        domain: logon.domain.to_owned(),
    };
    let response =
        ntlmclient::respond_challenge_ntlm_v2(chal.challenge, &target_info, ntlmclient::get_ntlm_time(), &creds);
    let flags = ntlmclient::Flags::NEGOTIATE_UNICODE | ntlmclient::Flags::NEGOTIATE_NTLM;
    response
        .to_message(&creds, logon.workstation, flags)
        .to_bytes()
        .map_err(|e| format!("cannot build the AUTHENTICATE: {e:?}"))
}

/// An NTLMv1 AUTHENTICATE (NT response only, no ESS), as old clients send.
///
/// # Errors
/// When the CHALLENGE does not parse.
pub fn authenticate_v1(challenge: &[u8], logon: &Logon<'_>) -> Result<Vec<u8>, String> {
    let chal = parse_challenge(challenge)?;
    let nt = crypto::desl(&crypto::nt_hash(logon.password), &chal.challenge).to_vec();
    let auth = message::Authenticate {
        flags: 0x0000_8201,
        lm_response: nt.clone(),
        nt_response: nt,
        domain: logon.domain.to_owned(),
        user: logon.user.to_owned(),
        workstation: logon.workstation.to_owned(),
        encrypted_session_key: Vec::new(),
        version: None,
        mic: None,
    };
    Ok(message::build_authenticate(&auth))
}

/// The CHALLENGE's TargetInfo as ntlmclient re-serialises it.
fn chal_target_info(chal: &ntlmclient::ChallengeMessage) -> Vec<u8> {
    chal.target_information.iter().flat_map(|e| e.to_bytes()).collect()
}

fn parse_challenge(challenge: &[u8]) -> Result<ntlmclient::ChallengeMessage, String> {
    match ntlmclient::Message::try_from(challenge) {
        Ok(ntlmclient::Message::Challenge(chal)) => Ok(chal),
        _ => Err("the server's NTLM CHALLENGE does not parse".to_owned()),
    }
}
