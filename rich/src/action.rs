//! What a control does when clicked, and exactly what it posts back (RICH-CONTENT.md §3, §5).
//! Card actions, suggested actions and Adaptive Card submits all end as a [`Post`], which the
//! widget sends as a message activity with its own `from`, `locale` and clientActivityID.

use serde_json::{Map, Value};

/// What a control does.
#[derive(Debug, Clone, PartialEq)]
pub enum Action {
    /// Posts a message activity.
    Post(Post),
    /// Opens an allowed URL in a new tab (`popup`: a sign-in window, opened from the click).
    Open { url: String, popup: bool },
    /// Adaptive Card `Action.Submit`: the inputs of the card whose root has `data-card=card`
    /// are validated, then posted merged into `data` (see [`submit`]).
    Submit { card: String, data: Value },
    /// Shows (`Some(true)`), hides (`Some(false)`) or toggles (`None`) elements by id
    /// (`Action.ShowCard`, `Action.ToggleVisibility`).
    Toggle { targets: Vec<(String, Option<bool>)> },
    /// Opens a citation without a URL in the widget's dialog (its text is markdown).
    Cite { title: String, text: String },
    /// Scrolls the carousel with this id by `by` cards.
    Scroll { carousel: String, by: i32 },
}

/// A message activity to post, minus what the widget adds.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Post {
    pub text: Option<String>,
    pub text_format: Option<&'static str>,
    pub value: Option<Value>,
    /// `channelData` fields besides clientActivityID (`postBack`, `messageBack`).
    pub channel_data: Option<Map<String, Value>>,
    pub reply_to_id: Option<String>,
    /// What the transcript shows as the visitor's message; `None`: hidden (postBack,
    /// messageBack without `displayText`).
    pub display: Option<String>,
}

impl Post {
    /// The JSON the widget's core reads (`textFormat`, `channelData`, `replyToId`, `display`).
    pub fn to_json(&self) -> String {
        let mut o = Map::new();
        let mut put = |k: &str, v: Option<Value>| {
            if let Some(v) = v {
                o.insert(k.into(), v);
            }
        };
        put("text", self.text.clone().map(Value::String));
        put("textFormat", self.text_format.map(|f| Value::String(f.into())));
        put("value", self.value.clone());
        put("channelData", self.channel_data.clone().map(Value::Object));
        put("replyToId", self.reply_to_id.clone().map(Value::String));
        put("display", self.display.clone().map(Value::String));
        Value::Object(o).to_string()
    }
}

/// A Bot Framework card action (`{"type","title","value",...}`) as the [`Action`] its
/// control runs. `reply_to`: the card activity's id (set for card buttons, not for
/// suggested actions). None for a type the widget does not run or a refused URL.
// STUB: helper B implements.
pub fn card_action(_action: &Value, _reply_to: Option<&str>) -> Option<Action> {
    None
}

/// What an Adaptive Card `Action.Submit` posts: `data` merged with the card's input
/// values (`inputs`: id and value as a string, only inputs with a value).
// STUB: helper B implements.
pub fn submit(_data: &Value, _inputs: &[(String, String)], _reply_to: Option<&str>) -> Post {
    Post::default()
}
