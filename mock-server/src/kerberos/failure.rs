//! Why an AP-REQ was refused, named by its RFC 4120 7.5.9 error code as Windows reports it.

/// Why the acceptor refused an AP-REQ. The text goes to the journal: it names principals,
/// enctypes and times, never a key or a decrypted byte.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KrbFailure {
    /// The service ticket (or the authenticator) does not decrypt with the server's key.
    #[error(
        "KRB_AP_ERR_MODIFIED: the {what} for {service} ({etype}, kvno {kvno}) does not decrypt with the key of {decrypting_account}"
    )]
    Modified {
        /// "service ticket" or "authenticator".
        what: &'static str,
        /// The ticket's server principal.
        service: String,
        /// Its enctype name.
        etype: String,
        /// Its key version number (0 when absent).
        kvno: i64,
        /// The account whose key the server tried.
        decrypting_account: String,
    },
    /// The authenticator's time is further from the server's clock than the allowed skew.
    #[error("KRB_AP_ERR_SKEW: the client's authenticator is {seconds} s off the server's clock (allowed {allowed} s)")]
    Skew {
        /// Authenticator time minus server time, seconds.
        seconds: i64,
        /// The allowed skew, seconds.
        allowed: i64,
    },
    /// The ticket's end time has passed on the server's clock.
    #[error("KRB_AP_ERR_TKT_EXPIRED: the service ticket expired {seconds} s ago by the server's clock")]
    TicketExpired {
        /// How long ago, seconds.
        seconds: i64,
    },
    /// The ticket's start time is still ahead on the server's clock.
    #[error("KRB_AP_ERR_TKT_NYV: the service ticket starts {seconds} s from now by the server's clock")]
    TicketNotYetValid {
        /// How far ahead, seconds.
        seconds: i64,
    },
    /// The ticket names another service than this server's SPN.
    #[error("KRB_AP_ERR_NOT_US: the ticket is for {got}, this server is {expected}")]
    NotUs {
        /// The ticket's server principal.
        got: String,
        /// The server's principal.
        expected: String,
    },
    /// The ticket's enctype has no key on the server.
    #[error("KRB_AP_ERR_NOKEY: the ticket uses {etype}; the server holds keys for {held}")]
    NoKey {
        /// The ticket's enctype name.
        etype: String,
        /// The enctypes held.
        held: String,
    },
    /// The authenticator names another client than the ticket.
    #[error("KRB_AP_ERR_BADMATCH: the authenticator is from {authenticator}, the ticket for {ticket}")]
    BadMatch {
        /// Client in the authenticator.
        authenticator: String,
        /// Client in the ticket.
        ticket: String,
    },
    /// Not a well-formed Kerberos GSS-API token or AP-REQ.
    #[error("malformed Kerberos token: {detail}")]
    Malformed {
        /// What was wrong.
        detail: String,
    },
}

impl KrbFailure {
    /// Shorthand for [`KrbFailure::Malformed`].
    pub fn malformed(detail: impl Into<String>) -> Self {
        Self::Malformed { detail: detail.into() }
    }

    /// The RFC 4120 error code (KRB_AP_ERR_*), or None for a malformed token.
    pub fn error_code(&self) -> Option<u32> {
        Some(match self {
            Self::Modified { .. } => 41,
            Self::Skew { .. } => 37,
            Self::TicketExpired { .. } => 32,
            Self::TicketNotYetValid { .. } => 33,
            Self::NotUs { .. } => 35,
            Self::NoKey { .. } => 45,
            Self::BadMatch { .. } => 36,
            Self::Malformed { .. } => return None,
        })
    }
}
