//! One labelled survey input with its inline, accessible error.

use handoff_core::survey::{check_field, FieldError, FieldId, FieldSpec, SurveyAnswers};
use leptos::prelude::*;
use wasm_bindgen::JsValue;

use super::lang;

/// The site's case-number pattern, compiled by the browser (`data-case-number-pattern`).
#[derive(Clone, Copy)]
pub struct CasePattern(StoredValue<Option<js_sys::RegExp>, LocalStorage>);

impl CasePattern {
    pub fn new(source: Option<&str>) -> Self {
        Self(StoredValue::new_local(source.and_then(|s| compile(s).ok())))
    }

    /// Runs `f` with the matcher core's validation takes.
    pub fn with<R>(self, f: impl FnOnce(handoff_core::survey::CasePattern<'_>) -> R) -> R {
        self.0.with_value(|re| match re {
            Some(re) => f(Some(&|value: &str| re.test(value))),
            None => f(None),
        })
    }
}

#[wasm_bindgen::prelude::wasm_bindgen]
extern "C" {
    /// `RegExp(source, flags)`, which throws on a bad pattern (js-sys's constructor aborts).
    #[wasm_bindgen(catch, js_name = RegExp)]
    fn regexp(source: &str, flags: &str) -> Result<js_sys::RegExp, JsValue>;
}

/// The pattern as a whole-value, Unicode regular expression; Err when it does not compile
/// (the configuration error names the attribute).
pub fn compile(source: &str) -> Result<js_sys::RegExp, JsValue> {
    regexp(&format!("^(?:{source})$"), "u")
}

/// A label, an input and the error under it (linked by aria-describedby).
#[component]
pub fn SurveyField(
    /// The field and whether it is required.
    spec: FieldSpec,
    /// All answers; this field edits its own.
    answers: RwSignal<SurveyAnswers>,
    /// Errors shown, in field order; this field replaces its own.
    errors: RwSignal<Vec<(FieldId, FieldError)>>,
    /// The site's case-number pattern.
    pattern: CasePattern,
) -> impl IntoView {
    let id = spec.id;
    let lang = lang();
    let input_id = format!("hc-field-{}", id.key());
    let error_id = format!("hc-error-{}", id.key());
    let error = Memo::new(move |_| {
        errors.with(|list| list.iter().find(|(f, _)| *f == id).map(|(_, e)| *e))
    });
    let recheck = move || {
        let value = answers.with_untracked(|a| a.get(id).trim().to_owned());
        let found = pattern.with(|p| check_field(spec, &value, p));
        errors.update(|list| {
            list.retain(|(f, _)| *f != id);
            if let Some(e) = found {
                list.push((id, e));
                list.sort_by_key(|(f, _)| FieldId::ALL.iter().position(|x| x == f));
            }
        });
    };

    view! {
        <div class="hc-field" class=("hc-field--invalid", move || error.get().is_some())>
            <label class="hc-field__label" for=input_id.clone()>
                {id.label(lang)}
                {spec.required.then(|| view! { <span class="hc-field__required" aria-hidden="true">" *"</span> })}
            </label>
            <input
                id=input_id
                class="hc-field__input"
                type=if id == FieldId::Email { "email" } else { "text" }
                name=id.key()
                autocomplete=id.autocomplete()
                required=spec.required
                aria-invalid=move || error.get().is_some().to_string()
                aria-describedby=move || error.get().map(|_| error_id.clone())
                prop:value=move || answers.with(|a| a.get(id).to_owned())
                on:input=move |ev| {
                    answers.update(|a| a.set(id, event_target_value(&ev)));
                    if error.get_untracked().is_some() {
                        recheck();
                    }
                }
                on:blur=move |_| {
                    if !answers.with_untracked(|a| a.get(id).trim().is_empty()) {
                        recheck();
                    }
                }
            />
            <p id=format!("hc-error-{}", id.key()) class="hc-field__error">
                {move || error.get().map(|e| e.message(id, lang))}
            </p>
        </div>
    }
}
