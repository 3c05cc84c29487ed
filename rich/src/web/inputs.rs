//! Reading and checking one Adaptive Card field (`.hc-ac-field`) before a submit: values
//! as the card's schema gives them (a toggle's `valueOn`/`valueOff`, a multi-select's
//! comma-joined choices), validity as the browser sees it (required, pattern, min, max).

use wasm_bindgen::JsCast;
use web_sys::{Element, HtmlElement, HtmlInputElement, HtmlSelectElement, HtmlTextAreaElement};

/// Adds the field's value(s) to `inputs` (id, value; empty values left out) and returns
/// the control to focus when the field is not valid.
pub(super) fn read(field: &Element, inputs: &mut Vec<(String, String)>) -> Result<(), HtmlElement> {
    let Ok(controls) = field.query_selector_all("[data-input]") else {
        return Ok(());
    };
    let mut bad: Option<HtmlElement> = None;
    let mut first: Option<HtmlElement> = None;
    let mut chosen = false;
    for i in 0..controls.length() {
        let Some(c) = controls
            .item(i)
            .and_then(|c| c.dyn_into::<HtmlElement>().ok())
        else {
            continue;
        };
        let id = c.get_attribute("data-input").unwrap_or_default();
        let (value, valid) = if let Some(input) = c.dyn_ref::<HtmlInputElement>() {
            let value = match input.type_().as_str() {
                "checkbox" if c.has_attribute("data-on") => {
                    let key = if input.checked() {
                        "data-on"
                    } else {
                        "data-off"
                    };
                    c.get_attribute(key)
                }
                "checkbox" | "radio" => input.checked().then(|| input.value()),
                _ => Some(input.value()),
            };
            (value, input.check_validity())
        } else if let Some(select) = c.dyn_ref::<HtmlSelectElement>() {
            (Some(select.value()), select.check_validity())
        } else if let Some(area) = c.dyn_ref::<HtmlTextAreaElement>() {
            (Some(area.value()), area.check_validity())
        } else {
            (None, true)
        };
        if !valid && bad.is_none() {
            bad = Some(c.clone());
        }
        first.get_or_insert(c);
        if let Some(value) = value.filter(|v| !v.is_empty()) {
            chosen = true;
            match inputs.iter_mut().find(|(k, _)| *k == id) {
                // Another choice of a multi-select: Adaptive Cards join them with commas.
                Some((_, joined)) => {
                    joined.push(',');
                    joined.push_str(&value);
                }
                None => inputs.push((id, value)),
            }
        }
    }
    // A required multi-select needs one choice (the browser cannot say so for checkboxes).
    if !chosen && matches!(field.query_selector("[role=group][required]"), Ok(Some(_))) {
        bad = bad.or(first);
    }
    bad.map_or(Ok(()), Err)
}
