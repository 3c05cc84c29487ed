//! Who is calling: the Direct Line secret, or a token we issued (and for which conversation).
//!
//! Both endpoints (the bot's and the hub's) accept the one secret; a token works only on the
//! endpoint that issued it.
//! Owns the credential rules of the spec: no credential → 401, unknown credential → 401,
//! expired token → 403 `TokenExpired`, token used on another conversation → 403.
//! Reads headers and the store; never writes.

use axum::http::{header, HeaderMap};
use handoff_core::time::Millis;

use crate::error::{AppError, Result};
use crate::store::{Grant, Service};
use crate::AppState;

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

/// The credential of `Authorization: Bearer <credential>`, if present.
pub fn bearer(headers: &HeaderMap) -> Option<&str> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, credential) = value.trim().split_once(' ')?;
    let credential = credential.trim();
    (scheme.eq_ignore_ascii_case("bearer") && !credential.is_empty()).then_some(credential)
}

/// Identifies the caller of `service` from a credential (`None` when none was sent).
pub fn identify(
    state: &AppState,
    service: Service,
    credential: Option<&str>,
    now: Millis,
) -> Result<Caller> {
    let credential = credential.ok_or(AppError::MissingAuth)?;
    if credential == state.config.secret {
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
}
