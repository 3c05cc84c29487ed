//! The line under the transcript: connecting, could not connect, waiting for an agent
//! (with the queue position), or who is typing.

use handoff_core::i18n::Text;
use handoff_core::session::{waiting_text, Connectivity, Event, Phase};
use leptos::prelude::*;

use super::lang;
use crate::client::Chat;

/// Connection and handoff status; offers a retry after a failure.
#[component]
pub fn Status() -> impl IntoView {
    let chat = expect_context::<Chat>();
    let lang = lang();
    move || {
        match chat.phase.get() {
        Phase::Connecting => Some(view! { <p class="hc-status" role="status">{lang.t(Text::Connecting)}</p> }.into_any()),
        Phase::Failed(error) => Some(
            view! {
                <div class="hc-status hc-status--error" role="alert">
                    <p>{error.visitor_message(lang)}</p>
                    <button type="button" class="hc-button" on:click=move |_| chat.dispatch(Event::RetryConnect)>
                        {lang.t(Text::TryAgain)}
                    </button>
                </div>
            }
            .into_any(),
        ),
        Phase::Chatting if chat.connectivity.get() != Connectivity::Online => {
            let (text, lost) = match chat.connectivity.get() {
                Connectivity::Lost => (Text::ConnectionLost, true),
                Connectivity::Slow => (Text::StillReconnecting, false),
                _ => (Text::Reconnecting, false),
            };
            Some(
                view! {
                    <div class="hc-status hc-status--offline" role="status">
                        <p>{lang.t(text)}</p>
                        {lost.then(|| view! {
                            <button type="button" class="hc-button" on:click=move |_| chat.dispatch(Event::RetryConnection)>
                                {lang.t(Text::Retry)}
                            </button>
                        })}
                    </div>
                }
                .into_any(),
            )
        }
        Phase::Chatting => {
            let typing = chat.typing.get();
            let waiting = chat.handoff.with(|h| waiting_text(h, lang));
            typing.or(waiting).map(|text| {
                view! { <p class="hc-status hc-status--handoff" role="status">{text}</p> }.into_any()
            })
        }
        Phase::Survey | Phase::Ended => None,
    }
    }
}
