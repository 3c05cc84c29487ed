//! The message box: Enter sends, Shift+Enter adds a line, empty messages cannot be sent.

use handoff_core::i18n::Text;
use leptos::ev::KeyboardEvent;
use leptos::html;
use leptos::prelude::*;

use super::t;

/// Labelled textarea and send button.
#[component]
pub fn Composer(
    /// Called with the text when the visitor sends it.
    on_send: Callback<String>,
    /// Called on every edit (drives the typing indicator the agent sees).
    #[prop(optional)]
    on_input: Option<Callback<()>>,
) -> impl IntoView {
    let draft = RwSignal::new(String::new());
    let textarea = NodeRef::<html::Textarea>::new();
    let send = move || {
        let text = draft.get_untracked();
        if text.trim().is_empty() {
            return;
        }
        on_send.run(text);
        draft.set(String::new());
        if let Some(el) = textarea.get_untracked() {
            let _ = el.focus();
        }
    };
    view! {
        <form
            class="hc-composer"
            on:submit=move |ev| {
                ev.prevent_default();
                send();
            }
        >
            <label for="hc-message" class="hc-visually-hidden">{t(Text::MessageLabel)}</label>
            <textarea
                id="hc-message"
                class="hc-composer__input"
                rows="1"
                placeholder=t(Text::TypeMessage)
                node_ref=textarea
                prop:value=move || draft.get()
                on:input=move |ev| {
                    draft.set(event_target_value(&ev));
                    if let Some(on_input) = on_input {
                        on_input.run(());
                    }
                }
                on:keydown=move |ev: KeyboardEvent| {
                    if ev.key() == "Enter" && !ev.shift_key() && !ev.is_composing() {
                        ev.prevent_default();
                        send();
                    }
                }
            ></textarea>
            <button
                type="submit"
                class="hc-composer__send"
                aria-label=t(Text::Send)
                disabled=move || draft.with(|d| d.trim().is_empty())
            >
                <svg viewBox="0 0 24 24" width="20" height="20" aria-hidden="true">
                    <path d="M3 20l18-8L3 4v6l12 2-12 2z" fill="currentColor"/>
                </svg>
            </button>
        </form>
    }
}
