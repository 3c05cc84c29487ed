//! Conversations, tokens and handoffs, in memory (and in a state file with `--state`).
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
//!
//! Persistence (`--state FILE`): a store opened with a [`StateFile`] loads its snapshot at
//! start and saves a whole new one after every change, under the lock and before the method
//! returns, so a request answered 200 is on disk (see `persist.rs` for the atomic write).
//! Each conversation's log is also kept encoded, so a save mostly copies bytes.
//! The snapshot holds conversations (activity logs, hence ids and watermarks; user; bot
//! memory; relay/bridge mode), tokens with their absolute expiry, and the hub. Streams and
//! accept timers are not state: clients reconnect, and the caller restarts the timers of
//! waiting handoffs ([`Store::waiting_handoffs`]).

use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use handoff_core::activity::{Activity, ActivitySet, ChannelAccount, ConversationAccount};
use handoff_core::survey::SurveyAnswers;
use handoff_core::time::{iso8601, Millis};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use tokio::sync::broadcast;

use crate::bot::{self, BotState};
use crate::error::{AppError, Result};
use crate::hub::{self, AgentView, Detail, Effect, Hub, HubError, Mode, QueueEntry, Summary};
use crate::persist::{PersistError, StateFile};

/// Room for activities a slow stream has not read yet; beyond it the stream catches up from
/// the log (see `stream.rs`), so this only bounds memory.
const BROADCAST_CAPACITY: usize = 256;

/// Which Direct Line endpoint a conversation or token belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
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
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
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
    /// Persistent stores: the log already encoded (`{..},{..}`), extended on every append,
    /// so a save copies it instead of encoding every activity again (the log is
    /// append-only). `None`: not kept (in-memory store), a save encodes the activities.
    log_json: Option<String>,
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
    /// Lifetime of tokens issued from now on (changeable at run time, see `faults.rs`).
    token_lifetime_ms: AtomicU64,
    /// Where every change is saved; `None` keeps everything in memory only.
    state_file: Option<StateFile>,
}

impl Store {
    /// An empty in-memory store issuing tokens valid for `token_lifetime`.
    pub fn new(token_lifetime: Duration) -> Self {
        Self {
            inner: Mutex::new(Inner::default()),
            token_lifetime_ms: AtomicU64::new(millis(token_lifetime)),
            state_file: None,
        }
    }

    /// A store saved to `state_file` after every change, starting from what the file holds
    /// (empty when it does not exist yet). A file that cannot be read is an error: starting
    /// empty would overwrite it at the first change.
    pub fn open(
        token_lifetime: Duration,
        state_file: StateFile,
    ) -> std::result::Result<Self, PersistError> {
        let version_error = |found| PersistError::Version {
            path: state_file.path().to_owned(),
            found,
            expected: STATE_VERSION,
        };
        let inner = match state_file.load::<Snapshot<'static>>() {
            Ok(Some(snapshot)) if snapshot.version != STATE_VERSION => {
                return Err(version_error(snapshot.version))
            }
            Ok(Some(snapshot)) => snapshot.restore(),
            Ok(None) => Inner::default(),
            // Another version may have another shape: say so rather than "not a state file".
            Err(e) => match state_file.load::<Header>() {
                Ok(Some(header)) if header.version != STATE_VERSION => {
                    return Err(version_error(header.version))
                }
                _ => return Err(e),
            },
        };
        Ok(Self {
            inner: Mutex::new(inner),
            token_lifetime_ms: AtomicU64::new(millis(token_lifetime)),
            state_file: Some(state_file),
        })
    }

    /// The state file, when the store is persistent.
    pub fn state_file(&self) -> Option<&StateFile> {
        self.state_file.as_ref()
    }

    /// How many conversations the store holds (both services).
    pub fn conversation_count(&self) -> usize {
        self.lock().conversations.len()
    }

    /// Sets the lifetime of the tokens issued from now on; tokens already issued keep theirs.
    pub fn set_token_lifetime(&self, lifetime: Duration) {
        self.token_lifetime_ms
            .store(millis(lifetime), Ordering::SeqCst);
    }

    /// The lifetime given to newly issued tokens.
    pub fn token_lifetime(&self) -> Duration {
        Duration::from_millis(self.token_lifetime_ms.load(Ordering::SeqCst))
    }

    /// The waiting handoffs with the moment each was enqueued (a restored store's caller
    /// restarts their accept timers).
    pub fn waiting_handoffs(&self) -> Vec<(String, Millis)> {
        self.lock().hub.waiting_since()
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
                log_json: self.state_file.is_some().then(String::new),
            },
        );
        let issued = self.issue_locked(&mut inner, service, conversation_id, user, now);
        self.commit(&inner);
        issued
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
        let issued = self.issue_locked(&mut inner, service, conversation_id.into(), user, now);
        self.commit(&inner);
        Ok(issued)
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
            expires_at: now.saturating_add(self.token_lifetime_ms.load(Ordering::SeqCst)),
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
        self.commit(&guard);
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
        let mut inner = self.lock();
        let agent = inner.hub.register_agent(id, name)?;
        self.commit(&inner);
        Ok(agent)
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
        self.commit(&inner);
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
        self.commit(&guard);
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
        self.commit(&inner);
        inner.hub.detail(handoff_id, agent_id, now)
    }

    /// The accept timer of a handoff ran out (fails it if still waiting).
    pub fn expire_handoff(&self, handoff_id: &str, now: Millis) {
        let mut inner = self.lock();
        let effects = inner.hub.expire(handoff_id);
        if effects.is_empty() {
            return;
        }
        apply(&mut inner, effects, now);
        self.commit(&inner);
    }

    /// Saves the state after a change, when persistent. Called with the lock held, so saves
    /// happen in the order of the changes and the file never goes back in time. A failed save
    /// is reported and the server keeps serving from memory (the next change tries again).
    fn commit(&self, inner: &Inner) {
        if let Some(file) = &self.state_file {
            let saved = encode(inner)
                .map_err(PersistError::Encode)
                .and_then(|bytes| file.save_bytes(&bytes));
            if let Err(e) = saved {
                eprintln!("devserver: state not saved: {e}");
            }
        }
    }

    /// A poisoned lock only means a handler panicked mid-request; the maps are still
    /// consistent enough for a dev server, so keep serving instead of failing every request.
    fn lock(&self) -> MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// Version of the state file format ([`Snapshot`]); a file of another version is refused.
pub const STATE_VERSION: u32 = 1;

/// The part of a state file every version has.
#[derive(Deserialize)]
struct Header {
    version: u32,
}

/// The state file's content: everything of [`Inner`] but the live feeds. Borrowed when
/// saving (no copy of the logs), owned when loading.
#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Snapshot<'a> {
    version: u32,
    conversations: Vec<ConversationRecord<'a>>,
    /// Token → grant, with absolute expiry (epoch ms): a restart does not extend a token.
    tokens: Cow<'a, HashMap<String, Grant>>,
    hub: Cow<'a, Hub>,
}

/// One conversation in the state file.
#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct ConversationRecord<'a> {
    id: Cow<'a, str>,
    service: Service,
    mode: Mode,
    user: Cow<'a, ChannelAccount>,
    bot: BotRecord<'a>,
    /// The log as stamped; an activity's watermark is its 1-based position. Last, and left
    /// out when empty, so [`encode`] can append an already encoded log.
    #[serde(default, skip_serializing_if = "<[Activity]>::is_empty")]
    activities: Cow<'a, [Activity]>,
}

/// The demo bot's [`BotState`], field by field (`bot.rs` stays free of serde). Restoring
/// builds a `BotState` literal, so a field added there fails to compile here until it is
/// persisted too.
#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct BotRecord<'a> {
    fallbacks: u32,
    answers: Cow<'a, SurveyAnswers>,
    topics: Cow<'a, [String]>,
    last_phrase: Cow<'a, str>,
    /// Absent in files written before global variables existed.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    variables: Cow<'a, BTreeMap<String, Value>>,
}

impl<'a> ConversationRecord<'a> {
    /// The record of a conversation, with its activities or (`with_activities` false)
    /// without them.
    fn of(id: &'a str, c: &'a ConversationState, with_activities: bool) -> Self {
        ConversationRecord {
            id: Cow::Borrowed(id),
            service: c.service,
            mode: c.mode,
            user: Cow::Borrowed(&c.user),
            bot: BotRecord {
                fallbacks: c.bot.fallbacks,
                answers: Cow::Borrowed(&c.bot.answers),
                topics: Cow::Borrowed(&c.bot.topics),
                last_phrase: Cow::Borrowed(&c.bot.last_phrase),
                variables: Cow::Borrowed(&c.bot.variables),
            },
            activities: Cow::Borrowed(if with_activities { &c.activities } else { &[] }),
        }
    }
}

/// Conversations by id: the same state always gives the same file.
fn sorted(inner: &Inner) -> Vec<(&String, &ConversationState)> {
    let mut conversations: Vec<_> = inner.conversations.iter().collect();
    conversations.sort_by(|a, b| a.0.cmp(b.0));
    conversations
}

/// The state file's bytes: a [`Snapshot`], with each conversation's log copied from its
/// [`ConversationState::log_json`] when kept (the cost of a save is then mostly a copy).
fn encode(inner: &Inner) -> serde_json::Result<Vec<u8>> {
    let mut out = Vec::with_capacity(
        inner
            .conversations
            .values()
            .map(|c| c.log_json.as_ref().map_or(0, String::len) + 512)
            .sum::<usize>()
            + 4096,
    );
    out.extend_from_slice(b"{\"version\":");
    serde_json::to_writer(&mut out, &STATE_VERSION)?;
    out.extend_from_slice(b",\"conversations\":[");
    for (n, (id, c)) in sorted(inner).into_iter().enumerate() {
        if n > 0 {
            out.push(b',');
        }
        match &c.log_json {
            // No activities: nothing to append (and serde leaves the field out too).
            Some(log) if log.is_empty() => {
                serde_json::to_writer(&mut out, &ConversationRecord::of(id, c, false))?
            }
            Some(log) => {
                serde_json::to_writer(&mut out, &ConversationRecord::of(id, c, false))?;
                // Reopen the record (it ends with `}`) to append the encoded log.
                out.pop();
                out.extend_from_slice(b",\"activities\":[");
                out.extend_from_slice(log.as_bytes());
                out.extend_from_slice(b"]}");
            }
            None => serde_json::to_writer(&mut out, &ConversationRecord::of(id, c, true))?,
        }
    }
    out.extend_from_slice(b"],\"tokens\":");
    serde_json::to_writer(&mut out, &inner.tokens)?;
    out.extend_from_slice(b",\"hub\":");
    serde_json::to_writer(&mut out, &inner.hub)?;
    out.push(b'}');
    Ok(out)
}

impl<'a> Snapshot<'a> {
    /// The snapshot of `inner`, every activity encoded by serde (what [`encode`] must equal).
    #[cfg(test)]
    fn of(inner: &'a Inner) -> Self {
        Snapshot {
            version: STATE_VERSION,
            conversations: sorted(inner)
                .into_iter()
                .map(|(id, c)| ConversationRecord::of(id, c, true))
                .collect(),
            tokens: Cow::Borrowed(&inner.tokens),
            hub: Cow::Borrowed(&inner.hub),
        }
    }

    fn restore(self) -> Inner {
        let conversations = self
            .conversations
            .into_iter()
            .map(|c| {
                let (feed, _) = broadcast::channel(BROADCAST_CAPACITY);
                let bot = BotState {
                    fallbacks: c.bot.fallbacks,
                    answers: c.bot.answers.into_owned(),
                    topics: c.bot.topics.into_owned(),
                    last_phrase: c.bot.last_phrase.into_owned(),
                    variables: c.bot.variables.into_owned(),
                };
                let activities = c.activities.into_owned();
                let log_json = activities
                    .iter()
                    .map(serde_json::to_string)
                    .collect::<serde_json::Result<Vec<_>>>()
                    .ok()
                    .map(|encoded| encoded.join(","));
                let state = ConversationState {
                    service: c.service,
                    mode: c.mode,
                    activities,
                    user: c.user.into_owned(),
                    bot,
                    feed,
                    log_json,
                };
                (c.id.into_owned(), state)
            })
            .collect();
        Inner {
            conversations,
            tokens: self.tokens.into_owned(),
            hub: self.hub.into_owned(),
        }
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
    if let Some(log) = conversation.log_json.as_mut() {
        match serde_json::to_string(&activity) {
            Ok(json) => {
                if !log.is_empty() {
                    log.push(',');
                }
                log.push_str(&json);
            }
            // Cannot happen (an activity is plain JSON); if it did, saves encode the log.
            Err(_) => conversation.log_json = None,
        }
    }
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

fn millis(duration: Duration) -> Millis {
    duration.as_millis().try_into().unwrap_or(Millis::MAX)
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
    fn a_new_token_lifetime_applies_to_tokens_issued_afterwards() {
        let store = Store::new(Duration::from_secs(60));
        let before = store.create_conversation(Service::Bot, Mode::Relay, None, 0);
        store.set_token_lifetime(Duration::from_secs(5));
        assert_eq!(store.token_lifetime(), Duration::from_secs(5));
        let refreshed = store
            .issue_token(Service::Bot, &before.conversation_id, None, 1_000)
            .unwrap();
        assert_eq!(refreshed.expires_in, 5);
        let grant = store.grant(Service::Bot, &refreshed.token).unwrap();
        assert_eq!(grant.expires_at, 6_000);
        assert_eq!(
            store.grant(Service::Bot, &before.token).unwrap().expires_at,
            60_000
        );
    }

    /// A directory under the system temp dir, removed on drop.
    struct TempDir(std::path::PathBuf);

    impl TempDir {
        fn new(name: &str) -> Self {
            let dir = std::env::temp_dir().join(format!(
                "devserver-store-{name}-{}-{}",
                std::process::id(),
                random_id(6)
            ));
            std::fs::create_dir_all(&dir).unwrap();
            Self(dir)
        }
    }

    impl Drop for TempDir {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }

    /// What a save writes, parsed; checked against serde's encoding of the whole snapshot.
    fn snapshot_json(store: &Store) -> serde_json::Value {
        let inner = store.lock();
        let saved: serde_json::Value = serde_json::from_slice(&encode(&inner).unwrap()).unwrap();
        assert_eq!(saved, serde_json::to_value(Snapshot::of(&inner)).unwrap());
        saved
    }

    #[test]
    fn a_reopened_store_holds_exactly_what_was_saved() {
        let dir = TempDir::new("reopen");
        let file = StateFile::new(dir.0.join("state.json"));
        let store = Store::open(Duration::from_secs(60), file.clone()).unwrap();
        let conv = bot_conversation(&store, Mode::Bridge);
        let start = Activity {
            kind: "event".into(),
            name: Some("startConversation".into()),
            value: Some(serde_json::json!({"firstName": "Ada", "caseNumber": "C-1"})),
            ..Activity::default()
        };
        store
            .post_activity(Service::Bot, &conv, start, None, 5)
            .unwrap();
        let set_context = Activity {
            kind: "event".into(),
            name: Some(bot::SET_CONTEXT_EVENT.into()),
            value: Some(serde_json::json!({"plan": "gold", "visits": 3})),
            ..Activity::default()
        };
        store
            .post_activity(Service::Bot, &conv, set_context, None, 6)
            .unwrap();
        for text in ["opening hours", "bananas"] {
            store
                .post_activity(Service::Bot, &conv, message(text), None, 10)
                .unwrap();
        }
        let relay = bot_conversation(&store, Mode::Relay);
        store
            .post_activity(Service::Bot, &relay, message("a human please"), None, 20)
            .unwrap();
        store.register_agent("Alex").unwrap();
        store.create_conversation(Service::Hub, Mode::Bridge, None, 30);

        let reopened = Store::open(Duration::from_secs(60), file).unwrap();
        assert_eq!(snapshot_json(&reopened), snapshot_json(&store));
        // Without the encoded logs (as in memory), a save writes the same.
        for conversation in reopened.lock().conversations.values_mut() {
            conversation.log_json = None;
        }
        assert_eq!(snapshot_json(&reopened), snapshot_json(&store));
        let inner = reopened.lock();
        let bot = &inner.conversations[&conv].bot;
        assert_eq!(bot.fallbacks, 1);
        assert_eq!(bot.answers.first_name, "Ada");
        assert_eq!(bot.topics, ["Greeting", "Opening hours", "Fallback"]);
        assert_eq!(bot.last_phrase, "bananas");
        assert_eq!(
            serde_json::to_value(&bot.variables).unwrap(),
            serde_json::json!({"firstName": "Ada", "caseNumber": "C-1", "plan": "gold", "visits": 3})
        );
        assert_eq!(inner.conversations[&conv].mode, Mode::Bridge);
        assert_eq!(inner.hub.waiting_since().len(), 1);
    }

    /// Time per save as the log grows: `cargo test -p devserver --release --lib
    /// save_cost -- --ignored --nocapture`.
    #[test]
    #[ignore = "measurement, not a check"]
    fn save_cost() {
        let dir = TempDir::new("cost");
        let file = StateFile::new(dir.0.join("state.json"));
        let memory = Store::new(Duration::from_secs(60));
        let conv = bot_conversation(&memory, Mode::Relay);
        let mut activities = 0;
        for target in [100, 1_000, 10_000, 30_000] {
            while activities < target {
                let text = format!("opening hours {activities}");
                memory
                    .post_activity(Service::Bot, &conv, message(&text), None, 0)
                    .unwrap();
                activities += 3;
            }
            // The same state, persistent: each change below is one save.
            file.save(&Snapshot::of(&memory.lock())).unwrap();
            let store = Store::open(Duration::from_secs(60), file.clone()).unwrap();
            let rounds = 20;
            let started = std::time::Instant::now();
            for _ in 0..rounds {
                store.register_agent("x").unwrap();
            }
            let per_change = started.elapsed() / rounds;
            let bytes = std::fs::metadata(file.path()).unwrap().len();
            println!("{activities:>6} activities, {bytes:>8} bytes: {per_change:>9.3?} per change");
        }
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
