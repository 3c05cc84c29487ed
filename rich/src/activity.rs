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
