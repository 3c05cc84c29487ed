//! handoff-chat widget: the browser side.
//!
//! Layout:
//! - [`client`]: Direct Line I/O, the controller running the core session's effects, and
//!   the page API's events.
//! - [`ui`]: Leptos components (no network access).
//!
//! The loader script (`loader/handoff-chat.js`) creates the host element, its shadow root
//! and stylesheet, owns `window.HandoffChat`, then calls [`mount`] with the script tag's
//! `data-*` attributes. Nothing here touches the host page outside that shadow root.

pub mod client;
pub mod ui;

use std::collections::BTreeMap;

use handoff_core::config::{ConfigError, WidgetConfig};
use handoff_core::i18n::{self, Lang};
use leptos::prelude::*;
use wasm_bindgen::prelude::*;

use client::{page_api, Chat};

/// Mounts the widget into `container` (inside the loader's shadow root) and returns the
/// function the page API calls: `command(name, json)`.
///
/// `attributes`: the script tag's dataset merged with the page's config object;
/// `fallback_locale`: the page's `lang`, else the browser's language; `open`: the visitor
/// clicked the loader's launcher (or the page called `open()`) before the wasm was ready;
/// `emit(name, values)`: how the page hears about the chat; `translation`: the strings of
/// `locales/<lang>.js` for a visitor whose language is not English.
#[wasm_bindgen]
pub fn mount(
    container: web_sys::HtmlElement,
    attributes: js_sys::Object,
    fallback_locale: String,
    open: bool,
    emit: js_sys::Function,
    translation: Option<js_sys::Array>,
) -> js_sys::Function {
    // Debug builds log panics; the release build aborts without formatting them (size).
    #[cfg(debug_assertions)]
    console_error_panic_hook::set_once();
    page_api::set_emitter(emit);
    if let Some(strings) = translation {
        install_translation(&strings);
    }
    let config = WidgetConfig::from_attributes(&dataset(&attributes), &fallback_locale)
        .and_then(check_pattern);
    let lang = config
        .as_ref()
        .map_or_else(|_| Lang::pick([fallback_locale.as_str()]), |c| c.lang);
    apply_look(&container, lang, config.as_ref().ok());
    match &config {
        Err(error) => {
            web_sys::console::error_1(&error.to_string().into());
            page_api::emit("error", &[error.to_string()]);
        }
        Ok(c) if c.secret.is_some() => web_sys::console::warn_1(
            &"handoff-chat: WARNING: data-directline-secret puts your Direct Line secret in \
              the page, where anyone can read it and use your bot. Use it for local testing \
              only; production pages use data-token-url."
                .into(),
        ),
        Ok(_) => {}
    }
    let open = RwSignal::new(open || config.as_ref().is_ok_and(|c| c.start_open));
    let survey_fields = config.as_ref().map_or(0, |c| c.survey.fields.len());
    // Made inside mount_to (a resumed chat starts requests at once, which needs the task
    // executor it sets up) and kept here for the page API.
    let slot = StoredValue::new_local(None::<Chat>);
    leptos::mount::mount_to(container, move || {
        let chat = config.as_ref().ok().map(|c| Chat::new(c.clone()));
        slot.set_value(chat);
        view! { <ui::App config=config open=open chat=chat fallback_lang=lang/> }
    })
    .forget();
    page_api::commands(open, slot, survey_fields)
}

/// Installs the loaded locale table (its first value is the language tag).
fn install_translation(strings: &js_sys::Array) {
    let mut strings: Vec<String> = strings.iter().filter_map(|s| s.as_string()).collect();
    let lang = Lang::from_tag(&strings.remove(0));
    if let Err(why) = lang
        .ok_or("unknown language")
        .and_then(|l| i18n::install(l, strings))
    {
        web_sys::console::warn_1(&format!("handoff-chat: showing English: {why}").into());
    }
}

/// A case-number pattern the browser cannot compile is a configuration error.
fn check_pattern(config: WidgetConfig) -> Result<WidgetConfig, ConfigError> {
    match config
        .survey
        .case_pattern
        .as_deref()
        .map(ui::compile_pattern)
    {
        Some(Err(_)) => Err(ConfigError::BadPattern {
            value: config.survey.case_pattern.unwrap_or_default(),
        }),
        _ => Ok(config),
    }
}

/// Language, direction and brand colour on the widget's root element (CSSOM, which a
/// strict Content-Security-Policy allows, unlike style attributes).
fn apply_look(container: &web_sys::HtmlElement, lang: Lang, config: Option<&WidgetConfig>) {
    let _ = container.set_attribute("lang", lang.tag());
    let _ = container.set_attribute("dir", if lang.rtl() { "rtl" } else { "ltr" });
    if let Some((color, on_color)) = config.and_then(|c| c.primary_color.as_ref()) {
        let style = container.style();
        let _ = style.set_property("--hc-primary", color);
        let _ = style.set_property("--hc-on-primary", on_color);
    }
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
