//! Parts of rich activities that both the demo bot and the hub deal with: the suggested
//! actions and imBack buttons they send, and how a visitor's message was posted back by a
//! card action. Shapes as in
//! `../shared/RICH-CONTENT.md` §3 to §5. Pure; no state.

use handoff_core::activity::Activity;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

/// `suggestedActions` for one recipient: clients show them to `to` only (Spec A7710).
pub fn suggested_actions(to: &str, actions: Vec<Value>) -> Value {
    json!({"to": [to], "actions": actions})
}

/// An imBack button: a click posts `title` as the visitor's own message.
pub fn im_back(title: &str) -> Value {
    json!({"type": "imBack", "title": title, "value": title})
}

/// Which card action posted a visitor's message (RICH-CONTENT §3, §5).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum PostedBy {
    /// `channelData.postBack: true`: hidden from the transcript; `text` or `value` (an
    /// Adaptive Card submission's input values) carries the choice.
    PostBack,
    /// `channelData.messageBack`, or a `value` without the postBack flag: `text` and
    /// `value`, shown as its `displayText` if any.
    MessageBack,
}

/// How `activity` was posted, when a card action or suggested action sent it (`None`:
/// typed, or an imBack, which is indistinguishable from typing).
pub fn posted_by(activity: &Activity) -> Option<PostedBy> {
    let flag = |key: &str| activity.channel_data.as_ref().and_then(|d| d.get(key));
    if flag("postBack").and_then(Value::as_bool) == Some(true) {
        Some(PostedBy::PostBack)
    } else if flag("messageBack").is_some() || activity.value.as_ref().is_some_and(|v| !v.is_null())
    {
        Some(PostedBy::MessageBack)
    } else {
        None
    }
}

/// The `displayText` of a messageBack (what the visitor's transcript shows).
pub fn display_text(activity: &Activity) -> Option<&str> {
    activity
        .channel_data
        .as_ref()?
        .get("messageBack")?
        .get("displayText")?
        .as_str()
}
