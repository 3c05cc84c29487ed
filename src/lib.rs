//! handoff-chat widget: the browser side.
//!
//! Layout:
//! - [`client`]: Direct Line I/O and the controller running the core session's effects.
//! - [`ui`]: Leptos components (no network access).
//!
//! The loader script (`loader/handoff-chat.js`) creates the host element, its shadow root
//! and stylesheet, then calls [`mount`] with the script tag's `data-*` attributes. Nothing
//! here touches the host page outside that shadow root.

pub mod client;
pub mod ui;

use std::collections::BTreeMap;

use handoff_core::config::WidgetConfig;
use leptos::prelude::*;
use wasm_bindgen::prelude::*;

/// Mounts the widget into `container` (inside the loader's shadow root).
/// `attributes` is the script tag's dataset; `fallback_locale` the browser's language;
/// `open` is true when the visitor clicked the loader's launcher before the wasm was ready.
#[wasm_bindgen]
pub fn mount(
    container: web_sys::HtmlElement,
    attributes: js_sys::Object,
    fallback_locale: String,
    open: bool,
) {
    // Debug builds log panics; the release build aborts without formatting them (size).
    #[cfg(debug_assertions)]
    console_error_panic_hook::set_once();
    let config = WidgetConfig::from_attributes(&dataset(&attributes), &fallback_locale);
    if let Err(error) = &config {
        web_sys::console::error_1(&error.to_string().into());
    }
    leptos::mount::mount_to(
        container,
        move || view! { <ui::App config=config start_open=open/> },
    )
    .forget();
}

/// Reads a plain JS object of string values (non-strings are ignored).
fn dataset(object: &js_sys::Object) -> BTreeMap<String, String> {
    js_sys::Object::entries(object)
        .iter()
        .filter_map(|pair| {
            let pair = js_sys::Array::from(&pair);
            Some((pair.get(0).as_string()?, pair.get(1).as_string()?))
        })
        .collect()
}
