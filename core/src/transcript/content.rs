//! What an activity needs beyond plain text, and which messages are not bubbles.
//!
//! The widget's first download draws text only; the rich module (loaded on idle or on
//! first need) draws everything else from the activity's JSON. These checks decide which
//! entries keep that JSON, so plain sentences never cost a load or a second parse.

use serde_json::Value;

use crate::activity::Activity;

/// Characters that may change how markdown text reads (emphasis, links, lists, code,
/// tables, entities, autolinks, line structure).
const MARKDOWN: &[char] = &['*', '_', '`', '#', '[', '|', '~', '<', '&', '\n', '@'];

/// Whether the rich module must draw `activity`: markdown-looking text (a missing
/// `textFormat` is markdown), attachments, citation entities or suggested actions.
pub fn needs_rich(activity: &Activity) -> bool {
    let plain = activity
        .text_format
        .as_deref()
        .is_some_and(|f| f.eq_ignore_ascii_case("plain") || f.eq_ignore_ascii_case("xml"));
    let text = activity.text.as_deref().unwrap_or_default();
    let markdown =
        !plain && (text.contains(MARKDOWN) || text.contains("://") || text.contains("www."));
    let cites = activity
        .entities
        .as_ref()
        .and_then(Value::as_array)
        .is_some_and(|e| {
            e.iter()
                .any(|e| e["type"].as_str().is_some_and(|t| t.contains("schema.org")))
        });
    markdown || !activity.attachments.is_empty() || cites || has_suggestions(activity, &[])
}

/// Whether `activity` offers suggested actions to the visitor known by `ids` (to anyone,
/// for none): a non-empty `to` names who sees them (Spec A7710).
pub fn has_suggestions(activity: &Activity, ids: &[&str]) -> bool {
    let Some(offer) = activity.suggested_actions.as_ref() else {
        return false;
    };
    let to = offer["to"].as_array().filter(|to| !to.is_empty());
    offer["actions"].as_array().is_some_and(|a| !a.is_empty())
        && (ids.is_empty() || to.is_none_or(|to| to.iter().any(|t| ids.iter().any(|id| t == id))))
}

/// A postBack, or a messageBack without `displayText`: sent, never shown (as in Web Chat).
pub fn hidden_post(activity: &Activity) -> bool {
    let data = activity.channel_data.as_ref();
    let flag = |k: &str| data.and_then(|d| d.get(k));
    flag("postBack").is_some_and(|p| p == &Value::Bool(true))
        || flag("messageBack").is_some_and(|m| m["displayText"].as_str().is_none())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn activity(v: Value) -> Activity {
        serde_json::from_value(v).unwrap()
    }

    #[test]
    fn plain_sentences_stay_text_and_markdown_cards_citations_and_actions_go_rich() {
        let text = |t: &str| activity(json!({"type": "message", "text": t}));
        assert!(!needs_rich(&text("Hello, how can I help you today?")));
        for rich in [
            "**bold**",
            "see https://example.com",
            "a\n- b",
            "Q&amp;A",
            "x | y",
        ] {
            assert!(needs_rich(&text(rich)), "{rich}");
        }
        let plain =
            activity(json!({"type": "message", "text": "**as typed**", "textFormat": "Plain"}));
        assert!(!needs_rich(&plain), "plain text is never markdown");
        let card =
            activity(json!({"type": "message", "attachments": [{"contentType": "image/png"}]}));
        assert!(needs_rich(&card));
        let cited = activity(json!({"type": "message", "text": "Yes.", "entities": [
            {"type": "https://schema.org/Message", "@id": "", "citation": []}]}));
        assert!(needs_rich(&cited));
        let caps = activity(
            json!({"type": "message", "text": "Yes.", "entities": [{"type": "ClientCapabilities"}]}),
        );
        assert!(!needs_rich(&caps), "other entities need nothing");
        let choices = activity(json!({"type": "message", "text": "Pick one",
            "suggestedActions": {"actions": [{"type": "imBack", "title": "A", "value": "A"}]}}));
        assert!(needs_rich(&choices) && has_suggestions(&choices, &["me"]));
        let none = activity(
            json!({"type": "message", "text": "Pick", "suggestedActions": {"actions": []}}),
        );
        assert!(!has_suggestions(&none, &["me"]));
        let mine = |to: Value| {
            activity(json!({"type": "message", "text": "Pick",
                "suggestedActions": {"to": to, "actions": [{"type": "imBack", "value": "A"}]}}))
        };
        assert!(has_suggestions(&mine(json!(["x", "me"])), &["me"]));
        assert!(
            has_suggestions(&mine(json!([])), &["me"]),
            "an empty `to` is everyone"
        );
        assert!(!has_suggestions(&mine(json!(["someone else"])), &["me"]));
    }

    #[test]
    fn post_backs_and_message_backs_without_display_text_are_hidden() {
        let post = |cd: Value| activity(json!({"type": "message", "text": "x", "channelData": cd}));
        assert!(hidden_post(&post(json!({"postBack": true}))));
        assert!(hidden_post(&post(json!({"messageBack": {}}))));
        assert!(!hidden_post(&post(
            json!({"messageBack": {"displayText": "Buy it"}})
        )));
        assert!(!hidden_post(&post(json!({"clientActivityID": "c1"}))));
    }
}
