//! The control plane, on its own port so that emulated authentication never locks the harness
//! out: `GET /journal`, `DELETE /journal`, `GET /healthz`, `GET /profile` (secrets redacted),
//! `GET /lockouts`, `POST /lockouts/reset[?account=DOMAIN\user]`.

use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::http::AppState;
use crate::journal::JournalEntry;

/// The control plane's router.
pub fn router(state: AppState) -> Router {
    Router::new()
        .route("/journal", get(journal).delete(clear))
        .route("/healthz", get(health))
        .route("/profile", get(profile))
        .route("/lockouts", get(lockouts))
        .route("/lockouts/reset", post(reset))
        .with_state(state)
}

async fn journal(State(state): State<AppState>) -> Json<Vec<JournalEntry>> {
    Json(state.journal().entries())
}

async fn clear(State(state): State<AppState>) -> StatusCode {
    state.journal().clear();
    StatusCode::NO_CONTENT
}

async fn health(State(state): State<AppState>) -> Json<Value> {
    Json(json!({
        "status": "ok",
        "release": state.profile().release,
        "journal_entries": state.journal().len(),
        "journal_dropped": state.journal().dropped(),
    }))
}

async fn profile(State(state): State<AppState>) -> Json<Value> {
    // `Secret` serializes as "<redacted>", so the profile can be shown as is.
    Json(serde_json::to_value(state.profile()).unwrap_or(Value::Null))
}

async fn lockouts(State(state): State<AppState>) -> Json<Value> {
    Json(json!(state.lockout_counts()))
}

#[derive(Deserialize)]
struct ResetQuery {
    account: Option<String>,
}

async fn reset(State(state): State<AppState>, Query(query): Query<ResetQuery>) -> StatusCode {
    state.reset_lockouts(query.account.as_deref());
    StatusCode::NO_CONTENT
}
