//! Panel header: title and minimise button.

use leptos::prelude::*;

/// The panel's title bar.
#[component]
pub fn Header(
    /// Text shown as the panel title.
    title: String,
    /// Called when the visitor minimises the panel.
    on_minimize: Callback<()>,
) -> impl IntoView {
    view! {
        <header class="hc-panel__header">
            <h2 class="hc-panel__title">{title}</h2>
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
