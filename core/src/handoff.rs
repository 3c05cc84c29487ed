//! Live-agent handoff: the wire conventions of docs/handoff.md, read from activities.
//!
//! [`signal`] turns a hub or bot activity into a [`Signal`] the session acts on; agent
//! messages are recognised by `channelData.handoff.agent`. Pure parsing, no state.

use serde_json::Value;

use crate::activity::Activity;
use crate::i18n::{fill, Lang, Text};

/// How the agent is reached (`data-handoff-mode`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum HandoffMode {
    /// The hub relays the agent into the bot's own conversation.
    #[default]
    Relay,
    /// The widget opens a conversation on a Direct Line-style hub.
    Bridge,
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
/// (`from.role == "user"`) never signal anything.
pub fn signal(activity: &Activity) -> Option<Signal> {
    let from_user = activity.from.as_ref().and_then(|f| f.role.as_deref()) == Some("user");
    if from_user {
        return None;
    }
    let value = activity.value.as_ref();
    match (activity.kind.as_str(), activity.name.as_deref()) {
        ("event", Some("handoff.initiate")) => Some(Signal::Initiate),
        ("event", Some("handoff.queue")) => Some(Signal::Queue {
            position: value.and_then(|v| number(v, "position")),
            wait_secs: value.and_then(|v| number(v, "estimatedWaitSeconds")),
        }),
        ("event", Some("handoff.status")) => {
            let state = value.and_then(|v| v.get("state")).and_then(Value::as_str)?;
            let agent = value.and_then(|v| agent_in(v.get("agent")?));
            match state {
                "accepted" => Some(Signal::Accepted(agent.unwrap_or_else(|| Agent {
                    id: String::new(),
                    name: String::new(),
                }))),
                "completed" => Some(Signal::Completed(agent)),
                "failed" => Some(Signal::Failed(
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
