//! One activity's rich rendering: its text (markdown unless `textFormat` says otherwise,
//! RICH-CONTENT.md §1), the source list of its citations (§2), then its attachments.

use serde_json::Value;

use crate::node::{el, Ctx, Rendered};
use crate::{cards, citations, markdown};

/// Everything shown inside the message bubble of `activity`.
pub fn render(activity: &Value, ctx: &Ctx) -> Rendered {
    let mut out = Rendered::default();
    let cites = citations::from_activity(activity);
    let text = match activity.get("text") {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Number(n)) => n.to_string(),
        _ => String::new(),
    };
    if !text.trim().is_empty() {
        // Web Chat treats a missing format as markdown; `plain`, `xml` and unknown ones as text.
        let markdown = activity
            .get("textFormat")
            .and_then(Value::as_str)
            .is_none_or(|f| f.trim().eq_ignore_ascii_case("markdown"));
        if markdown {
            let wrap = ctx.spend();
            let kids = markdown::render_with(&text, ctx, &mut out, &cites);
            if wrap {
                out.nodes.push(el("div").class("hc-md").kids(kids).into());
            } else {
                out.nodes.extend(kids);
            }
        } else if ctx.spend() {
            out.nodes.push(el("p").class("hc-plain").text(text).into());
        } else {
            out.nodes.push(crate::node::text(text));
        }
    }
    if let Some(list) = citations::sources(&cites, ctx, &mut out) {
        out.nodes.push(list);
    }
    if let Some(attachments) = cards::attachments(activity, ctx, &mut out) {
        out.nodes.push(attachments);
    }
    out
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::action::Action;
    use crate::strings::Lang;

    fn html(activity: Value) -> String {
        render(&activity, &Ctx::new("u", Lang::En, None, "p")).html()
    }

    #[test]
    fn text_formats() {
        assert_eq!(
            html(json!({"text": "**b**"})),
            "<div class=\"hc-md\"><p><strong>b</strong></p></div>"
        );
        assert_eq!(
            html(json!({"text": "**b**", "textFormat": " MarkDown"})),
            "<div class=\"hc-md\"><p><strong>b</strong></p></div>"
        );
        for f in ["plain", "xml", "Plain", "other"] {
            assert_eq!(
                html(json!({"text": "**<b>**", "textFormat": f})),
                "<p class=\"hc-plain\">**&lt;b&gt;**</p>"
            );
        }
        assert_eq!(
            html(json!({"text": 42, "textFormat": 3})),
            "<div class=\"hc-md\"><p>42</p></div>"
        );
        for a in [
            json!({}),
            json!({"text": "  \n"}),
            json!({"text": null}),
            json!([1]),
        ] {
            assert_eq!(html(a), "");
        }
    }

    /// RICH-CONTENT.md §2's example, as written there.
    #[test]
    fn the_spec_citation_example() {
        let activity = json!({
            "type": "message",
            "text": "…override the proxy settings[1][2], when it requires authentication[3].\n\n[1]: https://support.microsoft.com/… \"Use a proxy server in Windows\"\n[3]: cite:1 \"Introduction Configuring proxy settings…\"",
            "entities": [
                {"type":"https://schema.org/Message","@context":"https://schema.org","@id":"","@type":"Message",
                 "keywords":["AIGeneratedContent"],"usageInfo":{"@id":"_:s1"},
                 "citation":[{"@type":"Claim","position":"1","@id":"https://…",
                   "appearance":{"@type":"DigitalDocument","name":"…","url":"https://…","abstract":"…","text":"…",
                     "encodingFormat":"text/markdown",
                     "usageInfo":{"@id":"_:s1","@type":"CreativeWork","name":"Confidential"}}}]},
                {"type":"https://schema.org/Claim","@id":"cite:1","name":"…","text":"…"}
            ]
        });
        let out = render(&activity, &Ctx::new("u", Lang::En, None, "p"));
        let h = out.html();
        assert!(h.starts_with("<div class=\"hc-md\"><p>…override the proxy settings<button type=\"button\" class=\"hc-cite\" aria-label=\"Source 1: …\" data-action=\"0\">1</button>[2], when it requires authentication<button type=\"button\" class=\"hc-cite\" aria-label=\"Source 3: …\" data-action=\"1\">3</button>.</p></div>"), "{h}");
        assert_eq!(
            out.actions[0],
            Action::Open {
                url: "https://…".into(),
                popup: false
            }
        );
        assert_eq!(
            out.actions[1],
            Action::Cite {
                title: "…".into(),
                text: "…".into()
            }
        );
        assert!(h.ends_with("<ol><li><a href=\"https://…\" target=\"_blank\" rel=\"noopener noreferrer\">[1] …<span class=\"hc-badge\">Confidential</span><span class=\"hc-visually-hidden\"> (opens in a new tab)</span></a></li><li><button type=\"button\" data-action=\"2\">[3] …</button></li></ol></section>"), "{h}");
    }
}
