//! Static files: the demo host page at `/` and the widget build from `<dist>`.
//!
//! `/` is `<dist>/demo.html` (the page the widget build produces), never `<dist>/index.html`
//! (Trunk's auto-init page, which would boot the widget without the embed snippet). Without
//! a build, `/` answers 503 with a sentence saying what to run. Everything else comes from
//! `ServeDir`, whose MIME table maps `.wasm` to `application/wasm` (needed by
//! `WebAssembly.instantiateStreaming`).

use std::path::PathBuf;

use axum::extract::State;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use tower_http::services::ServeDir;
use tower_http::set_header::SetResponseHeaderLayer;

use crate::AppState;

/// File served at `/`.
pub const DEMO_PAGE: &str = "demo.html";

/// `/` plus a fallback serving `dist`. Responses say `no-cache` so a rebuilt widget is
/// picked up on reload (browsers otherwise cache by `Last-Modified` heuristics).
pub fn routes(dist: PathBuf) -> Router<AppState> {
    let files = ServeDir::new(dist).append_index_html_on_directories(false);
    Router::new()
        .route("/", get(demo_page))
        .fallback_service(files)
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CACHE_CONTROL,
            HeaderValue::from_static("no-cache"),
        ))
}

async fn demo_page(State(state): State<AppState>) -> Response {
    let path = state.config.dist.join(DEMO_PAGE);
    match tokio::fs::read_to_string(&path).await {
        Ok(html) => Html(html).into_response(),
        Err(e) => (
            StatusCode::SERVICE_UNAVAILABLE,
            format!(
                "handoff-chat dev server: the demo page {} is not available ({e}).\n\
                 Build the widget first (see README: the Trunk build writes {DEMO_PAGE} into \
                 the dist folder), then reload this page.\n\
                 The Direct Line emulator at /v3/directline works without it.\n",
                path.display()
            ),
        )
            .into_response(),
    }
}
