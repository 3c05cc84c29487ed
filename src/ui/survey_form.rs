//! The pre-conversation survey. Validation is core's; this only shows the errors, moves
//! focus to the first invalid field, and hands valid answers on.

use handoff_core::survey::{validate, FieldError, FieldId, SurveyAnswers, SurveyConfig};
use leptos::ev::SubmitEvent;
use leptos::html;
use leptos::prelude::*;

use super::survey_field::SurveyField;

/// Form asking the configured fields; Enter in any field submits.
#[component]
pub fn SurveyForm(
    /// Which fields show, in order, and which are required.
    config: SurveyConfig,
    /// Answers to start from (the previous chat's, when starting a new one).
    #[prop(optional)]
    initial: SurveyAnswers,
    /// Called with the trimmed answers once they are valid.
    on_submit: Callback<SurveyAnswers>,
) -> impl IntoView {
    let answers = RwSignal::new(initial);
    let errors = RwSignal::new(Vec::<(FieldId, FieldError)>::new());
    let form = NodeRef::<html::Form>::new();
    let fields = config.fields.clone();

    let submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        let found = validate(&config, &answers.get_untracked());
        match found.first() {
            None => on_submit.run(answers.get_untracked().trimmed()),
            Some((first, _)) => focus_field(form, *first),
        }
        errors.set(found);
    };

    view! {
        <form class="hc-survey" novalidate on:submit=submit node_ref=form>
            <p class="hc-survey__intro">"Before we start, tell us a little about you."</p>
            {fields
                .into_iter()
                .map(|spec| view! { <SurveyField spec=spec answers=answers errors=errors/> })
                .collect_view()}
            <button type="submit" class="hc-button hc-button--primary">"Start chat"</button>
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
