//! The widget as a visitor meets it: elements found inside its shadow root by what a person
//! sees (visible labels, accessible names, texts), and what a visitor does (fill the survey,
//! send a message). Used by every end-to-end test; the harness is in the crate root.

use std::time::{Duration, Instant};

use fantoccini::elements::{Element, ShadowRoot};
use fantoccini::Locator;
use serde_json::Value;

use crate::{wait_until, WAIT};

/// WebDriver key code for Enter.
pub const ENTER: &str = "\u{E007}";

/// The button whose accessible name (aria-label or text) contains `name`, case-insensitive,
/// once it shows (a view may change on the next animation frame, as a person sees it).
pub async fn button(shadow: &ShadowRoot, name: &str) -> Element {
    let wanted = name.to_lowercase();
    crate::wait_for(&format!("a button named {name:?}"), || async {
        for el in shadow.find_all(Locator::Css("button")).await.ok()? {
            let label = match el.attr("aria-label").await.ok().flatten() {
                Some(label) => label,
                None => el.text().await.unwrap_or_default(),
            };
            if label.to_lowercase().contains(&wanted) {
                return Some(el);
            }
        }
        None
    })
    .await
}

/// The form control whose visible label starts with `label`, once it shows.
pub async fn field(shadow: &ShadowRoot, label: &str) -> Element {
    crate::wait_for(&format!("a field labelled {label:?}"), || async {
        for el in shadow.find_all(Locator::Css("label")).await.ok()? {
            let text = el
                .prop("textContent")
                .await
                .ok()
                .flatten()
                .unwrap_or_default();
            if text.trim().starts_with(label) {
                let id = el.attr("for").await.ok().flatten()?;
                return shadow.find(Locator::Css(&format!("#{id}"))).await.ok();
            }
        }
        None
    })
    .await
}

/// Texts of the transcript messages and notices, in order.
pub async fn messages(shadow: &ShadowRoot) -> Vec<String> {
    // One script for the whole list: a WebDriver round trip per message would make reading a
    // long transcript (the soak test's) take seconds.
    let Ok(list) = shadow.find(Locator::Css(".hc-transcript")).await else {
        return Vec::new();
    };
    let script = "return [...arguments[0].querySelectorAll('.hc-msg__text, .hc-notice')].map(e => e.textContent)";
    let element = serde_json::to_value(&list).expect("element reference");
    match shadow.clone().client().execute(script, vec![element]).await {
        Ok(Value::Array(texts)) => texts
            .into_iter()
            .filter_map(|t| t.as_str().map(str::to_owned))
            .collect(),
        _ => Vec::new(),
    }
}

/// Waits until the transcript has a message containing `needle`; returns all messages.
pub async fn wait_for_message(shadow: &ShadowRoot, needle: &str) -> Vec<String> {
    let start = Instant::now();
    loop {
        let texts = messages(shadow).await;
        if texts.iter().any(|t| t.contains(needle)) {
            return texts;
        }
        assert!(
            start.elapsed() < WAIT,
            "no message containing {needle:?}; transcript: {texts:?}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Types `text` into the composer and presses Enter, as a visitor sends a message.
pub async fn send_message(shadow: &ShadowRoot, text: &str) {
    let composer = field(shadow, "Message").await;
    composer.send_keys(text).await.expect("type the message");
    composer.send_keys(ENTER).await.expect("press Enter");
}

/// Ada's answers to every field of the default survey.
pub const ADA: [(&str, &str); 4] = [
    ("First name", "Ada"),
    ("Last name", "Lovelace"),
    ("Email", "ada@example.com"),
    ("Case number", "CAS-01234"),
];

/// Ada's answers to the fields the default survey requires, and no others.
pub const ADA_REQUIRED: [(&str, &str); 2] = [("First name", "Ada"), ("Email", "ada@example.com")];

/// Types each answer into the survey field labelled with its label, in order, then presses
/// Enter in the last one, as a visitor submits the survey.
pub async fn submit_survey(shadow: &ShadowRoot, answers: &[(&str, &str)]) {
    for (label, value) in answers {
        let control = field(shadow, label).await;
        control.send_keys(value).await.expect("type an answer");
    }
    if let Some((label, _)) = answers.last() {
        let last = field(shadow, label).await;
        last.send_keys(ENTER).await.expect("press Enter");
    }
}

/// The text of the first element matching `css` in the widget, or "" when there is none.
pub async fn text_of(shadow: &ShadowRoot, css: &str) -> String {
    match shadow.find(Locator::Css(css)).await {
        Ok(el) => el.text().await.unwrap_or_default(),
        Err(_) => String::new(),
    }
}

/// Waits until the panel (the dialog) is shown (`open`) or hidden; returns it.
pub async fn wait_for_panel(shadow: &ShadowRoot, open: bool) -> Element {
    let panel = shadow
        .find(Locator::Css("[role=dialog]"))
        .await
        .expect("the panel");
    let what = if open { "panel open" } else { "panel closed" };
    wait_until(what, || async {
        panel.is_displayed().await.is_ok_and(|shown| shown == open)
    })
    .await;
    panel
}
