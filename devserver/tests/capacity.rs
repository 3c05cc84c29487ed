//! The store's bounds: at most `MAX_CONVERSATIONS` conversations and `MAX_TOKENS` tokens
//! (expired tokens, and conversations no live token opens, are purged when full; still
//! full is 429 with `Retry-After`), and clients post no more than `MAX_ACTIVITIES` to one
//! conversation (413).
#![allow(clippy::unwrap_used, reason = "tests: a panic is the failure report")]

mod common;

use axum::http::{header, StatusCode};
use common::{assert_error, message, TestApp, START};
use devserver::error::AppError;
use devserver::store::capacity::{MAX_ACTIVITIES, MAX_CONVERSATIONS};
use devserver::store::Service;
use handoff_core::activity::Activity;
use handoff_core::handoff::HandoffMode;

#[tokio::test]
async fn a_full_store_purges_expired_conversations_else_refuses_with_429() {
    let app = TestApp::new();
    let store = &app.state.store;
    let mode = HandoffMode::Relay;
    let kept = app.visitor("/api/directline/token").await;
    for _ in 1..MAX_CONVERSATIONS {
        store
            .create_conversation(Service::Bot, mode, None, START)
            .unwrap();
    }
    assert_eq!(store.conversation_count(), MAX_CONVERSATIONS);
    let full = store.create_conversation(Service::Bot, mode, None, START);
    assert!(matches!(full, Err(AppError::TooManyRequests { .. })));
    let refused = app.get("/hub/api/token").await;
    assert_error(&refused, StatusCode::TOO_MANY_REQUESTS, "TooManyRequests");
    assert_eq!(refused.headers[header::RETRY_AFTER], "60");

    // Every token has expired (60 s) but one, refreshed in time: room again, and only the
    // conversations nobody can open any more are gone.
    app.clock.advance(59_000);
    let refreshed = app.refresh(&kept.token).await.ok();
    app.clock.advance(2_000);
    let fresh = app.visitor("/api/directline/token").await;
    assert_eq!(store.conversation_count(), 2);
    let kept = common::Visitor {
        token: refreshed["token"].as_str().unwrap().to_owned(),
        ..kept
    };
    app.post_as(&kept, message("still here")).await;
    app.post_as(&fresh, message("hello")).await;
}

#[tokio::test]
async fn clients_post_at_most_max_activities_to_one_conversation() {
    let app = TestApp::new();
    let visitor = app.visitor("/api/directline/token").await;
    let store = &app.state.store;
    assert_eq!(app.history(&visitor).await.len(), 0);
    for _ in 0..MAX_ACTIVITIES {
        let reply: Activity = serde_json::from_value(message("filler")).unwrap();
        store
            .append_reply(Service::Bot, &visitor.conv, reply, START)
            .unwrap();
    }
    let uri = format!("{}/conversations/{}/activities", visitor.base, visitor.conv);
    let refused = app
        .call(
            axum::http::Method::POST,
            &uri,
            Some(&visitor.token),
            Some(message("one more")),
        )
        .await;
    assert_error(&refused, StatusCode::PAYLOAD_TOO_LARGE, "BadArgument");
    assert_eq!(app.history(&visitor).await.len(), MAX_ACTIVITIES);
}
