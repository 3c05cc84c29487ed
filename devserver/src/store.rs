//! Conversations, tokens and handoffs, in memory.
//!
//! Owns the activity log of every conversation (sequence numbers, ids, watermarks), the
//! tokens issued for them, the demo bot's per-conversation state, the [`Hub`] (handoffs and
//! agents), and one broadcast channel per conversation that feeds the WebSocket streams. One
//! mutex guards everything, so "append and notify" and "read backlog and subscribe" are
//! atomic (a stream never misses or repeats an activity), and a hub decision and the
//! activities it appends to several conversations happen as one step.
//!
//! Conversations and tokens belong to one [`Service`]: the bot's Direct Line endpoint or the
//! hub's. A token or conversation id of one is unknown to the other. What answers a posted
//! activity: the hub while the conversation has an active handoff, else the demo bot (bot
//! conversations) or the hub's intake (hub conversations).
//!
//! Knows nothing about HTTP or timers; time comes in as `now`, and the accept timers to
//! start are returned to the caller.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use handoff_core::activity::{Activity, ActivitySet, ChannelAccount, ConversationAccount};
use handoff_core::time::{iso8601, Millis};
use tokio::sync::broadcast;

use crate::bot::{self, BotState};
use crate::error::{AppError, Result};
use crate::hub::{self, AgentView, Detail, Effect, Hub, HubError, Mode, QueueEntry, Summary};

/// Room for activities a slow stream has not read yet; beyond it the stream catches up from
/// the log (see `stream.rs`), so this only bounds memory.
const BROADCAST_CAPACITY: usize = 256;

/// Which Direct Line endpoint a conversation or token belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Service {
    /// `/v3/directline`: the demo bot answers.
    Bot,
    /// `/hub/v3/directline`: the engagement hub answers (bridge mode).
    Hub,
}

/// The outcome of posting an activity.
#[derive(Debug, Clone, PartialEq)]
pub struct Posted {
    /// The id given to the posted activity.
    pub id: String,
    /// Handoffs enqueued by this post, whose accept timers the caller starts.
    pub new_handoffs: Vec<String>,
}

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
    /// The endpoint the token works on.
    pub service: Service,
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
    service: Service,
    /// Bot conversations: whether the hub relays the bot's handoffs (hub ones: bridge).
    mode: Mode,
    activities: Vec<Activity>,
    user: ChannelAccount,
    bot: BotState,
    feed: broadcast::Sender<Arc<Appended>>,
}

#[derive(Default)]
struct Inner {
    conversations: HashMap<String, ConversationState>,
    tokens: HashMap<String, Grant>,
    hub: Hub,
}

impl Inner {
    /// The conversation, if it exists on `service`.
    fn conversation(&self, service: Service, id: &str) -> Result<&ConversationState> {
        self.conversations
            .get(id)
            .filter(|c| c.service == service)
            .ok_or_else(|| AppError::ConversationNotFound(id.into()))
    }
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

    /// Starts a conversation on `service` for `user` (a generated `dl_...` user when
    /// `None`) and issues its first token. `mode` says whether the hub relays a bot
    /// conversation's handoffs; hub conversations are always bridge.
    pub fn create_conversation(
        &self,
        service: Service,
        mode: Mode,
        user: Option<ChannelAccount>,
        now: Millis,
    ) -> Issued {
        let user = user
            .filter(|u| !u.id.is_empty())
            .unwrap_or_else(|| ChannelAccount {
                id: format!("dl_{}", random_id(16)),
                name: None,
                role: None,
            });
        let conversation_id = random_id(22);
        let (feed, _) = broadcast::channel(BROADCAST_CAPACITY);
        let mode = match service {
            Service::Bot => mode,
            Service::Hub => Mode::Bridge,
        };
        let mut inner = self.lock();
        inner.conversations.insert(
            conversation_id.clone(),
            ConversationState {
                service,
                mode,
                activities: Vec::new(),
                user: user.clone(),
                bot: BotState::default(),
                feed,
            },
        );
        self.issue_locked(&mut inner, service, conversation_id, user, now)
    }

    /// Issues another token for an existing conversation (refresh, or a secret holder
    /// asking for a stream URL). Earlier tokens stay valid until they expire.
    pub fn issue_token(
        &self,
        service: Service,
        conversation_id: &str,
        user: Option<ChannelAccount>,
        now: Millis,
    ) -> Result<Issued> {
        let mut inner = self.lock();
        let conversation = inner.conversation(service, conversation_id)?;
        let user = user.unwrap_or_else(|| conversation.user.clone());
        Ok(self.issue_locked(&mut inner, service, conversation_id.into(), user, now))
    }

    fn issue_locked(
        &self,
        inner: &mut Inner,
        service: Service,
        conversation_id: String,
        user: ChannelAccount,
        now: Millis,
    ) -> Issued {
        let token = random_id(48);
        let grant = Grant {
            service,
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

    /// What `token` grants on `service`, expired or not (the caller tells 401 from 403).
    /// A token of the other service is unknown here.
    pub fn grant(&self, service: Service, token: &str) -> Option<Grant> {
        self.lock()
            .tokens
            .get(token)
            .filter(|g| g.service == service)
            .cloned()
    }

    /// Whether the conversation exists on `service`.
    pub fn contains(&self, service: Service, conversation_id: &str) -> bool {
        self.lock().conversation(service, conversation_id).is_ok()
    }

    /// Stamps and appends a client's activity, lets whoever answers this conversation
    /// respond (the hub during a handoff, else the bot or the hub's intake), and returns the
    /// id given to the client's activity. `default_user` becomes `from` when it is missing.
    pub fn post_activity(
        &self,
        service: Service,
        conversation_id: &str,
        mut activity: Activity,
        default_user: Option<ChannelAccount>,
        now: Millis,
    ) -> Result<Posted> {
        let mut guard = self.lock();
        guard.conversation(service, conversation_id)?;
        let Inner {
            conversations, hub, ..
        } = &mut *guard;
        let conversation = conversations
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
        let from_visitor = incoming
            .from
            .as_ref()
            .is_some_and(|f| f.role.as_deref() == Some("user"));

        let mut effects = Vec::new();
        let handled_by_hub = from_visitor
            .then(|| hub.visitor_activity(conversation_id, &incoming, now))
            .flatten();
        if let Some(hub_effects) = handled_by_hub {
            effects = hub_effects;
        } else if service == Service::Bot {
            let ctx = bot::Context {
                conversation_id,
                history: &conversation.activities,
            };
            let replies = bot::respond(&mut conversation.bot, &incoming, ctx);
            for reply in replies {
                append(conversation, conversation_id, reply, now);
                let appended = conversation.activities.last();
                if let Some(initiate) = appended.filter(|a| a.is_event(hub::INITIATE_EVENT)) {
                    // Bridge conversations: the widget brings this handoff to the hub itself.
                    if conversation.mode == Mode::Relay {
                        let handoff_id = format!("h{}", random_id(15));
                        effects.extend(hub.enqueue(
                            handoff_id,
                            conversation_id,
                            Mode::Relay,
                            initiate,
                            now,
                        ));
                    }
                }
            }
        } else if from_visitor && incoming.is_event(hub::INITIATE_EVENT) {
            let handoff_id = format!("h{}", random_id(15));
            effects = hub.enqueue(handoff_id, conversation_id, Mode::Bridge, &incoming, now);
        }
        let new_handoffs = apply(&mut guard, effects, now);
        Ok(Posted { id, new_handoffs })
    }

    /// Activities after `watermark` (all when `None`), with the watermark of the last one.
    pub fn activities_after(
        &self,
        service: Service,
        conversation_id: &str,
        watermark: Option<u64>,
    ) -> Result<ActivitySet> {
        let inner = self.lock();
        let conversation = inner.conversation(service, conversation_id)?;
        Ok(after(&conversation.activities, watermark))
    }

    /// The backlog after `watermark` plus a receiver of everything appended later, taken
    /// under one lock so nothing falls between them.
    pub fn subscribe(
        &self,
        service: Service,
        conversation_id: &str,
        watermark: Option<u64>,
    ) -> Result<(ActivitySet, broadcast::Receiver<Arc<Appended>>)> {
        let inner = self.lock();
        let conversation = inner.conversation(service, conversation_id)?;
        Ok((
            after(&conversation.activities, watermark),
            conversation.feed.subscribe(),
        ))
    }

    // ---- the agent side of the hub --------------------------------------------------------

    /// Signs an agent in.
    pub fn register_agent(&self, name: &str) -> std::result::Result<AgentView, HubError> {
        let id = format!("a{}", random_id(11));
        self.lock().hub.register_agent(id, name)
    }

    /// The waiting visitors.
    pub fn queue(&self, now: Millis) -> Vec<QueueEntry> {
        self.lock().hub.queue(now)
    }

    /// An agent accepts a waiting visitor; the detail of the handoff they now own.
    pub fn accept(
        &self,
        handoff_id: &str,
        agent_id: &str,
        now: Millis,
    ) -> std::result::Result<Detail, HubError> {
        let mut inner = self.lock();
        let effects = inner.hub.accept(handoff_id, agent_id)?;
        apply(&mut inner, effects, now);
        inner.hub.detail(handoff_id, agent_id, now)
    }

    /// The handoffs an agent accepted.
    pub fn agent_handoffs(
        &self,
        agent_id: &str,
        now: Millis,
    ) -> std::result::Result<Vec<Summary>, HubError> {
        self.lock().hub.agent_handoffs(agent_id, now)
    }

    /// One of the agent's handoffs.
    pub fn handoff_detail(
        &self,
        handoff_id: &str,
        agent_id: &str,
        now: Millis,
    ) -> std::result::Result<Detail, HubError> {
        self.lock().hub.detail(handoff_id, agent_id, now)
    }

    /// The agent sends `text` (a message) or `None` (typing) into the visitor's
    /// conversation; the id of the appended activity.
    pub fn agent_send(
        &self,
        handoff_id: &str,
        agent_id: &str,
        text: Option<&str>,
        now: Millis,
    ) -> std::result::Result<String, HubError> {
        let mut guard = self.lock();
        let (conversation_id, activity) = guard.hub.agent_activity(handoff_id, agent_id, text)?;
        let Inner {
            conversations, hub, ..
        } = &mut *guard;
        let conversation = conversations
            .get_mut(&conversation_id)
            .ok_or_else(|| HubError::UnknownHandoff(handoff_id.into()))?;
        let id = append(conversation, &conversation_id, activity, now);
        if text.is_some() {
            if let Some(appended) = conversation.activities.last() {
                hub.record_agent_message(handoff_id, id.clone(), appended);
            }
        }
        Ok(id)
    }

    /// The agent ends the conversation.
    pub fn end_handoff(
        &self,
        handoff_id: &str,
        agent_id: &str,
        now: Millis,
    ) -> std::result::Result<Detail, HubError> {
        let mut inner = self.lock();
        let effects = inner.hub.end_by_agent(handoff_id, agent_id)?;
        apply(&mut inner, effects, now);
        inner.hub.detail(handoff_id, agent_id, now)
    }

    /// The accept timer of a handoff ran out (fails it if still waiting).
    pub fn expire_handoff(&self, handoff_id: &str, now: Millis) {
        let mut inner = self.lock();
        let effects = inner.hub.expire(handoff_id);
        apply(&mut inner, effects, now);
    }

    /// A poisoned lock only means a handler panicked mid-request; the maps are still
    /// consistent enough for a dev server, so keep serving instead of failing every request.
    fn lock(&self) -> MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// Executes hub effects; returns the handoffs whose accept timers must start.
fn apply(inner: &mut Inner, effects: Vec<Effect>, now: Millis) -> Vec<String> {
    let mut timers = Vec::new();
    for effect in effects {
        match effect {
            Effect::Send {
                conversation_id,
                activity,
            } => {
                if let Some(conversation) = inner.conversations.get_mut(&conversation_id) {
                    append(conversation, &conversation_id, *activity, now);
                }
            }
            Effect::ArmTimeout { handoff_id } => timers.push(handoff_id),
            Effect::BotResumes { conversation_id } => {
                if let Some(conversation) = inner.conversations.get_mut(&conversation_id) {
                    conversation.bot.fallbacks = 0;
                }
            }
        }
    }
    timers
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

    fn bot_conversation(store: &Store, mode: Mode) -> String {
        store
            .create_conversation(Service::Bot, mode, None, 0)
            .conversation_id
    }

    fn kinds(store: &Store, conv: &str, after: u64) -> Vec<String> {
        let set = store
            .activities_after(Service::Bot, conv, Some(after))
            .unwrap();
        set.activities
            .iter()
            .map(|a| a.name.clone().unwrap_or_else(|| a.kind.clone()))
            .collect()
    }

    #[test]
    fn tokens_expire_after_their_lifetime() {
        let store = Store::new(Duration::from_secs(60));
        let issued = store.create_conversation(Service::Bot, Mode::Relay, None, 1_000);
        assert_eq!(issued.expires_in, 60);
        let grant = store.grant(Service::Bot, &issued.token).unwrap();
        assert!(grant.user.id.starts_with("dl_"));
        assert!(!grant.is_expired(60_999));
        assert!(grant.is_expired(61_000));
    }

    #[test]
    fn tokens_and_conversations_belong_to_one_service() {
        let store = Store::new(Duration::from_secs(60));
        let issued = store.create_conversation(Service::Hub, Mode::Relay, None, 0);
        assert!(store.grant(Service::Bot, &issued.token).is_none());
        assert!(store.grant(Service::Hub, &issued.token).is_some());
        assert!(!store.contains(Service::Bot, &issued.conversation_id));
        assert!(store.contains(Service::Hub, &issued.conversation_id));
        // The hub does not answer like the bot.
        store
            .post_activity(
                Service::Hub,
                &issued.conversation_id,
                message("opening hours"),
                None,
                0,
            )
            .unwrap();
        let set = store
            .activities_after(Service::Hub, &issued.conversation_id, None)
            .unwrap();
        assert_eq!(set.activities.len(), 1);
    }

    #[test]
    fn posting_appends_the_activity_and_the_bot_replies() {
        let store = Store::new(Duration::from_secs(60));
        let conv = bot_conversation(&store, Mode::Relay);
        let posted = store
            .post_activity(Service::Bot, &conv, message("opening hours"), None, 0)
            .unwrap();
        assert_eq!(posted.id, format!("{conv}|0000001"));
        assert!(posted.new_handoffs.is_empty());
        let set = store.activities_after(Service::Bot, &conv, None).unwrap();
        let kinds: Vec<&str> = set.activities.iter().map(|a| a.kind.as_str()).collect();
        assert_eq!(kinds, ["message", "typing", "message"]);
        assert_eq!(set.watermark.as_deref(), Some("3"));
        let echo = &set.activities[0];
        assert_eq!(echo.from.as_ref().unwrap().role.as_deref(), Some("user"));
        assert_eq!(echo.channel_id.as_deref(), Some("directline"));
        assert_eq!(echo.timestamp.as_deref(), Some("1970-01-01T00:00:00.000Z"));
    }

    #[test]
    fn relay_escalation_enqueues_and_the_bot_goes_quiet_until_it_ends() {
        let store = Store::new(Duration::from_secs(60));
        let conv = bot_conversation(&store, Mode::Relay);
        let posted = store
            .post_activity(Service::Bot, &conv, message("a human please"), None, 0)
            .unwrap();
        assert_eq!(posted.new_handoffs.len(), 1);
        assert_eq!(
            kinds(&store, &conv, 0),
            [
                "message",
                "typing",
                "message",
                "handoff.initiate",
                "handoff.queue"
            ]
        );
        store
            .post_activity(Service::Bot, &conv, message("opening hours"), None, 0)
            .unwrap();
        assert_eq!(kinds(&store, &conv, 5), ["message"], "bot quiet");

        store.expire_handoff(&posted.new_handoffs[0], 0);
        assert_eq!(kinds(&store, &conv, 6), ["handoff.status"]);
        store
            .post_activity(Service::Bot, &conv, message("opening hours"), None, 0)
            .unwrap();
        assert_eq!(kinds(&store, &conv, 7), ["message", "typing", "message"]);
    }

    #[test]
    fn bridge_bot_conversations_are_not_relayed() {
        let store = Store::new(Duration::from_secs(60));
        let conv = bot_conversation(&store, Mode::Bridge);
        let posted = store
            .post_activity(Service::Bot, &conv, message("a human please"), None, 0)
            .unwrap();
        assert!(posted.new_handoffs.is_empty());
        assert!(store.queue(0).is_empty());
    }

    #[test]
    fn watermark_past_the_end_gives_nothing() {
        let store = Store::new(Duration::from_secs(60));
        let conv = bot_conversation(&store, Mode::Relay);
        store
            .post_activity(Service::Bot, &conv, message("hi"), None, 0)
            .unwrap();
        let set = store
            .activities_after(Service::Bot, &conv, Some(99))
            .unwrap();
        assert!(set.activities.is_empty());
        assert_eq!(set.watermark.as_deref(), Some("3"));
    }

    #[test]
    fn unknown_conversation_is_not_found() {
        let store = Store::new(Duration::from_secs(60));
        assert_eq!(
            store.post_activity(Service::Bot, "nope", message("hi"), None, 0),
            Err(AppError::ConversationNotFound("nope".into()))
        );
    }
}
