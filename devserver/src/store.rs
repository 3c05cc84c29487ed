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
//! Layout: this file holds the conversations, tokens and the visitor's side (post, read,
//! subscribe); `store/bot_turn.rs` the demo bot's turn (its replies, the handoff it
//! starts, its paced livestream pieces); `store/agents.rs` the agent side of the hub
//! (sign-in, queue, accept, send, end) and the execution of the hub's effects; `store/snapshot.rs` the state file's
//! content (`--state FILE`: load at open, save after every change, under the lock).

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use handoff_core::activity::{Activity, ActivitySet, ChannelAccount, ConversationAccount};
use handoff_core::handoff::{from_visitor, HandoffMode, INITIATE_EVENT, USER_ROLE};
use handoff_core::time::{iso8601, Millis};
use serde::{Deserialize, Serialize};
use tokio::sync::broadcast;

use crate::bot::BotState;
use crate::error::{AppError, Result};
use crate::hub::Hub;
use crate::persist::{PersistError, StateFile};
use crate::random::{random_id, ID_LEN};

use agents::apply;
use bot_turn::bot_turn;
use snapshot::encode;

mod agents;
mod bot_turn;
pub mod capacity;
mod snapshot;
#[cfg(test)]
mod tests;

pub use snapshot::STATE_VERSION;

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
    /// The rest of a livestream the bot opened: the caller appends them one by one,
    /// [`bot::livestream::PACE`] apart, with [`Store::append_reply`].
    pub paced: Vec<Activity>,
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
    mode: HandoffMode,
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
    /// `None`) and issues its first token; 429 when the store is full (see `capacity.rs`). `mode` says whether the hub relays a bot
    /// conversation's handoffs; hub conversations are always bridge.
    pub fn create_conversation(
        &self,
        service: Service,
        mode: HandoffMode,
        user: Option<ChannelAccount>,
        now: Millis,
    ) -> Result<Issued> {
        let user = user
            .filter(|u| !u.id.is_empty())
            .unwrap_or_else(|| ChannelAccount {
                id: format!("dl_{}", random_id(ID_LEN)),
                name: None,
                role: None,
            });
        let conversation_id = random_id(ID_LEN);
        let (feed, _) = broadcast::channel(BROADCAST_CAPACITY);
        let mode = match service {
            Service::Bot => mode,
            Service::Hub => HandoffMode::Bridge,
        };
        let mut inner = self.lock();
        inner.make_room(true, now)?;
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
        Ok(issued)
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
        inner.make_room(false, now)?;
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
    /// id given to the client's activity. `default_user` becomes `from` when it is missing;
    /// `origin` (`http://host:port` as the client reached us) is where the bot's cards
    /// point.
    pub fn post_activity(
        &self,
        service: Service,
        conversation_id: &str,
        mut activity: Activity,
        default_user: Option<ChannelAccount>,
        origin: &str,
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
        capacity::check_room(conversation)?;
        if activity.from.as_ref().is_none_or(|f| f.id.is_empty()) {
            activity.from = Some(default_user.unwrap_or_else(|| conversation.user.clone()));
        }
        if let Some(from) = activity.from.as_mut() {
            // Clients rarely send a role; the service marks the sender side so others can
            // tell the visitor's activities from the bot's.
            from.role.get_or_insert_with(|| USER_ROLE.into());
        }
        let id = append(conversation, conversation_id, activity, now);
        let incoming = conversation.activities.last().cloned().unwrap_or_default();
        let visitor_sent = from_visitor(&incoming);

        let mut effects = Vec::new();
        let mut paced = Vec::new();
        let handled_by_hub = visitor_sent
            .then(|| hub.visitor_activity(conversation_id, &incoming, now))
            .flatten();
        if let Some(hub_effects) = handled_by_hub {
            effects = hub_effects;
        } else if service == Service::Bot {
            (effects, paced) = bot_turn(conversation, conversation_id, hub, &incoming, origin, now);
        } else if visitor_sent && incoming.is_event(INITIATE_EVENT) {
            let handoff_id = format!("h{}", random_id(ID_LEN));
            effects = hub.enqueue(
                handoff_id,
                conversation_id,
                HandoffMode::Bridge,
                &incoming,
                now,
            );
        }
        let new_handoffs = apply(&mut guard, effects, now);
        self.commit(&guard);
        Ok(Posted {
            id,
            new_handoffs,
            paced,
        })
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
