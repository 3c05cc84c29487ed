//! One transcript entry. Text is inserted as a text node: markup in it stays visible text.
//! An entry with rich content carries its activity in `data-rich`; the rich module, once
//! the loader has fetched it, draws that over the text, and the suggested actions of an
//! entry marked `data-suggest` under it.

use handoff_core::i18n::{fill, Text};
use handoff_core::transcript::{Author, Delivery, Entry};
use leptos::prelude::*;
use wasm_bindgen::JsValue;

use super::t;

/// A message bubble with sender, time and (for the visitor's own) delivery state; agent
/// messages carry the agent's initial, and widget notices are a centred line.
#[component]
pub fn Message(
    /// The entry to show.
    entry: Entry,
    /// Called when the visitor asks to resend a failed message.
    on_retry: Callback<()>,
) -> impl IntoView {
    if entry.author == Author::System {
        return view! { <li class="hc-notice">{entry.text}</li> }.into_any();
    }
    let from_visitor = entry.author == Author::Visitor;
    let from_agent = entry.author == Author::Agent;
    let initial = entry
        .sender
        .chars()
        .next()
        // ASCII upper-casing only: full Unicode case tables cost kilobytes of wasm.
        .map(|c| c.to_ascii_uppercase().to_string());
    let sender = (!from_visitor && !entry.sender.is_empty()).then(|| {
        let name = entry.sender.clone();
        if from_agent {
            // Screen readers hear "Alex (agent)"; sighted visitors see the initial and name.
            view! {
                <span class="hc-msg__sender">
                    <span class="hc-msg__avatar" aria-hidden="true">{initial}</span>
                    <span aria-hidden="true">{name.clone()}</span>
                    <span class="hc-visually-hidden">{fill(t(Text::AgentSuffix), &[&name])}</span>
                </span>
            }
            .into_any()
        } else {
            view! { <span class="hc-msg__sender">{name}</span> }.into_any()
        }
    });
    let status = match entry.delivery {
        Delivery::Queued => Some(t(Text::WaitingToSend)),
        Delivery::Sending => Some(t(Text::Sending)),
        Delivery::Sent => Some(t(Text::Sent)),
        Delivery::Failed => Some(t(Text::NotSent)),
        Delivery::Received => None,
    };
    let failed = entry.delivery == Delivery::Failed;
    // One static class string: each reactive class toggle costs the wasm code per message view.
    let class = match (entry.author, failed) {
        (Author::Visitor, true) => "hc-msg hc-msg--visitor hc-msg--failed",
        (Author::Visitor, false) => "hc-msg hc-msg--visitor",
        (Author::Agent, _) => "hc-msg hc-msg--agent",
        _ => "hc-msg hc-msg--bot",
    };
    view! {
        <li class=class data-delivery=entry.delivery.as_str() data-suggest=entry.suggested.then_some("")>
            {sender}
            // The rich module (loaded by the loader) draws `data-rich` over the text.
            <div class="hc-msg__text" data-rich=entry.rich>{entry.text}</div>
            <span class="hc-msg__meta">
                <time datetime=entry.timestamp.clone()>{clock(&entry.timestamp)}</time>
                {status.map(|s| view! { <span class="hc-msg__status">{s}</span> })}
                {failed
                    .then(|| {
                        view! {
                            <button type="button" class="hc-msg__retry" on:click=move |_| on_retry.run(())>
                                {t(Text::Retry)}
                            </button>
                        }
                    })}
            </span>
        </li>
    }
    .into_any()
}

/// Local "HH:MM" for an ISO 8601 timestamp ("" when it cannot be read).
fn clock(timestamp: &str) -> String {
    let date = js_sys::Date::new(&JsValue::from_str(timestamp));
    if timestamp.is_empty() || date.get_time().is_nan() {
        return String::new();
    }
    format!("{:02}:{:02}", date.get_hours(), date.get_minutes())
}
