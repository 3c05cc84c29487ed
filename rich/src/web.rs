//! The DOM side: watches the widget for message bodies to draw (`[data-rich]`, holding
//! the activity) and draws each, with the suggested actions under a message marked
//! `data-suggest`; builds each [`Rendered`] tree inside the widget's shadow root and runs
//! its actions. The only browser code of the module; what it builds was decided (and
//! tested) natively. Every draw gets a fresh container with its own click listener.

use std::cell::Cell;
use std::rc::Rc;

use serde_json::Value;
use wasm_bindgen::prelude::*;
use web_sys::{Document, Element, HtmlElement};

use crate::action::{self, Action, Post};
use crate::node::{Ctx, Node, Rendered, MAX_DEPTH};
use crate::strings::{Lang, S};

mod inputs;

thread_local! {
    /// Draws so far: each gets its own id prefix.
    static DRAWS: Cell<u32> = const { Cell::new(0) };
}

/// Draws what `root` (the widget's root element) shows and keeps drawing what it adds;
/// `post(json)` sends a card action's message.
#[wasm_bindgen]
pub fn observe(root: Element, post: js_sys::Function) {
    let post = Rc::new(post);
    draw_in(&root, &root, &post);
    let on_change = {
        let root = root.clone();
        // Only what was added is searched: a full scan per change would cost a long
        // transcript dearly (and every draw is itself a change).
        Closure::<dyn Fn(js_sys::Array)>::new(move |records: js_sys::Array| {
            for record in records.iter() {
                let Ok(record) = record.dyn_into::<web_sys::MutationRecord>() else {
                    continue;
                };
                let added = record.added_nodes();
                for i in 0..added.length() {
                    if let Some(el) = added.item(i).and_then(|n| n.dyn_into::<Element>().ok()) {
                        draw_in(&root, &el, &post);
                    }
                }
            }
        })
    };
    let Ok(observer) = web_sys::MutationObserver::new(on_change.as_ref().unchecked_ref()) else {
        return;
    };
    let options = web_sys::MutationObserverInit::new();
    options.set_child_list(true);
    options.set_subtree(true);
    let _ = observer.observe_with_options(&root, &options);
    // Lives as long as the widget.
    on_change.forget();
}

/// Draws every message body in `scope` (itself included) not drawn yet, and its suggested
/// actions when on offer. `root` is the widget's root (its `lang`).
fn draw_in(root: &Element, scope: &Element, post: &Rc<js_sys::Function>) {
    const UNDRAWN: &str = "[data-rich]:not([data-drawn])";
    let lang = Lang::from_tag(&root.get_attribute("lang").unwrap_or_default());
    let mut found = all(scope, UNDRAWN);
    if scope.matches(UNDRAWN).unwrap_or(false) {
        found.insert(0, scope.clone());
    }
    for el in found {
        let _ = el.set_attribute("data-drawn", "");
        let Some(json) = el.get_attribute("data-rich") else {
            continue;
        };
        draw(&el, &json, lang, post, crate::activity::render);
        let message = el.closest("[data-suggest]").ok().flatten();
        let slot = message.and_then(|m| {
            let slot = m.owner_document()?.create_element("div").ok()?;
            slot.set_class_name("hc-suggested");
            m.append_child(&slot).ok()?;
            Some(slot)
        });
        if let Some(slot) = slot {
            draw(&slot, &json, lang, post, crate::suggested::render);
        }
    }
}

/// The elements under `root` matching `css`.
fn all(root: &Element, css: &str) -> Vec<Element> {
    let Ok(list) = root.query_selector_all(css) else {
        return Vec::new();
    };
    (0..list.length())
        .filter_map(|i| list.item(i)?.dyn_into::<Element>().ok())
        .collect()
}

/// Replaces `el`'s content with `what` `json` (an activity) renders to.
fn draw(
    el: &Element,
    json: &str,
    lang: Lang,
    post: &Rc<js_sys::Function>,
    what: fn(&Value, &Ctx) -> Rendered,
) {
    let Ok(activity) = serde_json::from_str::<Value>(json) else {
        return;
    };
    let n = DRAWS.get();
    DRAWS.set(n.wrapping_add(1));
    let id = activity["id"].as_str().map(str::to_owned);
    let ctx = Ctx::new("", lang, id, &format!("hcr{n}"));
    let rendered = what(&activity, &ctx);
    let Some(doc) = el.owner_document() else {
        return;
    };
    let tree = crate::node::el("div").class("hc-rich").kids(rendered.nodes);
    let Some(box_) = build(&doc, &tree.into(), 0).and_then(|b| b.dyn_into::<Element>().ok()) else {
        return;
    };
    el.set_text_content(None);
    let _ = el.append_child(&box_);
    let on = Listener {
        root: box_.clone(),
        actions: rendered.actions,
        reply_to: ctx.activity_id.clone(),
        lang,
        on_post: Rc::clone(post),
    };
    let click = Closure::<dyn Fn(web_sys::Event)>::new(move |e: web_sys::Event| on.click(&e));
    let _ = box_.add_event_listener_with_callback("click", click.as_ref().unchecked_ref());
    // Lives as long as the container: the listener goes with it when the entry is redrawn.
    click.forget();
}

/// Makes the DOM for a node; elements deeper than [`MAX_DEPTH`] are left out.
fn build(doc: &Document, node: &Node, depth: usize) -> Option<web_sys::Node> {
    match node {
        Node::Text(t) => Some(doc.create_text_node(t).into()),
        Node::El(e) if depth < MAX_DEPTH => {
            let el = doc.create_element(e.tag).ok()?;
            for (name, value) in &e.attrs {
                let _ = el.set_attribute(name, value);
            }
            for kid in &e.kids {
                if let Some(k) = build(doc, kid, depth + 1) {
                    let _ = el.append_child(&k);
                }
            }
            Some(el.into())
        }
        Node::El(_) => None,
    }
}

/// One render's actions, run from clicks inside its container.
struct Listener {
    root: Element,
    actions: Vec<Action>,
    reply_to: Option<String>,
    lang: Lang,
    on_post: Rc<js_sys::Function>,
}

impl Listener {
    fn click(&self, event: &web_sys::Event) {
        let control = event
            .target()
            .and_then(|t| t.dyn_into::<Element>().ok())
            .and_then(|t| t.closest("[data-action]").ok().flatten());
        let Some(control) = control.filter(|c| self.root.contains(Some(c))) else {
            return;
        };
        let index = control
            .get_attribute("data-action")
            .and_then(|i| i.parse::<usize>().ok());
        let Some(action) = index.and_then(|i| self.actions.get(i)) else {
            return;
        };
        match action {
            Action::Post(post) => {
                self.post(post);
                // A suggested action is used: its chips go, the composer takes focus.
                if control.closest(".hc-suggested").ok().flatten().is_some() {
                    focus_composer(&self.root);
                }
            }
            Action::Open { url, popup } => open(url, *popup),
            Action::Submit { card, data } => self.submit(card, data),
            Action::Toggle { targets } => {
                for (id, show) in targets {
                    if let Some(target) = self.by_attr("id", id) {
                        let hidden = target.has_attribute("hidden");
                        let _ = match show.unwrap_or(hidden) {
                            true => target.remove_attribute("hidden"),
                            false => target.set_attribute("hidden", ""),
                        };
                    }
                }
                if let Some(expanded) = control.get_attribute("aria-expanded") {
                    let _ = control.set_attribute(
                        "aria-expanded",
                        if expanded == "true" { "false" } else { "true" },
                    );
                }
            }
            Action::Cite { title, text } => self.cite(title, text, &control),
            Action::Scroll { carousel, by } => {
                let track = self
                    .by_attr("id", carousel)
                    .and_then(|c| c.query_selector(".hc-carousel__track").ok().flatten());
                if let Some(track) = track {
                    let step = track.client_width() as f64 * 0.8;
                    let options = web_sys::ScrollToOptions::new();
                    options.set_left(step * f64::from(*by));
                    options.set_behavior(web_sys::ScrollBehavior::Smooth);
                    track.scroll_by_with_scroll_to_options(&options);
                }
            }
        }
    }

    fn post(&self, post: &Post) {
        let _ = self.on_post.call1(&JsValue::NULL, &post.to_json().into());
    }

    /// The element inside this render whose attribute `name` is `value` (compared, not
    /// put into a selector: card ids may hold any character).
    fn by_attr(&self, name: &str, value: &str) -> Option<Element> {
        all(&self.root, &format!("[{name}]"))
            .into_iter()
            .find(|e| e.get_attribute(name).as_deref() == Some(value))
    }

    /// Action.Submit: checks the card's inputs (the browser knows required, pattern,
    /// min and max), shows what is wrong, else posts and locks the card.
    fn submit(&self, card_id: &str, data: &Value) {
        let Some(card) = self.by_attr("data-card", card_id) else {
            return;
        };
        let Ok(fields) = card.query_selector_all(".hc-ac-field") else {
            return;
        };
        let mut inputs: Vec<(String, String)> = Vec::new();
        let mut first_bad: Option<HtmlElement> = None;
        for i in 0..fields.length() {
            let Some(field) = fields.item(i).and_then(|f| f.dyn_into::<Element>().ok()) else {
                continue;
            };
            let valid = inputs::read(&field, &mut inputs);
            show_error(&field, valid.as_ref().err(), self.lang);
            if let (Err(control), None) = (valid, &first_bad) {
                first_bad = Some(control);
            }
        }
        if let Some(control) = first_bad {
            let _ = control.focus();
            return;
        }
        match action::submit(data, &inputs, self.reply_to.as_deref()) {
            Some(Action::Post(post)) => self.post(&post),
            Some(Action::Open { url, popup }) => return open(&url, popup),
            _ => return,
        }
        lock(&card);
    }

    /// Opens a citation's text (markdown) in a modal dialog inside the widget.
    fn cite(&self, title: &str, text: &str, from: &Element) {
        let Some(doc) = self.root.owner_document() else {
            return;
        };
        let ctx = Ctx::new("", self.lang, None, "hcr-cite");
        let mut out = Rendered::default();
        let body = crate::markdown::render(text, &ctx, &mut out);
        let heading_id = "hcr-cite-title";
        let tree = crate::node::el("dialog")
            .class("hc-cite-dialog")
            .attr("aria-labelledby", heading_id)
            .child(
                crate::node::el("p")
                    .class("hc-cite-dialog__title")
                    .attr("id", heading_id)
                    .text(title),
            )
            .child(crate::node::el("div").class("hc-md").kids(body))
            .child(
                crate::node::el("button")
                    .attr("type", "button")
                    .class("hc-cite-dialog__close")
                    .text(self.lang.t(S::Close)),
            );
        let Some(dialog) = build(&doc, &tree.into(), 0)
            .and_then(|d| d.dyn_into::<web_sys::HtmlDialogElement>().ok())
        else {
            return;
        };
        let _ = self.root.append_child(&dialog);
        let back = from.clone().dyn_into::<HtmlElement>().ok();
        let shut = dialog.clone();
        // Closing (button or Esc) removes the dialog and puts focus back on the citation.
        let close = Closure::<dyn Fn()>::new(move || {
            shut.remove();
            if let Some(back) = &back {
                let _ = back.focus();
            }
        });
        let _ = dialog.add_event_listener_with_callback("close", close.as_ref().unchecked_ref());
        close.forget();
        if let Ok(Some(button)) = dialog.query_selector(".hc-cite-dialog__close") {
            let shut = dialog.clone();
            let click = Closure::<dyn Fn()>::new(move || shut.close());
            let _ =
                button.add_event_listener_with_callback("click", click.as_ref().unchecked_ref());
            click.forget();
        }
        let _ = dialog.show_modal();
    }
}

/// Focuses the widget's message box.
fn focus_composer(inside: &Element) {
    let root = inside.closest(".hc-root").ok().flatten();
    let composer = root.and_then(|r| r.query_selector("textarea").ok().flatten());
    if let Some(c) = composer.and_then(|c| c.dyn_into::<HtmlElement>().ok()) {
        let _ = c.focus();
    }
}

/// Opens an allowed URL in a new tab, or a sign-in popup, from the click itself.
fn open(url: &str, popup: bool) {
    let features = if popup {
        "noopener,noreferrer,popup,width=480,height=640"
    } else {
        "noopener,noreferrer"
    };
    if let Some(window) = web_sys::window() {
        let _ = window.open_with_url_and_target_and_features(url, "_blank", features);
    }
}

/// Shows or clears a field's error line, and ties it to the control for screen readers.
fn show_error(field: &Element, bad: Option<&HtmlElement>, lang: Lang) {
    let Ok(Some(error)) = field.query_selector(".hc-ac-error") else {
        return;
    };
    let Ok(controls) = field.query_selector_all("[data-input],[role=group]") else {
        return;
    };
    for i in 0..controls.length() {
        let Some(c) = controls.item(i).and_then(|c| c.dyn_into::<Element>().ok()) else {
            continue;
        };
        let _ = match bad {
            Some(_) => c.set_attribute("aria-invalid", "true"),
            None => c.remove_attribute("aria-invalid"),
        };
    }
    match bad {
        Some(control) => {
            let id = format!("{}-err", control.id());
            error.set_id(&id);
            if error.text_content().unwrap_or_default().is_empty() {
                error.set_text_content(Some(lang.t(S::Required)));
            }
            let _ = control.set_attribute("aria-describedby", &id);
            let _ = error.remove_attribute("hidden");
        }
        None => {
            let _ = error.set_attribute("hidden", "");
        }
    }
}

/// After a submit: every control of the card is disabled (no second submission) and
/// focus, which was on the pressed button, moves to the card.
fn lock(card: &Element) {
    if let Ok(controls) = card.query_selector_all("input,select,textarea,button") {
        for i in 0..controls.length() {
            if let Some(c) = controls.item(i).and_then(|c| c.dyn_into::<Element>().ok()) {
                let _ = c.set_attribute("disabled", "");
            }
        }
    }
    let _ = card.set_attribute("tabindex", "-1");
    let _ = card.set_attribute("aria-disabled", "true");
    if let Ok(card) = card.clone().dyn_into::<HtmlElement>() {
        let _ = card.focus();
    }
}
