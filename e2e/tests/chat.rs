//! A visitor's whole first chat, through the real loader script on the demo page, against
//! the real dev server and its demo bot.
#![allow(clippy::unwrap_used, reason = "tests: a panic is the failure report")]

use e2e::{
    button, field, messages, send_message, submit_survey, text_of, wait_for_message,
    wait_for_panel, wait_until, Harness, ENTER,
};
use fantoccini::elements::ShadowRoot;
use fantoccini::Locator;
use serde_json::json;

/// What the host page looks like to its own CSS and scripts.
async fn host_snapshot(h: &Harness) -> serde_json::Value {
    h.js("const pristine = document.createElement('iframe');
          document.body.appendChild(pristine);
          // Frame indexes and ChromeDriver's own script helpers are not the page's globals.
          const driver = ['se_exportedFunctionSymbol', 'ret_nodes'];
          const extraGlobals = Object.keys(window).filter(k =>
            !(k in pristine.contentWindow) && !/^[0-9]+$/.test(k) && !driver.includes(k) && !k.startsWith('cdc_'));
          pristine.remove();
          const style = (sel, prop) => getComputedStyle(document.querySelector(sel))[prop];
          return {
            title: document.title,
            headChildren: document.head.children.length,
            bodyChildren: [...document.body.children].map(e => e.tagName + (e.id ? '#' + e.id : '')),
            bodyFont: style('body', 'fontFamily'),
            bodySize: style('body', 'fontSize'),
            h1Size: style('h1', 'fontSize'),
            buttonBackground: style('#host-button', 'backgroundColor'),
            htmlFontSize: style('html', 'fontSize'),
            extraGlobals,
          };")
        .await
}

async fn fill_survey(shadow: &ShadowRoot, first: &str, email: &str, case: &str) {
    let answers = [
        ("First name", first),
        ("Last name", "Lovelace"),
        ("Email", email),
        ("Case number", case),
    ];
    submit_survey(shadow, &answers).await;
}

#[tokio::test]
async fn visitor_fills_the_survey_and_chats_with_the_bot() {
    let h = Harness::start(&[]).await;
    let shadow = h.open_demo().await;
    let before = host_snapshot(&h).await;

    let launcher = button(&shadow, "Open chat").await;
    assert_eq!(
        launcher.attr("aria-expanded").await.unwrap().as_deref(),
        Some("false")
    );
    launcher.click().await.unwrap();
    let panel = wait_for_panel(&shadow, true).await;
    assert_eq!(
        panel.attr("aria-label").await.unwrap().as_deref(),
        Some("Contoso Support")
    );

    // Submitting empty shows the inline errors and sends nothing.
    field(&shadow, "First name")
        .await
        .send_keys(ENTER)
        .await
        .unwrap();
    let error = shadow
        .find(Locator::Css("#hc-error-firstName"))
        .await
        .unwrap();
    assert_eq!(error.text().await.unwrap(), "First name is required.");
    h.screenshot("survey-errors").await;

    fill_survey(&shadow, "Ada", "ada@example.com", "CAS-01234").await;
    let greeting = wait_for_message(&shadow, "Hello Ada").await;
    assert!(
        greeting.iter().any(|t| t.contains("CAS-01234")),
        "case number mentioned: {greeting:?}"
    );
    let sender = text_of(&shadow, ".hc-msg--bot .hc-msg__sender").await;
    assert_eq!(sender, "Demo Bot");

    send_message(&shadow, "What are your opening hours?").await;
    let transcript = wait_for_message(&shadow, "Monday to Friday").await;
    let mine: Vec<_> = transcript
        .iter()
        .filter(|t| *t == "What are your opening hours?")
        .collect();
    assert_eq!(
        mine.len(),
        1,
        "own message shown exactly once: {transcript:?}"
    );
    wait_until("own message marked sent", || async {
        text_of(&shadow, ".hc-msg--visitor .hc-msg__status").await == "Sent"
    })
    .await;
    h.screenshot("chat").await;
    let order = messages(&shadow).await;
    let asked = order
        .iter()
        .position(|t| t.contains("opening hours?"))
        .unwrap();
    let answered = order
        .iter()
        .position(|t| t.contains("Monday to Friday"))
        .unwrap();
    assert!(asked < answered, "question before answer: {order:?}");

    // The host page is exactly as it was: same styles, one host element, no global but the
    // documented API object.
    let after = host_snapshot(&h).await;
    assert_eq!(before, after);
    assert_eq!(
        after["extraGlobals"],
        json!(["HandoffChat"]),
        "only the API object"
    );
    let body_children = after["bodyChildren"].as_array().unwrap();
    assert_eq!(
        body_children
            .iter()
            .filter(|c| c.as_str() == Some("DIV"))
            .count(),
        1,
        "{body_children:?}"
    );
    h.finish().await;
}

#[tokio::test]
async fn bot_markup_is_shown_as_text() {
    let h = Harness::start(&[]).await;
    let shadow = h.open_demo().await;
    button(&shadow, "Open chat").await.click().await.unwrap();
    fill_survey(
        &shadow,
        "<img src=x onerror=alert(1)>",
        "ada@example.com",
        "",
    )
    .await;
    let transcript = wait_for_message(&shadow, "Hello <img src=x onerror=alert(1)>").await;
    assert!(!transcript.is_empty());
    assert!(
        shadow
            .find(Locator::Css(".hc-transcript img"))
            .await
            .is_err(),
        "no element from bot text"
    );
    h.finish().await;
}

#[tokio::test]
async fn server_errors_show_a_message_and_retry_recovers() {
    let h = Harness::start(&["--faults"]).await;
    let shadow = h.open_demo().await;
    button(&shadow, "Open chat").await.click().await.unwrap();
    h.api(
        "POST",
        "/_dev/faults",
        Some(json!({"status": 502, "count": 1})),
    )
    .await;
    fill_survey(&shadow, "Ada", "ada@example.com", "").await;

    wait_until("error shown", || async {
        text_of(&shadow, "[role=alert]").await.contains("error 502")
    })
    .await;
    button(&shadow, "Try again").await.click().await.unwrap();
    wait_for_message(&shadow, "Hello Ada").await;
    assert!(
        shadow.find(Locator::Css("[role=alert]")).await.is_err(),
        "error gone after recovery"
    );
    h.finish().await;
}
