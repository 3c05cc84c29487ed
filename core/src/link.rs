//! One Direct Line conversation as the client sees it: credentials, transport, watermark,
//! the activity ids already seen, and the ordered outbox with a single POST in flight.
//!
//! The session owns two links (the bot's conversation and, in bridge mode, the hub's);
//! everything here is per conversation and knows nothing about handoffs.

use std::collections::{HashSet, VecDeque};

use crate::activity::{Activity, ActivitySet, TokenResponse};
use crate::error::{ChatError, Recovery};
use crate::time::Millis;

/// How many times a failed POST is tried before the message is marked failed (with the
/// capped backoff below, about a minute and a half of trying).
pub const MAX_POST_ATTEMPTS: u32 = 8;
/// Longest wait between two retries.
pub const MAX_BACKOFF_MS: Millis = 30_000;

/// Exponential backoff for the `attempt`-th retry (1-based): 1 s, 2 s, 4 s … capped at
/// [`MAX_BACKOFF_MS`], scaled by `0.5 + jitter` (`jitter` in [0, 1)) so that many clients
/// do not retry in step.
pub fn backoff_ms(attempt: u32, jitter: f64) -> Millis {
    let base = (1_000u64 << attempt.saturating_sub(1).min(15)).min(MAX_BACKOFF_MS);
    (base as f64 * (0.5 + jitter.clamp(0.0, 1.0))) as Millis
}

/// What makes an activity the same one again: a digest of its id and content. A replay (a
/// poll overlapping the stream, a server ignoring the watermark) is dropped, while two
/// different activities that share an id, or have none (some Direct Line-style servers),
/// both count. Two identical activities without id or timestamp count once.
pub fn dedupe_key(activity: &Activity) -> u64 {
    let field = |v: &Option<String>| v.clone().unwrap_or_default();
    fnv1a(&[
        &field(&activity.id),
        &activity.kind,
        activity.from_id(),
        &field(&activity.timestamp),
        &field(&activity.text),
        &field(&activity.name),
        activity.client_activity_id().unwrap_or(""),
        if activity.attachments.is_empty() {
            ""
        } else {
            "+"
        },
    ])
}

/// FNV-1a over the parts, each followed by a separator so that ("ab", "c") ≠ ("a", "bc").
pub(crate) fn fnv1a(parts: &[&str]) -> u64 {
    parts
        .iter()
        .flat_map(|p| p.bytes().chain([0xff]))
        .fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
            (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3)
        })
}

/// How activities arrive.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Transport {
    /// WebSocket stream.
    #[default]
    Stream,
    /// `GET .../activities?watermark=` at intervals.
    Polling,
}

/// Credentials for requests on a conversation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Endpoint {
    pub conversation_id: String,
    pub token: String,
}

/// An outgoing activity and how often posting it has failed (a reload starts the count
/// afresh).
#[derive(Debug, Clone, PartialEq)]
struct Outgoing {
    activity: Activity,
    attempts: u32,
}

/// What to do after a failed POST.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AfterFailure {
    /// Post the same activity again after this delay.
    RetryIn(Millis),
    /// The token expired: post it again once a new token is in.
    NeedsToken,
    /// Give up on it: the message is failed (the queue moves on).
    GiveUp,
}

/// Client-side state of one Direct Line conversation. Only what a reload needs is stored
/// (credentials, watermark, undelivered activities); connection state starts afresh.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Link {
    pub endpoint: Option<Endpoint>,
    /// The token a conversation is being started with (kept when the server's answer
    /// carries none).
    pub grant: Option<TokenResponse>,
    /// The server refused the token (403) and no new one has come yet.
    pub token_rejected: bool,
    pub transport: Transport,
    pub watermark: Option<String>,
    /// Bumped whenever the link is dropped, so late results of an old stream, poll or
    /// conversation are recognised and ignored.
    pub generation: u32,
    /// Stream failures in a row (reset once a stream has been healthy for a minute).
    pub stream_failures: u32,
    /// When the current stream opened.
    pub healthy_since: Option<Millis>,
    /// Whether a stream ever opened on this conversation (some servers only poll).
    pub stream_ever_opened: bool,
    /// When the connection was first lost, while it is being re-established.
    pub reconnecting_since: Option<Millis>,
    /// Polls failed in a row.
    pub poll_failures: u32,
    /// After a page reload: nothing is posted until the activities since the watermark
    /// have been read, so what already reached the server is not sent twice.
    pub resuming: bool,
    /// When the server was last heard on the receiving side (a stream frame, keep-alives
    /// included, or a read's answer), or when listening began: what the watchdog measures
    /// silence from (`session/liveness.rs`).
    pub heard: Option<Millis>,
    /// Reads (`GET activities`, answered by `Polled` / `PollFailed`) asked for and not
    /// answered yet. A read's answer continues the polling rhythm only when no other read is
    /// out, so however many were started, one rhythm goes on.
    pub reads: u32,
    /// When the last read goes out (its delay included).
    pub read_at: Millis,
    /// When the watchdog read a silent stream's conversation, until that read answers.
    pub probe_at: Option<Millis>,
    seen: HashSet<u64>,
    outbox: VecDeque<Outgoing>,
    in_flight: Option<Outgoing>,
}

impl Link {
    /// The undelivered activities, in flight first (what a reload must still send).
    pub fn undelivered(&self) -> impl Iterator<Item = &Activity> {
        self.in_flight
            .iter()
            .chain(&self.outbox)
            .map(|outgoing| &outgoing.activity)
    }

    /// Activities queued or in flight.
    pub fn pending(&self) -> usize {
        self.outbox.len() + usize::from(self.in_flight.is_some())
    }

    /// Appends an activity to the outbox.
    pub fn queue(&mut self, activity: Activity) {
        self.outbox.push_back(Outgoing {
            activity,
            attempts: 0,
        });
    }

    /// Puts an activity at the head of the outbox (it must go before what is queued).
    pub fn queue_first(&mut self, activity: Activity) {
        self.outbox.push_front(Outgoing {
            activity,
            attempts: 0,
        });
    }

    /// Takes the next activity to post, when the conversation is open and nothing is in
    /// flight. Returns the credentials to post it with.
    pub fn next_post(&mut self) -> Option<(Endpoint, Activity)> {
        if self.in_flight.is_some() || self.resuming {
            return None;
        }
        let endpoint = self.endpoint.clone()?;
        let next = self.outbox.pop_front()?;
        let activity = next.activity.clone();
        self.in_flight = Some(next);
        Some((endpoint, activity))
    }

    /// The POST of `client_id` succeeded. False when that was not the one in flight.
    pub fn posted(&mut self, client_id: &str) -> bool {
        if self.in_flight_id() != Some(client_id) {
            return false;
        }
        self.in_flight = None;
        true
    }

    /// The POST of `client_id` failed: retry retryable errors with jittered exponential
    /// backoff (at least the server's Retry-After), wait for a token after a 403, give up on
    /// the rest. `None` when that was not the one in flight.
    pub fn failed(
        &mut self,
        client_id: &str,
        error: &ChatError,
        jitter: f64,
    ) -> Option<AfterFailure> {
        if self.in_flight_id() != Some(client_id) {
            return None;
        }
        let mut outgoing = self.in_flight.take()?;
        outgoing.attempts += 1;
        let after = match error.recovery() {
            Recovery::Retry if outgoing.attempts < MAX_POST_ATTEMPTS => {
                let wait =
                    backoff_ms(outgoing.attempts, jitter).max(error.retry_after_ms().unwrap_or(0));
                AfterFailure::RetryIn(wait)
            }
            Recovery::NewToken if outgoing.attempts < MAX_POST_ATTEMPTS => AfterFailure::NeedsToken,
            _ => return Some(AfterFailure::GiveUp),
        };
        self.outbox.push_front(outgoing);
        Some(after)
    }

    /// Keeps the activities of `set` not seen before (by [`dedupe_key`]) and advances the
    /// watermark.
    /// A queued activity whose echo is among them already reached the server (a POST that
    /// failed on the way back, or one sent before a reload): it is dropped, not sent again.
    /// Only the visitor's own activities (sent by `user_id`) acknowledge a queued one: a bot
    /// repeating a clientActivityID must not swallow the visitor's message.
    pub fn fresh(&mut self, set: ActivitySet, user_id: &str) -> Vec<Activity> {
        if set.watermark.is_some() {
            self.watermark = set.watermark;
        }
        let fresh: Vec<Activity> = set
            .activities
            .into_iter()
            .filter(|a| self.seen.insert(dedupe_key(a)))
            .collect();
        let own = fresh
            .iter()
            .filter(|a| crate::transcript::sent_by_visitor(a, user_id));
        for echoed in own.filter_map(Activity::client_activity_id) {
            self.outbox
                .retain(|o| o.activity.client_activity_id() != Some(echoed));
        }
        fresh
    }

    /// Prepares the link after a page reload: what was in flight is queued again and held
    /// until [`Link::fresh`] has seen the activities since the watermark.
    pub fn resume(&mut self) {
        if let Some(outgoing) = self.in_flight.take() {
            self.outbox.push_front(outgoing);
        }
        self.resuming = self.endpoint.is_some();
        self.healthy_since = None;
    }

    /// Drops the conversation and returns what was not delivered yet (in-flight first),
    /// so the caller can send it elsewhere instead of losing it.
    pub fn reset(&mut self) -> Vec<Activity> {
        let generation = self.generation + 1;
        let undelivered = self
            .in_flight
            .take()
            .into_iter()
            .chain(self.outbox.drain(..))
            .map(|o| o.activity)
            .collect();
        *self = Link {
            generation,
            ..Link::default()
        };
        undelivered
    }

    fn in_flight_id(&self) -> Option<&str> {
        self.in_flight.as_ref()?.activity.client_activity_id()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn message(client_id: &str) -> Activity {
        serde_json::from_value(
            json!({"type": "message", "text": client_id, "from": {"id": "me"},
            "channelData": {"clientActivityID": client_id}}),
        )
        .unwrap()
    }

    fn open() -> Link {
        Link {
            endpoint: Some(Endpoint {
                conversation_id: "c".into(),
                token: "t".into(),
            }),
            ..Link::default()
        }
    }

    #[test]
    fn nothing_is_posted_before_the_conversation_is_open() {
        let mut link = Link::default();
        link.queue(message("a"));
        assert_eq!(link.next_post(), None);
        assert_eq!(link.pending(), 1);
    }

    #[test]
    fn one_post_in_flight_in_order() {
        let mut link = open();
        link.queue(message("a"));
        link.queue(message("b"));
        assert_eq!(link.next_post().unwrap().1.text.as_deref(), Some("a"));
        assert_eq!(link.next_post(), None, "b waits for a");
        assert!(!link.posted("b"));
        assert!(link.posted("a"));
        assert_eq!(link.next_post().unwrap().1.text.as_deref(), Some("b"));
    }

    #[test]
    fn retryable_failures_back_off_then_give_up() {
        let mut link = open();
        link.queue(message("a"));
        let error = ChatError::Network("offline".into());
        let mut delays = vec![];
        loop {
            link.next_post().unwrap();
            match link.failed("a", &error, 0.5).unwrap() {
                AfterFailure::RetryIn(ms) => delays.push(ms),
                AfterFailure::GiveUp => break,
                AfterFailure::NeedsToken => unreachable!(),
            }
        }
        assert_eq!(delays, vec![1000, 2000, 4000, 8000, 16000, 30000, 30000]);
        assert_eq!(link.pending(), 0);
    }

    #[test]
    fn backoff_is_jittered_and_capped() {
        assert_eq!(backoff_ms(1, 0.0), 500);
        assert_eq!(backoff_ms(1, 0.999), 1499);
        assert_eq!(backoff_ms(3, 0.5), 4000);
        assert_eq!(backoff_ms(40, 0.5), MAX_BACKOFF_MS);
    }

    #[test]
    fn retry_after_is_honoured_and_expired_tokens_wait_for_a_new_one() {
        let mut link = open();
        link.queue(message("a"));
        link.next_post();
        let throttled = ChatError::Throttled {
            retry_after_ms: Some(7_000),
        };
        assert_eq!(
            link.failed("a", &throttled, 0.5),
            Some(AfterFailure::RetryIn(7_000))
        );
        link.next_post();
        let expired = ChatError::Http {
            status: 403,
            message: String::new(),
        };
        assert_eq!(
            link.failed("a", &expired, 0.5),
            Some(AfterFailure::NeedsToken)
        );
        assert_eq!(link.pending(), 1, "kept for after the refresh");
    }

    #[test]
    fn fatal_failures_give_up_at_once() {
        let mut link = open();
        link.queue(message("a"));
        link.next_post();
        let error = ChatError::Http {
            status: 400,
            message: String::new(),
        };
        assert_eq!(link.failed("a", &error, 0.5), Some(AfterFailure::GiveUp));
    }

    #[test]
    fn replayed_ids_are_dropped_and_the_watermark_kept() {
        let mut link = open();
        let set = |ids: &[&str], w: &str| ActivitySet {
            activities: ids
                .iter()
                .map(|id| serde_json::from_value(json!({"type": "message", "id": id})).unwrap())
                .collect(),
            watermark: Some(w.into()),
        };
        assert_eq!(link.fresh(set(&["c|1", "c|2"], "2"), "me").len(), 2);
        let again = link.fresh(set(&["c|2", "c|3"], "3"), "me");
        assert_eq!(again.len(), 1);
        assert_eq!(again[0].id.as_deref(), Some("c|3"));
        assert_eq!(link.watermark.as_deref(), Some("3"));
    }

    #[test]
    fn activities_without_ids_or_with_shared_ids_are_told_apart_by_content() {
        let mut link = open();
        let set = |items: &[(Option<&str>, &str)]| ActivitySet {
            activities: items
                .iter()
                .map(|(id, text)| {
                    serde_json::from_value(json!({"type": "message", "id": id, "text": text}))
                        .unwrap()
                })
                .collect(),
            watermark: None,
        };
        let first = link.fresh(
            set(&[(None, "a"), (Some("same"), "b"), (Some("same"), "c")]),
            "me",
        );
        assert_eq!(
            first.len(),
            3,
            "a shared id does not hide a different message"
        );
        let replay = link.fresh(set(&[(None, "a"), (Some("same"), "c"), (None, "d")]), "me");
        assert_eq!(replay.len(), 1, "replays are dropped, new content kept");
        assert_eq!(replay[0].text.as_deref(), Some("d"));
        assert_eq!(link.watermark, None, "no watermark given: none kept");
    }

    #[test]
    fn an_echo_drops_the_queued_copy_and_resume_holds_posts_until_read() {
        let mut link = open();
        link.queue(message("a"));
        link.queue(message("b"));
        link.next_post();
        link.resume();
        assert_eq!(link.next_post(), None, "held while resuming");
        let mut echo = message("a");
        echo.id = Some("c|5".into());
        let mut hostile = message("b");
        hostile.from = None;
        link.fresh(
            ActivitySet {
                activities: vec![echo, hostile],
                watermark: Some("5".into()),
            },
            "me",
        );
        link.resuming = false;
        let (_, next) = link.next_post().unwrap();
        assert_eq!(
            next.client_activity_id(),
            Some("b"),
            "a was delivered before the reload"
        );
        assert_eq!(link.pending(), 1);
    }

    #[test]
    fn reset_returns_undelivered_activities_and_bumps_the_generation() {
        let mut link = open();
        link.queue(message("a"));
        link.queue(message("b"));
        link.next_post();
        let undelivered = link.reset();
        let texts: Vec<_> = undelivered
            .iter()
            .map(|a| a.text.clone().unwrap())
            .collect();
        assert_eq!(texts, ["a", "b"]);
        assert_eq!(link.generation, 1);
        assert_eq!(link.endpoint, None);
        assert_eq!(link.pending(), 0);
    }
}
