//! The page side of the widget: events for `HandoffChat.on(...)` and the `handoff-chat:*`
//! DOM events. The loader owns the JS API object; it hands [`mount`](crate::mount) one
//! function to call, which this module keeps.

use std::cell::RefCell;

use wasm_bindgen::JsValue;

thread_local! {
    static EMIT: RefCell<Option<js_sys::Function>> = const { RefCell::new(None) };
}

/// Keeps the loader's `emit(name, detailJson)` function.
pub fn set_emitter(emit: js_sys::Function) {
    EMIT.with(|e| *e.borrow_mut() = Some(emit));
}

/// Tells the page about `name` (`opened`, `message-received`, ...). A listener that throws
/// is the page's problem: the error is logged, the chat goes on.
pub fn emit(name: &str, detail: &serde_json::Value) {
    EMIT.with(|e| {
        if let Some(emit) = e.borrow().as_ref() {
            let detail = JsValue::from_str(&serde_json::to_string(detail).unwrap_or_default());
            if let Err(error) = emit.call2(&JsValue::NULL, &JsValue::from_str(name), &detail) {
                web_sys::console::error_2(&"handoff-chat: a page listener failed".into(), &error);
            }
        }
    });
}
