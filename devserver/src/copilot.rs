//! Copilot Studio impersonation: the two endpoints a web canvas calls before Direct Line, so
//! the widget's Copilot Studio path runs end to end against this server.
//!
//! - `GET /powervirtualagents/botsbyschema/{schema}/directline/token?api-version=...`: the
//!   agent's token endpoint (Copilot Studio → Channels → Web app / Mobile app). Answers like
//!   `/api/directline/token` (`{token, conversationId, expires_in}`, relay mode); any schema
//!   name is accepted.
//! - `GET /powervirtualagents/regionalchannelsettings?api-version=...`: which Direct Line
//!   host serves the environment's region, `{"channelUrlsById": {"directline":
//!   "http://<host>/"}}` with the host the client used, so `new URL("v3/directline",
//!   directline)` is this server's `/v3/directline`.
//!
//! Both need `api-version` (any value), like the real service: without it they answer 400
//! `{"error": {"code": "MissingApiVersionParameter", ...}}`. No auth, as for a published
//! agent without authentication.
//!
//! `GET /_dev/stats` counts the calls to each, and the `pvaSetContext` events posted to the
//! bot (`{"copilotToken": N, "regionalChannelSettings": N, "pvaSetContext": N}`), so a test
//! can prove a client discovered the Direct Line URL instead of using a configured one, and
//! set the bot's global variables; `DELETE /_dev/stats` sets them back to 0. Counts are not
//! persisted.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};

use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::middleware;
use axum::routing::get;
use axum::{Json, Router};
use handoff_core::activity::TokenResponse;
use serde::Serialize;
use serde_json::{json, Value};

use crate::directline::{self, PageTokenQuery};
use crate::error::{AppError, Result};
use crate::AppState;
use crate::{ratelimit, static_files};

/// The token endpoint, as routed (`{schema}` is the agent's schema name, e.g. `cr8d1_demo`).
pub const TOKEN_PATH: &str = "/powervirtualagents/botsbyschema/{schema}/directline/token";
/// The regional channel settings endpoint.
pub const REGIONAL_SETTINGS_PATH: &str = "/powervirtualagents/regionalchannelsettings";
/// The `api-version` Copilot Studio's own web canvas sends (any value is accepted).
pub const API_VERSION: &str = "2022-03-01-preview";

/// How often each Copilot Studio endpoint was called since start (or the last reset).
#[derive(Debug, Default)]
pub struct Stats {
    copilot_token: AtomicU64,
    regional_channel_settings: AtomicU64,
    set_context: AtomicU64,
}

/// What `GET /_dev/stats` answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct StatsView {
    /// Calls to the token endpoint (answered or not).
    pub copilot_token: u64,
    /// Calls to the regional channel settings endpoint (answered or not).
    pub regional_channel_settings: u64,
    /// `pvaSetContext` events accepted by the bot's Direct Line endpoint.
    #[serde(rename = "pvaSetContext")]
    pub set_context: u64,
}

impl Stats {
    /// The counts now.
    pub fn view(&self) -> StatsView {
        StatsView {
            copilot_token: self.copilot_token.load(Ordering::Relaxed),
            regional_channel_settings: self.regional_channel_settings.load(Ordering::Relaxed),
            set_context: self.set_context.load(Ordering::Relaxed),
        }
    }

    /// Counts a `pvaSetContext` event the bot's endpoint accepted.
    pub fn count_set_context(&self) {
        self.set_context.fetch_add(1, Ordering::Relaxed);
    }

    fn reset(&self) {
        self.copilot_token.store(0, Ordering::Relaxed);
        self.regional_channel_settings.store(0, Ordering::Relaxed);
        self.set_context.store(0, Ordering::Relaxed);
    }
}

/// The Copilot Studio endpoints, which a widget on any site calls (the app gives them CORS);
/// the token endpoint is rate limited per client, like the other token routes.
pub fn token_routes(state: AppState) -> Router<AppState> {
    Router::new()
        .route(TOKEN_PATH, get(token))
        .route_layer(middleware::from_fn_with_state(state, ratelimit::limit))
        .route(REGIONAL_SETTINGS_PATH, get(regional_channel_settings))
}

/// `/_dev/stats` (same-origin only).
pub fn routes() -> Router<AppState> {
    Router::new().route("/_dev/stats", get(show_stats).delete(reset_stats))
}

/// The query string of both endpoints; only `api-version` matters.
type ApiQuery = Query<HashMap<String, String>>;

/// `api-version` must be present and non-empty.
fn require_api_version(query: &ApiQuery) -> Result<()> {
    match query.get("api-version").map(|v| v.trim()) {
        Some(v) if !v.is_empty() => Ok(()),
        _ => Err(AppError::MissingApiVersion),
    }
}

async fn token(
    State(state): State<AppState>,
    Path(_schema): Path<String>,
    query: ApiQuery,
) -> Result<Json<TokenResponse>> {
    state.stats.copilot_token.fetch_add(1, Ordering::Relaxed);
    require_api_version(&query)?;
    directline::page_token(State(state), Ok(Query(PageTokenQuery::default()))).await
}

async fn regional_channel_settings(
    State(state): State<AppState>,
    headers: HeaderMap,
    query: ApiQuery,
) -> Result<Json<Value>> {
    state
        .stats
        .regional_channel_settings
        .fetch_add(1, Ordering::Relaxed);
    require_api_version(&query)?;
    let host = static_files::request_host(&state, &headers);
    Ok(Json(json!({
        "channelUrlsById": { "directline": format!("http://{host}/") }
    })))
}

async fn show_stats(State(state): State<AppState>) -> Json<StatsView> {
    Json(state.stats.view())
}

async fn reset_stats(State(state): State<AppState>) -> StatusCode {
    state.stats.reset();
    StatusCode::NO_CONTENT
}
