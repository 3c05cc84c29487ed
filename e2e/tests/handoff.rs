//! Live-agent handoff end to end, in both modes: the visitor's page (real loader script)
//! and the live-agent console in a second browser, against the real dev server.
#![allow(clippy::unwrap_used, reason = "tests: a panic is the failure report")]

use std::time::Duration;

use e2e::agent::ApiAgent;
use e2e::{
    button, field, messages, send_message, submit_survey, text_of, wait_for_message, wait_until,
    Harness, ADA, ENTER, WAIT,
};
use fantoccini::elements::ShadowRoot;
use fantoccini::{Client, Locator};

const RELAY: &str = "/";
const BRIDGE: &str = "/demo-bridge.html";

async fn start_chat(h: &Harness, page: &str) -> ShadowRoot {
    let shadow = h.open_page(page).await;
    button(&shadow, "Open chat").await.click().await.unwrap();
    submit_survey(&shadow, &ADA).await;
    wait_for_message(&shadow, "Hello Ada").await;
    shadow
}

/// Finds an element of the console page by XPath.
async fn console_el(console: &Client, xpath: &str) -> fantoccini::elements::Element {
    console
        .wait()
        .at_most(WAIT)
        .for_element(Locator::XPath(xpath))
        .await
        .unwrap_or_else(|e| panic!("{xpath}: {e}"))
}

/// The console control whose label reads `label`.
async fn console_field(console: &Client, label: &str) -> fantoccini::elements::Element {
    let label_el = console_el(console, &format!("//label[normalize-space()='{label}']")).await;
    let id = label_el.attr("for").await.unwrap().expect("label for");
    console
        .find(Locator::Id(&id))
        .await
        .expect("labelled control")
}

async fn console_has_text(console: &Client, text: &str) -> bool {
    let body = console.find(Locator::Css("body")).await.unwrap();
    body.text().await.unwrap_or_default().contains(text)
}

/// Explicit escalation answered by a person in the real console page.
async fn explicit_handoff_with_the_console(page: &str) {
    let mut h = Harness::start(&[]).await;
    let shadow = start_chat(&h, page).await;
    send_message(&shadow, "What are your opening hours?").await;
    wait_for_message(&shadow, "Monday to Friday").await;
    send_message(&shadow, "I want to talk to a person").await;
    wait_for_message(&shadow, "Let me connect you").await;
    wait_for_message(&shadow, "Connecting you to an agent").await;
    wait_until("waiting status with the queue position", || async {
        text_of(&shadow, ".hc-status")
            .await
            .contains("number 1 in line")
    })
    .await;
    h.screenshot(&format!("handoff-waiting{}", page.replace(['/', '.'], "-")))
        .await;

    // The agent signs in to the console in another browser and takes the chat.
    let console = h.second_browser().await;
    console.goto(&format!("{}agent", h.url)).await.unwrap();
    console_field(&console, "Your name")
        .await
        .send_keys("Alex")
        .await
        .unwrap();
    console_el(&console, "//button[normalize-space()='Sign in']")
        .await
        .click()
        .await
        .unwrap();
    console_el(&console, "//button[@aria-label='Accept Ada Lovelace']")
        .await
        .click()
        .await
        .unwrap();
    // Survey answers and the whole bot transcript are there before any reply.
    wait_until("survey and transcript in the console", || async {
        console_has_text(&console, "ada@example.com").await
            && console_has_text(&console, "CAS-01234").await
            && console_has_text(&console, "What are your opening hours?").await
            && console_has_text(&console, "I want to talk to a person").await
    })
    .await;

    wait_for_message(&shadow, "Alex joined the chat").await;
    // Typing shows on both sides.
    let reply = console_field(&console, "Reply").await;
    reply.send_keys("Hi Ada, I'm Alex.").await.unwrap();
    wait_until("the visitor sees the agent typing", || async {
        text_of(&shadow, ".hc-status").await == "Alex is typing…"
    })
    .await;
    field(&shadow, "Message")
        .await
        .send_keys("o")
        .await
        .unwrap();
    wait_until("the agent sees the visitor typing", || async {
        console_has_text(&console, "Ada is typing…").await
    })
    .await;
    field(&shadow, "Message").await.clear().await.unwrap();
    reply.send_keys(" How can I help?").await.unwrap();
    reply.send_keys(ENTER).await.unwrap();
    wait_for_message(&shadow, "Hi Ada, I'm Alex").await;
    let agent_name = text_of(&shadow, ".hc-msg--agent .hc-msg__sender").await;
    assert!(agent_name.contains("Alex"), "{agent_name:?}");
    let header = text_of(&shadow, ".hc-panel__subtitle").await;
    assert_eq!(header, "Chatting with Alex");

    send_message(&shadow, "My order CAS-01234 is late").await;
    wait_until("visitor message in the console", || async {
        console_has_text(&console, "My order CAS-01234 is late").await
    })
    .await;
    h.screenshot(&format!("handoff-agent{}", page.replace(['/', '.'], "-")))
        .await;

    console_el(&console, "//button[normalize-space()='End conversation']")
        .await
        .click()
        .await
        .unwrap();
    wait_for_message(&shadow, "Alex left the chat").await;
    wait_for_message(&shadow, "Welcome back").await;
    send_message(&shadow, "password reset please").await;
    let transcript = wait_for_message(&shadow, "reset").await;
    let count = |needle: &str| transcript.iter().filter(|t| t.contains(needle)).count();
    assert_eq!(count("My order CAS-01234 is late"), 1, "{transcript:?}");
    assert_eq!(
        count("What are your opening hours?"),
        1,
        "same transcript, nothing repeated"
    );
    h.finish().await;
}

#[tokio::test]
async fn relay_explicit_handoff_with_the_agent_console() {
    explicit_handoff_with_the_console(RELAY).await;
}

#[tokio::test]
async fn bridge_explicit_handoff_with_the_agent_console() {
    explicit_handoff_with_the_console(BRIDGE).await;
}

/// Three not-understood messages escalate; what the visitor types while waiting reaches
/// the agent exactly once, in order.
async fn implicit_escalation_and_messages_while_waiting(page: &str) {
    let h = Harness::start(&[]).await;
    let shadow = start_chat(&h, page).await;
    for gibberish in ["blorp", "zzzq", "qwfp"] {
        send_message(&shadow, gibberish).await;
    }
    wait_for_message(&shadow, "Connecting you to an agent").await;
    send_message(&shadow, "still there?").await;
    send_message(&shadow, "hello?").await;

    let agent = ApiAgent::sign_in(&h, "Sam").await;
    let handoff = agent.accept(&h, "Ada").await;
    let detail = agent.detail(&h, &handoff).await;
    assert_eq!(detail["visitor"]["caseNumber"], "CAS-01234");
    assert_eq!(detail["context"]["reason"], "fallback");
    wait_until("both waiting messages delivered", || async {
        agent.visitor_messages(&h, &handoff).await.len() >= 2
    })
    .await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(
        agent.visitor_messages(&h, &handoff).await,
        ["still there?", "hello?"],
        "once each, in order"
    );
    wait_for_message(&shadow, "Sam joined the chat").await;
    wait_until("waiting messages marked sent", || async {
        let mut all_sent = true;
        for el in shadow
            .find_all(Locator::Css(".hc-msg--visitor"))
            .await
            .unwrap()
        {
            all_sent &= el.attr("data-delivery").await.unwrap().as_deref() == Some("sent");
        }
        all_sent
    })
    .await;
    agent.say(&h, &handoff, "Sorry for the wait!").await;
    wait_for_message(&shadow, "Sorry for the wait!").await;
    agent.end(&h, &handoff).await;
    wait_for_message(&shadow, "Sam left the chat").await;
    h.finish().await;
}

#[tokio::test]
async fn relay_implicit_escalation_and_messages_while_waiting() {
    implicit_escalation_and_messages_while_waiting(RELAY).await;
}

#[tokio::test]
async fn bridge_implicit_escalation_and_messages_while_waiting() {
    implicit_escalation_and_messages_while_waiting(BRIDGE).await;
}

async fn no_agent_in_time(page: &str) {
    let h = Harness::start(&["--accept-timeout", "2"]).await;
    let shadow = start_chat(&h, page).await;
    send_message(&shadow, "agent please").await;
    wait_for_message(&shadow, "Connecting you to an agent").await;
    let transcript = wait_for_message(&shadow, "No agent is available right now").await;
    assert!(!transcript.is_empty());
    wait_for_message(&shadow, "Sorry, no one could join this time").await;
    send_message(&shadow, "opening hours?").await;
    wait_for_message(&shadow, "Monday to Friday").await;
    assert_eq!(
        text_of(&shadow, ".hc-status").await,
        "",
        "no waiting banner left"
    );
    h.finish().await;
}

#[tokio::test]
async fn relay_no_agent_in_time_returns_to_the_bot() {
    no_agent_in_time(RELAY).await;
}

#[tokio::test]
async fn bridge_no_agent_in_time_returns_to_the_bot() {
    no_agent_in_time(BRIDGE).await;
}

#[tokio::test]
async fn visitor_ends_the_chat_and_the_agent_sees_it() {
    let h = Harness::start(&[]).await;
    let shadow = start_chat(&h, RELAY).await;
    send_message(&shadow, "talk to a human").await;
    let agent = ApiAgent::sign_in(&h, "Alex").await;
    let handoff = agent.accept(&h, "Ada").await;
    wait_for_message(&shadow, "Alex joined the chat").await;
    button(&shadow, "End chat").await.click().await.unwrap();
    wait_for_message(&shadow, "You ended the chat.").await;
    wait_until("the agent sees the visitor left", || async {
        agent.detail(&h, &handoff).await["state"] == "visitor-ended"
    })
    .await;
    assert!(
        shadow.find(Locator::Css("#hc-message")).await.is_err(),
        "composer replaced"
    );
    button(&shadow, "Start a new chat")
        .await
        .click()
        .await
        .unwrap();
    // The survey replaces the ended chat on the next render: wait for it (looking at once
    // failed now and then).
    wait_until("the survey is shown again", || async {
        shadow.find(Locator::Css(".hc-survey label")).await.is_ok()
    })
    .await;
    let first = field(&shadow, "First name").await;
    assert_eq!(
        first.prop("value").await.unwrap().as_deref(),
        Some("Ada"),
        "survey prefilled"
    );
    let _ = messages(&shadow).await;
    h.finish().await;
}
