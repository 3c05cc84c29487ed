//! The whole widget: launcher plus panel. A configuration error replaces the chat with a
//! readable message for the site owner.

use handoff_core::config::{ConfigError, WidgetConfig};
use leptos::html;
use leptos::prelude::*;

use super::conversation::Conversation;
use super::header::Header;
use super::launcher::Launcher;
use crate::client::Chat;

/// Root component.
#[component]
pub fn App(
    /// The parsed script-tag configuration, or why it is unusable.
    config: Result<WidgetConfig, ConfigError>,
    /// Whether the panel starts open.
    #[prop(optional)]
    start_open: bool,
) -> impl IntoView {
    let open = RwSignal::new(start_open);
    let panel = NodeRef::<html::Section>::new();
    let title = config
        .as_ref()
        .map_or_else(|_| "Chat".to_owned(), |c| c.title.clone());
    let label = title.clone();
    let body = match config {
        Ok(config) => {
            provide_context(Chat::new(config.clone()));
            view! { <Conversation survey=config.survey/> }.into_any()
        }
        Err(error) => view! { <p class="hc-error" role="alert">{error.to_string()}</p> }.into_any(),
    };

    // Opening moves focus into the panel, to the first field the visitor can type in.
    Effect::new(move |_| {
        if open.get() {
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
            <Header title=title on_minimize=Callback::new(move |()| open.set(false))/>
            {body}
        </section>
        <Launcher open=open/>
    }
}
