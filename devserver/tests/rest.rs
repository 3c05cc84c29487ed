//! The bot's Direct Line REST endpoints through `app(...).oneshot(...)`: tokens,
//! conversations, activities, watermarks, auth failures. Faults: `faults.rs`; CORS and
//! static files: `site.rs`; what the bot answers: `bot.rs`.
#![allow(clippy::unwrap_used, reason = "tests: a panic is the failure report")]

mod common;

use axum::body::Body;
use axum::http::{header, Method, Request, StatusCode};
use common::{
    activity_id, activity_ids, assert_error, config, ids, message, reply, Reply, TestApp, BOT,
    SECRET,
};
use serde_json::{json, Value};

/// POSTs `body` as it is, with a Bearer credential (and `Content-Type: application/json`
/// when `json`).
async fn post_raw(app: &TestApp, uri: &str, bearer: &str, body: &'static str, json: bool) -> Reply {
    let mut request = Request::post(uri).header(header::AUTHORIZATION, format!("Bearer {bearer}"));
    if json {
        request = request.header(header::CONTENT_TYPE, "application/json");
    }
    reply(app.send(request.body(Body::from(body)).unwrap()).await).await
}

/// The requests that name a conversation: reconnect, read and post.
fn conversation_requests(conv: &str) -> [(Method, String, Option<Value>); 3] {
    let path = format!("{BOT}/conversations/{conv}");
    [
        (Method::GET, path.clone(), None),
        (Method::GET, format!("{path}/activities"), None),
        (
            Method::POST,
            format!("{path}/activities"),
            Some(message("hi")),
        ),
    ]
}

// ---- tokens ----------------------------------------------------------------------------

#[tokio::test]
async fn generate_token_needs_the_secret() {
    let app = TestApp::new();
    let path = &format!("{BOT}/tokens/generate");
    let none = app.call(Method::POST, path, None, None).await;
    assert_error(&none, StatusCode::UNAUTHORIZED, "BadArgument");
    let wrong = app
        .call(Method::POST, path, Some("not-the-secret"), None)
        .await;
    assert_error(&wrong, StatusCode::UNAUTHORIZED, "BadArgument");

    let ok = app.call(Method::POST, path, Some(SECRET), None).await;
    assert_eq!(ok.status, StatusCode::OK);
    assert!(ok.json["conversationId"].as_str().unwrap().len() >= 16);
    assert!(ok.json["token"].as_str().unwrap().len() >= 32);
    assert_eq!(ok.json["expires_in"], 60);

    let token = ok.json["token"].as_str().unwrap();
    let with_token = app.call(Method::POST, path, Some(token), None).await;
    assert_error(&with_token, StatusCode::FORBIDDEN, "BadArgument");
}

#[tokio::test]
async fn generated_token_carries_the_requested_user() {
    let app = TestApp::new();
    let body = json!({"user": {"id": "dl_ada", "name": "Ada"}});
    let reply = app
        .call(
            Method::POST,
            "/v3/directline/tokens/generate",
            Some(SECRET),
            Some(body),
        )
        .await;
    let conv = reply.json["conversationId"].as_str().unwrap();
    let token = reply.json["token"].as_str().unwrap();
    app.post(conv, token, json!({"type": "message", "text": "hi"}))
        .await;
    let set = app.activities(conv, token, None).await;
    assert_eq!(
        set["activities"][0]["from"],
        json!({"id": "dl_ada", "name": "Ada", "role": "user"})
    );
}

#[tokio::test]
async fn refresh_gives_a_new_token_and_the_old_one_keeps_working() {
    let app = TestApp::new();
    let (conv, old) = app.token().await;
    app.clock.advance(30_000);
    let refreshed = app.refresh(&old).await;
    assert_eq!(refreshed.status, StatusCode::OK, "{}", refreshed.json);
    assert_eq!(refreshed.json["conversationId"], conv.as_str());
    assert_eq!(refreshed.json["expires_in"], 60);
    let new = refreshed.json["token"].as_str().unwrap().to_owned();
    assert_ne!(new, old);

    app.activities(&conv, &old, None).await;
    app.activities(&conv, &new, None).await;

    // The old token dies at its own expiry; the refreshed one lives on.
    app.clock.advance(30_000);
    let expired = app.list(BOT, &conv, &old, None).await;
    assert_error(&expired, StatusCode::FORBIDDEN, "TokenExpired");
    app.activities(&conv, &new, None).await;

    let with_secret = app.refresh(SECRET).await;
    assert_error(&with_secret, StatusCode::FORBIDDEN, "BadArgument");
}

#[tokio::test]
async fn expired_token_is_refused_everywhere_with_403() {
    let app = TestApp::new();
    let (conv, token) = app.token().await;
    app.clock.advance(60_000);
    let paths = [
        (Method::POST, format!("{BOT}/tokens/refresh"), None),
        (Method::POST, format!("{BOT}/conversations"), None),
    ];
    for (method, path, body) in paths.into_iter().chain(conversation_requests(&conv)) {
        let reply = app.call(method, &path, Some(&token), body).await;
        assert_error(&reply, StatusCode::FORBIDDEN, "TokenExpired");
    }
}

#[tokio::test]
async fn token_lifetime_zero_issues_already_expired_tokens() {
    let mut cfg = config("/nonexistent".into());
    cfg.token_lifetime = std::time::Duration::ZERO;
    let app = TestApp::with_config(cfg);
    let (conv, token) = app.token().await;
    let reply = app.list(BOT, &conv, &token, None).await;
    assert_error(&reply, StatusCode::FORBIDDEN, "TokenExpired");
}

#[tokio::test]
async fn page_token_endpoint_has_the_copilot_studio_shape_and_needs_no_auth() {
    let app = TestApp::new();
    let reply = app.get("/api/directline/token").await;
    assert_eq!(reply.status, StatusCode::OK);
    let keys: Vec<&String> = reply.json.as_object().unwrap().keys().collect();
    assert_eq!(keys.len(), 3, "{}", reply.json);
    assert!(reply.json["token"].is_string());
    assert!(reply.json["conversationId"].is_string());
    assert_eq!(reply.json["expires_in"], 60);

    let token = reply.json["token"].as_str().unwrap();
    let started = app.start(BOT, token).await;
    assert_eq!(started.status, StatusCode::CREATED);
    assert_eq!(started.json["conversationId"], reply.json["conversationId"]);
}

// ---- conversations ---------------------------------------------------------------------

#[tokio::test]
async fn start_conversation_with_secret_or_token() {
    let app = TestApp::new();
    let with_secret = app.start(BOT, SECRET).await;
    assert_eq!(
        with_secret.status,
        StatusCode::CREATED,
        "{}",
        with_secret.json
    );
    let conv = with_secret.json["conversationId"].as_str().unwrap();
    let token = with_secret.json["token"].as_str().unwrap();
    assert_eq!(with_secret.json["expires_in"], 60);
    assert_eq!(
        with_secret.json["streamUrl"],
        format!("ws://127.0.0.1:8080/v3/directline/conversations/{conv}/stream?t={token}")
    );
    // The token handed out works on that conversation.
    app.activities(conv, token, None).await;

    let (conv2, token2) = app.token().await;
    let with_token = app.start(BOT, &token2).await;
    assert_eq!(with_token.status, StatusCode::CREATED);
    assert_eq!(with_token.json["conversationId"], conv2.as_str());
    assert_eq!(with_token.json["token"], token2.as_str());
    assert!(with_token.json["streamUrl"]
        .as_str()
        .unwrap()
        .contains(&conv2));

    let none = app
        .call(Method::POST, &format!("{BOT}/conversations"), None, None)
        .await;
    assert_error(&none, StatusCode::UNAUTHORIZED, "BadArgument");
}

#[tokio::test]
async fn start_conversation_accepts_directlinejs_body_without_user_id() {
    let app = TestApp::new();
    let (conv, token) = app.token().await;
    // What DirectLineJS posts when no userId was configured.
    let body = json!({"user": {}, "locale": "en-US"});
    let uri = format!("{BOT}/conversations");
    for (credential, expected) in [(token.as_str(), Some(conv.as_str())), (SECRET, None)] {
        let started = app
            .call(Method::POST, &uri, Some(credential), Some(body.clone()))
            .await;
        assert_eq!(started.status, StatusCode::CREATED, "{}", started.json);
        if let Some(conv) = expected {
            assert_eq!(started.json["conversationId"], conv);
        }
    }
}

#[tokio::test]
async fn stream_url_uses_the_request_host() {
    let app = TestApp::new();
    let request = Request::post("/v3/directline/conversations")
        .header(header::HOST, "localhost:8080")
        .header(header::AUTHORIZATION, format!("Bearer {SECRET}"))
        .body(Body::empty())
        .unwrap();
    let reply = reply(app.send(request).await).await;
    assert!(reply.json["streamUrl"]
        .as_str()
        .unwrap()
        .starts_with("ws://localhost:8080/v3/directline/conversations/"));
}

#[tokio::test]
async fn reconnect_returns_a_stream_url_with_the_watermark() {
    let app = TestApp::new();
    let (conv, token) = app.token().await;
    let reply = app.reconnect(&conv, &token, Some("3")).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.json);
    assert_eq!(reply.json["conversationId"], conv.as_str());
    assert_eq!(reply.json["token"], token.as_str());
    assert_eq!(
        reply.json["streamUrl"],
        format!(
            "ws://127.0.0.1:8080/v3/directline/conversations/{conv}/stream?t={token}&watermark=3"
        )
    );
    let without = app.reconnect(&conv, SECRET, None).await;
    assert!(!without.json["streamUrl"]
        .as_str()
        .unwrap()
        .contains("watermark"));
    assert_ne!(
        without.json["token"],
        token.as_str(),
        "the secret holder gets a fresh token"
    );
}

#[tokio::test]
async fn token_of_another_conversation_is_forbidden() {
    let app = TestApp::new();
    let (conv_a, _) = app.token().await;
    let (_, token_b) = app.token().await;
    for (method, path, body) in conversation_requests(&conv_a) {
        let reply = app.call(method, &path, Some(&token_b), body).await;
        assert_error(&reply, StatusCode::FORBIDDEN, "BadArgument");
    }
}

#[tokio::test]
async fn unknown_conversation_is_404() {
    let app = TestApp::new();
    for (method, path, body) in conversation_requests("nope") {
        let reply = app.call(method, &path, Some(SECRET), body).await;
        assert_error(&reply, StatusCode::NOT_FOUND, "NotFound");
    }
    let uri = format!("{BOT}/nothing-here");
    let endpoint = app.call(Method::GET, &uri, Some(SECRET), None).await;
    assert_error(&endpoint, StatusCode::NOT_FOUND, "NotFound");
}

// ---- activities --------------------------------------------------------------------------

#[tokio::test]
async fn posted_activity_gets_id_timestamp_and_keeps_channel_data() {
    let app = TestApp::new();
    let (conv, token) = app.token().await;
    let id = app
        .post(
            &conv,
            &token,
            json!({"type": "message", "text": "hello there", "id": "client-chosen",
                   "channelData": {"clientActivityID": "hc-1-abc", "other": 1},
                   "locale": "en-GB", "entities": [{"type": "ClientCapabilities"}]}),
        )
        .await;
    assert_eq!(id, activity_id(&conv, 1));

    let set = app.activities(&conv, &token, None).await;
    let echo = &set["activities"][0];
    assert_eq!(echo["id"], id.as_str());
    assert_eq!(echo["type"], "message");
    assert_eq!(echo["text"], "hello there");
    assert_eq!(echo["channelId"], "directline");
    assert_eq!(echo["conversation"]["id"], conv.as_str());
    assert_eq!(echo["timestamp"], "2026-11-22T00:00:00.000Z");
    assert_eq!(
        echo["channelData"],
        json!({"clientActivityID": "hc-1-abc", "other": 1})
    );
    assert_eq!(echo["locale"], "en-GB");
    assert_eq!(echo["entities"], json!([{"type": "ClientCapabilities"}]));
    // No `from` sent: the token's user, marked as the user side.
    assert!(echo["from"]["id"].as_str().unwrap().starts_with("dl_"));
    assert_eq!(echo["from"]["role"], "user");

    let next = app.post(&conv, &token, message("again")).await;
    // The bot's typing + reply took 0000002 and 0000003.
    assert_eq!(next, activity_id(&conv, 4));
}

#[tokio::test]
async fn watermark_returns_only_later_activities() {
    let app = TestApp::new();
    let (conv, token) = app.token().await;
    let empty = app.activities(&conv, &token, None).await;
    assert_eq!(empty, json!({"activities": [], "watermark": "0"}));

    app.post(&conv, &token, message("opening hours")).await;
    let all = app.activities(&conv, &token, None).await;
    let kinds: Vec<&str> = all["activities"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["type"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["message", "typing", "message"]);
    assert_eq!(all["watermark"], "3");
    assert_eq!(
        all["activities"][2]["from"],
        json!({"id": "demo-bot", "name": "Demo Bot", "role": "bot"})
    );
    assert!(all["activities"][2]["text"]
        .as_str()
        .unwrap()
        .contains("Monday to Friday"));

    let after_one = app.activities(&conv, &token, Some("1")).await;
    assert_eq!(after_one["activities"].as_array().unwrap().len(), 2);
    assert_eq!(after_one["activities"][0]["id"], activity_id(&conv, 2));
    assert_eq!(after_one["watermark"], "3");

    let nothing_new = app.activities(&conv, &token, Some("3")).await;
    assert_eq!(nothing_new, json!({"activities": [], "watermark": "3"}));

    app.post(&conv, &token, message("order status")).await;
    let later = app.activities(&conv, &token, Some("3")).await;
    assert_eq!(ids(&later["activities"]), activity_ids(&conv, 4..=6));
    assert_eq!(later["watermark"], "6");

    // DirectLineJS polls with `watermark=` before it has one.
    assert_eq!(
        app.activities(&conv, &token, Some("")).await["watermark"],
        "6"
    );
    let bad = app.list(BOT, &conv, &token, Some("abc")).await;
    assert_error(&bad, StatusCode::BAD_REQUEST, "BadArgument");
}

#[tokio::test]
async fn malformed_bodies_get_json_errors() {
    let app = TestApp::new();
    let (conv, token) = app.token().await;
    let uri = format!("{BOT}/conversations/{conv}/activities");
    let broken = post_raw(&app, &uri, &token, "{\"type\": \"message\", ", true).await;
    assert_error(&broken, StatusCode::BAD_REQUEST, "BadSyntax");
    let no_type = app
        .call(
            Method::POST,
            &uri,
            Some(&token),
            Some(json!({"text": "hi"})),
        )
        .await;
    assert_error(&no_type, StatusCode::BAD_REQUEST, "MissingProperty");
    let empty = post_raw(&app, &uri, &token, "", true).await;
    assert_error(&empty, StatusCode::BAD_REQUEST, "BadSyntax");
    let uri = format!("{BOT}/tokens/generate");
    let generate = post_raw(&app, &uri, SECRET, "not json", true).await;
    assert_error(&generate, StatusCode::BAD_REQUEST, "BadSyntax");
    // A body that does not say it is JSON is not read at all.
    let untyped = post_raw(&app, &uri, SECRET, "not json", false).await;
    assert_error(&untyped, StatusCode::UNSUPPORTED_MEDIA_TYPE, "BadArgument");
}

#[tokio::test]
async fn secret_holder_may_post_to_any_conversation() {
    let app = TestApp::new();
    let (conv, token) = app.token().await;
    let id = app
        .post(&conv, SECRET, json!({"type": "message", "text": "hi"}))
        .await;
    assert_eq!(id, activity_id(&conv, 1));
    let set = app.activities(&conv, &token, None).await;
    assert!(set["activities"][0]["from"]["id"]
        .as_str()
        .unwrap()
        .starts_with("dl_"));
}
