//! The emulated server's request path: extract facts, decide, apply effects, journal, render.

use axum::Router;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{Response, StatusCode};
use uuid::Uuid;

use super::extract::{self, Extras};
use super::respond::{self, RenderContext};
use super::state::{AppState, ConnSlot};
use crate::auth::{Answer, ConnectionUpdate, Credential, Decision, RequestFacts, Via, decide};
use crate::journal::{CredentialSummary, JournalEntry};
use crate::rest::{self, RestContext};

/// The largest request body read (and discarded) before answering 413.
pub const MAX_BODY: usize = 4 * 1024 * 1024;

/// The emulated server as an axum `Router` (every path goes through the decision).
pub fn router(state: AppState) -> Router {
    Router::new().fallback(handle).with_state(state)
}

async fn handle(State(state): State<AppState>, request: Request) -> Response<Body> {
    let slot = request.extensions().get::<ConnSlot>().cloned().unwrap_or_else(|| state.new_connection());
    let (parts, body) = request.into_parts();
    // Drain the body so the keep-alive connection stays usable (NTLM legs may carry bodies).
    if axum::body::to_bytes(body, MAX_BODY).await.is_err() {
        let mut response = Response::new(Body::from("Request body too large"));
        *response.status_mut() = StatusCode::PAYLOAD_TOO_LARGE;
        return response;
    }
    let nonce: [u8; 8] = rand::random();
    let (facts, extras) = extract::facts(state.profile(), &parts, slot.id, slot.auth(), state.now(), nonce);
    let decision = decide(state.profile(), &facts, &|account| state.failed_logons(account));
    if let ConnectionUpdate::Set(next) = &decision.connection {
        slot.set_auth(next.clone());
    }
    if let Some(logon) = &decision.logon {
        state.record_logon(logon);
    }
    let response = respond_to(&state, &facts, &extras, &decision);
    record(&state, &facts, &extras, &decision, response.status().as_u16());
    response
}

/// Renders the decision (REST bodies for allowed requests).
pub fn respond_to(state: &AppState, facts: &RequestFacts, extras: &Extras, decision: &Decision) -> Response<Body> {
    let host = extras.host.clone().unwrap_or_else(|| "localhost".to_owned());
    let ctx = RenderContext {
        release: state.profile().release,
        realm: state.realm(),
        host: &host,
        process_id: state.process_id(),
        activity_id: Uuid::new_v4(),
        deployment_id: state.deployment_id(),
        session: extras.session.as_deref(),
        accept: &facts.accept,
        api_major: facts.api_version.as_ref().and_then(|v| v.parsed).map(|v| v.major),
    };
    match &decision.answer {
        Answer::Serve { route, final_token } => {
            let origin = format!("http://{host}");
            let rest_ctx = RestContext {
                origin: &origin,
                collection: facts.target.collection(),
                principal: decision.principal.as_ref(),
                query: extras.query.as_deref(),
            };
            respond::render_rest(rest::serve(state.profile(), route, &rest_ctx), final_token.as_deref(), &ctx)
        }
        answer => respond::render(answer, &ctx),
    }
}

fn record(state: &AppState, facts: &RequestFacts, extras: &Extras, decision: &Decision, status: u16) {
    let redactor = state.redactor();
    let full_path = match &extras.query {
        Some(q) => format!("{}?{q}", facts.path),
        None => facts.path.clone(),
    };
    let (path, secret_in_url) = redactor.redact(&full_path);
    let clean = |text: &str| redactor.redact(text).0;
    let entry = JournalEntry {
        seq: 0,
        time_ms: u64::try_from(state.now()).unwrap_or(0) * 1000,
        connection: facts.connection.id,
        method: facts.method.clone(),
        path,
        status,
        reason: decision.reason,
        layer: decision.layer,
        explanation: clean(&decision.explanation),
        hint: clean(&decision.hint),
        identity: decision.principal.as_ref().map(|p| p.account.clone()),
        via: decision.principal.as_ref().map(|p| match &p.via {
            Via::Pat { name } => format!("pat:{name}"),
            Via::Windows { scheme } => scheme.scheme().to_ascii_lowercase(),
            Via::IisBasic => "iis-basic".to_owned(),
        }),
        credential: summarize(&facts.credential),
        offered: decision.answer.offered(),
        api_version: facts.api_version.as_ref().map(|v| clean(&v.raw)),
        user_agent: extras.user_agent.as_deref().map(clean),
        leg: decision.leg.as_deref().map(clean),
        secret_in_url,
    };
    tracing::info!(
        target: "ado_mock_server::decision",
        "conn={} {} {} -> {status} {}: {}{}",
        entry.connection,
        entry.method,
        entry.path,
        entry.reason,
        entry.explanation,
        if entry.hint.is_empty() { String::new() } else { format!(" | fix: {}", entry.hint) }
    );
    state.journal().record(entry);
}

fn summarize(credential: &Credential) -> CredentialSummary {
    let mut summary = CredentialSummary { scheme: credential.scheme(), ..CredentialSummary::default() };
    match credential {
        Credential::Basic(basic) => {
            summary.basic_colon = Some(matches!(basic, crate::auth::Basic::Pair { .. }));
        }
        Credential::Windows { token, .. } => {
            summary.ntlm_message = Some(match token {
                Some(t) if t.starts_with(b"NTLMSSP\0") && t.len() >= 12 => t[8],
                _ => 0,
            });
        }
        _ => {}
    }
    summary
}
