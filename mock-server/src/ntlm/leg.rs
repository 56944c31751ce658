//! What one handshake leg looked like, for the server's journal.

use super::ResponseKind;
use super::flags;
use super::message::{Authenticate, Negotiate, av_pair, wire::version_text};

/// A description of one leg for the journal. Holds no secrets: responses
/// and keys appear only as lengths or yes/no.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LegInfo {
    /// NTLM MessageType of the token (1, 2, 3), when it had one.
    pub message_type: Option<u32>,
    /// Whether the NTLM message came inside SPNEGO.
    pub wrapped_in_spnego: bool,
    /// "NegTokenInit" or "NegTokenResp" for SPNEGO tokens.
    pub spnego_token: Option<&'static str>,
    /// Mechanisms a NegTokenInit offered, dotted, in the client's order.
    pub mechs_offered: Vec<String>,
    /// The client's NegotiateFlags (from the NEGOTIATE or AUTHENTICATE).
    pub flags: Option<u32>,
    /// Names of the client's flags.
    pub flag_names: Vec<&'static str>,
    /// Flags the server chose for its CHALLENGE.
    pub server_flags: Option<u32>,
    /// The client's VERSION, e.g. "10.0.19041 rev 15".
    pub client_version: Option<String>,
    /// User name as sent.
    pub user: Option<String>,
    /// Domain as sent.
    pub domain: Option<String>,
    /// Workstation as sent.
    pub workstation: Option<String>,
    /// The kind of NT response.
    pub response: Option<ResponseKind>,
    /// Length of the NT response.
    pub nt_response_len: Option<usize>,
    /// Length of the LM response.
    pub lm_response_len: Option<usize>,
    /// Names of the AV pairs in the client's NTLMv2 blob.
    pub client_av_pairs: Vec<&'static str>,
    /// Whether the client's MsvAvFlags announce a MIC.
    pub mic_present: bool,
    /// Whether the SPNEGO NegTokenResp carried a mechListMIC.
    pub mech_list_mic_present: bool,
    /// The domain string the NTLMv2 key matched with, when it differs in use.
    pub hashed_domain: Option<String>,
    /// Whether a NEGOTIATE replaced a pending CHALLENGE on this connection.
    pub restarted: bool,
    /// What the NTLMv2 blob's MsvAvChannelBindings said (AUTHENTICATE legs only).
    pub channel_bindings: Option<super::BindingsSeen>,
}

impl LegInfo {
    /// Records what a NEGOTIATE says.
    pub fn record_negotiate(&mut self, neg: &Negotiate) {
        self.set_flags(neg.flags);
        self.client_version = neg.version.as_ref().map(version_text);
        self.domain = neg.domain.clone();
        self.workstation = neg.workstation.clone();
    }

    /// Records what an AUTHENTICATE says (lengths only for the secrets).
    pub fn record_authenticate(&mut self, auth: &Authenticate) {
        self.set_flags(auth.flags);
        self.client_version = auth.version.as_ref().map(version_text);
        self.user = Some(auth.user.clone());
        self.domain = Some(auth.domain.clone());
        self.workstation = Some(auth.workstation.clone());
        self.nt_response_len = Some(auth.nt_response.len());
        self.lm_response_len = Some(auth.lm_response.len());
        self.client_av_pairs = auth.v2_av_pairs().iter().map(|p| av_pair::name(p.id)).collect();
        self.mic_present = auth.mic_flagged();
    }

    fn set_flags(&mut self, value: u32) {
        self.flags = Some(value);
        self.flag_names = flags::names(value);
    }

    /// A one-line description, e.g. for a journal entry.
    pub fn summary(&self) -> String {
        let mut parts = vec![self.headline()];
        if !self.mechs_offered.is_empty() {
            parts.push(format!("mechs offered: {}", self.mechs_offered.join(", ")));
        }
        if self.flags.is_some() {
            parts.push(format!("client asked for: {}", self.flag_names.join(", ")));
        }
        if let Some(chosen) = self.server_flags {
            parts.push(format!("server chose: {}", flags::names(chosen).join(", ")));
        }
        parts.extend(self.response_part());
        if let Some(version) = &self.client_version {
            parts.push(format!("client version {version}"));
        }
        if self.restarted {
            parts.push("restarted a pending handshake".to_owned());
        }
        parts.join("; ")
    }

    fn headline(&self) -> String {
        let what = match self.message_type {
            Some(1) => "NTLM NEGOTIATE".to_owned(),
            Some(2) => "NTLM CHALLENGE".to_owned(),
            Some(3) => "NTLM AUTHENTICATE".to_owned(),
            Some(t) => format!("NTLM message type {t}"),
            None => "token".to_owned(),
        };
        let via = match self.spnego_token {
            Some(kind) => format!(" in SPNEGO {kind}"),
            None if self.wrapped_in_spnego => " in SPNEGO".to_owned(),
            None => String::new(),
        };
        let who = match (&self.user, self.message_type) {
            (Some(user), Some(3)) => format!(
                " from {}\\{}@{}",
                self.domain.as_deref().unwrap_or(""),
                user,
                self.workstation.as_deref().unwrap_or("")
            ),
            _ => String::new(),
        };
        format!("{what}{via}{who}")
    }

    fn response_part(&self) -> Option<String> {
        let nt = self.nt_response_len?;
        let kind = self.response.map_or_else(|| "no".to_owned(), |k| k.to_string());
        let mut text = format!("{kind} response (NT {nt} bytes, LM {} bytes)", self.lm_response_len.unwrap_or(0));
        if !self.client_av_pairs.is_empty() {
            text.push_str(&format!(", blob AV pairs: {}", self.client_av_pairs.join(", ")));
        }
        if self.mic_present {
            text.push_str(", MIC");
        }
        if self.mech_list_mic_present {
            text.push_str(", mechListMIC");
        }
        if let Some(seen) = self.channel_bindings {
            text.push_str(&format!(", channel bindings {}", seen.name()));
        }
        if let Some(domain) = &self.hashed_domain {
            text.push_str(&format!(", key matched domain {domain:?}"));
        }
        Some(text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn summary_of_a_negotiate() {
        let mut leg = LegInfo { message_type: Some(1), ..LegInfo::default() };
        leg.record_negotiate(&Negotiate { flags: 0x0008_8206, domain: None, workstation: None, version: None });
        leg.server_flags = Some(0x0289_8206);
        let text = leg.summary();
        assert!(
            text.starts_with("NTLM NEGOTIATE; client asked for: OEM, REQUEST_TARGET, NTLM, ALWAYS_SIGN, ESS"),
            "{text}"
        );
        assert!(
            text.contains(
                "server chose: OEM, REQUEST_TARGET, NTLM, ALWAYS_SIGN, TARGET_TYPE_DOMAIN, ESS, TARGET_INFO, VERSION"
            ),
            "{text}"
        );
    }

    #[test]
    fn summary_of_an_authenticate() {
        let leg = LegInfo {
            message_type: Some(3),
            wrapped_in_spnego: true,
            spnego_token: Some("NegTokenResp"),
            user: Some("alice".into()),
            domain: Some("CORP".into()),
            workstation: Some("WS".into()),
            response: Some(ResponseKind::NtlmV2),
            nt_response_len: Some(244),
            lm_response_len: Some(24),
            mic_present: true,
            ..LegInfo::default()
        };
        assert_eq!(
            leg.summary(),
            "NTLM AUTHENTICATE in SPNEGO NegTokenResp from CORP\\alice@WS; NTLMv2 response (NT 244 bytes, LM 24 bytes), MIC"
        );
    }
}
