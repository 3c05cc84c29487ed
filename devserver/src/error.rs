//! `AppError`: every way a Direct Line request can fail, and its spec-shaped response.
//!
//! Each variant maps to one HTTP status and one Direct Line error code, answered with the
//! body `{"error": {"code", "message"}}` the official clients parse. Also owns [`ApiJson`],
//! the JSON body extractor whose failures become these errors instead of axum's plain-text
//! rejections. Must not know about routes or storage.

use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use handoff_core::activity::ErrorResponse;
use serde::de::DeserializeOwned;

use crate::guard::require_json;

/// Result of a request handler.
pub type Result<T> = std::result::Result<T, AppError>;

/// A failed Direct Line request.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AppError {
    /// No `Authorization: Bearer ...` header (nor stream `t` parameter).
    #[error("Authorization header with a Bearer secret or token is required")]
    MissingAuth,
    /// A credential that is neither the secret nor a token we issued.
    #[error("The secret or token is not valid")]
    InvalidAuth,
    /// A token we issued whose lifetime is over.
    #[error("Token expired")]
    TokenExpired,
    /// A valid credential used where it does not apply (token of another conversation,
    /// secret where a token is needed, or the reverse).
    #[error("{0}")]
    Forbidden(String),
    /// No conversation with this id.
    #[error("Conversation {0} not found")]
    ConversationNotFound(String),
    /// No Direct Line endpoint at this path.
    #[error("No such endpoint: {0}")]
    UnknownEndpoint(String),
    /// The body is not JSON.
    #[error("Invalid JSON: {0}")]
    BadSyntax(String),
    /// The body is JSON but lacks something required (e.g. `type`).
    #[error("{0}")]
    MissingProperty(String),
    /// A parameter has an unusable value.
    #[error("{0}")]
    BadArgument(String),
    /// A Copilot Studio endpoint called without `?api-version=`.
    #[error("The api-version query parameter (?api-version=) is required for all requests.")]
    MissingApiVersion,
    /// A body or text over its limit (see `limits.rs`).
    #[error("{0}")]
    TooLarge(String),
    /// A body that does not say `Content-Type: application/json` (see `guard.rs`).
    #[error("Content-Type must be application/json")]
    UnsupportedMediaType,
    /// A client created too many tokens or conversations (see `ratelimit.rs`).
    #[error("Too many requests; retry after {retry_after} s")]
    TooManyRequests { retry_after: u64 },
    /// An error injected through `/_dev/faults`.
    #[error("Injected fault (HTTP {status})")]
    Injected {
        status: StatusCode,
        retry_after: Option<u64>,
    },
}

impl AppError {
    /// HTTP status of this error.
    pub fn status(&self) -> StatusCode {
        match self {
            AppError::MissingAuth | AppError::InvalidAuth => StatusCode::UNAUTHORIZED,
            AppError::TokenExpired | AppError::Forbidden(_) => StatusCode::FORBIDDEN,
            AppError::ConversationNotFound(_) | AppError::UnknownEndpoint(_) => {
                StatusCode::NOT_FOUND
            }
            AppError::BadSyntax(_)
            | AppError::MissingProperty(_)
            | AppError::BadArgument(_)
            | AppError::MissingApiVersion => StatusCode::BAD_REQUEST,
            AppError::UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            AppError::TooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            AppError::TooManyRequests { .. } => StatusCode::TOO_MANY_REQUESTS,
            AppError::Injected { status, .. } => *status,
        }
    }

    /// Direct Line error code of this error.
    pub fn code(&self) -> &'static str {
        match self {
            AppError::TokenExpired => "TokenExpired",
            AppError::ConversationNotFound(_) | AppError::UnknownEndpoint(_) => "NotFound",
            AppError::BadSyntax(_) => "BadSyntax",
            AppError::MissingProperty(_) => "MissingProperty",
            AppError::MissingApiVersion => "MissingApiVersionParameter",
            AppError::Injected { status, .. } => code_for_status(*status),
            AppError::TooManyRequests { .. } => "TooManyRequests",
            AppError::MissingAuth
            | AppError::InvalidAuth
            | AppError::Forbidden(_)
            | AppError::BadArgument(_)
            | AppError::UnsupportedMediaType
            | AppError::TooLarge(_) => "BadArgument",
        }
    }
}

/// The Direct Line code a service would send with this status (used for injected faults).
pub fn code_for_status(status: StatusCode) -> &'static str {
    match status.as_u16() {
        403 => "TokenExpired",
        404 => "NotFound",
        409 => "Conflict",
        429 => "TooManyRequests",
        s if s >= 500 => "ServiceError",
        _ => "BadArgument",
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let body = ErrorResponse::new(self.code(), self.to_string());
        let mut response = (self.status(), Json(body)).into_response();
        let retry_after = match self {
            AppError::Injected { retry_after, .. } => retry_after,
            AppError::TooManyRequests { retry_after } => Some(retry_after),
            _ => None,
        };
        if let Some(secs) = retry_after {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(secs));
        }
        response
    }
}

/// A JSON request body. Like `axum::Json` it needs `Content-Type: application/json` (a
/// cross-site page cannot send that without a preflight, see `guard.rs`), but it fails with
/// an [`AppError`], so a bad body gets the Direct Line error shape.
#[derive(Debug, Clone)]
pub struct ApiJson<T>(pub T);

impl<T, S> FromRequest<S> for ApiJson<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = AppError;

    async fn from_request(req: Request, state: &S) -> Result<Self> {
        require_json(req.headers())?;
        parse_json(&body(req, state).await?).map(ApiJson)
    }
}

/// An optional JSON request body: an empty body is `None`, anything else must say
/// `application/json` and parse.
#[derive(Debug, Clone)]
pub struct OptionalJson<T>(pub Option<T>);

impl<T, S> FromRequest<S> for OptionalJson<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = AppError;

    async fn from_request(req: Request, state: &S) -> Result<Self> {
        let checked = require_json(req.headers());
        let bytes = body(req, state).await?;
        if bytes.trim_ascii().is_empty() {
            return Ok(OptionalJson(None));
        }
        checked?;
        parse_json(&bytes).map(|v| OptionalJson(Some(v)))
    }
}

/// The bytes of a request body; a body over the limit (`DefaultBodyLimit`, see `lib.rs`)
/// is `TooLarge`, another that cannot be read a `BadArgument`.
async fn body<S: Send + Sync>(req: Request, state: &S) -> Result<Bytes> {
    Bytes::from_request(req, state).await.map_err(|e| {
        if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
            AppError::TooLarge(format!(
                "The body is larger than {} bytes",
                crate::limits::MAX_BODY_BYTES
            ))
        } else {
            AppError::BadArgument(e.body_text())
        }
    })
}

/// Parses a JSON body: too deep is a `BadArgument`, syntax errors are `BadSyntax`, shape
/// errors `MissingProperty`.
pub fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T> {
    crate::limits::check_depth(bytes)?;
    serde_json::from_slice(bytes).map_err(|e| {
        if e.is_data() {
            AppError::MissingProperty(e.to_string())
        } else {
            AppError::BadSyntax(e.to_string())
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_and_codes_follow_direct_line() {
        assert_eq!(AppError::MissingAuth.status(), StatusCode::UNAUTHORIZED);
        assert_eq!(AppError::TokenExpired.status(), StatusCode::FORBIDDEN);
        assert_eq!(AppError::TokenExpired.code(), "TokenExpired");
        assert_eq!(
            AppError::ConversationNotFound("x".into()).status(),
            StatusCode::NOT_FOUND
        );
        let fault = AppError::Injected {
            status: StatusCode::TOO_MANY_REQUESTS,
            retry_after: Some(2),
        };
        assert_eq!(fault.code(), "TooManyRequests");
        let response = fault.into_response();
        assert_eq!(response.headers()[header::RETRY_AFTER], "2");
    }

    #[test]
    fn json_errors_distinguish_syntax_from_shape() {
        #[derive(serde::Deserialize, Debug)]
        struct Needs {
            #[allow(dead_code, reason = "never read: the test checks only the error")]
            r#type: String,
        }
        assert!(matches!(
            parse_json::<Needs>(b"{oops"),
            Err(AppError::BadSyntax(_))
        ));
        assert!(matches!(
            parse_json::<Needs>(b"{}"),
            Err(AppError::MissingProperty(_))
        ));
    }
}
