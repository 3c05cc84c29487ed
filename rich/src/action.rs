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
    Toggle {
        targets: Vec<(String, Option<bool>)>,
    },
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
        put(
            "textFormat",
            self.text_format.map(|f| Value::String(f.into())),
        );
        put("value", self.value.clone());
        put("channelData", self.channel_data.clone().map(Value::Object));
        put("replyToId", self.reply_to_id.clone().map(Value::String));
        put("display", self.display.clone().map(Value::String));
        // Straight into a Vec (infallible for a Value): not through fmt and io adapters.
        serde_json::to_string(&Value::Object(o)).unwrap_or_default()
    }
}

/// A string, number or boolean as text ("numbers as strings" both ways); None otherwise.
pub(crate) fn as_text(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// A non-empty string field.
pub(crate) fn str_of(v: &Value) -> Option<&str> {
    v.as_str().filter(|s| !s.is_empty())
}

/// The label of a card action button: messageBack → `title || displayText`, otherwise
/// `title || value`.
pub fn label(action: &Value) -> String {
    let title = str_of(&action["title"]);
    let rest = if is(action, "messageBack") {
        str_of(&action["displayText"]).map(str::to_owned)
    } else {
        as_text(&action["value"])
    };
    title.map(str::to_owned).or(rest).unwrap_or_default()
}

fn is(action: &Value, ty: &str) -> bool {
    action["type"]
        .as_str()
        .is_some_and(|t| t.eq_ignore_ascii_case(ty))
}

/// A visible plain-text message (imBack; an Adaptive Card submit with string data).
fn im_back(text: String) -> Action {
    Action::Post(Post {
        text: Some(text.clone()),
        text_format: Some("plain"),
        display: Some(text),
        ..Post::default()
    })
}

fn flag(key: &str, v: Value) -> Option<Map<String, Value>> {
    let mut m = Map::new();
    m.insert(key.into(), v);
    Some(m)
}

/// A Bot Framework card action (`{"type","title","value",...}`) as the [`Action`] its
/// control runs. `reply_to`: the card activity's id (set for card buttons, not for
/// suggested actions). None for a type the widget does not run or a refused URL.
pub fn card_action(action: &Value, reply_to: Option<&str>) -> Option<Action> {
    let ty = action["type"].as_str()?.to_ascii_lowercase();
    let value = &action["value"];
    let reply_to_id = reply_to.map(str::to_owned);
    let open = |url: Option<String>, popup| Some(Action::Open { url: url?, popup });
    let url = value.as_str().unwrap_or_default();
    match ty.as_str() {
        "imback" => as_text(value).filter(|t| !t.is_empty()).map(im_back),
        "postback" => {
            let (text, value) = match value {
                Value::String(s) => (Some(s.clone()), None),
                Value::Null => (None, None),
                v => (None, Some(v.clone())),
            };
            Some(Action::Post(Post {
                text,
                value,
                channel_data: flag("postBack", Value::Bool(true)),
                reply_to_id,
                ..Post::default()
            }))
        }
        "messageback" => {
            let display = str_of(&action["displayText"]).map(str::to_owned);
            let mut mb = Map::new();
            if let Some(d) = &display {
                mb.insert("displayText".into(), Value::String(d.clone()));
            }
            Some(Action::Post(Post {
                text: str_of(&action["text"]).map(str::to_owned),
                value: Some(value.clone()).filter(|v| !v.is_null()),
                channel_data: flag("messageBack", Value::Object(mb)),
                reply_to_id,
                display,
                ..Post::default()
            }))
        }
        "openurl" | "downloadfile" => open(crate::url::link(url), false),
        "playaudio" | "playvideo" => open(crate::url::media(url), false),
        "showimage" => open(crate::url::image(url), false),
        "call" => {
            // Bots send both "tel:+1…" and a bare number.
            let tel = if url.get(..4).is_some_and(|p| p.eq_ignore_ascii_case("tel:")) {
                url.to_owned()
            } else {
                ["tel:", url].concat()
            };
            open(crate::url::link(&tel), false)
        }
        "signin" => open(crate::url::link(url), true),
        _ => None,
    }
}

/// What an Adaptive Card `Action.Submit` runs once its card's inputs are valid (§5): string
/// `data` → an imBack of it; `data.__isBotFrameworkCardAction` → that card action; otherwise
/// a hidden postBack whose `value` is `data` (or `{}`) plus every input (`inputs`: id and
/// value as a string, only inputs with a value). None when the card action is refused.
pub fn submit(data: &Value, inputs: &[(String, String)], reply_to: Option<&str>) -> Option<Action> {
    if let Some(text) = str_of(data) {
        return Some(im_back(text.to_owned()));
    }
    if !matches!(
        data["__isBotFrameworkCardAction"],
        Value::Null | Value::Bool(false)
    ) {
        return card_action(data, reply_to);
    }
    let mut value = data.as_object().cloned().unwrap_or_default();
    for (id, v) in inputs {
        value.insert(id.clone(), Value::String(v.clone()));
    }
    Some(Action::Post(Post {
        value: Some(Value::Object(value)),
        channel_data: flag("postBack", Value::Bool(true)),
        reply_to_id: reply_to.map(str::to_owned),
        ..Post::default()
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn post(a: Option<Action>) -> String {
        match a {
            Some(Action::Post(p)) => p.to_json(),
            other => panic!("not a post: {other:?}"),
        }
    }

    #[test]
    fn im_back_posts_its_value_as_plain_shown_text_without_reply_to() {
        let a = json!({"type":"imBack","title":"Yes","value":"Yes","image":"https://x/y.png"});
        assert_eq!(
            post(card_action(&a, Some("act-1"))),
            json!({"text":"Yes","textFormat":"plain","display":"Yes"}).to_string()
        );
        assert_eq!(label(&a), "Yes");
        // Numbers as strings; no value → nothing to run.
        assert_eq!(
            post(card_action(&json!({"type":"imback","value":3}), None)),
            json!({"text":"3","textFormat":"plain","display":"3"}).to_string()
        );
        assert_eq!(
            card_action(&json!({"type":"imBack","title":"x"}), None),
            None
        );
    }

    #[test]
    fn post_back_is_hidden_and_carries_text_or_value_and_reply_to() {
        let a = json!({"type":"postBack","title":"Go","value":"go"});
        assert_eq!(
            post(card_action(&a, Some("act-1"))),
            json!({"channelData":{"postBack":true},"text":"go","replyToId":"act-1"}).to_string()
        );
        let a = json!({"type":"postBack","value":{"k":[1,2]}});
        assert_eq!(
            post(card_action(&a, None)),
            json!({"channelData":{"postBack":true},"value":{"k":[1,2]}}).to_string()
        );
        assert_eq!(label(&json!({"type":"postBack","value":7})), "7");
    }

    #[test]
    fn message_back_is_shown_only_with_display_text() {
        let a = json!({"type":"messageBack","title":"Buy","text":"buy","displayText":"Buy it","value":{"sku":1}});
        assert_eq!(
            post(card_action(&a, Some("act-1"))),
            json!({"text":"buy","value":{"sku":1},
                "channelData":{"messageBack":{"displayText":"Buy it"}},
                "replyToId":"act-1","display":"Buy it"})
            .to_string()
        );
        assert_eq!(label(&a), "Buy");
        let a = json!({"type":"messageBack","displayText":"Shown","value":1});
        assert_eq!(label(&a), "Shown");
        let a = json!({"type":"messageBack","text":"t"});
        assert_eq!(
            post(card_action(&a, None)),
            json!({"text":"t","channelData":{"messageBack":{}}}).to_string()
        );
    }

    #[test]
    fn refused_urls_open_nothing_and_unknown_types_do_nothing() {
        for ty in [
            "openUrl",
            "downloadFile",
            "playAudio",
            "playVideo",
            "showImage",
            "call",
            "signin",
        ] {
            let a = json!({"type": ty, "value": "javascript:alert(1)"});
            assert_eq!(card_action(&a, None), None, "{ty}");
        }
        assert_eq!(
            card_action(&json!({"type":"invoke","value":{}}), None),
            None
        );
        assert_eq!(card_action(&json!({"value":"x"}), None), None);
        assert_eq!(card_action(&json!("imBack"), None), None);
    }

    #[test]
    fn urls_open_and_sign_in_opens_a_popup() {
        let open = |a: Value| card_action(&a, None);
        assert_eq!(
            open(json!({"type":"openUrl","value":"https://a.example/x"})),
            Some(Action::Open {
                url: "https://a.example/x".into(),
                popup: false
            })
        );
        assert_eq!(
            open(json!({"type":"call","value":"+15551234"})),
            Some(Action::Open {
                url: "tel:+15551234".into(),
                popup: false
            })
        );
        assert_eq!(
            open(json!({"type":"call","value":"TEL:+1"})),
            Some(Action::Open {
                url: "TEL:+1".into(),
                popup: false
            })
        );
        assert_eq!(
            open(json!({"type":"signin","value":"https://token.botframework.com/x"})),
            Some(Action::Open {
                url: "https://token.botframework.com/x".into(),
                popup: true
            })
        );
    }

    #[test]
    fn submit_merges_inputs_into_data_as_a_hidden_post_back() {
        let data = json!({"actionSubmitId":"Submit"});
        let inputs = [("name", "Ann"), ("dob", "2025-01-31"), ("agree", "true")]
            .map(|(a, b)| (a.to_owned(), b.to_owned()));
        assert_eq!(
            post(submit(&data, &inputs, Some("<card activity id>"))),
            json!({"type":"message","channelData":{"postBack":true},"replyToId":"<card activity id>",
                "value":{"actionSubmitId":"Submit","name":"Ann","dob":"2025-01-31","agree":"true"}})
            .as_object()
            .map(|o| {
                let mut o = o.clone();
                o.remove("type"); // the widget adds type, from, locale, clientActivityID
                Value::Object(o).to_string()
            })
            .unwrap()
        );
        // No data: `{}` plus the inputs; msteams and other keys are kept.
        assert_eq!(
            post(submit(&Value::Null, &inputs[..1], None)),
            json!({"channelData":{"postBack":true},"value":{"name":"Ann"}}).to_string()
        );
        let data = json!({"msteams":{"type":"messageBack"},"x":1});
        assert_eq!(
            post(submit(&data, &[], None)),
            json!({"channelData":{"postBack":true},"value":{"msteams":{"type":"messageBack"},"x":1}})
                .to_string()
        );
    }

    #[test]
    fn submit_with_string_data_or_a_card_action_runs_that() {
        assert_eq!(
            post(submit(&json!("hi"), &[], Some("a"))),
            json!({"text":"hi","textFormat":"plain","display":"hi"}).to_string()
        );
        let data = json!({"__isBotFrameworkCardAction":true,"type":"postBack","value":"p"});
        assert_eq!(
            post(submit(&data, &[], Some("a"))),
            json!({"channelData":{"postBack":true},"text":"p","replyToId":"a"}).to_string()
        );
        let data =
            json!({"__isBotFrameworkCardAction":true,"type":"openUrl","value":"javascript:x"});
        assert_eq!(submit(&data, &[], None), None);
    }
}
