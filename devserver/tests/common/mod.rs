//! Shared helpers of the integration tests: an app with a manual clock; the Direct Line,
//! fault and console requests the tests make through `oneshot`, either as answered (a
//! [`Reply`]) or checked (the part of the answer a test needs); the Direct Line error shape;
//! activity builders and filters; throw-away dist folders. [`hub`]: the agent console's
//! requests and handoff fixtures. [`ws`]: the app on a real port and a WebSocket client of
//! its streams.

#![allow(dead_code, reason = "each test binary uses a different subset")]

pub mod hub;
pub mod ws;

use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use axum::body::Body;
use axum::http::{header, HeaderMap, Method, Request, StatusCode};
use axum::response::Response;
use devserver::{app, AppState, Clock, Config};
use http_body_util::BodyExt;
use serde_json::{json, Value};
use tower::ServiceExt;

pub const SECRET: &str = "test-secret";
/// 2026-11-22T00:00:00Z: a fixed "now" for the manual clock.
pub const START: u64 = 1_795_305_600_000;
/// Mount point of the bot's Direct Line endpoint.
pub const BOT: &str = "/v3/directline";
/// Mount point of the hub's Direct Line-style endpoint.
pub const HUB: &str = "/hub/v3/directline";

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
        faults: false,
    }
}

/// A parsed response.
pub struct Reply {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub json: Value,
}

impl Reply {
    /// The body of a 200 answer (fails the test on any other status).
    #[track_caller]
    pub fn ok(self) -> Value {
        assert_eq!(self.status, StatusCode::OK, "{}", self.json);
        self.json
    }

    /// The `Content-Type` header ("" when absent).
    pub fn content_type(&self) -> &str {
        self.headers
            .get(header::CONTENT_TYPE)
            .map_or("", |v| v.to_str().unwrap())
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

/// A Direct Line error answer: the status, `{"error": {"code", "message"}}`, JSON.
#[track_caller]
pub fn assert_error(reply: &Reply, status: StatusCode, code: &str) {
    assert_eq!(reply.status, status, "{}", reply.json);
    assert_eq!(reply.json["error"]["code"], code, "{}", reply.json);
    assert!(reply.json["error"]["message"].is_string(), "{}", reply.json);
    assert_eq!(reply.headers[header::CONTENT_TYPE], "application/json");
}

/// The app under test with a manual clock.
pub struct TestApp {
    pub state: AppState,
    pub clock: Clock,
    /// The session of an agent signed in only to read the queue (see `hub.rs`).
    pub watcher: std::sync::OnceLock<String>,
}

/// A visitor's conversation on one endpoint, acting through its token.
#[derive(Debug, Clone)]
pub struct Visitor {
    pub base: &'static str,
    pub conv: String,
    pub token: String,
}

impl TestApp {
    pub fn new() -> Self {
        Self::with_config(config(PathBuf::from("/nonexistent-dist")))
    }

    /// The app as `devserver --faults` serves it: with `/_dev/faults`.
    pub fn with_faults() -> Self {
        Self::with_config(Config {
            faults: true,
            ..config(PathBuf::from("/nonexistent-dist"))
        })
    }

    pub fn with_config(config: Config) -> Self {
        let clock = Clock::manual(START);
        Self {
            state: AppState::with_clock(config, clock.clone()),
            clock,
            watcher: std::sync::OnceLock::new(),
        }
    }

    /// The app as `main` builds it (restored from `config.state_file` when set), with a
    /// manual clock at `now`.
    pub fn open(config: Config, now: u64) -> Self {
        let clock = Clock::manual(now);
        Self {
            state: AppState::open(config, clock.clone()).expect("state file readable"),
            clock,
            watcher: std::sync::OnceLock::new(),
        }
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
        self.call_with(method, uri, bearer, &[], body).await
    }

    /// [`TestApp::call`] with more headers.
    pub async fn call_with(
        &self,
        method: Method,
        uri: &str,
        bearer: Option<&str>,
        headers: &[(&str, &str)],
        body: Option<Value>,
    ) -> Reply {
        let mut builder = Request::builder()
            .method(method)
            .uri(uri)
            .header(header::HOST, "127.0.0.1:8080");
        for (name, value) in headers {
            builder = builder.header(*name, *value);
        }
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

    /// A raw request: `headers` as given (no Host unless named), `body` as is.
    pub async fn raw(
        &self,
        method: Method,
        uri: &str,
        headers: &[(header::HeaderName, &str)],
        body: &str,
    ) -> Reply {
        let mut builder = Request::builder().method(method).uri(uri);
        for (name, value) in headers {
            builder = builder.header(name, *value);
        }
        let request = builder.body(Body::from(body.to_owned())).unwrap();
        reply(self.send(request).await).await
    }

    /// `GET uri` without credentials.
    pub async fn get(&self, uri: &str) -> Reply {
        self.call(Method::GET, uri, None, None).await
    }

    /// `GET uri` without credentials: status, content type and the raw body (files).
    pub async fn get_bytes(&self, uri: &str) -> (StatusCode, String, Vec<u8>) {
        let response = self
            .send(Request::get(uri).body(Body::empty()).unwrap())
            .await;
        let status = response.status();
        let content_type = response
            .headers()
            .get(header::CONTENT_TYPE)
            .map_or(String::new(), |v| v.to_str().unwrap().to_owned());
        let bytes = response.into_body().collect().await.unwrap().to_bytes();
        (status, content_type, bytes.to_vec())
    }

    /// `GET uri` without credentials, from a client that reached the server as `host`.
    pub async fn get_via(&self, host: &str, uri: &str) -> Reply {
        let request = Request::get(uri)
            .header(header::HOST, host)
            .body(Body::empty())
            .unwrap();
        reply(self.send(request).await).await
    }

    /// `DELETE uri` without credentials.
    pub async fn delete(&self, uri: &str) -> Reply {
        self.call(Method::DELETE, uri, None, None).await
    }

    // ---- faults --------------------------------------------------------------------------

    /// `POST /_dev/faults` with `body`, as answered.
    pub async fn try_arm(&self, body: Value) -> Reply {
        self.call(Method::POST, "/_dev/faults", None, Some(body))
            .await
    }

    /// `POST /_dev/faults` with `body`; asserts it was accepted.
    pub async fn arm(&self, body: Value) -> Value {
        self.try_arm(body).await.ok()
    }

    /// `POST /_dev/faults/drop-streams` with `body` (none when `None`), as answered.
    pub async fn try_drop_streams(&self, body: Option<Value>) -> Reply {
        self.call(Method::POST, "/_dev/faults/drop-streams", None, body)
            .await
    }

    /// `POST /_dev/faults/drop-streams` with `body`; how many streams it ended.
    pub async fn drop_streams(&self, body: Value) -> u64 {
        let json = self.try_drop_streams(Some(body)).await.ok();
        json["dropped"].as_u64().unwrap()
    }

    // ---- Direct Line ---------------------------------------------------------------------

    /// A token and conversation from `/tokens/generate`.
    pub async fn token(&self) -> (String, String) {
        let uri = format!("{BOT}/tokens/generate");
        let json = self.call(Method::POST, &uri, Some(SECRET), None).await.ok();
        (
            json["conversationId"].as_str().unwrap().to_owned(),
            json["token"].as_str().unwrap().to_owned(),
        )
    }

    /// `POST {base}/conversations` with `bearer`, as answered.
    pub async fn start(&self, base: &str, bearer: &str) -> Reply {
        let uri = format!("{base}/conversations");
        self.call(Method::POST, &uri, Some(bearer), None).await
    }

    /// `GET /v3/directline/conversations/{conv}[?watermark=]` (a client's reconnect), as
    /// answered.
    pub async fn reconnect(&self, conv: &str, bearer: &str, watermark: Option<&str>) -> Reply {
        let query = watermark.map_or(String::new(), |w| format!("?watermark={w}"));
        let uri = format!("{BOT}/conversations/{conv}{query}");
        self.call(Method::GET, &uri, Some(bearer), None).await
    }

    /// `POST /v3/directline/tokens/refresh` with `bearer`, as answered.
    pub async fn refresh(&self, bearer: &str) -> Reply {
        let uri = format!("{BOT}/tokens/refresh");
        self.call(Method::POST, &uri, Some(bearer), None).await
    }

    /// `GET {base}/conversations/{conv}/activities[?watermark=]`, as answered.
    pub async fn list(
        &self,
        base: &str,
        conv: &str,
        bearer: &str,
        watermark: Option<&str>,
    ) -> Reply {
        let query = watermark.map_or(String::new(), |w| format!("?watermark={w}"));
        let uri = format!("{base}/conversations/{conv}/activities{query}");
        self.call(Method::GET, &uri, Some(bearer), None).await
    }

    /// `POST {base}/conversations/{conv}/activities`; the id.
    async fn post_to(&self, base: &str, conv: &str, bearer: &str, activity: Value) -> String {
        let uri = format!("{base}/conversations/{conv}/activities");
        let json = self
            .call(Method::POST, &uri, Some(bearer), Some(activity))
            .await
            .ok();
        json["id"].as_str().unwrap().to_owned()
    }

    /// Posts an activity to a bot conversation; its id.
    pub async fn post(&self, conversation: &str, token: &str, activity: Value) -> String {
        self.post_to(BOT, conversation, token, activity).await
    }

    /// `GET .../activities[?watermark=]` of a bot conversation: the activity set.
    pub async fn activities(
        &self,
        conversation: &str,
        token: &str,
        watermark: Option<&str>,
    ) -> Value {
        self.list(BOT, conversation, token, watermark).await.ok()
    }

    /// A conversation from a page token endpoint (`/api/directline/token[?handoff=..]` for
    /// the bot, `/hub/api/token` for the hub).
    pub async fn visitor(&self, token_path: &str) -> Visitor {
        let json = self.get(token_path).await.ok();
        let base = if token_path.starts_with("/hub/") {
            HUB
        } else {
            BOT
        };
        Visitor {
            base,
            conv: json["conversationId"].as_str().unwrap().to_owned(),
            token: json["token"].as_str().unwrap().to_owned(),
        }
    }

    /// Posts an activity as the visitor; the id.
    pub async fn post_as(&self, visitor: &Visitor, activity: Value) -> String {
        self.post_to(visitor.base, &visitor.conv, &visitor.token, activity)
            .await
    }

    /// The visitor's `GET .../activities`, as answered.
    pub async fn list_as(&self, visitor: &Visitor) -> Reply {
        self.list(visitor.base, &visitor.conv, &visitor.token, None)
            .await
    }

    /// Every activity of the visitor's conversation.
    pub async fn history(&self, visitor: &Visitor) -> Vec<Value> {
        let json = self.list_as(visitor).await.ok();
        json["activities"].as_array().unwrap().clone()
    }
}

// ---- activities ----------------------------------------------------------------------------

/// A text message as a client posts it.
pub fn message(text: &str) -> Value {
    json!({"type": "message", "text": text, "from": {"id": "dl_visitor"}})
}

/// A visitor-posted event.
pub fn event(name: &str, value: Value) -> Value {
    json!({"type": "event", "name": name, "value": value})
}

/// Survey answers for `first last` (`first@example.com`, case `CAS-01234`).
pub fn survey(first: &str, last: &str) -> Value {
    json!({"firstName": first, "lastName": last,
           "email": format!("{}@example.com", first.to_lowercase()), "caseNumber": "CAS-01234"})
}

/// The activities of `history` that are events named `name`.
pub fn events<'a>(history: &'a [Value], name: &str) -> Vec<&'a Value> {
    history
        .iter()
        .filter(|a| a["type"] == "event" && a["name"] == name)
        .collect()
}

/// The values of the events named `name` in `history`.
pub fn event_values(history: &[Value], name: &str) -> Vec<Value> {
    events(history, name)
        .into_iter()
        .map(|e| e["value"].clone())
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

/// The activities of `history` that answer the activity `id` (`replyToId`), in order.
pub fn replies_to<'a>(history: &'a [Value], id: &str) -> Vec<&'a Value> {
    history.iter().filter(|a| a["replyToId"] == id).collect()
}

/// The `type` of every item of `items` (activities, card elements, actions).
pub fn types<'a>(items: impl IntoIterator<Item = &'a Value>) -> Vec<&'a str> {
    items
        .into_iter()
        .map(|item| item["type"].as_str().unwrap())
        .collect()
}

/// The `text` of every activity in `activities` that has one.
pub fn texts(activities: &Value) -> Vec<&str> {
    activities
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|a| a["text"].as_str())
        .collect()
}

/// The `id` of every activity in `activities`.
pub fn ids(activities: &Value) -> Vec<&str> {
    activities
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["id"].as_str().unwrap())
        .collect()
}

/// `<conversationId>|0000001`: the activity id the service gives the `seq`-th activity.
pub fn activity_id(conv: &str, seq: usize) -> String {
    format!("{conv}|{seq:07}")
}

/// The ids of the `seqs`-th activities of `conv`.
pub fn activity_ids(conv: &str, seqs: std::ops::RangeInclusive<usize>) -> Vec<String> {
    seqs.map(|n| activity_id(conv, n)).collect()
}
