//! The developer commands (`/burst N [cards|markdown]`, `/echo TEXT`) and the global
//! variables (Copilot Studio's "external sources" variables) the bot keeps, merges and lists.
//! Pure functions.

use std::collections::BTreeMap;

use handoff_core::activity::Attachment;
use serde_json::Value;

use super::actions::listed;
use super::cards;

/// The developer command that makes the bot send many messages at once.
pub const BURST_COMMAND: &str = "/burst";
/// Largest N `/burst N` accepts.
pub const BURST_MAX: u32 = 10_000;
/// Reply to `/burst` with a missing or out-of-range count or an unknown kind.
pub const BURST_USAGE_TEXT: &str = "Usage: /burst N [cards|markdown], with N from 1 to 10000. \
I then send N numbered messages at once: plain text, one hero card each, or markdown.";
/// The developer command listing the global variables.
pub const CONTEXT_COMMAND: &str = "/context";
/// The visitor question listing the global variables (compared lower-cased).
pub const CONTEXT_QUESTION: &str = "what do you know about me";
/// Reply to [`CONTEXT_QUESTION`] when no variable is set.
pub const NO_CONTEXT_TEXT: &str = "I know nothing about you yet.";

/// A developer command typed as a message (not a question for the bot).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DevCommand {
    /// `/burst N [kind]`: N numbered messages of that kind in one go.
    Burst(u32, BurstKind),
    /// `/burst` with a missing, malformed or out-of-range count, or an unknown kind.
    BurstUsage,
    /// `/echo TEXT`: one reply `echo: TEXT` (the soak test's deterministic exchange).
    Echo,
}

/// What each message of a burst carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BurstKind {
    /// `/burst N`: plain text ([`burst_text`]).
    Plain,
    /// `/burst N cards`: one hero card and no text ([`burst_card`]).
    Cards,
    /// `/burst N markdown`: a short markdown text ([`burst_markdown`]).
    Markdown,
}

/// The soak test's command: the bot answers `echo: <rest>`.
pub const ECHO_COMMAND: &str = "/echo ";

/// The developer command in `text`, if it is one. `/burst` must be the whole first word
/// ("/bursty" is an ordinary message).
pub fn dev_command(text: &str) -> Option<DevCommand> {
    if text.trim_start().starts_with(ECHO_COMMAND) {
        return Some(DevCommand::Echo);
    }
    let rest = text.trim().strip_prefix(BURST_COMMAND)?;
    if rest.chars().next().is_some_and(|c| !c.is_whitespace()) {
        return None;
    }
    let mut words = rest.split_whitespace();
    let count = words.next().and_then(|n| n.parse::<u32>().ok());
    let kind = match words.next() {
        None => Some(BurstKind::Plain),
        Some("cards") => Some(BurstKind::Cards),
        Some("markdown") => Some(BurstKind::Markdown),
        Some(_) => None,
    };
    match (count, kind, words.next()) {
        (Some(n), Some(kind), None) if (1..=BURST_MAX).contains(&n) => {
            Some(DevCommand::Burst(n, kind))
        }
        _ => Some(DevCommand::BurstUsage),
    }
}

/// Text of the `index`-th message (1-based) of a `/burst count`.
pub fn burst_text(index: u32, count: u32) -> String {
    format!("Burst message {index} of {count}")
}

/// Text of the `index`-th message of a `/burst count markdown`: a heading, bold, a link, a
/// list and a small table, so each message goes through the rich module's markdown.
pub fn burst_markdown(index: u32, count: u32) -> String {
    format!(
        "### Markdown burst {index} of {count}\n\n\
**Bold** text and a [link](https://example.com/docs/{index}).\n\n\
- first item\n- second item\n\n\
| Item | Qty |\n|:--|--:|\n| Coffee | {index} |\n| Cake | {count} |"
    )
}

/// The card of the `index`-th message of a `/burst count cards`: the demo hero card titled
/// `Card burst INDEX of COUNT`.
pub fn burst_card(origin: &str, index: u32, count: u32) -> Attachment {
    let mut card = cards::hero(origin);
    if let Some(content) = card.content.as_mut() {
        content["title"] = format!("Card burst {index} of {count}").into();
    }
    card
}

/// Whether `text` asks the bot what it knows (its global variables).
pub fn is_context_question(text: &str) -> bool {
    let text = text.trim();
    text == CONTEXT_COMMAND
        || text
            .trim_end_matches(['?', '.', '!'])
            .trim_end()
            .to_lowercase()
            == CONTEXT_QUESTION
}

/// Merges a flat object of variables into `variables`: later keys win, `null` or `""`
/// removes a key, nested objects and arrays are ignored (Copilot Studio global variables
/// are scalars). Anything but an object changes nothing.
pub fn merge_variables(variables: &mut BTreeMap<String, Value>, value: Option<&Value>) {
    let Some(Value::Object(object)) = value else {
        return;
    };
    for (key, value) in object {
        match value {
            Value::Null => {
                variables.remove(key);
            }
            Value::String(s) if s.trim().is_empty() => {
                variables.remove(key);
            }
            Value::String(s) => {
                variables.insert(key.clone(), Value::String(s.trim().to_owned()));
            }
            Value::Bool(_) | Value::Number(_) => {
                variables.insert(key.clone(), value.clone());
            }
            Value::Array(_) | Value::Object(_) => {}
        }
    }
}

/// The answer listing the variables: `I know: a = 1, b = x` in key order.
pub fn context_text(variables: &BTreeMap<String, Value>) -> String {
    if variables.is_empty() {
        return NO_CONTEXT_TEXT.to_owned();
    }
    format!("I know: {}", listed(variables))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn burst_kinds_follow_the_count() {
        for (text, kind) in [
            ("/burst 50 cards", BurstKind::Cards),
            (" /burst\t50   cards ", BurstKind::Cards),
            ("/burst 50 markdown", BurstKind::Markdown),
        ] {
            assert_eq!(
                dev_command(text),
                Some(DevCommand::Burst(50, kind)),
                "{text}"
            );
        }
        assert_eq!(
            dev_command("/burst 10000 markdown"),
            Some(DevCommand::Burst(BURST_MAX, BurstKind::Markdown))
        );
        assert_eq!(dev_command("/bursty 3 cards"), None);
    }

    #[test]
    fn burst_markdown_is_numbered_and_uses_each_construct() {
        let text = burst_markdown(7, 200);
        assert!(text.starts_with("### Markdown burst 7 of 200\n"), "{text}");
        for part in ["**Bold**", "](https://", "\n- ", "|:--|", "| Coffee | 7 |"] {
            assert!(text.contains(part), "{part} in {text:?}");
        }
    }
}
