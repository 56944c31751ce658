//! SPNEGO-wrapped NTLM (RFC 4178 / MS-SPNG), as IIS negotiates it.

use super::super::message::message_type;
use super::super::spnego::{self, NTLMSSP_OID, NTLMSSP_OID_DER, NegState, NegTokenInit, NegTokenResp, Token, mic};
use super::super::verify::Verified;
use super::super::{AcceptorConfig, Failure, LegInfo, ResponseKind};
use super::ntlm_legs::{awaiting_authenticate, on_authenticate, on_negotiate};
use super::{Outcome, Pending, SpnegoState, Stage, StepInput};

/// Handles one SPNEGO token.
pub(super) fn step(
    cfg: &AcceptorConfig,
    input: &StepInput<'_>,
    password_of: &dyn Fn(&str, &str) -> Option<String>,
    leg: &mut LegInfo,
) -> Result<Outcome, Failure> {
    leg.wrapped_in_spnego = true;
    match spnego::parse(input.token)? {
        Token::Init(init) => {
            leg.spnego_token = Some("NegTokenInit");
            on_init(cfg, input, init, leg)
        }
        Token::Resp(resp) => {
            leg.spnego_token = Some("NegTokenResp");
            on_resp(cfg, input, &resp, password_of, leg)
        }
    }
}

fn on_init(
    cfg: &AcceptorConfig,
    input: &StepInput<'_>,
    init: NegTokenInit,
    leg: &mut LegInfo,
) -> Result<Outcome, Failure> {
    leg.mechs_offered.clone_from(&init.mech_types);
    let Some(position) = init.mech_types.iter().position(|m| m == NTLMSSP_OID) else {
        return Err(Failure::UnsupportedMech { offered: init.mech_types });
    };
    let state = SpnegoState { mech_types_der: init.mech_types_der, mic_requested: position != 0 };
    match init.mech_token {
        // The optimistic token belongs to the first mech, so it is NTLM's only then.
        Some(token) if position == 0 => negotiate_reply(cfg, input, &token, state, true, leg),
        _ => Ok(select_ntlm(state)),
    }
}

/// Tells the client to start NTLM inside SPNEGO (no optimistic NTLM token).
fn select_ntlm(state: SpnegoState) -> Outcome {
    // pyspnego uses request-mic when NTLM was not the client's first choice,
    // since RFC 4178 then requires a mechListMIC from both sides.
    let neg_state = if state.mic_requested { NegState::RequestMic } else { NegState::AcceptIncomplete };
    let reply = NegTokenResp { neg_state: Some(neg_state), ..NegTokenResp::default() };
    let pending = Pending {
        stage: Stage::AwaitNegotiate,
        spnego: Some(state),
        negotiate: Vec::new(),
        challenge: Vec::new(),
        server_challenge: [0; 8],
    };
    let token = spnego::resp_der(&reply, Some(NTLMSSP_OID_DER));
    Outcome::Continue { token, pending }
}

/// Answers a NEGOTIATE with accept-incomplete and the CHALLENGE.
fn negotiate_reply(
    cfg: &AcceptorConfig,
    input: &StepInput<'_>,
    ntlm: &[u8],
    state: SpnegoState,
    first_reply: bool,
    leg: &mut LegInfo,
) -> Result<Outcome, Failure> {
    let challenge = on_negotiate(cfg, input, ntlm, leg)?;
    let reply = NegTokenResp {
        neg_state: Some(NegState::AcceptIncomplete),
        response_token: Some(challenge.clone()),
        ..NegTokenResp::default()
    };
    // supportedMech appears only in the acceptor's first reply (RFC 4178 4.2.2).
    let token = spnego::resp_der(&reply, first_reply.then_some(NTLMSSP_OID_DER));
    let pending = Pending {
        stage: Stage::AwaitAuthenticate,
        spnego: Some(state),
        negotiate: ntlm.to_vec(),
        challenge,
        server_challenge: input.server_challenge,
    };
    Ok(Outcome::Continue { token, pending })
}

fn on_resp(
    cfg: &AcceptorConfig,
    input: &StepInput<'_>,
    resp: &NegTokenResp,
    password_of: &dyn Fn(&str, &str) -> Option<String>,
    leg: &mut LegInfo,
) -> Result<Outcome, Failure> {
    leg.mech_list_mic_present = resp.mech_list_mic.is_some();
    let ntlm = resp.response_token.as_deref().unwrap_or_default();
    leg.message_type = message_type(ntlm);
    if resp.neg_state == Some(NegState::Reject) {
        return Err(Failure::malformed("client rejected the SPNEGO negotiation"));
    }
    let Some(state) = input.pending.and_then(|p| p.spnego.as_ref()) else {
        return Err(Failure::NoHandshake);
    };
    match leg.message_type {
        Some(1) => negotiate_reply(cfg, input, ntlm, state.clone(), false, leg),
        Some(3) => {
            let pending = awaiting_authenticate(input.pending, true)?;
            let verified = on_authenticate(cfg, (pending, input.channel_bindings), ntlm, password_of, leg)?;
            let final_token = accept_completed(&verified, state, resp.mech_list_mic.as_deref())?;
            Ok(Outcome::Done { verified, final_token: Some(final_token) })
        }
        Some(got) => Err(Failure::UnexpectedMessage { got }),
        None if ntlm.is_empty() => Err(Failure::malformed("NegTokenResp without an NTLM token")),
        None => Err(Failure::malformed("responseToken is not NTLMSSP")),
    }
}

/// Checks the client's mechListMIC and builds the accept-completed reply.
fn accept_completed(verified: &Verified, state: &SpnegoState, client_mic: Option<&[u8]>) -> Result<Vec<u8>, Failure> {
    let key = verified.session_key.expose();
    let der = &state.mech_types_der;
    let signing = mic::can_sign(verified.flags, verified.response == ResponseKind::NtlmV2);
    let bad_mic = || Failure::BadMic { user: verified.user.clone(), domain: verified.domain.clone() };
    if signing {
        match client_mic {
            Some(m) if !mic::verify_mech_list_mic(key, verified.flags, der, m) => {
                return Err(bad_mic());
            }
            None if state.mic_requested => return Err(bad_mic()),
            _ => {}
        }
    }
    let server_mic =
        signing.then(|| mic::mech_list_mic(key, verified.flags, mic::Direction::ServerToClient, der).to_vec());
    let reply = NegTokenResp {
        neg_state: Some(NegState::AcceptCompleted),
        mech_list_mic: server_mic,
        ..NegTokenResp::default()
    };
    Ok(spnego::resp_der(&reply, None))
}
