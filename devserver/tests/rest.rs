//! REST endpoints through `app(...).oneshot(...)`: tokens, conversations, activities,
//! watermarks, auth failures, faults, CORS and static files.
#![allow(clippy::unwrap_used, reason = "tests: a panic is the failure report")]

mod common;

use axum::body::Body;
use axum::http::{header, Method, Request, StatusCode};
use common::{config, message, reply, TempDist, TestApp, SECRET};
use serde_json::{json, Value};

fn assert_error(reply: &common::Reply, status: StatusCode, code: &str) {
    assert_eq!(reply.status, status, "{}", reply.json);
    assert_eq!(reply.json["error"]["code"], code, "{}", reply.json);
    assert!(reply.json["error"]["message"].is_string(), "{}", reply.json);
    assert_eq!(reply.headers[header::CONTENT_TYPE], "application/json");
}

// ---- tokens ----------------------------------------------------------------------------

#[tokio::test]
async fn generate_token_needs_the_secret() {
    let app = TestApp::new();
    let path = "/v3/directline/tokens/generate";
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
    let refreshed = app
        .call(
            Method::POST,
            "/v3/directline/tokens/refresh",
            Some(&old),
            None,
        )
        .await;
    assert_eq!(refreshed.status, StatusCode::OK, "{}", refreshed.json);
    assert_eq!(refreshed.json["conversationId"], conv.as_str());
    assert_eq!(refreshed.json["expires_in"], 60);
    let new = refreshed.json["token"].as_str().unwrap().to_owned();
    assert_ne!(new, old);

    app.activities(&conv, &old, None).await;
    app.activities(&conv, &new, None).await;

    // The old token dies at its own expiry; the refreshed one lives on.
    app.clock.advance(30_000);
    let expired = app
        .call(
            Method::GET,
            &format!("/v3/directline/conversations/{conv}/activities"),
            Some(&old),
            None,
        )
        .await;
    assert_error(&expired, StatusCode::FORBIDDEN, "TokenExpired");
    app.activities(&conv, &new, None).await;

    let with_secret = app
        .call(
            Method::POST,
            "/v3/directline/tokens/refresh",
            Some(SECRET),
            None,
        )
        .await;
    assert_error(&with_secret, StatusCode::FORBIDDEN, "BadArgument");
}

#[tokio::test]
async fn expired_token_is_refused_everywhere_with_403() {
    let app = TestApp::new();
    let (conv, token) = app.token().await;
    app.clock.advance(60_000);
    let paths = [
        (
            Method::POST,
            "/v3/directline/tokens/refresh".to_owned(),
            None,
        ),
        (
            Method::POST,
            "/v3/directline/conversations".to_owned(),
            None,
        ),
        (
            Method::GET,
            format!("/v3/directline/conversations/{conv}"),
            None,
        ),
        (
            Method::GET,
            format!("/v3/directline/conversations/{conv}/activities"),
            None,
        ),
        (
            Method::POST,
            format!("/v3/directline/conversations/{conv}/activities"),
            Some(message("hi")),
        ),
    ];
    for (method, path, body) in paths {
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
    let reply = app
        .call(
            Method::GET,
            &format!("/v3/directline/conversations/{conv}/activities"),
            Some(&token),
            None,
        )
        .await;
    assert_error(&reply, StatusCode::FORBIDDEN, "TokenExpired");
}

#[tokio::test]
async fn page_token_endpoint_has_the_copilot_studio_shape_and_needs_no_auth() {
    let app = TestApp::new();
    let reply = app
        .call(Method::GET, "/api/directline/token", None, None)
        .await;
    assert_eq!(reply.status, StatusCode::OK);
    let keys: Vec<&String> = reply.json.as_object().unwrap().keys().collect();
    assert_eq!(keys.len(), 3, "{}", reply.json);
    assert!(reply.json["token"].is_string());
    assert!(reply.json["conversationId"].is_string());
    assert_eq!(reply.json["expires_in"], 60);

    let token = reply.json["token"].as_str().unwrap();
    let started = app
        .call(
            Method::POST,
            "/v3/directline/conversations",
            Some(token),
            None,
        )
        .await;
    assert_eq!(started.status, StatusCode::CREATED);
    assert_eq!(started.json["conversationId"], reply.json["conversationId"]);
}

// ---- conversations ---------------------------------------------------------------------

#[tokio::test]
async fn start_conversation_with_secret_or_token() {
    let app = TestApp::new();
    let with_secret = app
        .call(
            Method::POST,
            "/v3/directline/conversations",
            Some(SECRET),
            None,
        )
        .await;
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
    let with_token = app
        .call(
            Method::POST,
            "/v3/directline/conversations",
            Some(&token2),
            None,
        )
        .await;
    assert_eq!(with_token.status, StatusCode::CREATED);
    assert_eq!(with_token.json["conversationId"], conv2.as_str());
    assert_eq!(with_token.json["token"], token2.as_str());
    assert!(with_token.json["streamUrl"]
        .as_str()
        .unwrap()
        .contains(&conv2));

    let none = app
        .call(Method::POST, "/v3/directline/conversations", None, None)
        .await;
    assert_error(&none, StatusCode::UNAUTHORIZED, "BadArgument");
}

#[tokio::test]
async fn start_conversation_accepts_directlinejs_body_without_user_id() {
    let app = TestApp::new();
    let (conv, token) = app.token().await;
    // What DirectLineJS posts when no userId was configured.
    let body = json!({"user": {}, "locale": "en-US"});
    let started = app
        .call(
            Method::POST,
            "/v3/directline/conversations",
            Some(&token),
            Some(body.clone()),
        )
        .await;
    assert_eq!(started.status, StatusCode::CREATED, "{}", started.json);
    assert_eq!(started.json["conversationId"], conv.as_str());
    let with_secret = app
        .call(
            Method::POST,
            "/v3/directline/conversations",
            Some(SECRET),
            Some(body),
        )
        .await;
    assert_eq!(
        with_secret.status,
        StatusCode::CREATED,
        "{}",
        with_secret.json
    );
}

#[tokio::test]
async fn stream_url_uses_the_request_host() {
    let app = TestApp::new();
    let request = Request::post("/v3/directline/conversations")
        .header(header::HOST, "localhost:9999")
        .header(header::AUTHORIZATION, format!("Bearer {SECRET}"))
        .body(Body::empty())
        .unwrap();
    let reply = reply(app.send(request).await).await;
    assert!(reply.json["streamUrl"]
        .as_str()
        .unwrap()
        .starts_with("ws://localhost:9999/v3/directline/conversations/"));
}

#[tokio::test]
async fn reconnect_returns_a_stream_url_with_the_watermark() {
    let app = TestApp::new();
    let (conv, token) = app.token().await;
    let reply = app
        .call(
            Method::GET,
            &format!("/v3/directline/conversations/{conv}?watermark=3"),
            Some(&token),
            None,
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.json);
    assert_eq!(reply.json["conversationId"], conv.as_str());
    assert_eq!(reply.json["token"], token.as_str());
    assert_eq!(
        reply.json["streamUrl"],
        format!(
            "ws://127.0.0.1:8080/v3/directline/conversations/{conv}/stream?t={token}&watermark=3"
        )
    );
    let without = app
        .call(
            Method::GET,
            &format!("/v3/directline/conversations/{conv}"),
            Some(SECRET),
            None,
        )
        .await;
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
    for (method, path, body) in [
        (
            Method::GET,
            format!("/v3/directline/conversations/{conv_a}"),
            None,
        ),
        (
            Method::GET,
            format!("/v3/directline/conversations/{conv_a}/activities"),
            None,
        ),
        (
            Method::POST,
            format!("/v3/directline/conversations/{conv_a}/activities"),
            Some(message("hi")),
        ),
    ] {
        let reply = app.call(method, &path, Some(&token_b), body).await;
        assert_error(&reply, StatusCode::FORBIDDEN, "BadArgument");
    }
}

#[tokio::test]
async fn unknown_conversation_is_404() {
    let app = TestApp::new();
    for (method, path, body) in [
        (Method::GET, "/v3/directline/conversations/nope", None),
        (
            Method::GET,
            "/v3/directline/conversations/nope/activities",
            None,
        ),
        (
            Method::POST,
            "/v3/directline/conversations/nope/activities",
            Some(message("hi")),
        ),
    ] {
        let reply = app.call(method, path, Some(SECRET), body).await;
        assert_error(&reply, StatusCode::NOT_FOUND, "NotFound");
    }
    let endpoint = app
        .call(
            Method::GET,
            "/v3/directline/nothing-here",
            Some(SECRET),
            None,
        )
        .await;
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
    assert_eq!(id, format!("{conv}|0000001"));

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
    assert_eq!(next, format!("{conv}|0000004"));
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
    assert_eq!(after_one["activities"][0]["id"], format!("{conv}|0000002"));
    assert_eq!(after_one["watermark"], "3");

    let nothing_new = app.activities(&conv, &token, Some("3")).await;
    assert_eq!(nothing_new, json!({"activities": [], "watermark": "3"}));

    app.post(&conv, &token, message("order status")).await;
    let later = app.activities(&conv, &token, Some("3")).await;
    let ids: Vec<&str> = later["activities"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["id"].as_str().unwrap())
        .collect();
    assert_eq!(
        ids,
        [
            format!("{conv}|0000004"),
            format!("{conv}|0000005"),
            format!("{conv}|0000006")
        ]
    );
    assert_eq!(later["watermark"], "6");

    // DirectLineJS polls with `watermark=` before it has one.
    assert_eq!(
        app.activities(&conv, &token, Some("")).await["watermark"],
        "6"
    );
    let bad = app
        .call(
            Method::GET,
            &format!("/v3/directline/conversations/{conv}/activities?watermark=abc"),
            Some(&token),
            None,
        )
        .await;
    assert_error(&bad, StatusCode::BAD_REQUEST, "BadArgument");
}

#[tokio::test]
async fn malformed_bodies_get_json_errors() {
    let app = TestApp::new();
    let (conv, token) = app.token().await;
    let uri = format!("/v3/directline/conversations/{conv}/activities");
    let broken = Request::post(&uri)
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from("{\"type\": \"message\", "))
        .unwrap();
    assert_error(
        &reply(app.send(broken).await).await,
        StatusCode::BAD_REQUEST,
        "BadSyntax",
    );

    let no_type = app
        .call(
            Method::POST,
            &uri,
            Some(&token),
            Some(json!({"text": "hi"})),
        )
        .await;
    assert_error(&no_type, StatusCode::BAD_REQUEST, "MissingProperty");

    let empty = Request::post(&uri)
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .body(Body::empty())
        .unwrap();
    assert_error(
        &reply(app.send(empty).await).await,
        StatusCode::BAD_REQUEST,
        "BadSyntax",
    );

    let generate = Request::post("/v3/directline/tokens/generate")
        .header(header::AUTHORIZATION, format!("Bearer {SECRET}"))
        .body(Body::from("not json"))
        .unwrap();
    assert_error(
        &reply(app.send(generate).await).await,
        StatusCode::BAD_REQUEST,
        "BadSyntax",
    );
}

#[tokio::test]
async fn secret_holder_may_post_to_any_conversation() {
    let app = TestApp::new();
    let (conv, token) = app.token().await;
    let id = app
        .post(&conv, SECRET, json!({"type": "message", "text": "hi"}))
        .await;
    assert_eq!(id, format!("{conv}|0000001"));
    let set = app.activities(&conv, &token, None).await;
    assert!(set["activities"][0]["from"]["id"]
        .as_str()
        .unwrap()
        .starts_with("dl_"));
}

// ---- the demo bot over REST ------------------------------------------------------------

#[tokio::test]
async fn start_conversation_event_gets_the_greeting() {
    let app = TestApp::new();
    let (conv, token) = app.token().await;
    app.post(
        &conv,
        &token,
        json!({"type": "event", "name": "startConversation", "from": {"id": "dl_ada"},
               "value": {"firstName": "Ada", "lastName": "Lovelace", "email": "ada@example.com",
                         "caseNumber": "CAS-01234"}}),
    )
    .await;
    let set = app.activities(&conv, &token, Some("1")).await;
    assert_eq!(set["activities"][0]["type"], "typing");
    assert_eq!(
        set["activities"][1]["text"],
        "Hello Ada, how can I help? I can see your case CAS-01234."
    );
    assert_eq!(set["activities"][1]["replyToId"], format!("{conv}|0000001"));
}

#[tokio::test]
async fn asking_for_a_person_hands_off_with_the_transcript() {
    let app = TestApp::new();
    let (conv, token) = app.token().await;
    app.post(
        &conv,
        &token,
        json!({"type": "event", "name": "startConversation", "value": {"firstName": "Ada"}}),
    )
    .await;
    app.post(&conv, &token, message("talk to a person")).await;
    let set = app.activities(&conv, &token, Some("3")).await;
    let activities = set["activities"].as_array().unwrap();
    let kinds: Vec<&str> = activities
        .iter()
        .map(|a| a["type"].as_str().unwrap())
        .collect();
    // Relay by default: the hub enqueues the conversation and says so in it.
    assert_eq!(kinds, ["message", "typing", "message", "event", "event"]);
    assert_eq!(activities[4]["name"], "handoff.queue");
    assert_eq!(
        activities[2]["text"],
        "Let me connect you with someone who can help."
    );
    let handoff = &activities[3];
    assert_eq!(handoff["name"], "handoff.initiate");
    assert_eq!(handoff["from"]["id"], "demo-bot");
    assert_eq!(handoff["value"]["firstName"], "Ada");
    assert_eq!(handoff["value"]["reason"], "explicit");
    assert_eq!(handoff["value"]["va_ConversationId"], conv.as_str());
    let attachment = &handoff["attachments"][0];
    assert_eq!(attachment["contentType"], "application/json");
    assert_eq!(attachment["name"], "Transcript");
    let transcript = attachment["content"]["activities"].as_array().unwrap();
    let ids: Vec<&str> = transcript
        .iter()
        .map(|a| a["id"].as_str().unwrap())
        .collect();
    let expected: Vec<String> = (1..=4).map(|n| format!("{conv}|{n:07}")).collect();
    assert_eq!(ids, expected);
    assert_eq!(transcript[3]["text"], "talk to a person");
}

// ---- faults ----------------------------------------------------------------------------

#[tokio::test]
async fn injected_429_carries_retry_after_then_recovers() {
    let app = TestApp::new();
    let (conv, token) = app.token().await;
    let armed = app
        .call(
            Method::POST,
            "/_dev/faults",
            None,
            Some(json!({"status": 429, "count": 1, "retryAfter": 3})),
        )
        .await;
    assert_eq!(armed.status, StatusCode::OK, "{}", armed.json);

    let uri = format!("/v3/directline/conversations/{conv}/activities");
    let limited = app
        .call(Method::POST, &uri, Some(&token), Some(message("hi")))
        .await;
    assert_error(&limited, StatusCode::TOO_MANY_REQUESTS, "TooManyRequests");
    assert_eq!(limited.headers[header::RETRY_AFTER], "3");
    // The faulted request did nothing.
    assert_eq!(app.activities(&conv, &token, None).await["watermark"], "0");
    app.post(&conv, &token, message("hi")).await;
}

#[tokio::test]
async fn injected_502_fails_count_requests_then_recovers() {
    let app = TestApp::new();
    let (conv, token) = app.token().await;
    app.call(
        Method::POST,
        "/_dev/faults",
        None,
        Some(json!({"status": 502, "count": 2})),
    )
    .await;
    let uri = format!("/v3/directline/conversations/{conv}/activities");
    for _ in 0..2 {
        let failed = app.call(Method::GET, &uri, Some(&token), None).await;
        assert_error(&failed, StatusCode::BAD_GATEWAY, "ServiceError");
        assert!(failed.headers.get(header::RETRY_AFTER).is_none());
    }
    app.activities(&conv, &token, None).await;
}

#[tokio::test]
async fn faults_spare_the_token_endpoint_and_can_be_cleared() {
    let app = TestApp::new();
    app.call(
        Method::POST,
        "/_dev/faults",
        None,
        Some(json!({"status": 503, "count": 5})),
    )
    .await;
    let page_token = app
        .call(Method::GET, "/api/directline/token", None, None)
        .await;
    assert_eq!(page_token.status, StatusCode::OK);
    let shown = app.call(Method::GET, "/_dev/faults", None, None).await;
    assert_eq!(shown.json, json!({"status": 503, "count": 5}));

    let cleared = app.call(Method::DELETE, "/_dev/faults", None, None).await;
    assert_eq!(cleared.status, StatusCode::NO_CONTENT);
    app.token().await;

    let bad = app
        .call(
            Method::POST,
            "/_dev/faults",
            None,
            Some(json!({"status": 200})),
        )
        .await;
    assert_error(&bad, StatusCode::BAD_REQUEST, "BadArgument");
    let broken = app
        .call(
            Method::POST,
            "/_dev/faults",
            None,
            Some(json!({"count": 1})),
        )
        .await;
    assert_error(&broken, StatusCode::BAD_REQUEST, "MissingProperty");
}

// ---- CORS --------------------------------------------------------------------------------

#[tokio::test]
async fn cors_allows_null_origin_preflight_and_requests() {
    let app = TestApp::new();
    let preflight = Request::builder()
        .method(Method::OPTIONS)
        .uri("/v3/directline/conversations")
        .header(header::ORIGIN, "null")
        .header(header::ACCESS_CONTROL_REQUEST_METHOD, "POST")
        .header(
            header::ACCESS_CONTROL_REQUEST_HEADERS,
            "authorization,content-type",
        )
        .body(Body::empty())
        .unwrap();
    let response = app.send(preflight).await;
    assert!(response.status().is_success());
    let headers = response.headers();
    assert_eq!(headers[header::ACCESS_CONTROL_ALLOW_ORIGIN], "*");
    let methods = headers[header::ACCESS_CONTROL_ALLOW_METHODS]
        .to_str()
        .unwrap();
    for method in ["GET", "POST", "DELETE"] {
        assert!(methods.contains(method), "{methods}");
    }
    let allowed = headers[header::ACCESS_CONTROL_ALLOW_HEADERS]
        .to_str()
        .unwrap()
        .to_lowercase();
    assert!(
        allowed.contains("authorization") && allowed.contains("content-type"),
        "{allowed}"
    );

    let get = Request::get("/api/directline/token")
        .header(header::ORIGIN, "null")
        .body(Body::empty())
        .unwrap();
    let response = app.send(get).await;
    assert_eq!(response.headers()[header::ACCESS_CONTROL_ALLOW_ORIGIN], "*");
    let exposed = response.headers()[header::ACCESS_CONTROL_EXPOSE_HEADERS]
        .to_str()
        .unwrap();
    assert!(exposed.to_lowercase().contains("retry-after"));

    // Errors carry the CORS headers too, or a page could not read them.
    let error = Request::post("/v3/directline/conversations")
        .header(header::ORIGIN, "https://shop.example")
        .body(Body::empty())
        .unwrap();
    let response = app.send(error).await;
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(response.headers()[header::ACCESS_CONTROL_ALLOW_ORIGIN], "*");
}

// ---- static files --------------------------------------------------------------------------

async fn get(app: &TestApp, path: &str) -> axum::response::Response {
    app.send(Request::get(path).body(Body::empty()).unwrap())
        .await
}

#[tokio::test]
async fn root_serves_demo_html_and_files_have_their_mime_types() {
    let dist = TempDist::new();
    dist.write("demo.html", b"<!doctype html><title>demo page</title>");
    dist.write("index.html", b"trunk auto-init page");
    dist.write("handoff-chat_bg.wasm", b"\0asm\x01\0\0\0");
    dist.write("handoff-chat.js", b"export default 1;");
    let app = TestApp::with_config(config(dist.0.clone()));

    let root = reply(get(&app, "/").await).await;
    assert_eq!(root.status, StatusCode::OK);
    assert!(root.headers[header::CONTENT_TYPE]
        .to_str()
        .unwrap()
        .starts_with("text/html"));
    assert_eq!(
        root.json,
        Value::String("<!doctype html><title>demo page</title>".into())
    );

    let wasm = get(&app, "/handoff-chat_bg.wasm").await;
    assert_eq!(wasm.status(), StatusCode::OK);
    assert_eq!(wasm.headers()[header::CONTENT_TYPE], "application/wasm");
    assert_eq!(wasm.headers()[header::CACHE_CONTROL], "no-cache");
    let js = get(&app, "/handoff-chat.js").await;
    assert!(js.headers()[header::CONTENT_TYPE]
        .to_str()
        .unwrap()
        .contains("javascript"));
    assert_eq!(
        get(&app, "/missing.js").await.status(),
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn root_is_503_without_a_build_even_if_index_html_exists() {
    let dist = TempDist::new();
    dist.write("index.html", b"trunk auto-init page");
    let app = TestApp::with_config(config(dist.0.clone()));
    let root = reply(get(&app, "/").await).await;
    assert_eq!(root.status, StatusCode::SERVICE_UNAVAILABLE);
    assert!(root.headers[header::CONTENT_TYPE]
        .to_str()
        .unwrap()
        .starts_with("text/plain"));
    let text = root.json.as_str().unwrap();
    assert!(
        text.contains("demo.html") && text.contains("Build the widget"),
        "{text}"
    );
    assert!(!text.contains("trunk auto-init"));
}
