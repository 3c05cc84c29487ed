//! What the demo bot answers to what the visitor posts back from a card or from suggested
//! actions (`../shared/RICH-CONTENT.md` §3, §5): an Adaptive Card submission (a postBack
//! whose `value` is an object), a postBack carrying text, a messageBack; and the magic code
//! of the sign-in card (§8). Each answer says what arrived, so tests and the demo can see
//! that a hidden postBack reached the bot. Pure.

use handoff_core::activity::Activity;
use serde_json::Value;

use super::cards::SUBMIT_ID;
use crate::rich::{posted_by, PostedBy};

/// Reply to the right magic code.
pub const SIGNED_IN_TEXT: &str = "You are signed in.";
/// Reply to a 6-digit message that is not the magic code.
pub const WRONG_CODE_TEXT: &str =
    "That is not the code the sign-in page shows. Please type the 6 digits again.";

/// The answer to a message a card or suggested action posted back, if it is one.
pub fn posted_back_reply(incoming: &Activity) -> Option<String> {
    let text = incoming.text.as_deref().unwrap_or_default();
    let value = incoming.value.as_ref().filter(|v| !v.is_null());
    Some(match (posted_by(incoming)?, value) {
        (PostedBy::PostBack, Some(Value::Object(fields))) => {
            let values: Vec<_> = fields.iter().filter(|(k, _)| *k != SUBMIT_ID).collect();
            if values.is_empty() {
                "Thanks! The form had no values.".to_owned()
            } else {
                format!("Thanks! I got: {}", listed(values))
            }
        }
        (PostedBy::PostBack, Some(other)) => format!("I got a postBack: {}", plain(other)),
        (PostedBy::PostBack, None) => format!("I got a postBack: {text}"),
        (PostedBy::MessageBack, value) => {
            let value = match value {
                Some(Value::Object(fields)) => listed(fields),
                Some(other) => plain(other),
                None => "none".to_owned(),
            };
            format!("I got a messageBack: text = {text}; value: {value}")
        }
    })
}

/// `key = value` pairs joined with ", " (values as [`plain`]).
pub fn listed<'a>(pairs: impl IntoIterator<Item = (&'a String, &'a Value)>) -> String {
    let pairs: Vec<String> = pairs
        .into_iter()
        .map(|(key, value)| format!("{key} = {}", plain(value)))
        .collect();
    pairs.join(", ")
}

/// A value as a person reads it: strings without quotes, the rest as JSON.
pub fn plain(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// The 6-digit code the sign-in page of `conversation_id` shows. Derived from the id
/// (FNV-1a) rather than drawn, so the page and the pure bot agree without shared state;
/// anyone with the conversation id can read it, which is fine for a demo sign-in.
pub fn magic_code(conversation_id: &str) -> String {
    let hash = conversation_id
        .bytes()
        .fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
            (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
        });
    format!("{:06}", hash % 1_000_000)
}

/// Whether `text` looks like a magic code (exactly six digits).
pub fn is_code(text: &str) -> bool {
    text.len() == 6 && text.bytes().all(|b| b.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn magic_codes_are_six_digits_per_conversation() {
        let code = magic_code("conv-1");
        assert!(is_code(&code), "{code}");
        assert_eq!(code, magic_code("conv-1"));
        assert_ne!(code, magic_code("conv-2"));
        assert!(!is_code("12345") && !is_code("12345a") && !is_code("１２３４５６"));
    }
}
