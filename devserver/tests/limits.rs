//! How much one client may send: bodies over 64 KB and texts over 16 KB get 413 with the
//! Direct Line error body, JSON nested deeper than 32 levels is refused (so `--state`
//! always reopens), a stream closes on a client message over 4 KB, and creating tokens and
//! conversations is rate limited per client (429 with `Retry-After`).
#![allow(clippy::unwrap_used, reason = "tests: a panic is the failure report")]

mod common;

use std::path::PathBuf;

use axum::http::{header, Method, StatusCode};
use common::ws::{connect, serve, WAIT};
use common::{assert_error, config, TestApp, BOT, START};
use devserver::limits::{MAX_BODY_BYTES, MAX_JSON_DEPTH, MAX_TEXT_BYTES, MAX_WS_MESSAGE_BYTES};
use futures_util::{SinkExt, StreamExt};
use serde_json::{json, Value};
use tokio::time::timeout;
use tokio_tungstenite::tungstenite::Message;

/// `{"type": "message", "text": text}` posted as the visitor of `conv`, as answered.
async fn post_text(app: &TestApp, conv: &str, token: &str, text: String) -> common::Reply {
    let uri = format!("{BOT}/conversations/{conv}/activities");
    let activity = json!({"type": "message", "text": text});
    app.call(Method::POST, &uri, Some(token), Some(activity))
        .await
}

/// An event whose value is nested `depth` levels deep (the activity itself is one more).
fn nested_event(depth: usize) -> Value {
    let mut value = json!("bottom");
    for _ in 0..depth {
        value = json!([value]);
    }
    json!({"type": "event", "name": "deep", "value": value})
}

#[tokio::test]
async fn an_oversized_message_gets_413() {
    let app = TestApp::new();
    let (conv, token) = app.token().await;
    let at_limit = post_text(&app, &conv, &token, "a".repeat(MAX_TEXT_BYTES)).await;
    assert_eq!(at_limit.status, StatusCode::OK, "{}", at_limit.json);
    let long = post_text(&app, &conv, &token, "a".repeat(MAX_TEXT_BYTES + 1)).await;
    assert_error(&long, StatusCode::PAYLOAD_TOO_LARGE, "BadArgument");
    // A body over 64 KB is not even read, wherever it goes.
    let huge = post_text(&app, &conv, &token, "a".repeat(MAX_BODY_BYTES)).await;
    assert_error(&huge, StatusCode::PAYLOAD_TOO_LARGE, "BadArgument");
    let body = json!({"name": "a".repeat(MAX_BODY_BYTES)});
    let agent = app
        .call(Method::POST, "/agent/api/agents", None, Some(body))
        .await;
    assert_error(&agent, StatusCode::PAYLOAD_TOO_LARGE, "BadArgument");
    // Only the accepted message was stored.
    let stored = app.activities(&conv, &token, None).await;
    let texts = common::texts(&stored["activities"]);
    assert!(texts.iter().all(|t| t.len() <= MAX_TEXT_BYTES));
}

#[tokio::test]
async fn a_deeply_nested_body_is_refused_and_the_state_file_reopens() {
    let dir = common::TempDist::new();
    let mut cfg = config(PathBuf::from("/nonexistent-dist"));
    cfg.state_file = Some(dir.0.join("state.json"));
    let app = TestApp::open(cfg.clone(), START);
    let visitor = app.visitor("/api/directline/token").await;
    let uri = format!("{BOT}/conversations/{}/activities", visitor.conv);
    let bearer = Some(visitor.token.as_str());
    for depth in [MAX_JSON_DEPTH, 120] {
        let event = nested_event(depth);
        let refused = app.call(Method::POST, &uri, bearer, Some(event)).await;
        assert_error(&refused, StatusCode::BAD_REQUEST, "BadArgument");
    }
    // Far deeper than any parser's recursion (written out: a `Value` that deep would
    // overflow this test's own stack).
    let deep = format!(
        r#"{{"type": "event", "name": "deep", "value": {}{}}}"#,
        "[".repeat(20_000),
        "]".repeat(20_000)
    );
    let auth = format!("Bearer {}", visitor.token);
    let headers = [
        (header::HOST, "127.0.0.1:8080"),
        (header::AUTHORIZATION, auth.as_str()),
        (header::CONTENT_TYPE, "application/json"),
    ];
    let refused = app.raw(Method::POST, &uri, &headers, &deep).await;
    assert_error(&refused, StatusCode::BAD_REQUEST, "BadArgument");
    // The deepest accepted event is stored and the file still reads back.
    let deepest = nested_event(MAX_JSON_DEPTH - 1);
    let accepted = app.call(Method::POST, &uri, bearer, Some(deepest)).await;
    assert_eq!(accepted.status, StatusCode::OK, "{}", accepted.json);
    let saved = app.history(&visitor).await;
    let reopened = TestApp::open(cfg, START);
    assert_eq!(reopened.history(&visitor).await, saved);
    assert_eq!(common::events(&saved, "deep").len(), 1);
}

#[tokio::test]
async fn a_stream_closes_on_an_oversized_client_message() {
    let (app, port) = serve(TestApp::new()).await;
    let (conv, token) = app.token().await;
    let url = format!("ws://127.0.0.1:{port}{BOT}/conversations/{conv}/stream?t={token}");
    let mut small = connect(&url).await;
    small.send(Message::text("x".repeat(100))).await.unwrap();
    let mut socket = connect(&url).await;
    let big = "x".repeat(MAX_WS_MESSAGE_BYTES + 1);
    let _ = socket.send(Message::text(big)).await;
    let ended = timeout(WAIT, async {
        loop {
            match socket.next().await {
                None | Some(Err(_)) | Some(Ok(Message::Close(_))) => return,
                Some(Ok(_)) => continue,
            }
        }
    })
    .await;
    assert!(ended.is_ok(), "the stream stayed open");
    // The other stream is still served.
    app.post(&conv, &token, common::message("hi")).await;
    let set = common::ws::next_set(&mut small).await;
    assert_eq!(set["activities"][0]["text"], "hi");
}

#[tokio::test]
async fn creating_too_many_tokens_and_conversations_gets_429_with_retry_after() {
    use devserver::ratelimit::{BURST, REFILL_MS};
    let app = TestApp::new();
    for _ in 0..BURST / 2 {
        app.get("/api/directline/token").await.ok();
        app.start(BOT, common::SECRET).await;
    }
    for path in ["/api/directline/token", "/hub/api/token"] {
        let refused = app.get(path).await;
        assert_error(&refused, StatusCode::TOO_MANY_REQUESTS, "TooManyRequests");
        assert_eq!(refused.headers[header::RETRY_AFTER], "1");
    }
    let uri = format!("{BOT}/tokens/generate");
    let refused = app
        .call(Method::POST, &uri, Some(common::SECRET), None)
        .await;
    assert_error(&refused, StatusCode::TOO_MANY_REQUESTS, "TooManyRequests");
    // What does not create anything is not limited.
    assert!(app.waiting().await.is_empty());
    // After the wait, one more.
    app.clock.advance(REFILL_MS);
    app.get("/api/directline/token").await.ok();
    let refused = app.get("/api/directline/token").await;
    assert_eq!(refused.status, StatusCode::TOO_MANY_REQUESTS);
}
