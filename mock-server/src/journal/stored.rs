//! A journal row as the journal keeps it: numbers and codes inline, every text of the row in
//! one allocation.
//!
//! Why: the journal is a ring of [`DEFAULT_CAPACITY`](super::DEFAULT_CAPACITY) rows, so every
//! request that records a row under load also frees the oldest one, written thousands of
//! requests earlier and long gone from the CPU's caches. A [`JournalEntry`] holds a dozen
//! separately allocated strings; freeing them cost about a microsecond per request
//! (BENCHMARKS.md, "A journal row in one allocation"). Packed, a row is one small struct and one
//! buffer: freed with one call, and the server's peak memory under load fell by about 8 MiB.
//!
//! The packing is lossless (every field of [`JournalEntry`], destructured without `..` so a
//! new field cannot be forgotten), and readers only ever see the unpacked row.

use crate::auth::{IisLog, Layer, Reason};
use crate::journal::{CredentialKind, CredentialSummary, JournalEntry, Row, Text};
use crate::ntlm::BindingsSeen;
use crate::soft::WouldRefuse;

/// The length written for an absent optional text (no text of a row comes near 4 GiB: the
/// server reads at most a few MiB of a request).
const ABSENT: u32 = u32::MAX;

/// One stored row. See the module docs.
#[derive(Debug)]
pub(super) struct Stored {
    pub(super) seq: u64,
    time_ms: u64,
    connection: u64,
    status: u16,
    reason: Reason,
    layer: Layer,
    kind: CredentialKind,
    basic_colon: Option<bool>,
    ntlm_message: Option<u8>,
    secret_in_url: bool,
    /// `sc-status`, `sc-substatus`, `sc-win32-status` (the user name is in `texts`).
    iis: (u16, u8, u32),
    channel_bindings: Option<BindingsSeen>,
    /// Soft mode only, and rare: kept as it is.
    would_refuse: Option<Box<WouldRefuse>>,
    /// The texts, each as a little-endian `u32` length ([`ABSENT`] for `None`) then its bytes,
    /// in the order [`Stored::pack`] writes them; then the offered challenges, counted.
    texts: Box<[u8]>,
}

impl Stored {
    /// Packs `row` (its texts copied into one buffer; the sequence number is set by the
    /// journal).
    pub(super) fn pack(row: Row<'_>) -> Stored {
        // Destructured without `..`: a field added to `Row` must be stored here.
        let Row {
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
            credential: (kind, credential_scheme, basic_colon, ntlm_message),
            offered,
            api_version,
            user_agent,
            leg,
            secret_in_url,
            iis_log: (sc_status, sc_substatus, sc_win32_status, cs_username),
            channel_bindings,
            would_refuse,
        } = row;
        let texts: [Option<Text<'_>>; 13] = [
            Some(scheme),
            host,
            Some(method),
            Some(path),
            Some(explanation),
            Some(hint),
            identity,
            via,
            credential_scheme,
            api_version,
            user_agent,
            leg,
            Some(cs_username),
        ];
        let len = |t: &Text<'_>| t.iter().map(|p| p.len()).sum::<usize>();
        // Sized exactly: the buffer is allocated once and never shrunk.
        let size = texts.iter().map(|t| 4 + t.as_ref().map_or(0, len)).sum::<usize>()
            + 4
            + offered.iter().map(|o| 4 + o.len()).sum::<usize>();
        let mut buffer = Vec::with_capacity(size);
        for text in texts {
            put(&mut buffer, text);
        }
        put_len(&mut buffer, offered.len());
        for challenge in offered {
            put(&mut buffer, Some(crate::journal::text(challenge)));
        }
        Stored {
            seq: 0,
            time_ms,
            connection,
            status,
            reason,
            layer,
            kind,
            basic_colon,
            ntlm_message,
            secret_in_url,
            iis: (sc_status, sc_substatus, sc_win32_status),
            channel_bindings,
            would_refuse: would_refuse.map(Box::new),
            texts: buffer.into_boxed_slice(),
        }
    }

    /// The row as it was recorded.
    pub(super) fn unpack(&self) -> JournalEntry {
        let mut reader = Reader { rest: &self.texts };
        let mut next = || reader.text();
        let scheme = next().unwrap_or_default();
        let host = next();
        let method = next().unwrap_or_default();
        let path = next().unwrap_or_default();
        let explanation = next().unwrap_or_default();
        let hint = next().unwrap_or_default();
        let identity = next();
        let via = next();
        let credential_scheme = next();
        let api_version = next();
        let user_agent = next();
        let leg = next();
        let cs_username = next().unwrap_or_default();
        let count = reader.len().unwrap_or(0);
        let offered = (0..count).filter_map(|_| reader.text()).collect();
        JournalEntry {
            seq: self.seq,
            time_ms: self.time_ms,
            connection: self.connection,
            scheme,
            host,
            method,
            path,
            status: self.status,
            reason: self.reason,
            layer: self.layer,
            explanation,
            hint,
            identity,
            via,
            credential: CredentialSummary {
                kind: self.kind,
                scheme: credential_scheme,
                basic_colon: self.basic_colon,
                ntlm_message: self.ntlm_message,
            },
            offered,
            api_version,
            user_agent,
            leg,
            secret_in_url: self.secret_in_url,
            iis_log: IisLog {
                sc_status: self.iis.0,
                sc_substatus: self.iis.1,
                sc_win32_status: self.iis.2,
                cs_username,
            },
            channel_bindings: self.channel_bindings,
            would_refuse: self.would_refuse.as_deref().cloned(),
        }
    }
}

fn put_len(buffer: &mut Vec<u8>, len: usize) {
    buffer.extend_from_slice(&u32::try_from(len).unwrap_or(ABSENT - 1).to_le_bytes());
}

fn put(buffer: &mut Vec<u8>, text: Option<Text<'_>>) {
    match text {
        // No text of a row comes near 4 GiB (see ABSENT); one that did would be cut short.
        Some(pieces) => {
            let len = pieces.iter().map(|p| p.len()).sum::<usize>().min((ABSENT - 1) as usize);
            put_len(buffer, len);
            let start = buffer.len();
            for piece in pieces {
                buffer.extend_from_slice(piece.as_bytes());
            }
            buffer.truncate(start + len);
        }
        None => buffer.extend_from_slice(&ABSENT.to_le_bytes()),
    }
}

struct Reader<'a> {
    rest: &'a [u8],
}

impl Reader<'_> {
    fn len(&mut self) -> Option<usize> {
        let (head, rest) = self.rest.split_first_chunk::<4>()?;
        self.rest = rest;
        Some(u32::from_le_bytes(*head) as usize)
    }

    fn text(&mut self) -> Option<String> {
        let len = self.len()?;
        if len == ABSENT as usize {
            return None;
        }
        let (text, rest) = self.rest.split_at_checked(len)?;
        self.rest = rest;
        // Written from a `&str` by `put`: always UTF-8.
        Some(String::from_utf8_lossy(text).into_owned())
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    fn layer() -> impl Strategy<Value = Layer> {
        use Layer as L;
        prop::sample::select(vec![
            L::Host,
            L::Iis,
            L::Scheme,
            L::Credential,
            L::Membership,
            L::Route,
            L::ApiVersion,
            L::Permission,
            L::Limits,
        ])
    }

    fn kind() -> impl Strategy<Value = CredentialKind> {
        use CredentialKind as K;
        prop::sample::select(vec![
            K::None,
            K::BasicPat,
            K::BasicPassword,
            K::BasicNoColon,
            K::BasicNotBase64,
            K::BasicEmpty,
            K::Bearer,
            K::Ntlm,
            K::Negotiate,
            K::Other,
        ])
    }

    fn bindings() -> impl Strategy<Value = Option<BindingsSeen>> {
        use BindingsSeen as B;
        proptest::option::of(prop::sample::select(vec![B::Absent, B::Zeros, B::Matched, B::Mismatched, B::Unchecked]))
    }

    fn text() -> impl Strategy<Value = String> {
        prop_oneof![Just(String::new()), "[a-z]{1,8}", ".{0,40}"]
    }

    fn entry() -> impl Strategy<Value = JournalEntry> {
        let texts = (
            text(),
            proptest::option::of(text()),
            text(),
            text(),
            text(),
            text(),
            proptest::option::of(text()),
            proptest::option::of(text()),
            proptest::option::of(text()),
            proptest::option::of(text()),
            proptest::option::of(text()),
            proptest::option::of(text()),
        );
        let numbers = (
            any::<u64>(),
            any::<u64>(),
            any::<u64>(),
            any::<u16>(),
            prop::sample::select(Reason::ALL),
            any::<bool>(),
            proptest::option::of(any::<bool>()),
            proptest::option::of(any::<u8>()),
            (any::<u16>(), any::<u8>(), any::<u32>(), text()),
            proptest::collection::vec(text(), 0..5),
            any::<bool>(),
            (layer(), kind(), bindings(), layer()),
        );
        (texts, numbers).prop_map(
            |(
                (scheme, host, method, path, explanation, hint, identity, via, cscheme, api, agent, leg),
                (seq, time_ms, connection, status, reason, flag, basic_colon, ntlm_message, iis, offered, soft, codes),
            )| JournalEntry {
                seq,
                time_ms,
                connection,
                scheme,
                host,
                method,
                path,
                status,
                reason,
                layer: codes.0,
                explanation: explanation.clone(),
                hint: hint.clone(),
                identity,
                via,
                credential: CredentialSummary { kind: codes.1, scheme: cscheme, basic_colon, ntlm_message },
                offered,
                api_version: api,
                user_agent: agent,
                leg,
                secret_in_url: !flag,
                iis_log: IisLog { sc_status: iis.0, sc_substatus: iis.1, sc_win32_status: iis.2, cs_username: iis.3 },
                channel_bindings: codes.2,
                would_refuse: soft.then_some(WouldRefuse {
                    status,
                    reason,
                    layer: Layer::Credential,
                    explanation,
                    hint,
                }),
            },
        )
    }

    proptest! {
        #[test]
        fn a_row_unpacks_to_what_was_packed(entry in entry()) {
            let journal = crate::journal::Journal::new(1);
            journal.record(entry.clone());
            let back = journal.lock().entries[0].unpack();
            prop_assert_eq!(back, JournalEntry { seq: 1, ..entry });
        }
    }

    #[test]
    fn absent_and_empty_texts_stay_apart() {
        let mut entry = super::super::tests::entry("/p");
        entry.host = Some(String::new());
        entry.user_agent = None;
        entry.offered = vec![String::new(), "NTLM".into()];
        let journal = crate::journal::Journal::new(1);
        journal.record(entry.clone());
        let back = journal.lock().entries[0].unpack();
        assert_eq!((back.host.as_deref(), back.user_agent.as_deref()), (Some(""), None));
        assert_eq!(back, JournalEntry { seq: 1, ..entry });
    }

    #[test]
    fn a_text_in_pieces_is_stored_as_one() {
        let journal = crate::journal::Journal::new(1);
        let row = Row {
            time_ms: 0,
            connection: 1,
            scheme: crate::journal::text("https"),
            host: None,
            method: crate::journal::text("GET"),
            path: ["/p", "?", "q=1"],
            status: 200,
            reason: Reason::Ok,
            layer: Layer::Permission,
            explanation: ["a", "", "b"],
            hint: crate::journal::text(""),
            identity: Some(crate::journal::text("CONTOSO\\joseph")),
            via: Some(["pat:", "ci", ""]),
            credential: (CredentialKind::BasicPat, Some(crate::journal::text("Basic")), Some(true), None),
            offered: &["Bearer", "NTLM"],
            api_version: None,
            user_agent: Some(["", "", ""]),
            leg: None,
            secret_in_url: false,
            iis_log: (200, 0, 0, ["CONTOSO", "\\", "joseph"]),
            channel_bindings: None,
            would_refuse: None,
        };
        journal.record_row(row);
        let back = journal.entries().remove(0);
        assert_eq!((back.scheme.as_str(), back.path.as_str(), back.explanation.as_str()), ("https", "/p?q=1", "ab"));
        assert_eq!((back.via.as_deref(), back.user_agent.as_deref()), (Some("pat:ci"), Some("")));
        assert_eq!(
            (back.iis_log.cs_username.as_str(), back.offered),
            ("CONTOSO\\joseph", vec!["Bearer".to_owned(), "NTLM".to_owned()])
        );
        assert_eq!(back.credential.scheme.as_deref(), Some("Basic"));
    }
}
