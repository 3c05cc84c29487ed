//! The hub side of live-agent handoff (`docs/handoff.md`): relay into the bot's conversation,
//! bridge through `/hub/v3/directline`, queue and status events, the accept timeout, what
//! the visitor sends during a handoff. REST through `oneshot`; one test follows a bridge
//! handoff over the hub's WebSocket stream. The agents' side: `console.rs`; the demo bot
//! around a handoff: `bot.rs`.
#![allow(clippy::unwrap_used, reason = "tests: a panic is the failure report")]

mod common;

use std::time::Duration;

use axum::http::{Method, StatusCode};
use common::hub::{bridge_initiate, hub_account, outcome, queue_values, statuses, NO_AGENT, SORRY};
use common::ws::{connect, next_set, serve, stream_url_on, Socket};
use common::{assert_error, events, message, texts, texts_from, TestApp, Visitor, BOT, HUB};
use serde_json::{json, Value};

// ---- hub endpoints ---------------------------------------------------------------------

#[tokio::test]
async fn hub_is_its_own_direct_line_endpoint() {
    let app = TestApp::new();
    let token = app.get("/hub/api/token").await;
    assert_eq!(token.status, StatusCode::OK);
    assert_eq!(token.json.as_object().unwrap().len(), 3, "{}", token.json);
    assert_eq!(token.json["expires_in"], 60);
    let hub_token = token.json["token"].as_str().unwrap();
    let hub_conv = token.json["conversationId"].as_str().unwrap();

    let started = app.start(HUB, hub_token).await;
    assert_eq!(started.status, StatusCode::CREATED, "{}", started.json);
    assert_eq!(started.json["conversationId"], hub_conv);
    let stream = started.json["streamUrl"].as_str().unwrap();
    assert!(
        stream.starts_with(&format!(
            "ws://127.0.0.1:8080/hub/v3/directline/conversations/{hub_conv}/stream?t="
        )),
        "{stream}"
    );

    // Each endpoint knows only its own tokens and conversations.
    let bot = app.visitor("/api/directline/token").await;
    let bot_token_on_hub = app.list(HUB, &bot.conv, &bot.token, None).await;
    assert_error(&bot_token_on_hub, StatusCode::UNAUTHORIZED, "BadArgument");
    let hub_token_on_bot = app.list(BOT, hub_conv, hub_token, None).await;
    assert_error(&hub_token_on_bot, StatusCode::UNAUTHORIZED, "BadArgument");
    let secret_generates_on_hub = app
        .call(
            Method::POST,
            &format!("{HUB}/tokens/generate"),
            Some(common::SECRET),
            None,
        )
        .await;
    assert_eq!(secret_generates_on_hub.status, StatusCode::OK);

    // The hub is not the bot: a message there gets no bot answer.
    let hub = Visitor {
        base: HUB,
        conv: hub_conv.to_owned(),
        token: hub_token.to_owned(),
    };
    app.post_as(&hub, message("opening hours")).await;
    assert_eq!(app.history(&hub).await.len(), 1);
}

#[tokio::test]
async fn bridge_initiate_enqueues_with_survey_context_and_transcript() {
    let app = TestApp::new();
    let (visitor, handoff) = app.bridge_visitor("Ada", "Lovelace").await;
    app.clock.advance(42_000);
    let waiting = app.waiting().await;
    assert_eq!(
        waiting,
        [json!({
            "handoffId": handoff,
            "visitor": {"firstName": "Ada", "lastName": "Lovelace",
                        "email": "ada@example.com", "caseNumber": "CAS-01234"},
            "lastTopic": "Order status",
            "waitingSeconds": 42,
            "mode": "bridge",
            "position": 1
        })]
    );
    let history = app.history(&visitor).await;
    let queue = events(&history, "handoff.queue");
    assert_eq!(queue.len(), 1);
    assert_eq!(queue[0]["from"], hub_account());
    assert_eq!(
        queue[0]["value"],
        json!({"position": 1, "estimatedWaitSeconds": 60})
    );

    let alex = app.agent("Alex").await;
    let detail = app.accept(&handoff, &alex).await;
    assert_eq!(detail["state"], "engaged");
    assert_eq!(detail["mode"], "bridge");
    assert_eq!(detail["context"]["botConversationId"], "bot-conv-1");
    assert_eq!(detail["context"]["survey"]["firstName"], "Ada");
    assert_eq!(detail["transcript"].as_array().unwrap().len(), 2);
    assert_eq!(detail["transcript"][0]["text"], "where is my order");
    assert_eq!(detail["messages"], json!([]));
    assert_eq!(detail["visitorTyping"], false);

    // A bridge handoff in a hub conversation ends like a relay one; the next initiate there
    // starts a new handoff.
    app.agent_post(&handoff, "end", &alex, json!({})).await;
    app.post_as(&visitor, bridge_initiate("Ada", "Lovelace"))
        .await;
    assert_ne!(app.handoff_of("Ada").await, handoff);
}

#[tokio::test]
async fn relay_escalation_enqueues_the_bot_conversation() {
    let app = TestApp::new();
    let (visitor, handoff) = app.relay_visitor("Ada", "Lovelace").await;
    let waiting = app.waiting().await;
    assert_eq!(waiting[0]["mode"], "relay");
    assert_eq!(waiting[0]["lastTopic"], "Escalate");
    assert_eq!(waiting[0]["position"], 1);
    assert_eq!(waiting[0]["visitor"]["email"], "ada@example.com");

    let history = app.history(&visitor).await;
    let names: Vec<&str> = history.iter().filter_map(|a| a["name"].as_str()).collect();
    assert_eq!(
        names,
        ["startConversation", "handoff.initiate", "handoff.queue"]
    );

    let alex = app.agent("Alex").await;
    let detail = app.accept(&handoff, &alex).await;
    assert_eq!(
        detail["context"]["va_ConversationId"],
        visitor.conv.as_str()
    );
    assert_eq!(detail["context"]["reason"], "explicit");
    assert_eq!(
        texts(&detail["transcript"]),
        [
            "Hello Ada, how can I help? I can see your case CAS-01234.",
            "talk to a person"
        ]
    );
}

#[tokio::test]
async fn bridge_marked_bot_conversations_are_not_relayed() {
    let app = TestApp::new();
    let visitor = app.visitor("/api/directline/token?handoff=bridge").await;
    app.post_as(&visitor, message("talk to a person")).await;
    let history = app.history(&visitor).await;
    assert_eq!(events(&history, "handoff.initiate").len(), 1);
    assert!(events(&history, "handoff.queue").is_empty());
    assert!(app.waiting().await.is_empty());
    // The bot keeps answering there (the widget talks to the hub meanwhile).
    app.post_as(&visitor, message("opening hours")).await;
    let history = app.history(&visitor).await;
    assert!(texts_from(&history, "demo-bot")
        .last()
        .unwrap()
        .contains("Monday to Friday"));

    let relay = app.get("/api/directline/token?handoff=relay").await;
    assert_eq!(relay.status, StatusCode::OK);
    let bad = app
        .get("/api/directline/token?handoff=carrier-pigeon")
        .await;
    assert_error(&bad, StatusCode::BAD_REQUEST, "BadArgument");
}

// ---- status and queue events -----------------------------------------------------------

#[tokio::test]
async fn status_and_queue_events_follow_the_queue() {
    let app = TestApp::new();
    let (ada, ada_handoff) = app.relay_visitor("Ada", "Lovelace").await;
    let (bob, bob_handoff) = app.bridge_visitor("Bob", "Boole").await;
    let positions: Vec<Value> = app
        .waiting()
        .await
        .iter()
        .map(|w| w["position"].clone())
        .collect();
    assert_eq!(positions, [json!(1), json!(2)]);
    assert_eq!(
        queue_values(&app.history(&bob).await),
        [json!({"position": 2, "estimatedWaitSeconds": 120})]
    );
    // Ada's position did not change when Bob arrived: told once.
    assert_eq!(queue_values(&app.history(&ada).await).len(), 1);

    let alex = app.agent("Alex").await;
    app.accept(&ada_handoff, &alex).await;
    let history = app.history(&ada).await;
    let accepted = events(&history, "handoff.status");
    assert_eq!(accepted.len(), 1);
    assert_eq!(accepted[0]["from"], hub_account());
    assert_eq!(
        accepted[0]["value"],
        json!({"state": "accepted", "agent": {"id": alex, "name": "Alex"}})
    );
    assert_eq!(
        queue_values(&app.history(&bob).await),
        [
            json!({"position": 2, "estimatedWaitSeconds": 120}),
            json!({"position": 1, "estimatedWaitSeconds": 60})
        ]
    );
    let waiting = app.waiting().await;
    assert_eq!(waiting.len(), 1);
    assert_eq!(waiting[0]["handoffId"], bob_handoff.as_str());
    assert_eq!(waiting[0]["position"], 1);

    // Agent message and typing, from the agent's account with channelData.handoff.agent.
    let agent = json!({"id": alex, "name": "Alex"});
    let sent = app
        .agent_says(&ada_handoff, &alex, "Hi Ada, Alex here.")
        .await;
    assert_eq!(sent.status, StatusCode::OK, "{}", sent.json);
    let typing = app
        .agent_post(&ada_handoff, "typing", &alex, json!({}))
        .await;
    assert_eq!(typing.status, StatusCode::OK, "{}", typing.json);
    let history = app.history(&ada).await;
    let from_agent: Vec<&Value> = history
        .iter()
        .filter(|a| a["from"]["id"] == format!("agent:{alex}"))
        .collect();
    assert_eq!(from_agent.len(), 2);
    assert_eq!(from_agent[0]["id"], sent.json["id"]);
    assert_eq!(from_agent[0]["type"], "message");
    assert_eq!(from_agent[0]["text"], "Hi Ada, Alex here.");
    assert_eq!(
        from_agent[0]["from"],
        json!({"id": format!("agent:{alex}"), "name": "Alex", "role": "bot"})
    );
    assert_eq!(from_agent[0]["channelData"]["handoff"]["agent"], agent);
    assert_eq!(from_agent[1]["type"], "typing");
    assert_eq!(from_agent[1]["channelData"]["handoff"]["agent"], agent);

    let ended = app.agent_post(&ada_handoff, "end", &alex, json!({})).await;
    assert_eq!(ended.status, StatusCode::OK);
    assert_eq!(ended.json["state"], "completed");
    assert_eq!(
        statuses(&app.history(&ada).await).last().unwrap(),
        &json!({"state": "completed", "agent": agent})
    );
    let again = app.agent_says(&ada_handoff, &alex, "hello?").await;
    assert_error(&again, StatusCode::CONFLICT, "Ended");
    let list = app.agent_handoffs(&alex).await;
    assert_eq!(list.json["handoffs"][0]["state"], "completed");
}

#[tokio::test(start_paused = true)]
async fn unaccepted_handoffs_fail_after_the_accept_timeout() {
    let app = TestApp::new();
    let (ada, _) = app.relay_visitor("Ada", "Lovelace").await;
    tokio::time::sleep(Duration::from_secs(60)).await;
    let (bob, bob_handoff) = app.bridge_visitor("Bob", "Boole").await;

    // Ada's two minutes are up; Bob moves up.
    tokio::time::sleep(Duration::from_secs(61)).await;
    let ada_history = app.history(&ada).await;
    assert_eq!(
        statuses(&ada_history),
        [json!({"state": "failed", "message": NO_AGENT})]
    );
    assert_eq!(
        events(&ada_history, "handoff.status")[0]["from"],
        hub_account()
    );
    let waiting = app.waiting().await;
    assert_eq!(waiting.len(), 1);
    assert_eq!(waiting[0]["handoffId"], bob_handoff.as_str());
    assert_eq!(
        queue_values(&app.history(&bob).await).last().unwrap(),
        &json!({"position": 1, "estimatedWaitSeconds": 60})
    );

    // Ada's relay conversation is the bot's again.
    app.post_as(
        &ada,
        outcome(json!({"state": "failed", "message": NO_AGENT})),
    )
    .await;
    app.post_as(&ada, message("opening hours")).await;
    let ada_history = app.history(&ada).await;
    let texts: Vec<&str> = texts_from(&ada_history, "demo-bot")
        .into_iter()
        .rev()
        .take(2)
        .collect();
    assert!(texts[0].contains("Monday to Friday"), "{texts:?}");
    assert_eq!(texts[1], SORRY);

    tokio::time::sleep(Duration::from_secs(60)).await;
    assert!(app.waiting().await.is_empty());
    assert_eq!(statuses(&app.history(&bob).await)[0]["state"], "failed");
    let alex = app.agent("Alex").await;
    let late = app
        .agent_post(&bob_handoff, "accept", &alex, json!({}))
        .await;
    assert_error(&late, StatusCode::CONFLICT, "NotWaiting");
}

#[tokio::test(start_paused = true)]
async fn accepted_handoffs_do_not_time_out() {
    let app = TestApp::new();
    let (ada, handoff) = app.relay_visitor("Ada", "Lovelace").await;
    let alex = app.agent("Alex").await;
    app.accept(&handoff, &alex).await;
    tokio::time::sleep(Duration::from_secs(600)).await;
    let states: Vec<Value> = statuses(&app.history(&ada).await)
        .iter()
        .map(|s| s["state"].clone())
        .collect();
    assert_eq!(states, [json!("accepted")]);
}

// ---- the visitor's side ----------------------------------------------------------------

#[tokio::test]
async fn visitor_ends_an_engaged_or_a_waiting_handoff() {
    let app = TestApp::new();
    let (ada, ada_handoff) = app.relay_visitor("Ada", "Lovelace").await;
    let (bob, bob_handoff) = app.bridge_visitor("Bob", "Boole").await;
    let (cy, _) = app.relay_visitor("Cy", "Clone").await;
    let alex = app.agent("Alex").await;
    app.accept(&ada_handoff, &alex).await;

    let bye = json!({"type": "endOfConversation", "code": "userCancelled"});
    app.post_as(&ada, bye.clone()).await;
    let detail = app.detail(&ada_handoff, &alex).await.json;
    assert_eq!(detail["state"], "visitor-ended");
    let sent = app.agent_says(&ada_handoff, &alex, "still there?").await;
    assert_error(&sent, StatusCode::CONFLICT, "Ended");
    let end = app.agent_post(&ada_handoff, "end", &alex, json!({})).await;
    assert_error(&end, StatusCode::CONFLICT, "Ended");
    // Nothing is sent back to a visitor who left.
    assert_eq!(statuses(&app.history(&ada).await).len(), 1, "only accepted");

    // Bob leaves while waiting (bridge: in the hub conversation): out of the queue, and Cy
    // moves up.
    app.post_as(&bob, bye).await;
    let waiting = app.waiting().await;
    assert_eq!(waiting.len(), 1);
    assert_eq!(waiting[0]["visitor"]["firstName"], "Cy");
    assert!(statuses(&app.history(&bob).await).is_empty());
    assert_eq!(
        queue_values(&app.history(&cy).await).last().unwrap()["position"],
        1
    );
    let late = app
        .agent_post(&bob_handoff, "accept", &alex, json!({}))
        .await;
    assert_error(&late, StatusCode::CONFLICT, "NotWaiting");
}

#[tokio::test]
async fn messages_while_waiting_reach_the_agent_once_and_in_order() {
    let app = TestApp::new();
    let (ada, handoff) = app.relay_visitor("Ada", "Lovelace").await;
    let with_id = |text: &str, client: &str| json!({"type": "message", "text": text, "channelData": {"clientActivityID": client}});
    let first = app.post_as(&ada, with_id("my order is late", "c1")).await;
    let second = app.post_as(&ada, with_id("it was due Monday", "c2")).await;
    // A retried POST of the same message is recorded once.
    app.post_as(&ada, with_id("it was due Monday", "c2")).await;
    let third = app.post_as(&ada, message("order 42")).await;
    app.post_as(&ada, json!({"type": "typing"})).await;

    let alex = app.agent("Alex").await;
    let detail = app.accept(&handoff, &alex).await;
    let messages = detail["messages"].as_array().unwrap();
    let got: Vec<(&str, &str, &str)> = messages
        .iter()
        .map(|m| {
            (
                m["id"].as_str().unwrap(),
                m["from"].as_str().unwrap(),
                m["text"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            (first.as_str(), "visitor", "my order is late"),
            (second.as_str(), "visitor", "it was due Monday"),
            (third.as_str(), "visitor", "order 42"),
        ]
    );
    assert!(messages[0]["timestamp"].as_str().unwrap().ends_with('Z'));
    assert_eq!(detail["visitorTyping"], true);
    app.clock.advance(5_000);
    assert_eq!(
        app.detail(&handoff, &alex).await.json["visitorTyping"],
        false
    );

    let reply = app.agent_says(&handoff, &alex, "Let me check.").await;
    app.post_as(&ada, message("thanks")).await;
    let detail = app.detail(&handoff, &alex).await.json;
    let tail: Vec<(&Value, &Value)> = detail["messages"]
        .as_array()
        .unwrap()
        .iter()
        .skip(3)
        .map(|m| (&m["from"], &m["text"]))
        .collect();
    assert_eq!(
        tail,
        [
            (&json!("agent"), &json!("Let me check.")),
            (&json!("visitor"), &json!("thanks")),
        ]
    );
    assert_eq!(detail["messages"][3]["id"], reply.json["id"]);
}

// ---- bridge over the hub's stream ------------------------------------------------------

/// The first activity of the next ActivitySet, skipping keep-alives.
async fn next(socket: &mut Socket) -> Value {
    next_set(socket).await["activities"][0].clone()
}

#[tokio::test]
async fn bridge_handoff_over_the_hub_stream() {
    let (app, port) = serve(TestApp::new()).await;
    let hub = app.visitor("/hub/api/token").await;
    let started = app.start(HUB, &hub.token).await;
    let mut socket = connect(&stream_url_on(&started.json, port)).await;
    app.post_as(&hub, bridge_initiate("Ada", "Lovelace")).await;
    assert_eq!(next(&mut socket).await["name"], "handoff.initiate");
    let queue = next(&mut socket).await;
    assert_eq!(queue["name"], "handoff.queue");
    assert_eq!(queue["value"]["position"], 1);

    let alex = app.agent("Alex").await;
    let handoff = app.handoff_of("Ada").await;
    app.accept(&handoff, &alex).await;
    let accepted = next(&mut socket).await;
    assert_eq!(accepted["value"]["state"], "accepted");
    assert_eq!(accepted["value"]["agent"]["name"], "Alex");

    app.agent_says(&handoff, &alex, "Hello Ada").await;
    let said = next(&mut socket).await;
    assert_eq!(said["text"], "Hello Ada");
    assert_eq!(said["channelData"]["handoff"]["agent"]["id"], alex.as_str());
}
