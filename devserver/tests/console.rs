//! The live-agent console: the page at `/agent` and its API (`docs/handoff.md`, "Agent
//! console API"), through `oneshot`: agents act on their own handoffs only, and every
//! refusal is a JSON error.
#![allow(clippy::unwrap_used, reason = "tests: a panic is the failure report")]

mod common;

use axum::http::{header, Method, StatusCode};
use common::{assert_error, TestApp};
use serde_json::json;

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
    assert_error(&ghost, StatusCode::NOT_FOUND, "UnknownAgent");
    let ghost_list = app.get("/agent/api/agents/ghost/handoffs").await;
    assert_error(&ghost_list, StatusCode::NOT_FOUND, "UnknownAgent");

    for (body, code) in [
        (json!({"name": "  "}), "BadArgument"),
        (json!({}), "MissingProperty"),
    ] {
        let refused = app
            .call(Method::POST, "/agent/api/agents", None, Some(body))
            .await;
        assert_error(&refused, StatusCode::BAD_REQUEST, code);
    }
    let no_agent = app.get(&format!("/agent/api/handoffs/{handoff}")).await;
    assert_error(&no_agent, StatusCode::BAD_REQUEST, "BadArgument");
    let nowhere = app.get("/agent/api/nowhere").await;
    assert_error(&nowhere, StatusCode::NOT_FOUND, "NotFound");

    app.accept(&handoff, &alex).await;
    let empty = app.agent_says(&handoff, &alex, " \n ").await;
    assert_error(&empty, StatusCode::BAD_REQUEST, "BadArgument");
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

    let script = app.get("/agent/console.js").await;
    assert_eq!(script.status, StatusCode::OK);
    assert!(script.content_type().starts_with("text/javascript"));
    let css = app.get("/agent/console.css").await;
    assert!(css.content_type().starts_with("text/css"));
    let js = script.json.as_str().unwrap();
    assert!(
        !js.contains(".innerHTML"),
        "untrusted text never goes through innerHTML"
    );
    for asset in [html, js, css.json.as_str().unwrap()] {
        assert!(!asset.contains("http://") && !asset.contains("https://"));
    }
}
