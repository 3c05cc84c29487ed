//! The demo bot's hostile corpus ("hostile content"): markup, event handlers, script URLs
//! (`javascript:`, `vbscript:`, `data:text/html`, SVG) and right-to-left overrides in every
//! text, link, image, card and action field a renderer might trust, a card nested past any
//! sane depth, and a long text. A client must show all of it as text or leave it out: the
//! e2e test checks that nothing runs, nothing escapes the bubble and the chat goes on. Pure.

use handoff_core::activity::Attachment;
use serde_json::{json, Value};

/// What a script that ran would set (`window.__hcPwned`); the test reads it.
pub const PWNED: &str = "window.__hcPwned=1";

const SCRIPT_URLS: [&str; 4] = [
    "javascript:window.__hcPwned=1",
    "JaVaScRiPt:window.__hcPwned=1",
    "vbscript:msgbox(1)",
    "data:text/html,<script>window.__hcPwned=1</script>",
];

/// The markdown text: raw HTML, event handlers, script links and images, an RTL override.
pub fn text() -> String {
    let [js, mixed, vb, data] = SCRIPT_URLS;
    format!(
        "Hostile corpus.\n\n\
         <script>{PWNED}</script> <img src=x onerror=\"{PWNED}\"> <svg onload=\"{PWNED}\"></svg>\n\n\
         <style>*{{display:none !important}}</style> <a href=\"{js}\">raw link</a>\n\n\
         [script link]({js}) [mixed case]({mixed}) [vb]({vb}) [data]({data}) \
         ![image]({js}) ![svg](data:image/svg+xml,<svg onload=\"{PWNED}\"/>)\n\n\
         Right-to-left override: \u{202E}gpj.exe\u{202C} and CSS escape \\3c script\\3e.\n\n\
         {}",
        "long ".repeat(2_000)
    )
}

/// A hero card and an Adaptive Card with hostile values in every field.
pub fn attachments() -> Vec<Attachment> {
    let [js, _, vb, data] = SCRIPT_URLS;
    let markup = format!("<img src=x onerror=\"{PWNED}\">");
    let open = |url: &str| json!({"type": "openUrl", "title": markup, "value": url});
    let hero = json!({
        "title": markup, "subtitle": "<b>subtitle</b>", "text": format!("[x]({js})"),
        "images": [{"url": js, "alt": markup, "tap": open(js)}, {"url": data}],
        "buttons": [open(js), open(vb), open(data), {"type": "call", "title": "call", "value": js},
                    {"type": "signin", "title": "sign in", "value": js}],
        "tap": open(js),
    });
    // Nested as deep as JSON read back from `--state` allows (serde_json stops at 128
    // levels), past the depth the renderer draws; deeper cards are in rich/'s own tests.
    let mut deep = json!({"type": "TextBlock", "text": "deepest"});
    for _ in 0..40 {
        deep = json!({"type": "Container", "items": [deep]});
    }
    let adaptive = json!({
        "type": "AdaptiveCard", "version": "1.5",
        "body": [
            {"type": "TextBlock", "text": format!("{markup}<script>{PWNED}</script>")},
            {"type": "Image", "url": js, "altText": markup},
            {"type": "Image", "url": "data:image/svg+xml,<svg onload=\"window.__hcPwned=1\"/>"},
            {"type": "Input.Text", "id": "x\"><img src=x onerror=alert(1)>", "label": markup,
             "placeholder": markup, "regex": "(", "value": markup},
            {"type": "RichTextBlock", "inlines": [{"type": "TextRun", "text": markup}]},
            deep,
        ],
        "actions": [{"type": "Action.OpenUrl", "title": markup, "url": js},
                    {"type": "Action.Submit", "title": "Submit", "data": {"x": markup}}],
    });
    vec![
        attachment("application/vnd.microsoft.card.hero", hero),
        attachment("application/vnd.microsoft.card.adaptive", adaptive),
        Attachment {
            content_type: "application/pdf".into(),
            content_url: Some(js.into()),
            name: Some(markup),
            ..Attachment::default()
        },
    ]
}

/// Suggested actions with script URLs and markup titles.
pub fn actions(to: &str) -> Value {
    let [js, ..] = SCRIPT_URLS;
    json!({"to": [to], "actions": [
        {"type": "openUrl", "title": "<b>open</b>", "value": js},
        {"type": "imBack", "title": format!("<img src=x onerror=\"{PWNED}\">"), "value": "markup chip",
         "image": js},
    ]})
}

fn attachment(content_type: &str, content: Value) -> Attachment {
    Attachment {
        content_type: content_type.into(),
        content: Some(content),
        ..Attachment::default()
    }
}
