//! The journal: a bounded record of every request, the decision and the status. Entries are
//! redacted on the way out (every reader goes through [`Journal::entries`]), so no secret leaves
//! it while the request path stays cheap. The control plane serves it as JSON; the conformance
//! runner reads it in-process.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex, OnceLock};

use serde::{Deserialize, Serialize};

use crate::auth::{IisLog, Layer, Reason};
use crate::profile::Profile;
use crate::secret::SecretFinder;

mod stored;
use stored::Stored;

/// The default number of entries kept (oldest dropped first).
pub const DEFAULT_CAPACITY: usize = 10_000;

/// What kind of credential a request carried, as the server read it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum CredentialKind {
    /// No `Authorization` header.
    #[default]
    None,
    /// Basic `user:password` whose user or password slot holds a PAT.
    BasicPat,
    /// Basic `user:password` without a PAT (a Windows password, or a wrong token).
    BasicPassword,
    /// Basic whose decoded text has no `:` (typically base64 of the bare PAT).
    BasicNoColon,
    /// Basic whose token is not base64.
    BasicNotBase64,
    /// `Basic` with nothing after it.
    BasicEmpty,
    /// `Bearer <token>`.
    Bearer,
    /// `NTLM <token>`.
    Ntlm,
    /// `Negotiate <token>`.
    Negotiate,
    /// Any other scheme, or a header with no scheme word.
    Other,
}

/// What the client presented, without the secret.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CredentialSummary {
    /// The kind of credential.
    #[serde(default)]
    pub kind: CredentialKind,
    /// The scheme word (`Basic`, `Bearer`, `NTLM`, `Negotiate`, a known other scheme, or a
    /// description of an unknown first word), `None` without a header.
    pub scheme: Option<String>,
    /// For Basic: whether the decoded credential contained a `:`.
    pub basic_colon: Option<bool>,
    /// For NTLM/Negotiate: the NTLM message type (1, 3) or 0 for SPNEGO/other tokens.
    pub ntlm_message: Option<u8>,
}

/// One journal row: everything about one request that a reader (the control plane, the
/// conformance checks and reports, `explain`) needs, built once where the decision is made.
/// A documented output: it holds at least `method`, `path`, `status`, `reason`,
/// `explanation`, `hint` and `connection`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct JournalEntry {
    /// Sequence number, from 1.
    pub seq: u64,
    /// Unix milliseconds.
    pub time_ms: u64,
    /// The TCP connection's number.
    pub connection: u64,
    /// `http` or `https`: how the request reached the server.
    #[serde(default = "http")]
    pub scheme: String,
    /// The `Host` header as sent.
    #[serde(default)]
    pub host: Option<String>,
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
    /// The fields IIS would write to its W3C log for this request.
    #[serde(default)]
    pub iis_log: IisLog,
    /// What an NTLMv2 AUTHENTICATE's MsvAvChannelBindings said: `absent`, `zeros` (both mean the
    /// client sent none), `matched`, `mismatched`, or `unchecked` (sent over plain http); `None`
    /// when the request carried no AUTHENTICATE.
    #[serde(default)]
    pub channel_bindings: Option<crate::ntlm::BindingsSeen>,
    /// Soft mode only: the refusal the real server would have sent instead of this row's
    /// answer (status, reason, layer, explanation, hint); absent when nothing was softened.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub would_refuse: Option<crate::soft::WouldRefuse>,
}

/// A text of a [`Row`], in up to three pieces stored as one (`["/p", "?", "q=1"]` is
/// `/p?q=1`): a row is recorded without formatting its texts first.
pub(crate) type Text<'a> = [&'a str; 3];

/// `text` as a [`Text`] of one piece.
pub(crate) fn text(text: &str) -> Text<'_> {
    [text, "", ""]
}

/// An optional text as a [`Text`] of one piece.
pub(crate) fn opt_text<T: AsRef<str> + ?Sized>(text: Option<&T>) -> Option<Text<'_>> {
    text.map(|t| [t.as_ref(), "", ""])
}

/// A journal row borrowed from where it was decided: the same fields as [`JournalEntry`] (its
/// docs say what each holds), which the server's request path records with
/// [`Journal::record_row`] without building the owned row (a dozen strings) first.
#[derive(Clone, Debug)]
pub(crate) struct Row<'a> {
    /// [`JournalEntry::time_ms`].
    pub(crate) time_ms: u64,
    /// [`JournalEntry::connection`].
    pub(crate) connection: u64,
    /// [`JournalEntry::scheme`].
    pub(crate) scheme: Text<'a>,
    /// [`JournalEntry::host`].
    pub(crate) host: Option<Text<'a>>,
    /// [`JournalEntry::method`].
    pub(crate) method: Text<'a>,
    /// [`JournalEntry::path`].
    pub(crate) path: Text<'a>,
    /// [`JournalEntry::status`].
    pub(crate) status: u16,
    /// [`JournalEntry::reason`].
    pub(crate) reason: Reason,
    /// [`JournalEntry::layer`].
    pub(crate) layer: Layer,
    /// [`JournalEntry::explanation`].
    pub(crate) explanation: Text<'a>,
    /// [`JournalEntry::hint`].
    pub(crate) hint: Text<'a>,
    /// [`JournalEntry::identity`].
    pub(crate) identity: Option<Text<'a>>,
    /// [`JournalEntry::via`].
    pub(crate) via: Option<Text<'a>>,
    /// [`JournalEntry::credential`]: its kind, scheme, `basic_colon` and `ntlm_message`.
    pub(crate) credential: (CredentialKind, Option<Text<'a>>, Option<bool>, Option<u8>),
    /// [`JournalEntry::offered`].
    pub(crate) offered: &'a [&'a str],
    /// [`JournalEntry::api_version`].
    pub(crate) api_version: Option<Text<'a>>,
    /// [`JournalEntry::user_agent`].
    pub(crate) user_agent: Option<Text<'a>>,
    /// [`JournalEntry::leg`].
    pub(crate) leg: Option<Text<'a>>,
    /// [`JournalEntry::secret_in_url`].
    pub(crate) secret_in_url: bool,
    /// [`JournalEntry::iis_log`]: `sc-status`, `sc-substatus`, `sc-win32-status`, `cs-username`.
    pub(crate) iis_log: (u16, u8, u32, Text<'a>),
    /// [`JournalEntry::channel_bindings`].
    pub(crate) channel_bindings: Option<crate::ntlm::BindingsSeen>,
    /// [`JournalEntry::would_refuse`].
    pub(crate) would_refuse: Option<crate::soft::WouldRefuse>,
}

fn http() -> String {
    "http".to_owned()
}

impl JournalEntry {
    /// The entry with `edit` applied to every free text it holds (each string of its JSON form
    /// but the codes of [`CODE_FIELDS`]), so no field can be forgotten by a redactor.
    pub fn map_text(self, mut edit: impl FnMut(&str) -> String) -> JournalEntry {
        let Ok(mut value) = serde_json::to_value(&self) else { return self };
        map_strings(&mut value, &mut edit);
        // Only strings changed, and no code field: the row reads back as it was written.
        serde_json::from_value(value).unwrap_or(self)
    }
}

/// Fields holding codes from a fixed set (never client text), left as they are by
/// [`JournalEntry::map_text`].
pub const CODE_FIELDS: &[&str] = &["reason", "layer", "kind"];

fn map_strings(value: &mut serde_json::Value, edit: &mut impl FnMut(&str) -> String) {
    match value {
        serde_json::Value::String(text) => *text = edit(text),
        serde_json::Value::Array(items) => items.iter_mut().for_each(|v| map_strings(v, edit)),
        serde_json::Value::Object(map) => {
            for (_, v) in map.iter_mut().filter(|(k, _)| !CODE_FIELDS.contains(&k.as_str())) {
                map_strings(v, edit);
            }
        }
        _ => {}
    }
}

#[derive(Default)]
struct Inner {
    /// Packed (see [`Stored`]): one allocation per row.
    entries: VecDeque<Stored>,
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
    pub fn record(&self, entry: JournalEntry) {
        // Destructured without `..`: a field added to `JournalEntry` must be carried to `Row`.
        let JournalEntry {
            seq: _,
            time_ms,
            connection,
            scheme,
            host,
            method,
            path,
            status,
            reason,
            layer,
            explanation,
            hint,
            identity,
            via,
            credential: CredentialSummary { kind, scheme: credential_scheme, basic_colon, ntlm_message },
            offered,
            api_version,
            user_agent,
            leg,
            secret_in_url,
            iis_log: IisLog { sc_status, sc_substatus, sc_win32_status, cs_username },
            channel_bindings,
            would_refuse,
        } = entry;
        let offered: Vec<&str> = offered.iter().map(String::as_str).collect();
        self.record_row(Row {
            time_ms,
            connection,
            scheme: text(&scheme),
            host: opt_text(host.as_ref()),
            method: text(&method),
            path: text(&path),
            status,
            reason,
            layer,
            explanation: text(&explanation),
            hint: text(&hint),
            identity: opt_text(identity.as_ref()),
            via: opt_text(via.as_ref()),
            credential: (kind, opt_text(credential_scheme.as_ref()), basic_colon, ntlm_message),
            offered: &offered,
            api_version: opt_text(api_version.as_ref()),
            user_agent: opt_text(user_agent.as_ref()),
            leg: opt_text(leg.as_ref()),
            secret_in_url,
            iis_log: (sc_status, sc_substatus, sc_win32_status, text(&cs_username)),
            channel_bindings,
            would_refuse,
        });
    }

    /// Appends a borrowed row (see [`Row`]), assigning its sequence number: what
    /// [`Journal::record`] does, without the owned row.
    pub(crate) fn record_row(&self, row: Row<'_>) {
        // Packed before the lock is taken: the other workers' requests need not wait for it.
        let mut entry = Stored::pack(row);
        let evicted = {
            let mut inner = self.lock();
            inner.next_seq += 1;
            entry.seq = inner.next_seq;
            let evicted = if inner.entries.len() == self.capacity {
                inner.dropped += 1;
                inner.entries.pop_front()
            } else {
                None
            };
            inner.entries.push_back(entry);
            evicted
        };
        // Freed after the lock is released: the other workers' requests need not wait for it.
        drop(evicted);
    }

    /// A copy of the entries, oldest first, with secrets redacted.
    pub fn entries(&self) -> Vec<JournalEntry> {
        let raw: Vec<JournalEntry> = self.lock().entries.iter().map(Stored::unpack).collect();
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

/// Redacts journal entries with the server's [`SecretFinder`]: every text of the entry, in
/// every form a secret can take; a secret in the path sets `secret_in_url`.
///
/// The finder is built on first use, not when the server starts: a profile with tens of
/// thousands of identities has hundreds of thousands of needles, and a server that is never
/// read from (or whose first reader comes later) should not wait for them. The standalone server
/// warms it on a background thread right after it starts listening ([`Redactor::warm`]).
#[derive(Clone, Debug, Default)]
pub struct Redactor {
    lazy: Arc<LazyFinder>,
}

#[derive(Debug, Default)]
struct LazyFinder {
    specs: Mutex<Vec<crate::secret::SecretSpec>>,
    finder: OnceLock<Arc<SecretFinder>>,
}

impl Redactor {
    /// A redactor for the profile's secrets.
    pub fn for_profile(profile: &Profile) -> Self {
        Self::with_extra(profile, Vec::new())
    }

    /// A redactor for the profile's secrets and `extra` ones (the control plane's token).
    pub fn with_extra(profile: &Profile, extra: Vec<crate::secret::SecretSpec>) -> Self {
        let mut secrets = profile.secrets();
        secrets.extend(extra);
        Self { lazy: Arc::new(LazyFinder { specs: Mutex::new(secrets), finder: OnceLock::new() }) }
    }

    /// The finder behind it (built now if it was not yet; concurrent callers wait for it).
    pub fn finder(&self) -> &Arc<SecretFinder> {
        self.lazy.finder.get_or_init(|| {
            let specs = std::mem::take(&mut *self.lazy.specs.lock().unwrap_or_else(std::sync::PoisonError::into_inner));
            Arc::new(SecretFinder::new(specs))
        })
    }

    /// Builds the finder on a background thread, so that the first reader finds it ready.
    pub fn warm(&self) {
        let redactor = self.clone();
        let _ = std::thread::Builder::new().name("ado-mock-server-finder".to_owned()).spawn(move || {
            redactor.finder();
        });
    }

    /// The entry with every secret replaced in every text.
    pub fn redact_entry(&self, entry: JournalEntry) -> JournalEntry {
        let finder = self.finder();
        if finder.is_empty() {
            return entry;
        }
        let in_url = !finder.leaks(&entry.path).is_empty();
        let mut entry = entry.map_text(|text| finder.redact(text).0);
        entry.secret_in_url |= in_url;
        entry
    }

    /// The text with every secret replaced; `true` if something was replaced.
    pub fn redact(&self, text: &str) -> (String, bool) {
        let (out, leaks) = self.finder().redact(text);
        (out, !leaks.is_empty())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    pub(super) fn entry(path: &str) -> JournalEntry {
        JournalEntry {
            seq: 0,
            time_ms: 0,
            connection: 1,
            scheme: "http".into(),
            host: None,
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
            iis_log: IisLog::default(),
            channel_bindings: None,
            would_refuse: None,
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
        // The finder behind it is the profile's, for callers that scan streams themselves.
        assert_eq!(r.finder().leaks(&pat).len(), 1);
    }

    #[test]
    fn every_text_field_of_a_row_is_redacted_in_every_form() {
        use base64::Engine as _;
        let profile = Profile::from_toml_str(crate::profile::DEFAULT_PROFILE, "default", 0).unwrap();
        let r = Redactor::for_profile(&profile);
        let pat = profile.identities[0].pats[0].token.expose().to_owned();
        let b64 = base64::engine::general_purpose::STANDARD.encode(format!(":{pat}"));
        let pat_label = "<redacted pat full>";
        let forms = [
            (pat.clone(), pat_label),
            (pat.to_ascii_uppercase(), pat_label),
            (b64.clone(), pat_label),
            ("Passw0rd%21".to_owned(), "<redacted password of CONTOSO\\joseph>"),
        ];
        for (form, label) in forms {
            // Every text of the row holds the secret (its JSON form is the list of its texts).
            let mut row = entry("/p");
            row.host = Some(String::new());
            row.identity = Some(String::new());
            row.via = Some(String::new());
            row.api_version = Some(String::new());
            row.user_agent = Some(String::new());
            row.leg = Some(String::new());
            row.offered = vec![String::new()];
            row.credential.scheme = Some(String::new());
            let row = row.map_text(|_| format!("x {form} y"));
            assert_eq!(row.user_agent.as_deref(), Some(format!("x {form} y").as_str()));
            let clean = r.redact_entry(row);
            let json = serde_json::to_string(&clean).unwrap();
            assert!(r.finder().leaks(&json).is_empty(), "{form} left in {json}");
            assert!(clean.secret_in_url, "{form} in the path sets secret_in_url");
            assert_eq!(clean.method, format!("x {label} y"));
        }
    }

    #[test]
    fn counts_follow_records_drops_and_clears() {
        let j = Journal::new(2);
        assert!(j.is_empty());
        assert_eq!((j.len(), j.dropped()), (0, 0));
        j.record(entry("/a"));
        assert!(!j.is_empty());
        assert_eq!((j.len(), j.dropped()), (1, 0));
        for p in ["/b", "/c", "/d"] {
            j.record(entry(p));
        }
        assert_eq!((j.len(), j.dropped()), (2, 2));
        j.clear();
        assert!(j.is_empty());
        assert_eq!((j.len(), j.dropped()), (0, 0));
        // Sequence numbers keep counting after a clear.
        j.record(entry("/e"));
        assert_eq!(j.entries()[0].seq, 5);
    }

    #[test]
    fn a_capacity_of_zero_keeps_one_entry() {
        let j = Journal::new(0);
        j.record(entry("/a"));
        j.record(entry("/b"));
        assert_eq!(j.entries().iter().map(|e| e.path.as_str()).collect::<Vec<_>>(), vec!["/b"]);
    }

    #[test]
    fn entries_are_redacted_on_the_way_out_once_a_redactor_is_set() {
        let profile = Profile::from_toml_str(crate::profile::DEFAULT_PROFILE, "default", 0).unwrap();
        let pat = profile.identities[0].pats[0].token.expose().to_owned();
        let j = Journal::default();
        j.record(entry(&format!("/p?pat={pat}")));
        assert_eq!(j.entries()[0].path, format!("/p?pat={pat}"), "no redactor: as recorded");
        j.set_redactor(Redactor::for_profile(&profile));
        let row = &j.entries()[0];
        assert_eq!(row.path, "/p?pat=<redacted pat full>");
        assert!(row.secret_in_url);
        // The stored row is untouched: redaction happens on every read.
        assert_eq!(j.lock().entries[0].unpack().path, format!("/p?pat={pat}"));
    }

    #[test]
    fn a_poisoned_lock_still_serves_the_entries() {
        let j = Journal::new(4);
        j.record(entry("/a"));
        let clone = j.clone();
        let _ = std::thread::spawn(move || {
            let _guard = clone.inner.lock().unwrap();
            panic!("poison the journal's lock");
        })
        .join();
        assert!(j.inner.is_poisoned());
        assert_eq!(j.len(), 1);
        j.record(entry("/b"));
        assert_eq!(j.entries().iter().map(|e| e.seq).collect::<Vec<_>>(), vec![1, 2]);
    }

    #[test]
    fn a_row_without_a_secret_in_the_path_keeps_its_own_url_flag() {
        let profile = Profile::from_toml_str(crate::profile::DEFAULT_PROFILE, "default", 0).unwrap();
        let r = Redactor::for_profile(&profile);
        let pat = profile.identities[0].pats[0].token.expose().to_owned();
        // A secret elsewhere (here the user agent) does not set the URL flag...
        let mut row = entry("/tfs/_apis/projects");
        row.user_agent = Some(format!("tool {pat}"));
        let clean = r.redact_entry(row);
        assert!(!clean.secret_in_url);
        assert_eq!(clean.user_agent.as_deref(), Some("tool <redacted pat full>"));
        // ...and a flag already set (the raw query held one) stays set.
        let mut row = entry("/tfs/_apis/projects");
        row.secret_in_url = true;
        assert!(r.redact_entry(row).secret_in_url);
    }

    #[test]
    fn without_secrets_the_redactor_changes_nothing() {
        let r = Redactor::default();
        assert!(r.finder().is_empty());
        let mut row = entry("/p?x=Passw0rd%21");
        row.explanation = "Passw0rd!".into();
        assert_eq!(r.redact_entry(row.clone()), row);
    }

    #[test]
    fn codes_are_left_alone_and_every_other_text_is_mapped() {
        let mut row = entry("/p");
        row.explanation = "e".into();
        row.hint = "h".into();
        row.offered = vec!["NTLM".into()];
        row.credential.scheme = Some("Basic".into());
        let mapped = row.clone().map_text(|t| format!("<{t}>"));
        assert_eq!((mapped.reason, mapped.layer, mapped.credential.kind), (row.reason, row.layer, row.credential.kind));
        assert_eq!(
            (mapped.path.as_str(), mapped.explanation.as_str(), mapped.hint.as_str(), mapped.scheme.as_str()),
            ("</p>", "<e>", "<h>", "<http>")
        );
        assert_eq!(mapped.offered, vec!["<NTLM>".to_owned()]);
        assert_eq!(mapped.credential.scheme.as_deref(), Some("<Basic>"));
        // A row whose scheme was left out of its JSON reads back as http.
        let mut json = serde_json::to_value(&row).unwrap();
        json.as_object_mut().unwrap().remove("scheme");
        assert_eq!(serde_json::from_value::<JournalEntry>(json).unwrap().scheme, "http");
    }

    #[test]
    fn a_base64_pat_in_the_url_is_flagged() {
        use base64::Engine as _;
        let profile = Profile::from_toml_str(crate::profile::DEFAULT_PROFILE, "default", 0).unwrap();
        let r = Redactor::for_profile(&profile);
        let pat = profile.identities[0].pats[0].token.expose().to_owned();
        let b64 = base64::engine::general_purpose::URL_SAFE.encode(format!(":{pat}"));
        let clean = r.redact_entry(entry(&format!("/tfs/_apis/projects?auth={b64}")));
        assert!(clean.secret_in_url);
        assert_eq!(clean.path, "/tfs/_apis/projects?auth=<redacted pat full>");
        assert!(!r.redact_entry(entry("/tfs/_apis/projects")).secret_in_url);
    }
}
