//! The Direct Line WebSocket stream: parses each frame into an [`ActivitySet`] and hands it
//! to the caller. Empty frames are keep-alives, handed on as empty sets (core's watchdog
//! counts them as signs of life); malformed frames are logged and skipped so the chat goes
//! on.

use futures::StreamExt;
use gloo_net::websocket::{futures::WebSocket, Message, State};
use gloo_timers::future::TimeoutFuture;
use handoff_core::activity::{parse_activity_set, ActivitySet};

use super::log_skipped;

/// How long a socket may take to open before it counts as failed.
const OPEN_TIMEOUT_MS: u32 = 10_000;

/// Reads the stream at `url` until it closes or fails, calling `on_open` once it is open.
/// Returns normally in every case: the caller decides what a closed stream means.
pub async fn run(url: &str, on_open: impl FnOnce(), mut on_set: impl FnMut(ActivitySet)) {
    let mut socket = match WebSocket::open(url) {
        Ok(socket) => socket,
        Err(e) => {
            web_sys::console::warn_1(&format!("handoff-chat: cannot open stream: {e}").into());
            return;
        }
    };
    let mut waited = 0;
    while matches!(socket.state(), State::Connecting) && waited < OPEN_TIMEOUT_MS {
        TimeoutFuture::new(50).await;
        waited += 50;
    }
    if !matches!(socket.state(), State::Open) {
        return;
    }
    on_open();
    while let Some(frame) = socket.next().await {
        let text = match frame {
            Ok(Message::Text(text)) => text,
            Ok(Message::Bytes(bytes)) => String::from_utf8_lossy(&bytes).into_owned(),
            Err(e) => {
                web_sys::console::warn_1(&format!("handoff-chat: stream closed: {e}").into());
                return;
            }
        };
        // An empty frame parses as an empty set: a keep-alive.
        match parse_activity_set(&text) {
            Ok((set, skipped)) => {
                log_skipped(skipped);
                on_set(set);
            }
            Err(e) => web_sys::console::warn_1(
                &format!("handoff-chat: skipped malformed frame: {e}").into(),
            ),
        }
    }
}
