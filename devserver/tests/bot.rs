//! The demo bot through Direct Line (`oneshot`): the greeting, escalating with the context
//! and the transcript, staying quiet during a relay handoff, and answering its outcome.
#![allow(clippy::unwrap_used, reason = "tests: a panic is the failure report")]

mod common;

use common::hub::{outcome, NO_AGENT, SORRY, WELCOME_BACK};
use common::{activity_id, activity_ids, event, events, ids, message, survey, texts_from, TestApp};
use serde_json::json;

// ---- the demo bot over REST ------------------------------------------------------------

#[tokio::test]
async fn start_conversation_event_gets_the_greeting() {
    let app = TestApp::new();
    let (conv, token) = app.token().await;
    let mut start = event("startConversation", survey("Ada", "Lovelace"));
    start["from"] = json!({"id": "dl_ada"});
    app.post(&conv, &token, start).await;
    let set = app.activities(&conv, &token, Some("1")).await;
    assert_eq!(set["activities"][0]["type"], "typing");
    assert_eq!(
        set["activities"][1]["text"],
        "Hello Ada, how can I help? I can see your case CAS-01234."
    );
    assert_eq!(set["activities"][1]["replyToId"], activity_id(&conv, 1));
}

#[tokio::test]
async fn asking_for_a_person_hands_off_with_the_transcript() {
    let app = TestApp::new();
    let (conv, token) = app.token().await;
    let start = event("startConversation", json!({"firstName": "Ada"}));
    app.post(&conv, &token, start).await;
    app.post(&conv, &token, message("talk to a person")).await;
    let set = app.activities(&conv, &token, Some("3")).await;
    let activities = set["activities"].as_array().unwrap();
    let kinds: Vec<&str> = activities
        .iter()
        .map(|a| a["type"].as_str().unwrap())
        .collect();
    // Relay by default: the hub enqueues the conversation and says so in it.
    assert_eq!(kinds, ["message", "typing", "message", "event", "event"]);
    assert_eq!(activities[4]["name"], "handoff.queue");
    assert_eq!(
        activities[2]["text"],
        "Let me connect you with someone who can help."
    );
    let handoff = &activities[3];
    assert_eq!(handoff["name"], "handoff.initiate");
    assert_eq!(handoff["from"]["id"], "demo-bot");
    assert_eq!(handoff["value"]["firstName"], "Ada");
    assert_eq!(handoff["value"]["reason"], "explicit");
    assert_eq!(handoff["value"]["va_ConversationId"], conv.as_str());
    let attachment = &handoff["attachments"][0];
    assert_eq!(attachment["contentType"], "application/json");
    assert_eq!(attachment["name"], "Transcript");
    let transcript = &attachment["content"]["activities"];
    assert_eq!(ids(transcript), activity_ids(&conv, 1..=4));
    assert_eq!(transcript[3]["text"], "talk to a person");
}

// ---- the demo bot around a handoff -----------------------------------------------------

#[tokio::test]
async fn bot_is_quiet_during_a_relay_handoff_and_answers_after_it() {
    let app = TestApp::new();
    let (ada, handoff) = app.relay_visitor("Ada", "Lovelace").await;
    let before = app.history(&ada).await.len();
    app.post_as(&ada, message("opening hours")).await;
    app.post_as(&ada, message("I want a human now")).await;
    app.post_as(&ada, message("bananas")).await;
    let history = app.history(&ada).await;
    assert_eq!(history.len(), before + 3, "only the visitor's echoes");
    assert_eq!(events(&history, "handoff.initiate").len(), 1);

    let alex = app.agent("Alex").await;
    app.accept(&handoff, &alex).await;
    app.post_as(&ada, message("hello?")).await;
    app.agent_post(&handoff, "end", &alex, json!({})).await;
    let quiet = texts_from(&app.history(&ada).await, "demo-bot").len();

    // The widget tells the bot; the bot welcomes the visitor back and answers again, with
    // a fresh fallback count (two misses do not escalate).
    app.post_as(&ada, outcome(json!({"state": "completed"})))
        .await;
    app.post_as(&ada, message("opening hours")).await;
    app.post_as(&ada, message("bananas")).await;
    app.post_as(&ada, message("bananas")).await;
    let history = app.history(&ada).await;
    let bot = texts_from(&history, "demo-bot");
    assert_eq!(bot[quiet], WELCOME_BACK);
    assert!(bot[quiet + 1].contains("Monday to Friday"));
    assert!(bot[quiet + 2].starts_with("Sorry, I didn't understand"));
    assert_eq!(bot.len(), quiet + 4);
    assert_eq!(events(&history, "handoff.initiate").len(), 1);

    // And a new escalation enqueues again.
    app.post_as(&ada, message("talk to a person")).await;
    assert_eq!(app.waiting().await.len(), 1);
}

#[tokio::test]
async fn bot_answers_the_handoff_outcome_in_both_modes() {
    let app = TestApp::new();
    for path in [
        "/api/directline/token",
        "/api/directline/token?handoff=bridge",
    ] {
        let visitor = app.visitor(path).await;
        app.post_as(&visitor, outcome(json!({"state": "completed"})))
            .await;
        app.post_as(
            &visitor,
            outcome(json!({"state": "failed", "message": NO_AGENT})),
        )
        .await;
        app.post_as(&visitor, outcome(json!({"state": "accepted"})))
            .await;
        let history = app.history(&visitor).await;
        assert_eq!(
            texts_from(&history, "demo-bot"),
            [WELCOME_BACK, SORRY],
            "{path}"
        );
    }
}
