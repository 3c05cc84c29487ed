//! The demo bot's rich-content phrases: which phrase asks for which [`Demo`], and the
//! message each sends (markdown, citations, cards, a carousel, an Adaptive Card form, a
//! sign-in card, suggested actions, a file, an image, an attachment without text), in the
//! shapes of `../shared/RICH-CONTENT.md`. Livestreams are in `bot/livestream.rs`, the cards'
//! content in `bot/cards.rs`, the answers to what the visitor posts back in
//! `bot/actions.rs`. Pure: `origin` (this server's `http://host:port`) comes in.

use handoff_core::activity::{Activity, Attachment};
use serde_json::{json, Value};

use super::{cards, hostile, Context};
use crate::rich::{im_back, suggested_actions};

/// A rich-content demo the visitor can ask for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Demo {
    Help,
    Markdown,
    Citations,
    LegacyCitations,
    Hero,
    Thumbnail,
    Receipt,
    Carousel,
    Form,
    SignIn,
    Stream,
    StreamDeltas,
    Choices,
    File,
    Image,
    AttachmentOnly,
    Hostile,
}

/// The phrases, compared with the whole message lower-cased (trailing `.?!` ignored); the
/// help text lists the first phrase of each.
const PHRASES: &[(&str, Demo)] = &[
    ("help", Demo::Help),
    ("what can you show me", Demo::Help),
    ("markdown", Demo::Markdown),
    ("citations", Demo::Citations),
    ("legacy citations", Demo::LegacyCitations),
    ("show me cards", Demo::Hero),
    ("hero card", Demo::Hero),
    ("thumbnail card", Demo::Thumbnail),
    ("receipt", Demo::Receipt),
    ("carousel", Demo::Carousel),
    ("form", Demo::Form),
    ("sign in", Demo::SignIn),
    ("stream a long answer", Demo::Stream),
    ("stream deltas", Demo::StreamDeltas),
    ("choices", Demo::Choices),
    ("file", Demo::File),
    ("image", Demo::Image),
    ("hostile content", Demo::Hostile),
];

/// Any message containing this (lower-cased) gets a card with no text: the case a client
/// must not drop.
pub const ATTACHMENT_ONLY: &str = "attachment only";

/// The demo `text` asks for, if any.
pub fn demo_phrase(text: &str) -> Option<Demo> {
    let lower = text.to_lowercase();
    if lower.contains(ATTACHMENT_ONLY) {
        return Some(Demo::AttachmentOnly);
    }
    let phrase = lower.trim().trim_end_matches(['?', '.', '!']).trim_end();
    PHRASES.iter().find(|(p, _)| *p == phrase).map(|(_, d)| *d)
}

impl Demo {
    /// Topic name in `va_Topics`.
    pub fn topic(self) -> String {
        format!("Demo: {self:?}")
    }
}

/// The help text: every phrase, as a markdown list.
pub fn help_text() -> String {
    let mut text =
        String::from("Besides opening hours, order status and password reset, I can show:\n\n");
    let mut listed: Vec<Demo> = Vec::new();
    for (phrase, demo) in PHRASES {
        if !listed.contains(demo) {
            listed.push(*demo);
            text.push_str(&format!("- *{phrase}*\n"));
        }
    }
    text.push_str(&format!("- any message with *{ATTACHMENT_ONLY}* in it\n"));
    text
}

/// The choices of a multiple-choice question as suggested actions: three imBack (posted
/// and shown as the visitor's message), a postBack (posted, not shown) and a messageBack
/// (posts `text` and `value`, shows `displayText`), for the visitor `to` only.
pub fn choices(to: &str) -> Value {
    suggested_actions(
        to,
        vec![
            im_back("Opening hours"),
            im_back("Order status"),
            im_back("What can you show me?"),
            json!({"type": "postBack", "title": "Call me back", "value": "call me back"}),
            json!({"type": "messageBack", "title": "Rate this chat", "text": "rate 5",
                   "displayText": "★★★★★", "value": {"rating": 5}}),
        ],
    )
}

/// Markdown (no `textFormat`, which clients read as markdown) with every construct a
/// renderer must handle, and raw HTML that must stay text.
pub const MARKDOWN_TEXT: &str = "# Markdown demo\n\n\
## Inline\n\n\
**Bold**, *italic*, ***both***, ~~struck through~~ and `inline code`. \
An autolink: https://example.com/docs and a [link to the Bot Framework docs](https://learn.microsoft.com/azure/bot-service/). \
This raw HTML must show as text: <b>html</b>\n\n\
### A list\n\n\
1. First\n\
2. Second\n   - nested *bullet*\n\
3. Third\n\n\
### A table\n\n\
| Drink | Size | Price |\n\
|:--|:-:|--:|\n\
| Espresso | S | €2.40 |\n\
| Flat white | L | €3.80 |\n\n\
```rust\nfn main() {\n    println!(\"Hello <world>\");\n}\n```\n\n\
> A quote, to finish.";

/// Where source [1] lives: real documentation, as a generative answer cites it (a link
/// the visitor may follow, never loaded by the widget).
const SOURCE_1: &str =
    "https://learn.microsoft.com/azure/bot-service/rest-api/bot-framework-rest-direct-line-3-0-receive-activities";
/// Where source [2] lives.
const SOURCE_2: &str =
    "https://learn.microsoft.com/azure/bot-service/rest-api/bot-framework-rest-direct-line-3-0-reconnect-to-conversation";

/// A generative answer as Copilot Studio sends it: `[n]` markers and reference definitions
/// (two URL sources and a `cite:` one without URL) in the markdown text.
pub fn citations_text() -> String {
    format!(
        "A Direct Line client keeps its conversation over a WebSocket stream[1] and \
         reconnects with the last watermark when the stream drops[2]. Tokens are refreshed \
         at half their lifetime[3].\n\n\
         [1]: {SOURCE_1} \"Receive activities from the bot\"\n\
         [2]: {SOURCE_2} \"Reconnect to a conversation\"\n\
         [3]: cite:1 \"Token lifetime Tokens expire after 30 minutes…\""
    )
}

/// The full text of the `cite:1` source (no URL: a client shows it in a dialog).
const CITE_TEXT: &str = "**Token lifetime.** Tokens expire after 30 minutes. A client \
refreshes its token at half its lifetime with `POST /v3/directline/tokens/refresh`.";

/// The `https://schema.org/Message` entity of [`citations_text`]: one Claim per reference
/// (`position` matches the `[n]`), the sensitivity label defined once as blank node `_:s1`.
pub fn citation_entity() -> Value {
    let url_claim = |position: &str, url: &str, name: &str| {
        json!({"@type": "Claim", "position": position, "@id": url,
               "appearance": {"@type": "DigitalDocument", "name": name, "url": url,
                              "abstract": format!("{name}, from the Bot Framework documentation.")}})
    };
    json!({
        "type": "https://schema.org/Message",
        "@context": "https://schema.org",
        "@id": "",
        "@type": "Message",
        "keywords": ["AIGeneratedContent"],
        "usageInfo": {"@id": "_:s1"},
        "citation": [
            url_claim("1", SOURCE_1, "Receive activities from the bot"),
            url_claim("2", SOURCE_2, "Reconnect to a conversation"),
            {"@type": "Claim", "position": "3", "@id": "_:c1",
             "appearance": {"@type": "DigitalDocument", "name": "Token lifetime",
                            "abstract": "Tokens expire after 30 minutes…", "text": CITE_TEXT,
                            "encodingFormat": "text/markdown",
                            "usageInfo": {"@id": "_:s1", "@type": "CreativeWork", "name": "Confidential"}}},
        ],
    })
}

/// The older form's text: `cite:` references only, resolved by root-level Claims.
pub const LEGACY_CITATIONS_TEXT: &str = "Tokens are refreshed at half their lifetime[1], \
and a dropped stream is resumed from the last watermark[2].\n\n\
[1]: cite:1 \"Token lifetime\"\n\
[2]: cite:2 \"Reconnecting\"";

/// The older form's entities: root-level `https://schema.org/Claim`s, by `@id`.
pub fn legacy_claims() -> Value {
    json!([
        {"type": "https://schema.org/Claim", "@id": "cite:1", "name": "Token lifetime", "text": CITE_TEXT},
        {"type": "https://schema.org/Claim", "@id": "cite:2", "name": "Reconnecting",
         "text": "After a drop, `GET /v3/directline/conversations/{id}?watermark=…` gives a new stream URL."},
    ])
}

/// The message a demo sends: `m` (the bot's empty message) filled in. `to` is the visitor.
pub fn demo_message(demo: Demo, mut m: Activity, ctx: Context<'_>, to: &str) -> Activity {
    let origin = ctx.origin;
    m.text = match demo {
        Demo::Help => Some(help_text()),
        Demo::Markdown => Some(MARKDOWN_TEXT.into()),
        Demo::Citations => Some(citations_text()),
        Demo::LegacyCitations => Some(LEGACY_CITATIONS_TEXT.into()),
        Demo::Hero => Some("Here is a hero card.".into()),
        Demo::Thumbnail => Some("Here is a thumbnail card.".into()),
        Demo::Receipt => Some("Here is your receipt.".into()),
        Demo::Carousel => Some("Today's menu:".into()),
        Demo::Form => Some("Please fill in this form.".into()),
        Demo::SignIn => Some("Sign in, then type the 6-digit code the sign-in page shows.".into()),
        Demo::Choices => Some("What would you like to do?".into()),
        Demo::File => Some("Here is our price list.".into()),
        Demo::Image => Some("Here is a picture.".into()),
        // The case a client must not drop: a card and nothing else.
        Demo::AttachmentOnly => None,
        Demo::Hostile => Some(hostile::text()),
        // Sent by `bot/livestream.rs`, never as one message.
        Demo::Stream | Demo::StreamDeltas => None,
    };
    m.attachments = match demo {
        Demo::Hero | Demo::AttachmentOnly => vec![cards::hero(origin)],
        Demo::Thumbnail => vec![cards::thumbnail(origin)],
        Demo::Receipt => vec![cards::receipt(origin)],
        Demo::Carousel => cards::carousel(origin),
        Demo::Form => vec![cards::form(origin)],
        Demo::SignIn => vec![cards::sign_in(origin, ctx.conversation_id)],
        Demo::File => vec![media("application/pdf", origin, "price-list.pdf")],
        Demo::Image => vec![media("image/png", origin, "card-2.png")],
        Demo::Hostile => hostile::attachments(),
        _ => Vec::new(),
    };
    match demo {
        Demo::Citations => m.entities = Some(json!([citation_entity()])),
        Demo::LegacyCitations => m.entities = Some(legacy_claims()),
        Demo::Carousel => m.attachment_layout = Some("carousel".into()),
        Demo::Choices => m.suggested_actions = Some(choices(to)),
        Demo::Hostile => m.suggested_actions = Some(hostile::actions(to)),
        _ => {}
    }
    m
}

/// A file this server serves under `/demo-assets/`.
fn media(content_type: &str, origin: &str, name: &str) -> Attachment {
    Attachment {
        content_type: content_type.into(),
        content_url: Some(format!("{origin}/demo-assets/{name}")),
        name: Some(name.into()),
        ..Attachment::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phrases_match_whole_messages_in_any_case() {
        assert_eq!(demo_phrase(" Show me CARDS! "), Some(Demo::Hero));
        assert_eq!(demo_phrase("What can you show me?"), Some(Demo::Help));
        assert_eq!(demo_phrase("legacy citations"), Some(Demo::LegacyCitations));
        assert_eq!(demo_phrase("a form please"), None);
        assert_eq!(demo_phrase("my file is late"), None);
        assert_eq!(
            demo_phrase("an Attachment Only, please"),
            Some(Demo::AttachmentOnly)
        );
    }
}
