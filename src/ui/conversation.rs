//! Panel body: the survey first, then the transcript with its status line and composer.
//! The transcript view is created once, so the composer keeps its draft across phases.

use handoff_core::session::{Event, Phase};
use handoff_core::survey::SurveyConfig;
use leptos::prelude::*;

use super::composer::Composer;
use super::status::Status;
use super::survey_form::SurveyForm;
use super::transcript::Transcript;
use crate::client::Chat;

/// Survey or conversation, depending on the session phase.
#[component]
pub fn Conversation(
    /// Which survey fields to ask.
    survey: SurveyConfig,
) -> impl IntoView {
    let chat = expect_context::<Chat>();
    let in_survey = Memo::new(move |_| chat.phase.with(|p| *p == Phase::Survey));
    view! {
        <Show
            when=move || in_survey.get()
            fallback=move || {
                view! {
                    <Transcript/>
                    <Status/>
                    <Composer on_send=Callback::new(move |text| chat.dispatch(Event::MessageTyped(text)))/>
                }
            }
        >
            <SurveyForm
                config=survey.clone()
                on_submit=Callback::new(move |answers| chat.dispatch(Event::SurveySubmitted(answers)))
            />
        </Show>
    }
}
