//! Fault injection: make the next N Direct Line requests fail with a chosen status.
//!
//! `POST /_dev/faults {"status": 429, "count": 2, "retryAfter": 3}` arms a plan;
//! `DELETE /_dev/faults` disarms it; `GET /_dev/faults` shows what is left. The middleware
//! [`inject`] wraps the REST routes under `/v3/directline` only (not the WebSocket stream,
//! not the page's token endpoint), so end-to-end tests can exercise the client's retry rules
//! against the real server. The plan itself is a pure value ([`FaultPlan::next_fault`]).

use std::sync::{Mutex, MutexGuard};

use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde::{Deserialize, Serialize};

use crate::error::{ApiJson, AppError, Result};
use crate::AppState;

/// `Retry-After` seconds sent with an injected 429 that names none (the spec's clients need
/// the header to know how long to wait).
const DEFAULT_RETRY_AFTER_429: u64 = 1;

/// An armed fault: answer the next `count` requests with `status`.
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

/// The server's current fault plan.
#[derive(Debug, Default)]
pub struct Faults {
    plan: Mutex<Option<FaultPlan>>,
}

impl Faults {
    /// Arms `plan`, replacing any earlier one.
    pub fn set(&self, plan: FaultPlan) {
        *self.lock() = Some(plan);
    }

    /// Disarms.
    pub fn clear(&self) {
        *self.lock() = None;
    }

    /// What is left of the plan.
    pub fn current(&self) -> Option<FaultPlan> {
        self.lock().clone()
    }

    /// Takes one failure from the plan, if armed.
    pub fn next_fault(&self) -> Option<AppError> {
        let mut plan = self.lock();
        let fault = plan.as_mut()?.next_fault();
        if plan.as_ref().is_some_and(|p| p.count == 0) {
            *plan = None;
        }
        fault
    }

    /// Recovers from poisoning: the plan is a plain value, always usable.
    fn lock(&self) -> MutexGuard<'_, Option<FaultPlan>> {
        self.plan.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// Middleware: answers with the injected fault instead of running the handler.
pub async fn inject(State(state): State<AppState>, request: Request, next: Next) -> Response {
    match state.faults.next_fault() {
        Some(fault) => fault.into_response(),
        None => next.run(request).await,
    }
}

/// `/_dev/faults` routes.
pub fn routes() -> Router<AppState> {
    Router::new().route("/_dev/faults", get(show).post(arm).delete(disarm))
}

async fn show(State(state): State<AppState>) -> Json<Option<FaultPlan>> {
    Json(state.faults.current())
}

async fn arm(
    State(state): State<AppState>,
    ApiJson(plan): ApiJson<FaultPlan>,
) -> Result<Json<FaultPlan>> {
    if !(400..=599).contains(&plan.status) {
        return Err(AppError::BadArgument(format!(
            "status must be an error status (400-599), got {}",
            plan.status
        )));
    }
    state.faults.set(plan.clone());
    Ok(Json(plan))
}

async fn disarm(State(state): State<AppState>) -> StatusCode {
    state.faults.clear();
    StatusCode::NO_CONTENT
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plan_fails_count_times_then_is_spent() {
        let faults = Faults::default();
        faults.set(FaultPlan {
            status: 502,
            count: 2,
            retry_after: None,
        });
        for _ in 0..2 {
            let fault = faults.next_fault().unwrap();
            assert_eq!(fault.status(), StatusCode::BAD_GATEWAY);
            assert_eq!(fault.code(), "ServiceError");
        }
        assert_eq!(faults.next_fault(), None);
        assert_eq!(faults.current(), None);
    }

    #[test]
    fn a_429_always_says_when_to_retry() {
        let mut plan: FaultPlan = serde_json::from_str(r#"{"status": 429}"#).unwrap();
        assert_eq!(plan.count, 1);
        assert_eq!(
            plan.next_fault(),
            Some(AppError::Injected {
                status: StatusCode::TOO_MANY_REQUESTS,
                retry_after: Some(DEFAULT_RETRY_AFTER_429)
            })
        );
    }
}
