//! Copilot Studio impersonation (token endpoint, regional channel settings, `/_dev/stats`),
//! the demo bot's global variables (`pvaSetContext`) over Direct Line, and the strict CSP of
//! the Power Pages imitation pages.
#![allow(clippy::unwrap_used, reason = "tests: a panic is the failure report")]

mod common;

use axum::body::Body;
use axum::http::{header, Method, Request, StatusCode};
use common::{config, message, reply, TempDist, TestApp};
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
    let reply = app.call(Method::GET, TOKEN_URL, None, None).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.json);
    let mut keys: Vec<&String> = reply.json.as_object().unwrap().keys().collect();
    keys.sort();
    assert_eq!(keys, ["conversationId", "expires_in", "token"]);
    assert_eq!(reply.json["expires_in"], 60);

    // The token starts its conversation on the bot's Direct Line endpoint (relay mode).
    let token = reply.json["token"].as_str().unwrap();
    let started = app
        .call(
            Method::POST,
            "/v3/directline/conversations",
            Some(token),
            None,
        )
        .await;
    assert_eq!(started.status, StatusCode::CREATED, "{}", started.json);
    assert_eq!(started.json["conversationId"], reply.json["conversationId"]);

    // Any schema name, but the api-version is required.
    let other = app
        .call(
            Method::GET,
            "/powervirtualagents/botsbyschema/crx_other/directline/token?api-version=1",
            None,
            None,
        )
        .await;
    assert_eq!(other.status, StatusCode::OK);
    for uri in [
        "/powervirtualagents/botsbyschema/cr8d1_demo/directline/token",
        "/powervirtualagents/botsbyschema/cr8d1_demo/directline/token?api-version=",
    ] {
        assert_missing_api_version(&app.call(Method::GET, uri, None, None).await);
    }
}

#[tokio::test]
async fn regional_channel_settings_point_at_this_server_as_the_client_reached_it() {
    let app = TestApp::new();
    let request = Request::get(SETTINGS_URL)
        .header(header::HOST, "127.0.0.1:43210")
        .body(Body::empty())
        .unwrap();
    let settings = reply(app.send(request).await).await;
    assert_eq!(settings.status, StatusCode::OK);
    assert_eq!(
        settings.json,
        json!({"channelUrlsById": {"directline": "http://127.0.0.1:43210/"}})
    );
    // What a client builds from it, `new URL("v3/directline", directline)`, is served here.
    let (_, token) = app.token().await;
    let base = "/v3/directline";
    let started = app
        .call(
            Method::POST,
            &format!("{base}/conversations"),
            Some(&token),
            None,
        )
        .await;
    assert_eq!(started.status, StatusCode::CREATED);

    // A host header that is not a plain host never reaches the URL.
    let request = Request::get(SETTINGS_URL)
        .header(header::HOST, "evil/path?x")
        .body(Body::empty())
        .unwrap();
    let fallback = reply(app.send(request).await).await;
    assert_eq!(
        fallback.json["channelUrlsById"]["directline"],
        "http://127.0.0.1:8080/"
    );

    let missing = app
        .call(
            Method::GET,
            "/powervirtualagents/regionalchannelsettings",
            None,
            None,
        )
        .await;
    assert_missing_api_version(&missing);
}

#[tokio::test]
async fn stats_count_calls_to_each_copilot_endpoint_until_reset() {
    let app = TestApp::new();
    let stats = app.call(Method::GET, "/_dev/stats", None, None).await;
    assert_eq!(
        stats.json,
        json!({"copilotToken": 0, "regionalChannelSettings": 0, "pvaSetContext": 0})
    );
    app.call(Method::GET, SETTINGS_URL, None, None).await;
    app.call(Method::GET, TOKEN_URL, None, None).await;
    app.call(Method::GET, TOKEN_URL, None, None).await;
    // The page token endpoint is not Copilot Studio's.
    app.call(Method::GET, "/api/directline/token", None, None)
        .await;
    let stats = app.call(Method::GET, "/_dev/stats", None, None).await;
    assert_eq!(
        stats.json,
        json!({"copilotToken": 2, "regionalChannelSettings": 1, "pvaSetContext": 0})
    );
    let reset = app.call(Method::DELETE, "/_dev/stats", None, None).await;
    assert_eq!(reset.status, StatusCode::NO_CONTENT);
    let stats = app.call(Method::GET, "/_dev/stats", None, None).await;
    assert_eq!(
        stats.json,
        json!({"copilotToken": 0, "regionalChannelSettings": 0, "pvaSetContext": 0})
    );
}

#[tokio::test]
async fn the_bot_lists_the_variables_set_by_start_conversation_and_pva_set_context() {
    let app = TestApp::new();
    let token_reply = app.call(Method::GET, TOKEN_URL, None, None).await;
    let conversation = token_reply.json["conversationId"].as_str().unwrap();
    let token = token_reply.json["token"].as_str().unwrap();
    let survey = json!({"firstName": "Ada", "lastName": "Lovelace",
                        "email": "ada@example.com", "caseNumber": "CAS-01234"});
    let from = json!({"id": "dl_ada", "name": "Ada", "role": "user"});
    app.post(
        conversation,
        token,
        json!({"type": "event", "name": "startConversation", "from": from, "value": survey}),
    )
    .await;
    let mut context = survey.clone();
    context["plan"] = json!("gold");
    app.post(
        conversation,
        token,
        json!({"type": "event", "name": "pvaSetContext", "from": from, "value": context}),
    )
    .await;
    app.post(conversation, token, message("What do you know about me?"))
        .await;
    let stats = app.call(Method::GET, "/_dev/stats", None, None).await;
    assert_eq!(stats.json["pvaSetContext"], 1, "{}", stats.json);

    let log = app.activities(conversation, token, None).await;
    let bot_texts: Vec<&str> = log["activities"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| a["from"]["role"] == "bot" && a["type"] == "message")
        .filter_map(|a| a["text"].as_str())
        .collect();
    assert_eq!(
        bot_texts,
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
    let get = |uri: &'static str| {
        Request::get(uri)
            .header(header::HOST, "127.0.0.1:43210")
            .body(Body::empty())
            .unwrap()
    };
    for page in ["/powerpages.html", "/powerpages-bs5.html"] {
        let response = app.send(get(page)).await;
        assert_eq!(response.status(), StatusCode::OK, "{page}");
        let csp = response.headers()[header::CONTENT_SECURITY_POLICY]
            .to_str()
            .unwrap();
        assert_eq!(
            csp,
            "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; \
             img-src 'self' data:; connect-src 'self' ws://127.0.0.1:43210",
            "{page}"
        );
        assert!(!csp.contains("unsafe-inline") && !csp.contains("'unsafe-eval'"));
    }
    for other in ["/", "/demo.html", "/powerpages-site.css"] {
        let response = app.send(get(other)).await;
        assert_eq!(response.status(), StatusCode::OK, "{other}");
        assert!(
            !response
                .headers()
                .contains_key(header::CONTENT_SECURITY_POLICY),
            "{other}"
        );
    }
}
