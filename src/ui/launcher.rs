//! The round button in the page corner that opens and closes the panel.

use handoff_core::i18n::Text;
use leptos::prelude::*;

use super::lang;

/// Launcher button; its accessible name says what a press does.
#[component]
pub fn Launcher(
    /// Whether the panel is open; the launcher toggles it.
    open: RwSignal<bool>,
    /// The site's name for the button (default: "Open chat" in the visitor's language).
    #[prop(optional_no_strip)]
    label: Option<String>,
) -> impl IntoView {
    let lang = lang();
    let open_label = label.unwrap_or_else(|| lang.t(Text::OpenChat).to_owned());
    view! {
        <button
            type="button"
            class="hc-launcher"
            class=("hc-launcher--open", move || open.get())
            aria-label=move || if open.get() { lang.t(Text::CloseChat).to_owned() } else { open_label.clone() }
            aria-expanded=move || open.get().to_string()
            on:click=move |_| open.update(|o| *o = !*o)
        >
            <svg viewBox="0 0 24 24" width="28" height="28" aria-hidden="true">
                <path
                    d="M4 5h16v11H8l-4 4z"
                    fill="none"
                    stroke="currentColor"
                    stroke-width="2"
                    stroke-linejoin="round"
                />
            </svg>
        </button>
    }
}
