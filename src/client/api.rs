//! Direct Line REST calls over the browser's `fetch` (web-sys directly: gloo-net's HTTP
//! layer brought a stream adapter and an HTTP types crate this widget never uses). Owns HTTP
//! only: every function maps its failure to a [`ChatError`] and never touches the session.

use handoff_core::activity::{
    parse_activity_set, parse_answer, Activity, ActivitySet, Conversation, ErrorResponse,
    ResourceResponse, TokenResponse,
};
use handoff_core::error::ChatError;
use handoff_core::link::Endpoint;
use handoff_core::session::REQUEST_TIMEOUT_MS;
use serde::de::DeserializeOwned;
use wasm_bindgen::prelude::wasm_bindgen;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

#[wasm_bindgen]
extern "C" {
    /// `AbortSignal.timeout(ms)`. An error where the browser lacks it (Safari before 16):
    /// requests then go without a timeout, as before.
    #[wasm_bindgen(catch, js_namespace = AbortSignal, js_name = timeout)]
    fn abort_after(ms: u32) -> Result<web_sys::AbortSignal, JsValue>;
}

/// `GET <token_url>`: the page's token endpoint (no secret in the page).
pub async fn fetch_token(token_url: &str) -> Result<TokenResponse, ChatError> {
    parse(&request("GET", token_url, None, None).await?)
}

/// `POST /tokens/generate` with a Direct Line secret (local testing only: the page then
/// holds the secret).
pub async fn generate_token(base: &str, secret: &str) -> Result<TokenResponse, ChatError> {
    parse(
        &request(
            "POST",
            &format!("{base}/tokens/generate"),
            Some(secret),
            None,
        )
        .await?,
    )
}

/// Copilot Studio's regional Direct Line base URL, from `regionalchannelsettings`.
pub async fn discover_directline(settings_url: &str) -> Result<String, ChatError> {
    let body = request("GET", settings_url, None, None).await?;
    handoff_core::config::regional_directline(&body).ok_or_else(|| {
        ChatError::BadResponse("regionalchannelsettings names no Direct Line URL".into())
    })
}

/// `POST /conversations` with a token: starts (or joins) the token's conversation.
pub async fn start_conversation(base: &str, token: &str) -> Result<Conversation, ChatError> {
    parse(&request("POST", &format!("{base}/conversations"), Some(token), None).await?)
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
    let body =
        serde_json::to_string(activity).map_err(|e| ChatError::BadResponse(e.to_string()))?;
    parse(&request("POST", &url, Some(&endpoint.token), Some(body)).await?)
}

/// `GET /conversations/{id}?watermark=`: reconnect, for a fresh streamUrl.
pub async fn reconnect(
    base: &str,
    endpoint: &Endpoint,
    watermark: Option<&str>,
) -> Result<Conversation, ChatError> {
    let mut url = format!("{base}/conversations/{}", endpoint.conversation_id);
    if let Some(w) = watermark {
        url.push_str("?watermark=");
        url.push_str(w);
    }
    parse(&request("GET", &url, Some(&endpoint.token), None).await?)
}

/// `POST /tokens/refresh`: a new token for the same conversation.
pub async fn refresh_token(base: &str, endpoint: &Endpoint) -> Result<TokenResponse, ChatError> {
    parse(
        &request(
            "POST",
            &format!("{base}/tokens/refresh"),
            Some(&endpoint.token),
            None,
        )
        .await?,
    )
}

/// `GET /conversations/{id}/activities?watermark=`; malformed activities are skipped.
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
    let text = request("GET", &url, Some(&endpoint.token), None).await?;
    let (set, skipped) =
        parse_activity_set(&text).map_err(|e| ChatError::BadResponse(e.to_string()))?;
    super::log_skipped(skipped);
    Ok(set)
}

/// Reads a JSON answer liberally (an empty 200 or 204 body gives the defaults).
fn parse<T: DeserializeOwned>(text: &str) -> Result<T, ChatError> {
    parse_answer(text).map_err(|e| ChatError::BadResponse(e.to_string()))
}

/// Sends one request and returns the body of a 2xx answer; any other answer becomes a
/// [`ChatError`] carrying the spec's error code and message when the body has them.
async fn request(
    method: &str,
    url: &str,
    token: Option<&str>,
    json: Option<String>,
) -> Result<String, ChatError> {
    let network = |e: JsValue| match e.dyn_ref::<js_sys::Error>() {
        Some(error) => ChatError::Network(error.message().into()),
        None => ChatError::Network(e.as_string().unwrap_or_default()),
    };
    let init = web_sys::RequestInit::new();
    init.set_method(method);
    // Every request answers: one hanging longer is aborted, a network error core retries.
    if let Ok(signal) = abort_after(REQUEST_TIMEOUT_MS as u32) {
        init.set_signal(Some(&signal));
    }
    let headers = web_sys::Headers::new().map_err(network)?;
    if let Some(token) = token {
        headers
            .set("Authorization", &format!("Bearer {token}"))
            .map_err(network)?;
    }
    if let Some(json) = json {
        headers
            .set("Content-Type", "application/json")
            .map_err(network)?;
        init.set_body(&JsValue::from_str(&json));
    }
    init.set_headers(&headers);
    let window = web_sys::window().ok_or_else(|| ChatError::Network("no window".into()))?;
    let response: web_sys::Response = JsFuture::from(window.fetch_with_str_and_init(url, &init))
        .await
        .map_err(network)?
        .unchecked_into();
    let text = JsFuture::from(response.text().map_err(network)?)
        .await
        .map_err(network)?
        .as_string()
        .unwrap_or_default();
    if response.ok() {
        return Ok(text);
    }
    if response.status() == 429 {
        let seconds = response
            .headers()
            .get("Retry-After")
            .ok()
            .flatten()
            .and_then(|v| v.trim().parse::<u64>().ok());
        return Err(ChatError::Throttled {
            retry_after_ms: seconds.map(|s| s.saturating_mul(1000)),
        });
    }
    let message = match serde_json::from_str::<ErrorResponse>(&text) {
        Ok(body) => format!("{}: {}", body.error.code, body.error.message),
        Err(_) => response.status_text(),
    };
    Err(ChatError::Http {
        status: response.status(),
        message,
    })
}
