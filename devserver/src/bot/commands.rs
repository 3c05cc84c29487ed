//! The developer commands (`/burst N`, `/echo TEXT`) and the global variables (Copilot
//! Studio's "external sources" variables) the bot keeps, merges and lists. Pure functions.

use std::collections::BTreeMap;

use serde_json::Value;

use super::actions::listed;

/// The developer command that makes the bot send many messages at once.
pub const BURST_COMMAND: &str = "/burst";
/// Largest N `/burst N` accepts.
pub const BURST_MAX: u32 = 10_000;
/// Reply to `/burst` with a missing or out-of-range count.
pub const BURST_USAGE_TEXT: &str =
    "Usage: /burst N, with N from 1 to 10000. I then send N numbered messages at once.";
/// The developer command listing the global variables.
pub const CONTEXT_COMMAND: &str = "/context";
/// The visitor question listing the global variables (compared lower-cased).
pub const CONTEXT_QUESTION: &str = "what do you know about me";
/// Reply to [`CONTEXT_QUESTION`] when no variable is set.
pub const NO_CONTEXT_TEXT: &str = "I know nothing about you yet.";

/// A developer command typed as a message (not a question for the bot).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DevCommand {
    /// `/burst N`: N numbered messages in one go.
    Burst(u32),
    /// `/burst` with a missing, malformed or out-of-range count.
    BurstUsage,
    /// `/echo TEXT`: one reply `echo: TEXT` (the soak test's deterministic exchange).
    Echo,
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
    match rest.trim().parse::<u32>() {
        Ok(n) if (1..=BURST_MAX).contains(&n) => Some(DevCommand::Burst(n)),
        _ => Some(DevCommand::BurstUsage),
    }
}

/// Text of the `index`-th message (1-based) of a `/burst count`.
pub fn burst_text(index: u32, count: u32) -> String {
    format!("Burst message {index} of {count}")
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
