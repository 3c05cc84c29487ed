//! The app served on 127.0.0.1 port 0, and a tokio-tungstenite client of its WebSocket
//! streams (REST calls keep going through `oneshot` on the same state).

use std::time::Duration;

use axum::http::StatusCode;
use futures_util::StreamExt;
use serde_json::Value;
use tokio::net::{TcpListener, TcpStream};
use tokio::time::timeout;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::{connect_async, MaybeTlsStream, WebSocketStream};

use super::TestApp;

/// A client's end of a stream.
pub type Socket = WebSocketStream<MaybeTlsStream<TcpStream>>;

/// How long a test waits for a frame or a connection.
pub const WAIT: Duration = Duration::from_secs(5);

/// Serves the app on a free port; returns the app (for REST calls) and the port.
pub async fn serve(app: TestApp) -> (TestApp, u16) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(devserver::serve(listener, app.state.clone()));
    (app, port)
}

/// The `streamUrl` of a conversation answer (handed out for the `127.0.0.1:8080` the
/// `oneshot` requests name as Host), pointed at the served `port`.
pub fn stream_url_on(conversation: &Value, port: u16) -> String {
    conversation["streamUrl"]
        .as_str()
        .unwrap()
        .replace("127.0.0.1:8080", &format!("127.0.0.1:{port}"))
}

/// Opens a stream; asserts the upgrade.
pub async fn connect(url: &str) -> Socket {
    let (socket, response) = timeout(WAIT, connect_async(url)).await.unwrap().unwrap();
    assert_eq!(response.status(), StatusCode::SWITCHING_PROTOCOLS);
    socket
}

/// Next ActivitySet, skipping keep-alive frames.
pub async fn next_set(socket: &mut Socket) -> Value {
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
