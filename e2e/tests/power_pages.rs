//! The widget on imitations of a Power Pages site (`demo/powerpages.html` with Bootstrap 3,
//! `demo/powerpages-bs5.html` with Bootstrap 5), served with a strict Content-Security-Policy
//! and an aggressive site theme, pasted with Copilot Studio's token endpoint and no
//! `data-directline-url` (see docs/power-pages.md).
//!
//! Each concern is its own test, per page, so one failing step does not hide the others:
//! - the chat works under the CSP, and the bot received the survey as global variables
//!   (`pvaSetContext`, counted by `/_dev/stats`);
//! - the page records no CSP violation (`window.cspViolations`, filled by the site's script
//!   which runs before the widget tag);
//! - the Direct Line URL was discovered through `regionalchannelsettings` (`/_dev/stats`);
//! - the host page is unchanged: computed styles, elements, globals; its own button,
//!   form and keyboard shortcut still work; the widget added exactly one element;
//! - the site's theme does not restyle the widget, and the survey is pixel for pixel the
//!   same as on a plain page with the same options.
#![allow(clippy::unwrap_used, reason = "tests: a panic is the failure report")]

use std::time::{Duration, Instant};

use e2e::{
    button, field, messages, send_message, submit_survey, wait_for_message, wait_for_panel,
    wait_until, Harness, ADA,
};
use fantoccini::elements::ShadowRoot;
use fantoccini::Locator;
use serde_json::{json, Value};

/// The Bootstrap 3 page (classic portal theme).
const BOOTSTRAP3: &str = "/powerpages.html";
/// The Bootstrap 5 page (enhanced data model theme).
const BOOTSTRAP5: &str = "/powerpages-bs5.html";

/// Opens `page` and waits for the widget.
async fn open(page: &str) -> (Harness, ShadowRoot) {
    let h = Harness::start(&[]).await;
    let shadow = h.open_page(page).await;
    (h, shadow)
}

/// Opens the chat and submits the survey as Ada Lovelace.
async fn start_chat(shadow: &ShadowRoot) {
    button(shadow, "Open chat").await.click().await.unwrap();
    submit_survey(shadow, &ADA).await;
}

/// Gives the chat up to `limit` to show the bot's greeting, without failing: for the tests
/// whose assertion is about something else (violations, the host page), which should run
/// their own check whether or not the chat works.
async fn let_the_chat_settle(shadow: &ShadowRoot, limit: Duration) -> bool {
    let start = Instant::now();
    while start.elapsed() < limit {
        if messages(shadow)
            .await
            .iter()
            .any(|t| t.contains("Hello Ada"))
        {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    false
}

/// Clicks the host page's element matching `css` (the site's own controls, not the widget's).
async fn click_site(h: &Harness, css: &str) {
    let element = h.client.find(Locator::Css(css)).await.unwrap();
    element.click().await.unwrap();
}

/// The CSP violations the site's script recorded.
async fn violations(h: &Harness) -> Value {
    h.js("return window.cspViolations").await
}

async fn chat_works_under_the_csp(page: &str) {
    let (h, shadow) = open(page).await;
    start_chat(&shadow).await;
    let greeting = wait_for_message(&shadow, "Hello Ada").await;
    assert!(
        greeting.iter().any(|t| t.contains("CAS-01234")),
        "{greeting:?}"
    );

    // The bot knows the survey answers as global variables (startConversation and
    // pvaSetContext).
    send_message(&shadow, "what do you know about me").await;
    let transcript = wait_for_message(&shadow, "I know:").await;
    let known = transcript
        .iter()
        .find(|t| t.starts_with("I know:"))
        .unwrap();
    for variable in [
        "caseNumber = CAS-01234",
        "email = ada@example.com",
        "firstName = Ada",
        "lastName = Lovelace",
    ] {
        assert!(known.contains(variable), "{variable} in {known:?}");
    }

    // Typing "/" in the widget reaches the widget, not the site's "/" search shortcut.
    send_message(&shadow, "/context").await;
    wait_until("second context answer", || async {
        messages(&shadow)
            .await
            .iter()
            .filter(|t| t.starts_with("I know:"))
            .count()
            == 2
    })
    .await;
    assert_eq!(h.js("return window.contosoSite.shortcuts").await, json!(0));
    assert_eq!(violations(&h).await, json!([]), "no CSP violation");
    // The survey reached the bot as global variables through pvaSetContext too, not only
    // as the value of startConversation (which the bot also reads).
    let stats = h.api("GET", "/_dev/stats", None).await;
    assert!(
        stats["pvaSetContext"].as_u64() >= Some(1),
        "the widget sent pvaSetContext: {stats}"
    );
    h.screenshot(&format!("power-pages{}", page.replace(['/', '.'], "-")))
        .await;
    h.finish().await;
}

async fn no_csp_violations(page: &str) {
    let (h, shadow) = open(page).await;
    start_chat(&shadow).await;
    let chatted = let_the_chat_settle(&shadow, Duration::from_secs(10)).await;
    assert_eq!(
        violations(&h).await,
        json!([]),
        "CSP violations on {page} (chat reached the greeting: {chatted})"
    );
    h.finish().await;
}

async fn direct_line_url_is_discovered(page: &str) {
    let (h, shadow) = open(page).await;
    start_chat(&shadow).await;
    wait_until("the widget asked regionalchannelsettings", || async {
        let stats = h.api("GET", "/_dev/stats", None).await;
        stats["regionalChannelSettings"].as_u64() >= Some(1)
            && stats["copilotToken"].as_u64() >= Some(1)
    })
    .await;
    // And the discovered URL is the one in use: the chat works without data-directline-url.
    wait_for_message(&shadow, "Hello Ada").await;
    h.finish().await;
}

/// Where `before` and `after` differ, one line per leaf (`path: before -> after`), so a
/// failure names the changed style instead of printing two whole snapshots.
fn differences(path: &str, before: &Value, after: &Value, out: &mut Vec<String>) {
    match (before, after) {
        (Value::Object(a), Value::Object(b)) => {
            let keys: std::collections::BTreeSet<&String> = a.keys().chain(b.keys()).collect();
            for key in keys {
                let (x, y) = (
                    a.get(key).unwrap_or(&Value::Null),
                    b.get(key).unwrap_or(&Value::Null),
                );
                differences(&format!("{path}.{key}"), x, y, out);
            }
        }
        (Value::Array(a), Value::Array(b)) if a != b => {
            let gone: Vec<&Value> = a.iter().filter(|v| !b.contains(v)).collect();
            let new: Vec<&Value> = b.iter().filter(|v| !a.contains(v)).collect();
            out.push(format!("{path}: removed {gone:?}, added {new:?}"));
        }
        (a, b) if a != b => out.push(format!("{path}: {a} -> {b}")),
        _ => {}
    }
}

async fn host_page_is_unaffected(page: &str) {
    let (h, shadow) = open(page).await;
    let before = h.js("return window.contosoSite.before").await;
    assert!(
        before.is_object(),
        "the footer script took a snapshot: {before}"
    );
    assert_eq!(
        before["widgetHosts"],
        json!(0),
        "taken before the widget tag"
    );

    start_chat(&shadow).await;
    let chatted = let_the_chat_settle(&shadow, Duration::from_secs(10)).await;
    let mut after = h.js("return window.contosoSite.snapshot()").await;
    assert_eq!(
        after["widgetHosts"],
        json!(1),
        "one [data-handoff-chat] host"
    );
    let hosts = h
        .js("return [...document.body.children].filter(e => e.hasAttribute('data-handoff-chat')).length")
        .await;
    assert_eq!(hosts, json!(1), "the host is a child of body");
    let mut before = before;
    before.as_object_mut().unwrap().remove("widgetHosts");
    after.as_object_mut().unwrap().remove("widgetHosts");
    // The one global the widget defines is its documented API object.
    let globals = after["globals"].as_array_mut().unwrap();
    let api = globals.iter().position(|g| g == "HandoffChat");
    assert!(api.is_some(), "window.HandoffChat is defined");
    globals.remove(api.unwrap());
    let mut changes = Vec::new();
    differences("", &before, &after, &mut changes);
    assert!(
        changes.is_empty(),
        "host page changed by the widget on {page} (chat reached the greeting: {chatted}):\n{}",
        changes.join("\n")
    );

    // The site's own button, form and shortcut still work.
    click_site(&h, "#site-button").await;
    let count = h.client.find(Locator::Css("#site-count")).await.unwrap();
    assert_eq!(count.text().await.unwrap(), "1");
    click_site(&h, "#site-submit").await;
    assert_eq!(h.js("return window.contosoSite.submitted").await, json!(1));
    h.js("document.activeElement.blur()").await;
    h.client
        .find(Locator::Css("body"))
        .await
        .unwrap()
        .send_keys("/")
        .await
        .unwrap();
    assert_eq!(h.js("return window.contosoSite.shortcuts").await, json!(1));
    assert_eq!(
        h.js("return document.activeElement.id").await,
        json!("site-search")
    );
    h.finish().await;
}

async fn widget_is_not_restyled_by_the_site(page: &str) {
    let (h, shadow) = open(page).await;
    button(&shadow, "Open chat").await.click().await.unwrap();
    field(&shadow, "First name").await;
    let seen = h
        .js("const root = document.querySelector('[data-handoff-chat]').shadowRoot;
             const style = (el) => getComputedStyle(el);
             const panel = style(root.querySelector('[role=dialog]'));
             const input = style(root.querySelector('input'));
             const submit = style(root.querySelector('button[type=submit]') || root.querySelector('form button'));
             return {
               panelFont: panel.fontFamily,
               panelLetterSpacing: panel.letterSpacing,
               panelLineHeightRatio: parseFloat(panel.lineHeight) / parseFloat(panel.fontSize),
               panelFontSize: parseFloat(panel.fontSize),
               inputFontSize: parseFloat(input.fontSize),
               inputLetterSpacing: input.letterSpacing,
               submitTransform: submit.textTransform,
               submitLetterSpacing: submit.letterSpacing,
             };")
        .await;
    let report = format!("widget styles on {page}: {seen}");
    assert!(
        !seen["panelFont"]
            .as_str()
            .unwrap_or_default()
            .contains("Georgia"),
        "{report}"
    );
    for key in [
        "panelLetterSpacing",
        "inputLetterSpacing",
        "submitLetterSpacing",
    ] {
        assert_eq!(seen[key], json!("normal"), "{key}: {report}");
    }
    assert_eq!(seen["submitTransform"], json!("none"), "{report}");
    // The site's `* { line-height: 2.2 }` would make the ratio 2.2.
    assert!(
        seen["panelLineHeightRatio"].as_f64().unwrap_or(f64::NAN) < 2.0,
        "{report}"
    );
    // `html { font-size: 10px }` must not shrink the widget's text (rem units would).
    for key in ["panelFontSize", "inputFontSize"] {
        assert!(seen[key].as_f64().unwrap_or(0.0) >= 13.0, "{key}: {report}");
    }
    h.finish().await;
}

#[tokio::test]
async fn bootstrap3_chat_works_under_the_csp() {
    chat_works_under_the_csp(BOOTSTRAP3).await;
}

#[tokio::test]
async fn bootstrap5_chat_works_under_the_csp() {
    chat_works_under_the_csp(BOOTSTRAP5).await;
}

#[tokio::test]
async fn bootstrap3_no_csp_violations() {
    no_csp_violations(BOOTSTRAP3).await;
}

#[tokio::test]
async fn bootstrap5_no_csp_violations() {
    no_csp_violations(BOOTSTRAP5).await;
}

#[tokio::test]
async fn bootstrap3_direct_line_url_is_discovered() {
    direct_line_url_is_discovered(BOOTSTRAP3).await;
}

#[tokio::test]
async fn bootstrap5_direct_line_url_is_discovered() {
    direct_line_url_is_discovered(BOOTSTRAP5).await;
}

#[tokio::test]
async fn bootstrap3_host_page_is_unaffected() {
    host_page_is_unaffected(BOOTSTRAP3).await;
}

#[tokio::test]
async fn bootstrap5_host_page_is_unaffected() {
    host_page_is_unaffected(BOOTSTRAP5).await;
}

#[tokio::test]
async fn bootstrap3_widget_is_not_restyled_by_the_site() {
    widget_is_not_restyled_by_the_site(BOOTSTRAP3).await;
}

#[tokio::test]
async fn bootstrap5_widget_is_not_restyled_by_the_site() {
    widget_is_not_restyled_by_the_site(BOOTSTRAP5).await;
}

/// PNG of the open panel's survey (inside the panel, so the page behind its rounded corners
/// is not in the picture), with the focus and its caret taken out.
async fn survey_picture(h: &Harness, shadow: &ShadowRoot) -> Vec<u8> {
    wait_for_panel(shadow, true).await;
    h.js("document.querySelector('[data-handoff-chat]').shadowRoot.activeElement?.blur()")
        .await;
    // After the opening animation (180 ms).
    tokio::time::sleep(Duration::from_millis(400)).await;
    let survey = shadow.find(Locator::Css(".hc-survey")).await.unwrap();
    survey.screenshot().await.unwrap()
}

/// Pixel for pixel, the widget on the Power Pages imitation (site theme, strict CSP) looks
/// as on a plain page with the same options.
async fn widget_looks_the_same_as_on_a_plain_page(page: &str) {
    let (h, shadow) = open(page).await;
    button(&shadow, "Open chat").await.click().await.unwrap();
    let on_site = survey_picture(&h, &shadow).await;
    let plain = h
        .open_page("/options.html?title=Contoso%20Support&start-open")
        .await;
    let on_plain_page = survey_picture(&h, &plain).await;
    assert!(
        on_site == on_plain_page,
        "the survey differs on {page}: {} vs {} PNG bytes",
        on_site.len(),
        on_plain_page.len()
    );
    h.finish().await;
}

#[tokio::test]
async fn bootstrap3_widget_looks_the_same_as_on_a_plain_page() {
    widget_looks_the_same_as_on_a_plain_page(BOOTSTRAP3).await;
}

#[tokio::test]
async fn bootstrap5_widget_looks_the_same_as_on_a_plain_page() {
    widget_looks_the_same_as_on_a_plain_page(BOOTSTRAP5).await;
}
