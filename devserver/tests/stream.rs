//! The WebSocket stream over a real socket: the app served on 127.0.0.1 port 0, REST calls
//! through `oneshot` on the same state, and a tokio-tungstenite client.

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
