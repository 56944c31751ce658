//! The NTLM legs shared by raw and SPNEGO-wrapped handshakes.

use super::super::channel::{BindingRefusal, BindingsSeen, ChannelBindingCheck};
use super::super::message::{build_challenge, message_type, parse_authenticate, parse_negotiate};
use super::super::verify::{self, Exchange, Verified};
use super::super::{AcceptorConfig, Failure, LegInfo};
use super::{Pending, Stage, StepInput};

/// Parses a NEGOTIATE and builds the CHALLENGE that answers it.
pub(super) fn on_negotiate(
    cfg: &AcceptorConfig,
    input: &StepInput<'_>,
    ntlm: &[u8],
    leg: &mut LegInfo,
) -> Result<Vec<u8>, Failure> {
    leg.message_type = message_type(ntlm);
    let negotiate = parse_negotiate(ntlm)?;
    leg.record_negotiate(&negotiate);
    // IIS starts over on any NEGOTIATE; the journal notes it for support.
    leg.restarted = input.pending.is_some_and(|p| p.stage == Stage::AwaitAuthenticate);
    let (challenge, chosen) = build_challenge(cfg, negotiate.flags, input.server_challenge, input.timestamp);
    leg.server_flags = Some(chosen);
    Ok(challenge)
}

/// The pending state an AUTHENTICATE needs, checked for wrapping.
pub(super) fn awaiting_authenticate(pending: Option<&Pending>, spnego: bool) -> Result<&Pending, Failure> {
    let pending = pending.filter(|p| p.stage == Stage::AwaitAuthenticate).ok_or(Failure::NoHandshake)?;
    match (pending.spnego.is_some(), spnego) {
        (true, false) => Err(Failure::malformed("raw NTLMSSP AUTHENTICATE on a SPNEGO handshake")),
        (false, true) => Err(Failure::malformed("SPNEGO AUTHENTICATE on a raw NTLMSSP handshake")),
        _ => Ok(pending),
    }
}

/// Parses and verifies an AUTHENTICATE against the pending CHALLENGE, then applies Extended
/// Protection (`bindings`) to a response that verified.
pub(super) fn on_authenticate(
    cfg: &AcceptorConfig,
    (pending, bindings): (&Pending, ChannelBindingCheck),
    ntlm: &[u8],
    password_of: &dyn Fn(&str, &str) -> Option<String>,
    leg: &mut LegInfo,
) -> Result<Verified, Failure> {
    leg.message_type = message_type(ntlm);
    let auth = parse_authenticate(ntlm)?;
    leg.record_authenticate(&auth);
    leg.response = verify::response_kind(&auth);
    let seen = BindingsSeen::of(&auth.v2_av_pairs(), bindings.expected);
    leg.channel_bindings = Some(seen);
    let exchange = Exchange {
        negotiate: &pending.negotiate,
        challenge: &pending.challenge,
        authenticate: ntlm,
        server_challenge: pending.server_challenge,
    };
    let verified = verify::verify(&auth, &exchange, cfg.accept_v1, password_of)?;
    leg.hashed_domain = verified.hashed_domain.clone().filter(|d| *d != verified.domain);
    let (user, domain) = (verified.user.clone(), verified.domain.clone());
    match bindings.judge(seen) {
        None => Ok(verified),
        Some(BindingRefusal::Missing) => Err(Failure::ChannelBindingMissing { user, domain }),
        Some(BindingRefusal::Mismatch) => Err(Failure::ChannelBindingMismatch { user, domain }),
    }
}
