//! Raw NTLMSSP tokens, under either the NTLM or the Negotiate scheme.

use super::super::message::message_type;
use super::super::{AcceptorConfig, Failure, LegInfo};
use super::ntlm_legs::{awaiting_authenticate, on_authenticate, on_negotiate};
use super::{Outcome, Pending, Stage, StepInput};

/// Handles one raw NTLMSSP token.
pub(super) fn step(
    cfg: &AcceptorConfig,
    input: &StepInput<'_>,
    password_of: &dyn Fn(&str, &str) -> Option<String>,
    leg: &mut LegInfo,
) -> Result<Outcome, Failure> {
    let token = input.token;
    leg.message_type = message_type(token);
    match leg.message_type {
        Some(1) => {
            let challenge = on_negotiate(cfg, input, token, leg)?;
            let pending = Pending {
                stage: Stage::AwaitAuthenticate,
                spnego: None,
                negotiate: token.to_vec(),
                challenge: challenge.clone(),
                server_challenge: input.server_challenge,
            };
            Ok(Outcome::Continue { token: challenge, pending })
        }
        Some(3) => {
            let pending = awaiting_authenticate(input.pending, false)?;
            let verified = on_authenticate(cfg, (pending, input.channel_bindings), token, password_of, leg)?;
            Ok(Outcome::Done { verified, final_token: None })
        }
        Some(got) => Err(Failure::UnexpectedMessage { got }),
        None => Err(Failure::malformed("truncated NTLM message")),
    }
}
