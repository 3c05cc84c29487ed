//! The live-agent console: the page at `/agent` and its API (`docs/handoff.md`, "Agent
//! console API"), through `oneshot`: agents act on their own handoffs only, and every
//! refusal is a JSON error; what a visitor's cards post back reaches the agent readable;
//! agents send choices as suggested actions in both modes.
#![allow(clippy::unwrap_used, reason = "tests: a panic is the failure report")]

mod common;

use axum::http::{header, Method, StatusCode};
use common::hub::session_of;
use common::{assert_error, TestApp};
use serde_json::{json, Value};

// ---- agents ----------------------------------------------------------------------------

#[tokio::test]
async fn agents_see_and_act_on_their_own_handoffs_only() {
    let app = TestApp::new();
    let (_, handoff) = app.relay_visitor("Ada", "Lovelace").await;
    let alex = app.agent("Alex").await;
    let sam = app.agent("Sam").await;
    assert_ne!(alex, sam);
    app.accept(&handoff, &alex).await;

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
    let sams = app.agent_handoffs(&sam).await;
    assert_eq!(sams.json, json!({"handoffs": []}));
    let alexs = app.agent_handoffs(&alex).await;
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
    let (_, handoff) = app.relay_visitor("Ada", "Lovelace").await;
    let alex = app.agent("Alex").await;

    let unknown = app.agent_post("nope", "accept", &alex, json!({})).await;
    assert_error(&unknown, StatusCode::NOT_FOUND, "NotFound");
    let ghost = app.agent_post(&handoff, "accept", "ghost", json!({})).await;
    assert_error(&ghost, StatusCode::UNAUTHORIZED, "Unauthorized");
    let ghost_list = app.get("/agent/api/agents/ghost/handoffs").await;
    assert_error(&ghost_list, StatusCode::UNAUTHORIZED, "Unauthorized");

    for (body, code) in [
        (json!({"name": "  "}), "BadArgument"),
        (json!({}), "MissingProperty"),
    ] {
        let refused = app
            .call(Method::POST, "/agent/api/agents", None, Some(body))
            .await;
        assert_error(&refused, StatusCode::BAD_REQUEST, code);
    }
    let uri = format!("/agent/api/handoffs/{handoff}");
    let no_agent = app.as_agent(Method::GET, &uri, &alex, None).await;
    assert_error(&no_agent, StatusCode::BAD_REQUEST, "BadArgument");
    let nowhere = app.get("/agent/api/nowhere").await;
    assert_error(&nowhere, StatusCode::NOT_FOUND, "NotFound");

    app.accept(&handoff, &alex).await;
    let empty = app.agent_says(&handoff, &alex, " \n ").await;
    assert_error(&empty, StatusCode::BAD_REQUEST, "BadArgument");
}

#[tokio::test]
async fn every_agent_call_needs_the_session_of_that_agent() {
    let app = TestApp::new();
    let (_, handoff) = app.relay_visitor("Ada", "Lovelace").await;
    let alex = app.agent("Alex").await;
    let sam = app.agent("Sam").await;
    let alex_session = session_of(&alex).unwrap();
    let sam_session = session_of(&sam).unwrap();
    assert!(alex_session.len() >= 22, "{alex_session}");
    assert!(alex_session.bytes().all(|b| b.is_ascii_alphanumeric()));
    assert_ne!(alex_session, sam_session);
    assert!(!alex_session.contains(&alex) && !alex.contains(&alex_session));

    let on = |action: &str| format!("/agent/api/handoffs/{handoff}/{action}");
    let calls = [
        (Method::GET, "/agent/api/queue".to_owned(), None),
        (
            Method::GET,
            format!("/agent/api/agents/{alex}/handoffs"),
            None,
        ),
        (Method::POST, on("accept"), Some(json!({"agentId": alex}))),
        (
            Method::GET,
            format!("/agent/api/handoffs/{handoff}?agentId={alex}"),
            None,
        ),
        (
            Method::POST,
            on("messages"),
            Some(json!({"agentId": alex, "text": "Hi Ada"})),
        ),
        (
            Method::POST,
            on("choices"),
            Some(json!({"agentId": alex, "text": "OK?", "choices": ["Yes", "No"]})),
        ),
        (Method::POST, on("typing"), Some(json!({"agentId": alex}))),
        (Method::POST, on("end"), Some(json!({"agentId": alex}))),
    ];
    let wrong = "A".repeat(alex_session.len());
    for (method, uri, body) in calls {
        // The agent id alone, a made-up secret, the id as secret: nobody.
        for session in [None, Some(wrong.as_str()), Some(alex.as_str()), Some("")] {
            let refused = app
                .with_session(method.clone(), &uri, session, body.clone())
                .await;
            assert_error(&refused, StatusCode::UNAUTHORIZED, "Unauthorized");
        }
        // Sam's session does not act for Alex, except where nobody is named (the queue).
        let as_sam = app
            .with_session(method.clone(), &uri, Some(&sam_session), body.clone())
            .await;
        if uri.ends_with("/queue") {
            assert_eq!(as_sam.status, StatusCode::OK, "{}", as_sam.json);
        } else {
            assert_error(&as_sam, StatusCode::UNAUTHORIZED, "Unauthorized");
            let message = as_sam.json["error"]["message"].as_str().unwrap();
            assert!(message.contains("another agent"), "{message}");
        }
        let done = app
            .with_session(method, &uri, Some(&alex_session), body)
            .await;
        assert_eq!(done.status, StatusCode::OK, "{uri}: {}", done.json);
    }
    // What the refused calls would have done did not happen: one message, ended by Alex.
    let detail = app.detail(&handoff, &alex).await.ok();
    assert_eq!(detail["state"], "completed");
    assert_eq!(detail["messages"].as_array().unwrap().len(), 2);
}

#[tokio::test]
async fn the_session_is_answered_at_sign_in_and_never_needed_for_it() {
    let app = TestApp::new();
    let body = json!({"name": "Alex"});
    let signed_in = app
        .call(Method::POST, "/agent/api/agents", None, Some(body))
        .await
        .ok();
    let keys: Vec<&str> = signed_in
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(keys, ["agentId", "name", "session"]);
    let no_header = app.get("/agent/api/queue").await;
    let message = no_header.json["error"]["message"].as_str().unwrap();
    assert!(message.contains("X-Agent-Session"), "{message}");
}

// ---- rich content ----------------------------------------------------------------------

#[tokio::test]
async fn card_submissions_reach_the_agent_as_values_marked_by_kind() {
    let app = TestApp::new();
    let (ada, handoff) = app.relay_visitor("Ada", "Lovelace").await;
    let alex = app.agent("Alex").await;
    app.accept(&handoff, &alex).await;
    let from = json!({"id": "dl_visitor"});
    let submitted = json!({"type": "message", "from": from, "replyToId": "c|0000009",
        "channelData": {"postBack": true}, "value": {"actionSubmitId": "Submit", "name": "Ann"}});
    app.post_as(&ada, submitted).await;
    let post_back = json!({"type": "message", "from": from, "text": "call me back",
        "channelData": {"postBack": true}});
    app.post_as(&ada, post_back).await;
    let message_back = json!({"type": "message", "from": from, "text": "rate 5",
        "value": {"rating": 5}, "channelData": {"messageBack": {"displayText": "★★★★★"}}});
    app.post_as(&ada, message_back).await;
    app.post_as(&ada, common::message("typed")).await;

    let detail = app.detail(&handoff, &alex).await.ok();
    let messages = detail["messages"].as_array().unwrap();
    let seen: Vec<Value> = messages
        .iter()
        .map(|m| json!([m["postedBy"], m["text"], m["value"], m["displayText"]]))
        .collect();
    assert_eq!(
        seen,
        [
            json!(["postBack", "", {"actionSubmitId": "Submit", "name": "Ann"}, null]),
            json!(["postBack", "call me back", null, null]),
            json!(["messageBack", "rate 5", {"rating": 5}, "★★★★★"]),
            json!([null, "typed", null, null]),
        ]
    );
}

#[tokio::test]
async fn agents_send_choices_as_suggested_actions_in_both_modes() {
    let app = TestApp::new();
    let alex = app.agent("Alex").await;
    for bridge in [false, true] {
        let (visitor, handoff) = if bridge {
            app.bridge_visitor("Ada", "Lovelace").await
        } else {
            app.relay_visitor("Bo", "Berg").await
        };
        app.accept(&handoff, &alex).await;
        let body = json!({"text": "Did that help?", "choices": [" Yes ", "No"]});
        let sent = app.agent_post(&handoff, "choices", &alex, body).await.ok();

        let history = app.history(&visitor).await;
        let question = history.iter().find(|a| a["id"] == sent["id"]).unwrap();
        assert_eq!(question["type"], "message");
        assert_eq!(question["text"], "Did that help?");
        assert_eq!(question["from"]["id"], format!("agent:{alex}"));
        // `to`: the visitor, as their own activities name them.
        let visitor_id = &history
            .iter()
            .rev()
            .find(|a| a["from"]["role"] == "user")
            .unwrap()["from"]["id"];
        assert_eq!(
            question["suggestedActions"],
            json!({"to": [visitor_id], "actions": [
                {"type": "imBack", "title": "Yes", "value": "Yes"},
                {"type": "imBack", "title": "No", "value": "No"}]})
        );
        let detail = app.detail(&handoff, &alex).await.ok();
        let recorded = detail["messages"]
            .as_array()
            .unwrap()
            .last()
            .unwrap()
            .clone();
        assert_eq!(recorded["choices"], json!(["Yes", "No"]));

        for choices in [
            json!([]),
            json!(["  "]),
            json!(vec!["a"; 7]),
            json!(["x".repeat(41)]),
        ] {
            let body = json!({"text": "Pick one", "choices": choices});
            let refused = app.agent_post(&handoff, "choices", &alex, body).await;
            assert_error(&refused, StatusCode::BAD_REQUEST, "BadArgument");
        }
    }
}

// ---- the console page ------------------------------------------------------------------

#[tokio::test]
async fn agent_console_page_is_served_self_contained() {
    let app = TestApp::new();
    let page = app.get("/agent").await;
    assert_eq!(page.status, StatusCode::OK);
    let content_type = page.content_type();
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

    let mut assets = vec![html.to_owned()];
    for (path, content_type, _) in devserver::console::ASSETS {
        let asset = app.get(path).await;
        assert_eq!(asset.status, StatusCode::OK, "{path}");
        assert_eq!(asset.content_type(), content_type, "{path}");
        assets.push(asset.json.as_str().unwrap().to_owned());
    }
    assert!(html.contains("<script type=\"module\" src=\"/agent/console.js\">"));
    for asset in &assets {
        // Untrusted text never goes through innerHTML (nor its relatives).
        for sink in [
            "innerHTML",
            "outerHTML",
            "insertAdjacentHTML",
            "document.write",
        ] {
            assert!(!asset.contains(sink), "{sink}");
        }
        assert!(!asset.contains("http://") && !asset.contains("https://"));
    }
    // Every module the scripts import is served.
    for asset in &assets[1..] {
        for import in asset.split("from \"./").skip(1) {
            let file = import.split('"').next().unwrap();
            let path = format!("/agent/{file}");
            assert!(
                devserver::console::ASSETS.iter().any(|(p, ..)| *p == path),
                "{path}"
            );
        }
    }
}
