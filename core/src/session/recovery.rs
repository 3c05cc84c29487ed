//! Keeping a conversation connected: stream reconnects with jittered backoff (falling back
//! to polling after repeated failures and trying the socket again later), token refresh at
//! half the token's lifetime, and the connectivity the banner shows. Direct Line's rules:
//! 403 → new token, 404 → the conversation is gone, 429/5xx/network → retry. What keeps
//! all of this from waiting forever is in `liveness.rs`.

use super::liveness::STALE_MS;
use super::*;
use crate::error::Recovery;
use crate::link::backoff_ms;

/// Stream failures in a row before falling back to polling.
pub const MAX_STREAM_RETRIES: u32 = 3;
/// While polling after stream failures, how long until the socket is tried again.
pub const STREAM_RETRY_MS: Millis = 30_000;
/// A stream open this long counts as healthy: the next failure starts counting afresh.
pub const HEALTHY_MS: Millis = 60_000;
/// Reconnecting for longer than this shows as a slow connection.
pub const SLOW_MS: Millis = 15_000;
/// Polls failed in a row before the connection counts as lost.
pub const LOST_AFTER_POLL_FAILURES: u32 = 3;

/// What the connection banner shows (derived, never stored).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Connectivity {
    /// Connected, or not connecting at all (survey, ended).
    Online,
    /// Getting the conversation back after a drop.
    Reconnecting,
    /// Still reconnecting after [`SLOW_MS`].
    Slow,
    /// Nothing gets through; the visitor can retry.
    Lost,
}

impl Session {
    /// The connectivity of the conversation carrying the visitor's messages. A link unheard
    /// for [`STALE_MS`] is reconnecting, whatever its protocol state says.
    pub fn connectivity(&self, now: Millis) -> Connectivity {
        if self.phase != Phase::Chatting {
            return Connectivity::Online;
        }
        let link = match self.agent_channel() {
            Channel::Bot => &self.bot,
            Channel::Hub if self.hub.endpoint.is_some() => &self.hub,
            Channel::Hub => &self.bot,
        };
        let stale = link.heard.map(|h| h.saturating_add(STALE_MS));
        let since = [link.reconnecting_since, stale.filter(|t| *t <= now)];
        match since.into_iter().flatten().min() {
            _ if link.poll_failures >= LOST_AFTER_POLL_FAILURES => Connectivity::Lost,
            Some(since) if now.saturating_sub(since) >= SLOW_MS => Connectivity::Slow,
            Some(_) => Connectivity::Reconnecting,
            None => Connectivity::Online,
        }
    }

    /// Opens the stream when the server offers one, else polls. A `streamUrl` that is not
    /// `wss` (`ws` on the visitor's machine) is never opened: it fails like a socket that
    /// would not open, so the conversation is polled and the stream asked for again later.
    pub(super) fn open_transport(
        &mut self,
        channel: Channel,
        stream_url: Option<String>,
        now: Millis,
        effects: &mut Vec<Effect>,
    ) {
        let link = self.link_mut(channel);
        let generation = link.generation;
        match stream_url {
            Some(url) if crate::url::is_stream(&url) => {
                link.transport = Transport::Stream;
                effects.push(Effect::OpenStream {
                    channel,
                    generation,
                    url,
                });
            }
            Some(_) => {
                link.transport = Transport::Stream;
                self.on_stream_failed(channel, now, effects);
            }
            None => {
                link.transport = Transport::Polling;
                self.poll(channel, 0, now, effects);
            }
        }
    }

    pub(super) fn schedule_refresh(
        &mut self,
        channel: Channel,
        expires_in: Option<u64>,
        effects: &mut Vec<Effect>,
    ) {
        if let Some(secs) = expires_in.filter(|s| *s > 0) {
            // Saturating: `expires_in` is the server's number (1e20 reads as u64::MAX).
            self.refresh_token(channel, secs.saturating_mul(1000) / 2, effects);
        }
    }

    pub(super) fn refresh_token(
        &mut self,
        channel: Channel,
        after_ms: Millis,
        effects: &mut Vec<Effect>,
    ) {
        let base = self.base(channel);
        let link = self.link_mut(channel);
        if let Some(endpoint) = link.endpoint.clone() {
            effects.push(Effect::RefreshToken {
                channel,
                generation: link.generation,
                base,
                endpoint,
                after_ms,
            });
        }
    }

    /// The server refused the token (403): a new one is needed before anything goes on.
    pub(super) fn token_rejected(&mut self, channel: Channel, effects: &mut Vec<Effect>) {
        self.link_mut(channel).token_rejected = true;
        self.refresh_token(channel, 0, effects);
    }

    pub(super) fn on_stream_failed(
        &mut self,
        channel: Channel,
        now: Millis,
        effects: &mut Vec<Effect>,
    ) {
        let link = self.link_mut(channel);
        if link.transport != Transport::Stream {
            return;
        }
        let was_healthy = link
            .healthy_since
            .is_some_and(|t| now.saturating_sub(t) >= HEALTHY_MS);
        link.stream_failures = if was_healthy {
            1
        } else {
            link.stream_failures + 1
        };
        link.healthy_since = None;
        link.reconnecting_since.get_or_insert(now);
        let failures = link.stream_failures;
        // A socket that never opened (refused upgrades, a proxy) is not waited for: poll at
        // once and try the socket again later.
        if failures <= MAX_STREAM_RETRIES && link.stream_ever_opened {
            let delay = backoff_ms(failures, self.jitter());
            self.reconnect(channel, delay, effects);
        } else {
            self.link_mut(channel).transport = Transport::Polling;
            self.poll(channel, 0, now, effects);
            self.reconnect(channel, STREAM_RETRY_MS, effects);
        }
        self.schedule_tick(SLOW_MS, effects);
    }

    pub(super) fn on_reconnected(
        &mut self,
        channel: Channel,
        conv: Conversation,
        now: Millis,
        effects: &mut Vec<Effect>,
    ) {
        let link = self.link_mut(channel);
        if let (Some(endpoint), Some(token)) = (link.endpoint.as_mut(), conv.token) {
            endpoint.token = token;
        }
        if conv.stream_url.is_none() {
            // The server only polls: stop trying the socket.
            link.reconnecting_since = None;
        }
        self.open_transport(channel, conv.stream_url, now, effects);
    }

    pub(super) fn on_reconnect_failed(
        &mut self,
        channel: Channel,
        error: &ChatError,
        now: Millis,
        effects: &mut Vec<Effect>,
    ) {
        match error.recovery() {
            Recovery::Retry => {
                // Counts like a stream failure: back off, then poll and retry later.
                self.link_mut(channel).transport = Transport::Stream;
                self.on_stream_failed(channel, now, effects);
            }
            Recovery::NewToken => self.token_rejected(channel, effects),
            Recovery::NewConversation | Recovery::Fatal => {
                self.conversation_lost(channel, error.clone(), now, effects)
            }
        }
    }

    pub(super) fn on_poll_failed(
        &mut self,
        channel: Channel,
        error: &ChatError,
        now: Millis,
        effects: &mut Vec<Effect>,
    ) {
        match error.recovery() {
            Recovery::Retry => {
                let link = self.link_mut(channel);
                link.reads = link.reads.saturating_sub(1);
                link.poll_failures += 1;
                link.reconnecting_since.get_or_insert(now);
                let failures = link.poll_failures;
                let delay =
                    backoff_ms(failures, self.jitter()).max(error.retry_after_ms().unwrap_or(0));
                // Retried whatever the transport: a reload's read or the watchdog's must
                // get through too. Another read out goes on instead.
                if self.link_mut(channel).reads == 0 {
                    self.read(channel, delay, false, now, effects);
                }
            }
            Recovery::NewToken => {
                let link = self.link_mut(channel);
                link.reads = link.reads.saturating_sub(1);
                self.token_rejected(channel, effects)
            }
            Recovery::NewConversation | Recovery::Fatal => {
                self.conversation_lost(channel, error.clone(), now, effects)
            }
        }
    }

    pub(super) fn on_token_refreshed(
        &mut self,
        channel: Channel,
        token: TokenResponse,
        now: Millis,
        effects: &mut Vec<Effect>,
    ) {
        let link = self.link_mut(channel);
        link.token_rejected = false;
        if let Some(endpoint) = link.endpoint.as_mut().filter(|_| !token.token.is_empty()) {
            endpoint.token = token.token;
        }
        // A stream that died while the token was expired comes back now; polling, a
        // reload's first read or the watchdog's read goes on (unless a read is out: its
        // answer goes on).
        let reconnect = link.transport == Transport::Stream && link.healthy_since.is_none();
        let owed = link.transport == Transport::Polling || link.resuming || link.probe_at.is_some();
        let read = owed && link.reads == 0;
        self.schedule_refresh(channel, token.expires_in, effects);
        if reconnect {
            self.reconnect(channel, 0, effects);
        }
        if read {
            self.read(channel, 0, false, now, effects);
        }
        self.pump(channel, 0, effects);
    }

    pub(super) fn on_refresh_failed(
        &mut self,
        channel: Channel,
        error: &ChatError,
        now: Millis,
        effects: &mut Vec<Effect>,
    ) {
        match error {
            _ if error.recovery() == Recovery::Retry => {
                let delay = backoff_ms(3, self.jitter()).max(error.retry_after_ms().unwrap_or(0));
                self.refresh_token(channel, delay, effects);
            }
            // No refresh route (emulators, self-hosted bridges): the token goes on as it is,
            // unless the server already refused it.
            ChatError::Http {
                status: 404 | 405 | 501,
                ..
            } if !self.link_mut(channel).token_rejected => {}
            _ => self.conversation_lost(channel, error.clone(), now, effects),
        }
    }

    /// The visitor asked to try again after the connection was lost.
    pub(super) fn retry_connection(&mut self, now: Millis, effects: &mut Vec<Effect>) {
        for channel in [Channel::Bot, Channel::Hub] {
            let link = self.link_mut(channel);
            if link.endpoint.is_none() {
                continue;
            }
            link.stream_failures = 0;
            link.poll_failures = 0;
            link.reconnecting_since = Some(now);
            self.reconnect(channel, 0, effects);
        }
    }

    /// After a reload: read what arrived since the watermark (once, by GET, which always
    /// answers even when nothing is new), then reconnect the stream; posts wait for the read.
    pub(super) fn resume(&mut self, now: Millis, effects: &mut Vec<Effect>) {
        for channel in [Channel::Bot, Channel::Hub] {
            let link = self.link_mut(channel);
            if link.endpoint.is_none() {
                continue;
            }
            link.resume();
            link.reconnecting_since = Some(now);
            link.heard = Some(now);
            let streaming = link.transport == Transport::Stream;
            self.read(channel, 0, false, now, effects);
            if streaming {
                self.reconnect(channel, 0, effects);
            }
        }
        self.typing = None;
    }

    /// The conversation cannot be continued (gone, or its token cannot be renewed).
    fn conversation_lost(
        &mut self,
        channel: Channel,
        error: ChatError,
        now: Millis,
        effects: &mut Vec<Effect>,
    ) {
        match channel {
            Channel::Hub => {
                self.end_handoff(Some(error.visitor_message(self.lang())), now, effects)
            }
            Channel::Bot => {
                // Keep the transcript; a retry starts a new conversation, which gets the
                // survey answers again and then what was not delivered.
                let undelivered = self.bot.reset();
                let start = self.start_event(now);
                self.bot.queue(start);
                for activity in undelivered.into_iter().filter(|a| a.kind == "message") {
                    self.bot.queue(activity);
                }
                self.phase = Phase::Failed(error);
                effects.push(Effect::CloseStream { channel });
            }
        }
    }

    /// `GET /conversations/{id}` for a new stream. The browser layer closes the old stream
    /// first, so none is open from here on.
    fn reconnect(&mut self, channel: Channel, after_ms: Millis, effects: &mut Vec<Effect>) {
        let base = self.base(channel);
        let link = self.link_mut(channel);
        link.healthy_since = None;
        if let Some(endpoint) = link.endpoint.clone() {
            effects.push(Effect::Reconnect {
                channel,
                generation: link.generation,
                base,
                endpoint,
                watermark: link.watermark.clone(),
                after_ms,
            });
        }
    }

    /// A number in [0, 1) from the session's xorshift generator.
    pub(super) fn jitter(&mut self) -> f64 {
        let mut x = self.rng;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.rng = x;
        (x >> 11) as f64 / (1u64 << 53) as f64
    }
}

#[cfg(test)]
mod tests;
