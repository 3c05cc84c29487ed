//! What a web page gets from the server besides Direct Line answers, through `oneshot`: the
//! CORS headers of every answer, the demo page and the widget's built files.
#![allow(clippy::unwrap_used, reason = "tests: a panic is the failure report")]

mod common;

use axum::body::Body;
use axum::http::{header, Method, Request, StatusCode};
use common::{config, TempDist, TestApp};
use serde_json::Value;

// ---- CORS --------------------------------------------------------------------------------

#[tokio::test]
async fn cors_allows_null_origin_preflight_and_requests() {
    let app = TestApp::new();
    let preflight = Request::builder()
        .method(Method::OPTIONS)
        .uri("/v3/directline/conversations")
        .header(header::ORIGIN, "null")
        .header(header::ACCESS_CONTROL_REQUEST_METHOD, "POST")
        .header(
            header::ACCESS_CONTROL_REQUEST_HEADERS,
            "authorization,content-type",
        )
        .body(Body::empty())
        .unwrap();
    let response = app.send(preflight).await;
    assert!(response.status().is_success());
    let headers = response.headers();
    assert_eq!(headers[header::ACCESS_CONTROL_ALLOW_ORIGIN], "*");
    let methods = headers[header::ACCESS_CONTROL_ALLOW_METHODS]
        .to_str()
        .unwrap();
    for method in ["GET", "POST", "DELETE"] {
        assert!(methods.contains(method), "{methods}");
    }
    let allowed = headers[header::ACCESS_CONTROL_ALLOW_HEADERS]
        .to_str()
        .unwrap()
        .to_lowercase();
    assert!(
        allowed.contains("authorization") && allowed.contains("content-type"),
        "{allowed}"
    );

    let get = Request::get("/api/directline/token")
        .header(header::ORIGIN, "null")
        .body(Body::empty())
        .unwrap();
    let response = app.send(get).await;
    assert_eq!(response.headers()[header::ACCESS_CONTROL_ALLOW_ORIGIN], "*");
    let exposed = response.headers()[header::ACCESS_CONTROL_EXPOSE_HEADERS]
        .to_str()
        .unwrap();
    assert!(exposed.to_lowercase().contains("retry-after"));

    // Errors carry the CORS headers too, or a page could not read them.
    let error = Request::post("/v3/directline/conversations")
        .header(header::ORIGIN, "https://shop.example")
        .body(Body::empty())
        .unwrap();
    let response = app.send(error).await;
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(response.headers()[header::ACCESS_CONTROL_ALLOW_ORIGIN], "*");
}

// ---- static files --------------------------------------------------------------------------

#[tokio::test]
async fn root_serves_demo_html_and_files_have_their_mime_types() {
    let dist = TempDist::new();
    dist.write("demo.html", b"<!doctype html><title>demo page</title>");
    dist.write("index.html", b"trunk auto-init page");
    dist.write("handoff-chat_bg.wasm", b"\0asm\x01\0\0\0");
    dist.write("handoff-chat.js", b"export default 1;");
    let app = TestApp::with_config(config(dist.0.clone()));

    let root = app.get("/").await;
    assert_eq!(root.status, StatusCode::OK);
    assert!(root.content_type().starts_with("text/html"));
    assert_eq!(
        root.json,
        Value::String("<!doctype html><title>demo page</title>".into())
    );

    let wasm = app.get("/handoff-chat_bg.wasm").await;
    assert_eq!(wasm.status, StatusCode::OK);
    assert_eq!(wasm.content_type(), "application/wasm");
    assert_eq!(wasm.headers[header::CACHE_CONTROL], "no-cache");
    let js = app.get("/handoff-chat.js").await;
    assert!(js.content_type().contains("javascript"));
    assert_eq!(app.get("/missing.js").await.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn root_is_503_without_a_build_even_if_index_html_exists() {
    let dist = TempDist::new();
    dist.write("index.html", b"trunk auto-init page");
    let app = TestApp::with_config(config(dist.0.clone()));
    let root = app.get("/").await;
    assert_eq!(root.status, StatusCode::SERVICE_UNAVAILABLE);
    assert!(root.content_type().starts_with("text/plain"));
    let text = root.json.as_str().unwrap();
    assert!(
        text.contains("demo.html") && text.contains("Build the widget"),
        "{text}"
    );
    assert!(!text.contains("trunk auto-init"));
}
