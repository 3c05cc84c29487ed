//! The line under the transcript: connecting, could not connect, waiting for an agent
//! (with the queue position), or who is typing.

use handoff_core::session::{waiting_text, Connectivity, Event, Phase};
use leptos::prelude::*;

use crate::client::Chat;

/// Connection and handoff status; offers a retry after a failure.
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
        Phase::Chatting if chat.connectivity.get() != Connectivity::Online => {
            let (text, lost) = match chat.connectivity.get() {
                Connectivity::Lost => ("Connection lost. Your messages are kept.", true),
                Connectivity::Slow => ("Still reconnecting… your messages will be sent when the connection is back.", false),
                _ => ("Reconnecting…", false),
            };
            Some(
                view! {
                    <div class="hc-status hc-status--offline" role="status">
                        <p>{text}</p>
                        {lost.then(|| view! {
                            <button type="button" class="hc-button" on:click=move |_| chat.dispatch(Event::RetryConnection)>
                                "Retry"
                            </button>
                        })}
                    </div>
                }
                .into_any(),
            )
        }
        Phase::Chatting => {
            let typing = chat.agent_typing.get().map(|name| format!("{name} is typing…"));
            let waiting = chat.handoff.with(waiting_text);
            typing.or(waiting).map(|text| {
                view! { <p class="hc-status hc-status--handoff" role="status">{text}</p> }.into_any()
            })
        }
        Phase::Survey | Phase::Ended => None,
    }
    }
}
