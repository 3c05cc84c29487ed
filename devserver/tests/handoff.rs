//! The hub side of live-agent handoff (`docs/handoff.md`): relay into the bot's conversation,
//! bridge through `/hub/v3/directline`, the agent console API, queue and status events,
//! the accept timeout, and the demo bot around a handoff. REST through `oneshot`; one test
//! follows a bridge handoff over the hub's WebSocket stream.
#![allow(clippy::unwrap_used, reason = "tests: a panic is the failure report")]

mod common;

use std::time::Duration;

use axum::http::{header, Method, StatusCode};
use common::{event, events, message, texts_from, TestApp, Visitor, HUB};
use futures_util::StreamExt;
use serde_json::{json, Value};

const NO_AGENT: &str = "No agent is available right now. Please try again later.";
const WELCOME_BACK: &str = "Welcome back! Is there anything else I can help you with?";
const SORRY: &str = "Sorry, no one could join this time. I'm still here: ask me about opening \
                     hours, order status or password reset.";

fn assert_error(reply: &common::Reply, status: StatusCode, code: &str) {
    assert_eq!(reply.status, status, "{}", reply.json);
    assert_eq!(reply.json["error"]["code"], code, "{}", reply.json);
    assert!(reply.json["error"]["message"].is_string(), "{}", reply.json);
}

fn survey(first: &str, last: &str) -> Value {
    json!({"firstName": first, "lastName": last,
           "email": format!("{}@example.com", first.to_lowercase()), "caseNumber": "CAS-01234"})
}

/// A relay visitor who answered the survey and asked for a person; the handoff id.
async fn relay_visitor(app: &TestApp, first: &str, last: &str) -> (Visitor, String) {
    let visitor = app.visitor("/api/directline/token").await;
    app.post_as(&visitor, event("startConversation", survey(first, last)))
        .await;
    app.post_as(&visitor, message("talk to a person")).await;
    let handoff = handoff_of(app, first).await;
    (visitor, handoff)
}

/// A bridge visitor: a hub conversation into which the widget posts `handoff.initiate`.
async fn bridge_visitor(app: &TestApp, first: &str, last: &str) -> (Visitor, String) {
    let visitor = app.visitor("/hub/api/token").await;
    app.post_as(&visitor, bridge_initiate(first, last)).await;
    let handoff = handoff_of(app, first).await;
    (visitor, handoff)
}

fn bridge_initiate(first: &str, last: &str) -> Value {
    json!({
        "type": "event",
        "name": "handoff.initiate",
        "value": {"va_LastTopic": "Order status", "reason": "explicit", "va_BotId": "demo-bot",
                  "survey": survey(first, last), "botConversationId": "bot-conv-1"},
        "attachments": [{"contentType": "application/json", "name": "Transcript",
                         "content": {"activities": [
                            {"type": "message", "text": "where is my order",
                             "from": {"id": "dl_v", "role": "user"}},
                            {"type": "message", "text": "You can follow your order...",
                             "from": {"id": "demo-bot", "name": "Demo Bot", "role": "bot"}}]}}]
    })
}

/// The waiting handoff of the visitor named `first`.
async fn handoff_of(app: &TestApp, first: &str) -> String {
    let waiting = app.waiting().await;
    let entry = waiting
        .iter()
        .find(|w| w["visitor"]["firstName"] == first)
        .unwrap_or_else(|| panic!("{first} waits: {waiting:?}"));
    entry["handoffId"].as_str().unwrap().to_owned()
}

async fn accept(app: &TestApp, handoff: &str, agent: &str) -> Value {
    let reply = app.agent_post(handoff, "accept", agent, json!({})).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.json);
    reply.json
}

fn queue_values(history: &[Value]) -> Vec<Value> {
    events(history, "handoff.queue")
        .into_iter()
        .map(|e| e["value"].clone())
        .collect()
}

fn statuses(history: &[Value]) -> Vec<Value> {
    events(history, "handoff.status")
        .into_iter()
        .map(|e| e["value"].clone())
        .collect()
}

fn hub_account() -> Value {
    json!({"id": "handoff-hub", "name": "Support", "role": "bot"})
}

// ---- hub endpoints ---------------------------------------------------------------------

#[tokio::test]
async fn hub_is_its_own_direct_line_endpoint() {
    let app = TestApp::new();
    let token = app.call(Method::GET, "/hub/api/token", None, None).await;
    assert_eq!(token.status, StatusCode::OK);
    assert_eq!(token.json.as_object().unwrap().len(), 3, "{}", token.json);
    assert_eq!(token.json["expires_in"], 60);
    let hub_token = token.json["token"].as_str().unwrap();
    let hub_conv = token.json["conversationId"].as_str().unwrap();

    let started = app
        .call(
            Method::POST,
            &format!("{HUB}/conversations"),
            Some(hub_token),
            None,
        )
        .await;
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
    let bot_token_on_hub = app
        .call(
            Method::GET,
            &format!("{HUB}/conversations/{}/activities", bot.conv),
            Some(&bot.token),
            None,
        )
        .await;
    assert_error(&bot_token_on_hub, StatusCode::UNAUTHORIZED, "BadArgument");
    let hub_token_on_bot = app
        .call(
            Method::GET,
            &format!("/v3/directline/conversations/{hub_conv}/activities"),
            Some(hub_token),
            None,
        )
        .await;
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
    let (visitor, handoff) = bridge_visitor(&app, "Ada", "Lovelace").await;
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
    let detail = accept(&app, &handoff, &alex).await;
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
    assert_ne!(handoff_of(&app, "Ada").await, handoff);
}

#[tokio::test]
async fn relay_escalation_enqueues_the_bot_conversation() {
    let app = TestApp::new();
    let (visitor, handoff) = relay_visitor(&app, "Ada", "Lovelace").await;
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
    let detail = accept(&app, &handoff, &alex).await;
    assert_eq!(
        detail["context"]["va_ConversationId"],
        visitor.conv.as_str()
    );
    assert_eq!(detail["context"]["reason"], "explicit");
    let transcript: Vec<&str> = detail["transcript"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|a| a["text"].as_str())
        .collect();
    assert_eq!(
        transcript,
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

    let relay = app
        .call(
            Method::GET,
            "/api/directline/token?handoff=relay",
            None,
            None,
        )
        .await;
    assert_eq!(relay.status, StatusCode::OK);
    let bad = app
        .call(
            Method::GET,
            "/api/directline/token?handoff=carrier-pigeon",
            None,
            None,
        )
        .await;
    assert_error(&bad, StatusCode::BAD_REQUEST, "BadArgument");
}

// ---- status and queue events -----------------------------------------------------------

#[tokio::test]
async fn status_and_queue_events_follow_the_queue() {
    let app = TestApp::new();
    let (ada, ada_handoff) = relay_visitor(&app, "Ada", "Lovelace").await;
    let (bob, bob_handoff) = bridge_visitor(&app, "Bob", "Boole").await;
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
    accept(&app, &ada_handoff, &alex).await;
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
        .agent_post(
            &ada_handoff,
            "messages",
            &alex,
            json!({"text": "Hi Ada, Alex here."}),
        )
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
    let again = app
        .agent_post(&ada_handoff, "messages", &alex, json!({"text": "hello?"}))
        .await;
    assert_error(&again, StatusCode::CONFLICT, "Ended");
    let list = app
        .call(
            Method::GET,
            &format!("/agent/api/agents/{alex}/handoffs"),
            None,
            None,
        )
        .await;
    assert_eq!(list.json["handoffs"][0]["state"], "completed");
}

#[tokio::test(start_paused = true)]
async fn unaccepted_handoffs_fail_after_the_accept_timeout() {
    let app = TestApp::new();
    let (ada, _) = relay_visitor(&app, "Ada", "Lovelace").await;
    tokio::time::sleep(Duration::from_secs(60)).await;
    let (bob, bob_handoff) = bridge_visitor(&app, "Bob", "Boole").await;

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
        event(
            "handoff.status",
            json!({"state": "failed", "message": NO_AGENT}),
        ),
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
    let (ada, handoff) = relay_visitor(&app, "Ada", "Lovelace").await;
    let alex = app.agent("Alex").await;
    accept(&app, &handoff, &alex).await;
    tokio::time::sleep(Duration::from_secs(600)).await;
    let states: Vec<Value> = statuses(&app.history(&ada).await)
        .iter()
        .map(|s| s["state"].clone())
        .collect();
    assert_eq!(states, [json!("accepted")]);
}

// ---- agents ----------------------------------------------------------------------------

#[tokio::test]
async fn agents_see_and_act_on_their_own_handoffs_only() {
    let app = TestApp::new();
    let (_, handoff) = relay_visitor(&app, "Ada", "Lovelace").await;
    let alex = app.agent("Alex").await;
    let sam = app.agent("Sam").await;
    assert_ne!(alex, sam);
    accept(&app, &handoff, &alex).await;

    let taken = app.agent_post(&handoff, "accept", &sam, json!({})).await;
    assert_error(&taken, StatusCode::CONFLICT, "AlreadyTaken");
    assert_eq!(taken.json["error"]["message"], "Already taken by Alex");
    let twice = app.agent_post(&handoff, "accept", &alex, json!({})).await;
    assert_eq!(twice.status, StatusCode::CONFLICT);

    assert_error(
        &app.detail(&handoff, &sam).await,
        StatusCode::FORBIDDEN,
        "Forbidden",
    );
    for (action, extra) in [
        ("messages", json!({"text": "hi"})),
        ("typing", json!({})),
        ("end", json!({})),
    ] {
        let reply = app.agent_post(&handoff, action, &sam, extra).await;
        assert_error(&reply, StatusCode::FORBIDDEN, "Forbidden");
    }
    let sams = app
        .call(
            Method::GET,
            &format!("/agent/api/agents/{sam}/handoffs"),
            None,
            None,
        )
        .await;
    assert_eq!(sams.json, json!({"handoffs": []}));
    let alexs = app
        .call(
            Method::GET,
            &format!("/agent/api/agents/{alex}/handoffs"),
            None,
            None,
        )
        .await;
    let list = alexs.json["handoffs"].as_array().unwrap();
    assert_eq!(list.len(), 1);
    assert_eq!(list[0]["handoffId"], handoff.as_str());
    assert_eq!(list[0]["state"], "engaged");
    assert_eq!(list[0]["visitor"]["firstName"], "Ada");

    let detail = app.detail(&handoff, &alex).await;
    assert_eq!(detail.status, StatusCode::OK);
    assert_eq!(detail.json["agent"], json!({"id": alex, "name": "Alex"}));
}

#[tokio::test]
async fn console_api_errors_are_json() {
    let app = TestApp::new();
    let (_, handoff) = relay_visitor(&app, "Ada", "Lovelace").await;
    let alex = app.agent("Alex").await;

    let unknown = app.agent_post("nope", "accept", &alex, json!({})).await;
    assert_error(&unknown, StatusCode::NOT_FOUND, "NotFound");
    let ghost = app.agent_post(&handoff, "accept", "ghost", json!({})).await;
    assert_error(&ghost, StatusCode::NOT_FOUND, "UnknownAgent");
    let ghost_list = app
        .call(Method::GET, "/agent/api/agents/ghost/handoffs", None, None)
        .await;
    assert_error(&ghost_list, StatusCode::NOT_FOUND, "UnknownAgent");

    let nameless = app
        .call(
            Method::POST,
            "/agent/api/agents",
            None,
            Some(json!({"name": "  "})),
        )
        .await;
    assert_error(&nameless, StatusCode::BAD_REQUEST, "BadArgument");
    let no_body = app
        .call(Method::POST, "/agent/api/agents", None, Some(json!({})))
        .await;
    assert_error(&no_body, StatusCode::BAD_REQUEST, "MissingProperty");
    let no_agent = app
        .call(
            Method::GET,
            &format!("/agent/api/handoffs/{handoff}"),
            None,
            None,
        )
        .await;
    assert_error(&no_agent, StatusCode::BAD_REQUEST, "BadArgument");
    let nowhere = app
        .call(Method::GET, "/agent/api/nowhere", None, None)
        .await;
    assert_error(&nowhere, StatusCode::NOT_FOUND, "NotFound");

    accept(&app, &handoff, &alex).await;
    let empty = app
        .agent_post(&handoff, "messages", &alex, json!({"text": " \n "}))
        .await;
    assert_error(&empty, StatusCode::BAD_REQUEST, "BadArgument");
}

// ---- the visitor's side ----------------------------------------------------------------

#[tokio::test]
async fn visitor_ends_an_engaged_or_a_waiting_handoff() {
    let app = TestApp::new();
    let (ada, ada_handoff) = relay_visitor(&app, "Ada", "Lovelace").await;
    let (bob, bob_handoff) = bridge_visitor(&app, "Bob", "Boole").await;
    let (cy, _) = relay_visitor(&app, "Cy", "Clone").await;
    let alex = app.agent("Alex").await;
    accept(&app, &ada_handoff, &alex).await;

    let bye = json!({"type": "endOfConversation", "code": "userCancelled"});
    app.post_as(&ada, bye.clone()).await;
    let detail = app.detail(&ada_handoff, &alex).await.json;
    assert_eq!(detail["state"], "visitor-ended");
    let sent = app
        .agent_post(
            &ada_handoff,
            "messages",
            &alex,
            json!({"text": "still there?"}),
        )
        .await;
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
    let (ada, handoff) = relay_visitor(&app, "Ada", "Lovelace").await;
    let with_id = |text: &str, client: &str| json!({"type": "message", "text": text, "channelData": {"clientActivityID": client}});
    let first = app.post_as(&ada, with_id("my order is late", "c1")).await;
    let second = app.post_as(&ada, with_id("it was due Monday", "c2")).await;
    // A retried POST of the same message is recorded once.
    app.post_as(&ada, with_id("it was due Monday", "c2")).await;
    let third = app.post_as(&ada, message("order 42")).await;
    app.post_as(&ada, json!({"type": "typing"})).await;

    let alex = app.agent("Alex").await;
    let detail = accept(&app, &handoff, &alex).await;
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

    let reply = app
        .agent_post(
            &handoff,
            "messages",
            &alex,
            json!({"text": "Let me check."}),
        )
        .await;
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

// ---- the demo bot around a handoff -----------------------------------------------------

#[tokio::test]
async fn bot_is_quiet_during_a_relay_handoff_and_answers_after_it() {
    let app = TestApp::new();
    let (ada, handoff) = relay_visitor(&app, "Ada", "Lovelace").await;
    let before = app.history(&ada).await.len();
    app.post_as(&ada, message("opening hours")).await;
    app.post_as(&ada, message("I want a human now")).await;
    app.post_as(&ada, message("bananas")).await;
    let history = app.history(&ada).await;
    assert_eq!(history.len(), before + 3, "only the visitor's echoes");
    assert_eq!(events(&history, "handoff.initiate").len(), 1);

    let alex = app.agent("Alex").await;
    accept(&app, &handoff, &alex).await;
    app.post_as(&ada, message("hello?")).await;
    app.agent_post(&handoff, "end", &alex, json!({})).await;
    let quiet = texts_from(&app.history(&ada).await, "demo-bot").len();

    // The widget tells the bot; the bot welcomes the visitor back and answers again, with
    // a fresh fallback count (two misses do not escalate).
    app.post_as(&ada, event("handoff.status", json!({"state": "completed"})))
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
        app.post_as(
            &visitor,
            event("handoff.status", json!({"state": "completed"})),
        )
        .await;
        app.post_as(
            &visitor,
            event(
                "handoff.status",
                json!({"state": "failed", "message": NO_AGENT}),
            ),
        )
        .await;
        app.post_as(
            &visitor,
            event("handoff.status", json!({"state": "accepted"})),
        )
        .await;
        let history = app.history(&visitor).await;
        assert_eq!(
            texts_from(&history, "demo-bot"),
            [WELCOME_BACK, SORRY],
            "{path}"
        );
    }
}

// ---- the console page ------------------------------------------------------------------

#[tokio::test]
async fn agent_console_page_is_served_self_contained() {
    let app = TestApp::new();
    let page = app.call(Method::GET, "/agent", None, None).await;
    assert_eq!(page.status, StatusCode::OK);
    let content_type = page.headers[header::CONTENT_TYPE].to_str().unwrap();
    assert!(content_type.starts_with("text/html"), "{content_type}");
    assert!(page.headers[header::CONTENT_SECURITY_POLICY]
        .to_str()
        .unwrap()
        .contains("default-src 'none'"));
    let html = page.json.as_str().unwrap();
    for needle in [
        "<label class=\"ac-label\" for=\"ac-name\">Your name</label>",
        ">Sign in</button>",
        "role=\"log\" aria-label=\"Live chat\"",
        "for=\"ac-reply\">Reply</label>",
        ">End conversation</button>",
        "class=\"ac-status\" data-state=",
    ] {
        assert!(html.contains(needle), "{needle}");
    }

    let script = app.call(Method::GET, "/agent/console.js", None, None).await;
    assert_eq!(script.status, StatusCode::OK);
    assert!(script.headers[header::CONTENT_TYPE]
        .to_str()
        .unwrap()
        .starts_with("text/javascript"));
    let css = app
        .call(Method::GET, "/agent/console.css", None, None)
        .await;
    assert!(css.headers[header::CONTENT_TYPE]
        .to_str()
        .unwrap()
        .starts_with("text/css"));
    let js = script.json.as_str().unwrap();
    assert!(
        !js.contains(".innerHTML"),
        "untrusted text never goes through innerHTML"
    );
    for asset in [html, js, css.json.as_str().unwrap()] {
        assert!(!asset.contains("http://") && !asset.contains("https://"));
    }
}

// ---- bridge over the hub's stream ------------------------------------------------------

type Socket =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

/// The first activity of the next ActivitySet, skipping keep-alives.
async fn next(socket: &mut Socket) -> Value {
    loop {
        let frame = tokio::time::timeout(Duration::from_secs(5), socket.next())
            .await
            .expect("a frame in time")
            .expect("socket open")
            .expect("frame ok");
        if let tokio_tungstenite::tungstenite::Message::Text(text) = frame {
            if !text.is_empty() {
                let set: Value = serde_json::from_str(&text).unwrap();
                return set["activities"][0].clone();
            }
        }
    }
}

#[tokio::test]
async fn bridge_handoff_over_the_hub_stream() {
    let app = TestApp::new();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(devserver::serve(listener, app.state.clone()));

    let hub = app.visitor("/hub/api/token").await;
    let started = app
        .call(
            Method::POST,
            &format!("{HUB}/conversations"),
            Some(&hub.token),
            None,
        )
        .await;
    let url = started.json["streamUrl"]
        .as_str()
        .unwrap()
        .replace("127.0.0.1:8080", &format!("127.0.0.1:{port}"));
    let (mut socket, _) = tokio_tungstenite::connect_async(url).await.unwrap();
    app.post_as(&hub, bridge_initiate("Ada", "Lovelace")).await;
    assert_eq!(next(&mut socket).await["name"], "handoff.initiate");
    let queue = next(&mut socket).await;
    assert_eq!(queue["name"], "handoff.queue");
    assert_eq!(queue["value"]["position"], 1);

    let alex = app.agent("Alex").await;
    let handoff = handoff_of(&app, "Ada").await;
    accept(&app, &handoff, &alex).await;
    let accepted = next(&mut socket).await;
    assert_eq!(accepted["value"]["state"], "accepted");
    assert_eq!(accepted["value"]["agent"]["name"], "Alex");

    app.agent_post(&handoff, "messages", &alex, json!({"text": "Hello Ada"}))
        .await;
    let said = next(&mut socket).await;
    assert_eq!(said["text"], "Hello Ada");
    assert_eq!(said["channelData"]["handoff"]["agent"]["id"], alex.as_str());
}
