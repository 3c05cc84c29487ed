//! What the page hears about the chat (`HandoffChat.on(...)` and `handoff-chat:*` DOM
//! events): derived by comparing the session after each step with what the page heard
//! before, so the session itself needs no knowledge of the page API, and the page hears
//! of each change as it happens (not when the next animation frame draws it: a hidden tab
//! draws none).

use crate::handoff::Handoff;
use crate::i18n::Lang;
use crate::session::{Phase, Session};
use crate::transcript::{Author, Delivery, Entry};

/// One event: its name and its values, which the loader turns into the `detail` object:
/// `message-received` / `message-sent`: author, sender, text, id, timestamp;
/// `agent-joined` / `agent-left`: the agent's name; `error`: the visitor-facing message.
pub type PageEvent = (&'static str, Vec<String>);

/// What the page has heard of: the phase, the handoff and each entry's delivery (the
/// transcript only appends, so an entry keeps its index). Cheap to take after every step.
#[derive(Debug, Clone, PartialEq)]
pub struct Seen {
    phase: Phase,
    handoff: Handoff,
    deliveries: Vec<Delivery>,
}

impl Seen {
    pub fn new(phase: &Phase, handoff: &Handoff, entries: &[Entry]) -> Self {
        Self {
            phase: phase.clone(),
            handoff: handoff.clone(),
            deliveries: entries.iter().map(|e| e.delivery).collect(),
        }
    }

    pub fn of(session: &Session) -> Self {
        Self::new(
            &session.phase,
            &session.handoff,
            session.transcript.entries(),
        )
    }

    /// The events from this to `session`'s state.
    pub fn since(&self, session: &Session) -> Vec<PageEvent> {
        self.changes(
            &session.phase,
            &session.handoff,
            session.transcript.entries(),
            session.lang(),
        )
    }

    /// The events from this to the given state, in the order they happened: messages
    /// first, then the handoff and phase changes.
    pub fn changes(
        &self,
        phase: &Phase,
        handoff: &Handoff,
        entries: &[Entry],
        lang: Lang,
    ) -> Vec<PageEvent> {
        let mut events = Vec::new();
        for (i, entry) in entries.iter().enumerate() {
            let old = self.deliveries.get(i);
            let name = match entry.author {
                Author::Bot | Author::Agent if old.is_none() => "message-received",
                Author::Visitor
                    if entry.delivery == Delivery::Sent && old != Some(&Delivery::Sent) =>
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
        let (was, is) = (engaged(&self.handoff), engaged(handoff));
        if matches!(
            (&self.handoff, handoff),
            (Handoff::None, Handoff::Waiting { .. })
        ) {
            events.push(("handoff-started", Vec::new()));
        }
        if was.is_some() && is.is_none() {
            events.push(("agent-left", was.into_iter().collect()));
        } else if was.is_none() && is.is_some() {
            events.push(("agent-joined", is.into_iter().collect()));
        }
        if self.phase != *phase {
            match phase {
                Phase::Ended => events.push(("chat-ended", Vec::new())),
                Phase::Failed(error) => events.push(("error", vec![error.visitor_message(lang)])),
                _ => {}
            }
        }
        events
    }
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
            rich: None,
            suggested: false,
        }
    }

    /// A state: phase, handoff, entries.
    type State<'a> = (&'a Phase, &'a Handoff, &'a [Entry]);

    fn changes(before: State<'_>, after: State<'_>, lang: Lang) -> Vec<PageEvent> {
        Seen::new(before.0, before.1, before.2).changes(after.0, after.1, after.2, lang)
    }

    fn names(before: State<'_>, after: State<'_>) -> Vec<&'static str> {
        changes(before, after, Lang::En)
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
        fn seen<'a>((phase, handoff): (&'a Phase, &'a Handoff), entries: &'a [Entry]) -> State<'a> {
            (phase, handoff, entries)
        }
        let seen = |entries| seen((&chatting, &none), entries);
        assert_eq!(
            names(seen(&sending), seen(&later)),
            vec!["message-sent", "message-received"]
        );
        assert!(
            names(seen(&later), seen(&later)).is_empty(),
            "nothing twice"
        );
        let detail = &changes(seen(&sending), seen(&later), Lang::En)[1].1;
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
        let state = |phase, handoff| -> State<'_> { (phase, handoff, &[]) };
        assert_eq!(
            names(state(&chatting, &Handoff::None), state(&chatting, &waiting)),
            vec!["handoff-started"]
        );
        let joined = changes(
            state(&chatting, &waiting),
            state(&chatting, &alex),
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
            state(&Phase::Connecting, &Handoff::None),
            state(&failed, &Handoff::None),
            Lang::En,
        );
        assert_eq!(error[0].0, "error");
        assert!(error[0].1[0].contains("reach"));
    }
}
