//! The Direct Line WebSocket stream: parses each frame into an [`ActivitySet`] and hands it
//! to the caller. Empty frames are keep-alives; malformed frames are logged and skipped so
//! the chat goes on.

use futures::StreamExt;
use gloo_net::websocket::{futures::WebSocket, Message};
use handoff_core::activity::{parse_activity_set, ActivitySet};

use super::log_skipped;

/// Reads the stream at `url` until it closes or fails. Returns normally in both cases:
/// the caller decides what a closed stream means.
pub async fn run(url: &str, mut on_set: impl FnMut(ActivitySet)) {
    let mut socket = match WebSocket::open(url) {
        Ok(socket) => socket,
        Err(e) => {
            web_sys::console::warn_1(&format!("handoff-chat: cannot open stream: {e}").into());
            return;
        }
    };
    while let Some(frame) = socket.next().await {
        let text = match frame {
            Ok(Message::Text(text)) => text,
            Ok(Message::Bytes(bytes)) => String::from_utf8_lossy(&bytes).into_owned(),
            Err(e) => {
                web_sys::console::warn_1(&format!("handoff-chat: stream closed: {e}").into());
                return;
            }
        };
        if text.trim().is_empty() {
            continue;
        }
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
