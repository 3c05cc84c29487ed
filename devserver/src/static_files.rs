//! Static files: the demo host page at `/` and the widget build from `<dist>`.
//!
//! `/` is `<dist>/demo.html` (the page the widget build produces), never `<dist>/index.html`
//! (Trunk's auto-init page, which would boot the widget without the embed snippet). Without
//! a build, `/` answers 503 with a sentence saying what to run. Everything else comes from
//! `ServeDir`, whose MIME table maps `.wasm` to `application/wasm` (needed by
//! `WebAssembly.instantiateStreaming`).
//!
//! The Power Pages imitation pages (any file named `powerpages*.html`, e.g.
//! `demo/powerpages.html`) are served with a strict `Content-Security-Policy` (see
//! [`power_pages_csp`]): no inline script or style, no `eval`, only this origin and its
//! WebSocket. No other file gets a CSP.

use std::path::PathBuf;

use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use tower_http::services::ServeDir;
use tower_http::set_header::SetResponseHeaderLayer;

use crate::AppState;

/// File served at `/`.
pub const DEMO_PAGE: &str = "demo.html";
/// File names starting with this and ending with `.html` get [`power_pages_csp`].
pub const CSP_PAGE_PREFIX: &str = "powerpages";

/// `/` plus a fallback serving `dist`. Responses say `no-cache` so a rebuilt widget is
/// picked up on reload (browsers otherwise cache by `Last-Modified` heuristics).
pub fn routes(state: AppState, dist: PathBuf) -> Router<AppState> {
    let files = ServeDir::new(dist).append_index_html_on_directories(false);
    Router::new()
        .route("/", get(demo_page))
        .fallback_service(files)
        .layer(middleware::from_fn_with_state(state, strict_csp))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CACHE_CONTROL,
            HeaderValue::from_static("no-cache"),
        ))
}

/// Whether the page at `path` is a Power Pages imitation (`.../powerpages*.html`).
pub fn is_csp_page(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or_default();
    name.starts_with(CSP_PAGE_PREFIX) && name.ends_with(".html")
}

/// The policy of the Power Pages imitation pages, for a page reached through `host`: what a
/// strict site allows. Scripts only from this origin, wasm compiled with
/// `'wasm-unsafe-eval'` (no `'unsafe-eval'`), styles only from files (no `'unsafe-inline'`:
/// no `<style>` elements or `style` attributes), and connections to this origin plus its
/// WebSocket stream.
pub fn power_pages_csp(host: &str) -> String {
    format!(
        "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; \
         img-src 'self' data:; connect-src 'self' ws://{host}"
    )
}

/// Adds [`power_pages_csp`] to the responses of [`is_csp_page`] paths.
async fn strict_csp(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let csp_page = is_csp_page(request.uri().path());
    let host = csp_page.then(|| request_host(&state, request.headers()));
    let mut response = next.run(request).await;
    if let Some(value) = host.and_then(|h| HeaderValue::from_str(&power_pages_csp(&h)).ok()) {
        response
            .headers_mut()
            .insert(header::CONTENT_SECURITY_POLICY, value);
    }
    response
}

/// The host (and port) the client used, else this server's loopback address.
pub fn request_host(state: &AppState, headers: &HeaderMap) -> String {
    headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .filter(|h| crate::directline::is_plain_host(h))
        .map(str::to_owned)
        .unwrap_or_else(|| format!("127.0.0.1:{}", state.config.port))
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
