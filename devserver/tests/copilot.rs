//! Copilot Studio impersonation (token endpoint, regional channel settings, `/_dev/stats`),
//! the demo bot's global variables (`pvaSetContext`) over Direct Line, and the strict CSP of
//! the Power Pages imitation pages.
#![allow(clippy::unwrap_used, reason = "tests: a panic is the failure report")]

mod common;

use axum::http::{header, StatusCode};
use common::{config, event, message, survey, texts_from, TempDist, TestApp, BOT};
use serde_json::json;

const TOKEN_URL: &str =
    "/powervirtualagents/botsbyschema/cr8d1_demo/directline/token?api-version=2022-03-01-preview";
const SETTINGS_URL: &str =
    "/powervirtualagents/regionalchannelsettings?api-version=2022-03-01-preview";

fn assert_missing_api_version(reply: &common::Reply) {
    assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{}", reply.json);
    assert_eq!(
        reply.json["error"]["code"], "MissingApiVersionParameter",
        "{}",
        reply.json
    );
    assert!(reply.json["error"]["message"]
        .as_str()
        .unwrap()
        .contains("api-version"));
}

#[tokio::test]
async fn copilot_token_endpoint_answers_like_the_page_token_endpoint() {
    let app = TestApp::new();
    let reply = app.get(TOKEN_URL).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.json);
    let mut keys: Vec<&String> = reply.json.as_object().unwrap().keys().collect();
    keys.sort();
    assert_eq!(keys, ["conversationId", "expires_in", "token"]);
    assert_eq!(reply.json["expires_in"], 60);

    // The token starts its conversation on the bot's Direct Line endpoint (relay mode).
    let token = reply.json["token"].as_str().unwrap();
    let started = app.start(BOT, token).await;
    assert_eq!(started.status, StatusCode::CREATED, "{}", started.json);
    assert_eq!(started.json["conversationId"], reply.json["conversationId"]);

    // Any schema name, but the api-version is required.
    let other = app
        .get("/powervirtualagents/botsbyschema/crx_other/directline/token?api-version=1")
        .await;
    assert_eq!(other.status, StatusCode::OK);
    for uri in [
        "/powervirtualagents/botsbyschema/cr8d1_demo/directline/token",
        "/powervirtualagents/botsbyschema/cr8d1_demo/directline/token?api-version=",
    ] {
        assert_missing_api_version(&app.get(uri).await);
    }
}

#[tokio::test]
async fn regional_channel_settings_point_at_this_server_as_the_client_reached_it() {
    let app = TestApp::new();
    let settings = app.get_via("localhost:8080", SETTINGS_URL).await;
    assert_eq!(
        settings.ok(),
        json!({"channelUrlsById": {"directline": "http://localhost:8080/"}})
    );
    // What a client builds from it, `new URL("v3/directline", directline)`, is served here.
    let (_, token) = app.token().await;
    let started = app.start(BOT, &token).await;
    assert_eq!(started.status, StatusCode::CREATED);

    // A host header that is not this server is refused, so it never reaches the URL.
    let refused = app.get_via("evil/path?x", SETTINGS_URL).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);

    let missing = app.get("/powervirtualagents/regionalchannelsettings").await;
    assert_missing_api_version(&missing);
}

#[tokio::test]
async fn stats_count_calls_to_each_copilot_endpoint_until_reset() {
    let app = TestApp::new();
    let stats = app.get("/_dev/stats").await;
    assert_eq!(
        stats.json,
        json!({"copilotToken": 0, "regionalChannelSettings": 0, "pvaSetContext": 0})
    );
    app.get(SETTINGS_URL).await;
    app.get(TOKEN_URL).await;
    app.get(TOKEN_URL).await;
    // The page token endpoint is not Copilot Studio's.
    app.get("/api/directline/token").await;
    let stats = app.get("/_dev/stats").await;
    assert_eq!(
        stats.json,
        json!({"copilotToken": 2, "regionalChannelSettings": 1, "pvaSetContext": 0})
    );
    let reset = app.delete("/_dev/stats").await;
    assert_eq!(reset.status, StatusCode::NO_CONTENT);
    let stats = app.get("/_dev/stats").await;
    assert_eq!(
        stats.json,
        json!({"copilotToken": 0, "regionalChannelSettings": 0, "pvaSetContext": 0})
    );
}

#[tokio::test]
async fn the_bot_lists_the_variables_set_by_start_conversation_and_pva_set_context() {
    let app = TestApp::new();
    let token_reply = app.get(TOKEN_URL).await;
    let conversation = token_reply.json["conversationId"].as_str().unwrap();
    let token = token_reply.json["token"].as_str().unwrap();
    let survey = survey("Ada", "Lovelace");
    let from = json!({"id": "dl_ada", "name": "Ada", "role": "user"});
    let mut context = survey.clone();
    context["plan"] = json!("gold");
    for (name, value) in [("startConversation", survey), ("pvaSetContext", context)] {
        let mut posted = event(name, value);
        posted["from"] = from.clone();
        app.post(conversation, token, posted).await;
    }
    app.post(conversation, token, message("What do you know about me?"))
        .await;
    let stats = app.get("/_dev/stats").await;
    assert_eq!(stats.json["pvaSetContext"], 1, "{}", stats.json);

    let log = app.activities(conversation, token, None).await;
    let history = log["activities"].as_array().unwrap();
    assert_eq!(
        texts_from(history, "demo-bot"),
        [
            "Hello Ada, how can I help? I can see your case CAS-01234.",
            "I know: caseNumber = CAS-01234, email = ada@example.com, firstName = Ada, \
             lastName = Lovelace, plan = gold",
        ],
        "pvaSetContext itself gets no reply"
    );
}

#[tokio::test]
async fn power_pages_imitations_get_a_strict_csp_and_other_pages_none() {
    let dist = TempDist::new();
    for page in ["powerpages.html", "powerpages-bs5.html", "demo.html"] {
        dist.write(page, b"<!doctype html><title>page</title>");
    }
    dist.write("powerpages-site.css", b"body{}");
    let app = TestApp::with_config(config(dist.0.clone()));
    for page in ["/powerpages.html", "/powerpages-bs5.html"] {
        let response = app.get_via("localhost:8080", page).await;
        assert_eq!(response.status, StatusCode::OK, "{page}");
        let csp = response.headers[header::CONTENT_SECURITY_POLICY]
            .to_str()
            .unwrap();
        assert_eq!(
            csp,
            "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; \
             img-src 'self' data:; connect-src 'self' ws://localhost:8080",
            "{page}"
        );
        assert!(!csp.contains("unsafe-inline") && !csp.contains("'unsafe-eval'"));
    }
    for other in ["/", "/demo.html", "/powerpages-site.css"] {
        let response = app.get_via("localhost:8080", other).await;
        assert_eq!(response.status, StatusCode::OK, "{other}");
        assert!(
            !response
                .headers
                .contains_key(header::CONTENT_SECURITY_POLICY),
            "{other}"
        );
    }
}
