//! The WebSocket stream over a real socket: the app served on 127.0.0.1 port 0, REST calls
//! through `oneshot` on the same state, and a tokio-tungstenite client.
#![allow(clippy::unwrap_used, reason = "tests: a panic is the failure report")]

mod common;

use std::time::Duration;

use axum::http::{Method, StatusCode};
use common::{config, message, TestApp};
use futures_util::StreamExt;
use serde_json::Value;
use tokio::net::{TcpListener, TcpStream};
use tokio::time::timeout;
use tokio_tungstenite::tungstenite::{self, Message};
use tokio_tungstenite::{connect_async, MaybeTlsStream, WebSocketStream};

type Socket = WebSocketStream<MaybeTlsStream<TcpStream>>;

const WAIT: Duration = Duration::from_secs(5);

/// Serves the app on a free port; returns the app (for REST calls) and the port.
async fn serve(app: TestApp) -> (TestApp, u16) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(devserver::serve(listener, app.state.clone()));
    (app, port)
}

fn stream_url(port: u16, conv: &str, token: &str, watermark: Option<u64>) -> String {
    let mut url =
        format!("ws://127.0.0.1:{port}/v3/directline/conversations/{conv}/stream?t={token}");
    if let Some(w) = watermark {
        url.push_str(&format!("&watermark={w}"));
    }
    url
}

async fn connect(url: &str) -> Socket {
    let (socket, response) = timeout(WAIT, connect_async(url)).await.unwrap().unwrap();
    assert_eq!(response.status(), StatusCode::SWITCHING_PROTOCOLS);
    socket
}

/// Next ActivitySet, skipping keep-alive frames.
async fn next_set(socket: &mut Socket) -> Value {
    loop {
        let frame = timeout(WAIT, socket.next()).await.expect("a frame in time");
        match frame.expect("socket open").expect("frame ok") {
            Message::Text(text) if text.is_empty() => continue,
            Message::Text(text) => return serde_json::from_str(&text).unwrap(),
            Message::Ping(_) | Message::Pong(_) => continue,
            other => panic!("unexpected frame {other:?}"),
        }
    }
}

/// Asserts nothing but keep-alives arrives for a short while.
async fn assert_quiet(socket: &mut Socket) {
    let waited = timeout(Duration::from_millis(300), next_set(socket)).await;
    assert!(waited.is_err(), "unexpected set {:?}", waited.ok());
}

fn ids(set: &Value) -> Vec<String> {
    set["activities"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["id"].as_str().unwrap().to_owned())
        .collect()
}

fn id(conv: &str, seq: u64) -> String {
    format!("{conv}|{seq:07}")
}

#[tokio::test]
async fn backlog_then_live_activities_then_reconnect_with_watermark() {
    let (app, port) = serve(TestApp::new()).await;
    let (conv, token) = app.token().await;
    app.post(&conv, &token, message("opening hours")).await;

    // The streamUrl handed out by POST /conversations is directly usable.
    let started = app
        .call(
            Method::POST,
            "/v3/directline/conversations",
            Some(&token),
            None,
        )
        .await;
    let url = started.json["streamUrl"]
        .as_str()
        .unwrap()
        .replace("127.0.0.1:8080", &format!("127.0.0.1:{port}"));
    let mut socket = connect(&url).await;

    let backlog = next_set(&mut socket).await;
    assert_eq!(ids(&backlog), [id(&conv, 1), id(&conv, 2), id(&conv, 3)]);
    assert_eq!(backlog["watermark"], "3");

    let posted = app
        .post(
            &conv,
            &token,
            serde_json::json!({"type": "message", "text": "order status",
              "channelData": {"clientActivityID": "hc-2"}}),
        )
        .await;
    assert_eq!(posted, id(&conv, 4));
    let echo = next_set(&mut socket).await;
    assert_eq!(ids(&echo), [id(&conv, 4)]);
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
    let reconnect = app
        .call(
            Method::GET,
            &format!("/v3/directline/conversations/{conv}?watermark=4"),
            Some(&token),
            None,
        )
        .await;
    let url = reconnect.json["streamUrl"]
        .as_str()
        .unwrap()
        .replace("127.0.0.1:8080", &format!("127.0.0.1:{port}"));
    assert!(url.ends_with("&watermark=4"));
    let mut again = connect(&url).await;
    let replay = next_set(&mut again).await;
    assert_eq!(ids(&replay), [id(&conv, 5), id(&conv, 6)]);
    assert_eq!(replay["watermark"], "6");
    assert_quiet(&mut again).await;
}

#[tokio::test]
async fn two_streams_of_one_conversation_both_receive() {
    let (app, port) = serve(TestApp::new()).await;
    let (conv, token) = app.token().await;
    let mut first = connect(&stream_url(port, &conv, &token, None)).await;
    let mut second = connect(&stream_url(port, &conv, &token, None)).await;
    // Empty conversation: no backlog frame.
    assert_quiet(&mut first).await;
    app.post(&conv, &token, message("hi")).await;
    for socket in [&mut first, &mut second] {
        assert_eq!(ids(&next_set(socket).await), [id(&conv, 1)]);
    }
}

#[tokio::test]
async fn keepalive_sends_empty_text_frames() {
    let mut cfg = config("/nonexistent".into());
    cfg.keepalive = Duration::from_millis(100);
    let (app, port) = serve(TestApp::with_config(cfg)).await;
    let (conv, token) = app.token().await;
    let mut socket = connect(&stream_url(port, &conv, &token, None)).await;
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
    let (app, port) = serve(TestApp::new()).await;
    let (conv, token) = app.token().await;
    let (other_conv, _) = app.token().await;

    let status = |url: String| async move {
        match timeout(WAIT, connect_async(url)).await.unwrap() {
            Err(tungstenite::Error::Http(response)) => response.status(),
            other => panic!("expected an HTTP error, got {other:?}"),
        }
    };
    let no_token = format!("ws://127.0.0.1:{port}/v3/directline/conversations/{conv}/stream");
    assert_eq!(status(no_token).await, StatusCode::UNAUTHORIZED);
    assert_eq!(
        status(stream_url(port, &conv, "bogus", None)).await,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        status(stream_url(port, &other_conv, &token, None)).await,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        status(stream_url(port, "nope", common::SECRET, None)).await,
        StatusCode::NOT_FOUND
    );
    app.clock.advance(60_000);
    assert_eq!(
        status(stream_url(port, &conv, &token, None)).await,
        StatusCode::FORBIDDEN
    );
}

#[tokio::test]
async fn stream_is_not_subject_to_fault_injection() {
    let (app, port) = serve(TestApp::new()).await;
    let (conv, token) = app.token().await;
    app.call(
        Method::POST,
        "/_dev/faults",
        None,
        Some(serde_json::json!({"status": 502, "count": 1})),
    )
    .await;
    let _socket = connect(&stream_url(port, &conv, &token, None)).await;
    let faulted = app
        .call(
            Method::GET,
            &format!("/v3/directline/conversations/{conv}/activities"),
            Some(&token),
            None,
        )
        .await;
    assert_eq!(
        faulted.status,
        StatusCode::BAD_GATEWAY,
        "the fault was still armed"
    );
}

// ---- faults on streams -----------------------------------------------------------------

/// `POST /_dev/faults/drop-streams` with `body`; how many streams it ended.
async fn drop_streams(app: &TestApp, body: Value) -> u64 {
    let reply = app
        .call(Method::POST, "/_dev/faults/drop-streams", None, Some(body))
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.json);
    reply.json["dropped"].as_u64().unwrap()
}

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
    let reply = app
        .call(
            Method::GET,
            &format!("/v3/directline/conversations/{conv}?watermark={watermark}"),
            Some(token),
            None,
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.json);
    let url = reply.json["streamUrl"]
        .as_str()
        .unwrap()
        .replace("127.0.0.1:8080", &format!("127.0.0.1:{port}"));
    connect(&url).await
}

#[tokio::test]
async fn dropped_stream_gets_a_close_frame_and_a_reconnect_replays_only_what_followed() {
    let (app, port) = serve(TestApp::new()).await;
    let (conv, token) = app.token().await;
    let (other_conv, other_token) = app.token().await;
    app.post(&conv, &token, message("opening hours")).await;
    let mut socket = connect(&stream_url(port, &conv, &token, None)).await;
    let mut other = connect(&stream_url(port, &other_conv, &other_token, None)).await;
    let backlog = next_set(&mut socket).await;
    assert_eq!(backlog["watermark"], "3");

    let dropped = drop_streams(&app, serde_json::json!({"conversationId": conv})).await;
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
    assert_eq!(ids(&replay), [id(&conv, 4), id(&conv, 5), id(&conv, 6)]);
    assert_eq!(replay["watermark"], "6");
    assert_quiet(&mut again).await;

    // The other conversation's stream was left alone.
    app.post(&other_conv, &other_token, message("hi")).await;
    assert_eq!(ids(&next_set(&mut other).await), [id(&other_conv, 1)]);
}

#[tokio::test]
async fn abrupt_drop_ends_the_connection_without_a_close_frame() {
    let (app, port) = serve(TestApp::new()).await;
    let (conv, token) = app.token().await;
    app.post(&conv, &token, message("hi")).await;
    let mut socket = connect(&stream_url(port, &conv, &token, None)).await;
    assert_eq!(next_set(&mut socket).await["watermark"], "3");

    let body = serde_json::json!({"conversationId": conv, "abrupt": true});
    assert_eq!(drop_streams(&app, body).await, 1);
    assert_eq!(until_closed(&mut socket).await, None, "no close frame");

    app.post(&conv, &token, message("opening hours")).await;
    let mut again = reconnect(&app, port, &conv, &token, "3").await;
    let replay = next_set(&mut again).await;
    assert_eq!(ids(&replay), [id(&conv, 4), id(&conv, 5), id(&conv, 6)]);
}

#[tokio::test]
async fn drop_without_a_conversation_ends_bot_and_hub_streams() {
    let (app, port) = serve(TestApp::new()).await;
    let (conv, token) = app.token().await;
    let hub = app.visitor("/hub/api/token").await;
    let mut bot_socket = connect(&stream_url(port, &conv, &token, None)).await;
    let hub_url = format!(
        "ws://127.0.0.1:{port}/hub/v3/directline/conversations/{}/stream?t={}",
        hub.conv, hub.token
    );
    let mut hub_socket = connect(&hub_url).await;
    let mut second_hub_socket = connect(&hub_url).await;
    assert_eq!(app.state.streams.count(None), 3);

    assert_eq!(drop_streams(&app, serde_json::json!({})).await, 3);
    for socket in [&mut bot_socket, &mut hub_socket, &mut second_hub_socket] {
        assert!(until_closed(socket).await.is_some());
    }
    assert_eq!(app.state.streams.count(None), 0);
    assert_eq!(drop_streams(&app, serde_json::json!({})).await, 0);
}

#[tokio::test]
async fn refused_streams_get_a_503_until_cleared() {
    let (app, port) = serve(TestApp::new()).await;
    let (conv, token) = app.token().await;
    app.arm(serde_json::json!({"refuseStreams": true})).await;
    let url = stream_url(port, &conv, &token, None);
    match timeout(WAIT, connect_async(&url)).await.unwrap() {
        Err(tungstenite::Error::Http(response)) => {
            assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
            let body: Value = serde_json::from_slice(response.body().as_deref().unwrap()).unwrap();
            assert_eq!(body["error"]["code"], "ServiceError");
        }
        other => panic!("expected a 503, got {other:?}"),
    }
    // REST is unaffected.
    app.post(&conv, &token, message("hi")).await;

    app.call(Method::DELETE, "/_dev/faults", None, None).await;
    let mut socket = connect(&url).await;
    assert_eq!(next_set(&mut socket).await["watermark"], "3");
}
