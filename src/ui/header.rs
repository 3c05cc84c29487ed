//! Panel header: title, who the visitor is talking to, end-chat and minimise buttons.

use handoff_core::handoff::Handoff;
use handoff_core::session::{Event, Phase};
use leptos::prelude::*;

use crate::client::Chat;

/// The panel's title bar. Offers "End chat" while a conversation is live.
#[component]
pub fn Header(
    /// Text shown as the panel title.
    title: String,
    /// Called when the visitor minimises the panel.
    on_minimize: Callback<()>,
) -> impl IntoView {
    let chat = use_context::<Chat>();
    let live = move || {
        chat.is_some_and(|c| {
            c.phase
                .with(|p| matches!(p, Phase::Connecting | Phase::Chatting))
        })
    };
    let subtitle = move || {
        chat.and_then(|c| match c.handoff.get() {
            Handoff::Engaged { agent } => Some(format!("Chatting with {}", agent.name)),
            Handoff::Waiting { .. } => Some("Waiting for an agent".to_owned()),
            Handoff::None => None,
        })
    };
    view! {
        <header class="hc-panel__header">
            <div class="hc-panel__titles">
                <h2 class="hc-panel__title">{title}</h2>
                {move || subtitle().map(|s| view! { <p class="hc-panel__subtitle">{s}</p> })}
            </div>
            <Show when=live>
                <button
                    type="button"
                    class="hc-panel__end"
                    on:click=move |_| {
                        if let Some(chat) = chat {
                            chat.dispatch(Event::EndChat);
                        }
                    }
                >
                    "End chat"
                </button>
            </Show>
            <button
                type="button"
                class="hc-panel__minimize"
                aria-label="Minimize chat"
                on:click=move |_| on_minimize.run(())
            >
                <svg viewBox="0 0 24 24" width="20" height="20" aria-hidden="true">
                    <path d="M5 12h14" stroke="currentColor" stroke-width="2" stroke-linecap="round"/>
                </svg>
            </button>
        </header>
    }
}
