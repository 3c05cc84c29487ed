//! The Direct Line WebSocket stream (`GET <base>/conversations/{id}/stream`, on the bot's and
//! the hub's endpoint alike).
//!
//! On connect: one ActivitySet with the backlog after the watermark (skipped when empty),
//! then one ActivitySet per appended activity, and an empty text frame every keep-alive
//! interval (what the service sends; clients ignore it). Authenticated by the `t` query
//! parameter of the streamUrl or an `Authorization` header, before the upgrade, so a bad
//! credential gets an HTTP error the client can act on. Reads the store; never writes.

use std::sync::Arc;
use std::time::Duration;

use axum::extract::rejection::QueryRejection;
use axum::extract::ws::rejection::WebSocketUpgradeRejection;
use axum::extract::ws::{Message, WebSocket, WebSocketUpgrade};
use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::response::Response;
use axum::routing::get;
use axum::Router;
use handoff_core::activity::ActivitySet;
use serde::Deserialize;
use tokio::sync::broadcast::{self, error::RecvError};
use tokio::time::{interval_at, Instant, Interval};

use crate::auth;
use crate::directline::Endpoint;
use crate::directline::{parse_watermark, query};
use crate::error::{AppError, Result};
use crate::store::{Appended, Service, Store};

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
    let params = query(params)?;
    let credential = params.t.as_deref().or_else(|| auth::bearer(&headers));
    let caller = auth::identify(state, ep.service, credential, state.clock.now())?;
    caller.check_conversation(&id)?;
    let watermark = parse_watermark(params.watermark.as_deref())?;
    let upgrade = upgrade.map_err(|e| AppError::BadArgument(e.body_text()))?;
    // Subscribe before upgrading: activities appended during the handshake are queued.
    let (backlog, feed) = state.store.subscribe(ep.service, &id, watermark)?;
    let store = Arc::clone(&state.store);
    let keepalive = state.config.keepalive;
    let service = ep.service;
    Ok(upgrade.on_upgrade(move |socket| async move {
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
        session.run(backlog, feed, keepalive).await;
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
        keepalive: Duration,
    ) {
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
