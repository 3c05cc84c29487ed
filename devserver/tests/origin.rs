//! Another site's page in the tester's or agent's browser: it may use the Direct Line and
//! token routes (CORS) with a token, never with the secret (403 to a request with an
//! `Origin`), but cannot read the agent console or `/_dev/...`, cannot post to them without
//! a preflight (415 to anything but `application/json`), and cannot reach the server through
//! a re-bound DNS name (403 to a foreign `Host`).

#![allow(clippy::unwrap_used, reason = "tests: a panic is the failure report")]

mod common;

use axum::http::{header, Method, StatusCode};
use common::{assert_error, TestApp, BOT, HUB, SECRET};

const EVIL: &str = "https://evil.example";
const HOST: &str = "127.0.0.1:8080";

/// The `Access-Control-Allow-Origin` of an answer, if any.
fn allow_origin(reply: &common::Reply) -> Option<&str> {
    reply
        .headers
        .get(header::ACCESS_CONTROL_ALLOW_ORIGIN)
        .map(|v| v.to_str().unwrap())
}

#[tokio::test]
async fn a_cross_origin_read_of_the_queue_gets_no_cors_header() {
    let app = TestApp::new();
    let headers = [(header::HOST, HOST), (header::ORIGIN, EVIL)];
    for path in ["/agent/api/queue", "/_dev/stats", "/agent", "/"] {
        let reply = app.raw(Method::GET, path, &headers, "").await;
        assert_eq!(allow_origin(&reply), None, "{path}");
    }
    // Nor does a preflight for the console's API.
    let preflight = [
        (header::HOST, HOST),
        (header::ORIGIN, EVIL),
        (header::ACCESS_CONTROL_REQUEST_METHOD, "POST"),
        (header::ACCESS_CONTROL_REQUEST_HEADERS, "content-type"),
    ];
    let reply = app
        .raw(Method::OPTIONS, "/agent/api/agents", &preflight, "")
        .await;
    assert_eq!(allow_origin(&reply), None);
}

#[tokio::test]
async fn direct_line_and_token_routes_answer_any_origin() {
    let app = TestApp::new();
    let headers = [(header::HOST, HOST), (header::ORIGIN, EVIL)];
    for path in ["/api/directline/token", "/hub/api/token"] {
        let reply = app.raw(Method::GET, path, &headers, "").await;
        assert_eq!(reply.status, StatusCode::OK, "{path}");
        assert_eq!(allow_origin(&reply), Some("*"), "{path}");
    }
    let (_, token) = app.token().await;
    let bearer = format!("Bearer {token}");
    let headers = [
        (header::HOST, HOST),
        (header::ORIGIN, EVIL),
        (header::AUTHORIZATION, bearer.as_str()),
    ];
    let uri = format!("{BOT}/conversations");
    let reply = app.raw(Method::POST, &uri, &headers, "").await;
    assert_eq!(reply.status, StatusCode::CREATED);
    assert_eq!(allow_origin(&reply), Some("*"));
}

#[tokio::test]
async fn the_secret_from_a_browser_page_gets_403_and_from_a_backend_works() {
    let app = TestApp::new();
    let (conv, _) = app.token().await;
    let bearer = format!("Bearer {SECRET}");
    let activity = r#"{"type": "message", "text": "hi", "from": {"id": "backend"}}"#;
    let calls = [
        (Method::POST, format!("{BOT}/tokens/generate"), ""),
        (Method::POST, format!("{BOT}/conversations"), ""),
        (Method::POST, format!("{HUB}/conversations"), ""),
        (Method::GET, format!("{BOT}/conversations/{conv}"), ""),
        (
            Method::GET,
            format!("{BOT}/conversations/{conv}/activities"),
            "",
        ),
        (
            Method::POST,
            format!("{BOT}/conversations/{conv}/activities"),
            activity,
        ),
        (
            Method::GET,
            format!("{BOT}/conversations/{conv}/stream?t={SECRET}"),
            "",
        ),
    ];
    // Another site, a file:// page, and the dev server's own pages alike.
    for origin in [EVIL, "null", "http://127.0.0.1:8080"] {
        for (method, uri, body) in &calls {
            let headers = [
                (header::HOST, HOST),
                (header::ORIGIN, origin),
                (header::AUTHORIZATION, bearer.as_str()),
                (header::CONTENT_TYPE, "application/json"),
            ];
            let reply = app.raw(method.clone(), uri, &headers, body).await;
            assert_error(&reply, StatusCode::FORBIDDEN, "BadArgument");
            let message = reply.json["error"]["message"].as_str().unwrap();
            assert!(message.contains("not browser pages"), "{uri}: {message}");
        }
    }
    // The same requests from a backend (no Origin) are served; the stream only lacks the
    // WebSocket handshake.
    for (method, uri, body) in &calls {
        let headers = [
            (header::HOST, HOST),
            (header::AUTHORIZATION, bearer.as_str()),
            (header::CONTENT_TYPE, "application/json"),
        ];
        let reply = app.raw(method.clone(), uri, &headers, body).await;
        if uri.contains("/stream") {
            assert_error(&reply, StatusCode::BAD_REQUEST, "BadArgument");
        } else {
            assert!(reply.status.is_success(), "{uri}: {}", reply.json);
        }
    }
}

#[tokio::test]
async fn a_text_plain_post_gets_415() {
    let app = TestApp::new();
    let text = [
        (header::HOST, HOST),
        (header::ORIGIN, EVIL),
        (header::CONTENT_TYPE, "text/plain"),
    ];
    let body = r#"{"name": "Mallory"}"#;
    let reply = app
        .raw(Method::POST, "/agent/api/agents", &text, body)
        .await;
    assert_error(&reply, StatusCode::UNSUPPORTED_MEDIA_TYPE, "BadArgument");
    // Nobody was signed in by it; the same body as JSON is fine.
    let json = [
        (header::HOST, HOST),
        (header::CONTENT_TYPE, "application/json"),
    ];
    let reply = app
        .raw(Method::POST, "/agent/api/agents", &json, body)
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.json);

    // The Direct Line activity POST too.
    let (conv, token) = app.token().await;
    let bearer = format!("Bearer {token}");
    let uri = format!("{BOT}/conversations/{conv}/activities");
    let activity = r#"{"type": "message", "text": "hi"}"#;
    for content_type in ["text/plain", "application/x-www-form-urlencoded"] {
        let headers = [
            (header::HOST, HOST),
            (header::AUTHORIZATION, bearer.as_str()),
            (header::CONTENT_TYPE, content_type),
        ];
        let reply = app.raw(Method::POST, &uri, &headers, activity).await;
        assert_error(&reply, StatusCode::UNSUPPORTED_MEDIA_TYPE, "BadArgument");
    }
    let headers = [
        (header::HOST, HOST),
        (header::AUTHORIZATION, bearer.as_str()),
    ];
    let reply = app.raw(Method::POST, &uri, &headers, activity).await;
    assert_error(&reply, StatusCode::UNSUPPORTED_MEDIA_TYPE, "BadArgument");
}

#[tokio::test]
async fn a_foreign_host_gets_403() {
    let app = TestApp::new();
    for host in ["evil.example", "evil.example:8080", "127.0.0.1:9999"] {
        for path in ["/agent/api/queue", "/api/directline/token", "/", "/agent"] {
            let headers = [(header::HOST, host)];
            let reply = app.raw(Method::GET, path, &headers, "").await;
            assert_error(&reply, StatusCode::FORBIDDEN, "BadArgument");
        }
    }
    for host in ["127.0.0.1:8080", "localhost:8080"] {
        let reply = app.get_via(host, "/api/directline/token").await;
        assert_eq!(reply.status, StatusCode::OK, "{host}");
    }
}
