//! Panel header: title, who the visitor is talking to, end-chat and minimise buttons.

use handoff_core::handoff::Handoff;
use handoff_core::i18n::{fill, Text};
use handoff_core::session::{Event, Phase};
use leptos::prelude::*;

use super::lang;
use crate::client::Chat;

/// The panel's title bar. Offers "End chat" while a conversation is live.
#[component]
pub fn Header(
    /// Text shown as the panel title.
    title: String,
    /// The site's line under the title, shown while no agent is involved.
    #[prop(optional_no_strip)]
    subtitle: Option<String>,
    /// Called when the visitor minimises the panel.
    on_minimize: Callback<()>,
) -> impl IntoView {
    let chat = use_context::<Chat>();
    let lang = lang();
    let live = move || {
        chat.is_some_and(|c| {
            c.phase
                .with(|p| matches!(p, Phase::Connecting | Phase::Chatting))
        })
    };
    let subtitle = move || {
        let handoff = chat.map(|c| c.handoff.get()).unwrap_or_default();
        match handoff {
            Handoff::Engaged { agent } => Some(fill(lang.t(Text::ChattingWith), &[&agent.name])),
            Handoff::Waiting { .. } => Some(lang.t(Text::WaitingForAgent).to_owned()),
            Handoff::None => subtitle.clone(),
        }
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
                    {lang.t(Text::EndChat)}
                </button>
            </Show>
            <button
                type="button"
                class="hc-panel__minimize"
                aria-label=lang.t(Text::MinimizeChat)
                on:click=move |_| on_minimize.run(())
            >
                <svg viewBox="0 0 24 24" width="20" height="20" aria-hidden="true">
                    <path d="M5 12h14" stroke="currentColor" stroke-width="2" stroke-linecap="round"/>
                </svg>
            </button>
        </header>
    }
}
