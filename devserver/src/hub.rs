//! The engagement hub: handoffs, their queue, and the agents who take them.
//!
//! Implements the hub side of `docs/handoff.md` as a pure state machine: methods take `now`
//! where time matters and return [`Effect`]s (activities to append to a visitor's
//! conversation, accept timers to arm, a relay conversation going back to the bot). The
//! store executes the effects under its lock; the console and Direct Line routes only call the store. Ids come in from the
//! caller (the store draws them), so tests are deterministic.
//!
//! Who speaks on the wire: queue and status events come from [`hub_account`]; agent messages
//! and typing from `agent:<agentId>` with `channelData.handoff.agent`.
//!
//! The whole [`Hub`] serialises (serde) so the store can persist it with `--state`; that
//! format is internal to the dev server's state file.
//!
//! Pure: no I/O, no clock, no randomness. Must not import axum or tokio.

use std::collections::HashMap;

use handoff_core::activity::{Activity, ChannelAccount};
use handoff_core::survey::SurveyAnswers;
use handoff_core::time::{iso8601, Millis};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

/// `from.id` of the hub's own events.
pub const HUB_ID: &str = "handoff-hub";
/// `from.name` of the hub's own events.
pub const HUB_NAME: &str = "Support";
/// The bot's (relay) or the widget's (bridge) escalation event.
pub const INITIATE_EVENT: &str = "handoff.initiate";
/// Queue position updates.
pub const QUEUE_EVENT: &str = "handoff.queue";
/// Accepted / failed / completed; also what the widget tells the bot afterwards.
pub const STATUS_EVENT: &str = "handoff.status";
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

/// How the visitor reaches the hub (`docs/handoff.md` section 4).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Mode {
    /// The hub speaks in the bot's own conversation.
    #[default]
    Relay,
    /// The widget opened a conversation with the hub itself.
    Bridge,
}

impl Mode {
    /// The wire name (`relay` / `bridge`).
    pub fn as_str(self) -> &'static str {
        match self {
            Mode::Relay => "relay",
            Mode::Bridge => "bridge",
        }
    }

    /// Reads a wire name.
    pub fn parse(raw: &str) -> Option<Self> {
        match raw {
            "relay" => Some(Mode::Relay),
            "bridge" => Some(Mode::Bridge),
            _ => None,
        }
    }
}

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

/// A signed-in agent (`POST /agent/api/agents` answer).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AgentView {
    pub agent_id: String,
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
pub struct ChatMessage {
    /// The activity id in the visitor's conversation.
    pub id: String,
    pub from: Sender,
    pub text: String,
    /// ISO 8601.
    pub timestamp: String,
}

/// One waiting visitor (`GET /agent/api/queue`).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct QueueEntry {
    pub handoff_id: String,
    pub visitor: SurveyAnswers,
    pub last_topic: String,
    pub waiting_seconds: u64,
    pub mode: Mode,
    /// 1-based, arrival order.
    pub position: usize,
}

/// One of an agent's handoffs (`GET /agent/api/agents/{id}/handoffs`).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Summary {
    pub handoff_id: String,
    pub state: HandoffState,
    pub mode: Mode,
    pub visitor: SurveyAnswers,
    pub last_topic: String,
    pub visitor_typing: bool,
    /// Live-chat messages so far (both sides).
    pub message_count: usize,
}

/// Everything the console shows about one handoff.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Detail {
    pub handoff_id: String,
    pub state: HandoffState,
    pub mode: Mode,
    pub visitor: SurveyAnswers,
    pub last_topic: String,
    /// The agent who accepted, once accepted.
    pub agent: Option<AgentRef>,
    /// The full `handoff.initiate` value.
    pub context: Value,
    /// The bot transcript (the `Transcript` attachment's activities).
    pub transcript: Vec<Value>,
    pub messages: Vec<ChatMessage>,
    pub visitor_typing: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct Agent {
    name: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Handoff {
    id: String,
    /// Where hub events go: the bot conversation (relay) or the hub conversation (bridge).
    conversation_id: String,
    mode: Mode,
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
    /// Signs an agent in under `id` (drawn by the caller).
    pub fn register_agent(&mut self, id: String, name: &str) -> Result<AgentView> {
        let name = name.trim();
        if name.is_empty() {
            return Err(HubError::EmptyName);
        }
        if name.chars().count() > MAX_NAME_CHARS {
            return Err(HubError::NameTooLong);
        }
        self.agents.insert(
            id.clone(),
            Agent {
                name: name.to_owned(),
            },
        );
        Ok(AgentView {
            agent_id: id,
            name: name.to_owned(),
        })
    }

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
        mode: Mode,
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
                let client_id = activity.client_activity_id();
                let seen =
                    client_id.is_some_and(|c| handoff.client_activity_ids.iter().any(|s| s == c));
                if !text.trim().is_empty() && !seen {
                    handoff.messages.push(ChatMessage {
                        id: activity.id.clone().unwrap_or_default(),
                        from: Sender::Visitor,
                        text: text.to_owned(),
                        timestamp: activity.timestamp.clone().unwrap_or_else(|| iso8601(now)),
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

    /// An agent takes a waiting visitor.
    pub fn accept(&mut self, handoff_id: &str, agent_id: &str) -> Result<Vec<Effect>> {
        let agent = self.agent_ref(agent_id)?;
        let handoff = self.handoff(handoff_id)?;
        match (handoff.state, &handoff.agent) {
            (HandoffState::Waiting, _) => {}
            (HandoffState::Engaged, Some(taker)) => {
                let by = self
                    .agents
                    .get(taker)
                    .map_or_else(|| taker.clone(), |a| a.name.clone());
                return Err(HubError::AlreadyTaken { by });
            }
            (state, _) => return Err(HubError::NotWaiting(state)),
        }
        self.accepted += 1;
        let seq = self.accepted;
        let handoff = self.handoff_mut(handoff_id)?;
        handoff.state = HandoffState::Engaged;
        handoff.agent = Some(agent.id.clone());
        handoff.accepted_seq = seq;
        let conversation_id = handoff.conversation_id.clone();
        self.queue.retain(|id| id != handoff_id);
        let mut effects = vec![Effect::Send {
            conversation_id,
            activity: Box::new(status_event(json!({"state": "accepted", "agent": agent}))),
        }];
        effects.extend(self.queue_updates());
        Ok(effects)
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

    /// Checks that `agent_id` may act in `handoff_id` now, and builds the activity it sends
    /// (`message` with `text`, or `typing`): the conversation to append to, and the activity.
    pub fn agent_activity(
        &self,
        handoff_id: &str,
        agent_id: &str,
        text: Option<&str>,
    ) -> Result<(String, Activity)> {
        let agent = self.agent_ref(agent_id)?;
        let handoff = self.own_handoff(handoff_id, agent_id)?;
        if handoff.state != HandoffState::Engaged {
            return Err(HubError::Ended(handoff.state));
        }
        let activity = match text {
            Some(text) => {
                let text = text.trim();
                if text.is_empty() {
                    return Err(HubError::EmptyText);
                }
                if text.chars().count() > MAX_TEXT_CHARS {
                    return Err(HubError::TextTooLong);
                }
                let mut message = agent_event("message", &agent);
                message.text = Some(text.to_owned());
                message.text_format = Some("plain".into());
                message
            }
            None => agent_event("typing", &agent),
        };
        Ok((handoff.conversation_id.clone(), activity))
    }

    /// Records an agent message once the store appended it (`id` is its activity id).
    pub fn record_agent_message(&mut self, handoff_id: &str, id: String, activity: &Activity) {
        if let Some(handoff) = self.handoffs.get_mut(handoff_id) {
            handoff.messages.push(ChatMessage {
                id,
                from: Sender::Agent,
                text: activity.text.clone().unwrap_or_default(),
                timestamp: activity.timestamp.clone().unwrap_or_default(),
            });
        }
    }

    /// The agent ends the conversation: `handoff.status` completed.
    pub fn end_by_agent(&mut self, handoff_id: &str, agent_id: &str) -> Result<Vec<Effect>> {
        self.agent_ref(agent_id)?;
        let handoff = self.own_handoff(handoff_id, agent_id)?;
        if handoff.state != HandoffState::Engaged {
            return Err(HubError::Ended(handoff.state));
        }
        Ok(self.close(handoff_id, HandoffState::Completed))
    }

    /// The waiting visitors, in queue order.
    pub fn queue(&self, now: Millis) -> Vec<QueueEntry> {
        self.queue
            .iter()
            .filter_map(|id| self.handoffs.get(id))
            .enumerate()
            .map(|(i, h)| QueueEntry {
                handoff_id: h.id.clone(),
                visitor: h.visitor.clone(),
                last_topic: h.last_topic.clone(),
                waiting_seconds: now.saturating_sub(h.enqueued_at) / 1000,
                mode: h.mode,
                position: i + 1,
            })
            .collect()
    }

    /// Every waiting handoff with the moment it was enqueued, in queue order (a restored
    /// hub's accept timers start again from these).
    pub fn waiting_since(&self) -> Vec<(String, Millis)> {
        self.queue
            .iter()
            .filter_map(|id| self.handoffs.get(id))
            .map(|h| (h.id.clone(), h.enqueued_at))
            .collect()
    }

    /// The handoffs `agent_id` accepted, oldest first.
    pub fn agent_handoffs(&self, agent_id: &str, now: Millis) -> Result<Vec<Summary>> {
        self.agent_ref(agent_id)?;
        let mut mine: Vec<&Handoff> = self
            .handoffs
            .values()
            .filter(|h| h.agent.as_deref() == Some(agent_id))
            .collect();
        mine.sort_by_key(|h| h.accepted_seq);
        Ok(mine
            .into_iter()
            .map(|h| Summary {
                handoff_id: h.id.clone(),
                state: h.state,
                mode: h.mode,
                visitor: h.visitor.clone(),
                last_topic: h.last_topic.clone(),
                visitor_typing: h.visitor_typing(now),
                message_count: h.messages.len(),
            })
            .collect())
    }

    /// One handoff as its agent sees it.
    pub fn detail(&self, handoff_id: &str, agent_id: &str, now: Millis) -> Result<Detail> {
        self.agent_ref(agent_id)?;
        let h = self.own_handoff(handoff_id, agent_id)?;
        Ok(Detail {
            handoff_id: h.id.clone(),
            state: h.state,
            mode: h.mode,
            visitor: h.visitor.clone(),
            last_topic: h.last_topic.clone(),
            agent: h.agent.as_deref().and_then(|a| self.agent_ref(a).ok()),
            context: h.context.clone(),
            transcript: h.transcript.clone(),
            messages: h.messages.clone(),
            visitor_typing: h.visitor_typing(now),
        })
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
            HandoffState::Failed => Some(json!({"state": "failed", "message": NO_AGENT_TEXT})),
            HandoffState::Completed => {
                let agent = agent.and_then(|a| self.agent_ref(&a).ok());
                Some(json!({"state": "completed", "agent": agent}))
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
        if mode == Mode::Relay {
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

    fn agent_ref(&self, agent_id: &str) -> Result<AgentRef> {
        self.agents
            .get(agent_id)
            .map(|a| AgentRef {
                id: agent_id.to_owned(),
                name: a.name.clone(),
            })
            .ok_or_else(|| HubError::UnknownAgent(agent_id.to_owned()))
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

    /// The handoff, if `agent_id` is the one who accepted it.
    fn own_handoff(&self, handoff_id: &str, agent_id: &str) -> Result<&Handoff> {
        let handoff = self.handoff(handoff_id)?;
        if handoff.agent.as_deref() == Some(agent_id) {
            Ok(handoff)
        } else {
            Err(HubError::NotYours)
        }
    }
}

impl Handoff {
    fn visitor_typing(&self, now: Millis) -> bool {
        self.state.is_active() && now < self.visitor_typing_until
    }
}

/// The survey answers in a handoff context: `value.survey` (bridge: the widget adds the
/// survey) wins over the bot's top-level `firstName`... fields.
pub fn visitor_of(context: &Value) -> SurveyAnswers {
    let field = |key: &str| {
        let survey = string_at(context.get("survey").unwrap_or(&Value::Null), key);
        if survey.is_empty() {
            string_at(context, key)
        } else {
            survey
        }
    };
    SurveyAnswers {
        first_name: field("firstName"),
        last_name: field("lastName"),
        email: field("email"),
        case_number: field("caseNumber"),
    }
    .trimmed()
}

/// The activities of an initiate event's `Transcript` attachment (empty without one).
pub fn transcript_of(initiate: &Activity) -> Vec<Value> {
    initiate
        .attachments
        .iter()
        .filter(|a| a.name.as_deref() == Some("Transcript"))
        .find_map(|a| a.content.as_ref()?.get("activities")?.as_array().cloned())
        .unwrap_or_default()
}

fn string_at(value: &Value, key: &str) -> String {
    value
        .get(key)
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned()
}

/// `{"id": "handoff-hub", "name": "Support", "role": "bot"}`.
pub fn hub_account() -> ChannelAccount {
    ChannelAccount {
        id: HUB_ID.into(),
        name: Some(HUB_NAME.into()),
        role: Some("bot".into()),
    }
}

/// `{"id": "agent:<id>", "name": "<name>", "role": "bot"}`.
pub fn agent_account(agent: &AgentRef) -> ChannelAccount {
    ChannelAccount {
        id: format!("agent:{}", agent.id),
        name: Some(agent.name.clone()),
        role: Some("bot".into()),
    }
}

/// `handoff.queue` with the position and its estimate.
pub fn queue_event(position: usize) -> Activity {
    let mut event = hub_event(QUEUE_EVENT);
    event.value = Some(json!({
        "position": position,
        "estimatedWaitSeconds": position as u64 * SECONDS_PER_POSITION,
    }));
    event
}

fn status_event(value: Value) -> Activity {
    let mut event = hub_event(STATUS_EVENT);
    event.value = Some(value);
    event
}

fn hub_event(name: &str) -> Activity {
    Activity {
        kind: "event".into(),
        name: Some(name.into()),
        from: Some(hub_account()),
        ..Activity::default()
    }
}

fn agent_event(kind: &str, agent: &AgentRef) -> Activity {
    Activity {
        kind: kind.into(),
        from: Some(agent_account(agent)),
        channel_data: Some(json!({"handoff": {"agent": agent}})),
        ..Activity::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use handoff_core::activity::Attachment;

    fn initiate(first: &str) -> Activity {
        Activity {
            kind: "event".into(),
            name: Some(INITIATE_EVENT.into()),
            value: Some(json!({"firstName": first, "lastName": "Lovelace",
                               "va_LastTopic": "Escalate"})),
            attachments: vec![Attachment {
                content_type: "application/json".into(),
                content_url: None,
                name: Some("Transcript".into()),
                content: Some(json!({"activities": [{"type": "message", "text": "hi"}]})),
            }],
            ..Activity::default()
        }
    }

    fn visitor(kind: &str, text: &str) -> Activity {
        Activity {
            kind: kind.into(),
            id: Some(format!("c|{text}")),
            text: Some(text.into()),
            ..Activity::default()
        }
    }

    /// (conversation, event name, value) of every `Send`.
    fn sent(effects: &[Effect]) -> Vec<(String, String, Value)> {
        effects
            .iter()
            .filter_map(|e| match e {
                Effect::Send {
                    conversation_id,
                    activity,
                } => Some((
                    conversation_id.clone(),
                    activity
                        .name
                        .clone()
                        .unwrap_or_else(|| activity.kind.clone()),
                    activity.value.clone().unwrap_or(Value::Null),
                )),
                _ => None,
            })
            .collect()
    }

    fn hub_with_agent() -> Hub {
        let mut hub = Hub::default();
        hub.register_agent("a1".into(), " Alex ").unwrap();
        hub
    }

    #[test]
    fn enqueue_announces_the_position_and_arms_the_timer() {
        let mut hub = hub_with_agent();
        let effects = hub.enqueue("h1".into(), "c1", Mode::Relay, &initiate("Ada"), 0);
        assert_eq!(
            sent(&effects),
            [(
                "c1".into(),
                QUEUE_EVENT.into(),
                json!({"position": 1, "estimatedWaitSeconds": 60})
            )]
        );
        assert_eq!(
            effects.last(),
            Some(&Effect::ArmTimeout {
                handoff_id: "h1".into()
            })
        );
        let queue = hub.queue(42_500);
        assert_eq!(queue[0].visitor.first_name, "Ada");
        assert_eq!(queue[0].last_topic, "Escalate");
        assert_eq!(queue[0].waiting_seconds, 42);
        // A second initiate in the same conversation while waiting is ignored.
        assert!(hub
            .enqueue("h2".into(), "c1", Mode::Relay, &initiate("Ada"), 0)
            .is_empty());
    }

    #[test]
    fn accepting_the_first_moves_the_second_up() {
        let mut hub = hub_with_agent();
        hub.enqueue("h1".into(), "c1", Mode::Relay, &initiate("Ada"), 0);
        let second = hub.enqueue("h2".into(), "c2", Mode::Bridge, &initiate("Bob"), 0);
        assert_eq!(sent(&second)[0].2["position"], 2);
        let effects = hub.accept("h1", "a1").unwrap();
        assert_eq!(
            sent(&effects),
            [
                (
                    "c1".into(),
                    STATUS_EVENT.into(),
                    json!({"state": "accepted", "agent": {"id": "a1", "name": "Alex"}})
                ),
                (
                    "c2".into(),
                    QUEUE_EVENT.into(),
                    json!({"position": 1, "estimatedWaitSeconds": 60})
                ),
            ]
        );
        hub.register_agent("a2".into(), "Sam").unwrap();
        assert_eq!(
            hub.accept("h1", "a2"),
            Err(HubError::AlreadyTaken { by: "Alex".into() })
        );
        assert_eq!(hub.detail("h1", "a2", 0), Err(HubError::NotYours));
    }

    #[test]
    fn visitor_messages_are_recorded_once_and_end_closes_silently() {
        let mut hub = hub_with_agent();
        hub.enqueue("h1".into(), "c1", Mode::Relay, &initiate("Ada"), 0);
        let mut first = visitor("message", "one");
        first.channel_data = Some(json!({"clientActivityID": "x1"}));
        hub.visitor_activity("c1", &first, 1);
        hub.visitor_activity("c1", &first, 2);
        hub.visitor_activity("c1", &visitor("typing", ""), 3);
        hub.accept("h1", "a1").unwrap();
        let detail = hub.detail("h1", "a1", 4).unwrap();
        assert_eq!(detail.messages.len(), 1);
        assert!(detail.visitor_typing);
        assert!(
            !hub.detail("h1", "a1", 3 + VISITOR_TYPING_MS)
                .unwrap()
                .visitor_typing
        );

        let effects = hub
            .visitor_activity("c1", &visitor("endOfConversation", ""), 5)
            .unwrap();
        assert!(sent(&effects).is_empty());
        assert_eq!(
            effects,
            [Effect::BotResumes {
                conversation_id: "c1".into()
            }]
        );
        assert_eq!(
            hub.agent_activity("h1", "a1", Some("hello")),
            Err(HubError::Ended(HandoffState::VisitorEnded))
        );
        assert!(hub.visitor_activity("c1", &first, 6).is_none());
    }

    #[test]
    fn expiry_fails_only_a_waiting_handoff() {
        let mut hub = hub_with_agent();
        hub.enqueue("h1".into(), "c1", Mode::Bridge, &initiate("Ada"), 0);
        let effects = hub.expire("h1");
        assert_eq!(
            sent(&effects),
            [(
                "c1".into(),
                STATUS_EVENT.into(),
                json!({"state": "failed", "message": NO_AGENT_TEXT})
            )]
        );
        assert!(hub.queue(0).is_empty());
        assert!(hub.expire("h1").is_empty());
        assert_eq!(
            hub.accept("h1", "a1"),
            Err(HubError::NotWaiting(HandoffState::Failed))
        );
    }

    #[test]
    fn survey_answers_win_over_top_level_fields() {
        let context = json!({"firstName": "", "lastName": "L", "survey": {"firstName": "Ada"}});
        let visitor = visitor_of(&context);
        assert_eq!(visitor.first_name, "Ada");
        assert_eq!(visitor.last_name, "L");
        assert_eq!(transcript_of(&initiate("Ada")).len(), 1);
    }
}
