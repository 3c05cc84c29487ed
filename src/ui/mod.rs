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
pub use composer::Composer;
pub use message::Message;
pub use survey_form::SurveyForm;
