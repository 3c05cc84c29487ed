//! Panel body: the survey first, then the transcript with its status line and composer.
//! The transcript view is created once, so the composer keeps its draft across phases.

use handoff_core::i18n::Text;
use handoff_core::session::{Event, Phase};
use handoff_core::survey::SurveyConfig;
use leptos::prelude::*;

use super::composer::Composer;
use super::status::Status;
use super::survey_form::SurveyForm;
use super::t;
use super::transcript::Transcript;
use crate::client::Chat;

/// Survey or conversation, depending on the session phase.
#[component]
pub fn Conversation(
    /// Which survey fields to ask.
    survey: SurveyConfig,
    /// The site's invitation above the survey.
    #[prop(optional_no_strip)]
    greeting: Option<String>,
    /// The site's small print under the survey.
    #[prop(optional_no_strip)]
    privacy: Option<String>,
) -> impl IntoView {
    let chat = expect_context::<Chat>();
    let in_survey = Memo::new(move |_| chat.phase.with(|p| *p == Phase::Survey));
    let ended = Memo::new(move |_| chat.phase.with(|p| *p == Phase::Ended));

    view! {
        <Show
            when=move || in_survey.get()
            fallback=move || {
                view! {
                    <Transcript/>
                    <Status/>
                    <Show
                        when=move || ended.get()
                        fallback=move || {
                            view! {
                                <Composer
                                    on_send=Callback::new(move |text| chat.dispatch(Event::MessageTyped(text)))
                                    on_input=Callback::new(move |()| chat.dispatch(Event::VisitorTyping))
                                />
                            }
                        }
                    >
                        <div class="hc-ended">
                            <button type="button" class="hc-button hc-button--primary" on:click=move |_| chat.restart()>
                                {t(Text::StartNewChat)}
                            </button>
                        </div>
                    </Show>
                }
            }
        >
            <SurveyForm
                config=survey.clone()
                initial=chat.answers().unwrap_or_default()
                greeting=greeting.clone()
                privacy=privacy.clone()
                on_submit=Callback::new(move |answers| chat.dispatch(Event::SurveySubmitted(answers)))
            />
        </Show>
    }
}
