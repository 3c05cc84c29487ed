//! Who may talk to the dev server from a browser: the `Host` check against DNS rebinding,
//! CORS only where a widget on another site needs it, and `application/json` on JSON bodies.
//!
//! The server listens on loopback, but every page open in the tester's or agent's browser
//! can reach loopback. So:
//! - [`check_host`] refuses (403) a request whose `Host` is not the served address
//!   (`127.0.0.1:PORT` or `localhost:PORT`): a page of `evil.example` that re-resolves its
//!   name to 127.0.0.1 is same-origin with itself, not with us, and sends its own name.
//! - [`cors`] is layered only on the Direct Line endpoints and the token routes (what a
//!   widget embedded on any site calls); the agent console, `/_dev/...` and the files answer
//!   no `Access-Control-Allow-Origin`, so another site's page cannot read them.
//! - [`require_json`] (used by the body extractors in `error.rs`) answers 415 to a body that
//!   does not say `application/json`: a cross-site page can send `text/plain` without a
//!   preflight, never `application/json`.
//!
//! Pure checks plus two middleware pieces; must not know about routes or storage.

use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, Method};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use tower_http::cors::{AllowHeaders, Any, CorsLayer};

use crate::error::AppError;
use crate::AppState;

/// Whether `host` (a `Host` header value) names this server on `port`. A request without
/// `Host` (not from a browser: every browser sends it) passes.
pub fn is_served_host(host: Option<&str>, port: u16) -> bool {
    let Some(host) = host else {
        return true;
    };
    let Some((name, host_port)) = host.rsplit_once(':') else {
        return false;
    };
    host_port.parse::<u16>().ok() == Some(port)
        && (name == "127.0.0.1" || name.eq_ignore_ascii_case("localhost"))
}

/// Middleware of the whole app: 403 to a `Host` that is not the served address.
pub async fn check_host(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let host = request.headers().get(header::HOST).map(|h| h.to_str());
    let allowed = match host {
        None => true,
        Some(Ok(host)) => is_served_host(Some(host), state.config.port),
        Some(Err(_)) => false,
    };
    if !allowed {
        return AppError::Forbidden(format!(
            "Host must be 127.0.0.1:{0} or localhost:{0}",
            state.config.port
        ))
        .into_response();
    }
    next.run(request).await
}

/// Open CORS, for the Direct Line endpoints and token routes only: the widget is embedded
/// on any site, and demo pages opened from disk send `Origin: null`. No credentials
/// (cookies) are involved, so `*` is allowed. Request headers are mirrored because clients
/// add their own (DirectLineJS sends `x-ms-bot-agent`), and `Retry-After` is exposed so a
/// page can honour a 429.
pub fn cors() -> CorsLayer {
    CorsLayer::new()
        .allow_origin(Any)
        .allow_methods([Method::GET, Method::POST, Method::DELETE])
        .allow_headers(AllowHeaders::mirror_request())
        .expose_headers([header::RETRY_AFTER])
}

/// Refuses (415) a body whose `Content-Type` is not `application/json` (parameters such as
/// `; charset=utf-8` allowed).
pub fn require_json(headers: &HeaderMap) -> Result<(), AppError> {
    let essence = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .map(str::trim);
    match essence {
        Some(t) if t.eq_ignore_ascii_case("application/json") => Ok(()),
        _ => Err(AppError::UnsupportedMediaType),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    #[test]
    fn only_the_served_address_is_a_host() {
        assert!(is_served_host(Some("127.0.0.1:8080"), 8080));
        assert!(is_served_host(Some("LOCALHOST:8080"), 8080));
        assert!(is_served_host(None, 8080));
        assert!(!is_served_host(Some("127.0.0.1:8081"), 8080));
        assert!(!is_served_host(Some("evil.example:8080"), 8080));
        assert!(!is_served_host(Some("evil.example"), 8080));
        assert!(!is_served_host(Some("127.0.0.1"), 8080));
    }

    #[test]
    fn json_bodies_say_so() {
        let mut headers = HeaderMap::new();
        assert_eq!(require_json(&headers), Err(AppError::UnsupportedMediaType));
        headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/plain"));
        assert_eq!(require_json(&headers), Err(AppError::UnsupportedMediaType));
        let json = HeaderValue::from_static("Application/JSON; charset=utf-8");
        headers.insert(header::CONTENT_TYPE, json);
        assert_eq!(require_json(&headers), Ok(()));
    }
}
