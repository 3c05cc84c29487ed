//! The line under the transcript that says the chat is connecting or could not connect.

use handoff_core::session::{Event, Phase};
use leptos::prelude::*;

use crate::client::Chat;

/// Connection status; offers a retry after a failure.
#[component]
pub fn Status() -> impl IntoView {
    let chat = expect_context::<Chat>();
    move || {
        match chat.phase.get() {
        Phase::Connecting => Some(view! { <p class="hc-status" role="status">"Connecting…"</p> }.into_any()),
        Phase::Failed(error) => Some(
            view! {
                <div class="hc-status hc-status--error" role="alert">
                    <p>{error.visitor_message()}</p>
                    <button type="button" class="hc-button" on:click=move |_| chat.dispatch(Event::RetryConnect)>
                        "Try again"
                    </button>
                </div>
            }
            .into_any(),
        ),
        Phase::Survey | Phase::Chatting => None,
    }
    }
}
