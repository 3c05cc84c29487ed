//! The rich content module (`handoff-chat-rich.js`, built from `rich/`): loaded once, at
//! once for the first entry that needs it or when the browser is idle after the chat
//! starts, then asked to draw an entry's activity or the suggested actions into an
//! element. Until it arrives, and if it never does, the entry's text shows.

use std::cell::RefCell;

use handoff_core::session::Event;
use leptos::prelude::*;
use leptos::task::spawn_local;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

use super::Chat;

#[derive(Default)]
struct Rich {
    /// The loader's `rich(idle)`: a promise of the module, fetched once.
    loader: Option<js_sys::Function>,
    /// How soon it was asked for: 0 not yet, 1 when idle, 2 at once.
    asked: u8,
    module: Option<JsValue>,
    /// What the module calls with a card action's post.
    on_post: Option<js_sys::Function>,
}

thread_local! {
    static RICH: RefCell<Rich> = RefCell::default();
}

/// Keeps the loader's `rich` function for later.
pub fn set_loader(loader: Option<js_sys::Function>) {
    RICH.with_borrow_mut(|r| r.loader = loader);
}

/// Asks for the module (`idle`: when the browser has nothing else to do); `rich_ready`
/// turns true when it is there.
pub fn load(chat: Chat, idle: bool) {
    let level = if idle { 1 } else { 2 };
    let (loader, first) = RICH.with_borrow_mut(|r| {
        let before = r.asked;
        r.asked = before.max(level);
        (r.loader.clone().filter(|_| level > before), before == 0)
    });
    let Some(Ok(promise)) = loader.map(|l| l.call1(&JsValue::NULL, &idle.into())) else {
        return;
    };
    // One promise: a later "at once" only hurries the loader along.
    if !first {
        return;
    }
    spawn_local(async move {
        match JsFuture::from(js_sys::Promise::from(promise)).await {
            Ok(module) => {
                let post = Closure::<dyn Fn(String)>::new(move |json| {
                    chat.dispatch(Event::CardAction(json))
                });
                RICH.with_borrow_mut(|r| {
                    r.module = Some(module);
                    r.on_post = Some(post.into_js_value().unchecked_into());
                });
                chat.rich_ready.set(true);
            }
            Err(error) => web_sys::console::warn_2(
                &"handoff-chat: rich content could not load; showing text".into(),
                &error,
            ),
        }
    });
}

/// Draws `json` (an activity) into `el` with the module's `render` or `suggest`; false
/// when the module is not there yet.
pub fn draw(method: &str, el: &web_sys::Element, json: &str, chat: Chat) -> bool {
    RICH.with_borrow(|r| {
        let (Some(module), Some(on_post)) = (&r.module, &r.on_post) else {
            return false;
        };
        let Ok(f) = js_sys::Reflect::get(module, &method.into()) else {
            return false;
        };
        let (user_id, locale) = chat.identity();
        let args = js_sys::Array::of5(el, &json.into(), &user_id.into(), &locale.into(), on_post);
        f.unchecked_into::<js_sys::Function>()
            .apply(&JsValue::NULL, &args)
            .is_ok()
    })
}
