//! The WebSocket stream over a real socket: the app served on 127.0.0.1 port 0, REST calls
//! through `oneshot` on the same state, and a tokio-tungstenite client.
#![allow(clippy::unwrap_used, reason = "tests: a panic is the failure report")]

mod common;

use std::time::Duration;

use axum::http::StatusCode;
use common::ws::{connect, next_set, serve, stream_url_on, Socket, WAIT};
use common::{activity_id, activity_ids, config, message, TestApp, BOT, HUB};
use futures_util::StreamExt;
use serde_json::{json, Value};
use tokio::time::timeout;
use tokio_tungstenite::connect_async;
use tokio_tungstenite::tungstenite::{self, Message};

/// The streamUrl of a conversation on `base` with the served `port`.
fn stream_url(port: u16, base: &str, conv: &str, token: &str) -> String {
    format!("ws://127.0.0.1:{port}{base}/conversations/{conv}/stream?t={token}")
}

/// The HTTP answer of a refused upgrade.
async fn refusal(url: &str) -> tungstenite::http::Response<Option<Vec<u8>>> {
    match timeout(WAIT, connect_async(url)).await.unwrap() {
        Err(tungstenite::Error::Http(response)) => *response,
        other => panic!("expected an HTTP error, got {other:?}"),
    }
}

/// Asserts nothing but keep-alives arrives for a short while.
async fn assert_quiet(socket: &mut Socket) {
    let waited = timeout(Duration::from_millis(300), next_set(socket)).await;
    assert!(waited.is_err(), "unexpected set {:?}", waited.ok());
}

/// The ids of an ActivitySet's activities.
fn ids(set: &Value) -> Vec<&str> {
    common::ids(&set["activities"])
}

#[tokio::test]
async fn backlog_then_live_activities_then_reconnect_with_watermark() {
    let (app, port) = serve(TestApp::with_faults()).await;
    let (conv, token) = app.token().await;
    app.post(&conv, &token, message("opening hours")).await;

    // The streamUrl handed out by POST /conversations is directly usable.
    let started = app.start(BOT, &token).await;
    let url = stream_url_on(&started.json, port);
    let mut socket = connect(&url).await;

    let backlog = next_set(&mut socket).await;
    assert_eq!(ids(&backlog), activity_ids(&conv, 1..=3));
    assert_eq!(backlog["watermark"], "3");

    let posted = app
        .post(
            &conv,
            &token,
            json!({"type": "message", "text": "order status",
              "channelData": {"clientActivityID": "hc-2"}}),
        )
        .await;
    assert_eq!(posted, activity_id(&conv, 4));
    let echo = next_set(&mut socket).await;
    assert_eq!(ids(&echo), activity_ids(&conv, 4..=4));
    assert_eq!(echo["watermark"], "4");
    assert_eq!(
        echo["activities"][0]["channelData"]["clientActivityID"],
        "hc-2"
    );
    let typing = next_set(&mut socket).await;
    assert_eq!(typing["activities"][0]["type"], "typing");
    assert_eq!(typing["watermark"], "5");
    let answer = next_set(&mut socket).await;
    assert_eq!(answer["activities"][0]["from"]["id"], "demo-bot");
    assert_eq!(answer["watermark"], "6");
    assert_quiet(&mut socket).await;
    socket.close(None).await.unwrap();

    // Reconnect the way a client does: GET /conversations/{id}?watermark=4 → new streamUrl.
    let reconnect = app.reconnect(&conv, &token, Some("4")).await;
    let url = stream_url_on(&reconnect.ok(), port);
    assert!(url.ends_with("&watermark=4"));
    let mut again = connect(&url).await;
    let replay = next_set(&mut again).await;
    assert_eq!(ids(&replay), activity_ids(&conv, 5..=6));
    assert_eq!(replay["watermark"], "6");
    assert_quiet(&mut again).await;
}

#[tokio::test]
async fn two_streams_of_one_conversation_both_receive() {
    let (app, port) = serve(TestApp::with_faults()).await;
    let (conv, token) = app.token().await;
    let mut first = connect(&stream_url(port, BOT, &conv, &token)).await;
    let mut second = connect(&stream_url(port, BOT, &conv, &token)).await;
    // Empty conversation: no backlog frame.
    assert_quiet(&mut first).await;
    app.post(&conv, &token, message("hi")).await;
    for socket in [&mut first, &mut second] {
        assert_eq!(ids(&next_set(socket).await), activity_ids(&conv, 1..=1));
    }
}

#[tokio::test]
async fn keepalive_sends_empty_text_frames() {
    let mut cfg = config("/nonexistent".into());
    cfg.keepalive = Duration::from_millis(100);
    let (app, port) = serve(TestApp::with_config(cfg)).await;
    let (conv, token) = app.token().await;
    let mut socket = connect(&stream_url(port, BOT, &conv, &token)).await;
    for _ in 0..2 {
        let frame = timeout(WAIT, socket.next())
            .await
            .unwrap()
            .unwrap()
            .unwrap();
        assert_eq!(frame, Message::Text("".into()));
    }
}

#[tokio::test]
async fn stream_refuses_bad_credentials_before_upgrading() {
    let (app, port) = serve(TestApp::with_faults()).await;
    let (conv, token) = app.token().await;
    let (other_conv, _) = app.token().await;

    let status = |url: String| async move { refusal(&url).await.status() };
    let no_token = format!("ws://127.0.0.1:{port}{BOT}/conversations/{conv}/stream");
    assert_eq!(status(no_token).await, StatusCode::UNAUTHORIZED);
    assert_eq!(
        status(stream_url(port, BOT, &conv, "bogus")).await,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        status(stream_url(port, BOT, &other_conv, &token)).await,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        status(stream_url(port, BOT, "nope", common::SECRET)).await,
        StatusCode::NOT_FOUND
    );
    app.clock.advance(60_000);
    assert_eq!(
        status(stream_url(port, BOT, &conv, &token)).await,
        StatusCode::FORBIDDEN
    );
}

#[tokio::test]
async fn stream_is_not_subject_to_fault_injection() {
    let (app, port) = serve(TestApp::with_faults()).await;
    let (conv, token) = app.token().await;
    app.arm(json!({"status": 502, "count": 1})).await;
    let _socket = connect(&stream_url(port, BOT, &conv, &token)).await;
    let faulted = app.list(BOT, &conv, &token, None).await;
    assert_eq!(
        faulted.status,
        StatusCode::BAD_GATEWAY,
        "the fault was still armed"
    );
}

// ---- faults on streams -----------------------------------------------------------------

/// Reads frames until the socket ends: the close frame received, if any.
async fn until_closed(socket: &mut Socket) -> Option<tungstenite::protocol::CloseFrame> {
    let mut close = None;
    loop {
        match timeout(WAIT, socket.next()).await.expect("closed in time") {
            Some(Ok(Message::Close(frame))) => close = frame.or(close),
            Some(Ok(Message::Text(text))) if text.is_empty() => {}
            Some(Ok(other)) => panic!("unexpected frame {other:?}"),
            Some(Err(_)) | None => return close,
        }
    }
}

/// The reconnect of a client: `GET /conversations/{id}?watermark=` for a new streamUrl.
async fn reconnect(app: &TestApp, port: u16, conv: &str, token: &str, watermark: &str) -> Socket {
    let conversation = app.reconnect(conv, token, Some(watermark)).await.ok();
    connect(&stream_url_on(&conversation, port)).await
}

#[tokio::test]
async fn dropped_stream_gets_a_close_frame_and_a_reconnect_replays_only_what_followed() {
    let (app, port) = serve(TestApp::with_faults()).await;
    let (conv, token) = app.token().await;
    let (other_conv, other_token) = app.token().await;
    app.post(&conv, &token, message("opening hours")).await;
    let mut socket = connect(&stream_url(port, BOT, &conv, &token)).await;
    let mut other = connect(&stream_url(port, BOT, &other_conv, &other_token)).await;
    let backlog = next_set(&mut socket).await;
    assert_eq!(backlog["watermark"], "3");

    let dropped = app.drop_streams(json!({"conversationId": conv})).await;
    assert_eq!(dropped, 1, "only the named conversation's stream");
    let close = until_closed(&mut socket).await.expect("a close frame");
    assert_eq!(
        close.code,
        tungstenite::protocol::frame::coding::CloseCode::Normal
    );
    assert_eq!(close.reason.as_str(), devserver::stream::DROP_REASON);
    assert_eq!(app.state.streams.count(Some(&conv)), 0);

    // The chat goes on while the client is away.
    app.post(&conv, &token, message("order status")).await;
    let mut again = reconnect(&app, port, &conv, &token, "3").await;
    let replay = next_set(&mut again).await;
    assert_eq!(ids(&replay), activity_ids(&conv, 4..=6));
    assert_eq!(replay["watermark"], "6");
    assert_quiet(&mut again).await;

    // The other conversation's stream was left alone.
    app.post(&other_conv, &other_token, message("hi")).await;
    assert_eq!(
        ids(&next_set(&mut other).await),
        activity_ids(&other_conv, 1..=1)
    );
}

#[tokio::test]
async fn abrupt_drop_ends_the_connection_without_a_close_frame() {
    let (app, port) = serve(TestApp::with_faults()).await;
    let (conv, token) = app.token().await;
    app.post(&conv, &token, message("hi")).await;
    let mut socket = connect(&stream_url(port, BOT, &conv, &token)).await;
    assert_eq!(next_set(&mut socket).await["watermark"], "3");

    let body = json!({"conversationId": conv, "abrupt": true});
    assert_eq!(app.drop_streams(body).await, 1);
    assert_eq!(until_closed(&mut socket).await, None, "no close frame");

    app.post(&conv, &token, message("opening hours")).await;
    let mut again = reconnect(&app, port, &conv, &token, "3").await;
    let replay = next_set(&mut again).await;
    assert_eq!(ids(&replay), activity_ids(&conv, 4..=6));
}

#[tokio::test]
async fn drop_without_a_conversation_ends_bot_and_hub_streams() {
    let (app, port) = serve(TestApp::with_faults()).await;
    let (conv, token) = app.token().await;
    let hub = app.visitor("/hub/api/token").await;
    let mut bot_socket = connect(&stream_url(port, BOT, &conv, &token)).await;
    let hub_url = stream_url(port, HUB, &hub.conv, &hub.token);
    let mut hub_socket = connect(&hub_url).await;
    let mut second_hub_socket = connect(&hub_url).await;
    assert_eq!(app.state.streams.count(None), 3);

    assert_eq!(app.drop_streams(json!({})).await, 3);
    for socket in [&mut bot_socket, &mut hub_socket, &mut second_hub_socket] {
        assert!(until_closed(socket).await.is_some());
    }
    assert_eq!(app.state.streams.count(None), 0);
    assert_eq!(app.drop_streams(json!({})).await, 0);
}

#[tokio::test]
async fn refused_streams_get_a_503_until_cleared() {
    let (app, port) = serve(TestApp::with_faults()).await;
    let (conv, token) = app.token().await;
    app.arm(json!({"refuseStreams": true})).await;
    let url = stream_url(port, BOT, &conv, &token);
    let response = refusal(&url).await;
    assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
    let body: Value = serde_json::from_slice(response.body().as_deref().unwrap()).unwrap();
    assert_eq!(body["error"]["code"], "ServiceError");
    // REST is unaffected.
    app.post(&conv, &token, message("hi")).await;

    app.delete("/_dev/faults").await;
    let mut socket = connect(&url).await;
    assert_eq!(next_set(&mut socket).await["watermark"], "3");
}
