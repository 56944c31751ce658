//! Offline explanation: what the server would decide for one request, and why, without
//! starting it. For support engineers pasting a header from a customer's log.

use std::fmt::Write as _;

use axum::body::Body;
use axum::http::{Request, Response};
use serde::Serialize;

use crate::auth::{ConnectionAuth, Layer, Reason, decide};
use crate::http::{AppState, extract, respond_to, system_clock};
use crate::journal::Journal;
use crate::profile::Profile;

pub use crate::auth::iis_log::{IisLog, LogReading, read_line as read_iis_log_line};

/// The request to explain.
pub struct Question<'a> {
    /// HTTP method.
    pub method: &'a str,
    /// Path with optional query, e.g. `/tfs/DefaultCollection/_apis/projects?api-version=7.0`.
    pub path: &'a str,
    /// Header lines, e.g. `Authorization: Basic ...`.
    pub headers: &'a [String],
}

/// What the server would do.
#[derive(Debug, Serialize)]
pub struct Explanation {
    /// The reason code.
    pub reason: Reason,
    /// The layer that decided.
    pub layer: Layer,
    /// The HTTP status.
    pub status: u16,
    /// What the server saw.
    pub explanation: String,
    /// What would fix it.
    pub hint: String,
    /// The authenticated account, if any.
    pub identity: Option<String>,
    /// What IIS would write to its W3C log for it.
    pub iis_log: IisLog,
    /// The response headers, in order, as `Name: value`.
    pub headers: Vec<String>,
}

/// Why a question cannot be asked.
#[derive(Debug, thiserror::Error)]
pub enum QuestionError {
    /// A header line without `:`.
    #[error("header line {0:?} is not `Name: value`")]
    Header(String),
    /// The method, path or a header is not valid HTTP.
    #[error("not a valid HTTP request: {0}")]
    Http(String),
}

/// Decides the question against the profile (NTLM legs run as on a fresh connection).
///
/// # Errors
/// [`QuestionError`] when the request cannot be formed.
pub fn explain(profile: &Profile, question: &Question<'_>) -> Result<Explanation, QuestionError> {
    let mut builder = Request::builder().method(question.method).uri(question.path);
    for line in question.headers {
        let (name, value) = line.split_once(':').ok_or_else(|| QuestionError::Header(line.clone()))?;
        builder = builder.header(name.trim(), value.trim());
    }
    let request = builder.body(Body::empty()).map_err(|e| QuestionError::Http(e.to_string()))?;
    let (parts, _) = request.into_parts();
    let realm = profile.public_url.clone().unwrap_or_else(|| "http://localhost:8080/tfs".to_owned());
    let state = AppState::new(profile.clone(), realm, Journal::new(1), system_clock());
    let (facts, extras) = extract::facts(profile, &parts, (1, ConnectionAuth::None, None), state.now(), [0x11; 8]);
    let decision = decide(profile, &facts, &|_| 0);
    // The server's own path answers (async: git-backed routes run git). `explain` runs outside
    // any runtime (the CLI calls it before starting one), so a small one is built here.
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| QuestionError::Http(format!("cannot start a runtime: {e}")))?;
    let response = runtime.block_on(respond_to(&state, &facts, &extras, &decision, &[]));
    let redact = |t: &str| state.redactor().redact(t).0;
    let basic_user = match &facts.credential {
        crate::auth::Credential::Basic(crate::auth::Basic::Pair { user, .. }) => Some(redact(user.expose())),
        _ => None,
    };
    let iis_log = IisLog::of(&decision, response.status().as_u16(), basic_user.as_deref());
    Ok(Explanation {
        iis_log,
        reason: decision.reason,
        layer: decision.layer,
        status: response.status().as_u16(),
        explanation: redact(&decision.explanation),
        hint: redact(&decision.hint),
        identity: decision.principal.map(|p| p.account),
        headers: header_lines(&response),
    })
}

fn header_lines(response: &Response<Body>) -> Vec<String> {
    response
        .headers()
        .iter()
        .map(|(name, value)| format!("{}: {}", name.as_str(), String::from_utf8_lossy(value.as_bytes())))
        .collect()
}

impl Explanation {
    /// A human-readable report.
    pub fn render(&self) -> String {
        let mut out = String::new();
        let _ = writeln!(out, "decision: {} {} (layer: {})", self.status, self.reason, self.layer.name());
        if let Some(identity) = &self.identity {
            let _ = writeln!(out, "identity: {identity}");
        }
        let _ = writeln!(out, "why:      {}", self.explanation);
        if !self.hint.is_empty() {
            let _ = writeln!(out, "fix:      {}", self.hint);
        }
        let _ = writeln!(
            out,
            "IIS log:  sc-status sc-substatus sc-win32-status = {}, cs-username = {}",
            self.iis_log.triple(),
            self.iis_log.cs_username
        );
        let _ = writeln!(out, "response headers:");
        for h in &self.headers {
            let _ = writeln!(out, "  {h}");
        }
        out
    }
}

/// A human-readable reading of a customer's IIS log line (`explain --iis-log`).
pub fn render_log_reading(reading: &LogReading) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "IIS log: {}{}",
        reading.triple,
        reading.user.as_ref().map_or(String::new(), |u| format!(" (cs-username {u})"))
    );
    let _ = writeln!(out, "means:   {}", reading.meaning);
    if reading.reasons.is_empty() {
        let _ = writeln!(out, "reasons: none the mock produces");
    } else {
        let codes: Vec<&str> = reading.reasons.iter().map(|r| r.code()).collect();
        let _ = writeln!(out, "reasons: {}", codes.join(", "));
        let _ = writeln!(out, "see:     ado-conformance list (scenarios by reason) and docs/facts/iis-log.md");
    }
    out
}
