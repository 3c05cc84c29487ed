//! The round button in the page corner that opens and closes the panel.

use leptos::prelude::*;

/// Launcher button; its accessible name says what a press does.
#[component]
pub fn Launcher(
    /// Whether the panel is open; the launcher toggles it.
    open: RwSignal<bool>,
) -> impl IntoView {
    view! {
        <button
            type="button"
            class="hc-launcher"
            class=("hc-launcher--open", move || open.get())
            aria-label=move || if open.get() { "Close chat" } else { "Open chat" }
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
