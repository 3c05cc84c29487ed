//! The widget against Direct Line software we did not write: the real loader script in
//! headless Chromium, the `offline-directline` npm emulator (the one Web Chat works with) and
//! a bot built with Microsoft's `botbuilder` v4 SDK, started together by
//! `tests/third-party/server.mjs`. Checks the chat a person sees there: survey, greeting,
//! echo, and the handoff the SDK's own `EventFactory.createHandoffInitiation` starts.
//!
//! Environment: `DIST_DIR` (the built widget, default `<repo>/dist`), `NODE` (default `node`
//! on PATH). The npm packages come from the repository's `package.json` (`npm ci`).
#![allow(clippy::unwrap_used, reason = "tests: a panic is the failure report")]

use std::path::PathBuf;
use std::time::Duration;

use e2e::{
    button, messages, send_message, spawn_server, submit_survey, text_of, wait_for_message,
    wait_until, Harness, ADA,
};
use fantoccini::elements::ShadowRoot;
use serde_json::Value;
use tokio::process::Command;

/// The repository root (the e2e crate's parent folder).
fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("e2e crate inside the repository")
        .to_path_buf()
}

/// Starts the node server (offline-directline + botbuilder bot + host page) and a browser.
async fn start() -> Harness {
    let root = repo();
    let dist = std::env::var("DIST_DIR").map_or_else(|_| root.join("dist"), PathBuf::from);
    let node = std::env::var("NODE").unwrap_or_else(|_| "node".into());
    let mut command = Command::new(node);
    command
        .arg(root.join("tests/third-party/server.mjs"))
        .arg("--dist")
        .arg(dist)
        .current_dir(&root);
    let (server, url) = spawn_server(command).await;
    Harness::with_server(server, url, &[]).await
}

/// How many transcript entries read exactly `text`.
fn count(transcript: &[String], text: &str) -> usize {
    transcript.iter().filter(|t| t.as_str() == text).count()
}

/// No entry of the transcript shows twice.
fn assert_no_duplicates(transcript: &[String]) {
    for text in transcript {
        assert_eq!(count(transcript, text), 1, "{text:?} twice: {transcript:?}");
    }
}

/// Neither an error (configuration, could not connect) nor a connection-lost banner shows.
async fn assert_no_error_shown(shadow: &ShadowRoot) {
    for css in ["[role=alert]", ".hc-status--offline"] {
        let shown = text_of(shadow, css).await;
        assert!(shown.is_empty(), "{css} shown: {shown:?}");
    }
}

#[tokio::test]
async fn chat_and_handoff_through_offline_directline_and_a_botbuilder_bot() {
    let h = start().await;
    let shadow = h.open_demo().await;
    // The page API's event for the handoff, recorded as the page sees it.
    h.js("window.handoffs = 0;
          window.addEventListener('handoff-chat:handoff-started', () => window.handoffs++);")
        .await;

    button(&shadow, "Open chat").await.click().await.unwrap();
    submit_survey(&shadow, &ADA).await;
    wait_for_message(&shadow, "Hello Ada!").await;
    h.screenshot("third-party-greeting").await;

    send_message(&shadow, "Do you sell tents?").await;
    let transcript = wait_for_message(&shadow, "Echo: Do you sell tents?").await;
    assert_eq!(
        count(&transcript, "Do you sell tents?"),
        1,
        "{transcript:?}"
    );
    assert_eq!(
        count(&transcript, "Echo: Do you sell tents?"),
        1,
        "{transcript:?}"
    );
    wait_until("own message marked sent", || async {
        text_of(&shadow, ".hc-msg--visitor .hc-msg__status").await == "Sent"
    })
    .await;
    let sender = text_of(&shadow, ".hc-msg--bot .hc-msg__sender").await;
    assert_eq!(
        sender, "Bot",
        "offline-directline names every bot activity Bot"
    );

    send_message(&shadow, "I want to talk to an agent").await;
    wait_for_message(&shadow, "Let me connect you with a person.").await;
    wait_for_message(&shadow, "Connecting you to an agent").await;
    wait_until("waiting-for-agent status", || async {
        text_of(&shadow, ".hc-status--handoff")
            .await
            .contains("Waiting for the next available agent")
    })
    .await;
    assert_eq!(
        text_of(&shadow, ".hc-panel__subtitle").await,
        "Waiting for an agent"
    );
    assert_eq!(
        h.js("return window.handoffs").await,
        1,
        "handoff-started once"
    );
    h.screenshot("third-party-handoff").await;

    // A few more polls bring nothing new and repeat nothing.
    let settled = messages(&shadow).await;
    tokio::time::sleep(Duration::from_secs(3)).await;
    let later = messages(&shadow).await;
    assert_eq!(later, settled, "transcript changed while idle");
    assert_no_duplicates(&later);
    assert_eq!(
        later.iter().filter(|t| t.starts_with("Echo:")).count(),
        1,
        "only the one echo: {later:?}"
    );
    assert_no_error_shown(&shadow).await;

    // Every request the widget made to offline-directline got an answer it has a route for
    // (its unimplemented routes, such as the stream and reconnect, never answer at all).
    // 304: express answers a repeated poll's If-None-Match; the browser serves its copy.
    // The /v3/conversations routes are the bot's replies, not the widget's requests.
    let requests = h.api("GET", "/_test/requests", None).await;
    let widget_requests: Vec<&Value> = requests
        .as_array()
        .expect("request list")
        .iter()
        .filter(|r| r["path"].as_str().is_some_and(|p| !p.starts_with("/v3/")))
        .collect();
    let answered = |r: &Value| {
        r["status"]
            .as_u64()
            .is_some_and(|s| (200..300).contains(&s) || s == 304)
    };
    let unanswered: Vec<_> = widget_requests.iter().filter(|r| !answered(r)).collect();
    assert!(
        unanswered.is_empty(),
        "requests offline-directline did not answer: {unanswered:?}"
    );
    eprintln!(
        "the widget made {} requests to offline-directline",
        widget_requests.len()
    );
    h.finish().await;
}
