//! Direct Line 3.0 wire types (activities, activity sets, conversations, tokens, errors).
//!
//! Field names follow the Bot Framework Activity schema (camelCase on the wire). Reading is
//! liberal, as Microsoft's own client is, because Direct Line implementations differ: ids,
//! timestamps and watermarks may be strings or numbers, `expires_in` may be `expiresIn`, and
//! any field but `conversationId` may be missing. Writing is exact. With the
//! `preserve-unknown` feature (the dev server's), unknown fields are kept in `extra` so a
//! round trip never drops data a client sent; the widget leaves it off, because serde's
//! flatten machinery costs it kilobytes of wasm and it never forwards unknown fields.
//! Owns serialisation only: no I/O, no state.

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// `channelData` key carrying the id a client gives its own outgoing activity.
pub const CLIENT_ACTIVITY_ID: &str = "clientActivityID";

/// One Bot Framework activity (message, event, typing, endOfConversation, ...).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Activity {
    #[serde(rename = "type", default)]
    pub kind: String,
    #[serde(
        default,
        deserialize_with = "str_or_number",
        skip_serializing_if = "Option::is_none"
    )]
    pub id: Option<String>,
    #[serde(
        default,
        deserialize_with = "str_or_number",
        skip_serializing_if = "Option::is_none"
    )]
    pub timestamp: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub local_timestamp: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub channel_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from: Option<ChannelAccount>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub conversation: Option<ConversationAccount>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reply_to_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text_format: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub locale: Option<String>,
    /// Event name (`startConversation`, `handoff.initiate`, ...).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub channel_data: Option<Value>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub attachments: Vec<Attachment>,
    /// `carousel` or `list` (how several attachments are laid out).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attachment_layout: Option<String>,
    /// Citations, stream info and other entities (kept whole for the rich module).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub entities: Option<Value>,
    /// Buttons offered with the bot's last message.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub suggested_actions: Option<Value>,
    /// `endOfConversation` reason (`userCancelled`, `completedSuccessfully`, ...).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    /// Everything else the sender put on the activity, kept verbatim.
    #[cfg(feature = "preserve-unknown")]
    #[serde(flatten)]
    pub extra: serde_json::Map<String, Value>,
}

impl Activity {
    /// The `channelData.clientActivityID` a client stamped on its own activity, if any.
    pub fn client_activity_id(&self) -> Option<&str> {
        self.channel_data
            .as_ref()?
            .get(CLIENT_ACTIVITY_ID)?
            .as_str()
    }

    /// Sender id, or "" when the activity has no `from`.
    pub fn from_id(&self) -> &str {
        self.from.as_ref().map_or("", |f| f.id.as_str())
    }

    /// Whether this is an event activity with the given name.
    pub fn is_event(&self, name: &str) -> bool {
        self.kind == "event" && self.name.as_deref() == Some(name)
    }
}

/// Sender or recipient of an activity.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct ChannelAccount {
    #[serde(default)]
    pub id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<String>,
}

/// The conversation an activity belongs to.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct ConversationAccount {
    #[serde(default)]
    pub id: String,
}

/// An attachment (cards, files, or JSON payloads such as a handoff transcript).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Attachment {
    #[serde(default)]
    pub content_type: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub content_url: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub content: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
}

/// What the stream and `GET .../activities` deliver: activities after a watermark.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct ActivitySet {
    #[serde(default)]
    pub activities: Vec<Activity>,
    #[serde(
        default,
        deserialize_with = "str_or_number",
        skip_serializing_if = "Option::is_none"
    )]
    pub watermark: Option<String>,
}

/// Parses an activity set leniently: an activity that does not fit the schema is skipped
/// (and counted) instead of failing the whole set, so one bad activity never stalls a chat.
pub fn parse_activity_set(text: &str) -> Result<(ActivitySet, usize), serde_json::Error> {
    // Raw slices, not `Value`s: each activity is parsed from its own text, so a bad one is
    // dropped without a second (Value-based) deserializer in the wasm.
    #[derive(Deserialize)]
    struct Raw<'a> {
        #[serde(default, borrow)]
        activities: Vec<&'a serde_json::value::RawValue>,
        #[serde(default, deserialize_with = "str_or_number")]
        watermark: Option<String>,
    }
    // An empty body (200 or 204 with nothing) is an empty set.
    let text = if text.trim().is_empty() { "{}" } else { text };
    let raw: Raw<'_> = serde_json::from_str(text)?;
    let total = raw.activities.len();
    let activities: Vec<Activity> = raw
        .activities
        .iter()
        .filter_map(|v| serde_json::from_str(v.get()).ok())
        .collect();
    let skipped = total - activities.len();
    Ok((
        ActivitySet {
            activities,
            watermark: raw.watermark,
        },
        skipped,
    ))
}

/// Response of `POST /conversations` and `GET /conversations/{id}`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Conversation {
    #[serde(default)]
    pub conversation_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token: Option<String>,
    #[serde(
        default,
        rename = "expires_in",
        alias = "expiresIn",
        deserialize_with = "seconds",
        skip_serializing_if = "Option::is_none"
    )]
    pub expires_in: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stream_url: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reference_grammar_id: Option<String>,
}

/// Response of a token endpoint (`/tokens/generate`, `/tokens/refresh`, or a page's own
/// token URL such as Copilot Studio's, which uses the same shape).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TokenResponse {
    #[serde(default)]
    pub token: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub conversation_id: Option<String>,
    #[serde(
        default,
        rename = "expires_in",
        alias = "expiresIn",
        deserialize_with = "seconds",
        skip_serializing_if = "Option::is_none"
    )]
    pub expires_in: Option<u64>,
}

/// Response of `POST .../activities`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct ResourceResponse {
    #[serde(default)]
    pub id: String,
}

/// Parses a JSON answer; an empty body (a 204, or a 200 with nothing) reads as `{}`, so
/// every field takes its default.
pub fn parse_answer<T: serde::de::DeserializeOwned>(body: &str) -> serde_json::Result<T> {
    let body = if body.trim().is_empty() { "{}" } else { body };
    serde_json::from_str(body)
}

/// A string, or a number written as one (`watermark: 3`, `id: 42`); `null`, booleans,
/// arrays and objects read as absent. Goes through `Value`, whose parser the wasm already
/// has for `value` and `channelData`, so leniency adds almost no code.
fn str_or_number<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    Ok(match Value::deserialize(d)? {
        Value::String(s) => Some(s),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    })
}

/// Seconds as a number or a numeric string (`"1800"`); anything else reads as absent.
fn seconds<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<u64>, D::Error> {
    Ok(match Value::deserialize(d)? {
        Value::Number(n) => n.as_u64().or_else(|| n.as_f64().map(|f| f.max(0.0) as u64)),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    })
}

/// Direct Line error body: `{"error": {"code": "...", "message": "..."}}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ErrorResponse {
    pub error: ErrorBody,
}

/// The inner part of [`ErrorResponse`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ErrorBody {
    pub code: String,
    pub message: String,
}

impl ErrorResponse {
    /// Builds an error body with the given code and message.
    pub fn new(code: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            error: ErrorBody {
                code: code.into(),
                message: message.into(),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// A bot reply as the Direct Line service sends it (shape from the public docs).
    const BOT_MESSAGE: &str = r#"{
        "type": "message",
        "id": "CuvLPID4kDb|000000000000000004",
        "timestamp": "2016-11-16T22:24:18.8536315Z",
        "channelId": "directline",
        "from": {"id": "examplebot", "name": "Example Bot"},
        "conversation": {"id": "CuvLPID4kDb"},
        "text": "You said \"hello\"",
        "replyToId": "CuvLPID4kDb|000000000000000003",
        "suggestedActions": {"actions": []},
        "speak": "You said hello"
    }"#;

    #[test]
    fn bot_message_parses_and_unknown_fields_survive_with_preserve_unknown() {
        let activity: Activity = serde_json::from_str(BOT_MESSAGE).unwrap();
        assert_eq!(activity.kind, "message");
        assert_eq!(activity.from_id(), "examplebot");
        assert_eq!(activity.text.as_deref(), Some("You said \"hello\""));
        assert_eq!(
            activity.reply_to_id.as_deref(),
            Some("CuvLPID4kDb|000000000000000003")
        );
        #[cfg(feature = "preserve-unknown")]
        {
            assert!(activity.extra.contains_key("speak"));
            let back = serde_json::to_value(&activity).unwrap();
            let original: Value = serde_json::from_str(BOT_MESSAGE).unwrap();
            assert_eq!(back, original);
        }
    }

    #[test]
    fn activity_set_without_watermark_parses() {
        let set: ActivitySet = serde_json::from_str(r#"{"activities": []}"#).unwrap();
        assert!(set.activities.is_empty());
        assert_eq!(set.watermark, None);
        let keepalive: ActivitySet = serde_json::from_str("{}").unwrap();
        assert!(keepalive.activities.is_empty());
    }

    #[test]
    fn malformed_activities_are_skipped_not_fatal() {
        let text = r#"{"activities": [{"type": "message", "text": "ok", "id": "c|1"},
            {"type": 42}, "junk", {"type": "message", "from": "not an object"}], "watermark": "4"}"#;
        let (set, skipped) = parse_activity_set(text).unwrap();
        assert_eq!(set.activities.len(), 1);
        assert_eq!(skipped, 3);
        assert_eq!(set.watermark.as_deref(), Some("4"));
        assert!(parse_activity_set("not json").is_err());
    }

    #[test]
    fn conversation_uses_snake_case_expires_in() {
        let conv: Conversation = serde_json::from_value(json!({
            "conversationId": "abc123",
            "token": "RCurR_XV9ZA.cwA...",
            "expires_in": 1800,
            "streamUrl": "wss://directline.botframework.com/v3/directline/conversations/abc123/stream?t=RCurR_XV9ZA.cwA..."
        }))
        .unwrap();
        assert_eq!(conv.expires_in, Some(1800));
        assert!(conv.stream_url.unwrap().starts_with("wss://"));
    }

    #[test]
    fn client_activity_id_is_read_from_channel_data() {
        let activity: Activity = serde_json::from_value(json!({
            "type": "message", "text": "hi", "from": {"id": "dl_user", "role": "user"},
            "channelData": {"clientActivityID": "hc-1-abc"}
        }))
        .unwrap();
        assert_eq!(activity.client_activity_id(), Some("hc-1-abc"));
    }

    #[test]
    fn handoff_event_with_transcript_attachment_parses() {
        let activity: Activity = serde_json::from_value(json!({
            "type": "event", "name": "handoff.initiate",
            "value": {"va_Scope": "bot", "firstName": "Ada"},
            "attachments": [{"contentType": "application/json", "name": "Transcript",
                             "content": {"activities": [{"type": "message", "text": "hi"}]}}]
        }))
        .unwrap();
        assert!(activity.is_event("handoff.initiate"));
        assert_eq!(activity.attachments[0].name.as_deref(), Some("Transcript"));
    }

    #[test]
    fn error_body_matches_spec_shape() {
        let body =
            serde_json::to_value(ErrorResponse::new("TokenExpired", "Token expired")).unwrap();
        assert_eq!(
            body,
            json!({"error": {"code": "TokenExpired", "message": "Token expired"}})
        );
    }
}
