//! Conversations and tokens, in memory.
//!
//! Owns the activity log of every conversation (sequence numbers, ids, watermarks), the
//! tokens issued for them, the demo bot's per-conversation state, and one broadcast channel
//! per conversation that feeds the WebSocket streams. One mutex guards everything, so "append
//! and notify" and "read backlog and subscribe" are atomic: a stream never misses or repeats
//! an activity. Knows nothing about HTTP; time comes in as `now`.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use handoff_core::activity::{Activity, ActivitySet, ChannelAccount, ConversationAccount};
use handoff_core::time::{iso8601, Millis};
use tokio::sync::broadcast;

use crate::bot::{self, BotState};
use crate::error::{AppError, Result};

/// Room for activities a slow stream has not read yet; beyond it the stream catches up from
/// the log (see `stream.rs`), so this only bounds memory.
const BROADCAST_CAPACITY: usize = 256;

/// An activity as appended, with its sequence number (its watermark).
#[derive(Debug, Clone, PartialEq)]
pub struct Appended {
    /// 1-based position in the conversation; the watermark after this activity.
    pub seq: u64,
    /// The stamped activity.
    pub activity: Activity,
}

/// What a token grants: one conversation, as one user, until a moment.
#[derive(Debug, Clone, PartialEq)]
pub struct Grant {
    /// The only conversation this token may touch.
    pub conversation_id: String,
    /// The user the token was issued for (`from` of activities that name no sender).
    pub user: ChannelAccount,
    /// Epoch milliseconds after which the token is refused.
    pub expires_at: Millis,
}

impl Grant {
    /// Whether the token is past its lifetime at `now`.
    pub fn is_expired(&self, now: Millis) -> bool {
        now >= self.expires_at
    }

    /// Whole seconds left (the `expires_in` of responses).
    pub fn expires_in(&self, now: Millis) -> u64 {
        self.expires_at.saturating_sub(now) / 1000
    }
}

/// A freshly issued token.
#[derive(Debug, Clone, PartialEq)]
pub struct Issued {
    pub token: String,
    pub conversation_id: String,
    pub expires_in: u64,
}

/// One conversation's log, user, bot memory and live feed.
struct ConversationState {
    activities: Vec<Activity>,
    user: ChannelAccount,
    bot: BotState,
    feed: broadcast::Sender<Arc<Appended>>,
}

#[derive(Default)]
struct Inner {
    conversations: HashMap<String, ConversationState>,
    tokens: HashMap<String, Grant>,
}

/// All conversations and tokens of the running server.
pub struct Store {
    inner: Mutex<Inner>,
    token_lifetime_ms: Millis,
}

impl Store {
    /// An empty store issuing tokens valid for `token_lifetime`.
    pub fn new(token_lifetime: Duration) -> Self {
        Self {
            inner: Mutex::new(Inner::default()),
            token_lifetime_ms: token_lifetime.as_millis() as Millis,
        }
    }

    /// Starts a conversation for `user` (a generated `dl_...` user when `None`) and issues
    /// its first token.
    pub fn create_conversation(&self, user: Option<ChannelAccount>, now: Millis) -> Issued {
        let user = user
            .filter(|u| !u.id.is_empty())
            .unwrap_or_else(|| ChannelAccount {
                id: format!("dl_{}", random_id(16)),
                name: None,
                role: None,
            });
        let conversation_id = random_id(22);
        let (feed, _) = broadcast::channel(BROADCAST_CAPACITY);
        let mut inner = self.lock();
        inner.conversations.insert(
            conversation_id.clone(),
            ConversationState {
                activities: Vec::new(),
                user: user.clone(),
                bot: BotState::default(),
                feed,
            },
        );
        self.issue_locked(&mut inner, conversation_id, user, now)
    }

    /// Issues another token for an existing conversation (refresh, or a secret holder
    /// asking for a stream URL). Earlier tokens stay valid until they expire.
    pub fn issue_token(
        &self,
        conversation_id: &str,
        user: Option<ChannelAccount>,
        now: Millis,
    ) -> Result<Issued> {
        let mut inner = self.lock();
        let conversation = inner
            .conversations
            .get(conversation_id)
            .ok_or_else(|| AppError::ConversationNotFound(conversation_id.into()))?;
        let user = user.unwrap_or_else(|| conversation.user.clone());
        Ok(self.issue_locked(&mut inner, conversation_id.into(), user, now))
    }

    fn issue_locked(
        &self,
        inner: &mut Inner,
        conversation_id: String,
        user: ChannelAccount,
        now: Millis,
    ) -> Issued {
        let token = random_id(48);
        let grant = Grant {
            conversation_id: conversation_id.clone(),
            user,
            expires_at: now.saturating_add(self.token_lifetime_ms),
        };
        let expires_in = grant.expires_in(now);
        inner.tokens.insert(token.clone(), grant);
        Issued {
            token,
            conversation_id,
            expires_in,
        }
    }

    /// What `token` grants, expired or not (the caller tells 401 from 403).
    pub fn grant(&self, token: &str) -> Option<Grant> {
        self.lock().tokens.get(token).cloned()
    }

    /// Whether the conversation exists.
    pub fn contains(&self, conversation_id: &str) -> bool {
        self.lock().conversations.contains_key(conversation_id)
    }

    /// Stamps and appends a client's activity, lets the demo bot answer, and returns the
    /// id given to the client's activity. `default_user` becomes `from` when it is missing.
    pub fn post_activity(
        &self,
        conversation_id: &str,
        mut activity: Activity,
        default_user: Option<ChannelAccount>,
        now: Millis,
    ) -> Result<String> {
        let mut inner = self.lock();
        let conversation = inner
            .conversations
            .get_mut(conversation_id)
            .ok_or_else(|| AppError::ConversationNotFound(conversation_id.into()))?;
        if activity.from.as_ref().is_none_or(|f| f.id.is_empty()) {
            activity.from = Some(default_user.unwrap_or_else(|| conversation.user.clone()));
        }
        if let Some(from) = activity.from.as_mut() {
            // Clients rarely send a role; the service marks the sender side so others can
            // tell the visitor's activities from the bot's.
            from.role.get_or_insert_with(|| "user".into());
        }
        let id = append(conversation, conversation_id, activity, now);
        let incoming = conversation.activities.last().cloned().unwrap_or_default();
        let ctx = bot::Context {
            conversation_id,
            history: &conversation.activities,
        };
        let replies = bot::respond(&mut conversation.bot, &incoming, ctx);
        for reply in replies {
            append(conversation, conversation_id, reply, now);
        }
        Ok(id)
    }

    /// Activities after `watermark` (all when `None`), with the watermark of the last one.
    pub fn activities_after(
        &self,
        conversation_id: &str,
        watermark: Option<u64>,
    ) -> Result<ActivitySet> {
        let inner = self.lock();
        let conversation = inner
            .conversations
            .get(conversation_id)
            .ok_or_else(|| AppError::ConversationNotFound(conversation_id.into()))?;
        Ok(after(&conversation.activities, watermark))
    }

    /// The backlog after `watermark` plus a receiver of everything appended later, taken
    /// under one lock so nothing falls between them.
    pub fn subscribe(
        &self,
        conversation_id: &str,
        watermark: Option<u64>,
    ) -> Result<(ActivitySet, broadcast::Receiver<Arc<Appended>>)> {
        let inner = self.lock();
        let conversation = inner
            .conversations
            .get(conversation_id)
            .ok_or_else(|| AppError::ConversationNotFound(conversation_id.into()))?;
        Ok((
            after(&conversation.activities, watermark),
            conversation.feed.subscribe(),
        ))
    }

    /// A poisoned lock only means a handler panicked mid-request; the maps are still
    /// consistent enough for a dev server, so keep serving instead of failing every request.
    fn lock(&self) -> MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// Stamps id, timestamp, channel and conversation, appends, and notifies streams.
fn append(
    conversation: &mut ConversationState,
    conversation_id: &str,
    mut activity: Activity,
    now: Millis,
) -> String {
    let seq = conversation.activities.len() as u64 + 1;
    let id = activity_id(conversation_id, seq);
    activity.id = Some(id.clone());
    activity.timestamp = Some(iso8601(now));
    activity.channel_id = Some("directline".into());
    activity.conversation = Some(ConversationAccount {
        id: conversation_id.into(),
    });
    conversation.activities.push(activity.clone());
    // No receivers is normal (polling clients); nothing to do then.
    let _ = conversation.feed.send(Arc::new(Appended { seq, activity }));
    id
}

fn after(activities: &[Activity], watermark: Option<u64>) -> ActivitySet {
    let start = watermark.map_or(0, |w| w.min(activities.len() as u64) as usize);
    ActivitySet {
        activities: activities[start..].to_vec(),
        watermark: Some(activities.len().to_string()),
    }
}

/// `<conversationId>|0000001`: the id format of the Direct Line service, with 7 digits.
pub fn activity_id(conversation_id: &str, seq: u64) -> String {
    format!("{conversation_id}|{seq:07}")
}

/// Random ASCII letters and digits (ids and tokens; unguessable enough for a dev server).
fn random_id(len: usize) -> String {
    (0..len).map(|_| fastrand::alphanumeric()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn message(text: &str) -> Activity {
        Activity {
            kind: "message".into(),
            text: Some(text.into()),
            ..Activity::default()
        }
    }

    #[test]
    fn tokens_expire_after_their_lifetime() {
        let store = Store::new(Duration::from_secs(60));
        let issued = store.create_conversation(None, 1_000);
        assert_eq!(issued.expires_in, 60);
        let grant = store.grant(&issued.token).unwrap();
        assert!(grant.user.id.starts_with("dl_"));
        assert!(!grant.is_expired(60_999));
        assert!(grant.is_expired(61_000));
    }

    #[test]
    fn posting_appends_the_activity_and_the_bot_replies() {
        let store = Store::new(Duration::from_secs(60));
        let conv = store.create_conversation(None, 0).conversation_id;
        let id = store
            .post_activity(&conv, message("opening hours"), None, 0)
            .unwrap();
        assert_eq!(id, format!("{conv}|0000001"));
        let set = store.activities_after(&conv, None).unwrap();
        let kinds: Vec<&str> = set.activities.iter().map(|a| a.kind.as_str()).collect();
        assert_eq!(kinds, ["message", "typing", "message"]);
        assert_eq!(set.watermark.as_deref(), Some("3"));
        let echo = &set.activities[0];
        assert_eq!(echo.from.as_ref().unwrap().role.as_deref(), Some("user"));
        assert_eq!(echo.channel_id.as_deref(), Some("directline"));
        assert_eq!(echo.timestamp.as_deref(), Some("1970-01-01T00:00:00.000Z"));
    }

    #[test]
    fn watermark_past_the_end_gives_nothing() {
        let store = Store::new(Duration::from_secs(60));
        let conv = store.create_conversation(None, 0).conversation_id;
        store.post_activity(&conv, message("hi"), None, 0).unwrap();
        let set = store.activities_after(&conv, Some(99)).unwrap();
        assert!(set.activities.is_empty());
        assert_eq!(set.watermark.as_deref(), Some("3"));
    }

    #[test]
    fn unknown_conversation_is_not_found() {
        let store = Store::new(Duration::from_secs(60));
        assert_eq!(
            store.post_activity("nope", message("hi"), None, 0),
            Err(AppError::ConversationNotFound("nope".into()))
        );
    }
}
