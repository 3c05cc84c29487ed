//! Component tests in headless Chromium: each component is mounted inside a shadow root, as
//! the loader does, and the assertions read what a person (or a screen reader) gets.
#![cfg(target_arch = "wasm32")]
#![allow(clippy::unwrap_used, reason = "tests: a panic is the failure report")]

use std::sync::{Arc, Mutex};

use handoff_chat_widget::ui::{retry_key, sync_transcript, App, Composer, SurveyForm};
use handoff_core::config::ConfigError;
use handoff_core::survey::{SurveyAnswers, SurveyConfig};
use handoff_core::transcript::{Author, Delivery, Entry};
use leptos::prelude::*;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use web_sys::{Element, HtmlElement, HtmlInputElement, HtmlTextAreaElement, ShadowRoot};

wasm_bindgen_test_configure!(run_in_browser);

/// A host element with an open shadow root and a mount point inside it.
fn shadow_mount() -> (ShadowRoot, HtmlElement) {
    let document = web_sys::window().unwrap().document().unwrap();
    let host = document.create_element("div").unwrap();
    document.body().unwrap().append_child(&host).unwrap();
    let shadow = host
        .attach_shadow(&web_sys::ShadowRootInit::new(web_sys::ShadowRootMode::Open))
        .unwrap();
    let root: HtmlElement = document.create_element("div").unwrap().unchecked_into();
    shadow.append_child(&root).unwrap();
    (shadow, root)
}

/// A callback that keeps every value it is called with, and the list it keeps them in (what
/// a component reported to its parent).
fn recorder<T: Send + Sync + 'static>() -> (Callback<T>, Arc<Mutex<Vec<T>>>) {
    let kept: Arc<Mutex<Vec<T>>> = Arc::default();
    let sink = kept.clone();
    (
        Callback::new(move |value| sink.lock().unwrap().push(value)),
        kept,
    )
}

/// An `ol` in `root` showing `entries` as the widget's transcript does.
fn transcript(root: &HtmlElement, entries: &[Entry]) -> web_sys::Element {
    let list = web_sys::window()
        .unwrap()
        .document()
        .unwrap()
        .create_element("ol")
        .unwrap();
    root.append_child(&list).unwrap();
    sync_transcript(&list, entries);
    list
}

fn find(shadow: &ShadowRoot, selector: &str) -> Element {
    shadow
        .query_selector(selector)
        .unwrap()
        .unwrap_or_else(|| panic!("nothing matches {selector}"))
}

fn text(shadow: &ShadowRoot, selector: &str) -> String {
    find(shadow, selector).text_content().unwrap_or_default()
}

/// The input whose visible label starts with `label`, found through the label's `for`.
fn input_by_label(shadow: &ShadowRoot, label: &str) -> HtmlInputElement {
    let labels = shadow.query_selector_all("label").unwrap();
    for i in 0..labels.length() {
        let el: Element = labels.item(i).unwrap().unchecked_into();
        if el
            .text_content()
            .unwrap_or_default()
            .trim_start()
            .starts_with(label)
        {
            let id = el.get_attribute("for").unwrap();
            return find(shadow, &format!("#{id}")).unchecked_into();
        }
    }
    panic!("no label {label}");
}

fn type_into(input: &HtmlInputElement, value: &str) {
    input.set_value(value);
    input
        .dispatch_event(&web_sys::Event::new("input").unwrap())
        .unwrap();
}

fn submit(shadow: &ShadowRoot) {
    find(shadow, "button[type=submit]")
        .unchecked_into::<HtmlElement>()
        .click();
}

#[wasm_bindgen_test]
async fn survey_shows_inline_accessible_errors_and_submits_valid_answers() {
    let (shadow, root) = shadow_mount();
    let (on_submit, submitted) = recorder::<SurveyAnswers>();
    leptos::mount::mount_to(root, move || {
        view! { <SurveyForm config=SurveyConfig::default() on_submit=on_submit/> }
    })
    .forget();

    submit(&shadow);
    leptos::task::tick().await;
    let first = input_by_label(&shadow, "First name");
    assert_eq!(first.get_attribute("aria-invalid").as_deref(), Some("true"));
    let described = first
        .get_attribute("aria-describedby")
        .expect("error linked");
    assert_eq!(
        text(&shadow, &format!("#{described}")),
        "First name is required."
    );
    assert_eq!(text(&shadow, "#hc-error-email"), "Email is required.");
    assert_eq!(
        text(&shadow, "#hc-error-lastName"),
        "",
        "optional fields show no error"
    );
    let focused = shadow
        .active_element()
        .expect("focus moved to the first invalid field");
    assert_eq!(focused.id(), first.id());
    assert!(submitted.lock().unwrap().is_empty());

    type_into(&first, "Ada");
    leptos::task::tick().await;
    assert_eq!(
        first.get_attribute("aria-invalid").as_deref(),
        Some("false"),
        "fixing clears the error"
    );
    let email = input_by_label(&shadow, "Email");
    type_into(&email, "ada@example");
    email
        .dispatch_event(&web_sys::Event::new("blur").unwrap())
        .unwrap();
    leptos::task::tick().await;
    assert_eq!(
        text(&shadow, "#hc-error-email"),
        "Enter an email address like name@example.com."
    );

    type_into(&email, " ada@example.com ");
    type_into(&input_by_label(&shadow, "Case number"), "CAS-01234");
    submit(&shadow);
    leptos::task::tick().await;
    let answers = submitted
        .lock()
        .unwrap()
        .pop()
        .expect("valid answers submitted");
    assert_eq!(answers.first_name, "Ada");
    assert_eq!(answers.email, "ada@example.com", "trimmed");
    assert_eq!(answers.case_number, "CAS-01234");
}

#[wasm_bindgen_test]
async fn message_markup_stays_text() {
    let (shadow, root) = shadow_mount();
    let payload = "<img src=x onerror=\"document.title='pwned'\"><b>bold</b>";
    let entry = Entry {
        key: "conv|0000002".into(),
        id: Some("conv|0000002".into()),
        author: Author::Bot,
        sender: "Demo <i>Bot</i>".into(),
        text: payload.into(),
        timestamp: "2026-11-22T10:04:05.000Z".into(),
        delivery: Delivery::Received,
        rich: None,
        suggested: false,
    };
    transcript(&root, &[entry]);
    assert!(
        shadow.query_selector("img, b, i").unwrap().is_none(),
        "no element was created from the text"
    );
    assert_eq!(text(&shadow, ".hc-msg__text"), payload);
    assert_eq!(text(&shadow, ".hc-msg__sender"), "Demo <i>Bot</i>");
    assert_eq!(
        find(&shadow, "time").get_attribute("datetime").as_deref(),
        Some("2026-11-22T10:04:05.000Z")
    );
    assert_eq!(text(&shadow, "time").len(), 5, "HH:MM");
}

#[wasm_bindgen_test]
async fn failed_message_offers_retry() {
    let (shadow, root) = shadow_mount();
    let (on_retry, retried) = recorder::<String>();
    let entry = Entry {
        key: "hc-1".into(),
        id: None,
        author: Author::Visitor,
        sender: String::new(),
        text: "hello".into(),
        timestamp: String::new(),
        delivery: Delivery::Failed,
        rich: None,
        suggested: false,
    };
    let list = transcript(&root, &[entry]);
    let listener = Closure::<dyn Fn(web_sys::Event)>::new(move |e: web_sys::Event| {
        if let Some(key) = retry_key(&e) {
            on_retry.run(key);
        }
    });
    list.add_event_listener_with_callback("click", listener.as_ref().unchecked_ref())
        .unwrap();
    listener.forget();
    assert_eq!(text(&shadow, ".hc-msg__status"), "Not sent");
    find(&shadow, ".hc-msg__retry")
        .unchecked_into::<HtmlElement>()
        .click();
    assert_eq!(*retried.lock().unwrap(), ["hc-1"]);
}

#[wasm_bindgen_test]
async fn composer_sends_on_enter_keeps_shift_enter_and_blocks_empty() {
    let (shadow, root) = shadow_mount();
    let (on_send, sent) = recorder::<String>();
    leptos::mount::mount_to(root, move || view! { <Composer on_send=on_send/> }).forget();
    leptos::task::tick().await;
    let label = find(&shadow, "label[for=hc-message]");
    assert_eq!(label.text_content().unwrap(), "Message");
    let textarea: HtmlTextAreaElement = find(&shadow, "#hc-message").unchecked_into();
    let send_button = find(&shadow, ".hc-composer__send");
    assert!(
        send_button.has_attribute("disabled"),
        "empty message cannot be sent"
    );

    let key = |key: &str, shift: bool| {
        let init = web_sys::KeyboardEventInit::new();
        init.set_key(key);
        init.set_shift_key(shift);
        init.set_cancelable(true);
        web_sys::KeyboardEvent::new_with_keyboard_event_init_dict("keydown", &init).unwrap()
    };
    textarea.set_value("line one");
    textarea
        .dispatch_event(&web_sys::Event::new("input").unwrap())
        .unwrap();
    leptos::task::tick().await;
    assert!(!send_button.has_attribute("disabled"));
    let shift_enter = key("Enter", true);
    textarea.dispatch_event(&shift_enter).unwrap();
    assert!(
        !shift_enter.default_prevented(),
        "Shift+Enter inserts a new line"
    );
    assert!(sent.lock().unwrap().is_empty());

    textarea.dispatch_event(&key("Enter", false)).unwrap();
    leptos::task::tick().await;
    assert_eq!(*sent.lock().unwrap(), vec!["line one".to_owned()]);
    assert_eq!(textarea.value(), "", "composer cleared after sending");

    textarea.set_value("   ");
    textarea
        .dispatch_event(&web_sys::Event::new("input").unwrap())
        .unwrap();
    textarea.dispatch_event(&key("Enter", false)).unwrap();
    assert_eq!(sent.lock().unwrap().len(), 1, "whitespace is not sent");
}

#[wasm_bindgen_test]
async fn invalid_config_shows_a_readable_error_for_the_site_owner() {
    let (shadow, root) = shadow_mount();
    let error = ConfigError::Missing {
        attribute: "data-token-url",
        example: "data-token-url=\"/token\"",
    };
    leptos::mount::mount_to(root, move || view! { <App config=Err(error)/> }).forget();
    leptos::task::tick().await;
    let launcher: HtmlElement = find(&shadow, ".hc-launcher").unchecked_into();
    assert_eq!(
        launcher.get_attribute("aria-label").as_deref(),
        Some("Open chat")
    );
    launcher.click();
    leptos::task::tick().await;
    assert!(!find(&shadow, ".hc-panel").has_attribute("hidden"));
    assert!(text(&shadow, "[role=alert]").contains("data-token-url"));
    assert_eq!(
        launcher.get_attribute("aria-label").as_deref(),
        Some("Close chat")
    );
}

#[wasm_bindgen_test]
async fn agent_messages_show_name_initial_and_are_labelled_for_screen_readers() {
    let (shadow, root) = shadow_mount();
    let agent = Entry {
        key: "c|7".into(),
        id: Some("c|7".into()),
        author: Author::Agent,
        sender: "alex".into(),
        text: "Hi Ada, I'm Alex.".into(),
        timestamp: String::new(),
        delivery: Delivery::Received,
        rich: None,
        suggested: false,
    };
    let notice = Entry {
        key: "n1".into(),
        id: None,
        author: Author::System,
        sender: String::new(),
        text: "alex joined the chat".into(),
        timestamp: String::new(),
        delivery: Delivery::Received,
        rich: None,
        suggested: false,
    };
    transcript(&root, &[notice, agent]);
    assert_eq!(text(&shadow, ".hc-notice"), "alex joined the chat");
    assert!(find(&shadow, ".hc-msg")
        .class_list()
        .contains("hc-msg--agent"));
    assert_eq!(text(&shadow, ".hc-msg__avatar"), "A");
    assert_eq!(
        text(&shadow, ".hc-msg--agent .hc-visually-hidden"),
        "alex (agent)"
    );
    assert!(
        shadow.query_selector(".hc-msg__status").unwrap().is_none(),
        "no delivery state on received messages"
    );
}
