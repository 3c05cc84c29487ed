//! Direct Line 3.0 REST routes and the pages' token endpoints, for both endpoints.
//!
//! One set of routes, mounted twice by [`service`]: under `/v3/directline` for the demo bot
//! and under `/hub/v3/directline` for the engagement hub (bridge mode). An [`Endpoint`]
//! (the app state plus the [`Service`], see `endpoint.rs`) tells the handlers which
//! conversations and tokens they serve and so what answers posted activities; nothing else
//! differs.
//!
//! Thin handlers: authenticate ([`Endpoint::caller_of`]), call the [`crate::store`], shape
//! the response with the `handoff-core` wire types, start the accept timers of new handoffs.
//! Mounts the WebSocket stream (`stream.rs`) and wraps the REST routes of both endpoints in
//! fault injection (`faults.rs`), which may leave the `streamUrl` out of conversation
//! answers. Neither imports this module.

use std::time::Duration;

use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::middleware;
use axum::routing::{get, post};
use axum::{Json, Router};
use handoff_core::activity::{
    Activity, ActivitySet, ChannelAccount, Conversation, ResourceResponse, TokenResponse,
};
use handoff_core::handoff::{HandoffMode, USER_ROLE};
use serde::Deserialize;

use crate::auth::{Caller, Credential};
use crate::bot::livestream::PACE;
use crate::endpoint::{query, watermark, Endpoint, WatermarkParams};
use crate::error::{ApiJson, AppError, OptionalJson, Result};
use crate::static_files::request_host;
use crate::store::{Issued, Service};
use crate::{faults, ratelimit, stream, AppState};

/// The REST routes and the stream of one endpoint, to nest under [`Endpoint::base`].
/// Fault injection wraps the REST routes (whether a status fault applies depends on its
/// scope, see `faults.rs`); the stream is outside it.
pub fn service(app: AppState, service: Service) -> Router<AppState> {
    let endpoint = Endpoint { app, service };
    let rest = Router::new()
        .route("/tokens/generate", post(generate_token))
        .route("/tokens/refresh", post(refresh_token))
        .route("/conversations", post(start_conversation))
        // Creating tokens and conversations is rate limited per client; the rest is not.
        .route_layer(middleware::from_fn_with_state(
            endpoint.app.clone(),
            ratelimit::limit,
        ))
        .route("/conversations/{id}", get(reconnect))
        .route(
            "/conversations/{id}/activities",
            post(post_activity).get(get_activities),
        )
        .fallback(unknown_endpoint)
        .layer(middleware::from_fn_with_state(
            endpoint.clone(),
            faults::inject,
        ));
    rest.merge(stream::routes()).with_state(endpoint)
}

/// `?handoff=relay|bridge` of the bot's page token endpoint.
#[derive(Debug, Default, Deserialize)]
pub struct PageTokenQuery {
    pub handoff: Option<String>,
}

/// `GET /api/directline/token`: what a site's own token endpoint (Copilot Studio's, or a
/// backend holding the secret) returns, so the page never holds the secret.
/// `?handoff=bridge` marks the conversation so the hub does not relay its handoffs (the
/// widget brings them to `/hub/...` itself); relay is the default.
pub async fn page_token(
    State(state): State<AppState>,
    params: std::result::Result<Query<PageTokenQuery>, QueryRejection>,
) -> Result<Json<TokenResponse>> {
    let mode = match query(params)?.handoff.as_deref().map(str::trim) {
        None | Some("") => HandoffMode::Relay,
        Some(raw) => HandoffMode::parse(raw).ok_or_else(|| {
            AppError::BadArgument(format!("handoff must be relay or bridge, got `{raw}`"))
        })?,
    };
    let issued = state
        .store
        .create_conversation(Service::Bot, mode, None, state.clock.now())?;
    Ok(Json(token_response(issued)))
}

/// `GET /hub/api/token`: the hub's page token endpoint (same shape), for bridge mode.
pub async fn hub_page_token(State(state): State<AppState>) -> Result<Json<TokenResponse>> {
    let now = state.clock.now();
    let store = &state.store;
    let issued = store.create_conversation(Service::Hub, HandoffMode::Bridge, None, now)?;
    Ok(Json(token_response(issued)))
}

/// Starts the accept timers of new handoffs: after `--accept-timeout` a still waiting
/// handoff fails. Tokio timers, so tests can pause and advance time.
fn arm_accept_timeouts(state: &AppState, handoff_ids: Vec<String>) {
    for handoff_id in handoff_ids {
        arm_accept_timeout(state, handoff_id, state.config.accept_timeout);
    }
}

/// Starts the accept timers of the handoffs a restored store holds as waiting, with what is
/// left of their `--accept-timeout` (when nothing is left, they fail at once).
pub fn resume_accept_timeouts(state: &AppState) {
    let timeout = state.config.accept_timeout.as_millis() as u64;
    let now = state.clock.now();
    for (handoff_id, enqueued_at) in state.store.waiting_handoffs() {
        let left = enqueued_at.saturating_add(timeout).saturating_sub(now);
        // At least 1 ms: zero means "never" to `arm_accept_timeout`.
        arm_accept_timeout(state, handoff_id, Duration::from_millis(left.max(1)));
    }
}

fn arm_accept_timeout(state: &AppState, handoff_id: String, after: Duration) {
    if state.config.accept_timeout.is_zero() {
        return;
    }
    let store = std::sync::Arc::clone(&state.store);
    let clock = state.clock.clone();
    tokio::spawn(async move {
        tokio::time::sleep(after).await;
        store.expire_handoff(&handoff_id, clock.now());
    });
}

/// Optional body of `/tokens/generate` and `POST /conversations` (`TokenParameters`).
/// Lenient on purpose: DirectLineJS sends `{"user": {}, "locale": ...}` when it has no
/// user id, which must not fail the request.
#[derive(Debug, Default, Deserialize)]
struct TokenParameters {
    #[serde(default)]
    user: Option<UserParameter>,
}

/// The `user` of [`TokenParameters`]; every field optional.
#[derive(Debug, Default, Deserialize)]
struct UserParameter {
    #[serde(default)]
    id: Option<String>,
    #[serde(default)]
    name: Option<String>,
}

impl TokenParameters {
    /// The requested user, when it names an id.
    fn user(params: Option<Self>) -> Option<ChannelAccount> {
        let user = params?.user?;
        let id = user.id.filter(|id| !id.trim().is_empty())?;
        Some(ChannelAccount {
            id,
            name: user.name,
            role: None,
        })
    }
}

async fn generate_token(
    State(ep): State<Endpoint>,
    headers: HeaderMap,
    OptionalJson(params): OptionalJson<TokenParameters>,
) -> Result<Json<TokenResponse>> {
    let state = &ep.app;
    let now = state.clock.now();
    match ep.caller(Credential::bearer(&headers), now)? {
        Caller::Secret => {
            let user = TokenParameters::user(params);
            Ok(Json(token_response(state.store.create_conversation(
                ep.service,
                HandoffMode::default(),
                user,
                now,
            )?)))
        }
        Caller::Token { .. } => Err(AppError::Forbidden(
            "Tokens are generated with the secret; use /tokens/refresh with a token".into(),
        )),
    }
}

async fn refresh_token(
    State(ep): State<Endpoint>,
    headers: HeaderMap,
) -> Result<Json<TokenResponse>> {
    let state = &ep.app;
    let now = state.clock.now();
    match ep.caller(Credential::bearer(&headers), now)? {
        Caller::Token { grant, .. } => {
            let issued = state.store.issue_token(
                ep.service,
                &grant.conversation_id,
                Some(grant.user),
                now,
            )?;
            Ok(Json(token_response(issued)))
        }
        Caller::Secret => Err(AppError::Forbidden(
            "Only a token can be refreshed; the secret does not expire".into(),
        )),
    }
}

async fn start_conversation(
    State(ep): State<Endpoint>,
    headers: HeaderMap,
    OptionalJson(params): OptionalJson<TokenParameters>,
) -> Result<(StatusCode, Json<Conversation>)> {
    let now = ep.app.clock.now();
    let issued = match ep.caller(Credential::bearer(&headers), now)? {
        Caller::Secret => {
            let user = TokenParameters::user(params);
            ep.app
                .store
                .create_conversation(ep.service, HandoffMode::default(), user, now)?
        }
        // A token was issued together with its conversation: "starting" it just hands out
        // the stream URL.
        Caller::Token { token, grant } => Issued {
            expires_in: grant.expires_in(now),
            conversation_id: grant.conversation_id,
            token,
        },
    };
    let conversation = conversation_response(&ep, &headers, issued, None);
    Ok((StatusCode::CREATED, Json(conversation)))
}

async fn reconnect(
    State(ep): State<Endpoint>,
    headers: HeaderMap,
    Path(id): Path<String>,
    params: WatermarkParams,
) -> Result<Json<Conversation>> {
    let state = &ep.app;
    let now = state.clock.now();
    let caller = ep.caller_of(&id, Credential::bearer(&headers), now)?;
    let watermark = watermark(params)?;
    let issued = match caller {
        Caller::Secret => state.store.issue_token(ep.service, &id, None, now)?,
        Caller::Token { token, grant } => {
            if !state.store.contains(ep.service, &id) {
                return Err(AppError::ConversationNotFound(id));
            }
            Issued {
                expires_in: grant.expires_in(now),
                conversation_id: id,
                token,
            }
        }
    };
    Ok(Json(conversation_response(
        &ep, &headers, issued, watermark,
    )))
}

async fn post_activity(
    State(ep): State<Endpoint>,
    headers: HeaderMap,
    Path(id): Path<String>,
    ApiJson(activity): ApiJson<Activity>,
) -> Result<Json<ResourceResponse>> {
    // Core reads activities liberally (a missing `type` defaults to ""); the service is
    // exact about what a client posts, as Direct Line is.
    if activity.kind.is_empty() {
        return Err(AppError::MissingProperty("missing field `type`".into()));
    }
    crate::limits::check_text(activity.text.as_deref())?;
    let state = &ep.app;
    let now = state.clock.now();
    let caller = ep.caller_of(&id, Credential::bearer(&headers), now)?;
    // A token holder is its token's user, whatever `from` it sends: a visitor must not speak
    // as the bot, an agent or another visitor. The secret (a bot or backend) may name anyone.
    let mut activity = activity;
    let default_user = match caller {
        Caller::Token { grant, .. } => {
            activity.from = Some(ChannelAccount {
                role: Some(USER_ROLE.into()),
                ..grant.user.clone()
            });
            Some(grant.user)
        }
        Caller::Secret => None,
    };
    // Counted for `/_dev/stats` once accepted.
    let set_context =
        ep.service == Service::Bot && activity.is_event(crate::bot::SET_CONTEXT_EVENT);
    let origin = format!("http://{}", request_host(state, &headers));
    let posted =
        state
            .store
            .post_activity(ep.service, &id, activity, default_user, &origin, now)?;
    if set_context {
        state.stats.count_set_context();
    }
    arm_accept_timeouts(state, posted.new_handoffs);
    deliver_paced(state, ep.service, id, posted.paced);
    Ok(Json(ResourceResponse { id: posted.id }))
}

/// Appends the rest of a livestream, one piece every [`PACE`] (tokio timers, so tests can
/// pause and advance time). Stops if the conversation is gone.
fn deliver_paced(
    state: &AppState,
    service: Service,
    conversation_id: String,
    pieces: Vec<Activity>,
) {
    if pieces.is_empty() {
        return;
    }
    let store = std::sync::Arc::clone(&state.store);
    let clock = state.clock.clone();
    tokio::spawn(async move {
        for piece in pieces {
            tokio::time::sleep(PACE).await;
            if store
                .append_reply(service, &conversation_id, piece, clock.now())
                .is_err()
            {
                return;
            }
        }
    });
}

async fn get_activities(
    State(ep): State<Endpoint>,
    headers: HeaderMap,
    Path(id): Path<String>,
    params: WatermarkParams,
) -> Result<Json<ActivitySet>> {
    let state = &ep.app;
    let now = state.clock.now();
    ep.caller_of(&id, Credential::bearer(&headers), now)?;
    let watermark = watermark(params)?;
    Ok(Json(
        state.store.activities_after(ep.service, &id, watermark)?,
    ))
}

async fn unknown_endpoint(uri: Uri) -> AppError {
    AppError::UnknownEndpoint(uri.path().to_owned())
}

fn token_response(issued: Issued) -> TokenResponse {
    TokenResponse {
        token: issued.token,
        conversation_id: Some(issued.conversation_id),
        expires_in: Some(issued.expires_in),
    }
}

fn conversation_response(
    ep: &Endpoint,
    headers: &HeaderMap,
    issued: Issued,
    watermark: Option<u64>,
) -> Conversation {
    // A polling-only service (fault injection) hands out no stream URL.
    let stream_url =
        (!ep.app.faults.omit_stream_url()).then(|| stream_url(ep, headers, &issued, watermark));
    Conversation {
        conversation_id: issued.conversation_id,
        token: Some(issued.token),
        expires_in: Some(issued.expires_in),
        stream_url,
        reference_grammar_id: None,
    }
}

/// `ws://<host><base>/conversations/<id>/stream?t=<token>[&watermark=N]`, with the host the
/// client used (so it works through whatever address reached us).
fn stream_url(
    ep: &Endpoint,
    headers: &HeaderMap,
    issued: &Issued,
    watermark: Option<u64>,
) -> String {
    let host = request_host(&ep.app, headers);
    let mut url = format!(
        "ws://{host}{}/conversations/{}/stream?t={}",
        ep.base(),
        issued.conversation_id,
        issued.token
    );
    if let Some(w) = watermark {
        url.push_str(&format!("&watermark={w}"));
    }
    url
}

/// A Host header goes into a URL we hand out: accept host names, IPv4/IPv6 and a port only.
pub fn is_plain_host(host: &str) -> bool {
    !host.is_empty()
        && host
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':' | '[' | ']'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_plain_hosts_reach_the_stream_url() {
        assert!(is_plain_host("127.0.0.1:8080"));
        assert!(is_plain_host("[::1]:8080"));
        assert!(!is_plain_host("evil/path?x"));
        assert!(!is_plain_host(""));
    }
}
