//! Connection reliability seen by a visitor: reloads resume the same conversation without
//! losing or repeating anything, with the bot and with an agent.
#![allow(clippy::unwrap_used, reason = "tests: a panic is the failure report")]

use e2e::agent::ApiAgent;
use e2e::{
    button, field, messages, send_message, submit_survey, text_of, wait_for, wait_for_message,
    wait_until, Harness, ADA_REQUIRED,
};
use fantoccini::elements::ShadowRoot;
use fantoccini::Locator;

async fn start_chat(h: &Harness) -> ShadowRoot {
    let shadow = h.open_demo().await;
    button(&shadow, "Open chat").await.click().await.unwrap();
    submit_survey(&shadow, &ADA_REQUIRED).await;
    wait_for_message(&shadow, "Hello Ada").await;
    shadow
}

/// Reloads the page and opens the widget again.
async fn reload(h: &Harness) -> ShadowRoot {
    h.client.refresh().await.unwrap();
    let shadow = h.widget().await;
    button(&shadow, "Open chat").await.click().await.unwrap();
    shadow
}

fn count(transcript: &[String], needle: &str) -> usize {
    transcript.iter().filter(|t| t.contains(needle)).count()
}

#[tokio::test]
async fn a_reload_resumes_the_same_conversation_without_the_survey_or_duplicates() {
    let h = Harness::start(&[]).await;
    let shadow = start_chat(&h).await;
    send_message(&shadow, "opening hours").await;
    wait_for_message(&shadow, "Monday to Friday").await;

    let shadow = reload(&h).await;
    wait_for_message(&shadow, "Monday to Friday").await;
    assert!(
        shadow
            .find(Locator::Css("#hc-field-firstName"))
            .await
            .is_err(),
        "survey not asked again"
    );
    send_message(&shadow, "password reset").await;
    let transcript = wait_for("the bot's answer after the reload", || async {
        let transcript = messages(&shadow).await;
        (transcript.len() >= 5).then_some(transcript)
    })
    .await;
    assert_eq!(count(&transcript, "Hello Ada"), 1, "{transcript:?}");
    assert_eq!(count(&transcript, "opening hours"), 1, "{transcript:?}");
    assert_eq!(count(&transcript, "Monday to Friday"), 1, "{transcript:?}");
    assert_eq!(count(&transcript, "password reset"), 1, "{transcript:?}");

    // "End chat" forgets it: the next load starts with the survey.
    button(&shadow, "End chat").await.click().await.unwrap();
    wait_for_message(&shadow, "You ended the chat.").await;
    let shadow = reload(&h).await;
    field(&shadow, "First name").await;
    h.finish().await;
}

#[tokio::test]
async fn a_reload_during_an_agent_chat_stays_with_the_agent() {
    let h = Harness::start(&[]).await;
    let shadow = start_chat(&h).await;
    send_message(&shadow, "talk to a person").await;
    wait_for_message(&shadow, "Connecting you to an agent").await;
    let agent = ApiAgent::sign_in(&h, "Alex").await;
    let handoff = agent.accept(&h, "Ada").await;
    wait_for_message(&shadow, "Alex joined the chat").await;

    let shadow = reload(&h).await;
    wait_for_message(&shadow, "Alex joined the chat").await;
    // Read once the panel has finished opening: text is "" while it is not yet shown.
    wait_until("the header names the agent", || async {
        text_of(&shadow, ".hc-panel__subtitle").await == "Chatting with Alex"
    })
    .await;
    agent
        .say(&h, &handoff, "Still here after your reload")
        .await;
    wait_for_message(&shadow, "Still here after your reload").await;
    send_message(&shadow, "great").await;
    wait_until("the agent gets the message once", || async {
        let got = agent.visitor_messages(&h, &handoff).await;
        got.iter().filter(|m| *m == "great").count() == 1
    })
    .await;
    assert_eq!(count(&messages(&shadow).await, "Alex joined the chat"), 1);
    h.finish().await;
}

#[tokio::test]
async fn the_dev_server_restarts_and_the_chat_goes_on_with_nothing_lost() {
    let state = std::env::temp_dir().join(format!("hc-e2e-state-{}.json", std::process::id()));
    let state_arg = state.to_string_lossy().into_owned();
    let mut h = Harness::start(&["--state", &state_arg]).await;
    let shadow = start_chat(&h).await;

    h.kill_server().await;
    wait_until("the connection banner", || async {
        text_of(&shadow, ".hc-status--offline")
            .await
            .contains("connect")
    })
    .await;
    send_message(&shadow, "/echo typed while the server was down").await;
    wait_until("the message shown as pending", || async {
        let status = shadow
            .find(Locator::Css(".hc-msg--visitor:last-child .hc-msg__status"))
            .await;
        match status {
            Ok(el) => el.text().await.unwrap_or_default() != "Sent",
            Err(_) => false,
        }
    })
    .await;
    h.screenshot("server-down").await;

    h.restart_server().await;
    wait_for_message(&shadow, "echo: typed while the server was down").await;
    wait_until("banner gone", || async {
        shadow
            .find(Locator::Css(".hc-status--offline"))
            .await
            .is_err()
    })
    .await;
    let transcript = messages(&shadow).await;
    assert_eq!(
        count(&transcript, "typed while the server was down"),
        2,
        "once sent, once echoed: {transcript:?}"
    );
    assert_eq!(count(&transcript, "Hello Ada"), 1, "{transcript:?}");
    h.finish().await;
    let _ = std::fs::remove_file(&state);
}
