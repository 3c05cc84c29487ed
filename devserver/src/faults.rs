//! Fault injection under `/_dev/faults`, so tests can exercise a client's reliability rules
//! against the real server. The routes exist only when the server runs with `--faults`.
//!
//! - `POST /_dev/faults` arms controls; each field given replaces that control, the others
//!   stay as they are:
//!   - `{"status": 429, "count": 2, "retryAfter": 3, "scope": "bot"}`: the next `count`
//!     Direct Line REST requests of the scope's endpoint(s) (`bot` = `/v3/directline`, the
//!     default; `hub` = `/hub/v3/directline`; `all`) fail with `status`;
//!   - `{"latencyMs": 500}`: every Direct Line REST response of both endpoints leaves that
//!     much later (the request takes effect at once; its answer is held);
//!   - `{"refuseStreams": true}`: every stream upgrade is answered 503;
//!   - `{"omitStreamUrl": true}`: `POST /conversations` and `GET /conversations/{id}` hand
//!     out no `streamUrl` (a polling-only service);
//!   - `{"tokenLifetimeSecs": 5}`: tokens issued from now on live that long.
//!
//!   Values are bounded (see the `MAX_...` constants and [`TOKEN_LIFETIME_SECS`]); anything
//!   outside is refused with 400 and arms nothing.
//! - `GET /_dev/faults` shows what is armed (`{}` when nothing); `DELETE /_dev/faults`
//!   disarms everything and restores the `--token-lifetime` of the command line.
//! - `POST /_dev/faults/drop-streams` `{"conversationId"?, "abrupt"?}` ends open WebSocket
//!   streams now (see `stream.rs`).
//!
//! The middleware [`inject`] wraps the REST routes of both Direct Line endpoints (not the
//! stream, not the pages' token endpoints, not the console). The armed state is a pure value
//! ([`Armed`]); faults are not persisted (`--state`): a restart disarms them.

use std::sync::{Mutex, MutexGuard};
use std::time::Duration;

use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::{Deserialize, Serialize};

use crate::endpoint::Endpoint;
use crate::error::{ApiJson, AppError, OptionalJson, Result};
use crate::store::Service;
use crate::stream::Hangup;
use crate::AppState;

/// `Retry-After` seconds sent with an injected 429 that names none (the spec's clients need
/// the header to know how long to wait).
const DEFAULT_RETRY_AFTER_429: u64 = 1;

/// Longest latency accepted (a typo of a few zeros should not hang a test for hours).
pub const MAX_LATENCY_MS: u64 = 600_000;
/// Most requests one status fault may fail.
pub const MAX_COUNT: u32 = 10_000;
/// Longest `Retry-After` an injected fault may name (one hour).
pub const MAX_RETRY_AFTER_SECS: u64 = 3_600;
/// Token lifetimes that may be armed: one second to one day.
pub const TOKEN_LIFETIME_SECS: std::ops::RangeInclusive<u64> = 1..=86_400;

/// Which Direct Line endpoint(s) a status fault applies to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Scope {
    /// `/v3/directline` (what the fault API did before it had scopes).
    #[default]
    Bot,
    /// `/hub/v3/directline`.
    Hub,
    /// Both.
    All,
}

impl Scope {
    /// Whether requests to `service` are subject to the fault.
    pub fn covers(self, service: Service) -> bool {
        matches!(
            (self, service),
            (Scope::All, _) | (Scope::Bot, Service::Bot) | (Scope::Hub, Service::Hub)
        )
    }

    fn is_bot(&self) -> bool {
        *self == Scope::Bot
    }
}

/// An armed status fault: answer the next `count` requests of `scope` with `status`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FaultPlan {
    /// HTTP status to answer with (400-599).
    pub status: u16,
    /// How many requests fail (default 1).
    #[serde(default = "one")]
    pub count: u32,
    /// `Retry-After` header value in seconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retry_after: Option<u64>,
    /// Which endpoint(s) fail (shown only when not the default `bot`).
    #[serde(default, skip_serializing_if = "Scope::is_bot")]
    pub scope: Scope,
}

fn one() -> u32 {
    1
}

impl FaultPlan {
    /// Uses up one failure: the error to answer with, or `None` when the plan is spent.
    pub fn next_fault(&mut self) -> Option<AppError> {
        if self.count == 0 {
            return None;
        }
        self.count -= 1;
        let status = StatusCode::from_u16(self.status).ok()?;
        let retry_after = match (self.retry_after, self.status) {
            (Some(secs), _) => Some(secs),
            (None, 429) => Some(DEFAULT_RETRY_AFTER_429),
            (None, _) => None,
        };
        Some(AppError::Injected {
            status,
            retry_after,
        })
    }
}

/// Everything armed: the `GET /_dev/faults` answer. Controls at rest are left out, so a
/// plain status fault shows as `{"status", "count"[, "retryAfter"]}`, as it always did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Armed {
    /// The status fault, its fields at the top level.
    #[serde(flatten)]
    pub plan: Option<FaultPlan>,
    /// Added to every Direct Line REST response.
    #[serde(skip_serializing_if = "is_zero")]
    pub latency_ms: u64,
    /// Stream upgrades are answered 503.
    #[serde(skip_serializing_if = "is_false")]
    pub refuse_streams: bool,
    /// Conversations are handed out without a `streamUrl`.
    #[serde(skip_serializing_if = "is_false")]
    pub omit_stream_url: bool,
    /// Lifetime of tokens issued from now on, instead of `--token-lifetime`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub token_lifetime_secs: Option<u64>,
}

fn is_zero(n: &u64) -> bool {
    *n == 0
}

fn is_false(b: &bool) -> bool {
    !*b
}

/// The body of `POST /_dev/faults`: every field optional, unknown fields refused (a typo
/// must not arm nothing silently).
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ArmRequest {
    pub status: Option<u16>,
    pub count: Option<u32>,
    pub retry_after: Option<u64>,
    pub scope: Option<Scope>,
    pub latency_ms: Option<u64>,
    pub refuse_streams: Option<bool>,
    pub omit_stream_url: Option<bool>,
    pub token_lifetime_secs: Option<u64>,
}

impl Armed {
    /// Applies a request: the controls it names change, the others stay. Checks everything
    /// first, so a refused request changes nothing.
    pub fn arm(&mut self, request: ArmRequest) -> Result<()> {
        let ArmRequest {
            status,
            count,
            retry_after,
            scope,
            latency_ms,
            refuse_streams,
            omit_stream_url,
            token_lifetime_secs,
        } = request;
        if status.is_none() && (count.is_some() || retry_after.is_some() || scope.is_some()) {
            return Err(AppError::MissingProperty(
                "`status` is required with count, retryAfter and scope".into(),
            ));
        }
        if status.is_none()
            && latency_ms.is_none()
            && refuse_streams.is_none()
            && omit_stream_url.is_none()
            && token_lifetime_secs.is_none()
        {
            return Err(AppError::BadArgument(
                "Nothing to arm: give status, latencyMs, refuseStreams, omitStreamUrl or \
                 tokenLifetimeSecs"
                    .into(),
            ));
        }
        if let Some(status) = status.filter(|s| !(400..=599).contains(s)) {
            return Err(AppError::BadArgument(format!(
                "status must be an error status (400-599), got {status}"
            )));
        }
        check_bound("count", count.map(u64::from), 1..=u64::from(MAX_COUNT))?;
        check_bound("retryAfter", retry_after, 0..=MAX_RETRY_AFTER_SECS)?;
        check_bound("latencyMs", latency_ms, 0..=MAX_LATENCY_MS)?;
        check_bound(
            "tokenLifetimeSecs",
            token_lifetime_secs,
            TOKEN_LIFETIME_SECS,
        )?;
        if let Some(status) = status {
            self.plan = Some(FaultPlan {
                status,
                count: count.unwrap_or(1),
                retry_after,
                scope: scope.unwrap_or_default(),
            });
        }
        self.latency_ms = latency_ms.unwrap_or(self.latency_ms);
        self.refuse_streams = refuse_streams.unwrap_or(self.refuse_streams);
        self.omit_stream_url = omit_stream_url.unwrap_or(self.omit_stream_url);
        self.token_lifetime_secs = token_lifetime_secs.or(self.token_lifetime_secs);
        Ok(())
    }

    /// Takes one failure for a request to `service`, if a plan covering it is armed.
    pub fn next_fault(&mut self, service: Service) -> Option<AppError> {
        let plan = self.plan.as_mut().filter(|p| p.scope.covers(service))?;
        let fault = plan.next_fault();
        if plan.count == 0 {
            self.plan = None;
        }
        fault
    }
}

/// Refuses a `value` outside `range`, naming the field.
fn check_bound(
    field: &str,
    value: Option<u64>,
    range: std::ops::RangeInclusive<u64>,
) -> Result<()> {
    match value {
        Some(v) if !range.contains(&v) => Err(AppError::BadArgument(format!(
            "{field} must be {}..={}, got {v}",
            range.start(),
            range.end()
        ))),
        _ => Ok(()),
    }
}

/// The server's armed faults.
#[derive(Debug, Default)]
pub struct Faults {
    armed: Mutex<Armed>,
}

impl Faults {
    /// Arms a status fault, replacing any earlier one (the other controls stay).
    pub fn set(&self, plan: FaultPlan) {
        self.lock().plan = Some(plan);
    }

    /// Applies a `POST /_dev/faults` body; the armed state after it.
    pub fn arm(&self, request: ArmRequest) -> Result<Armed> {
        let mut armed = self.lock();
        let mut next = armed.clone();
        next.arm(request)?;
        *armed = next;
        Ok(armed.clone())
    }

    /// Disarms everything.
    pub fn clear(&self) {
        *self.lock() = Armed::default();
    }

    /// What is armed.
    pub fn current(&self) -> Armed {
        self.lock().clone()
    }

    /// Takes one failure for a request to `service`, if armed for it.
    pub fn next_fault(&self, service: Service) -> Option<AppError> {
        self.lock().next_fault(service)
    }

    /// The delay added to Direct Line REST responses.
    pub fn latency(&self) -> Duration {
        Duration::from_millis(self.lock().latency_ms)
    }

    /// Whether stream upgrades are refused.
    pub fn refuse_streams(&self) -> bool {
        self.lock().refuse_streams
    }

    /// Whether conversations are handed out without a `streamUrl`.
    pub fn omit_stream_url(&self) -> bool {
        self.lock().omit_stream_url
    }

    /// Recovers from poisoning: the state is a plain value, always usable.
    fn lock(&self) -> MutexGuard<'_, Armed> {
        self.armed.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// Middleware of an endpoint's REST routes: answers with an injected fault instead of
/// running the handler, and holds the answer for the armed latency.
pub async fn inject(State(ep): State<Endpoint>, request: Request, next: Next) -> Response {
    let faults = &ep.app.faults;
    let latency = faults.latency();
    let response = match faults.next_fault(ep.service) {
        Some(fault) => fault.into_response(),
        None => next.run(request).await,
    };
    if !latency.is_zero() {
        tokio::time::sleep(latency).await;
    }
    response
}

/// `/_dev/faults` routes when `enabled` (`--faults`), else none (404 like any unknown path).
pub fn routes(enabled: bool) -> Router<AppState> {
    if !enabled {
        return Router::new();
    }
    Router::new()
        .route("/_dev/faults", get(show).post(arm).delete(disarm))
        .route("/_dev/faults/drop-streams", post(drop_streams))
}

async fn show(State(state): State<AppState>) -> Json<Armed> {
    Json(state.faults.current())
}

async fn arm(
    State(state): State<AppState>,
    ApiJson(request): ApiJson<ArmRequest>,
) -> Result<Json<Armed>> {
    let lifetime = request.token_lifetime_secs;
    let armed = state.faults.arm(request)?;
    if let Some(secs) = lifetime {
        state.store.set_token_lifetime(Duration::from_secs(secs));
    }
    Ok(Json(armed))
}

async fn disarm(State(state): State<AppState>) -> StatusCode {
    state.faults.clear();
    state.store.set_token_lifetime(state.config.token_lifetime);
    StatusCode::NO_CONTENT
}

/// Body of `POST /_dev/faults/drop-streams` (optional).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct DropRequest {
    /// Only this conversation's streams (bot or hub); all streams when absent.
    conversation_id: Option<String>,
    /// Drop the connection without a close frame.
    #[serde(default)]
    abrupt: bool,
}

/// Answer of `POST /_dev/faults/drop-streams`.
#[derive(Debug, Clone, Serialize)]
struct Dropped {
    /// How many open streams were ended.
    dropped: usize,
}

async fn drop_streams(
    State(state): State<AppState>,
    OptionalJson(request): OptionalJson<DropRequest>,
) -> Result<Json<Dropped>> {
    let request = request.unwrap_or_default();
    let conversation = request.conversation_id.as_deref();
    if let Some(id) = conversation {
        if !state.store.contains(Service::Bot, id) && !state.store.contains(Service::Hub, id) {
            return Err(AppError::ConversationNotFound(id.to_owned()));
        }
    }
    let how = if request.abrupt {
        Hangup::Abrupt
    } else {
        Hangup::Close
    };
    let dropped = state.streams.hang_up(conversation, how);
    Ok(Json(Dropped { dropped }))
}

#[cfg(test)]
mod tests;
