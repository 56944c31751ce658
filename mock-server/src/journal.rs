//! The journal: a bounded record of every request, the decision and the status. Entries are
//! redacted on the way out (every reader goes through [`Journal::entries`]), so no secret leaves
//! it while the request path stays cheap. The control plane serves it as JSON; the conformance
//! runner reads it in-process.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex, OnceLock};

use serde::{Deserialize, Serialize};

use crate::auth::{Layer, Reason};
use crate::profile::Profile;

/// The default number of entries kept (oldest dropped first).
pub const DEFAULT_CAPACITY: usize = 10_000;

/// What the client presented, without the secret.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CredentialSummary {
    /// The scheme word (`Basic`, `Bearer`, `NTLM`, `Negotiate`, ...), `None` without a header.
    pub scheme: Option<String>,
    /// For Basic: whether the decoded credential contained a `:`.
    pub basic_colon: Option<bool>,
    /// For NTLM/Negotiate: the NTLM message type (1, 3) or 0 for SPNEGO/other tokens.
    pub ntlm_message: Option<u8>,
}

/// One journal entry (DESIGN: at least method, path, status, reason, explanation, hint, connection).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct JournalEntry {
    /// Sequence number, from 1.
    pub seq: u64,
    /// Unix milliseconds.
    pub time_ms: u64,
    /// The TCP connection's number.
    pub connection: u64,
    /// The method.
    pub method: String,
    /// Path and query, with secrets redacted.
    pub path: String,
    /// The HTTP status sent.
    pub status: u16,
    /// The reason code.
    pub reason: Reason,
    /// The layer that decided.
    pub layer: Layer,
    /// What the server saw and why it answered so.
    pub explanation: String,
    /// What would fix it.
    pub hint: String,
    /// The authenticated account, if any.
    pub identity: Option<String>,
    /// How the identity authenticated (`pat:<name>`, `ntlm`, `negotiate`, `iis-basic`).
    pub via: Option<String>,
    /// What the client presented.
    pub credential: CredentialSummary,
    /// Challenge schemes offered in the response, in order.
    pub offered: Vec<String>,
    /// The api-version as sent.
    pub api_version: Option<String>,
    /// `User-Agent`.
    pub user_agent: Option<String>,
    /// The Windows handshake leg, described.
    pub leg: Option<String>,
    /// Whether a known secret appeared in the URL (and was redacted).
    pub secret_in_url: bool,
    /// How the request arrived: http or https, and the channel bindings of a Windows logon.
    #[serde(default)]
    pub transport: Transport,
}

/// How a request arrived (TLS, issue 11), kept apart from the decision's own fields.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Transport {
    /// `http` or `https`.
    pub scheme: String,
    /// What an NTLMv2 AUTHENTICATE's MsvAvChannelBindings said: `absent`, `zeros` (both mean
    /// the client sent none), `matched`, `mismatched`, or `unchecked` (sent over plain http).
    /// `None` when the request carried no AUTHENTICATE.
    pub channel_bindings: Option<crate::ntlm::BindingsSeen>,
}

impl Default for Transport {
    fn default() -> Self {
        Self { scheme: "http".to_owned(), channel_bindings: None }
    }
}

#[derive(Default)]
struct Inner {
    entries: VecDeque<JournalEntry>,
    next_seq: u64,
    dropped: u64,
}

/// A bounded, shareable journal. Cheap to clone.
#[derive(Clone)]
pub struct Journal {
    inner: Arc<Mutex<Inner>>,
    capacity: usize,
    redactor: Arc<OnceLock<Redactor>>,
}

impl Journal {
    /// A journal keeping at most `capacity` entries.
    pub fn new(capacity: usize) -> Self {
        Self { inner: Arc::default(), capacity: capacity.max(1), redactor: Arc::default() }
    }

    /// Sets the redactor applied to every entry read (the server sets its profile's once).
    pub fn set_redactor(&self, redactor: Redactor) {
        let _ = self.redactor.set(redactor);
    }

    /// Appends an entry, assigning its sequence number.
    pub fn record(&self, mut entry: JournalEntry) {
        let mut inner = self.lock();
        inner.next_seq += 1;
        entry.seq = inner.next_seq;
        if inner.entries.len() == self.capacity {
            inner.entries.pop_front();
            inner.dropped += 1;
        }
        inner.entries.push_back(entry);
    }

    /// A copy of the entries, oldest first, with secrets redacted.
    pub fn entries(&self) -> Vec<JournalEntry> {
        let raw: Vec<JournalEntry> = self.lock().entries.iter().cloned().collect();
        match self.redactor.get() {
            Some(redactor) => raw.into_iter().map(|e| redactor.redact_entry(e)).collect(),
            None => raw,
        }
    }

    /// How many entries the journal holds.
    pub fn len(&self) -> usize {
        self.lock().entries.len()
    }

    /// Whether the journal holds no entry.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Entries dropped because the journal was full.
    pub fn dropped(&self) -> u64 {
        self.lock().dropped
    }

    /// Forgets every entry (sequence numbers keep counting).
    pub fn clear(&self) {
        let mut inner = self.lock();
        inner.entries.clear();
        inner.dropped = 0;
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        // A panic while holding the lock leaves plain data behind; keep serving it.
        self.inner.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

impl Default for Journal {
    fn default() -> Self {
        Self::new(DEFAULT_CAPACITY)
    }
}

/// Replaces every secret of a profile (PATs, passwords, and their URL-encoded forms) in text.
#[derive(Clone, Debug, Default)]
pub struct Redactor {
    needles: Vec<(String, String)>,
}

impl Redactor {
    /// A redactor for the profile's secrets.
    pub fn for_profile(profile: &Profile) -> Self {
        let mut needles = Vec::new();
        for (kind, owner, secret) in profile.secrets() {
            let value = secret.expose();
            // Very short secrets would redact ordinary words; they are still never logged directly.
            if value.len() < 4 {
                continue;
            }
            let label = format!("<redacted {kind} of {owner}>");
            let encoded = crate::http::url_encode_component(value);
            if encoded != value {
                needles.push((encoded, label.clone()));
            }
            needles.push((value.to_owned(), label));
        }
        needles.sort_by_key(|n| std::cmp::Reverse(n.0.len()));
        Self { needles }
    }

    /// The entry with every secret replaced in every text; a secret in the path sets
    /// `secret_in_url`.
    pub fn redact_entry(&self, mut entry: JournalEntry) -> JournalEntry {
        let (path, hit) = self.redact(&entry.path);
        entry.path = path;
        entry.secret_in_url |= hit;
        for text in [&mut entry.explanation, &mut entry.hint] {
            *text = self.redact(text).0;
        }
        for text in [&mut entry.api_version, &mut entry.user_agent, &mut entry.leg, &mut entry.identity, &mut entry.via]
            .into_iter()
            .flatten()
        {
            *text = self.redact(text).0;
        }
        entry
    }

    /// The text with every secret replaced; `true` if something was replaced.
    pub fn redact(&self, text: &str) -> (String, bool) {
        let mut out = text.to_owned();
        let mut hit = false;
        for (needle, label) in &self.needles {
            if out.contains(needle.as_str()) {
                out = out.replace(needle.as_str(), label);
                hit = true;
            }
        }
        (out, hit)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(path: &str) -> JournalEntry {
        JournalEntry {
            seq: 0,
            time_ms: 0,
            connection: 1,
            method: "GET".into(),
            path: path.into(),
            status: 200,
            reason: Reason::Ok,
            layer: Layer::Permission,
            explanation: String::new(),
            hint: String::new(),
            identity: None,
            via: None,
            credential: CredentialSummary::default(),
            offered: vec![],
            api_version: None,
            user_agent: None,
            leg: None,
            secret_in_url: false,
            transport: Transport::default(),
        }
    }

    #[test]
    fn bounded_and_numbered() {
        let j = Journal::new(2);
        for p in ["/a", "/b", "/c"] {
            j.record(entry(p));
        }
        let e = j.entries();
        assert_eq!(e.iter().map(|e| (e.seq, e.path.as_str())).collect::<Vec<_>>(), vec![(2, "/b"), (3, "/c")]);
        assert_eq!(j.dropped(), 1);
        j.clear();
        assert!(j.entries().is_empty());
    }

    #[test]
    fn redactor_replaces_pats_and_encoded_passwords() {
        let profile = Profile::from_toml_str(crate::profile::DEFAULT_PROFILE, "default", 0).unwrap();
        let r = Redactor::for_profile(&profile);
        let pat = profile.identities[0].pats[0].token.expose().to_owned();
        let (text, hit) = r.redact(&format!("/x?pat={pat}&pw=Passw0rd%21"));
        assert!(hit);
        assert!(!text.contains(&pat) && !text.contains("Passw0rd"), "{text}");
        assert_eq!(r.redact("/nothing"), ("/nothing".to_owned(), false));
    }
}
