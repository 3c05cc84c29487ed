//! A background tab: browsers run no animation frames there, yet the chat must be saved
//! and the page told of each change as it happens, so that closing the tab then loses
//! nothing. The tab is made "hidden" the way a browser hides it from the widget: no
//! `requestAnimationFrame` callback ever runs and `document.hidden` is true.
#![allow(clippy::unwrap_used, reason = "tests: a panic is the failure report")]

use e2e::agent::ApiAgent;
use e2e::probe::stored_session;
use e2e::{
    button, messages, send_message, submit_survey, wait_for_message, wait_until, Harness,
    ADA_REQUIRED,
};
use serde_json::Value;

/// Makes the page look like a background tab to the widget.
const HIDE: &str = "window.requestAnimationFrame = () => 0;
    Object.defineProperty(document, 'hidden', {get: () => true});
    Object.defineProperty(document, 'visibilityState', {get: () => 'hidden'});
    document.dispatchEvent(new Event('visibilitychange'));";

#[tokio::test]
async fn a_hidden_tab_saves_each_message_and_tells_the_page_and_a_reload_shows_them_all() {
    let h = Harness::start(&[]).await;
    let shadow = h.open_demo().await;
    h.js("window.heard = [];
          HandoffChat.on('message-received', d => heard.push(d.text));
          HandoffChat.on('agent-left', d => heard.push('left: ' + d.agent));")
        .await;
    button(&shadow, "Open chat").await.click().await.unwrap();
    submit_survey(&shadow, &ADA_REQUIRED).await;
    wait_for_message(&shadow, "Hello Ada").await;
    send_message(&shadow, "talk to a person").await;
    let agent = ApiAgent::sign_in(&h, "Alex").await;
    let handoff = agent.accept(&h, "Ada").await;
    wait_for_message(&shadow, "Alex joined the chat").await;

    h.js(HIDE).await;
    agent
        .say(&h, &handoff, "First answer while you are away")
        .await;
    agent
        .say(&h, &handoff, "Second answer while you are away")
        .await;
    agent.end(&h, &handoff).await;
    wait_until(
        "the page hears every message and the agent leaving",
        || async {
            h.js("return heard").await.as_array().is_some_and(|heard| {
                heard
                    .iter()
                    .any(|t| t == "Second answer while you are away")
                    && heard.iter().any(|t| t == "left: Alex")
            })
        },
    )
    .await;
    let heard = h.js("return heard").await;
    let away: Vec<&Value> = heard
        .as_array()
        .unwrap()
        .iter()
        .filter(|t| t.as_str().unwrap().contains("while you are away"))
        .collect();
    assert_eq!(away.len(), 2, "each message told once, in order: {heard}");
    assert!(away[0].as_str().unwrap().starts_with("First"), "{heard}");
    let stored = stored_session(&h).await.unwrap().to_string();
    assert!(
        stored.contains("Second answer while you are away") && stored.contains("Alex left"),
        "saved without a frame: {stored}"
    );
    let shown = messages(&shadow).await;
    assert!(
        !shown.iter().any(|m| m.contains("while you are away")),
        "nothing drawn without a frame (the tab really is frozen for drawing): {shown:?}"
    );

    // The tab is gone; the next load of the page resumes from what was saved.
    h.client.refresh().await.unwrap();
    let shadow = h.widget().await;
    button(&shadow, "Open chat").await.click().await.unwrap();
    wait_for_message(&shadow, "Alex left").await;
    let shown = messages(&shadow).await;
    for text in [
        "First answer while you are away",
        "Second answer while you are away",
    ] {
        assert_eq!(
            shown.iter().filter(|m| m.contains(text)).count(),
            1,
            "{text:?} once: {shown:?}"
        );
    }
    h.finish().await;
}
