//! Leptos components. They read the [`Chat`](crate::client::Chat) signals and send events
//! through it; they never call the network themselves.

mod app;
mod composer;
mod conversation;
mod header;
mod launcher;
pub mod message;
mod status;
mod survey_field;
mod survey_form;
mod transcript;

pub use app::App;

use std::sync::atomic::{AtomicU8, Ordering};

use handoff_core::i18n::{Lang, Text};

/// The interface language. One widget per page, so a global rather than a reactive
/// context (whose lookups cost every component wasm bytes).
static LANG: AtomicU8 = AtomicU8::new(0);

/// Sets the interface language (the App does, before rendering).
pub fn set_lang(lang: Lang) {
    LANG.store(lang as u8, Ordering::Relaxed);
}

/// The interface language the App set (English before, e.g. in component tests).
pub fn lang() -> Lang {
    Lang::ALL[usize::from(LANG.load(Ordering::Relaxed))]
}

/// A visible string in the interface language. Call while rendering, not in handlers.
pub fn t(text: Text) -> &'static str {
    lang().t(text)
}
pub use composer::Composer;
pub use survey_field::compile as compile_pattern;
pub use survey_form::SurveyForm;
pub use transcript::{retry_key, sync as sync_transcript};
