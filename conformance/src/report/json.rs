//! `results.json`: the [`RunRecord`] as pretty JSON.
//!
//! ```text
//! {
//!   "schema": 1,
//!   "client": { "name": "curl", "timeout_s": 20 },
//!   "cases": [ {
//!       "scenario": "pat/missing-colon", "release": "ads2022", "title": "...", "fault": "client",
//!       "verdict": "pass" | "note" | "skip" | "fail" | "insecure",
//!       "failed": false,                       // counts toward exit code 1
//!       "baseline": null | { "verdict", "reason", "matched" },
//!       "skip_reason": null | "...",
//!       "server_reasons": ["auth.anonymous", "ok"],   // in order of first appearance
//!       "checks": [ { "name": "outcome", "verdict": "pass", "detail": "..." }, ... ],
//!       "exit": { "code": 0, "signal": null, "timed_out": false, "spawn_error": null },
//!       "requests": [ { "seq", "connection", "method", "path", "status", "reason", "layer",
//!                       "explanation", "hint", "offered", "scheme", "basic_colon",
//!                       "ntlm_message", "leg", "api_version", "identity", "via",
//!                       "user_agent", "secret_in_url" } ],
//!       "stdout": { "text": "...", "truncated": false }, "stderr": { ... },
//!       "duration_ms": 412 } ],
//!   "totals": { "cases", "pass", "note", "skip", "fail", "insecure", "failed", "expected",
//!               "not_run", "interrupted", "duration_ms" }
//! }
//! ```
//!
//! Cases are sorted by scenario, then release. Secrets, ports (`127.0.0.1:<port>`) and the
//! case's temporary paths are redacted, and there is no timestamp, so two runs of the same
//! suite differ only in the `duration_ms` fields.

use crate::result::RunRecord;

/// The JSON text (ends with a newline).
pub fn render(record: &RunRecord) -> String {
    let mut text = serde_json::to_string_pretty(record).unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"));
    text.push('\n');
    text
}
