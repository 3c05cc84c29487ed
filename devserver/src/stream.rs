//! The Direct Line WebSocket stream (`GET <base>/conversations/{id}/stream`, on the bot's and
//! the hub's endpoint alike).
//!
//! On connect: one ActivitySet with the backlog after the watermark (skipped when empty),
//! then one ActivitySet per appended activity, and an empty text frame every keep-alive
//! interval (what the service sends; clients ignore it). Authenticated by the `t` query
//! parameter of the streamUrl or an `Authorization` header, before the upgrade, so a bad
//! credential gets an HTTP error the client can act on. Reads the store; never writes.
//!
//! Every open stream is registered in [`Streams`] (from before the upgrade until the socket
//! is gone), so `/_dev/faults/drop-streams` can end them server side: with a close frame, or
//! by dropping the connection without one. While `/_dev/faults` refuses streams, an upgrade
//! is answered 503 instead.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use axum::extract::rejection::QueryRejection;
use axum::extract::ws::rejection::WebSocketUpgradeRejection;
use axum::extract::ws::{close_code, CloseFrame, Message, WebSocket, WebSocketUpgrade};
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::routing::get;
use axum::Router;
use handoff_core::activity::ActivitySet;
use serde::Deserialize;
use tokio::sync::broadcast::{self, error::RecvError};
use tokio::sync::oneshot;
use tokio::time::{interval_at, timeout, Instant, Interval};

use crate::auth::Credential;
use crate::endpoint::{parse_watermark, query, Endpoint};
use crate::error::{AppError, Result};
use crate::store::{Appended, Service, Store};

/// How long a stream closed by the server waits for the client's answering close frame
/// before it lets go of the connection.
const CLOSE_HANDSHAKE_WAIT: Duration = Duration::from_secs(1);

/// `reason` of the close frame of a stream dropped through `/_dev/faults/drop-streams`.
pub const DROP_REASON: &str = "dropped by /_dev/faults";

/// How the server ends a stream.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Hangup {
    /// A close frame (1000, normal closure), then the connection closes.
    Close,
    /// The connection closes without a close frame (the client sees 1006, abnormal).
    Abrupt,
}

/// The open streams, by conversation, each with a way to end it.
#[derive(Debug, Default)]
pub struct Streams {
    next_id: AtomicU64,
    open: Mutex<HashMap<u64, OpenStream>>,
}

#[derive(Debug)]
struct OpenStream {
    conversation_id: String,
    hangup: oneshot::Sender<Hangup>,
}

/// A stream's place in [`Streams`]; leaving it (drop) unregisters the stream.
struct Registration {
    streams: Arc<Streams>,
    id: u64,
}

impl Drop for Registration {
    fn drop(&mut self) {
        self.streams.lock().remove(&self.id);
    }
}

impl Streams {
    /// Registers a stream of `conversation_id`; the receiver says when and how to end it.
    fn register(
        self: &Arc<Self>,
        conversation_id: &str,
    ) -> (Registration, oneshot::Receiver<Hangup>) {
        let id = self.next_id.fetch_add(1, Ordering::SeqCst);
        let (hangup, receiver) = oneshot::channel();
        self.lock().insert(
            id,
            OpenStream {
                conversation_id: conversation_id.to_owned(),
                hangup,
            },
        );
        let registration = Registration {
            streams: Arc::clone(self),
            id,
        };
        (registration, receiver)
    }

    /// Ends the open streams of `conversation_id` (all streams when `None`) the way `how`
    /// says; the number of streams told to end.
    pub fn hang_up(&self, conversation_id: Option<&str>, how: Hangup) -> usize {
        let mut open = self.lock();
        let ids: Vec<u64> = open
            .iter()
            .filter(|(_, s)| conversation_id.is_none_or(|c| s.conversation_id == c))
            .map(|(id, _)| *id)
            .collect();
        ids.iter()
            .filter_map(|id| open.remove(id))
            .map(|s| s.hangup.send(how))
            .filter(|sent| sent.is_ok())
            .count()
    }

    /// How many streams of `conversation_id` (of all conversations when `None`) are open.
    pub fn count(&self, conversation_id: Option<&str>) -> usize {
        self.lock()
            .values()
            .filter(|s| conversation_id.is_none_or(|c| s.conversation_id == c))
            .count()
    }

    /// The registry is plain data: usable after a panic elsewhere.
    fn lock(&self) -> MutexGuard<'_, HashMap<u64, OpenStream>> {
        self.open.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// The stream route (mounted under an endpoint's base, outside fault injection).
pub fn routes() -> Router<Endpoint> {
    Router::new().route("/conversations/{id}/stream", get(connect))
}

/// Query of a streamUrl.
#[derive(Debug, Default, Deserialize)]
struct StreamQuery {
    t: Option<String>,
    watermark: Option<String>,
}

async fn connect(
    State(ep): State<Endpoint>,
    headers: HeaderMap,
    Path(id): Path<String>,
    params: std::result::Result<Query<StreamQuery>, QueryRejection>,
    upgrade: std::result::Result<WebSocketUpgrade, WebSocketUpgradeRejection>,
) -> Result<Response> {
    let state = &ep.app;
    if state.faults.refuse_streams() {
        return Err(AppError::Injected {
            status: StatusCode::SERVICE_UNAVAILABLE,
            retry_after: None,
        });
    }
    let params = query(params)?;
    let credential = Credential::given(&headers, params.t.as_deref());
    ep.caller_of(&id, credential, state.clock.now())?;
    let watermark = parse_watermark(params.watermark.as_deref())?;
    let upgrade = upgrade.map_err(|e| AppError::BadArgument(e.body_text()))?;
    // Subscribe before upgrading: activities appended during the handshake are queued.
    let (backlog, feed) = state.store.subscribe(ep.service, &id, watermark)?;
    // Registered before the upgrade, so a drop requested right after the client's handshake
    // completes still reaches this stream.
    let (registration, hangup) = state.streams.register(&id);
    let store = Arc::clone(&state.store);
    let keepalive = state.config.keepalive;
    let service = ep.service;
    // A client sends nothing but control frames; a large message ends the stream (1009).
    let limited = upgrade
        .max_message_size(crate::limits::MAX_WS_MESSAGE_BYTES)
        .max_frame_size(crate::limits::MAX_WS_MESSAGE_BYTES);
    Ok(limited.on_upgrade(move |socket| async move {
        let _registration = registration;
        let session = Session {
            socket,
            store,
            service,
            conversation_id: id,
            last_sent: backlog
                .watermark
                .as_deref()
                .and_then(|w| w.parse().ok())
                .unwrap_or(0),
        };
        session.run(backlog, feed, hangup, keepalive).await;
    }))
}

/// One connected stream.
struct Session {
    socket: WebSocket,
    store: Arc<Store>,
    service: Service,
    conversation_id: String,
    /// Watermark of the last activity sent, so a catch-up after lag never repeats one.
    last_sent: u64,
}

impl Session {
    async fn run(
        mut self,
        backlog: ActivitySet,
        mut feed: broadcast::Receiver<Arc<Appended>>,
        mut hangup: oneshot::Receiver<Hangup>,
        keepalive: Duration,
    ) {
        // A drop requested before the socket was up wins over the backlog.
        match hangup.try_recv() {
            Ok(how) => return self.hang_up(how).await,
            Err(oneshot::error::TryRecvError::Closed) => return,
            Err(oneshot::error::TryRecvError::Empty) => {}
        }
        if !backlog.activities.is_empty() && self.send(&backlog).await.is_err() {
            return;
        }
        let mut ticker =
            (!keepalive.is_zero()).then(|| interval_at(Instant::now() + keepalive, keepalive));
        loop {
            tokio::select! {
                appended = feed.recv() => {
                    let sent = match appended {
                        Ok(item) => self.forward(&item).await,
                        Err(RecvError::Lagged(_)) => self.catch_up().await,
                        Err(RecvError::Closed) => break,
                    };
                    if sent.is_err() {
                        break;
                    }
                }
                _ = tick(&mut ticker) => {
                    if self.socket.send(Message::Text("".into())).await.is_err() {
                        break;
                    }
                }
                incoming = self.socket.recv() => match incoming {
                    // Clients send nothing meaningful on this socket; only closing matters.
                    None | Some(Err(_)) | Some(Ok(Message::Close(_))) => break,
                    Some(Ok(_)) => {}
                },
                how = &mut hangup => {
                    // The sender only goes away with the registration, i.e. never while
                    // running; treat it as a normal close anyway.
                    return self.hang_up(how.unwrap_or(Hangup::Close)).await;
                }
            }
        }
    }

    /// Ends the stream from the server side.
    async fn hang_up(mut self, how: Hangup) {
        match how {
            // Dropping the socket closes the TCP connection with no close frame.
            Hangup::Abrupt => drop(self.socket),
            Hangup::Close => {
                let frame = CloseFrame {
                    code: close_code::NORMAL,
                    reason: DROP_REASON.into(),
                };
                if self.socket.send(Message::Close(Some(frame))).await.is_err() {
                    return;
                }
                // Let the client answer the close, as the protocol asks, but not forever.
                let _ = timeout(CLOSE_HANDSHAKE_WAIT, async {
                    while let Some(Ok(message)) = self.socket.recv().await {
                        if matches!(message, Message::Close(_)) {
                            break;
                        }
                    }
                })
                .await;
            }
        }
    }

    async fn forward(&mut self, item: &Appended) -> std::result::Result<(), axum::Error> {
        if item.seq <= self.last_sent {
            return Ok(());
        }
        let set = ActivitySet {
            activities: vec![item.activity.clone()],
            watermark: Some(item.seq.to_string()),
        };
        self.send(&set).await
    }

    /// The feed overflowed: resend what was missed from the log, as one set.
    async fn catch_up(&mut self) -> std::result::Result<(), axum::Error> {
        match self
            .store
            .activities_after(self.service, &self.conversation_id, Some(self.last_sent))
        {
            Ok(set) if !set.activities.is_empty() => self.send(&set).await,
            _ => Ok(()),
        }
    }

    async fn send(&mut self, set: &ActivitySet) -> std::result::Result<(), axum::Error> {
        let json = serde_json::to_string(set).map_err(axum::Error::new)?;
        self.socket.send(Message::Text(json.into())).await?;
        if let Some(w) = set.watermark.as_deref().and_then(|w| w.parse().ok()) {
            self.last_sent = w;
        }
        Ok(())
    }
}

/// Next keep-alive tick, or never when keep-alive is off.
async fn tick(ticker: &mut Option<Interval>) {
    match ticker {
        Some(t) => {
            t.tick().await;
        }
        None => std::future::pending().await,
    }
}
