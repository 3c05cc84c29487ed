//! The page side of the widget: events for `HandoffChat.on(...)` and the `handoff-chat:*`
//! DOM events. The loader owns the JS API object; it hands [`mount`](crate::mount) one
//! function to call, which this module keeps.

use std::cell::RefCell;

use wasm_bindgen::JsValue;

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
