//! `/_dev/faults` controls seen through the REST API (`oneshot`): status faults and their
//! scopes, latency, no streamUrl, token lifetime, the armed state and clearing it; their
//! bounds; no `/_dev/faults` at all without `--faults`. Streams: `stream.rs`.
#![allow(clippy::unwrap_used, reason = "tests: a panic is the failure report")]

mod common;

use std::time::Duration;

use axum::http::{header, Method, StatusCode};
use common::{assert_error, message, TestApp, BOT, HUB, SECRET};
use serde_json::json;
use tokio::time::Instant;

#[tokio::test]
async fn hub_scoped_status_faults_fail_the_hub_endpoint_only() {
    let app = TestApp::with_faults();
    let bot = app.visitor("/api/directline/token").await;
    let hub = app.visitor("/hub/api/token").await;

    let armed = app
        .arm(json!({"status": 502, "count": 2, "scope": "hub"}))
        .await;
    assert_eq!(armed, json!({"status": 502, "count": 2, "scope": "hub"}));
    assert_eq!(app.list_as(&bot).await.status, StatusCode::OK);
    for _ in 0..2 {
        let failed = app.list_as(&hub).await;
        assert_error(&failed, StatusCode::BAD_GATEWAY, "ServiceError");
    }
    assert_eq!(app.list_as(&hub).await.status, StatusCode::OK);
    // The hub's page token endpoint is not a Direct Line request: spared, like the bot's.
    app.arm(json!({"status": 503, "count": 1, "scope": "hub"}))
        .await;
    app.visitor("/hub/api/token").await;

    // "all" fails whichever endpoint asks next; the default scope is the bot's.
    app.arm(json!({"status": 429, "count": 2, "scope": "all", "retryAfter": 2}))
        .await;
    let limited = app.list_as(&hub).await;
    assert_error(&limited, StatusCode::TOO_MANY_REQUESTS, "TooManyRequests");
    assert_eq!(limited.headers[header::RETRY_AFTER], "2");
    let limited = app.list_as(&bot).await;
    assert_error(&limited, StatusCode::TOO_MANY_REQUESTS, "TooManyRequests");
    app.arm(json!({"status": 500})).await;
    assert_eq!(app.list_as(&hub).await.status, StatusCode::OK);
    let failed = app.list_as(&bot).await;
    assert_error(&failed, StatusCode::INTERNAL_SERVER_ERROR, "ServiceError");
}

#[tokio::test(start_paused = true)]
async fn latency_delays_every_direct_line_response_of_both_endpoints() {
    let app = TestApp::with_faults();
    let bot = app.visitor("/api/directline/token").await;
    let hub = app.visitor("/hub/api/token").await;
    app.arm(json!({"latencyMs": 1500})).await;

    for visitor in [&bot, &hub] {
        let started = Instant::now();
        app.post_as(visitor, message("hi")).await;
        let waited = started.elapsed();
        assert!(waited >= Duration::from_millis(1500), "{waited:?}");
        assert!(waited < Duration::from_millis(1600), "{waited:?}");
    }

    // An injected fault is slow too; the page token endpoint and the fault API are not.
    app.arm(json!({"status": 502})).await;
    let started = Instant::now();
    let failed = app.list_as(&bot).await;
    assert_eq!(failed.status, StatusCode::BAD_GATEWAY);
    assert!(started.elapsed() >= Duration::from_millis(1500));
    let started = Instant::now();
    app.visitor("/api/directline/token").await;
    app.get("/_dev/faults").await;
    assert!(started.elapsed() < Duration::from_millis(1500));

    app.arm(json!({"latencyMs": 0})).await;
    let started = Instant::now();
    assert_eq!(app.list_as(&bot).await.status, StatusCode::OK);
    assert!(started.elapsed() < Duration::from_millis(1500));
}

#[tokio::test]
async fn omit_stream_url_hands_out_conversations_without_one() {
    let app = TestApp::with_faults();
    let (conv, token) = app.token().await;
    let hub = app.visitor("/hub/api/token").await;
    app.arm(json!({"omitStreamUrl": true})).await;

    let started = app.start(BOT, &token).await;
    assert_eq!(started.status, StatusCode::CREATED, "{}", started.json);
    assert_eq!(started.json["conversationId"], conv.as_str());
    assert!(started.json.get("streamUrl").is_none(), "{}", started.json);
    let by_secret = app.start(BOT, SECRET).await;
    assert!(
        by_secret.json.get("streamUrl").is_none(),
        "{}",
        by_secret.json
    );
    let reconnect = app.reconnect(&conv, &token, Some("0")).await;
    assert_eq!(reconnect.status, StatusCode::OK);
    assert!(
        reconnect.json.get("streamUrl").is_none(),
        "{}",
        reconnect.json
    );
    let hub_started = app.start(HUB, &hub.token).await;
    assert!(hub_started.json.get("streamUrl").is_none());

    // Polling still works.
    app.post(&conv, &token, message("opening hours")).await;
    assert_eq!(
        app.activities(&conv, &token, Some("1")).await["watermark"],
        "3"
    );

    app.delete("/_dev/faults").await;
    let again = app.start(BOT, &token).await;
    assert!(again.json["streamUrl"].is_string(), "{}", again.json);
}

#[tokio::test]
async fn token_lifetime_applies_to_tokens_issued_afterwards_and_refresh_keeps_them_alive() {
    let app = TestApp::with_faults();
    let (old_conv, old_token) = app.token().await;
    let armed = app.arm(json!({"tokenLifetimeSecs": 5})).await;
    assert_eq!(armed, json!({"tokenLifetimeSecs": 5}));

    let reply = app.get("/api/directline/token").await;
    assert_eq!(reply.json["expires_in"], 5);
    let conv = reply.json["conversationId"].as_str().unwrap().to_owned();
    let mut token = reply.json["token"].as_str().unwrap().to_owned();
    let first = token.clone();

    // Refresh every 3 s: the conversation outlives any single 5 s token.
    for _ in 0..4 {
        app.clock.advance(3_000);
        let refreshed = app.refresh(&token).await;
        assert_eq!(refreshed.status, StatusCode::OK, "{}", refreshed.json);
        assert_eq!(refreshed.json["expires_in"], 5);
        token = refreshed.json["token"].as_str().unwrap().to_owned();
        app.post(&conv, &token, message("still here")).await;
    }
    let expired = app.list(BOT, &conv, &first, None).await;
    assert_error(&expired, StatusCode::FORBIDDEN, "TokenExpired");

    // Tokens issued before keep their own lifetime (60 s in the tests).
    app.activities(&old_conv, &old_token, None).await;

    // Clearing restores --token-lifetime.
    app.delete("/_dev/faults").await;
    let reply = app.get("/api/directline/token").await;
    assert_eq!(reply.json["expires_in"], 60);
}

#[tokio::test]
async fn the_armed_state_is_shown_whole_and_cleared_at_once() {
    let app = TestApp::with_faults();
    let empty = app.get("/_dev/faults").await;
    assert_eq!(empty.json, json!({}));

    app.arm(json!({"status": 429, "count": 3, "retryAfter": 2, "scope": "all"}))
        .await;
    app.arm(json!({"latencyMs": 250, "refuseStreams": true}))
        .await;
    let all = app
        .arm(json!({"omitStreamUrl": true, "tokenLifetimeSecs": 10}))
        .await;
    let expected = json!({
        "status": 429, "count": 3, "retryAfter": 2, "scope": "all", "latencyMs": 250,
        "refuseStreams": true, "omitStreamUrl": true, "tokenLifetimeSecs": 10
    });
    assert_eq!(all, expected);
    let shown = app.get("/_dev/faults").await;
    assert_eq!(shown.json, expected);

    let typo = app.try_arm(json!({"latency": 5})).await;
    assert_error(&typo, StatusCode::BAD_REQUEST, "MissingProperty");
    let nothing = app.try_arm(json!({})).await;
    assert_error(&nothing, StatusCode::BAD_REQUEST, "BadArgument");
    let too_slow = app.try_arm(json!({"latencyMs": 3_600_000})).await;
    assert_error(&too_slow, StatusCode::BAD_REQUEST, "BadArgument");
    let shown = app.get("/_dev/faults").await;
    assert_eq!(shown.json, expected, "refused requests change nothing");

    let cleared = app.delete("/_dev/faults").await;
    assert_eq!(cleared.status, StatusCode::NO_CONTENT);
    let shown = app.get("/_dev/faults").await;
    assert_eq!(shown.json, json!({}));
    let (conv, token) = app.token().await;
    let started = app.start(BOT, &token).await;
    assert!(started.json["streamUrl"].is_string());
    assert_eq!(started.json["expires_in"], 60);
    app.activities(&conv, &token, None).await;
}

#[tokio::test]
async fn drop_streams_names_an_existing_conversation_or_none() {
    let app = TestApp::with_faults();
    let unknown = app
        .try_drop_streams(Some(json!({"conversationId": "nope"})))
        .await;
    assert_error(&unknown, StatusCode::NOT_FOUND, "NotFound");
    let none_open = app.try_drop_streams(None).await;
    assert_eq!(none_open.ok(), json!({"dropped": 0}));
    let typo = app
        .try_drop_streams(Some(json!({"conversation": "x"})))
        .await;
    assert_error(&typo, StatusCode::BAD_REQUEST, "MissingProperty");
}

// ---- status faults on the bot endpoint --------------------------------------------------

#[tokio::test]
async fn injected_429_carries_retry_after_then_recovers() {
    let app = TestApp::with_faults();
    let (conv, token) = app.token().await;
    app.arm(json!({"status": 429, "count": 1, "retryAfter": 3}))
        .await;

    let uri = format!("{BOT}/conversations/{conv}/activities");
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
    let app = TestApp::with_faults();
    let (conv, token) = app.token().await;
    app.arm(json!({"status": 502, "count": 2})).await;
    for _ in 0..2 {
        let failed = app.list(BOT, &conv, &token, None).await;
        assert_error(&failed, StatusCode::BAD_GATEWAY, "ServiceError");
        assert!(failed.headers.get(header::RETRY_AFTER).is_none());
    }
    app.activities(&conv, &token, None).await;
}

#[tokio::test]
async fn faults_spare_the_token_endpoint_and_can_be_cleared() {
    let app = TestApp::with_faults();
    app.arm(json!({"status": 503, "count": 5})).await;
    let page_token = app.get("/api/directline/token").await;
    assert_eq!(page_token.status, StatusCode::OK);
    let shown = app.get("/_dev/faults").await;
    assert_eq!(shown.json, json!({"status": 503, "count": 5}));

    let cleared = app.delete("/_dev/faults").await;
    assert_eq!(cleared.status, StatusCode::NO_CONTENT);
    app.token().await;

    let bad = app.try_arm(json!({"status": 200})).await;
    assert_error(&bad, StatusCode::BAD_REQUEST, "BadArgument");
    let broken = app.try_arm(json!({"count": 1})).await;
    assert_error(&broken, StatusCode::BAD_REQUEST, "MissingProperty");
}

#[tokio::test]
async fn without_the_faults_flag_there_is_no_fault_api() {
    let app = TestApp::new();
    let body = Some(json!({"status": 503}));
    for (method, path) in [
        (Method::GET, "/_dev/faults"),
        (Method::POST, "/_dev/faults"),
        (Method::DELETE, "/_dev/faults"),
        (Method::POST, "/_dev/faults/drop-streams"),
    ] {
        let reply = app.call(method.clone(), path, None, body.clone()).await;
        // Only the static files answer: 404, or 405 to what they do not serve.
        let gone = [StatusCode::NOT_FOUND, StatusCode::METHOD_NOT_ALLOWED];
        assert!(
            gone.contains(&reply.status),
            "{method} {path}: {}",
            reply.status
        );
    }
    // Nothing was armed: Direct Line answers as usual.
    let (conv, token) = app.token().await;
    assert_eq!(
        app.list(BOT, &conv, &token, None).await.status,
        StatusCode::OK
    );
}

#[tokio::test]
async fn values_out_of_bounds_arm_nothing() {
    let app = TestApp::with_faults();
    for body in [
        json!({"tokenLifetimeSecs": 0}),
        json!({"tokenLifetimeSecs": 86_401}),
        json!({"tokenLifetimeSecs": u64::MAX}),
        json!({"status": 503, "count": 0}),
        json!({"status": 503, "count": 10_001}),
        json!({"status": 429, "retryAfter": u64::MAX}),
        json!({"latencyMs": u64::MAX}),
    ] {
        let reply = app.try_arm(body.clone()).await;
        assert_error(&reply, StatusCode::BAD_REQUEST, "BadArgument");
    }
    assert_eq!(app.get("/_dev/faults").await.ok(), json!({}));
    // The bounds themselves are accepted.
    let armed = app.arm(json!({"tokenLifetimeSecs": 86_400})).await;
    assert_eq!(armed["tokenLifetimeSecs"], 86_400);
    let (_, token) = app.token().await;
    let refreshed = app.refresh(&token).await.ok();
    assert_eq!(refreshed["expires_in"], 86_400);
}
