//! The suggested actions of the bot's last message, above the composer. Drawn by the
//! rich module; asks for that module when the browser is idle once the chat runs.

use handoff_core::session::Phase;
use handoff_core::transcript::suggestions;
use leptos::html;
use leptos::prelude::*;

use crate::client::{rich, Chat};

/// The buttons on offer (empty when none are).
#[component]
pub fn Suggested() -> impl IntoView {
    let chat = expect_context::<Chat>();
    let slot = NodeRef::<html::Div>::new();
    Effect::new(move |_| {
        if chat.phase.get() == Phase::Chatting {
            rich::load(chat, true);
        }
    });
    Effect::new(move |_| {
        let ready = chat.rich_ready.get();
        let live = chat.phase.get() != Phase::Ended;
        let offer = chat
            .entries
            .with(|e| suggestions(e).and_then(|e| e.rich.clone()))
            .filter(|_| live);
        let Some(el) = slot.get() else { return };
        el.set_text_content(None);
        match offer {
            Some(json) if ready => {
                rich::draw("suggest", &el, &json, chat);
            }
            Some(_) => rich::load(chat, false),
            None => {}
        }
    });
    view! { <div class="hc-suggested" node_ref=slot></div> }
}
