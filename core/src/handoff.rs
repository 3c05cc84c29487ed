//! Live-agent handoff: the one vocabulary of docs/handoff.md, for the widget and the dev
//! server's bot, hub and console alike.
//!
//! Owns the wire names (the `handoff.*` events, the `handoff.status` states, the
//! `Transcript` attachment, the sender roles), the [`HandoffMode`], the classifier
//! [`from_visitor`], the builder of the transcript attachment, and the reading of hub and
//! bot activities: [`signal`] turns one into a [`Signal`] the session acts on; agent
//! messages are recognised by `channelData.handoff.agent`. Pure, no state.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::activity::{Activity, Attachment};
use crate::i18n::{fill, Lang, Text};

/// The escalation event: the bot's (relay), or the widget's forward of it to the hub
/// (bridge).
pub const INITIATE_EVENT: &str = "handoff.initiate";
/// The hub's queue position updates.
pub const QUEUE_EVENT: &str = "handoff.queue";
/// How a handoff is going (from the hub), or how it ended (the widget tells the bot).
pub const STATUS_EVENT: &str = "handoff.status";
/// `value.state` of a `handoff.status`: an agent took the chat.
pub const ACCEPTED: &str = "accepted";
/// `value.state` of a `handoff.status`: the agent ended the chat.
pub const COMPLETED: &str = "completed";
/// `value.state` of a `handoff.status`: no agent took the chat.
pub const FAILED: &str = "failed";
/// `name` of the `handoff.initiate` attachment that carries the conversation so far.
pub const TRANSCRIPT: &str = "Transcript";
/// `from.role` of what the visitor sends (the Direct Line service marks the sender side).
pub const USER_ROLE: &str = "user";
/// `from.role` of everyone else: the bot, the hub, an agent.
pub const BOT_ROLE: &str = "bot";

/// How the agent is reached (`data-handoff-mode`; the dev server's `?handoff=`). On the
/// wire (and in the dev server's state file): `relay` / `bridge`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum HandoffMode {
    /// The hub relays the agent into the bot's own conversation.
    #[default]
    Relay,
    /// The widget opens a conversation on a Direct Line-style hub.
    Bridge,
}

impl HandoffMode {
    /// The wire name (`relay` / `bridge`).
    pub fn as_str(self) -> &'static str {
        match self {
            HandoffMode::Relay => "relay",
            HandoffMode::Bridge => "bridge",
        }
    }

    /// Reads a wire name.
    pub fn parse(raw: &str) -> Option<Self> {
        match raw {
            "relay" => Some(HandoffMode::Relay),
            "bridge" => Some(HandoffMode::Bridge),
            _ => None,
        }
    }
}

/// Whether the visitor sent `activity` (`from.role` is `user`). Everything the widget
/// posts says so, and the service marks it on what a client posted without a role.
pub fn from_visitor(activity: &Activity) -> bool {
    activity.from.as_ref().and_then(|f| f.role.as_deref()) == Some(USER_ROLE)
}

/// Whether `attachment` is the transcript of a `handoff.initiate`.
pub fn is_transcript(attachment: &Attachment) -> bool {
    attachment.name.as_deref() == Some(TRANSCRIPT)
}

/// The transcript attachment of a `handoff.initiate`: `{"activities": [...]}` as JSON.
pub fn transcript_attachment(activities: Vec<Value>) -> Attachment {
    let mut content = Map::new();
    content.insert("activities".into(), Value::Array(activities));
    Attachment {
        content_type: "application/json".into(),
        name: Some(TRANSCRIPT.into()),
        content: Some(Value::Object(content)),
        content_url: None,
    }
}

/// A human agent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Agent {
    pub id: String,
    pub name: String,
}

/// Where the visitor is with respect to a human agent.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Handoff {
    /// Chatting with the bot.
    #[default]
    None,
    /// Waiting for an agent; queue details once the hub sends them.
    Waiting {
        position: Option<u32>,
        wait_secs: Option<u32>,
    },
    /// An agent is in the chat.
    Engaged { agent: Agent },
}

impl Handoff {
    /// Whether an agent is being waited for or is in the chat.
    pub fn is_active(&self) -> bool {
        *self != Handoff::None
    }
}

/// What a handoff-related activity means.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Signal {
    /// The bot escalates (`handoff.initiate`).
    Initiate,
    /// Queue update (`handoff.queue`).
    Queue {
        position: Option<u32>,
        wait_secs: Option<u32>,
    },
    /// An agent accepted (`handoff.status` accepted).
    Accepted(Agent),
    /// The agent ended (`handoff.status` completed, or `endOfConversation` from the agent).
    Completed(Option<Agent>),
    /// No agent could take the chat (`handoff.status` failed); the hub's message, if any.
    Failed(Option<String>),
    /// The agent is typing.
    AgentTyping(Agent),
}

/// Reads the handoff meaning of an activity, if it has one. Activities the visitor sent
/// ([`from_visitor`]) never signal anything.
pub fn signal(activity: &Activity) -> Option<Signal> {
    if from_visitor(activity) {
        return None;
    }
    let value = activity.value.as_ref();
    match (activity.kind.as_str(), activity.name.as_deref()) {
        ("event", Some(INITIATE_EVENT)) => Some(Signal::Initiate),
        ("event", Some(QUEUE_EVENT)) => Some(Signal::Queue {
            position: value.and_then(|v| number(v, "position")),
            wait_secs: value.and_then(|v| number(v, "estimatedWaitSeconds")),
        }),
        ("event", Some(STATUS_EVENT)) => {
            let state = value.and_then(|v| v.get("state")).and_then(Value::as_str)?;
            let agent = value.and_then(|v| agent_in(v.get("agent")?));
            match state {
                ACCEPTED => Some(Signal::Accepted(agent.unwrap_or_else(|| Agent {
                    id: String::new(),
                    name: String::new(),
                }))),
                COMPLETED => Some(Signal::Completed(agent)),
                FAILED => Some(Signal::Failed(
                    value
                        .and_then(|v| v.get("message"))
                        .and_then(Value::as_str)
                        .filter(|m| !m.trim().is_empty())
                        .map(str::to_owned),
                )),
                _ => None,
            }
        }
        ("endOfConversation", _) => agent_of(activity).map(|a| Signal::Completed(Some(a))),
        ("typing", _) => agent_of(activity).map(Signal::AgentTyping),
        _ => None,
    }
}

/// The agent who sent an activity (`channelData.handoff.agent`), if an agent did.
pub fn agent_of(activity: &Activity) -> Option<Agent> {
    agent_in(
        activity
            .channel_data
            .as_ref()?
            .get("handoff")?
            .get("agent")?,
    )
}

fn agent_in(value: &Value) -> Option<Agent> {
    let name = value.get("name")?.as_str()?.trim();
    (!name.is_empty()).then(|| Agent {
        id: value
            .get("id")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned(),
        name: name.to_owned(),
    })
}

fn number(value: &Value, key: &str) -> Option<u32> {
    value.get(key)?.as_u64().and_then(|n| u32::try_from(n).ok())
}

/// "You're number 2 in line (about 2 min)." for the waiting banner.
pub fn queue_text(position: Option<u32>, wait_secs: Option<u32>, lang: Lang) -> String {
    let wait = wait_secs.map(|s| match s {
        0..=59 => lang.t(Text::LessThanMinute).to_owned(),
        s => fill(lang.t(Text::AboutMinutes), &[&s.div_ceil(60).to_string()]),
    });
    let position = position.map(|p| p.to_string());
    match (position.as_deref(), wait.as_deref()) {
        (Some(p), Some(w)) => fill(lang.t(Text::QueuePositionWait), &[p, w]),
        (Some(p), None) => fill(lang.t(Text::QueuePosition), &[p]),
        (None, Some(w)) => fill(lang.t(Text::EstimatedWait), &[w]),
        (None, None) => lang.t(Text::WaitingNextAgent).to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn activity(v: Value) -> Activity {
        serde_json::from_value(v).unwrap()
    }

    const HUB: &str = "handoff-hub";

    #[test]
    fn initiate_from_the_bot_is_a_signal_but_not_from_the_user() {
        let initiate = json!({"type": "event", "name": "handoff.initiate", "from": {"id": "bot", "role": "bot"}});
        assert_eq!(signal(&activity(initiate)), Some(Signal::Initiate));
        let forwarded = json!({"type": "event", "name": "handoff.initiate", "from": {"id": "dl_x", "role": "user"}});
        assert_eq!(signal(&activity(forwarded)), None);
    }

    #[test]
    fn queue_and_status_events_are_read() {
        let queue = json!({"type": "event", "name": "handoff.queue", "from": {"id": HUB},
                           "value": {"position": 2, "estimatedWaitSeconds": 120}});
        assert_eq!(
            signal(&activity(queue)),
            Some(Signal::Queue {
                position: Some(2),
                wait_secs: Some(120)
            })
        );
        let accepted = json!({"type": "event", "name": "handoff.status", "from": {"id": HUB},
                              "value": {"state": "accepted", "agent": {"id": "a1", "name": "Alex"}}});
        assert_eq!(
            signal(&activity(accepted)),
            Some(Signal::Accepted(Agent {
                id: "a1".into(),
                name: "Alex".into()
            }))
        );
        let failed = json!({"type": "event", "name": "handoff.status", "from": {"id": HUB},
                            "value": {"state": "failed"}});
        assert_eq!(signal(&activity(failed)), Some(Signal::Failed(None)));
        let unknown =
            json!({"type": "event", "name": "handoff.status", "value": {"state": "transferred"}});
        assert_eq!(signal(&activity(unknown)), None);
    }

    #[test]
    fn agent_activities_are_recognised_by_channel_data() {
        let typing = json!({"type": "typing", "from": {"id": "agent:a1", "name": "Alex", "role": "bot"},
                            "channelData": {"handoff": {"agent": {"id": "a1", "name": "Alex"}}}});
        assert!(
            matches!(signal(&activity(typing)), Some(Signal::AgentTyping(a)) if a.name == "Alex")
        );
        let end = json!({"type": "endOfConversation", "from": {"id": "agent:a1"},
                         "channelData": {"handoff": {"agent": {"id": "a1", "name": "Alex"}}}});
        assert!(matches!(
            signal(&activity(end)),
            Some(Signal::Completed(Some(_)))
        ));
        let bot_typing = json!({"type": "typing", "from": {"id": "demo-bot", "role": "bot"}});
        assert_eq!(
            signal(&activity(bot_typing)),
            None,
            "the bot's typing is not the agent's"
        );
    }

    #[test]
    fn the_mode_reads_and_writes_its_wire_names() {
        for mode in [HandoffMode::Relay, HandoffMode::Bridge] {
            assert_eq!(HandoffMode::parse(mode.as_str()), Some(mode));
            assert_eq!(serde_json::to_value(mode).unwrap(), json!(mode.as_str()));
        }
        assert_eq!(HandoffMode::parse("carrier-pigeon"), None);
    }

    #[test]
    fn the_transcript_attachment_is_named_json_activities() {
        let attachment = transcript_attachment(vec![json!({"type": "message", "text": "hi"})]);
        assert!(is_transcript(&attachment));
        assert_eq!(
            serde_json::to_string(&attachment).unwrap(),
            r#"{"contentType":"application/json","content":{"activities":[{"text":"hi","type":"message"}]},"name":"Transcript"}"#
        );
    }

    #[test]
    fn only_the_user_role_is_the_visitor() {
        let from =
            |role: &str| activity(json!({"type": "message", "from": {"id": "x", "role": role}}));
        assert!(from_visitor(&from("user")));
        assert!(!from_visitor(&from("bot")));
        assert!(!from_visitor(&activity(json!({"type": "message"}))));
    }

    #[test]
    fn queue_text_reads_naturally() {
        assert_eq!(
            queue_text(Some(2), Some(120), Lang::En),
            "You're number 2 in line (about 2 min)."
        );
        assert_eq!(
            queue_text(Some(1), Some(30), Lang::En),
            "You're number 1 in line (less than a minute)."
        );
        assert_eq!(
            queue_text(None, None, Lang::En),
            "Waiting for the next available agent…"
        );
    }
}
