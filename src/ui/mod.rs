//! Leptos components. They read the [`Chat`](crate::client::Chat) signals and send events
//! through it; they never call the network themselves.

mod app;
mod composer;
mod conversation;
mod header;
mod launcher;
mod message;
mod status;
mod survey_field;
mod survey_form;
mod transcript;

pub use app::App;

use handoff_core::i18n::{Lang, Text};
use leptos::prelude::*;

/// The interface language the App provided (English outside an App, e.g. in tests).
pub fn lang() -> Lang {
    use_context::<Lang>().unwrap_or_default()
}

/// A visible string in the interface language. Call while rendering, not in handlers.
pub fn t(text: Text) -> &'static str {
    lang().t(text)
}
pub use composer::Composer;
pub use message::Message;
pub use survey_field::compile as compile_pattern;
pub use survey_form::SurveyForm;
