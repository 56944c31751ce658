//! Server (acceptor) side of Kerberos behind `Negotiate`, as HTTP.sys/IIS runs it.
//!
//! Tickets come from a real KDC (MIT krb5 in tests and runs); this module verifies the
//! client's AP-REQ with the key of the account that decrypts service tickets for the site,
//! and builds the AP-REP that goes back in the final `WWW-Authenticate: Negotiate` token.
//! Why an own acceptor over a GSS-API binding: docs/DEPENDENCIES.md ("picky-krb").
//!
//! # Layout
//! - [`keys`]: service keys from an account password (RFC 3962 string-to-key).
//! - [`token`]: the GSS-API Kerberos token frame.
//! - `acceptor`: [`accept`], one AP-REQ in, a principal and an AP-REP out.
//! - `failure`: [`KrbFailure`], the RFC 4120 error the server would return.
//! - [`kdc`]: a real MIT KDC for a profile's realm, for tests and the runner.
//!
//! Nothing here logs or formats a key or decrypted bytes.

mod acceptor;
mod failure;
pub mod kdc;
pub mod keys;
#[cfg(test)]
pub(crate) mod test_support;
#[cfg(test)]
mod tests;
pub mod token;

pub use acceptor::{AcceptInput, Accepted, accept};
pub use failure::KrbFailure;
pub use keys::ServiceKeys;

/// What one Kerberos leg looked like, for the journal. Holds no secrets.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct KrbLeg {
    /// The mechanism OID of the Kerberos token, dotted.
    pub mech: Option<String>,
    /// Whether the token came inside SPNEGO.
    pub in_spnego: bool,
    /// Mechanisms the SPNEGO NegTokenInit offered, dotted.
    pub mechs_offered: Vec<String>,
    /// The ticket's server principal with realm.
    pub service: Option<String>,
    /// The ticket's enctype name.
    pub ticket_etype: Option<String>,
    /// The ticket's key version number.
    pub kvno: Option<i64>,
    /// The client principal with realm.
    pub client: Option<String>,
    /// Whether the client asked for mutual authentication (an AP-REP).
    pub mutual: bool,
    /// Whether the client delegated its TGT.
    pub delegation: bool,
}

impl KrbLeg {
    /// A one-line description, e.g. for a journal entry.
    pub fn summary(&self) -> String {
        let via = if self.in_spnego { " in SPNEGO NegTokenInit" } else { "" };
        let mut parts = vec![format!("Kerberos AP-REQ{via}")];
        if !self.mechs_offered.is_empty() {
            parts.push(format!("mechs offered: {}", self.mechs_offered.join(", ")));
        }
        if let Some(service) = &self.service {
            let mut ticket = format!("ticket for {service}");
            if let Some(etype) = &self.ticket_etype {
                ticket.push_str(&format!(" ({etype}, kvno {})", self.kvno.unwrap_or(0)));
            }
            parts.push(ticket);
        }
        if let Some(client) = &self.client {
            parts.push(format!("client {client}"));
        }
        if self.mutual {
            parts.push("mutual authentication requested".to_owned());
        }
        if self.delegation {
            parts.push("credentials delegated".to_owned());
        }
        parts.join("; ")
    }
}
