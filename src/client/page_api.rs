//! The page side of the widget: the commands of the `HandoffChat` API object (`open`,
//! `startChat`, `setContext`, ...) and the events for `HandoffChat.on(...)` and the
//! `handoff-chat:*` DOM events. The loader owns the JS API object; it calls the one
//! function [`commands`] makes and hands [`mount`](crate::mount) the emitter kept here.

use std::cell::RefCell;

use handoff_core::session::{Event, Phase};
use handoff_core::survey::SurveyAnswers;
use leptos::prelude::*;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsValue;

use super::Chat;

thread_local! {
    static EMIT: RefCell<Option<js_sys::Function>> = const { RefCell::new(None) };
}

/// Keeps the loader's `emit(name, values)` function.
pub fn set_emitter(emit: js_sys::Function) {
    EMIT.with(|e| *e.borrow_mut() = Some(emit));
}

/// Tells the page about `name` (`opened`, `message-received`, ...) with the values the
/// loader puts in the event's `detail` (see [`handoff_core::page_events`]). A listener that
/// throws is the page's problem: the error is logged, the chat goes on.
pub fn emit(name: &str, values: &[String]) {
    EMIT.with(|e| {
        if let Some(emit) = e.borrow().as_ref() {
            let values: js_sys::Array = values.iter().map(|v| JsValue::from_str(v)).collect();
            if let Err(error) = emit.call2(&JsValue::NULL, &JsValue::from_str(name), &values) {
                web_sys::console::error_2(&"handoff-chat: a page listener failed".into(), &error);
            }
        }
    });
}

/// The function the loader calls for each API command: `command(name, json)`. `open`:
/// whether the panel shows; `chat`: the chat, once mounted (none when the config is bad).
pub fn commands(
    open: RwSignal<bool>,
    chat: StoredValue<Option<Chat>, LocalStorage>,
    survey_fields: usize,
) -> js_sys::Function {
    let command = move |name: String, json: Option<String>| {
        let chat = chat.get_value();
        match name.as_str() {
            "open" => open.set(true),
            "close" => open.set(false),
            "toggle" => open.update(|o| *o = !*o),
            "startChat" => {
                open.set(true);
                if let Some(chat) = chat {
                    start_chat(chat, survey_fields);
                }
            }
            "endChat" => {
                if let Some(chat) = chat {
                    chat.dispatch(Event::EndChat);
                }
            }
            // The rich module's card and suggested actions (the loader's, not the page's).
            "cardAction" => {
                if let (Some(chat), Some(json)) = (chat, json) {
                    chat.dispatch(Event::CardAction(json));
                }
            }
            "setContext" => {
                let values = json.and_then(|j| serde_json::from_str(&j).ok());
                match (chat, values) {
                    (Some(chat), Some(values)) => chat.dispatch(Event::ContextSet(values)),
                    (_, None) => web_sys::console::error_1(
                        &"handoff-chat: setContext takes a plain object of values".into(),
                    ),
                    _ => {}
                }
            }
            _ => {}
        }
    };
    Closure::<dyn Fn(String, Option<String>)>::new(command)
        .into_js_value()
        .unchecked_into()
}

/// `startChat()`: a new chat after an ended one; with no survey fields the conversation
/// starts at once, otherwise the survey shows (required answers cannot be skipped).
fn start_chat(chat: Chat, survey_fields: usize) {
    if chat.phase_now() == Some(Phase::Ended) {
        chat.restart();
    }
    if survey_fields == 0 && chat.phase_now() == Some(Phase::Survey) {
        chat.dispatch(Event::SurveySubmitted(SurveyAnswers::default()));
    }
}
