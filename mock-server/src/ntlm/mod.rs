//! Server (acceptor) side of NTLM and of SPNEGO-wrapped NTLM, as IIS does it.
//!
//! # Layout
//! - [`flags`]: NegotiateFlags bits and their names.
//! - [`message`]: NEGOTIATE / AUTHENTICATE parsers, the CHALLENGE builder, AV pairs.
//! - [`crypto`]: NTOWF, NTLMv1/v2 responses, session keys, constant-time compare.
//! - [`verify`]: checks an AUTHENTICATE against a password (NTLMv2, NTLMv1, MIC).
//! - [`spnego`]: a minimal DER reader/writer for RFC 4178 tokens and the mechListMIC.
//! - [`channel`]: Extended Protection: MsvAvChannelBindings against the TLS channel.
//! - `acceptor`: [`step`], the per-connection state machine tying it together.
//!
//! Nothing here logs or formats a password, a response or a key: types that
//! hold them implement `Debug` by hand and print lengths.

mod acceptor;
pub mod channel;
mod config;
pub mod crypto;
mod failure;
pub mod flags;
mod leg;
pub mod message;
pub mod spnego;
pub mod verify;

#[cfg(test)]
pub(crate) mod test_support;
#[cfg(test)]
mod tests_props;
#[cfg(test)]
mod tests_secrets;

pub use acceptor::{Pending, Stage, Step, StepInput, step};
pub use channel::{BindingsSeen, ChannelBindingCheck};
pub use config::AcceptorConfig;
pub use failure::{Failure, ResponseKind};
pub use leg::LegInfo;
