//! The emulated server's request path: extract facts, decide, apply effects, journal, render.

use axum::Router;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{Response, StatusCode};
use uuid::Uuid;

use super::extract::{self, Extras};
use super::limit_rows::{self, Refused};
use super::respond::{self, RenderContext};
use super::state::{AppState, ConnSlot};
use crate::auth::{Answer, ConnectionUpdate, Credential, Decision, IisLog, Reason, Reply, RequestFacts, Via, decide};
use crate::journal::{CredentialKind, CredentialSummary, Row, opt_text, text};
use crate::profile::Provider;
use crate::rest::{self, GitHeaders, RestContext};

/// The emulated server as an axum `Router` (every path goes through the decision).
pub fn router(state: AppState) -> Router {
    Router::new().fallback(handle).with_state(state)
}

async fn handle(State(state): State<AppState>, request: Request) -> Response<Body> {
    let slot = request.extensions().get::<ConnSlot>().cloned().unwrap_or_else(|| state.new_connection());
    answer(&state, slot, request).await
}

/// Answers one request on the connection `slot`: what the server's own accept loop calls for
/// every request, with no router in front (the decision and the REST table do the routing).
pub(super) async fn answer(state: &AppState, slot: ConnSlot, request: Request) -> Response<Body> {
    let (parts, body) = request.into_parts();
    let nonce: [u8; 8] = rand::random();
    let (facts, extras) = extract::facts(state.profile(), &parts, (slot.id, slot.auth(), slot.tls), state.now(), nonce);
    // Read the body (git pushes and LFS uploads use it; otherwise draining keeps the keep-alive
    // connection usable: NTLM legs may carry bodies). Most requests have no body: skip the
    // timer a bounded read would need.
    let mut bytes = axum::body::Bytes::new();
    if !axum::body::HttpBody::is_end_stream(&body) {
        let limits = state.limits();
        let refused =
            match tokio::time::timeout(limits.body_read_timeout, axum::body::to_bytes(body, limits.max_body_bytes))
                .await
            {
                Ok(Ok(read)) => {
                    bytes = read;
                    None
                }
                Ok(Err(_)) => {
                    Some((Reason::LimitBodyTooLarge, StatusCode::PAYLOAD_TOO_LARGE, "Request body too large"))
                }
                Err(_) => Some((Reason::LimitBodyTimeout, StatusCode::REQUEST_TIMEOUT, "Request body timed out")),
            };
        if let Some((reason, status, text)) = refused {
            limit_rows::record(state, refused_request(&facts, extras), reason, status.as_u16());
            return plain(status, text);
        }
    }
    let decision = decide(state.profile(), &facts, &|account| state.failed_logons(account));
    let (decision, would_refuse) = match state.soft() {
        true => crate::soft::soften(decision, &facts),
        false => (decision, None),
    };
    if let ConnectionUpdate::Set(next) = &decision.connection {
        state.set_connection_auth(&slot, next.clone());
    }
    if let Some(logon) = &decision.logon {
        state.record_logon(logon);
    }
    let response = respond_to(state, &facts, &extras, &decision, &bytes).await;
    record(state, &facts, &extras, decision, response.status().as_u16(), would_refuse);
    response
}

/// What the journal keeps of a request refused for its body.
fn refused_request(facts: &RequestFacts, extras: Extras<'_>) -> Refused {
    Refused {
        connection: facts.connection.id,
        tls: facts.connection.tls.is_some(),
        method: Some(facts.method.clone()),
        path: Some(extract::path_and_query(&facts.path, extras.query).into_owned()),
        host: extras.host.map(str::to_owned),
        user_agent: extras.user_agent.map(str::to_owned),
        credential: summarize(&facts.credential),
    }
}

fn plain(status: StatusCode, text: &'static str) -> Response<Body> {
    let mut response = Response::new(Body::from(text));
    *response.status_mut() = status;
    response.headers_mut().insert("content-type", axum::http::HeaderValue::from_static("text/plain"));
    response.headers_mut().insert("connection", axum::http::HeaderValue::from_static("close"));
    response
}

/// Renders the decision: the REST module answers allowed requests (with `body`, the request's
/// body), the authentication layers' answer is rendered otherwise.
pub async fn respond_to(
    state: &AppState,
    facts: &RequestFacts,
    extras: &Extras<'_>,
    decision: &Decision,
    body: &[u8],
) -> Response<Body> {
    let host = extras.host.unwrap_or("localhost");
    let ctx = RenderContext {
        profile: state.profile(),
        realm: state.realm(),
        host,
        path: &facts.path,
        query: extras.query,
        now: facts.now,
        fixed: state.fixed_headers(),
        activity_id: Uuid::new_v4(),
        session: extras.session,
        accept: &facts.accept,
        api_major: facts.api_version.as_ref().and_then(|v| v.parsed).map(|v| v.major),
    };
    match &decision.answer {
        Reply::Answer(Answer::HttpsRedirect { path }) => {
            let path = extract::path_and_query(path, extras.query).into_owned();
            respond::render(&Answer::HttpsRedirect { path }, &ctx)
        }
        Reply::Serve(serve) => {
            let scheme = if facts.connection.tls.is_some() { "https" } else { "http" };
            let mut origin = String::with_capacity(scheme.len() + 3 + host.len());
            origin.push_str(scheme);
            origin.push_str("://");
            origin.push_str(host);
            let takes_body = serve.route.row().takes_body;
            let rest_ctx = RestContext {
                origin: &origin,
                collection: facts.target.collection(),
                principal: decision.principal.as_ref(),
                query: extras.query,
                method: &facts.method,
                body: if takes_body { body } else { &[] },
                headers: if takes_body { extras.git_headers() } else { GitHeaders::default() },
            };
            let rest = rest::answer(state.profile(), state.rest(), &serve.route, &rest_ctx).await;
            respond::render_rest(rest, serve.final_token.as_deref(), &ctx)
        }
        Reply::Answer(answer) => respond::render(answer, &ctx),
    }
}

/// Journals the request: the row is packed from the request's own texts, borrowed
/// ([`Row`]). Entries are stored as decided and redacted when read (the journal's readers and
/// the log line below), which keeps redaction off the hot path.
fn record(
    state: &AppState,
    facts: &RequestFacts,
    extras: &Extras<'_>,
    decision: Decision,
    status: u16,
    would_refuse: Option<crate::soft::WouldRefuse>,
) {
    let (kind, basic_colon, ntlm_message) = summary_codes(&facts.credential);
    let offered = decision.answer.offered_schemes();
    let basic_user = match &facts.credential {
        Credential::Basic(crate::auth::Basic::Pair { user, .. }) => Some(user.expose()),
        _ => None,
    };
    let (sc_substatus, sc_win32_status) = IisLog::codes(&decision, status);
    let principal = decision.principal.as_ref();
    let row = Row {
        time_ms: u64::try_from(facts.now).unwrap_or(0) * 1000,
        connection: facts.connection.id,
        scheme: text(if facts.connection.tls.is_some() { "https" } else { "http" }),
        host: opt_text(extras.host),
        method: text(&facts.method),
        path: match extras.query {
            Some(query) => [&facts.path, "?", query],
            None => text(&facts.path),
        },
        status,
        reason: decision.reason,
        layer: decision.layer,
        explanation: text(&decision.explanation),
        hint: text(&decision.hint),
        via: principal.map(|p| match &p.via {
            Via::Pat { name } => ["pat:", name, ""],
            Via::Windows { scheme: Provider::Ntlm } => text("ntlm"),
            Via::Windows { scheme: Provider::Negotiate } => text("negotiate"),
            Via::IisBasic => text("iis-basic"),
            Via::JobToken { name } => ["job-token:", name, ""],
        }),
        identity: principal.map(|p| text(&p.account)),
        credential: (kind, opt_text(facts.credential.scheme_name()), basic_colon, ntlm_message),
        offered: &offered,
        api_version: opt_text(facts.api_version.as_ref().map(|v| v.raw.as_str())),
        user_agent: opt_text(extras.user_agent),
        leg: opt_text(decision.leg.as_deref()),
        secret_in_url: false,
        iis_log: (status, sc_substatus, sc_win32_status, text(IisLog::username(&decision, basic_user))),
        channel_bindings: decision.channel_bindings,
        would_refuse,
    };
    if tracing::enabled!(target: "ado_mock_server::decision", tracing::Level::INFO) {
        let redact = |t: &str| state.redactor().redact(t).0;
        let path = extract::path_and_query(&facts.path, extras.query);
        tracing::info!(
            target: "ado_mock_server::decision",
            "conn={} {} {} -> {status} {}: {}{}",
            facts.connection.id,
            redact(&facts.method),
            redact(&path),
            decision.reason,
            redact(&decision.explanation),
            if decision.hint.is_empty() { String::new() } else { format!(" | fix: {}", redact(&decision.hint)) }
        );
    }
    state.journal().record_row(row);
}

fn summarize(credential: &Credential) -> CredentialSummary {
    let (kind, basic_colon, ntlm_message) = summary_codes(credential);
    CredentialSummary { kind, scheme: credential.scheme(), basic_colon, ntlm_message }
}

/// [`summarize`] without the scheme's text: the kind, whether Basic had a `:`, and the NTLM
/// message type.
fn summary_codes(credential: &Credential) -> (CredentialKind, Option<bool>, Option<u8>) {
    use crate::auth::Basic;
    match credential {
        Credential::None => (CredentialKind::None, None, None),
        Credential::Basic(basic) => {
            let kind = match basic {
                Basic::Pair { .. } if basic.pat().is_some() => CredentialKind::BasicPat,
                Basic::Pair { .. } => CredentialKind::BasicPassword,
                Basic::NoColon { .. } => CredentialKind::BasicNoColon,
                Basic::NotBase64 => CredentialKind::BasicNotBase64,
                Basic::Empty => CredentialKind::BasicEmpty,
            };
            (kind, Some(matches!(basic, Basic::Pair { .. })), None)
        }
        Credential::Bearer { .. } => (CredentialKind::Bearer, None, None),
        Credential::Windows { scheme, token } => {
            let message = match token {
                Some(t) if t.starts_with(b"NTLMSSP\0") && t.len() >= 12 => t[8],
                _ => 0,
            };
            let kind = if *scheme == Provider::Ntlm { CredentialKind::Ntlm } else { CredentialKind::Negotiate };
            (kind, None, Some(message))
        }
        Credential::Other { .. } => (CredentialKind::Other, None, None),
    }
}

#[cfg(test)]
mod tests {
    use axum::http::Request;
    use tower::ServiceExt;

    use super::*;
    use crate::http::state::system_clock;
    use crate::journal::Journal;
    use crate::testing;

    fn app() -> (Router, AppState) {
        let state = AppState::new(testing::profile(), "http://tfs:8080/tfs".into(), Journal::new(10), system_clock());
        (router(state.clone()), state)
    }

    #[tokio::test]
    async fn oneshot_requests_are_decided_journaled_and_rendered() {
        let (app, state) = app();
        let request = Request::get("/tfs/DefaultCollection/_apis/projects")
            .header("x-tfs-session", "0a0b0c0d-0000-4000-8000-000000000000")
            .body(Body::empty())
            .unwrap();
        let response = app.oneshot(request).await.unwrap();
        assert_eq!(response.status(), 401);
        assert_eq!(response.headers()["x-tfs-session"], "0a0b0c0d-0000-4000-8000-000000000000");
        let challenges: Vec<_> = response.headers().get_all("www-authenticate").iter().collect();
        assert_eq!(challenges, ["Bearer", "Basic realm=\"http://tfs:8080/tfs\"", "Negotiate", "NTLM"]);
        let entry = &state.journal().entries()[0];
        assert_eq!((entry.status, entry.reason.code(), entry.offered.len()), (401, "auth.anonymous", 4));
    }

    #[tokio::test]
    async fn an_oversized_body_is_refused_with_413_and_journaled() {
        let (app, state) = app();
        let request = Request::post("/tfs/DefaultCollection/_apis/projects?x=1")
            .body(Body::from(vec![b'x'; crate::http::Limits::default().max_body_bytes + 1]))
            .unwrap();
        assert_eq!(app.oneshot(request).await.unwrap().status(), 413);
        let entry = &state.journal().entries()[0];
        assert_eq!((entry.status, entry.reason.code(), entry.layer.name()), (413, "limit.body_too_large", "limits"));
        assert_eq!((entry.method.as_str(), entry.path.as_str()), ("POST", "/tfs/DefaultCollection/_apis/projects?x=1"));
    }
}
