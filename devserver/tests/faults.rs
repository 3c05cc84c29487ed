//! `/_dev/faults` controls seen through the REST API (`oneshot`): scopes, latency, no
//! streamUrl, token lifetime, the armed state and clearing it. Streams: `stream.rs`.
#![allow(clippy::unwrap_used, reason = "tests: a panic is the failure report")]

mod common;

use std::time::Duration;

use axum::http::{header, Method, StatusCode};
use common::{message, TestApp, Visitor, HUB, SECRET};
use serde_json::json;
use tokio::time::Instant;

fn assert_error(reply: &common::Reply, status: StatusCode, code: &str) {
    assert_eq!(reply.status, status, "{}", reply.json);
    assert_eq!(reply.json["error"]["code"], code, "{}", reply.json);
}

async fn get_activities(app: &TestApp, visitor: &Visitor) -> common::Reply {
    app.call(
        Method::GET,
        &format!("{}/conversations/{}/activities", visitor.base, visitor.conv),
        Some(&visitor.token),
        None,
    )
    .await
}

#[tokio::test]
async fn hub_scoped_status_faults_fail_the_hub_endpoint_only() {
    let app = TestApp::new();
    let bot = app.visitor("/api/directline/token").await;
    let hub = app.visitor("/hub/api/token").await;

    let armed = app
        .arm(json!({"status": 502, "count": 2, "scope": "hub"}))
        .await;
    assert_eq!(armed, json!({"status": 502, "count": 2, "scope": "hub"}));
    assert_eq!(get_activities(&app, &bot).await.status, StatusCode::OK);
    for _ in 0..2 {
        let failed = get_activities(&app, &hub).await;
        assert_error(&failed, StatusCode::BAD_GATEWAY, "ServiceError");
    }
    assert_eq!(get_activities(&app, &hub).await.status, StatusCode::OK);
    // The hub's page token endpoint is not a Direct Line request: spared, like the bot's.
    app.arm(json!({"status": 503, "count": 1, "scope": "hub"}))
        .await;
    app.visitor("/hub/api/token").await;

    // "all" fails whichever endpoint asks next; the default scope is the bot's.
    app.arm(json!({"status": 429, "count": 2, "scope": "all", "retryAfter": 2}))
        .await;
    let limited = get_activities(&app, &hub).await;
    assert_error(&limited, StatusCode::TOO_MANY_REQUESTS, "TooManyRequests");
    assert_eq!(limited.headers[header::RETRY_AFTER], "2");
    let limited = get_activities(&app, &bot).await;
    assert_error(&limited, StatusCode::TOO_MANY_REQUESTS, "TooManyRequests");
    app.arm(json!({"status": 500})).await;
    assert_eq!(get_activities(&app, &hub).await.status, StatusCode::OK);
    let failed = get_activities(&app, &bot).await;
    assert_error(&failed, StatusCode::INTERNAL_SERVER_ERROR, "ServiceError");
}

#[tokio::test(start_paused = true)]
async fn latency_delays_every_direct_line_response_of_both_endpoints() {
    let app = TestApp::new();
    let bot = app.visitor("/api/directline/token").await;
    let hub = app.visitor("/hub/api/token").await;
    app.arm(json!({"latencyMs": 1500})).await;

    for visitor in [&bot, &hub] {
        let started = Instant::now();
        let reply = app
            .call(
                Method::POST,
                &format!("{}/conversations/{}/activities", visitor.base, visitor.conv),
                Some(&visitor.token),
                Some(message("hi")),
            )
            .await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.json);
        let waited = started.elapsed();
        assert!(waited >= Duration::from_millis(1500), "{waited:?}");
        assert!(waited < Duration::from_millis(1600), "{waited:?}");
    }

    // An injected fault is slow too; the page token endpoint and the fault API are not.
    app.arm(json!({"status": 502})).await;
    let started = Instant::now();
    let failed = get_activities(&app, &bot).await;
    assert_eq!(failed.status, StatusCode::BAD_GATEWAY);
    assert!(started.elapsed() >= Duration::from_millis(1500));
    let started = Instant::now();
    app.visitor("/api/directline/token").await;
    app.call(Method::GET, "/_dev/faults", None, None).await;
    assert!(started.elapsed() < Duration::from_millis(1500));

    app.arm(json!({"latencyMs": 0})).await;
    let started = Instant::now();
    assert_eq!(get_activities(&app, &bot).await.status, StatusCode::OK);
    assert!(started.elapsed() < Duration::from_millis(1500));
}

#[tokio::test]
async fn omit_stream_url_hands_out_conversations_without_one() {
    let app = TestApp::new();
    let (conv, token) = app.token().await;
    let hub = app.visitor("/hub/api/token").await;
    app.arm(json!({"omitStreamUrl": true})).await;

    let started = app
        .call(
            Method::POST,
            "/v3/directline/conversations",
            Some(&token),
            None,
        )
        .await;
    assert_eq!(started.status, StatusCode::CREATED, "{}", started.json);
    assert_eq!(started.json["conversationId"], conv.as_str());
    assert!(started.json.get("streamUrl").is_none(), "{}", started.json);
    let by_secret = app
        .call(
            Method::POST,
            "/v3/directline/conversations",
            Some(SECRET),
            None,
        )
        .await;
    assert!(
        by_secret.json.get("streamUrl").is_none(),
        "{}",
        by_secret.json
    );
    let reconnect = app
        .call(
            Method::GET,
            &format!("/v3/directline/conversations/{conv}?watermark=0"),
            Some(&token),
            None,
        )
        .await;
    assert_eq!(reconnect.status, StatusCode::OK);
    assert!(
        reconnect.json.get("streamUrl").is_none(),
        "{}",
        reconnect.json
    );
    let hub_started = app
        .call(
            Method::POST,
            &format!("{HUB}/conversations"),
            Some(&hub.token),
            None,
        )
        .await;
    assert!(hub_started.json.get("streamUrl").is_none());

    // Polling still works.
    app.post(&conv, &token, message("opening hours")).await;
    assert_eq!(
        app.activities(&conv, &token, Some("1")).await["watermark"],
        "3"
    );

    app.call(Method::DELETE, "/_dev/faults", None, None).await;
    let again = app
        .call(
            Method::POST,
            "/v3/directline/conversations",
            Some(&token),
            None,
        )
        .await;
    assert!(again.json["streamUrl"].is_string(), "{}", again.json);
}

#[tokio::test]
async fn token_lifetime_applies_to_tokens_issued_afterwards_and_refresh_keeps_them_alive() {
    let app = TestApp::new();
    let (old_conv, old_token) = app.token().await;
    let armed = app.arm(json!({"tokenLifetimeSecs": 5})).await;
    assert_eq!(armed, json!({"tokenLifetimeSecs": 5}));

    let reply = app
        .call(Method::GET, "/api/directline/token", None, None)
        .await;
    assert_eq!(reply.json["expires_in"], 5);
    let conv = reply.json["conversationId"].as_str().unwrap().to_owned();
    let mut token = reply.json["token"].as_str().unwrap().to_owned();
    let first = token.clone();

    // Refresh every 3 s: the conversation outlives any single 5 s token.
    for _ in 0..4 {
        app.clock.advance(3_000);
        let refreshed = app
            .call(
                Method::POST,
                "/v3/directline/tokens/refresh",
                Some(&token),
                None,
            )
            .await;
        assert_eq!(refreshed.status, StatusCode::OK, "{}", refreshed.json);
        assert_eq!(refreshed.json["expires_in"], 5);
        token = refreshed.json["token"].as_str().unwrap().to_owned();
        app.post(&conv, &token, message("still here")).await;
    }
    let expired = app
        .call(
            Method::GET,
            &format!("/v3/directline/conversations/{conv}/activities"),
            Some(&first),
            None,
        )
        .await;
    assert_error(&expired, StatusCode::FORBIDDEN, "TokenExpired");

    // Tokens issued before keep their own lifetime (60 s in the tests).
    app.activities(&old_conv, &old_token, None).await;

    // Clearing restores --token-lifetime.
    app.call(Method::DELETE, "/_dev/faults", None, None).await;
    let reply = app
        .call(Method::GET, "/api/directline/token", None, None)
        .await;
    assert_eq!(reply.json["expires_in"], 60);
}

#[tokio::test]
async fn the_armed_state_is_shown_whole_and_cleared_at_once() {
    let app = TestApp::new();
    let empty = app.call(Method::GET, "/_dev/faults", None, None).await;
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
    let shown = app.call(Method::GET, "/_dev/faults", None, None).await;
    assert_eq!(shown.json, expected);

    let typo = app
        .call(
            Method::POST,
            "/_dev/faults",
            None,
            Some(json!({"latency": 5})),
        )
        .await;
    assert_error(&typo, StatusCode::BAD_REQUEST, "MissingProperty");
    let nothing = app
        .call(Method::POST, "/_dev/faults", None, Some(json!({})))
        .await;
    assert_error(&nothing, StatusCode::BAD_REQUEST, "BadArgument");
    let too_slow = app
        .call(
            Method::POST,
            "/_dev/faults",
            None,
            Some(json!({"latencyMs": 3_600_000})),
        )
        .await;
    assert_error(&too_slow, StatusCode::BAD_REQUEST, "BadArgument");
    let shown = app.call(Method::GET, "/_dev/faults", None, None).await;
    assert_eq!(shown.json, expected, "refused requests change nothing");

    let cleared = app.call(Method::DELETE, "/_dev/faults", None, None).await;
    assert_eq!(cleared.status, StatusCode::NO_CONTENT);
    let shown = app.call(Method::GET, "/_dev/faults", None, None).await;
    assert_eq!(shown.json, json!({}));
    let (conv, token) = app.token().await;
    let started = app
        .call(
            Method::POST,
            "/v3/directline/conversations",
            Some(&token),
            None,
        )
        .await;
    assert!(started.json["streamUrl"].is_string());
    assert_eq!(started.json["expires_in"], 60);
    app.activities(&conv, &token, None).await;
}

#[tokio::test]
async fn drop_streams_names_an_existing_conversation_or_none() {
    let app = TestApp::new();
    let unknown = app
        .call(
            Method::POST,
            "/_dev/faults/drop-streams",
            None,
            Some(json!({"conversationId": "nope"})),
        )
        .await;
    assert_error(&unknown, StatusCode::NOT_FOUND, "NotFound");
    let none_open = app
        .call(Method::POST, "/_dev/faults/drop-streams", None, None)
        .await;
    assert_eq!(none_open.status, StatusCode::OK);
    assert_eq!(none_open.json, json!({"dropped": 0}));
    let typo = app
        .call(
            Method::POST,
            "/_dev/faults/drop-streams",
            None,
            Some(json!({"conversation": "x"})),
        )
        .await;
    assert_error(&typo, StatusCode::BAD_REQUEST, "MissingProperty");
}
