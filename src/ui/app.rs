//! The whole widget: launcher plus panel. A configuration error replaces the chat with a
//! readable message for the site owner.

use handoff_core::config::{ConfigError, WidgetConfig};
use handoff_core::i18n::{Lang, Text};
use leptos::html;
use leptos::prelude::*;

use super::conversation::Conversation;
use super::header::Header;
use super::launcher::Launcher;
use crate::client::{page_api, Chat};

/// Root component.
#[component]
pub fn App(
    /// The parsed script-tag configuration, or why it is unusable.
    config: Result<WidgetConfig, ConfigError>,
    /// Whether the panel is open (the page API drives it too).
    #[prop(optional)]
    open: Option<RwSignal<bool>>,
    /// The chat, when the caller created it (the page API needs it); else one is made here.
    #[prop(optional_no_strip)]
    chat: Option<Chat>,
    /// The interface language when the configuration is unusable.
    #[prop(optional)]
    fallback_lang: Lang,
) -> impl IntoView {
    let open = open.unwrap_or_else(|| RwSignal::new(false));
    let panel = NodeRef::<html::Section>::new();
    let lang = config.as_ref().map_or(fallback_lang, |c| c.lang);
    super::set_lang(lang);
    let title = config
        .as_ref()
        .map_or_else(|_| lang.t(Text::ChatTitle).to_owned(), |c| c.title.clone());
    let label = title.clone();
    let (subtitle, launcher_label) = config.as_ref().map_or((None, None), |c| {
        (c.subtitle.clone(), c.launcher_label.clone())
    });
    let body = match config {
        Ok(config) => {
            provide_context(chat.unwrap_or_else(|| Chat::new(config.clone())));
            view! {
                <Conversation
                    survey=config.survey
                    greeting=config.greeting
                    privacy=config.privacy
                />
            }
            .into_any()
        }
        Err(error) => view! { <p class="hc-error" role="alert">{error.to_string()}</p> }.into_any(),
    };

    // Opening moves focus into the panel, to the first field the visitor can type in, and
    // tells the page.
    Effect::new(move |was_open: Option<bool>| {
        let is_open = open.get();
        if is_open {
            if let Some(panel) = panel.get() {
                if let Ok(Some(field)) = panel.query_selector("input, textarea") {
                    if let Some(field) =
                        wasm_bindgen::JsCast::dyn_ref::<web_sys::HtmlElement>(&field)
                    {
                        let _ = field.focus();
                    }
                }
            }
        }
        if was_open.is_some_and(|was| was != is_open) {
            let name = if is_open { "opened" } else { "closed" };
            page_api::emit(name, &[]);
        }
        is_open
    });

    view! {
        <section
            class="hc-panel"
            class=("hc-panel--open", move || open.get())
            role="dialog"
            aria-label=label
            hidden=move || !open.get()
            node_ref=panel
        >
            <Header title=title subtitle=subtitle on_minimize=Callback::new(move |()| open.set(false))/>
            {body}
        </section>
        <Launcher open=open label=launcher_label/>
    }
}
