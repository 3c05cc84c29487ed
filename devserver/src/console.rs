//! The live-agent console: the page at `/agent` and its JSON API under `/agent/api`.
//!
//! The page (`assets/console.html`, its stylesheet and its JavaScript modules, embedded
//! with `include_str!`) is plain HTML, CSS and JavaScript with no external URLs; it polls
//! the API about once a second. Tests and scripts act as agents through the same API.
//! Handlers are thin: parse, call the [`crate::store`] (which runs the [`crate::hub`] state
//! machine), answer JSON. Errors have the Direct Line shape `{"error": {"code", "message"}}`
//! (see [`ConsoleError`]).
//!
//! Agents authenticate: sign-in answers a random session secret, which every other API
//! call presents in the [`SESSION_HEADER`] (a header, never the URL, so it stays out of
//! logs and history); calls without it, with an unknown one or naming another agent than
//! the session's are 401 (see [`SignedIn`]). An agent id alone proves nothing.
//!
//! The API is documented in `docs/handoff.md` ("Agent console API"). Must not touch
//! conversations other than through the store's agent methods.

use axum::extract::rejection::QueryRejection;
use axum::extract::{FromRequestParts, Path, Query, State};
use axum::http::request::Parts;
use axum::http::{header, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use handoff_core::activity::{ErrorResponse, ResourceResponse};
use serde::{Deserialize, Serialize};

use crate::endpoint::query;
use crate::error::{ApiJson, AppError};
use crate::hub::{AgentSends, AgentView, Detail, HubError, QueueEntry, Summary};
use crate::AppState;

const PAGE: &str = include_str!("../assets/console.html");

/// The request header carrying the agent's session secret.
pub const SESSION_HEADER: &str = "x-agent-session";

/// The page's files: path, content type, content. The scripts are modules importing each
/// other by these paths.
pub const ASSETS: [(&str, &str, &str); 5] = [
    (
        "/agent/console.css",
        CSS,
        include_str!("../assets/console.css"),
    ),
    (
        "/agent/console.js",
        JS,
        include_str!("../assets/console.js"),
    ),
    (
        "/agent/console-api.js",
        JS,
        include_str!("../assets/console-api.js"),
    ),
    (
        "/agent/console-lists.js",
        JS,
        include_str!("../assets/console-lists.js"),
    ),
    (
        "/agent/console-view.js",
        JS,
        include_str!("../assets/console-view.js"),
    ),
];
const CSS: &str = "text/css; charset=utf-8";
const JS: &str = "text/javascript; charset=utf-8";

/// Everything the page may load or call: itself, nothing else.
const CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self'; \
     connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'; \
     frame-ancestors 'none'";

/// A refused console request.
#[derive(Debug, thiserror::Error)]
pub enum ConsoleError {
    /// The hub refused (unknown agent or handoff, someone else's, taken, ended, ...).
    #[error(transparent)]
    Hub(#[from] HubError),
    /// The request itself is malformed (body, query).
    #[error(transparent)]
    Request(#[from] AppError),
    /// No valid session for the agent the request acts as.
    #[error("{0}")]
    Unauthorized(&'static str),
}

const NO_SESSION: &str = "Sign in first: agent API calls need the X-Agent-Session header \
     (the session answered by POST /agent/api/agents)";
const BAD_SESSION: &str = "This agent session is not valid (signed out, or the server \
     restarted without --state): sign in again";
const OTHER_AGENT: &str = "This session belongs to another agent";

impl ConsoleError {
    /// HTTP status and error code.
    pub fn status_and_code(&self) -> (StatusCode, &'static str) {
        match self {
            ConsoleError::Request(e) => (e.status(), e.code()),
            ConsoleError::Unauthorized(_) => (StatusCode::UNAUTHORIZED, "Unauthorized"),
            ConsoleError::Hub(e) => match e {
                HubError::EmptyName
                | HubError::NameTooLong
                | HubError::EmptyText
                | HubError::TextTooLong
                | HubError::BadChoices => (StatusCode::BAD_REQUEST, "BadArgument"),
                HubError::UnknownAgent(_) => (StatusCode::NOT_FOUND, "UnknownAgent"),
                HubError::UnknownHandoff(_) => (StatusCode::NOT_FOUND, "NotFound"),
                HubError::NotYours => (StatusCode::FORBIDDEN, "Forbidden"),
                HubError::AlreadyTaken { .. } => (StatusCode::CONFLICT, "AlreadyTaken"),
                HubError::NotWaiting(_) => (StatusCode::CONFLICT, "NotWaiting"),
                HubError::Ended(_) => (StatusCode::CONFLICT, "Ended"),
            },
        }
    }
}

impl IntoResponse for ConsoleError {
    fn into_response(self) -> Response {
        let (status, code) = self.status_and_code();
        (status, Json(ErrorResponse::new(code, self.to_string()))).into_response()
    }
}

type Result<T> = std::result::Result<T, ConsoleError>;

/// The agent a request acts as: the one whose session secret it presents.
struct SignedIn(String);

impl FromRequestParts<AppState> for SignedIn {
    type Rejection = ConsoleError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self> {
        let session = parts
            .headers
            .get(SESSION_HEADER)
            .and_then(|v| v.to_str().ok())
            .filter(|s| !s.is_empty())
            .ok_or(ConsoleError::Unauthorized(NO_SESSION))?;
        let agent_id = state.store.agent_of_session(session);
        agent_id
            .map(SignedIn)
            .ok_or(ConsoleError::Unauthorized(BAD_SESSION))
    }
}

impl SignedIn {
    /// `agent_id` (the agent a request names), if it is the signed-in one: a session acts
    /// for its own agent only.
    fn as_agent<'a>(&self, agent_id: &'a str) -> Result<&'a str> {
        if agent_id == self.0 {
            Ok(agent_id)
        } else {
            Err(ConsoleError::Unauthorized(OTHER_AGENT))
        }
    }
}

/// `/agent` (the page and its two assets) and `/agent/api`.
pub fn routes() -> Router<AppState> {
    let api = Router::new()
        .route("/agents", post(sign_in))
        .route("/agents/{agent_id}/handoffs", get(agent_handoffs))
        .route("/queue", get(queue))
        .route("/handoffs/{id}", get(detail))
        .route("/handoffs/{id}/accept", post(accept))
        .route("/handoffs/{id}/messages", post(send_message))
        .route("/handoffs/{id}/choices", post(send_choices))
        .route("/handoffs/{id}/typing", post(send_typing))
        .route("/handoffs/{id}/end", post(end))
        .fallback(unknown_endpoint);
    let mut router = Router::new()
        .route("/agent", get(page))
        .route("/agent/", get(page))
        .nest("/agent/api", api);
    for (path, content_type, body) in ASSETS {
        router = router.route(path, get(move || async move { asset(content_type, body) }));
    }
    router
}

async fn page() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/html; charset=utf-8"),
            (header::CACHE_CONTROL, "no-cache"),
            (header::CONTENT_SECURITY_POLICY, CSP),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        ],
        PAGE,
    )
        .into_response()
}

fn asset(content_type: &'static str, body: &'static str) -> Response {
    (
        [
            (header::CONTENT_TYPE, content_type),
            (header::CACHE_CONTROL, "no-cache"),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        ],
        body,
    )
        .into_response()
}

/// `{"name"}` of a sign-in.
#[derive(Debug, Deserialize)]
struct SignIn {
    name: String,
}

/// `{"agentId"}`: who acts.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct AgentBody {
    agent_id: String,
}

/// `{"agentId", "text"}` of a message.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct MessageBody {
    agent_id: String,
    text: String,
}

/// `{"agentId", "text", "choices"}` of a question with suggested actions.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct ChoicesBody {
    agent_id: String,
    text: String,
    choices: Vec<String>,
}

/// `?agentId=` of a detail request.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
struct AgentQuery {
    agent_id: Option<String>,
}

/// `GET /agent/api/queue`.
#[derive(Debug, Serialize)]
struct QueueResponse {
    waiting: Vec<QueueEntry>,
}

/// `GET /agent/api/agents/{id}/handoffs`.
#[derive(Debug, Serialize)]
struct HandoffsResponse {
    handoffs: Vec<Summary>,
}

async fn sign_in(
    State(state): State<AppState>,
    ApiJson(body): ApiJson<SignIn>,
) -> Result<Json<AgentView>> {
    Ok(Json(state.store.register_agent(&body.name)?))
}

async fn queue(State(state): State<AppState>, _: SignedIn) -> Json<QueueResponse> {
    Json(QueueResponse {
        waiting: state.store.queue(state.clock.now()),
    })
}

async fn agent_handoffs(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Path(agent_id): Path<String>,
) -> Result<Json<HandoffsResponse>> {
    let agent_id = signed_in.as_agent(&agent_id)?;
    let handoffs = state.store.agent_handoffs(agent_id, state.clock.now())?;
    Ok(Json(HandoffsResponse { handoffs }))
}

async fn detail(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Path(id): Path<String>,
    params: std::result::Result<Query<AgentQuery>, QueryRejection>,
) -> Result<Json<Detail>> {
    let agent_id = query(params)?
        .agent_id
        .filter(|a| !a.is_empty())
        .ok_or_else(|| AppError::BadArgument("agentId is required".into()))?;
    let agent_id = signed_in.as_agent(&agent_id)?;
    let now = state.clock.now();
    Ok(Json(state.store.handoff_detail(&id, agent_id, now)?))
}

async fn accept(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<AgentBody>,
) -> Result<Json<Detail>> {
    let agent_id = signed_in.as_agent(&body.agent_id)?;
    let now = state.clock.now();
    Ok(Json(state.store.accept(&id, agent_id, now)?))
}

async fn send_message(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<MessageBody>,
) -> Result<Json<ResourceResponse>> {
    let agent_id = signed_in.as_agent(&body.agent_id)?;
    agent_send(&state, &id, agent_id, AgentSends::Message(&body.text))
}

async fn send_choices(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<ChoicesBody>,
) -> Result<Json<ResourceResponse>> {
    let agent_id = signed_in.as_agent(&body.agent_id)?;
    let sends = AgentSends::Choices(&body.text, &body.choices);
    agent_send(&state, &id, agent_id, sends)
}

async fn send_typing(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<AgentBody>,
) -> Result<Json<ResourceResponse>> {
    let agent_id = signed_in.as_agent(&body.agent_id)?;
    agent_send(&state, &id, agent_id, AgentSends::Typing)
}

/// A message, choices or typing from the agent; the id of the activity.
fn agent_send(
    state: &AppState,
    handoff_id: &str,
    agent_id: &str,
    sends: AgentSends<'_>,
) -> Result<Json<ResourceResponse>> {
    let now = state.clock.now();
    let id = state.store.agent_send(handoff_id, agent_id, sends, now)?;
    Ok(Json(ResourceResponse { id }))
}

async fn end(
    State(state): State<AppState>,
    signed_in: SignedIn,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<AgentBody>,
) -> Result<Json<Detail>> {
    let agent_id = signed_in.as_agent(&body.agent_id)?;
    let now = state.clock.now();
    Ok(Json(state.store.end_handoff(&id, agent_id, now)?))
}

async fn unknown_endpoint(uri: Uri) -> ConsoleError {
    AppError::UnknownEndpoint(uri.path().to_owned()).into()
}
