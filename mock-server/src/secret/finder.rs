//! The one redactor and leak finder: every secret of a server (PATs, passwords, job tokens,
//! private keys), in every form a client might print or send it, found in one pass and replaced
//! by one label format. The journal, the runner's reports and the `no-secret-leak` check all use
//! it, so what the check calls a leak is exactly what the reports hide.
//!
//! Forms found, for a secret of at least [`MIN_SECRET_LEN`] characters:
//! - raw, upper- or lower-cased (case-insensitive from 8 characters on: shorter secrets are
//!   matched with their case, or they would match ordinary words);
//! - percent-encoded, in full or in part (`Passw0rd%21`, `%50assw0rd!`);
//! - split by line breaks or interrupted by ANSI colour codes;
//! - base64, standard or URL-safe, padded or not: of the secret alone, of `:secret`, of
//!   `user:secret` for the account's names, and at any alignment inside a longer encoded text
//!   (for secrets long enough to leave a whole 6-byte run);
//! - base32 (exact and at any alignment), hex of the secret's bytes;
//! - for passwords, the NT hash (MD4 of UTF-16LE) in hex and base64.
//!
//! # Implementation notes
//! Each secret becomes a set of needles; [`View`] removes line breaks, escape sequences and
//! percent-encoding from the text once, and two Aho-Corasick automata (one ASCII
//! case-insensitive for raw, hex and base32 forms, one exact for base64 in both alphabets and
//! short raw secrets) find every needle in one pass each. Matches map back to spans of the
//! original text, so redaction replaces exactly what was printed, however it was disguised.
//!
//! From [`INDEX_FROM_SECRETS`] secrets on (a profile with thousands of identities), needles of
//! 8 bytes and more are found through a key table instead (`index.rs`): automata over a few
//! million long needles would take minutes and gigabytes to build. Both engines find the same
//! needles; the table also reports matches that overlap, which redaction merges.

use std::collections::BTreeSet;

use aho_corasick::{AhoCorasick, MatchKind};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD_NO_PAD;
use data_encoding::{BASE32_NOPAD, HEXLOWER};

use super::index::{KEY, KeyTable};
use super::view::View;

/// Secrets shorter than this are never searched for: they would match ordinary words. They are
/// still never printed by the server itself.
pub const MIN_SECRET_LEN: usize = 4;
/// From this length on a raw secret is matched whatever its case (PATs are case-insensitive).
const CASE_INSENSITIVE_FROM: usize = 8;
/// The shortest base64/base32 fragment searched for when a secret sits at an unknown offset.
const MIN_FRAGMENT: usize = 8;
/// From this many secrets on, long needles are found through the key table (see the notes).
pub const INDEX_FROM_SECRETS: usize = 2_000;

/// What a secret is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum SecretKind {
    /// A personal access token (owner: the PAT's name).
    Pat,
    /// A Windows password (owner: `DOMAIN\user`).
    Password,
    /// A pipeline job access token (owner: the token's name).
    JobToken,
    /// A private key (owner: what it belongs to).
    PrivateKey,
    /// Anything else handed to a client (owner: a description).
    Other,
}

/// How a secret appeared.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Form {
    /// As is (any case, possibly split by line breaks or colour codes).
    Raw,
    /// Percent-encoded, in full or in part.
    PercentEncoded,
    /// Inside base64 (standard or URL-safe).
    Base64,
    /// Inside base32.
    Base32,
    /// Hex of its bytes.
    Hex,
    /// The password's NT hash.
    NtHash,
}

/// One secret to find.
#[derive(Clone, Debug)]
pub struct SecretSpec {
    /// What it is.
    pub kind: SecretKind,
    /// Whose it is (a PAT's name, an account).
    pub owner: String,
    /// The value.
    pub value: String,
    /// User names that may precede it as `user:secret` in a Basic credential.
    pub users: Vec<String>,
}

/// A secret found in a text.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize)]
pub struct Leak {
    /// What leaked.
    pub kind: SecretKind,
    /// Whose.
    pub owner: String,
    /// In which form.
    pub form: Form,
}

impl Leak {
    /// A sentence fragment, e.g. "base64 of the PAT `full`".
    pub fn describe(&self) -> String {
        let what = describe_secret(self.kind, &self.owner);
        match self.form {
            Form::Raw => what,
            Form::PercentEncoded => format!("{what} (URL-encoded)"),
            Form::Base64 => format!("base64 of {what}"),
            Form::Base32 => format!("base32 of {what}"),
            Form::Hex => format!("hex of {what}"),
            Form::NtHash => format!("the NT hash of {what}"),
        }
    }
}

fn describe_secret(kind: SecretKind, owner: &str) -> String {
    match kind {
        SecretKind::Pat => format!("the PAT `{owner}`"),
        SecretKind::Password => format!("the password of {owner}"),
        SecretKind::JobToken => format!("the job token `{owner}`"),
        SecretKind::PrivateKey => format!("the private key of {owner}"),
        SecretKind::Other => format!("the secret `{owner}`"),
    }
}

/// The one label every redacted secret becomes, e.g. `<redacted pat full>` or
/// `<redacted password of CONTOSO\joseph>`, whatever form it was in.
pub fn label(kind: SecretKind, owner: &str) -> String {
    match kind {
        SecretKind::Pat => format!("<redacted pat {owner}>"),
        SecretKind::Password => format!("<redacted password of {owner}>"),
        SecretKind::JobToken => format!("<redacted job token {owner}>"),
        SecretKind::PrivateKey => format!("<redacted private key of {owner}>"),
        SecretKind::Other => format!("<redacted secret {owner}>"),
    }
}

struct Needle {
    secret: usize,
    form: Form,
}

/// Whether an automaton ignores ASCII case.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Case {
    Insensitive,
    Exact,
}

/// A set of needles and their automaton.
struct Scan {
    automaton: Option<AhoCorasick>,
    needles: Vec<Needle>,
}

/// One match, mapped back to the original text.
#[derive(Clone, Copy, Debug)]
struct Hit {
    start: usize,
    end: usize,
    secret: usize,
    form: Form,
}

/// Finds and redacts a set of secrets in every form (see the module docs). Cheap to share.
pub struct SecretFinder {
    secrets: Vec<(SecretKind, String)>,
    /// Every needle, or with an index only those shorter than a key.
    scans: [Scan; 2],
    index: Option<Index>,
    longest: usize,
}

/// The key tables of a large finder and the secrets their needles are rebuilt from.
struct Index {
    specs: Vec<SecretSpec>,
    /// Case-insensitive needles, then exact ones.
    tables: [KeyTable; 2],
}

impl std::fmt::Debug for SecretFinder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SecretFinder").field("secrets", &self.secrets).finish_non_exhaustive()
    }
}

impl Default for SecretFinder {
    fn default() -> Self {
        Self::new(Vec::new())
    }
}

impl SecretFinder {
    /// A finder for `specs` (secrets shorter than [`MIN_SECRET_LEN`] are ignored).
    pub fn new(specs: Vec<SecretSpec>) -> Self {
        let indexed = specs.len() >= INDEX_FROM_SECRETS;
        Self::build(specs, indexed)
    }

    /// A finder that uses the key table whatever the number of secrets (for tests).
    #[cfg(test)]
    pub(crate) fn indexed(specs: Vec<SecretSpec>) -> Self {
        Self::build(specs, true)
    }

    fn build(specs: Vec<SecretSpec>, indexed: bool) -> Self {
        let mut insensitive = Vec::new();
        let mut exact = Vec::new();
        let mut keys: [Vec<([u8; KEY], u32, u32)>; 2] = [Vec::new(), Vec::new()];
        let mut secrets = Vec::new();
        let mut kept = Vec::new();
        let mut longest = 0;
        for spec in specs.into_iter().filter(|s| s.value.len() >= MIN_SECRET_LEN) {
            let index = secrets.len();
            for (n, (case, text, form)) in needles(&spec).into_iter().enumerate() {
                longest = longest.max(text.len());
                let which = usize::from(case == Case::Exact);
                match text.first_chunk::<KEY>() {
                    Some(key) if indexed => {
                        let id = |v: usize| u32::try_from(v).unwrap_or(u32::MAX);
                        keys[which].push((*key, id(index), id(n)));
                    }
                    _ => {
                        let list = if which == 0 { &mut insensitive } else { &mut exact };
                        list.push((text, Needle { secret: index, form }));
                    }
                }
            }
            secrets.push((spec.kind, spec.owner.clone()));
            if indexed {
                kept.push(spec);
            }
        }
        let index = indexed.then(|| {
            let [folded, exact_keys] = keys;
            Index { specs: kept, tables: [KeyTable::new(true, folded), KeyTable::new(false, exact_keys)] }
        });
        Self { secrets, scans: [scan(Case::Insensitive, insensitive), scan(Case::Exact, exact)], index, longest }
    }

    /// Whether the finder has nothing to look for.
    pub fn is_empty(&self) -> bool {
        self.secrets.is_empty()
    }

    /// The secrets in `text`, each (secret, form) once, in a stable order.
    pub fn leaks(&self, text: &str) -> Vec<Leak> {
        self.leaks_in(text.as_bytes()).into_iter().collect()
    }

    /// [`Self::leaks`] over bytes (a client's raw output).
    pub fn leaks_in(&self, bytes: &[u8]) -> BTreeSet<Leak> {
        self.hits(bytes).into_iter().map(|h| self.leak(&h)).collect()
    }

    /// `text` with every secret replaced by its [`label`]; the leaks found, if any.
    pub fn redact(&self, text: &str) -> (String, Vec<Leak>) {
        let mut hits = self.hits(text.as_bytes());
        if hits.is_empty() {
            return (text.to_owned(), Vec::new());
        }
        let leaks: BTreeSet<Leak> = hits.iter().map(|h| self.leak(h)).collect();
        hits.sort_by_key(|h| (h.start, std::cmp::Reverse(h.end)));
        let mut out = String::with_capacity(text.len());
        let mut at = 0;
        for hit in hits {
            let (start, end) = char_bounds(text, hit.start, hit.end);
            if end <= at {
                continue;
            }
            let start = start.max(at);
            out.push_str(&text[at..start]);
            let (kind, owner) = &self.secrets[hit.secret];
            out.push_str(&label(*kind, owner));
            at = end;
        }
        out.push_str(&text[at..]);
        (out, leaks.into_iter().collect())
    }

    fn leak(&self, hit: &Hit) -> Leak {
        let (kind, owner) = &self.secrets[hit.secret];
        Leak { kind: *kind, owner: owner.clone(), form: hit.form }
    }

    fn hits(&self, bytes: &[u8]) -> Vec<Hit> {
        let mut hits = Vec::new();
        let has_escape = memchr::memchr(b'%', bytes).is_some();
        for decode in [true, false].into_iter().take(if has_escape { 2 } else { 1 }) {
            let view = View::new(bytes, decode);
            for scan in &self.scans {
                let Some(automaton) = &scan.automaton else { continue };
                for m in automaton.find_iter(&view.bytes) {
                    let needle = &scan.needles[m.pattern().as_usize()];
                    hits.push(hit(bytes, &view, (m.start(), m.end()), needle.secret, needle.form));
                }
            }
            if let Some(index) = &self.index {
                index.find(&view.bytes, |span, secret, form| hits.push(hit(bytes, &view, span, secret, form)));
            }
        }
        hits
    }
}

impl Index {
    /// Calls `found(span in the view, secret, form)` for every needle of the key tables in
    /// `text` (overlapping matches included).
    fn find(&self, text: &[u8], mut found: impl FnMut((usize, usize), usize, Form)) {
        if text.len() < KEY {
            return;
        }
        for at in 0..=text.len() - KEY {
            let window = &text[at..];
            for (table, case) in self.tables.iter().zip([Case::Insensitive, Case::Exact]) {
                for (secret, n) in table.candidates(window) {
                    let Some(spec) = self.specs.get(secret as usize) else { continue };
                    let Some((_, needle, form)) = needles(spec).into_iter().nth(n as usize) else { continue };
                    let Some(seen) = window.get(..needle.len()) else { continue };
                    let same = match case {
                        Case::Insensitive => seen.eq_ignore_ascii_case(&needle),
                        Case::Exact => seen == needle.as_slice(),
                    };
                    if same {
                        found((at, at + needle.len()), secret as usize, form);
                    }
                }
            }
        }
    }
}

/// A match at `span` of the view, mapped back to the original `bytes`.
fn hit(bytes: &[u8], view: &View, span: (usize, usize), secret: usize, form: Form) -> Hit {
    let (start, mut end) = view.span(span.0, span.1);
    if matches!(form, Form::Base64 | Form::NtHash) {
        end = after_padding(bytes, end);
    }
    let form = match form {
        Form::Raw if bytes[start..end].contains(&b'%') => Form::PercentEncoded,
        form => form,
    };
    Hit { start, end, secret, form }
}

/// The end of the base64 padding (`=`, or `%3D` in a URL) that follows `end`, if any.
fn after_padding(bytes: &[u8], mut end: usize) -> usize {
    loop {
        match bytes.get(end..) {
            Some([b'=', ..]) => end += 1,
            Some([b'%', b'3', b'd' | b'D', ..]) => end += 3,
            _ => return end,
        }
    }
}

fn scan(case: Case, mut list: Vec<(Vec<u8>, Needle)>) -> Scan {
    let mut seen = std::collections::HashSet::new();
    list.retain(|(text, _)| !text.is_empty() && seen.insert(text.clone()));
    let automaton = if list.is_empty() {
        None
    } else {
        AhoCorasick::builder()
            .match_kind(MatchKind::LeftmostLongest)
            .ascii_case_insensitive(case == Case::Insensitive)
            .build(list.iter().map(|(t, _)| t))
            .ok()
    };
    Scan { automaton, needles: list.into_iter().map(|(_, n)| n).collect() }
}

/// The widened span so that it starts and ends on character boundaries.
///
/// Equivalent mutants (cargo-mutants): `start > 0` -> `>=` and `end < len` -> `<=` change
/// nothing, because 0 and `len` are always character boundaries, so the loops stop there anyway;
/// the bounds only keep `end` past the text from looping.
fn char_bounds(text: &str, mut start: usize, mut end: usize) -> (usize, usize) {
    while start > 0 && !text.is_char_boundary(start) {
        start -= 1;
    }
    while end < text.len() && !text.is_char_boundary(end) {
        end += 1;
    }
    (start, end)
}

/// Every needle of one secret: (which automaton, the text, the form).
fn needles(spec: &SecretSpec) -> Vec<(Case, Vec<u8>, Form)> {
    let value = spec.value.as_bytes();
    let mut out = Vec::new();
    let raw_case = if value.len() >= CASE_INSENSITIVE_FROM { Case::Insensitive } else { Case::Exact };
    out.push((raw_case, value.to_vec(), Form::Raw));
    out.push((Case::Insensitive, HEXLOWER.encode(value).into_bytes(), Form::Hex));
    let mut base64 = Vec::new();
    if spec.kind == SecretKind::Password {
        let nt = crate::ntlm::crypto::nt_hash(&spec.value);
        out.push((Case::Insensitive, HEXLOWER.encode(&nt).into_bytes(), Form::NtHash));
        base64.push((STANDARD_NO_PAD.encode(nt), Form::NtHash));
    }
    out.push((Case::Insensitive, BASE32_NOPAD.encode(value).into_bytes(), Form::Base32));
    for fragment in fragments(value, 5, |b| BASE32_NOPAD.encode(b), 8) {
        out.push((Case::Insensitive, fragment.into_bytes(), Form::Base32));
    }
    let mut prefixes = vec![String::new(), ":".to_owned()];
    prefixes.extend(spec.users.iter().map(|u| format!("{u}:")));
    for prefix in prefixes {
        let mut plain = prefix.into_bytes();
        plain.extend_from_slice(value);
        base64.push((STANDARD_NO_PAD.encode(&plain), Form::Base64));
    }
    for fragment in fragments(value, 3, |b| STANDARD_NO_PAD.encode(b), 4) {
        base64.push((fragment, Form::Base64));
    }
    for (text, form) in base64 {
        // The URL-safe alphabet differs in two characters: search for both spellings.
        let url_safe = text.replace('+', "-").replace('/', "_");
        out.push((Case::Exact, url_safe.into_bytes(), form));
        out.push((Case::Exact, text.into_bytes(), form));
    }
    out
}

/// The encoded text of `secret` whatever precedes it: for each alignment of a codec working in
/// `group`-byte groups of `chars` characters, the characters of the groups that lie wholly
/// inside the secret (at least [`MIN_FRAGMENT`] of them).
fn fragments(secret: &[u8], group: usize, encode: impl Fn(&[u8]) -> String, chars: usize) -> Vec<String> {
    let mut out = Vec::new();
    for offset in 0..group {
        let mut padded = vec![0u8; offset];
        padded.extend_from_slice(secret);
        let encoded = encode(&padded);
        let first = offset.div_ceil(group);
        let last = padded.len() / group;
        if last.saturating_sub(first) * chars >= MIN_FRAGMENT {
            out.push(encoded[first * chars..last * chars].to_owned());
        }
    }
    out
}

/// Finds secrets in a stream (a client's output) fed chunk by chunk: everything is scanned,
/// however much of it the caller keeps, and a secret cut by a chunk boundary is still seen.
#[derive(Debug)]
pub struct LeakScanner {
    finder: std::sync::Arc<SecretFinder>,
    tail: Vec<u8>,
    found: BTreeSet<Leak>,
}

impl LeakScanner {
    /// A scanner for `finder`'s secrets.
    pub fn new(finder: std::sync::Arc<SecretFinder>) -> Self {
        Self { finder, tail: Vec::new(), found: BTreeSet::new() }
    }

    /// Scans the next chunk (with enough of the previous ones that a secret cut by the chunk
    /// boundary is still seen).
    pub fn feed(&mut self, chunk: &[u8]) {
        if self.finder.is_empty() || chunk.is_empty() {
            return;
        }
        self.tail.extend_from_slice(chunk);
        self.found.extend(self.finder.leaks_in(&self.tail));
        let excess = self.tail.len().saturating_sub(self.overlap());
        self.tail.drain(..excess);
    }

    /// How many bytes a secret may span once disguised (the longest needle written out with
    /// escapes: `%XX`, colour codes, line breaks): the scanner keeps that much of the previous
    /// chunks, and a capture cut short drops that much, where a secret may have begun.
    pub fn overlap(&self) -> usize {
        (self.finder.longest * 4).max(4096)
    }

    /// The leaks seen so far.
    pub fn leaks(&self) -> Vec<Leak> {
        self.found.iter().cloned().collect()
    }
}

#[cfg(test)]
#[path = "finder_tests.rs"]
mod tests;
