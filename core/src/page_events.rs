//! What the page hears about the chat (`HandoffChat.on(...)` and `handoff-chat:*` DOM
//! events): derived by comparing what the visitor saw before and after an update, so
//! the session itself needs no knowledge of the page API.

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

/// One event: its name and its values, which the loader turns into the `detail` object:
/// `message-received` / `message-sent`: author, sender, text, id, timestamp;
/// `agent-joined` / `agent-left`: the agent's name; `error`: the visitor-facing message.
pub type PageEvent = (&'static str, Vec<String>);

/// The events between `before` and `after`, in the order they happened: messages first,
/// then the handoff and phase changes.
pub fn changes(before: &Seen<'_>, after: &Seen<'_>, lang: Lang) -> Vec<PageEvent> {
    let mut events = Vec::new();
    for (i, entry) in after.entries.iter().enumerate() {
        // The transcript only appends, so an entry seen before is at the same index.
        let old = before.entries.get(i).filter(|old| old.key == entry.key);
        let name = match entry.author {
            Author::Bot | Author::Agent if old.is_none() => "message-received",
            Author::Visitor
                if entry.delivery == Delivery::Sent
                    && old.is_none_or(|o| o.delivery != Delivery::Sent) =>
            {
                "message-sent"
            }
            _ => continue,
        };
        events.push((name, message(entry)));
    }
    let engaged = |h: &Handoff| match h {
        Handoff::Engaged { agent } => Some(agent.name.clone()),
        _ => None,
    };
    let (was, is) = (engaged(before.handoff), engaged(after.handoff));
    if matches!(
        (before.handoff, after.handoff),
        (Handoff::None, Handoff::Waiting { .. })
    ) {
        events.push(("handoff-started", Vec::new()));
    }
    if was.is_some() && is.is_none() {
        events.push(("agent-left", was.into_iter().collect()));
    } else if was.is_none() && is.is_some() {
        events.push(("agent-joined", is.into_iter().collect()));
    }
    if before.phase != after.phase {
        match after.phase {
            Phase::Ended => events.push(("chat-ended", Vec::new())),
            Phase::Failed(error) => events.push(("error", vec![error.visitor_message(lang)])),
            _ => {}
        }
    }
    events
}

fn message(entry: &Entry) -> Vec<String> {
    let author = match entry.author {
        Author::Visitor => "visitor",
        Author::Bot => "bot",
        Author::Agent => "agent",
        Author::System => "system",
    };
    vec![
        author.to_owned(),
        entry.sender.clone(),
        entry.text.clone(),
        entry.id.clone().unwrap_or_default(),
        entry.timestamp.clone(),
    ]
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

    fn names(before: Seen<'_>, after: Seen<'_>) -> Vec<&'static str> {
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
            detail,
            &[
                "bot",
                "Demo Bot",
                "text b1",
                "c|b1",
                "2026-11-22T03:00:00.000Z"
            ]
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
        assert_eq!(joined, vec![("agent-joined", vec!["Alex".to_owned()])]);
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
        assert!(error[0].1[0].contains("reach"));
    }
}
