//! The per-connection NTLM / Negotiate state machine: one call per HTTP leg.
//!
//! `step` is pure: the caller passes the connection's [`Pending`] state, the
//! server challenge and the time, and stores whatever comes back.

mod ntlm_legs;
mod raw;
mod spnego_flow;
#[cfg(test)]
mod tests;

use std::fmt;

use super::message::wire::SIGNATURE;
use super::spnego::{INIT_TAG, RESP_TAG};
use super::verify::Verified;
use super::{AcceptorConfig, Failure, LegInfo, ResponseKind};

/// One step of the handshake on one TCP connection.
#[derive(Clone, Copy)]
pub struct StepInput<'a> {
    /// The base64-decoded token of `Authorization: NTLM|Negotiate <b64>`.
    pub token: &'a [u8],
    /// Whether the scheme was "Negotiate" (the token may then be raw NTLMSSP or SPNEGO).
    pub negotiate_scheme: bool,
    /// What this connection's previous step left (None on a fresh connection).
    pub pending: Option<&'a Pending>,
    /// The server challenge, used only when this step builds a CHALLENGE.
    pub server_challenge: [u8; 8],
    /// FILETIME for MsvAvTimestamp, used only when this step builds a CHALLENGE.
    pub timestamp: u64,
    /// Extended Protection on this connection (checked on the AUTHENTICATE).
    pub channel_bindings: super::ChannelBindingCheck,
}

impl fmt::Debug for StepInput<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The token may be an AUTHENTICATE, whose NT response is a secret.
        f.debug_struct("StepInput")
            .field("token_len", &self.token.len())
            .field("negotiate_scheme", &self.negotiate_scheme)
            .field("pending", &self.pending)
            .finish_non_exhaustive()
    }
}

/// The outcome of one step.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    /// Send `token` as `WWW-Authenticate: <same scheme> <base64(token)>` with a
    /// 401, and keep `pending` on the connection.
    Continue {
        /// The CHALLENGE, or a SPNEGO NegTokenResp.
        token: Vec<u8>,
        /// State for the next leg.
        pending: Pending,
        /// Journal description.
        leg: LegInfo,
    },
    /// The AUTHENTICATE verified.
    Authenticated {
        /// User name as sent.
        user: String,
        /// Domain as sent.
        domain: String,
        /// Workstation as sent.
        workstation: String,
        /// The kind of response that verified.
        response: ResponseKind,
        /// SPNEGO accept-completed NegTokenResp for `WWW-Authenticate:
        /// Negotiate <b64>` on the 200; None for raw NTLM.
        final_token: Option<Vec<u8>>,
        /// Journal description.
        leg: LegInfo,
    },
    /// The step failed; the connection's pending state must be cleared.
    Failed {
        /// Why.
        failure: Failure,
        /// Journal description.
        leg: LegInfo,
    },
}

impl Step {
    /// The journal description of this leg.
    pub fn leg(&self) -> &LegInfo {
        match self {
            Self::Continue { leg, .. } | Self::Authenticated { leg, .. } | Self::Failed { leg, .. } => leg,
        }
    }
}

/// Where a pending handshake stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    /// SPNEGO agreed on NTLMSSP; the next NegTokenResp must carry a NEGOTIATE.
    AwaitNegotiate,
    /// A CHALLENGE was sent; the next token must carry an AUTHENTICATE.
    AwaitAuthenticate,
}

/// Per-connection state between legs. Holds nothing secret.
#[derive(Clone, PartialEq, Eq)]
pub struct Pending {
    stage: Stage,
    spnego: Option<SpnegoState>,
    negotiate: Vec<u8>,
    challenge: Vec<u8>,
    server_challenge: [u8; 8],
}

/// What the SPNEGO layer must remember for the mechListMIC.
#[derive(Debug, Clone, PartialEq, Eq)]
struct SpnegoState {
    /// The client's mechTypes DER, exactly as sent.
    mech_types_der: Vec<u8>,
    /// Whether the server answered request-mic (NTLMSSP was not the client's first mech).
    mic_requested: bool,
}

impl Pending {
    /// Where the handshake stands.
    pub fn stage(&self) -> Stage {
        self.stage
    }

    /// Whether SPNEGO wraps the handshake.
    pub fn wrapped_in_spnego(&self) -> bool {
        self.spnego.is_some()
    }
}

impl fmt::Debug for Pending {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Pending")
            .field("stage", &self.stage)
            .field("spnego", &self.spnego.is_some())
            .field("negotiate_len", &self.negotiate.len())
            .field("challenge_len", &self.challenge.len())
            .finish()
    }
}

/// What a leg produced, before the journal description is attached.
enum Outcome {
    Continue { token: Vec<u8>, pending: Pending },
    Done { verified: Verified, final_token: Option<Vec<u8>> },
}

/// Runs one leg of the handshake.
///
/// `password_of(user, domain)` receives the names exactly as the AUTHENTICATE
/// carries them and returns the account's password, or None if unknown.
pub fn step(cfg: &AcceptorConfig, input: StepInput<'_>, password_of: &dyn Fn(&str, &str) -> Option<String>) -> Step {
    let mut leg = LegInfo::default();
    match dispatch(cfg, &input, password_of, &mut leg) {
        Ok(Outcome::Continue { token, pending }) => Step::Continue { token, pending, leg },
        Ok(Outcome::Done { verified, final_token }) => Step::Authenticated {
            user: verified.user,
            domain: verified.domain,
            workstation: verified.workstation,
            response: verified.response,
            final_token,
            leg,
        },
        Err(failure) => Step::Failed { failure, leg },
    }
}

fn dispatch(
    cfg: &AcceptorConfig,
    input: &StepInput<'_>,
    password_of: &dyn Fn(&str, &str) -> Option<String>,
    leg: &mut LegInfo,
) -> Result<Outcome, Failure> {
    let token = input.token;
    if token.starts_with(SIGNATURE) {
        return raw::step(cfg, input, password_of, leg);
    }
    match token.first() {
        Some(&(INIT_TAG | RESP_TAG)) if input.negotiate_scheme => spnego_flow::step(cfg, input, password_of, leg),
        Some(&(INIT_TAG | RESP_TAG)) => {
            leg.wrapped_in_spnego = true;
            Err(Failure::malformed("SPNEGO token under the NTLM scheme"))
        }
        None => Err(Failure::malformed("empty token")),
        Some(_) if token.len() < SIGNATURE.len() && SIGNATURE.starts_with(token) => {
            Err(Failure::malformed("truncated NTLM message"))
        }
        _ => Err(Failure::malformed("token is neither NTLMSSP nor SPNEGO")),
    }
}
