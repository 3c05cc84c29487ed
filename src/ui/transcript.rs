//! The message list, announced politely to screen readers. Kept in step with the entries
//! by hand rather than by a generic keyed list (a fraction of its wasm): an entry whose
//! [`message::key`] is unchanged keeps its element, and whatever the rich module drew in
//! it; a changed one is rebuilt in place; the list's order follows the entries.

use handoff_core::i18n::Text;
use handoff_core::session::Event;
use handoff_core::transcript::Entry;
use leptos::html;
use leptos::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::Element;

use super::message;
use super::t;
use crate::client::Chat;

/// Transcript of the conversation.
#[component]
pub fn Transcript() -> impl IntoView {
    let chat = expect_context::<Chat>();
    let list = NodeRef::<html::Ol>::new();
    Effect::new(move |_| {
        let Some(list) = list.get() else { return };
        chat.entries.with(|entries| sync(&list, entries));
        // Keep the newest message in view.
        request_animation_frame(move || list.set_scroll_top(list.scroll_height()));
    });
    view! {
        <ol
            class="hc-transcript"
            role="log"
            aria-live="polite"
            aria-label=t(Text::ConversationLabel)
            node_ref=list
            on:click=move |event| {
                if let Some(key) = retry_key(&event) {
                    chat.dispatch(Event::RetryMessage(key));
                }
            }
        ></ol>
    }
}

/// Makes `list`'s items show `entries`, reusing each element whose key is unchanged.
pub fn sync(list: &Element, entries: &[Entry]) {
    let children = list.children();
    let mut old: Vec<(String, Element)> = (0..children.length())
        .filter_map(|i| children.item(i))
        .map(|el| (el.get_attribute("data-k").unwrap_or_default(), el))
        .collect();
    let mut prev: Option<Element> = None;
    for entry in entries {
        let key = message::key(entry);
        // Usually the first left: the list only grows at its end.
        let el = match old.iter().position(|(k, _)| *k == key) {
            Some(i) => old.remove(i).1,
            None => match message::element(list, entry) {
                Some(el) => el,
                None => continue,
            },
        };
        let next = match &prev {
            Some(p) => p.next_element_sibling(),
            None => list.first_element_child(),
        };
        if next.as_ref() != Some(&el) {
            let _ = list.insert_before(&el, next.as_ref().map(|n| n.as_ref()));
        }
        prev = Some(el);
    }
    for (_, el) in old {
        el.remove();
    }
}

/// The entry key of the retry button a click landed on, if it did.
pub fn retry_key(event: &web_sys::Event) -> Option<String> {
    let target = event.target()?.dyn_into::<Element>().ok()?;
    let button = target.closest(".hc-msg__retry").ok()??;
    button
        .closest("[data-key]")
        .ok()??
        .get_attribute("data-key")
}
