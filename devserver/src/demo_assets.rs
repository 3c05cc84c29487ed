//! `/demo-assets/...`: what the demo bot's cards point at, served by this server so the
//! demo needs no network: the card pictures (`card-1.png` … `card-4.png`), the price list
//! PDF, the page a card's openUrl button opens (`visit`), and the sign-in page of the OAuth
//! card (`sign-in?conversation=ID`), which shows the conversation's magic code. Files are
//! embedded from `assets/demo/`; the pages are fixed HTML without scripts or styles.

use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use serde::Deserialize;

use crate::bot::actions::magic_code;
use crate::store::Service;
use crate::AppState;

/// How many card pictures there are.
pub const PICTURES: usize = 4;

/// The embedded files: path, content type, bytes.
const FILES: [(&str, &str, &[u8]); PICTURES + 1] = [
    (
        "/demo-assets/card-1.png",
        "image/png",
        include_bytes!("../assets/demo/card-1.png"),
    ),
    (
        "/demo-assets/card-2.png",
        "image/png",
        include_bytes!("../assets/demo/card-2.png"),
    ),
    (
        "/demo-assets/card-3.png",
        "image/png",
        include_bytes!("../assets/demo/card-3.png"),
    ),
    (
        "/demo-assets/card-4.png",
        "image/png",
        include_bytes!("../assets/demo/card-4.png"),
    ),
    (
        "/demo-assets/price-list.pdf",
        "application/pdf",
        include_bytes!("../assets/demo/price-list.pdf"),
    ),
];

/// The pages allow nothing but themselves (no script, no style, no frames).
const PAGE_CSP: &str =
    "default-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/// The files and the two pages.
pub fn routes() -> Router<AppState> {
    let mut router = Router::new()
        .route("/demo-assets/visit", get(visit))
        .route("/demo-assets/sign-in", get(sign_in));
    for (path, content_type, bytes) in FILES {
        router = router.route(
            path,
            get(move || async move {
                (
                    [
                        (header::CONTENT_TYPE, content_type),
                        (header::CACHE_CONTROL, "no-cache"),
                        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
                    ],
                    bytes,
                )
            }),
        );
    }
    router
}

/// `?conversation=` of the sign-in page.
#[derive(Debug, Default, Deserialize)]
struct SignInQuery {
    conversation: Option<String>,
}

async fn visit() -> Response {
    page(
        StatusCode::OK,
        "Handoff Café",
        "<p>You opened this page with a card's link button. Nothing was sent to the chat.</p>",
    )
}

/// The magic code of a bot conversation; 404 for a conversation the bot does not have.
async fn sign_in(
    State(state): State<AppState>,
    params: Result<Query<SignInQuery>, QueryRejection>,
) -> Response {
    let conversation = params.ok().and_then(|Query(q)| q.conversation);
    match conversation.filter(|id| state.store.contains(Service::Bot, id)) {
        Some(id) => page(
            StatusCode::OK,
            "Signed in",
            &format!(
                "<p>Your magic code is</p><p><strong>{}</strong></p>\
                 <p>Type it into the chat to finish signing in, then close this window.</p>",
                magic_code(&id)
            ),
        ),
        None => page(
            StatusCode::NOT_FOUND,
            "Sign-in failed",
            "<p>This sign-in link is not for a conversation of this server.</p>",
        ),
    }
}

/// A fixed page: `title` and `body` are this file's own HTML, never request data.
fn page(status: StatusCode, title: &str, body: &str) -> Response {
    let html = format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">\
         <title>{title} · handoff-chat demo</title></head><body><h1>{title}</h1>{body}</body></html>"
    );
    (
        status,
        [
            (header::CONTENT_TYPE, "text/html; charset=utf-8"),
            (header::CACHE_CONTROL, "no-cache"),
            (header::CONTENT_SECURITY_POLICY, PAGE_CSP),
        ],
        html,
    )
        .into_response()
}
