//! Adaptive Card actions (the card's `actions` and ActionSet): a `div.hc-ac-actions` of
//! `button.hc-ac-action`, then the hidden `div.hc-ac-showcard` panels of its ShowCards (last,
//! so a flex-wrapped action row keeps its buttons together; each button's `aria-controls`
//! names its panel). Action.Execute is not run (Web Chat does not either).

use serde_json::Value;

use super::{is, is_false, Ac, MAX_AC_DEPTH};
use crate::action::{as_text, str_of, Action};
use crate::node::{el, El, Node};

const STYLES: &[(&str, &str)] = &[
    ("positive", "hc-ac-action--positive"),
    ("destructive", "hc-ac-action--destructive"),
];

impl Ac<'_> {
    /// The action row, or None when no action can run.
    pub(super) fn actions(&mut self, list: &Value, depth: usize) -> Option<El> {
        let mut bar = el("div").class("hc-ac-actions");
        let mut panels = Vec::new();
        for a in list.as_array()? {
            self.action(a, depth, &mut bar, &mut panels);
        }
        bar.kids.extend(panels);
        (!bar.kids.is_empty()).then_some(bar)
    }

    fn action(&mut self, a: &Value, depth: usize, bar: &mut El, panels: &mut Vec<Node>) {
        let Some(title) = as_text(&a["title"]).filter(|t| !t.is_empty()) else {
            return;
        };
        if depth > MAX_AC_DEPTH || !self.ctx.spend() {
            return;
        }
        let mut panel = None;
        let act = match a["type"].as_str().unwrap_or_default() {
            "Action.Submit" if is(&a["associatedInputs"], "none") => {
                // Nothing to gather or validate: post the data as it is.
                let reply_to = self.ctx.activity_id.as_deref();
                crate::action::submit(&a["data"], &[], reply_to)
            }
            "Action.Submit" => Some(Action::Submit {
                card: self.card.clone(),
                data: a["data"].clone(),
            }),
            "Action.OpenUrl" => a["url"]
                .as_str()
                .and_then(crate::url::link)
                .map(|url| Action::Open { url, popup: false }),
            "Action.ToggleVisibility" => Some(Action::Toggle {
                targets: self.targets(&a["targetElements"]),
            }),
            "Action.ShowCard" if self.ctx.spend() => {
                let id = self.ctx.uid();
                let kids = self.body(&a["card"], depth + 2);
                panels.push(
                    el("div")
                        .class("hc-ac-showcard")
                        .attr("id", id.clone())
                        .attr("hidden", "")
                        .kids(kids)
                        .into(),
                );
                panel = Some(id.clone());
                Some(Action::Toggle {
                    targets: vec![(id, None)],
                })
            }
            "Action.Execute" | "Action.ShowCard" => None,
            // Unknown action: its fallback action, if it gives one.
            _ if a["fallback"].is_object() => {
                return self.action(&a["fallback"], depth + 1, bar, panels);
            }
            _ => None,
        };
        let Some(act) = act else {
            return;
        };
        let c = super::classes("hc-ac-action", &[super::pick(&a["style"], STYLES)]);
        let mut b = el("button")
            .attr("type", "button")
            .attr("class", c)
            .attr("data-action", self.out.action(act));
        if let Some(id) = panel {
            b = b.attr("aria-expanded", "false").attr("aria-controls", id);
        }
        if is_false(&a["isEnabled"]) {
            b = b.attr("disabled", "");
        }
        if let Some(id) = str_of(&a["id"]) {
            b = b.attr("id", self.ctx.scoped(id));
        }
        bar.kids.push(b.text(title).into());
    }

    /// ToggleVisibility's `targetElements`: ids (toggle) or `{elementId, isVisible}`.
    fn targets(&self, list: &Value) -> Vec<(String, Option<bool>)> {
        let mut out = Vec::new();
        for t in list.as_array().into_iter().flatten() {
            if let Some(id) = str_of(t) {
                out.push((self.ctx.scoped(id), None));
            } else if let Some(id) = str_of(&t["elementId"]) {
                out.push((self.ctx.scoped(id), t["isVisible"].as_bool()));
            }
        }
        out
    }
}
