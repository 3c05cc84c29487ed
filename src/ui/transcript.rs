//! The message list: a keyed list, so an update re-renders only the entries that changed.

use handoff_core::i18n::Text;
use leptos::html;
use leptos::prelude::*;

use super::message::Message;
use super::t;
use crate::client::Chat;

/// Transcript of the conversation, announced politely to screen readers.
#[component]
pub fn Transcript() -> impl IntoView {
    let chat = expect_context::<Chat>();
    let list = NodeRef::<html::Ol>::new();
    // Keep the newest message in view.
    Effect::new(move |_| {
        chat.entries.track();
        request_animation_frame(move || {
            if let Some(list) = list.get_untracked() {
                list.set_scroll_top(list.scroll_height());
            }
        });
    });
    view! {
        <ol class="hc-transcript" role="log" aria-live="polite" aria-label=t(Text::ConversationLabel) node_ref=list>
            <For
                each=move || chat.entries.get()
                // A livestreamed answer keeps its key while its text grows; suggested
                // actions come and go with their message.
                key=|entry| (entry.key.clone(), entry.delivery.as_str(), entry.text.len(), entry.suggested)
                children=move |entry| {
                    let key = entry.key.clone();
                    view! {
                        <Message
                            entry=entry
                            on_retry=Callback::new(move |()| {
                                chat.dispatch(handoff_core::session::Event::RetryMessage(key.clone()))
                            })
                        />
                    }
                }
            />
        </ol>
    }
}
