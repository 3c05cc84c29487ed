//! What the visitor sees: transcript entries built from activities.
//!
//! [`classify`] decides which activities are visible (events, typing and empty messages are
//! not); [`Transcript::upsert`] merges an activity into the list so that the echo of the
//! visitor's own message updates its entry instead of adding a twin, and a replayed activity
//! (same id) is ignored. Text is kept as plain text: rendering it as HTML is never allowed.
//! A message is never dropped: one with only attachments shows what its first card is
//! called, else a notice. What needs more than text (markdown, cards, citations, suggested
//! actions) keeps its activity as JSON for the rich module ([`content`]); livestreamed
//! answers grow one entry ([`livestream`]).

mod content;
mod livestream;

pub use content::needs_rich;
pub use livestream::Piece;

use crate::activity::{Activity, Attachment};
use crate::handoff::{agent_of, from_visitor};
use crate::i18n::{Lang, Text};

/// Who wrote an entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Author {
    Visitor,
    Bot,
    /// A human agent (after a handoff).
    Agent,
    /// A notice from the widget itself ("Alex joined the chat").
    System,
}

/// Delivery state of the visitor's own messages (`Received` for everything else).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Delivery {
    /// Typed before the conversation was ready; waiting to be posted.
    Queued,
    /// Posted, echo not seen yet.
    Sending,
    /// The server echoed it back.
    Sent,
    /// Posting failed; the visitor can retry.
    Failed,
    /// Came from the other side.
    Received,
}

impl Delivery {
    /// Stable lowercase name (for `data-delivery` attributes and list keys).
    pub fn as_str(self) -> &'static str {
        match self {
            Delivery::Queued => "queued",
            Delivery::Sending => "sending",
            Delivery::Sent => "sent",
            Delivery::Failed => "failed",
            Delivery::Received => "received",
        }
    }
}

/// What kind of visible thing an activity is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Kind {
    /// A text message from the given author.
    Message(Author),
}

/// Decides whether (and how) an activity shows in the transcript. `user_id` is the
/// visitor's id on this conversation: their activities come back as echoes.
pub fn classify(activity: &Activity, user_id: &str) -> Option<Kind> {
    if activity.kind != "message" || content::hidden_post(activity) {
        return None;
    }
    if activity.text.as_deref().is_none_or(|t| t.trim().is_empty())
        && activity.attachments.is_empty()
    {
        return None;
    }
    let visitor = sent_by_visitor(activity, user_id);
    Some(Kind::Message(if visitor {
        Author::Visitor
    } else if agent_of(activity).is_some() {
        Author::Agent
    } else {
        Author::Bot
    }))
}

/// Whether the visitor sent `activity`: their role, or their own id (a service may echo
/// what they sent without a role).
pub fn sent_by_visitor(activity: &Activity, user_id: &str) -> bool {
    activity.from_id() == user_id || from_visitor(activity)
}

/// One line of the transcript.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// Stable key: the clientActivityID for the visitor's messages, else the activity id.
    pub key: String,
    /// Server id, once known.
    pub id: Option<String>,
    pub author: Author,
    /// Display name of the sender (empty for the visitor).
    pub sender: String,
    /// Plain text, never HTML: the message's own, else what its card is called, else a
    /// notice that it cannot be shown here.
    pub text: String,
    /// ISO 8601 time the message was sent or received.
    pub timestamp: String,
    pub delivery: Delivery,
    /// The activity as JSON when the rich module draws it; `text` shows until it loads.
    pub rich: Option<String>,
    /// Its suggested actions are on offer: it is the last message, and the visitor has
    /// neither posted nor clicked an action since.
    pub suggested: bool,
}

/// The ordered list of visible entries.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Transcript {
    entries: Vec<Entry>,
    /// Livestreams seen since the page loaded (history never replays them).
    streams: Vec<livestream::Stream>,
    /// The id the service knows the visitor by, when not the one the widget chose (a
    /// token names its own user): suggested actions `to` either are the visitor's.
    pub alias: Option<String>,
}

impl Transcript {
    /// A transcript read back from storage.
    pub fn from_entries(entries: Vec<Entry>) -> Self {
        Self {
            entries,
            streams: Vec::new(),
            alias: None,
        }
    }

    /// Entries in display order.
    pub fn entries(&self) -> &[Entry] {
        &self.entries
    }

    /// Adds the visitor's own message, before the server has seen it.
    pub fn push_local(&mut self, key: String, text: String, timestamp: String, delivery: Delivery) {
        self.entries.push(Entry {
            key,
            id: None,
            author: Author::Visitor,
            sender: String::new(),
            text,
            timestamp,
            delivery,
            rich: None,
            suggested: false,
        });
    }

    /// Adds a notice from the widget (agent joined, chat ended, ...).
    pub fn push_notice(&mut self, key: String, text: String, timestamp: String) {
        self.entries.push(Entry {
            key,
            id: None,
            author: Author::System,
            sender: String::new(),
            text,
            timestamp,
            delivery: Delivery::Received,
            rich: None,
            suggested: false,
        });
    }

    /// The entry whose suggested actions are on offer, if any.
    pub fn suggestions(&self) -> Option<&Entry> {
        self.entries.iter().find(|e| e.suggested)
    }

    /// Every id the visitor goes by.
    fn ids<'a>(&'a self, user_id: &'a str) -> Vec<&'a str> {
        let mut ids = vec![user_id];
        ids.extend(self.alias.as_deref());
        ids
    }

    /// Only the last message (notices aside) may offer suggested actions: a later message
    /// replaces them.
    fn offer_last_only(&mut self) {
        let last = self
            .entries
            .iter()
            .rposition(|e| e.author != Author::System);
        for (i, e) in self.entries.iter_mut().enumerate() {
            e.suggested &= Some(i) == last;
        }
    }

    /// The visitor posted or clicked an action: no suggested actions are on offer.
    pub fn drop_suggestions(&mut self) {
        self.entries.iter_mut().for_each(|e| e.suggested = false);
    }

    /// Changes the delivery state of the visitor's message with this key.
    /// A message already echoed stays `Sent` (the echo can overtake the POST response).
    pub fn set_delivery(&mut self, key: &str, delivery: Delivery) {
        if let Some(entry) = self.entries.iter_mut().find(|e| e.key == key) {
            if entry.delivery != Delivery::Sent {
                entry.delivery = delivery;
            }
        }
    }

    /// Merges a server activity. Returns true when the visible transcript changed.
    pub fn upsert(&mut self, activity: &Activity, user_id: &str, lang: Lang) -> bool {
        let Some(Kind::Message(author)) = classify(activity, user_id) else {
            return false;
        };
        let id = activity.id.clone();
        let text = activity.text.as_deref().unwrap_or_default();
        // A replay (after a reload, the link's seen set is new) shows once; servers that
        // reuse ids are told apart by the text.
        if id.is_some()
            && self
                .entries
                .iter()
                .any(|e| e.id == id && (e.text == text || text.is_empty()))
        {
            return false;
        }
        // Only the visitor's own echo confirms their message (a bot may repeat the id).
        let own = author == Author::Visitor;
        let client_id = activity.client_activity_id().filter(|_| own);
        if let Some(client_id) = client_id {
            if let Some(entry) = self.entries.iter_mut().find(|e| e.key == client_id) {
                entry.id = id;
                entry.delivery = Delivery::Sent;
                if let Some(ts) = &activity.timestamp {
                    entry.timestamp = ts.clone();
                }
                return true;
            }
        }
        let key = client_id
            .map(str::to_owned)
            .or_else(|| id.clone())
            .unwrap_or_else(|| format!("anon-{}", self.entries.len()));
        self.entries
            .push(entry_for(activity, key, author, &self.ids(user_id), lang));
        self.offer_last_only();
        true
    }
}

/// The entry showing `activity` (classified as written by `author`) under `key`.
fn entry_for(activity: &Activity, key: String, author: Author, ids: &[&str], lang: Lang) -> Entry {
    let text = activity.text.as_deref().unwrap_or_default();
    Entry {
        key,
        id: activity.id.clone(),
        sender: match author {
            Author::Visitor | Author::System => String::new(),
            Author::Agent => agent_of(activity).map(|a| a.name).unwrap_or_default(),
            Author::Bot => activity
                .from
                .as_ref()
                .and_then(|f| f.name.clone())
                .unwrap_or_default(),
        },
        author,
        text: match text.trim() {
            "" => summary(&activity.attachments).unwrap_or_else(|| lang.t(Text::CantShow).into()),
            _ => text.to_owned(),
        },
        timestamp: activity.timestamp.clone().unwrap_or_default(),
        delivery: if author == Author::Visitor {
            Delivery::Sent
        } else {
            Delivery::Received
        },
        rich: needs_rich(activity).then(|| serde_json::to_string(activity).unwrap_or_default()),
        suggested: author != Author::Visitor && content::has_suggestions(activity, ids),
    }
}

/// What a message with only attachments is called: the title, text or fallback text of
/// its first card that has one (an Adaptive Card's first text block), else a file name.
fn summary(attachments: &[Attachment]) -> Option<String> {
    let card = |c: &serde_json::Value| {
        ["title", "text", "fallbackText"]
            .iter()
            .find_map(|k| c[k].as_str())
            .or_else(|| c["body"][0]["text"].as_str())
            .filter(|t| !t.trim().is_empty())
            .map(str::to_owned)
    };
    let titled = attachments
        .iter()
        .find_map(|a| a.content.as_ref().and_then(card));
    titled.or_else(|| attachments.iter().find_map(|a| a.name.clone()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn activity(v: serde_json::Value) -> Activity {
        serde_json::from_value(v).unwrap()
    }

    fn bot(id: &str, text: &str) -> Activity {
        activity(json!({"type": "message", "id": id, "text": text,
                        "from": {"id": "bot", "name": "Demo Bot", "role": "bot"}}))
    }

    #[test]
    fn events_typing_and_empty_messages_are_hidden() {
        for hidden in [
            json!({"type": "event", "name": "handoff.initiate"}),
            json!({"type": "typing", "from": {"id": "bot"}}),
            json!({"type": "message", "text": "   ", "from": {"id": "bot"}}),
            json!({"type": "message", "from": {"id": "bot"}}),
        ] {
            assert_eq!(classify(&activity(hidden.clone()), "me"), None, "{hidden}");
        }
    }

    #[test]
    fn messages_are_attributed_by_sender() {
        assert_eq!(
            classify(&bot("1", "hi"), "me"),
            Some(Kind::Message(Author::Bot))
        );
        let mine = activity(json!({"type": "message", "text": "hi", "from": {"id": "me"}}));
        assert_eq!(classify(&mine, "me"), Some(Kind::Message(Author::Visitor)));
    }

    #[test]
    fn agent_messages_carry_the_agent_name() {
        let agent = activity(
            json!({"type": "message", "id": "c|9", "text": "Hi, I'm Alex",
            "from": {"id": "agent:a1", "name": "Alex", "role": "bot"},
            "channelData": {"handoff": {"agent": {"id": "a1", "name": "Alex"}}}}),
        );
        assert_eq!(classify(&agent, "me"), Some(Kind::Message(Author::Agent)));
        let mut t = Transcript::default();
        t.upsert(&agent, "me", Lang::En);
        assert_eq!(t.entries()[0].sender, "Alex");
        assert_eq!(t.entries()[0].delivery, Delivery::Received);
    }

    #[test]
    fn echo_updates_the_local_entry_instead_of_duplicating() {
        let mut t = Transcript::default();
        t.push_local(
            "c1".into(),
            "hello".into(),
            "2026-01-01T00:00:00Z".into(),
            Delivery::Sending,
        );
        let echo = activity(
            json!({"type": "message", "id": "conv|0000002", "text": "hello",
            "timestamp": "2026-01-01T00:00:01Z", "from": {"id": "me"},
            "channelData": {"clientActivityID": "c1"}}),
        );
        assert!(t.upsert(&echo, "me", Lang::En));
        assert!(
            !t.upsert(&echo, "me", Lang::En),
            "a replay of the echo changes nothing"
        );
        assert_eq!(t.entries().len(), 1);
        assert_eq!(t.entries()[0].delivery, Delivery::Sent);
        assert_eq!(t.entries()[0].id.as_deref(), Some("conv|0000002"));
    }

    #[test]
    fn replayed_bot_activity_is_ignored() {
        let mut t = Transcript::default();
        assert!(t.upsert(&bot("conv|1", "Hello Ada"), "me", Lang::En));
        assert!(!t.upsert(&bot("conv|1", "Hello Ada"), "me", Lang::En));
        assert_eq!(t.entries().len(), 1);
        assert_eq!(t.entries()[0].sender, "Demo Bot");
    }

    #[test]
    fn sent_is_not_downgraded_by_a_late_post_response() {
        let mut t = Transcript::default();
        t.push_local("c1".into(), "x".into(), String::new(), Delivery::Sending);
        t.set_delivery("c1", Delivery::Sent);
        t.set_delivery("c1", Delivery::Failed);
        assert_eq!(t.entries()[0].delivery, Delivery::Sent);
    }

    #[test]
    fn markup_stays_plain_text() {
        let mut t = Transcript::default();
        t.upsert(&bot("1", "<img src=x onerror=alert(1)>"), "me", Lang::En);
        assert_eq!(t.entries()[0].text, "<img src=x onerror=alert(1)>");
    }

    #[test]
    fn a_message_with_only_a_card_shows_what_the_card_is_called_or_a_notice() {
        let mut t = Transcript::default();
        let card = |id: &str, attachment: serde_json::Value| {
            activity(
                json!({"type": "message", "id": id, "from": {"id": "bot", "role": "bot"},
                            "attachments": [attachment]}),
            )
        };
        let hero = json!({"contentType": "application/vnd.microsoft.card.hero",
                          "content": {"title": "Laptop", "buttons": []}});
        let form = json!({"contentType": "application/vnd.microsoft.card.adaptive", "content":
            {"type": "AdaptiveCard", "body": [{"type": "TextBlock", "text": "Your details"}]}});
        let file = json!({"contentType": "application/pdf", "contentUrl": "https://a/x.pdf", "name": "x.pdf"});
        let odd = json!({"contentType": "application/x-unknown"});
        for (i, attachment) in [hero, form, file, odd].into_iter().enumerate() {
            assert!(t.upsert(&card(&format!("c|{i}"), attachment), "me", Lang::En));
        }
        let texts: Vec<&str> = t.entries().iter().map(|e| e.text.as_str()).collect();
        assert_eq!(
            texts,
            [
                "Laptop",
                "Your details",
                "x.pdf",
                "This message can't be shown here."
            ]
        );
        assert!(
            !t.upsert(&card("c|0", json!({})), "me", Lang::En),
            "a replay shows once"
        );
    }
}
