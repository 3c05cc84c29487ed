//! Shared helpers of the integration tests: an app with a manual clock, JSON requests
//! through `oneshot`, and throw-away dist folders.

#![allow(dead_code, reason = "each test binary uses a different subset")]

use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use axum::body::Body;
use axum::http::{header, HeaderMap, Method, Request, StatusCode};
use axum::response::Response;
use devserver::{app, AppState, Clock, Config};
use http_body_util::BodyExt;
use serde_json::Value;
use tower::ServiceExt;

pub const SECRET: &str = "test-secret";
/// 2026-11-22T00:00:00Z: a fixed "now" for the manual clock.
pub const START: u64 = 1_795_305_600_000;

/// A dist folder under the system temp dir, removed on drop.
pub struct TempDist(pub PathBuf);

impl TempDist {
    pub fn new() -> Self {
        static N: AtomicUsize = AtomicUsize::new(0);
        let dir = std::env::temp_dir().join(format!(
            "devserver-test-{}-{}",
            std::process::id(),
            N.fetch_add(1, Ordering::SeqCst)
        ));
        std::fs::create_dir_all(&dir).unwrap();
        Self(dir)
    }

    pub fn write(&self, name: &str, contents: &[u8]) {
        std::fs::write(self.0.join(name), contents).unwrap();
    }
}

impl Drop for TempDist {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// The app under test with a manual clock.
pub struct TestApp {
    pub state: AppState,
    pub clock: Clock,
}

/// A parsed response.
pub struct Reply {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub json: Value,
}

impl TestApp {
    pub fn new() -> Self {
        Self::with_config(config(PathBuf::from("/nonexistent-dist")))
    }

    pub fn with_config(config: Config) -> Self {
        let clock = Clock::manual(START);
        Self {
            state: AppState::with_clock(config, clock.clone()),
            clock,
        }
    }

    /// The app as `main` builds it (restored from `config.state_file` when set), with a
    /// manual clock at `now`.
    pub fn open(config: Config, now: u64) -> Self {
        let clock = Clock::manual(now);
        Self {
            state: AppState::open(config, clock.clone()).expect("state file readable"),
            clock,
        }
    }

    /// `POST /_dev/faults` with `body`; asserts it was accepted.
    pub async fn arm(&self, body: Value) -> Value {
        let reply = self
            .call(Method::POST, "/_dev/faults", None, Some(body))
            .await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.json);
        reply.json
    }

    /// Sends a raw request to a fresh router over the shared state.
    pub async fn send(&self, request: Request<Body>) -> Response {
        app(self.state.clone()).oneshot(request).await.unwrap()
    }

    /// Sends a JSON (or empty) request with an optional Bearer credential.
    pub async fn call(
        &self,
        method: Method,
        uri: &str,
        bearer: Option<&str>,
        body: Option<Value>,
    ) -> Reply {
        let mut builder = Request::builder()
            .method(method)
            .uri(uri)
            .header(header::HOST, "127.0.0.1:8080");
        if let Some(credential) = bearer {
            builder = builder.header(header::AUTHORIZATION, format!("Bearer {credential}"));
        }
        let body = match body {
            Some(json) => {
                builder = builder.header(header::CONTENT_TYPE, "application/json");
                Body::from(json.to_string())
            }
            None => Body::empty(),
        };
        reply(self.send(builder.body(body).unwrap()).await).await
    }

    /// A token and conversation from `/tokens/generate`.
    pub async fn token(&self) -> (String, String) {
        let reply = self
            .call(
                Method::POST,
                "/v3/directline/tokens/generate",
                Some(SECRET),
                None,
            )
            .await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.json);
        (
            reply.json["conversationId"].as_str().unwrap().to_owned(),
            reply.json["token"].as_str().unwrap().to_owned(),
        )
    }

    /// Posts an activity and returns its id.
    pub async fn post(&self, conversation: &str, token: &str, activity: Value) -> String {
        let reply = self
            .call(
                Method::POST,
                &format!("/v3/directline/conversations/{conversation}/activities"),
                Some(token),
                Some(activity),
            )
            .await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.json);
        reply.json["id"].as_str().unwrap().to_owned()
    }

    /// `GET .../activities[?watermark=]`.
    pub async fn activities(
        &self,
        conversation: &str,
        token: &str,
        watermark: Option<&str>,
    ) -> Value {
        let query = watermark.map_or(String::new(), |w| format!("?watermark={w}"));
        let reply = self
            .call(
                Method::GET,
                &format!("/v3/directline/conversations/{conversation}/activities{query}"),
                Some(token),
                None,
            )
            .await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.json);
        reply.json
    }
}

/// Test configuration: known secret, 60 s tokens, keep-alive off unless a test wants it.
pub fn config(dist: PathBuf) -> Config {
    Config {
        port: 8080,
        dist,
        secret: SECRET.into(),
        token_lifetime: Duration::from_secs(60),
        keepalive: Duration::ZERO,
        accept_timeout: Duration::from_secs(120),
        state_file: None,
    }
}

/// Reads a response; the body as JSON, or as a JSON string when it is not JSON.
pub async fn reply(response: Response) -> Reply {
    let status = response.status();
    let headers = response.headers().clone();
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    let json = serde_json::from_slice(&bytes)
        .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&bytes).into_owned()));
    Reply {
        status,
        headers,
        json,
    }
}

/// A text message as a client posts it.
pub fn message(text: &str) -> Value {
    serde_json::json!({"type": "message", "text": text, "from": {"id": "dl_visitor"}})
}

/// Mount point of the bot's Direct Line endpoint.
pub const BOT: &str = "/v3/directline";
/// Mount point of the hub's Direct Line-style endpoint.
pub const HUB: &str = "/hub/v3/directline";

/// A visitor's conversation on one endpoint, acting through its token.
#[derive(Debug, Clone)]
pub struct Visitor {
    pub base: &'static str,
    pub conv: String,
    pub token: String,
}

impl TestApp {
    /// A conversation from a page token endpoint (`/api/directline/token[?handoff=..]` for
    /// the bot, `/hub/api/token` for the hub).
    pub async fn visitor(&self, token_path: &str) -> Visitor {
        let reply = self.call(Method::GET, token_path, None, None).await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.json);
        let base = if token_path.starts_with("/hub/") {
            HUB
        } else {
            BOT
        };
        Visitor {
            base,
            conv: reply.json["conversationId"].as_str().unwrap().to_owned(),
            token: reply.json["token"].as_str().unwrap().to_owned(),
        }
    }

    /// Posts an activity as the visitor; the id.
    pub async fn post_as(&self, visitor: &Visitor, activity: Value) -> String {
        let reply = self
            .call(
                Method::POST,
                &format!("{}/conversations/{}/activities", visitor.base, visitor.conv),
                Some(&visitor.token),
                Some(activity),
            )
            .await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.json);
        reply.json["id"].as_str().unwrap().to_owned()
    }

    /// Every activity of the visitor's conversation.
    pub async fn history(&self, visitor: &Visitor) -> Vec<Value> {
        let reply = self
            .call(
                Method::GET,
                &format!("{}/conversations/{}/activities", visitor.base, visitor.conv),
                Some(&visitor.token),
                None,
            )
            .await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.json);
        reply.json["activities"].as_array().unwrap().clone()
    }

    /// Signs an agent in; the agent id.
    pub async fn agent(&self, name: &str) -> String {
        let reply = self
            .call(
                Method::POST,
                "/agent/api/agents",
                None,
                Some(serde_json::json!({ "name": name })),
            )
            .await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.json);
        assert_eq!(reply.json["name"], name);
        reply.json["agentId"].as_str().unwrap().to_owned()
    }

    /// `GET /agent/api/queue`'s waiting list.
    pub async fn waiting(&self) -> Vec<Value> {
        let reply = self.call(Method::GET, "/agent/api/queue", None, None).await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.json);
        reply.json["waiting"].as_array().unwrap().clone()
    }

    /// `POST /agent/api/handoffs/{id}/{action}` with `{"agentId", ...extra}`.
    pub async fn agent_post(
        &self,
        handoff: &str,
        action: &str,
        agent: &str,
        extra: Value,
    ) -> Reply {
        let mut body = serde_json::json!({ "agentId": agent });
        if let (Some(body), Value::Object(extra)) = (body.as_object_mut(), extra) {
            body.extend(extra);
        }
        self.call(
            Method::POST,
            &format!("/agent/api/handoffs/{handoff}/{action}"),
            None,
            Some(body),
        )
        .await
    }

    /// `GET /agent/api/handoffs/{id}?agentId=`.
    pub async fn detail(&self, handoff: &str, agent: &str) -> Reply {
        self.call(
            Method::GET,
            &format!("/agent/api/handoffs/{handoff}?agentId={agent}"),
            None,
            None,
        )
        .await
    }
}

/// A visitor-posted event.
pub fn event(name: &str, value: Value) -> Value {
    serde_json::json!({"type": "event", "name": name, "value": value})
}

/// The activities of `history` that are events named `name`.
pub fn events<'a>(history: &'a [Value], name: &str) -> Vec<&'a Value> {
    history
        .iter()
        .filter(|a| a["type"] == "event" && a["name"] == name)
        .collect()
}

/// Texts of the messages in `history` sent by `from_id`.
pub fn texts_from<'a>(history: &'a [Value], from_id: &str) -> Vec<&'a str> {
    history
        .iter()
        .filter(|a| a["type"] == "message" && a["from"]["id"] == from_id)
        .filter_map(|a| a["text"].as_str())
        .collect()
}
