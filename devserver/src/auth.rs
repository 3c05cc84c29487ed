//! Who is calling: the Direct Line secret, or a token we issued (and for which conversation).
//!
//! Both endpoints (the bot's and the hub's) accept the one secret; a token works only on the
//! endpoint that issued it.
//! Owns the credential rules of the spec: no credential → 401, unknown credential → 401,
//! expired token → 403 `TokenExpired`, token used on another conversation → 403; and ours:
//! the secret is compared in constant time, and refused (403) on a request with an `Origin`
//! header, because only a browser page sends one and a page must use a token.
//! Reads headers and the store; never writes.

use axum::http::{header, HeaderMap};
use handoff_core::time::Millis;

use crate::error::{AppError, Result};
use crate::random::same_secret;
use crate::store::{Grant, Service};
use crate::AppState;

/// Why the secret is refused from a browser page.
pub const SECRET_FROM_PAGE: &str = "The Direct Line secret is for backends and scripts, not \
     browser pages (this request has an Origin header): a page uses a token from its token \
     endpoint, such as /api/directline/token";

/// An authenticated caller.
#[derive(Debug, Clone, PartialEq)]
pub enum Caller {
    /// Holds the Direct Line secret: may use any conversation.
    Secret,
    /// Holds a valid token: may use its conversation only.
    Token { token: String, grant: Grant },
}

impl Caller {
    /// Refuses a token issued for a different conversation.
    pub fn check_conversation(&self, conversation_id: &str) -> Result<()> {
        match self {
            Caller::Token { grant, .. } if grant.conversation_id != conversation_id => Err(
                AppError::Forbidden("Token is not valid for this conversation".into()),
            ),
            _ => Ok(()),
        }
    }
}

/// What a request presents: its credential, and whether a browser page sent it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Credential<'a> {
    /// The secret or token, if any.
    pub value: Option<&'a str>,
    /// The request carries `Origin`: browsers add it to cross-origin requests, to every
    /// POST and to WebSocket handshakes; backends and scripts do not.
    pub from_page: bool,
}

impl<'a> Credential<'a> {
    /// The `Authorization: Bearer` credential of a request.
    pub fn bearer(headers: &'a HeaderMap) -> Self {
        Self::given(headers, None)
    }

    /// `explicit` (a stream URL's `t`), else the `Authorization: Bearer` credential.
    pub fn given(headers: &'a HeaderMap, explicit: Option<&'a str>) -> Self {
        Self {
            value: explicit.or_else(|| bearer(headers)),
            from_page: headers.contains_key(header::ORIGIN),
        }
    }
}

/// The credential of `Authorization: Bearer <credential>`, if present.
pub fn bearer(headers: &HeaderMap) -> Option<&str> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, credential) = value.trim().split_once(' ')?;
    let credential = credential.trim();
    (scheme.eq_ignore_ascii_case("bearer") && !credential.is_empty()).then_some(credential)
}

/// Identifies the caller of `service` from what it presented.
pub fn identify(
    state: &AppState,
    service: Service,
    presented: Credential<'_>,
    now: Millis,
) -> Result<Caller> {
    let credential = presented.value.ok_or(AppError::MissingAuth)?;
    if same_secret(credential, &state.config.secret) {
        if presented.from_page {
            return Err(AppError::Forbidden(SECRET_FROM_PAGE.into()));
        }
        return Ok(Caller::Secret);
    }
    let grant = state
        .store
        .grant(service, credential)
        .ok_or(AppError::InvalidAuth)?;
    if grant.is_expired(now) {
        return Err(AppError::TokenExpired);
    }
    Ok(Caller::Token {
        token: credential.to_owned(),
        grant,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn headers(value: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(header::AUTHORIZATION, HeaderValue::from_str(value).unwrap());
        headers
    }

    #[test]
    fn bearer_needs_the_scheme_and_a_credential() {
        assert_eq!(bearer(&headers("Bearer abc")), Some("abc"));
        assert_eq!(bearer(&headers("bearer  abc ")), Some("abc"));
        assert_eq!(bearer(&headers("Basic abc")), None);
        assert_eq!(bearer(&headers("Bearer ")), None);
        assert_eq!(bearer(&HeaderMap::new()), None);
    }

    #[test]
    fn a_credential_knows_a_page_sent_it() {
        let mut page = headers("Bearer abc");
        page.insert(header::ORIGIN, HeaderValue::from_static("null"));
        let from_page = Credential::given(&page, Some("t1"));
        assert_eq!((from_page.value, from_page.from_page), (Some("t1"), true));
        let plain = headers("Bearer abc");
        let script = Credential::bearer(&plain);
        assert_eq!((script.value, script.from_page), (Some("abc"), false));
    }
}
