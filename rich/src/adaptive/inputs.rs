//! Adaptive Card inputs. Each is a `div.hc-ac-field`: a `label` (or an `aria-label` on the
//! control), the control(s) with `data-input=<input id>` and a page-unique `id`, and a hidden
//! `p.hc-ac-error` the DOM layer shows when the browser finds the value invalid. Values go
//! to the bot as strings: Toggle's `data-on`/`data-off`, ChoiceSet checkboxes comma-joined.

use serde_json::Value;

use super::{is, is_true, number, Ac};
use crate::action::{as_text, str_of};
use crate::node::{el, El};
use crate::strings::S;

const TEXT_TYPES: &[(&str, &str)] = &[
    ("email", "email"),
    ("tel", "tel"),
    ("url", "url"),
    ("password", "password"),
];

impl Ac<'_> {
    /// One input element (`ty`: its type). None once the node budget is spent.
    pub(super) fn input(&mut self, v: &Value, ty: &str) -> Option<El> {
        // The label, the control and the error line, besides the field `element` paid for.
        if !(self.ctx.spend() && self.ctx.spend() && self.ctx.spend()) {
            return None;
        }
        let cid = self.ctx.uid();
        let label = str_of(&v["label"]);
        let title = str_of(&v["title"]);
        let placeholder = str_of(&v["placeholder"]);
        // Accessible name when there is no visible label.
        let name = placeholder
            .or(title)
            .or(str_of(&v["id"]))
            .unwrap_or_default();
        let required = is_true(&v["isRequired"]);
        let value = as_text(&v["value"]);
        let mut field = el("div").class("hc-ac-field");

        if ty == "Input.ChoiceSet" && (is_true(&v["isMultiSelect"]) || is(&v["style"], "expanded"))
        {
            if let Some(l) = label {
                field = field.child(
                    el("p")
                        .class("hc-ac-label")
                        .attr("aria-hidden", "true")
                        .text(l),
                );
            }
            field = field.child(self.choice_group(v, label.unwrap_or(name), required));
        } else if ty == "Input.Toggle" {
            let on = as_text(&v["valueOn"]).unwrap_or_else(|| "true".into());
            let off = as_text(&v["valueOff"]).unwrap_or_else(|| "false".into());
            let mut c = self
                .control("input", &cid, v, required)
                .attr("type", "checkbox")
                .attr("data-on", on.clone())
                .attr("data-off", off);
            if value.as_deref() == Some(on.as_str()) {
                c = c.attr("checked", "");
            }
            let text = title.or(label).unwrap_or(name);
            field = field
                .child(c)
                .child(el("label").attr("for", cid).text(text));
        } else {
            let mut c = match ty {
                "Input.ChoiceSet" => self.select(v, &cid, required, placeholder, value.as_deref()),
                "Input.Text" => text_control(
                    self.control(
                        if is_true(&v["isMultiline"]) {
                            "textarea"
                        } else {
                            "input"
                        },
                        &cid,
                        v,
                        required,
                    ),
                    v,
                    value,
                ),
                _ => {
                    let t = match ty {
                        "Input.Number" => "number",
                        "Input.Date" => "date",
                        _ => "time",
                    };
                    let mut c = self.control("input", &cid, v, required).attr("type", t);
                    if t == "number" {
                        // Any decimal, not just the default step's integers.
                        c = c.attr("step", "any");
                        for (k, name) in [("min", "min"), ("max", "max"), ("value", "value")] {
                            if let Some(n) = number(&v[k]) {
                                c = c.attr(name, crate::num::fmt(n));
                            }
                        }
                    } else {
                        for (k, name) in [("min", "min"), ("max", "max"), ("value", "value")] {
                            if let Some(s) = str_of(&v[k]) {
                                c = c.attr(name, s);
                            }
                        }
                    }
                    c
                }
            };
            if let Some(p) = placeholder {
                if c.tag != "select" {
                    c = c.attr("placeholder", p);
                }
            }
            match label {
                Some(l) => field = field.child(el("label").attr("for", cid).text(l)),
                None => c = c.attr("aria-label", name),
            }
            field = field.child(c);
        }
        let error = str_of(&v["errorMessage"]).unwrap_or(self.ctx.t(S::Required));
        Some(field.child(el("p").class("hc-ac-error").attr("hidden", "").text(error)))
    }

    /// A control of this input: page-unique id, the card's input id, `required`.
    fn control(&self, tag: &'static str, cid: &str, v: &Value, required: bool) -> El {
        let mut c = el(tag).attr("id", cid);
        if let Some(id) = str_of(&v["id"]) {
            c = c.attr("data-input", id);
        }
        if required {
            c = c.attr("required", "");
        }
        c
    }

    /// A compact single choice: a `select` whose first, empty option is the prompt.
    fn select(
        &mut self,
        v: &Value,
        cid: &str,
        required: bool,
        placeholder: Option<&str>,
        value: Option<&str>,
    ) -> El {
        let prompt = placeholder.unwrap_or(self.ctx.t(S::Choose));
        let mut s = self
            .control("select", cid, v, required)
            .child(el("option").attr("value", "").text(prompt));
        for (title, val) in choices(v) {
            if !self.ctx.spend() {
                break;
            }
            let mut o = el("option").attr("value", val.clone());
            if value == Some(val.as_str()) {
                o = o.attr("selected", "");
            }
            s = s.child(o.text(title));
        }
        s
    }

    /// Expanded single choice (radios sharing a name) or multi-select (checkboxes), in a
    /// `div role=group` named `name`. A required multi-select puts `required` on the group
    /// (on each checkbox it would demand them all): the DOM layer checks one is ticked.
    fn choice_group(&mut self, v: &Value, name: &str, required: bool) -> El {
        let multi = is_true(&v["isMultiSelect"]);
        let group_name = self.ctx.uid();
        let picked = as_text(&v["value"]).unwrap_or_default();
        let mut g = el("div")
            .class("hc-ac-choices")
            .attr("role", "group")
            .attr("aria-label", name);
        if required && multi {
            g = g.attr("required", "").attr("aria-required", "true");
        }
        for (title, val) in choices(v) {
            if !(self.ctx.spend() && self.ctx.spend()) {
                break;
            }
            let cid = self.ctx.uid();
            let mut c = self
                .control("input", &cid, v, required && !multi)
                .attr("type", if multi { "checkbox" } else { "radio" })
                .attr("name", group_name.clone())
                .attr("value", val.clone());
            let on = if multi {
                picked.split(',').any(|p| p.trim() == val)
            } else {
                picked == val
            };
            if on {
                c = c.attr("checked", "");
            }
            g = g.child(el("label").class("hc-ac-choice").child(c).text(title));
        }
        g
    }
}

/// Input.Text's attributes: style as input type, `regex` → `pattern`, `maxLength`, value.
fn text_control(mut c: El, v: &Value, value: Option<String>) -> El {
    if c.tag == "input" {
        let ty = super::pick(&v["style"], TEXT_TYPES).unwrap_or("text");
        c = c.attr("type", ty);
        if let Some(x) = value {
            c = c.attr("value", x);
        }
    } else if let Some(x) = value {
        c = c.text(x);
    }
    if let Some(re) = str_of(&v["regex"]) {
        c = c.attr("pattern", re);
    }
    if let Some(n) = number(&v["maxLength"]).filter(|n| *n >= 1.0) {
        c = c.attr("maxlength", (n as u32).to_string());
    }
    c
}

/// A ChoiceSet's `(title, value)` pairs (a missing title shows the value).
fn choices(v: &Value) -> impl Iterator<Item = (String, String)> + '_ {
    v["choices"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|c| {
            let val = as_text(&c["value"])?;
            Some((as_text(&c["title"]).unwrap_or_else(|| val.clone()), val))
        })
}
