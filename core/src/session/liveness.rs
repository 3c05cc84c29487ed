//! The liveness guarantee: a chatting session with an open conversation either receives
//! within a bounded time ([`RECEIVE_BOUND_MS`]) or says that it is reconnecting
//! ([`STALE_MS`]); no state waits forever.
//!
//! How it is kept:
//! - Everything the server sends on the receiving side counts as heard ([`Link::heard`]):
//!   stream frames, keep-alives (empty frames) included, and the answers of reads.
//! - A watchdog runs on a tick every [`WATCHDOG_MS`] while chatting. For each open link it
//!   reads (`GET activities?watermark=`) when the link has been silent for [`SILENT_MS`] and
//!   no read is out, or while a reload's first read is still owed. Whatever the transport
//!   is doing (stream open, reconnecting, polling, dead), activities keep coming this way.
//! - A read that finds activities an open stream kept quiet about unmasks a zombie socket
//!   (open, yet delivering nothing: lost frames, a missed close): it counts as a stream
//!   failure, so the stream is reconnected (the old socket closed first) and the banner
//!   says so. Silence alone never kills a stream: keep-alives are not promised.
//! - Reads form one rhythm: an answer continues polling only when no other read is out,
//!   and a failed read is retried with backoff whatever the transport.
//! - A link unheard for [`STALE_MS`] shows as reconnecting whatever its protocol state, so a
//!   silence nothing explains is still reported.
//! - Every request answers: the browser layer aborts it after [`REQUEST_TIMEOUT_MS`] (a
//!   retryable network error), and `Retry-After` is capped ([`MAX_RETRY_AFTER_MS`]). Should
//!   a read's answer still never come, it is forgotten after [`READ_LOST_MS`].
//!
//! Pure like the rest of the session: time comes in as `now`.

use super::*;
use crate::link::MAX_BACKOFF_MS;

#[cfg(doc)]
use crate::error::MAX_RETRY_AFTER_MS;

/// The watchdog's rhythm while chatting.
pub const WATCHDOG_MS: Millis = 5_000;
/// A link silent this long (no frame, no keep-alive, no read answered) is read. Longer than
/// keep-alive intervals (the dev server sends one every 15 s), so a healthy stream is not.
pub const SILENT_MS: Millis = 20_000;
/// The browser layer aborts a request unanswered for this long; core retries it as a
/// network error.
pub const REQUEST_TIMEOUT_MS: Millis = 20_000;
/// A read out this long after it was sent never answered (the browser layer's timeout
/// failed): it is forgotten, so that reading goes on.
pub const READ_LOST_MS: Millis = REQUEST_TIMEOUT_MS + 2 * WATCHDOG_MS;
/// The longest a working link goes unheard: silent for [`SILENT_MS`], noticed by the
/// watchdog within [`WATCHDOG_MS`], read within [`REQUEST_TIMEOUT_MS`] (45 s). Unheard for
/// longer, the link shows as reconnecting.
pub const STALE_MS: Millis = SILENT_MS + WATCHDOG_MS + REQUEST_TIMEOUT_MS;
/// The guarantee (65 s): an activity the server accepted at `t` is in the transcript by
/// `t + RECEIVE_BOUND_MS`, whatever the transport state at `t`, provided the server answers
/// requests successfully (within [`REQUEST_TIMEOUT_MS`]) from `t` on: each failure after
/// `t` (a refused token needing its renewal, a `Retry-After` up to 5 min) restarts the
/// count. The read that brings it goes out at the latest:
/// - 45 s after `t` when an earlier failure had scheduled a retry (backoff ≤ 1.5 ×
///   `MAX_BACKOFF_MS`);
/// - when polling, 1 s after the read out at `t` answered (≤ 21 s);
/// - otherwise (stream open but silent or dead, stream being reconnected, page reloaded)
///   once the link has been silent for [`SILENT_MS`] since that answer, seen at the next
///   watchdog tick: ≤ `REQUEST_TIMEOUT_MS + SILENT_MS + WATCHDOG_MS` = 45 s;
///
/// and it answers within [`REQUEST_TIMEOUT_MS`]: 45 s + 20 s. A healthy stream delivers at
/// once.
pub const RECEIVE_BOUND_MS: Millis = max(
    MAX_BACKOFF_MS * 3 / 2,
    REQUEST_TIMEOUT_MS + SILENT_MS + WATCHDOG_MS,
) + REQUEST_TIMEOUT_MS;

const fn max(a: Millis, b: Millis) -> Millis {
    if a > b {
        a
    } else {
        b
    }
}

impl Session {
    /// A timer fired. Ticks come from several timers (watchdog, typing, slow connection);
    /// the watchdog runs every [`WATCHDOG_MS`], and whenever no tick is left, so that a
    /// clock set back cannot stop its rhythm.
    pub(super) fn on_tick(&mut self, now: Millis, effects: &mut Vec<Effect>) {
        self.ticks = self.ticks.saturating_sub(1);
        if self.typing.as_ref().is_some_and(|(_, until)| *until <= now) {
            self.typing = None;
        }
        if self.ticks > 0 && now < self.watched.saturating_add(WATCHDOG_MS) {
            return;
        }
        self.watched = now;
        if self.phase == Phase::Chatting {
            for channel in [Channel::Bot, Channel::Hub] {
                self.watch(channel, now, effects);
            }
            self.schedule_tick(WATCHDOG_MS, effects);
        }
    }

    /// After every step: a chatting session always has a tick coming.
    pub(super) fn keep_watch(&mut self, now: Millis, effects: &mut Vec<Effect>) {
        if self.phase == Phase::Chatting && self.ticks == 0 {
            self.watched = now;
            self.schedule_tick(WATCHDOG_MS, effects);
        }
    }

    pub(super) fn schedule_tick(&mut self, after_ms: Millis, effects: &mut Vec<Effect>) {
        self.ticks += 1;
        effects.push(Effect::ScheduleTick { after_ms });
    }

    /// Reads a link that has gone silent, or still owes a reload its first read.
    fn watch(&mut self, channel: Channel, now: Millis, effects: &mut Vec<Effect>) {
        let link = self.link_mut(channel);
        if link.endpoint.is_none() || link.token_rejected {
            return; // nothing open, or a new token must come first (its refresh retries)
        }
        if link.reads > 0 && now >= link.read_at.saturating_add(READ_LOST_MS) {
            link.reads = 0;
        }
        let heard = *link.heard.get_or_insert(now);
        let quiet = now.saturating_sub(heard.max(link.read_at)) >= SILENT_MS;
        if link.reads == 0 && (quiet || link.resuming) {
            if link.transport == Transport::Stream && link.healthy_since.is_some() {
                link.probe_at = Some(now);
            }
            self.read(channel, 0, false, now, effects);
        }
    }

    /// The stream (a frame or keep-alive), or a one-off read, was heard: the link works.
    pub(super) fn heard(&mut self, channel: Channel, now: Millis) {
        let link = self.link_mut(channel);
        link.heard = Some(now);
        link.reconnecting_since = None;
        link.poll_failures = 0;
    }

    /// A read answered. When polling, the rhythm goes on. With a stream it was the
    /// watchdog's or a reload's read; what it finds that an open stream kept quiet about
    /// since the watchdog asked unmasks a zombie socket, replaced as if it had failed.
    pub(super) fn on_polled(
        &mut self,
        channel: Channel,
        set: ActivitySet,
        now: Millis,
        effects: &mut Vec<Effect>,
    ) {
        let link = self.link_mut(channel);
        link.reads = link.reads.saturating_sub(1);
        link.poll_failures = 0;
        let unmasked = link
            .probe_at
            .take()
            .is_some_and(|asked| link.heard <= Some(asked));
        let open = link.healthy_since.is_some();
        if link.transport == Transport::Polling || open {
            // Polling gets messages through: the visitor is connected, whatever the socket
            // does. A stream being reconnected is not back because a read worked.
            link.reconnecting_since = None;
        }
        link.heard = Some(now);
        let resumed = std::mem::take(&mut link.resuming);
        let fresh = self.receive(channel, set, now, effects);
        if resumed {
            self.pump(channel, 0, effects);
        }
        let link = self.link_mut(channel);
        let zombie = unmasked && fresh > 0 && link.transport == Transport::Stream;
        if zombie && open && link.endpoint.is_some() {
            self.on_stream_failed(channel, now, effects);
        }
        self.poll(channel, POLL_INTERVAL_MS, now, effects);
    }
}

#[cfg(test)]
mod tests;
