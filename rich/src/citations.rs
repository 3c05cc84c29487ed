//! Citations of generative answers (RICH-CONTENT.md §2): the claims an activity's entities
//! carry (the schema.org Message entity, or legacy root-level Claim entities), matched to the
//! markdown's `[n]` reference links, rendered as `[n]` buttons in the text and as the source
//! list under the bubble.

use std::cell::RefCell;

use serde_json::Value;

use crate::action::Action;
use crate::markdown::anchor;
use crate::node::{el, text, Ctx, Node, Rendered};
use crate::strings::S;
use crate::url;

/// Most citations kept (a bot sends a handful; a hostile one is cut short).
const MAX: usize = 100;

/// One source: a claim from the entities, a markdown reference definition, or both merged.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Cite {
    /// What the text shows: the claim's `position`, the definition's label. Empty: a legacy
    /// claim no definition has referred to yet (not listed).
    pub label: String,
    /// Claim `@id` (legacy claims are matched by it).
    id: String,
    pub title: Option<String>,
    /// An allowed link: the citation opens it.
    pub url: Option<String>,
    /// Markdown shown in the dialog when there is no URL.
    pub text: Option<String>,
    /// `usageInfo.name` (a sensitivity label such as "Confidential").
    pub badge: Option<String>,
    legacy: bool,
}

impl Cite {
    fn title(&self) -> String {
        self.title.clone().unwrap_or_else(|| self.label.clone())
    }

    /// What clicking it does: open its URL, else show its text in the dialog.
    fn action(&self) -> Action {
        match &self.url {
            Some(url) => Action::Open {
                url: url.clone(),
                popup: false,
            },
            None => Action::Cite {
                title: self.title(),
                text: self.text.clone().unwrap_or_default(),
            },
        }
    }
}

/// An activity's citations. Rendering the markdown adds the definitions it uses (interior
/// mutability: the markdown renderer only borrows it).
#[derive(Debug, Default)]
pub struct Citations {
    list: RefCell<Vec<Cite>>,
}

/// The citations in `activity.entities` (both forms; liberal about types and missing fields).
pub fn from_activity(activity: &Value) -> Citations {
    let mut list = Vec::new();
    for e in many(activity.get("entities")) {
        let ty = str_of(e.get("type")).unwrap_or_default();
        let at_type = str_of(e.get("@type")).unwrap_or_default();
        let schema = ty
            .get(..19)
            .is_some_and(|p| p.eq_ignore_ascii_case("https://schema.org/"));
        let id = e.get("@id").and_then(Value::as_str);
        if (schema && id == Some("")) || at_type == "Message" {
            let names = blank_nodes(e);
            let claims = many(e.get("citation")).iter().enumerate();
            for (i, c) in claims.filter(|(_, c)| c.is_object()) {
                let app = c.get("appearance");
                let field = |k: &str| str_of(app.and_then(|a| a.get(k)));
                list.push(Cite {
                    label: str_of(c.get("position")).unwrap_or_else(|| (i + 1).to_string()),
                    id: str_of(c.get("@id")).unwrap_or_default(),
                    title: str_of(c.get("name")).or_else(|| field("name")),
                    url: field("url").and_then(|u| url::link(&u)),
                    text: field("text").or_else(|| field("abstract")),
                    badge: app
                        .and_then(|a| a.get("usageInfo"))
                        .and_then(|u| str_of(u.get("name")).or_else(|| resolve(u, &names))),
                    legacy: false,
                });
            }
        } else if ty.ends_with("/Claim") || at_type == "Claim" {
            list.push(Cite {
                id: str_of(e.get("@id")).unwrap_or_default(),
                title: str_of(e.get("name")),
                text: str_of(e.get("text")),
                legacy: true,
                ..Cite::default()
            });
        }
    }
    list.truncate(MAX);
    Citations {
        list: RefCell::new(list),
    }
}

impl Citations {
    /// Merges a markdown reference definition `[label]: dest "title"` into the claim it
    /// names: by position, or (legacy) by `@id` == dest.
    pub(crate) fn define(&self, label: &str, dest: &str, title: &str) {
        let mut list = self.list.borrow_mut();
        let found = match list.iter().position(|c| !c.legacy && c.label == label) {
            Some(i) => Some(i),
            None => list
                .iter()
                .position(|c| c.legacy && c.label.is_empty() && c.id == dest),
        };
        if let Some(c) = found.and_then(|i| list.get_mut(i)) {
            c.label = label.to_owned();
            let title = (!title.is_empty()).then(|| title.to_owned());
            c.title = c.title.take().or_else(|| title.clone());
            c.text = c.text.take().or(title);
            c.url = c.url.take().or_else(|| url::link(dest));
        }
    }

    /// The citation a markdown link stands for, if it is one: a claim at this position, a
    /// legacy claim with this `@id`, a titled link to a scheme that is not a link (`cite:`),
    /// or a reference link to an allowed URL whose text is its own label (`[1]`, `own`).
    /// Registers it for the source list.
    pub(crate) fn link(&self, label: &str, dest: &str, title: &str, own: bool) -> Option<Cite> {
        let mut list = self.list.borrow_mut();
        let hit = list
            .iter()
            .position(|c| !label.is_empty() && c.label == label)
            .or_else(|| list.iter().position(|c| c.legacy && c.id == dest));
        if let Some(c) = hit.and_then(|i| list.get_mut(i)) {
            // A legacy claim takes the label of the first marker that cites it.
            if c.label.is_empty() {
                c.label = label.to_owned();
            }
            return Some(c.clone());
        }
        let url = url::link(dest);
        let cites = if url.is_some() {
            own
        } else {
            !title.is_empty()
        };
        if label.is_empty() || !cites {
            return None;
        }
        let title = (!title.is_empty()).then(|| title.to_owned());
        let c = Cite {
            label: label.to_owned(),
            title: title.clone(),
            url,
            text: title,
            ..Cite::default()
        };
        if list.len() < MAX {
            list.push(c.clone());
        }
        Some(c)
    }
}

/// The `[n]` button in the text (its label as text when the budget is spent).
pub(crate) fn button(c: &Cite, ctx: &Ctx, out: &mut Rendered) -> Node {
    if !ctx.spend() {
        return text(c.label.clone());
    }
    let mut aria = String::from(ctx.t(S::Source));
    aria.push(' ');
    aria.push_str(&c.label);
    aria.push_str(": ");
    aria.push_str(&c.title());
    el("button")
        .attr("type", "button")
        .class("hc-cite")
        .attr("aria-label", aria)
        .attr("data-action", out.action(c.action()))
        .text(c.label.clone())
        .into()
}

/// The source list under the bubble: each citation once, in position order.
pub fn sources(cites: &Citations, ctx: &Ctx, out: &mut Rendered) -> Option<Node> {
    let mut list: Vec<Cite> = cites
        .list
        .borrow()
        .iter()
        .filter(|c| !c.label.is_empty())
        .cloned()
        .collect();
    // Numbers in numeric order, anything else after them; stable for equal keys.
    list.sort_by(|a, b| {
        let key = |c: &Cite| c.label.parse::<u64>().unwrap_or(u64::MAX);
        key(a).cmp(&key(b)).then_with(|| a.label.cmp(&b.label))
    });
    list.dedup_by(|a, b| a.label == b.label);
    if list.is_empty() || !ctx.spend() || !ctx.spend() || !ctx.spend() {
        return None;
    }
    let mut ol = el("ol");
    for c in &list {
        if !ctx.spend() || !ctx.spend() {
            break;
        }
        let mut line = String::from("[");
        line.push_str(&c.label);
        line.push_str("] ");
        line.push_str(&c.title());
        let mut kids = vec![text(line)];
        if let Some(badge) = c.badge.as_ref().filter(|_| ctx.spend()) {
            kids.push(el("span").class("hc-badge").text(badge.clone()).into());
        }
        let control = match &c.url {
            Some(url) => anchor(url.clone(), kids, ctx),
            None => el("button")
                .attr("type", "button")
                .attr("data-action", out.action(c.action()))
                .kids(kids),
        };
        ol = ol.child(el("li").child(control));
    }
    let title = el("p").class("hc-sources__title").text(ctx.t(S::Sources));
    Some(
        el("section")
            .class("hc-sources")
            .child(title)
            .child(ol)
            .into(),
    )
}

/// A string, or a number as text; None when missing or blank.
pub(crate) fn str_of(v: Option<&Value>) -> Option<String> {
    match v? {
        Value::String(s) if !s.trim().is_empty() => Some(s.trim().to_owned()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// An array's items, or a lone value as one item.
fn many(v: Option<&Value>) -> &[Value] {
    match v {
        Some(Value::Array(a)) => a,
        Some(v @ Value::Object(_)) => std::slice::from_ref(v),
        _ => &[],
    }
}

/// Every blank node (`{"@id":"_:s1","name":...}`) defined anywhere in the entity, so a bare
/// reference `{"@id":"_:s1"}` can be resolved (walked with a stack: JSON nests deep).
fn blank_nodes(entity: &Value) -> Vec<(String, String)> {
    let mut found = Vec::new();
    let mut stack = vec![entity];
    while let Some(v) = stack.pop() {
        match v {
            Value::Object(o) => {
                let id = o.get("@id").and_then(Value::as_str).unwrap_or_default();
                if let (true, Some(name)) = (id.starts_with("_:"), str_of(o.get("name"))) {
                    found.push((id.to_owned(), name));
                }
                stack.extend(o.values());
            }
            Value::Array(a) => stack.extend(a),
            _ => {}
        }
    }
    found
}

fn resolve(reference: &Value, names: &[(String, String)]) -> Option<String> {
    let id = reference.get("@id").and_then(Value::as_str)?;
    names.iter().find(|(i, _)| i == id).map(|(_, n)| n.clone())
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::strings::Lang;

    fn list(activity: Value) -> Vec<Cite> {
        from_activity(&activity).list.into_inner()
    }

    #[test]
    fn blank_node_usage_info_resolves_and_fields_are_read_liberally() {
        let cites = list(json!({"entities": [
            {"@type": "Message", "usageInfo": {"@id": "_:s1", "name": "Confidential"},
             "citation": {"position": 2, "name": "Two",
                 "appearance": {"url": "javascript:alert(1)", "abstract": "abs", "usageInfo": {"@id": "_:s1"}}}},
            {"type": "https://schema.org/Message", "@id": "",
             "citation": [{"appearance": {"name": " N ", "text": "T", "url": "https://n.example",
                 "usageInfo": {"@id": "_:s9"}}}, "junk", 7]},
            {"type": "https://schema.org/Claim", "@id": "cite:1", "name": 5, "text": "legacy"},
            {"type": "https://schema.org/Message", "@id": "x", "citation": [{"position": "9"}]},
        ]}));
        assert_eq!(cites.len(), 3, "{cites:?}");
        let two = &cites[0];
        assert_eq!(
            (two.label.as_str(), two.title.as_deref()),
            ("2", Some("Two"))
        );
        assert_eq!(
            (two.url.as_deref(), two.text.as_deref()),
            (None, Some("abs"))
        );
        assert_eq!(two.badge.as_deref(), Some("Confidential"));
        let n = &cites[1];
        assert_eq!(
            (n.label.as_str(), n.title.as_deref(), n.text.as_deref()),
            ("1", Some("N"), Some("T"))
        );
        assert_eq!(
            (n.url.as_deref(), n.badge.as_deref()),
            (Some("https://n.example"), None)
        );
        assert!(
            cites[2].legacy && cites[2].label.is_empty() && cites[2].title.as_deref() == Some("5")
        );
    }

    #[test]
    fn no_entities_no_citations() {
        for a in [
            json!({}),
            json!({"entities": "x"}),
            json!({"entities": [null, 1, {"type": "mention"}]}),
        ] {
            assert!(list(a).is_empty());
        }
        let ctx = Ctx::new("u", Lang::En, None, "p");
        assert_eq!(
            sources(&Citations::default(), &ctx, &mut Rendered::default()),
            None
        );
    }

    #[test]
    fn definitions_fill_what_claims_lack_and_legacy_claims_take_their_label() {
        let cites = from_activity(&json!({"entities": [
            {"@type": "Message", "citation": [{"position": "1", "appearance": {"text": "body"}}]},
            {"type": "https://schema.org/Claim", "@id": "cite:7", "text": "legacy"},
        ]}));
        cites.define("1", "https://one.example", "One");
        cites.define("4", "cite:7", "Four");
        let l = cites.list.borrow();
        assert_eq!(
            (l[0].title.as_deref(), l[0].url.as_deref()),
            (Some("One"), Some("https://one.example"))
        );
        assert_eq!(l[0].text.as_deref(), Some("body"));
        assert_eq!(
            (
                l[1].label.as_str(),
                l[1].title.as_deref(),
                l[1].text.as_deref()
            ),
            ("4", Some("Four"), Some("legacy"))
        );
    }
}
