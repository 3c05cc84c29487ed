//! Suggested actions (RICH-CONTENT.md §3): the chips under the bot's last message. Whether
//! they are on offer (last activity, for this visitor by `to`, cleared on any post) is the
//! widget core's business; this only turns `suggestedActions` into buttons.

use serde_json::Value;

use crate::action::{card_action, label};
use crate::node::{el, Ctx, Rendered};

/// The suggested-action buttons of `activity` (empty when there are none). Each is
/// `button.hc-chip` with an optional `img.hc-chip__img`.
pub fn render(activity: &Value, ctx: &Ctx) -> Rendered {
    let mut out = Rendered::default();
    let sa = &activity["suggestedActions"];
    for a in sa["actions"].as_array().into_iter().flatten() {
        let Some(action) = card_action(a, None) else {
            continue;
        };
        let text = label(a);
        if text.is_empty() || !ctx.spend() {
            continue;
        }
        let id = out.action(action);
        let mut b = el("button")
            .attr("type", "button")
            .class("hc-chip")
            .attr("data-action", id);
        if let Some(src) = a["image"].as_str().and_then(crate::url::image) {
            if ctx.spend() {
                b = b.child(
                    el("img")
                        .class("hc-chip__img")
                        .attr("src", src)
                        .attr("alt", ""),
                );
            }
        }
        out.nodes.push(b.text(text).into());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::action::Action;
    use crate::strings::Lang;
    use serde_json::json;

    fn ctx() -> Ctx {
        Ctx::new("u1", Lang::En, Some("a1".into()), "m1")
    }

    fn activity(to: Value) -> Value {
        json!({"type":"message","suggestedActions":{"to":to,"actions":[
            {"type":"imBack","title":"Yes","value":"Yes","image":"javascript:alert(1)"},
            {"type":"messageBack","title":"Buy","text":"buy","displayText":"Buy it","value":{"sku":1}},
            {"type":"openUrl","title":"Bad","value":"javascript:alert(1)"},
            {"type":"imBack","value":"No"}
        ]}})
    }

    #[test]
    fn each_runnable_action_is_a_chip_without_reply_to() {
        let r = render(&activity(json!(["u1"])), &ctx());
        assert_eq!(
            r.html(),
            "<button type=\"button\" class=\"hc-chip\" data-action=\"0\">Yes</button>\
             <button type=\"button\" class=\"hc-chip\" data-action=\"1\">Buy</button>\
             <button type=\"button\" class=\"hc-chip\" data-action=\"2\">No</button>"
        );
        let Action::Post(p) = &r.actions[1] else {
            panic!()
        };
        assert_eq!(
            p.to_json(),
            json!({"text":"buy","value":{"sku":1},"channelData":{"messageBack":{"displayText":"Buy it"}},
                "display":"Buy it"})
            .to_string()
        );
        assert!(!r.html().contains("javascript"));
    }

    #[test]
    fn malformed_suggested_actions_render_nothing() {
        assert!(render(&json!({"suggestedActions":{"actions":"x"}}), &ctx())
            .nodes
            .is_empty());
        assert!(render(&json!(null), &ctx()).nodes.is_empty());
    }

    #[test]
    fn a_chip_shows_its_image() {
        let a = json!({"suggestedActions":{"actions":[
            {"type":"imBack","title":"Yes","value":"Yes","image":"https://x.example/y.png"}]}});
        assert_eq!(
            render(&a, &ctx()).html(),
            "<button type=\"button\" class=\"hc-chip\" data-action=\"0\">\
             <img class=\"hc-chip__img\" src=\"https://x.example/y.png\" alt=\"\"></img>Yes</button>"
        );
    }
}
