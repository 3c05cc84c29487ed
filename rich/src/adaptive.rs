//! Adaptive Cards 1.5, 1.6 tolerated (RICH-CONTENT.md §5), walked by hand from the JSON.
//!
//! The root is `div.hc-ac[data-card=<uid>]`. Inputs carry `data-input=<the card's id>`; the
//! DOM layer gathers them inside that root, lets the browser validate them (`required`,
//! `pattern`, `min`/`max`, `maxlength`), unhides the field's `.hc-ac-error`, then calls
//! [`crate::action::submit`]. Layout: [`layout`]; inputs: [`inputs`]; actions: [`actions`].

mod actions;
mod inputs;
mod layout;

use serde_json::Value;

use crate::action::str_of;
use crate::node::{el, text, Ctx, El, Node, Rendered};
use crate::strings::S;

/// Deepest element nesting rendered; the DOM layer stops at `node::MAX_DEPTH` (48) and the
/// card already sits a few levels down in the bubble.
const MAX_AC_DEPTH: usize = 32;

/// Renders an Adaptive Card (`attachment.content`). Never blank: a card this widget cannot
/// show becomes its `fallbackText`, or a "can't show" line.
pub fn render(card: &Value, ctx: &Ctx, out: &mut Rendered) -> Node {
    let id = ctx.uid();
    ctx.spend();
    let mut ac = Ac {
        ctx,
        out,
        card: id.clone(),
    };
    let mut kids = Vec::new();
    if supported(&card["version"]) {
        kids = ac.body(card, 1);
    }
    if kids.is_empty() {
        kids = match str_of(&card["fallbackText"]) {
            Some(t) => ac.md(t),
            None => vec![el("p")
                .class("hc-cant-show")
                .text(ctx.t(S::CantShow))
                .into()],
        };
    }
    el("div")
        .class("hc-ac")
        .attr("data-card", id)
        .kids(kids)
        .into()
}

/// Schema versions up to 1.6; a missing or unreadable version is given the benefit of doubt.
fn supported(v: &Value) -> bool {
    let s = match v {
        Value::String(s) => s.clone(),
        Value::Number(n) => n.to_string(),
        _ => return true,
    };
    let mut it = s.trim().split('.').map(|p| p.trim().parse::<u32>().ok());
    match (it.next().flatten(), it.next().flatten()) {
        (Some(major), minor) => major < 1 || (major == 1 && minor.unwrap_or(0) <= 6),
        _ => true,
    }
}

/// One card's render state: where actions go, and the root's `data-card` id that every
/// `Action.Submit` (ShowCard's nested ones too) gathers inputs from.
struct Ac<'a> {
    ctx: &'a Ctx,
    out: &'a mut Rendered,
    card: String,
}

impl Ac<'_> {
    /// A card's body, then its actions (the root card and ShowCard's nested ones).
    fn body(&mut self, card: &Value, depth: usize) -> Vec<Node> {
        let mut kids = self.elements(&card["body"], depth);
        kids.extend(self.actions(&card["actions"], depth).map(Node::from));
        kids
    }

    fn elements(&mut self, list: &Value, depth: usize) -> Vec<Node> {
        let mut kids = Vec::new();
        for v in list.as_array().into_iter().flatten() {
            kids.extend(self.element(v, depth));
        }
        kids
    }

    fn element(&mut self, v: &Value, depth: usize) -> Option<Node> {
        self.element_as(v, v["type"].as_str().unwrap_or_default(), depth)
    }

    /// `ty`: the element's type (a ColumnSet's columns may leave it out).
    fn element_as(&mut self, v: &Value, ty: &str, depth: usize) -> Option<Node> {
        if depth > MAX_AC_DEPTH || !self.ctx.spend() {
            return None;
        }
        let made = match ty {
            "TextBlock" => Some(self.text_block(v)),
            "RichTextBlock" => Some(self.rich_text(v)),
            "Container" => Some(self.container(v, depth)),
            "ColumnSet" => Some(self.column_set(v, depth)),
            "Column" => Some(self.column(v, depth)),
            "Image" => Some(self.image(v, None)),
            "ImageSet" => Some(self.image_set(v)),
            "FactSet" => Some(self.fact_set(v)),
            "Table" => Some(self.table(v, depth)),
            "ActionSet" => Some(self.actions(&v["actions"], depth)),
            "Media" => Some(self.media(v)),
            "Input.Text" | "Input.Number" | "Input.Date" | "Input.Time" | "Input.Toggle"
            | "Input.ChoiceSet" => Some(self.input(v, ty)),
            _ => None,
        };
        match made {
            Some(e) => Some(self.decorate(e?, v)),
            // Unknown type: its `fallback` element, or nothing ("drop" or none given).
            None if v["fallback"].is_object() => self.element(&v["fallback"], depth + 1),
            None => None,
        }
    }

    /// What every element may carry: `isVisible: false`, and an `id` ToggleVisibility names.
    fn decorate(&self, mut e: El, v: &Value) -> Node {
        if is_false(&v["isVisible"]) {
            e = e.attr("hidden", "");
        }
        if let Some(id) = str_of(&v["id"]) {
            e = e.attr("id", self.ctx.scoped(id));
        }
        e.into()
    }

    /// Markdown text; as plain text if the markdown renderer gave nothing.
    fn md(&mut self, s: &str) -> Vec<Node> {
        let nodes = crate::markdown::render(s, self.ctx, self.out);
        if nodes.is_empty() {
            vec![text(s)]
        } else {
            nodes
        }
    }
}

/// `base` plus the classes that apply (all chosen here, never copied from the card).
fn classes(base: &'static str, extra: &[Option<&'static str>]) -> String {
    let mut c = String::from(base);
    for x in extra.iter().flatten() {
        c.push(' ');
        c.push_str(x);
    }
    c
}

/// The class for a card enum value (case-insensitive, as Adaptive Cards reads them).
fn pick(v: &Value, table: &[(&str, &'static str)]) -> Option<&'static str> {
    let s = v.as_str()?;
    table
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(s))
        .map(|(_, c)| *c)
}

fn is(v: &Value, s: &str) -> bool {
    v.as_str().is_some_and(|x| x.eq_ignore_ascii_case(s))
}

fn is_true(v: &Value) -> bool {
    v.as_bool() == Some(true) || is(v, "true")
}

fn is_false(v: &Value) -> bool {
    v.as_bool() == Some(false) || is(v, "false")
}

/// A finite number, from a number or a numeric string.
fn number(v: &Value) -> Option<f64> {
    match v {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => crate::num::parse(s.trim()),
        _ => None,
    }
    .filter(|n| n.is_finite())
}

#[cfg(test)]
mod tests;
