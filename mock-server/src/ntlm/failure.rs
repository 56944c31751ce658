//! Why a handshake step failed, and which kind of response the client sent.

use std::fmt;

/// The kind of NT response an AUTHENTICATE carried.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ResponseKind {
    /// NTLMv2 (NTProofStr plus the client's blob).
    NtlmV2,
    /// Plain NTLMv1: DESL over the server challenge.
    NtlmV1,
    /// NTLMv1 with extended session security (the NTLM2 session response).
    NtlmV1Ess,
}

impl fmt::Display for ResponseKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::NtlmV2 => "NTLMv2",
            Self::NtlmV1 => "NTLMv1",
            Self::NtlmV1Ess => "NTLMv1 with ESS",
        })
    }
}

/// Why a step failed. The text is shown in the server's journal, so it never
/// carries a password, a response or a key.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Failure {
    /// The token is not a well-formed NTLM or SPNEGO message.
    #[error("malformed token: {detail}")]
    Malformed {
        /// What was wrong, for a human.
        detail: String,
    },
    /// A message type the server does not accept at this point.
    #[error("unexpected NTLM message type {got}")]
    UnexpectedMessage {
        /// The MessageType field that arrived.
        got: u32,
    },
    /// An AUTHENTICATE arrived on a connection with no pending CHALLENGE.
    #[error("no NTLM handshake is pending on this connection")]
    NoHandshake,
    /// A SPNEGO NegTokenInit that does not offer NTLMSSP.
    #[error("client offered no supported mechanism ({})", offered.join(", "))]
    UnsupportedMech {
        /// The mechanisms the client offered, as dotted OIDs.
        offered: Vec<String>,
    },
    /// The account is not known to the server.
    #[error("unknown account {domain}\\{user}")]
    UnknownUser {
        /// The user name as sent.
        user: String,
        /// The domain as sent.
        domain: String,
    },
    /// The response did not verify against the account's password.
    #[error("wrong password for {domain}\\{user} ({response} response did not verify)")]
    WrongPassword {
        /// The user name as sent.
        user: String,
        /// The domain as sent.
        domain: String,
        /// The kind of response that failed.
        response: ResponseKind,
    },
    /// An NTLMv1 response while the server only accepts NTLMv2.
    #[error("NTLMv1 response from {domain}\\{user} refused by policy")]
    V1Refused {
        /// The user name as sent.
        user: String,
        /// The domain as sent.
        domain: String,
    },
    /// No NT response at all: LM-only authentication is never accepted.
    #[error("LM-only response refused")]
    LmOnly,
    /// Anonymous NTLM (empty user and empty NT response).
    #[error("anonymous NTLM refused")]
    Anonymous,
    /// Extended Protection is Require and the AUTHENTICATE bound no channel (no
    /// MsvAvChannelBindings, or 16 zero bytes).
    #[error("no channel bindings from {domain}\\{user}, and Extended Protection requires them")]
    ChannelBindingMissing {
        /// The user name as sent.
        user: String,
        /// The domain as sent.
        domain: String,
    },
    /// The AUTHENTICATE's MsvAvChannelBindings belong to another TLS channel.
    #[error("the channel bindings from {domain}\\{user} do not match this TLS channel")]
    ChannelBindingMismatch {
        /// The user name as sent.
        user: String,
        /// The domain as sent.
        domain: String,
    },
    /// The password verified but the MIC or the SPNEGO mechListMIC did not.
    #[error("message integrity check failed for {domain}\\{user}")]
    BadMic {
        /// The user name as sent.
        user: String,
        /// The domain as sent.
        domain: String,
    },
}

/// Extended Protection refusals (the password verified; the channel did not).
impl Failure {
    /// Whether this failure is an Extended Protection refusal.
    pub fn is_channel_binding(&self) -> bool {
        matches!(self, Failure::ChannelBindingMissing { .. } | Failure::ChannelBindingMismatch { .. })
    }
}

impl Failure {
    /// Shorthand for [`Failure::Malformed`].
    pub fn malformed(detail: impl Into<String>) -> Self {
        Self::Malformed { detail: detail.into() }
    }
}
