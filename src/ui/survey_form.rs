//! The pre-conversation survey. Validation is core's; this only shows the errors, moves
//! focus to the first invalid field, and hands valid answers on.

use handoff_core::i18n::Text;
use handoff_core::survey::{validate, FieldError, FieldId, SurveyAnswers, SurveyConfig};
use leptos::ev::SubmitEvent;
use leptos::html;
use leptos::prelude::*;

use super::survey_field::{CasePattern, SurveyField};
use super::t;

/// Form asking the configured fields (none: just the start button); Enter submits.
#[component]
pub fn SurveyForm(
    /// Which fields show, in order, and which are required.
    config: SurveyConfig,
    /// Answers to start from (the previous chat's, when starting a new one).
    #[prop(optional)]
    initial: SurveyAnswers,
    /// The site's invitation above the fields (default: a localized one).
    #[prop(optional_no_strip)]
    greeting: Option<String>,
    /// The site's small print under the start button.
    #[prop(optional_no_strip)]
    privacy: Option<String>,
    /// Called with the trimmed answers once they are valid.
    on_submit: Callback<SurveyAnswers>,
) -> impl IntoView {
    let answers = RwSignal::new(initial);
    let errors = RwSignal::new(Vec::<(FieldId, FieldError)>::new());
    let form = NodeRef::<html::Form>::new();
    let pattern = CasePattern::new(config.case_pattern.as_deref());
    let fields = config.fields.clone();

    let submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        let found = pattern.with(|p| validate(&config, &answers.get_untracked(), p));
        match found.first() {
            None => on_submit.run(answers.get_untracked().trimmed()),
            Some((first, _)) => focus_field(form, *first),
        }
        errors.set(found);
    };

    view! {
        <form class="hc-survey" novalidate on:submit=submit node_ref=form>
            <p class="hc-survey__intro">{greeting.unwrap_or_else(|| t(Text::SurveyIntro).to_owned())}</p>
            {fields
                .into_iter()
                .map(|spec| view! { <SurveyField spec=spec answers=answers errors=errors pattern=pattern/> })
                .collect_view()}
            <button type="submit" class="hc-button hc-button--primary">{t(Text::StartChat)}</button>
            {privacy.map(|text| view! { <p class="hc-survey__privacy">{text}</p> })}
        </form>
    }
}

fn focus_field(form: NodeRef<html::Form>, id: FieldId) {
    let selector = format!("#hc-field-{}", id.key());
    if let Some(Ok(Some(el))) = form.get_untracked().map(|f| f.query_selector(&selector)) {
        if let Some(el) = wasm_bindgen::JsCast::dyn_ref::<web_sys::HtmlElement>(&el) {
            let _ = el.focus();
        }
    }
}
