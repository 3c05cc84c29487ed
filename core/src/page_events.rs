//! What the page hears about the chat (`HandoffChat.on(...)` and `handoff-chat:*` DOM
//! events): derived by comparing what the visitor saw before and after an update, so
//! the session itself needs no knowledge of the page API.

use std::collections::HashMap;

use serde_json::{json, Value};

use crate::handoff::Handoff;
use crate::i18n::Lang;
use crate::session::Phase;
use crate::transcript::{Author, Delivery, Entry};

/// The visible state compared between two updates.
pub struct Seen<'a> {
    pub phase: &'a Phase,
    pub handoff: &'a Handoff,
    pub entries: &'a [Entry],
}

/// The events between `before` and `after`, in the order they happened: messages first,
/// then the handoff and phase changes. Each is a name and its `detail` object.
pub fn changes(before: &Seen, after: &Seen, lang: Lang) -> Vec<(&'static str, Value)> {
    let mut events = Vec::new();
    // By key, so a long transcript costs one pass, not one search per entry.
    let known: HashMap<&str, Delivery> = before
        .entries
        .iter()
        .map(|e| (e.key.as_str(), e.delivery))
        .collect();
    for entry in after.entries {
        let old = known.get(entry.key.as_str());
        let name = match entry.author {
            Author::Bot | Author::Agent if old.is_none() => "message-received",
            Author::Visitor if entry.delivery == Delivery::Sent && old != Some(&Delivery::Sent) => {
                "message-sent"
            }
            _ => continue,
        };
        events.push((name, message(entry)));
    }
    match (before.handoff, after.handoff) {
        (Handoff::None, Handoff::Waiting { .. }) => events.push(("handoff-started", json!({}))),
        (Handoff::Engaged { agent }, now) if !matches!(now, Handoff::Engaged { .. }) => {
            events.push(("agent-left", json!({ "agent": agent.name })))
        }
        _ => {}
    }
    if let (old, Handoff::Engaged { agent }) = (before.handoff, after.handoff) {
        if !matches!(old, Handoff::Engaged { .. }) {
            events.push(("agent-joined", json!({ "agent": agent.name })));
        }
    }
    if before.phase != after.phase {
        match after.phase {
            Phase::Ended => events.push(("chat-ended", json!({}))),
            Phase::Failed(error) => events.push((
                "error",
                json!({ "message": error.visitor_message(lang), "detail": error.to_string() }),
            )),
            _ => {}
        }
    }
    events
}

fn message(entry: &Entry) -> Value {
    let author = match entry.author {
        Author::Visitor => "visitor",
        Author::Bot => "bot",
        Author::Agent => "agent",
        Author::System => "system",
    };
    json!({ "id": entry.id, "author": author, "sender": entry.sender, "text": entry.text,
            "timestamp": entry.timestamp })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ChatError;
    use crate::handoff::Agent;

    fn entry(key: &str, author: Author, delivery: Delivery) -> Entry {
        Entry {
            key: key.into(),
            id: Some(format!("c|{key}")),
            author,
            sender: if author == Author::Visitor {
                ""
            } else {
                "Demo Bot"
            }
            .into(),
            text: format!("text {key}"),
            timestamp: "2026-11-22T03:00:00.000Z".into(),
            delivery,
        }
    }

    fn names(before: Seen, after: Seen) -> Vec<&'static str> {
        changes(&before, &after, Lang::En)
            .into_iter()
            .map(|(n, _)| n)
            .collect()
    }

    #[test]
    fn new_bot_messages_and_delivered_visitor_messages_are_announced_once() {
        let sending = [entry("v1", Author::Visitor, Delivery::Sending)];
        let later = [
            entry("v1", Author::Visitor, Delivery::Sent),
            entry("b1", Author::Bot, Delivery::Received),
            entry("n1", Author::System, Delivery::Received),
        ];
        let (chatting, none) = (Phase::Chatting, Handoff::None);
        let seen = |entries| Seen {
            phase: &chatting,
            handoff: &none,
            entries,
        };
        assert_eq!(
            names(seen(&sending), seen(&later)),
            vec!["message-sent", "message-received"]
        );
        assert!(
            names(seen(&later), seen(&later)).is_empty(),
            "nothing twice"
        );
        let detail = &changes(&seen(&sending), &seen(&later), Lang::En)[1].1;
        assert_eq!(
            (&detail["author"], &detail["text"], &detail["sender"]),
            (&json!("bot"), &json!("text b1"), &json!("Demo Bot"))
        );
    }

    #[test]
    fn handoff_and_phase_changes_are_announced() {
        let chatting = Phase::Chatting;
        let alex = Handoff::Engaged {
            agent: Agent {
                id: "a1".into(),
                name: "Alex".into(),
            },
        };
        let waiting = Handoff::Waiting {
            position: None,
            wait_secs: None,
        };
        let state = |phase, handoff| Seen {
            phase,
            handoff,
            entries: &[],
        };
        assert_eq!(
            names(state(&chatting, &Handoff::None), state(&chatting, &waiting)),
            vec!["handoff-started"]
        );
        let joined = changes(
            &state(&chatting, &waiting),
            &state(&chatting, &alex),
            Lang::En,
        );
        assert_eq!(joined, vec![("agent-joined", json!({"agent": "Alex"}))]);
        assert_eq!(
            names(
                state(&chatting, &alex),
                state(&Phase::Ended, &Handoff::None)
            ),
            vec!["agent-left", "chat-ended"]
        );
        let failed = Phase::Failed(ChatError::Network("offline".into()));
        let error = changes(
            &state(&Phase::Connecting, &Handoff::None),
            &state(&failed, &Handoff::None),
            Lang::En,
        );
        assert_eq!(error[0].0, "error");
        assert!(error[0].1["message"].as_str().unwrap().contains("reach"));
    }
}
