//! The trace's requests sent again to the reproduction (in-process, on loopback), each with the
//! reproduction's own credential of the same kind: where status or challenges differ, the
//! report says so.

use std::fmt::Write as _;

use base64::Engine as _;

use ado_mock_server::probe::infer::Challenges;
use ado_mock_server::probe::render::Reproduction;
use ado_mock_server::server::Options;
use ado_mock_server::{MockServer, Profile};

use super::trace::{Exchange, Presented, Trace};

/// One exchange of the trace and the reproduction's answer to it.
pub struct Replayed {
    /// `METHOD path`.
    pub request: String,
    /// The credential kind.
    pub presented: Presented,
    /// The trace's status and challenge schemes.
    pub trace: (u16, Vec<String>),
    /// The mock's, or `None` when not replayed (a Windows handshake leg).
    pub mock: Option<(u16, Vec<String>)>,
    /// The mock's reason.
    pub reason: Option<String>,
}

impl Replayed {
    /// Whether the mock answered otherwise than the trace.
    pub fn differs(&self) -> bool {
        self.mock.as_ref().is_some_and(|m| *m != self.trace)
    }
}

fn schemes(answer: &ado_mock_server::probe::infer::Observed) -> Vec<String> {
    let seen = Challenges::of(answer);
    let mut out = Vec::new();
    if seen.bearer {
        out.push("Bearer".to_owned());
    }
    if seen.tfs_basic.is_some() {
        out.push("Basic (TFS)".to_owned());
    }
    out.extend(seen.providers.iter().cloned());
    if seen.iis_basic.is_some() {
        out.push("Basic (IIS)".to_owned());
    }
    out
}

/// Replays every exchange against a server loaded from `profile_text`.
///
/// # Errors
/// The profile does not load or the server does not start.
pub async fn replay(profile_text: &str, trace: &Trace) -> anyhow::Result<Vec<Replayed>> {
    let profile = Profile::from_toml_str(profile_text, "the imported profile", super::super::command::now())?;
    let pat =
        profile.identities.iter().flat_map(|i| &i.pats).next().map(|p| p.token.expose().to_owned()).unwrap_or_default();
    let server = MockServer::start_with(profile, Options { control: None, ..Options::default() }).await?;
    let _ = rustls::crypto::ring::default_provider().install_default();
    let http = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build()?;
    let accepted = |e: &Exchange| trace.exchanges.iter().any(|x| x.credential == e.credential && x.answer.status < 300);
    let mut out = Vec::new();
    for e in &trace.exchanges {
        let b64 = |text: &str| base64::engine::general_purpose::STANDARD.encode(text);
        // A PAT the server refused is replayed as a well-formed PAT the reproduction does not
        // know (the trace's token is never used).
        let unknown = "a".repeat(52);
        let authorization = match e.presented {
            Presented::Nothing => Some(None),
            Presented::Pat if accepted(e) => Some(Some(format!("Basic {}", b64(&format!(":{pat}"))))),
            Presented::Pat => Some(Some(format!("Basic {}", b64(&format!(":{unknown}"))))),
            Presented::PatNoColon => Some(Some(format!("Basic {}", b64(&pat)))),
            Presented::Bearer => Some(Some(format!("Bearer {pat}"))),
            Presented::Password | Presented::Windows | Presented::Other => None,
        };
        let trace_side = (e.answer.status, schemes(&e.answer));
        let request = format!("{} {}", e.method, e.path);
        let Some(authorization) = authorization else {
            out.push(Replayed { request, presented: e.presented, trace: trace_side, mock: None, reason: None });
            continue;
        };
        let before = server.journal().len();
        let method = reqwest::Method::from_bytes(e.method.as_bytes()).unwrap_or(reqwest::Method::GET);
        let mut builder = http.request(method, format!("{}{}", server.url(), e.path)).header("accept", &e.accept);
        if let Some(value) = authorization {
            builder = builder.header("authorization", value);
        }
        let response = builder.send().await?;
        let observed = ado_mock_server::probe::infer::Observed::of(&response, String::new());
        let status = observed.status;
        let reason = server.journal().get(before).map(|j| j.reason.code().to_owned());
        out.push(Replayed {
            request,
            presented: e.presented,
            trace: trace_side,
            mock: Some((status, schemes(&observed))),
            reason,
        });
    }
    server.shutdown().await;
    Ok(out)
}

/// `report.md`: what was inferred and not, and each request's trace vs mock answer.
pub fn report(source: &str, repro: &Reproduction, replayed: &[Replayed]) -> String {
    let mut out = format!("# Reproduction of {source}\n\nRelease `{}`", repro.evidence.release().name());
    let candidates: Vec<&str> = repro.evidence.candidates().iter().map(|r| r.name()).collect();
    let _ = writeln!(
        out,
        " (releases matching the trace: {}).\n",
        if candidates.is_empty() { "none exactly".to_owned() } else { candidates.join(" ") }
    );
    if !repro.unknown.is_empty() {
        out.push_str("Not inferred:\n\n");
        for line in &repro.unknown {
            let _ = writeln!(out, "- {line}");
        }
        out.push('\n');
    }
    let differ = replayed.iter().filter(|r| r.differs()).count();
    let _ = writeln!(out, "{differ} of {} requests answered differently.\n", replayed.len());
    out.push_str("| # | request | credential | trace | mock | reason | |\n|---|---|---|---|---|---|---|\n");
    for (i, r) in replayed.iter().enumerate() {
        let show = |s: &(u16, Vec<String>)| format!("{} {}", s.0, s.1.join(", "));
        let (mock, mark) = match &r.mock {
            Some(m) if r.differs() => (show(m), "**differs**"),
            Some(m) => (show(m), "same"),
            None => ("not replayed".to_owned(), ""),
        };
        let _ = writeln!(
            out,
            "| {} | `{}` | {:?} | {} | {mock} | {} | {mark} |",
            i + 1,
            r.request,
            r.presented,
            show(&r.trace),
            r.reason.as_deref().unwrap_or("")
        );
    }
    out
}
