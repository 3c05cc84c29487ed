//! Direct Line REST calls (fetch via gloo-net). Owns HTTP only: every function maps its
//! failure to a [`ChatError`] and never touches the session or the UI.

use gloo_net::http::{Request, RequestBuilder, Response};
use handoff_core::activity::{
    parse_activity_set, Activity, ActivitySet, Conversation, ErrorResponse, ResourceResponse,
    TokenResponse,
};
use handoff_core::error::ChatError;
use handoff_core::link::Endpoint;
use serde::de::DeserializeOwned;

/// `GET <token_url>`: the page's token endpoint (no secret in the page).
pub async fn fetch_token(token_url: &str) -> Result<TokenResponse, ChatError> {
    read(Request::get(token_url).send().await).await
}

/// `POST /conversations` with a token: starts (or joins) the token's conversation.
pub async fn start_conversation(base: &str, token: &str) -> Result<Conversation, ChatError> {
    let request = authorized(Request::post(&format!("{base}/conversations")), token);
    read(request.send().await).await
}

/// `POST /conversations/{id}/activities`.
pub async fn post_activity(
    base: &str,
    endpoint: &Endpoint,
    activity: &Activity,
) -> Result<ResourceResponse, ChatError> {
    let url = format!(
        "{base}/conversations/{}/activities",
        endpoint.conversation_id
    );
    let request = authorized(Request::post(&url), &endpoint.token)
        .json(activity)
        .map_err(|e| ChatError::BadResponse(e.to_string()))?;
    read(request.send().await).await
}

/// `GET /conversations/{id}/activities?watermark=`.
pub async fn get_activities(
    base: &str,
    endpoint: &Endpoint,
    watermark: Option<&str>,
) -> Result<ActivitySet, ChatError> {
    let mut url = format!(
        "{base}/conversations/{}/activities",
        endpoint.conversation_id
    );
    if let Some(w) = watermark {
        url.push_str("?watermark=");
        url.push_str(w);
    }
    let response = checked(authorized(Request::get(&url), &endpoint.token).send().await).await?;
    let text = response
        .text()
        .await
        .map_err(|e| ChatError::Network(e.to_string()))?;
    let (set, skipped) =
        parse_activity_set(&text).map_err(|e| ChatError::BadResponse(e.to_string()))?;
    super::log_skipped(skipped);
    Ok(set)
}

fn authorized(request: RequestBuilder, token: &str) -> RequestBuilder {
    request.header("Authorization", &format!("Bearer {token}"))
}

/// Turns a response into the expected body or a [`ChatError`].
async fn read<T: DeserializeOwned>(
    response: Result<Response, gloo_net::Error>,
) -> Result<T, ChatError> {
    let response = checked(response).await?;
    response
        .json::<T>()
        .await
        .map_err(|e| ChatError::BadResponse(e.to_string()))
}

/// Passes a successful response through; maps a failure to a [`ChatError`] carrying the
/// spec error text.
async fn checked(response: Result<Response, gloo_net::Error>) -> Result<Response, ChatError> {
    let response = response.map_err(|e| ChatError::Network(e.to_string()))?;
    if !response.ok() {
        let status = response.status();
        let message = match response.json::<ErrorResponse>().await {
            Ok(body) => format!("{}: {}", body.error.code, body.error.message),
            Err(_) => response.status_text(),
        };
        return Err(ChatError::Http { status, message });
    }
    Ok(response)
}
