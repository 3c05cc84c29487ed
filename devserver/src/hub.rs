//! The engagement hub: handoffs, their queue, and the agents who take them.
//!
//! Implements the hub side of `docs/handoff.md` as a pure state machine: methods take `now`
//! where time matters and return [`Effect`]s (activities to append to a visitor's
//! conversation, accept timers to arm, a relay conversation going back to the bot). The
//! store executes the effects under its lock; the console and Direct Line routes only call
//! the store. Ids come in from the caller (the store draws them), so tests are deterministic.
//!
//! Layout: this file owns the state and the visitor's side of its transitions (enqueue,
//! visitor activity, accept timeout, closing, queue positions); `hub/agents.rs` the agent's
//! side (sign-in, accept, send, end); `hub/views.rs` what the console reads (queue, an
//! agent's handoffs, one handoff's detail); `hub/wire.rs` the activities the hub sends and
//! what it reads from a `handoff.initiate`.
//!
//! Who speaks on the wire: queue and status events come from [`hub_account`]; agent messages
//! and typing from `agent:<agentId>` with `channelData.handoff.agent`. The vocabulary (event
//! names, states, [`HandoffMode`], who the visitor is, the transcript attachment) is core's
//! `handoff_core::handoff`, shared with the widget and the bot.
//!
//! The whole [`Hub`] serialises (serde) so the store can persist it with `--state`; that
//! format is internal to the dev server's state file.
//!
//! Pure: no I/O, no clock, no randomness. Must not import axum or tokio.

use std::collections::HashMap;

use handoff_core::activity::Activity;
use handoff_core::handoff::{HandoffMode, COMPLETED, FAILED};
use handoff_core::survey::SurveyAnswers;
use handoff_core::time::{iso8601, Millis};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

mod agents;
#[cfg(test)]
mod tests;
mod views;
mod wire;

pub use agents::AgentSends;
pub use views::{AgentView, Detail, QueueEntry, Summary};
pub use wire::{agent_account, hub_account, queue_event, transcript_of, visitor_of};
use wire::{status_event, string_at, visitor_id_of};

use crate::rich::{display_text, posted_by, PostedBy};

/// `from.id` of the hub's own events.
pub const HUB_ID: &str = "handoff-hub";
/// `from.name` of the hub's own events.
pub const HUB_NAME: &str = "Support";
/// `message` of the failed status sent when no agent accepted in time.
pub const NO_AGENT_TEXT: &str = "No agent is available right now. Please try again later.";
/// The wait estimate per queue position.
pub const SECONDS_PER_POSITION: u64 = 60;
/// How long a visitor's `typing` activity keeps "is typing" on in the console.
pub const VISITOR_TYPING_MS: Millis = 5_000;
/// Longest agent name accepted at sign-in.
pub const MAX_NAME_CHARS: usize = 60;
/// Longest agent message accepted.
pub const MAX_TEXT_CHARS: usize = 4_000;
/// Most suggested actions an agent offers at once.
pub const MAX_CHOICES: usize = 6;
/// Longest suggested action title.
pub const MAX_CHOICE_CHARS: usize = 40;

/// Where a handoff is in its life. The wire names are the console's `data-state` values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum HandoffState {
    /// In the queue, no agent yet.
    Waiting,
    /// An agent accepted and is chatting.
    Engaged,
    /// The agent ended it.
    Completed,
    /// No agent accepted in time.
    Failed,
    /// The visitor ended it (`endOfConversation`).
    VisitorEnded,
}

impl HandoffState {
    /// Waiting or engaged: the visitor's activities go to the hub, not the bot.
    pub fn is_active(self) -> bool {
        matches!(self, HandoffState::Waiting | HandoffState::Engaged)
    }

    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            HandoffState::Waiting => "waiting",
            HandoffState::Engaged => "engaged",
            HandoffState::Completed => "completed",
            HandoffState::Failed => "failed",
            HandoffState::VisitorEnded => "visitor-ended",
        }
    }
}

/// What the hub asks its executor (the store) to do.
#[derive(Debug, Clone, PartialEq)]
pub enum Effect {
    /// Append this activity to the conversation (a hub event or an agent activity).
    Send {
        conversation_id: String,
        activity: Box<Activity>,
    },
    /// Start the accept timer of a new handoff; on expiry call [`Hub::expire`].
    ArmTimeout { handoff_id: String },
    /// A relay conversation's handoff is over: the bot answers again, from a clean slate.
    BotResumes { conversation_id: String },
}

/// Why an agent's request was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum HubError {
    #[error("Your name is required")]
    EmptyName,
    #[error("Your name is too long (at most {MAX_NAME_CHARS} characters)")]
    NameTooLong,
    #[error("The message is empty")]
    EmptyText,
    #[error("The message is too long (at most {MAX_TEXT_CHARS} characters)")]
    TextTooLong,
    #[error("Choices must be 1 to {MAX_CHOICES} titles of 1 to {MAX_CHOICE_CHARS} characters")]
    BadChoices,
    #[error("No agent {0}; sign in again")]
    UnknownAgent(String),
    #[error("No handoff {0}")]
    UnknownHandoff(String),
    #[error("This conversation belongs to another agent")]
    NotYours,
    #[error("Already taken by {by}")]
    AlreadyTaken { by: String },
    #[error("This visitor is no longer waiting ({})", .0.as_str())]
    NotWaiting(HandoffState),
    #[error("The conversation has ended ({})", .0.as_str())]
    Ended(HandoffState),
}

/// Result of a hub operation.
pub type Result<T> = std::result::Result<T, HubError>;

/// `{"id", "name"}` of an agent, as in `handoff.status` and `channelData.handoff.agent`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AgentRef {
    pub id: String,
    pub name: String,
}

/// Who wrote a live-chat message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Sender {
    Visitor,
    Agent,
}

/// One message of the live part of a handoff.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ChatMessage {
    /// The activity id in the visitor's conversation.
    pub id: String,
    pub from: Sender,
    pub text: String,
    /// ISO 8601.
    pub timestamp: String,
    /// Visitor messages a card or suggested action posted (not typed).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub posted_by: Option<PostedBy>,
    /// A messageBack's `displayText`: what the visitor saw instead of `text`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display_text: Option<String>,
    /// What a card action posted besides text (an Adaptive Card's input values).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<Value>,
    /// Agent messages: the suggested actions (imBack) offered with it.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub choices: Vec<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct Agent {
    name: String,
    /// The secret the agent's console presents on every call (the id is no credential).
    /// Kept with `--state`, so agents stay signed in across a restart; an agent saved
    /// before sessions existed has none and must sign in again.
    #[serde(default)]
    session: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Handoff {
    id: String,
    /// Where hub events go: the bot conversation (relay) or the hub conversation (bridge).
    conversation_id: String,
    mode: HandoffMode,
    state: HandoffState,
    visitor: SurveyAnswers,
    last_topic: String,
    context: Value,
    transcript: Vec<Value>,
    enqueued_at: Millis,
    agent: Option<String>,
    /// Order of acceptance, for the agent's list.
    accepted_seq: u64,
    messages: Vec<ChatMessage>,
    /// The visitor's account id: `to` of the suggested actions an agent sends. From the
    /// initiate (bridge) or its transcript (relay), then from what the visitor posts.
    #[serde(default)]
    visitor_id: String,
    /// The `clientActivityID`s of the visitor messages recorded: a retried POST counts once.
    #[serde(default)]
    client_activity_ids: Vec<String>,
    visitor_typing_until: Millis,
    /// The position last announced with `handoff.queue`.
    announced_position: Option<usize>,
}

/// All handoffs and agents of the running server.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Hub {
    handoffs: HashMap<String, Handoff>,
    agents: HashMap<String, Agent>,
    /// Waiting handoff ids in arrival order.
    queue: Vec<String>,
    /// Conversation id → its waiting or engaged handoff.
    active: HashMap<String, String>,
    accepted: u64,
}

impl Hub {
    /// The waiting or engaged handoff of a conversation.
    pub fn active_handoff(&self, conversation_id: &str) -> Option<&str> {
        self.active.get(conversation_id).map(String::as_str)
    }

    /// Puts a conversation in the queue for `initiate` (the bot's event in relay mode, the
    /// widget's in bridge mode). Ignored while the conversation already has an active one.
    pub fn enqueue(
        &mut self,
        id: String,
        conversation_id: &str,
        mode: HandoffMode,
        initiate: &Activity,
        now: Millis,
    ) -> Vec<Effect> {
        if self.active.contains_key(conversation_id) {
            return Vec::new();
        }
        let context = initiate.value.clone().unwrap_or_else(|| json!({}));
        let handoff = Handoff {
            id: id.clone(),
            conversation_id: conversation_id.to_owned(),
            mode,
            state: HandoffState::Waiting,
            visitor: visitor_of(&context),
            last_topic: string_at(&context, "va_LastTopic"),
            transcript: transcript_of(initiate),
            visitor_id: visitor_id_of(initiate),
            context,
            enqueued_at: now,
            agent: None,
            accepted_seq: 0,
            messages: Vec::new(),
            client_activity_ids: Vec::new(),
            visitor_typing_until: 0,
            announced_position: None,
        };
        self.handoffs.insert(id.clone(), handoff);
        self.active.insert(conversation_id.to_owned(), id.clone());
        self.queue.push(id.clone());
        let mut effects = self.queue_updates();
        effects.push(Effect::ArmTimeout { handoff_id: id });
        effects
    }

    /// A visitor-posted activity in a conversation with an active handoff: messages go to
    /// the agent, typing lights the indicator, `endOfConversation` ends the handoff.
    /// `None` when the conversation has no active handoff (the bot's turn then).
    pub fn visitor_activity(
        &mut self,
        conversation_id: &str,
        activity: &Activity,
        now: Millis,
    ) -> Option<Vec<Effect>> {
        let id = self.active.get(conversation_id)?.clone();
        let handoff = self.handoffs.get_mut(&id)?;
        match activity.kind.as_str() {
            "message" => {
                let text = activity.text.as_deref().unwrap_or_default();
                let value = activity.value.clone().filter(|v| !v.is_null());
                let client_id = activity.client_activity_id();
                let seen =
                    client_id.is_some_and(|c| handoff.client_activity_ids.iter().any(|s| s == c));
                if (!text.trim().is_empty() || value.is_some()) && !seen {
                    handoff.visitor_id = activity.from_id().to_owned();
                    handoff.messages.push(ChatMessage {
                        id: activity.id.clone().unwrap_or_default(),
                        from: Sender::Visitor,
                        text: text.to_owned(),
                        timestamp: activity.timestamp.clone().unwrap_or_else(|| iso8601(now)),
                        posted_by: posted_by(activity),
                        display_text: display_text(activity).map(str::to_owned),
                        value,
                        choices: Vec::new(),
                    });
                    handoff
                        .client_activity_ids
                        .extend(client_id.map(str::to_owned));
                    handoff.visitor_typing_until = 0;
                }
                Some(Vec::new())
            }
            "typing" => {
                handoff.visitor_typing_until = now.saturating_add(VISITOR_TYPING_MS);
                Some(Vec::new())
            }
            "endOfConversation" => Some(self.close(&id, HandoffState::VisitorEnded)),
            // Other events stay with the hub while the handoff is active: the bot is quiet.
            _ => Some(Vec::new()),
        }
    }

    /// The accept timer of `handoff_id` ran out: a still waiting handoff fails.
    pub fn expire(&mut self, handoff_id: &str) -> Vec<Effect> {
        match self.handoffs.get(handoff_id) {
            Some(h) if h.state == HandoffState::Waiting => {
                self.close(handoff_id, HandoffState::Failed)
            }
            _ => Vec::new(),
        }
    }

    /// Ends an active handoff in `state`, with the effects the contract asks for.
    fn close(&mut self, handoff_id: &str, state: HandoffState) -> Vec<Effect> {
        let Some(handoff) = self.handoffs.get_mut(handoff_id) else {
            return Vec::new();
        };
        let was_waiting = handoff.state == HandoffState::Waiting;
        handoff.state = state;
        handoff.visitor_typing_until = 0;
        let conversation_id = handoff.conversation_id.clone();
        let mode = handoff.mode;
        let agent = handoff.agent.clone();
        self.active.remove(&conversation_id);
        let mut effects = Vec::new();
        let status = match state {
            HandoffState::Failed => Some(json!({"state": FAILED, "message": NO_AGENT_TEXT})),
            HandoffState::Completed => {
                let agent = agent.and_then(|a| self.agent_ref(&a).ok());
                Some(json!({"state": COMPLETED, "agent": agent}))
            }
            // The visitor left: nobody to tell.
            _ => None,
        };
        if let Some(value) = status {
            effects.push(Effect::Send {
                conversation_id: conversation_id.clone(),
                activity: Box::new(status_event(value)),
            });
        }
        if was_waiting {
            self.queue.retain(|id| id != handoff_id);
            effects.extend(self.queue_updates());
        }
        if mode == HandoffMode::Relay {
            effects.push(Effect::BotResumes { conversation_id });
        }
        effects
    }

    /// `handoff.queue` for every waiting conversation whose position is not the one it was
    /// last told.
    fn queue_updates(&mut self) -> Vec<Effect> {
        let mut effects = Vec::new();
        for (i, id) in self.queue.iter().enumerate() {
            let position = i + 1;
            let Some(handoff) = self.handoffs.get_mut(id) else {
                continue;
            };
            if handoff.announced_position != Some(position) {
                handoff.announced_position = Some(position);
                effects.push(Effect::Send {
                    conversation_id: handoff.conversation_id.clone(),
                    activity: Box::new(queue_event(position)),
                });
            }
        }
        effects
    }

    fn handoff(&self, handoff_id: &str) -> Result<&Handoff> {
        self.handoffs
            .get(handoff_id)
            .ok_or_else(|| HubError::UnknownHandoff(handoff_id.to_owned()))
    }

    fn handoff_mut(&mut self, handoff_id: &str) -> Result<&mut Handoff> {
        self.handoffs
            .get_mut(handoff_id)
            .ok_or_else(|| HubError::UnknownHandoff(handoff_id.to_owned()))
    }
}

impl Handoff {
    fn visitor_typing(&self, now: Millis) -> bool {
        self.state.is_active() && now < self.visitor_typing_until
    }
}
