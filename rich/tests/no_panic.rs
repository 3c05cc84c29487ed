//! Property tests (proptest): no activity and no markdown makes the rich module panic, and a
//! render never holds more than `node::MAX_NODES` elements. Inputs are built from the words
//! the renderers branch on (card and element types, content types, citation entities,
//! markdown syntax) and every field may take any JSON type instead.
#![cfg(not(target_arch = "wasm32"))]

use handoff_rich::node::{Ctx, Node, MAX_NODES};
use handoff_rich::strings::Lang;
use handoff_rich::{activity, markdown};
use proptest::collection::vec;
use proptest::prelude::*;
use proptest::sample::select;
use serde_json::{json, Map, Value};

/// Keys and values the renderers look for.
const WORDS: &[&str] = &[
    "type",
    "text",
    "textFormat",
    "attachments",
    "attachmentLayout",
    "carousel",
    "contentType",
    "content",
    "contentUrl",
    "name",
    "entities",
    "suggestedActions",
    "actions",
    "to",
    "title",
    "subtitle",
    "value",
    "url",
    "images",
    "buttons",
    "tap",
    "media",
    "body",
    "items",
    "columns",
    "rows",
    "cells",
    "facts",
    "inlines",
    "choices",
    "card",
    "selectAction",
    "data",
    "id",
    "isVisible",
    "targetElements",
    "placeholder",
    "style",
    "size",
    "weight",
    "altText",
    "fallback",
    "version",
    "imBack",
    "postBack",
    "messageBack",
    "openUrl",
    "signin",
    "call",
    "displayText",
    "citation",
    "appearance",
    "abstract",
    "position",
    "@id",
    "@type",
    "usageInfo",
    "AdaptiveCard",
    "TextBlock",
    "RichTextBlock",
    "TextRun",
    "Image",
    "ImageSet",
    "Container",
    "ColumnSet",
    "Column",
    "FactSet",
    "Table",
    "TableRow",
    "TableCell",
    "ActionSet",
    "Media",
    "Input.Text",
    "Input.Number",
    "Input.Date",
    "Input.Time",
    "Input.Toggle",
    "Input.ChoiceSet",
    "Action.Submit",
    "Action.OpenUrl",
    "Action.ShowCard",
    "Action.ToggleVisibility",
    "Action.Execute",
    "https://schema.org/Message",
    "https://schema.org/Claim",
    "Claim",
    "DigitalDocument",
    "cite:1",
    "markdown",
    "plain",
    "https://example.com/a.png",
    "javascript:alert(1)",
    "tel:123",
    "1",
    "true",
];

const CONTENT_TYPES: &[&str] = &[
    "application/vnd.microsoft.card.adaptive",
    "application/vnd.microsoft.card.hero",
    "application/vnd.microsoft.card.thumbnail",
    "application/vnd.microsoft.card.receipt",
    "application/vnd.microsoft.card.signin",
    "application/vnd.microsoft.card.oauth",
    "application/vnd.microsoft.card.animation",
    "application/vnd.microsoft.card.audio",
    "application/vnd.microsoft.card.video",
    "text/markdown",
    "text/plain",
    "image/png",
    "audio/mpeg",
    "video/mp4",
    "application/pdf",
];

/// Markdown and HTML that the parser treats specially.
const SYNTAX: &[&str] = &[
    "**",
    "*",
    "_",
    "`",
    "```\n",
    "~~",
    "# ",
    "> ",
    "- ",
    "1. ",
    "- [ ] ",
    "|",
    "|---|---|\n",
    "[",
    "]",
    "(",
    ")",
    "![",
    "[1]",
    "[1]: https://example.com \"t\"\n",
    "[2]: cite:1\n",
    "<b>",
    "</b>",
    "<script>",
    "&amp;",
    "\\",
    "\n",
    "\n\n",
    "    ",
    "https://example.com",
    "www.example.com",
    "a@b.example",
    "javascript:x",
    "<https://x.example>",
    "\u{0}",
    "é",
];

fn config(cases: u32) -> ProptestConfig {
    ProptestConfig {
        cases,
        // No regression files written into the source tree.
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

/// Text built from markdown syntax, words and anything else.
fn text() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        3 => select(SYNTAX).prop_map(str::to_owned),
        2 => select(WORDS).prop_map(str::to_owned),
        1 => "[a-z ]{0,8}",
        1 => any::<String>(),
    ];
    vec(piece, 0..24).prop_map(|pieces| pieces.concat())
}

fn key() -> impl Strategy<Value = String> {
    prop_oneof![4 => select(WORDS).prop_map(str::to_owned), 1 => "[a-zA-Z@.]{0,6}"]
}

/// Any JSON, leaning on the renderers' words, a few levels deep.
fn json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<f64>().prop_map(Value::from),
        select(WORDS).prop_map(Value::from),
        text().prop_map(Value::from),
    ];
    leaf.prop_recursive(6, 96, 8, |inner| {
        prop_oneof![
            vec(inner.clone(), 0..8).prop_map(Value::Array),
            vec((key(), inner), 0..8).prop_map(|kv| Value::Object(kv.into_iter().collect())),
        ]
    })
}

/// An attachment: a known content type (or anything) and nested content.
fn attachment() -> impl Strategy<Value = Value> {
    let kind = prop_oneof![
        4 => select(CONTENT_TYPES).prop_map(Value::from),
        1 => json(),
    ];
    (kind, json(), json(), json()).prop_map(|(kind, content, url, name)| {
        json!({"contentType": kind, "content": content, "contentUrl": url, "name": name})
    })
}

/// An activity: text, format, attachments, entities and suggested actions, each plausible
/// or of any type, among random other keys.
fn activity() -> impl Strategy<Value = Value> {
    let text = prop_oneof![3 => text().prop_map(Value::from), 1 => json()];
    let format = prop_oneof![
        select(&["markdown", "plain", "xml"][..]).prop_map(Value::from),
        json()
    ];
    let attachments = prop_oneof![3 => vec(attachment(), 0..4).prop_map(Value::from), 1 => json()];
    let entities = prop_oneof![
        (json(), json()).prop_map(|(citation, claim)| json!([
            {"type": "https://schema.org/Message", "citation": citation},
            {"type": "https://schema.org/Claim", "@id": "cite:1", "text": claim},
        ])),
        json(),
    ];
    let suggested = prop_oneof![
        json().prop_map(|actions| json!({"actions": actions})),
        json()
    ];
    let fields = (text, format, attachments, entities, suggested, json());
    (fields, vec(any::<bool>(), 6), vec((key(), json()), 0..3)).prop_map(
        |((a, b, c, d, e, f), present, rest)| {
            let mut map: Map<String, Value> = rest.into_iter().collect();
            let names = [
                "text",
                "textFormat",
                "attachments",
                "entities",
                "suggestedActions",
                "attachmentLayout",
            ];
            for ((name, value), keep) in names.into_iter().zip([a, b, c, d, e, f]).zip(present) {
                if keep {
                    map.insert(name.to_owned(), value);
                }
            }
            Value::Object(map)
        },
    )
}

/// Elements in a tree, walked without recursion.
fn elements(nodes: &[Node]) -> usize {
    let mut stack: Vec<&Node> = nodes.iter().collect();
    let mut n = 0;
    while let Some(node) = stack.pop() {
        if let Node::El(e) = node {
            n += 1;
            stack.extend(&e.kids);
        }
    }
    n
}

fn ctx() -> Ctx {
    Ctx::new("dl_visitor", Lang::En, Some("act-1".into()), "m1")
}

proptest! {
    #![proptest_config(config(256))]

    #[test]
    fn any_activity_renders_within_the_element_budget(
        activity in prop_oneof![
            4 => activity(),
            1 => json(),
            // Enough attachments to spend the whole budget.
            1 => (attachment(), 50..400usize)
                .prop_map(|(a, n)| json!({"attachments": vec![a; n]})),
        ]
    ) {
        let out = activity::render(&activity, &ctx());
        let n = elements(&out.nodes);
        prop_assert!(n <= MAX_NODES, "{} elements", n);
    }

    #[test]
    fn any_markdown_renders_within_the_element_budget(
        md in prop_oneof![
            3 => text(),
            1 => any::<String>(),
            // Enough markdown to spend the whole budget.
            1 => (text(), 100..1000usize).prop_map(|(t, n)| t.repeat(n)),
        ]
    ) {
        let mut out = Default::default();
        let nodes = markdown::render(&md, &ctx(), &mut out);
        let n = elements(&nodes) + elements(&out.nodes);
        prop_assert!(n <= MAX_NODES, "{} elements", n);
    }
}
