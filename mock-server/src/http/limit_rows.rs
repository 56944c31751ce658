//! Journal rows for answers the HTTP server gives before any decision: a request head too large
//! (431) or too slow (connection closed), a body too large (413) or too slow (408). Each gets
//! one row with a `limit.*` reason and layer `limits`, so a client's 431 is as visible in the
//! journal (and in a conformance report) as its 401s.

use std::time::Duration;

use crate::auth::{IisLog, Layer, Reason};
use crate::journal::{CredentialSummary, JournalEntry};

use super::state::AppState;

/// What is known of the refused request.
#[derive(Clone, Debug, Default)]
pub(super) struct Refused {
    /// The TCP connection's number.
    pub connection: u64,
    /// Whether it came over TLS.
    pub tls: bool,
    /// The method, if the request line arrived.
    pub method: Option<String>,
    /// The path and query, if the request line arrived.
    pub path: Option<String>,
    /// `Host`, when known.
    pub host: Option<String>,
    /// `User-Agent`, when known.
    pub user_agent: Option<String>,
    /// What the client presented, when the head was read.
    pub credential: CredentialSummary,
}

impl Refused {
    /// The method and target of the first line of `head` (`GET /x HTTP/1.1`), as far as it
    /// arrived; `None` each when it did not.
    ///
    /// A target that did not arrive whole (the head was cut at the 512 bytes kept, `HEAD_KEPT`
    /// in `serve.rs`, or the client stalled in the middle of it) is kept only up to its last
    /// whole part, and a label says the rest is missing: its cut end may be the first part of a
    /// secret, which no redactor can recognise once the rest is gone (`?pat=<first 30
    /// characters of a PAT>`).
    pub(super) fn from_head(connection: u64, tls: bool, head: &[u8]) -> Refused {
        let line = head.split(|b| *b == b'\n').next().unwrap_or_default();
        let line_ended = line.len() < head.len();
        let line = String::from_utf8_lossy(line);
        let mut words = line.split_whitespace();
        let method = words.next().filter(|m| m.bytes().all(|b| b.is_ascii_uppercase())).map(str::to_owned);
        let target = method.as_ref().and(words.next());
        // Whole when something (a space, the version, the line's end) came after it.
        let whole = line_ended || words.next().is_some() || line.ends_with(char::is_whitespace);
        let path = target.map(|t| if whole { t.to_owned() } else { cut_short(t) });
        Refused { connection, tls, method, path, ..Refused::default() }
    }
}

/// What the journal keeps of a target cut short: the path up to its last `/` when no query had
/// started, or the path alone when one had; the unfinished rest is replaced by a label.
fn cut_short(target: &str) -> String {
    let kept = match target.find('?') {
        Some(query) => &target[..=query],
        None => target.rfind('/').map_or("", |slash| &target[..=slash]),
    };
    format!("{kept}<cut short: the rest did not arrive>")
}

/// Records one row for a limit the request hit. `status` is what the client got (408 for a
/// header timeout, which is answered by closing the connection: the row says so).
pub(super) fn record(state: &AppState, refused: Refused, reason: Reason, status: u16) {
    let limits = state.limits();
    let (explanation, hint) = match reason {
        Reason::LimitHeadersTooLarge => (
            format!(
                "The request head exceeds {} bytes or {} headers: answered 431 before any authentication (HTTP.sys refuses \
                 such a head with 400 \"Request Header Too Long\", MaxRequestBytes).",
                limits.max_header_bytes, limits.max_headers
            ),
            "Send fewer or shorter headers (a huge Cookie or Authorization header is the usual cause).".to_owned(),
        ),
        Reason::LimitHeaderTimeout => (
            format!(
                "The request head did not arrive within {}: the connection was closed without an answer, as HTTP.sys \
                 does (Timer_HeaderWait); 408 stands for that here.",
                seconds(limits.header_read_timeout)
            ),
            "Send the whole request head at once; check for a proxy or a client that stalls mid-request.".to_owned(),
        ),
        Reason::LimitBodyTooLarge => (
            format!("The request body exceeds {} bytes: answered 413.", limits.max_body_bytes),
            "Send a smaller body (large git pushes go in several packs; LFS objects through the LFS API).".to_owned(),
        ),
        _ => (
            format!("The request body did not arrive within {}: answered 408.", seconds(limits.body_read_timeout)),
            "Send the body promptly after the head, with a correct Content-Length.".to_owned(),
        ),
    };
    let entry = JournalEntry {
        seq: 0,
        time_ms: u64::try_from(state.now()).unwrap_or(0) * 1000,
        connection: refused.connection,
        scheme: if refused.tls { "https" } else { "http" }.to_owned(),
        host: refused.host,
        method: refused.method.unwrap_or_else(|| "-".to_owned()),
        path: refused.path.unwrap_or_else(|| "-".to_owned()),
        status,
        reason,
        layer: Layer::Limits,
        explanation,
        hint,
        identity: None,
        via: None,
        credential: refused.credential,
        offered: Vec::new(),
        api_version: None,
        user_agent: refused.user_agent,
        leg: None,
        secret_in_url: false,
        iis_log: IisLog { sc_status: status, sc_substatus: 0, sc_win32_status: 0, cs_username: "-".to_owned() },
        channel_bindings: None,
        would_refuse: None,
    };
    tracing::info!(
        target: "ado_mock_server::decision",
        "conn={} {} {} -> {status} {}",
        entry.connection,
        entry.method,
        state.redactor().redact(&entry.path).0,
        entry.reason
    );
    state.journal().record(entry);
}

fn seconds(d: Duration) -> String {
    if d.subsec_millis() == 0 { format!("{} s", d.as_secs()) } else { format!("{} ms", d.as_millis()) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_request_line_is_read_as_far_as_it_arrived() {
        let r = Refused::from_head(3, false, b"GET /tfs/x?pat=1 HTTP/1.1\r\nHost: y\r\n");
        assert_eq!((r.method.as_deref(), r.path.as_deref()), (Some("GET"), Some("/tfs/x?pat=1")));
        // A target that stops mid-way is kept up to its last whole part: the cut end may be
        // the start of a secret.
        let r = Refused::from_head(3, false, b"GET /tfs/partial");
        let cut = "<cut short: the rest did not arrive>";
        assert_eq!((r.method.as_deref(), r.path), (Some("GET"), Some(format!("/tfs/{cut}"))));
        let r = Refused::from_head(3, false, b"GET /tfs/x?api-version=7.0&pat=x3gjqdssmc");
        assert_eq!(r.path, Some(format!("/tfs/x?{cut}")));
        let r = Refused::from_head(3, false, b"GET x3gjqdssmc");
        assert_eq!(r.path, Some(cut.to_owned()));
        // Whole once anything came after it, even without the line's end.
        for head in [&b"GET /tfs/x?pat=1 HTTP/1."[..], b"GET /tfs/x?pat=1 ", b"GET /tfs/x?pat=1\r\n"] {
            assert_eq!(Refused::from_head(3, false, head).path.as_deref(), Some("/tfs/x?pat=1"), "{head:?}");
        }
        let r = Refused::from_head(3, false, b"\x16\x03\x01garbage");
        assert_eq!((r.method, r.path), (None, None));
    }
}
