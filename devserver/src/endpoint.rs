//! Which Direct Line endpoint a request is for, and who is calling it.
//!
//! Owns what the REST routes (`directline.rs`), the WebSocket stream (`stream.rs`) and fault
//! injection (`faults.rs`) share: the [`Endpoint`] handler state (the app plus the
//! [`Service`] it serves), the two mount points, authenticating a caller for one
//! conversation, and the query parameters both read (the watermark). Must not import those
//! three modules: the dependency goes one way, from them to here (and from here to
//! [`crate::auth`] and the [`crate::store`]).

use axum::extract::rejection::QueryRejection;
use axum::extract::Query;
use handoff_core::time::Millis;
use serde::Deserialize;

use crate::auth::{self, Caller, Credential};
use crate::error::{AppError, Result};
use crate::store::Service;
use crate::AppState;

/// Mount point of the bot's Direct Line endpoint.
pub const BOT_BASE: &str = "/v3/directline";
/// Mount point of the hub's Direct Line-style endpoint.
pub const HUB_BASE: &str = "/hub/v3/directline";

/// The state of one endpoint's handlers: the app, and which service they serve.
#[derive(Clone)]
pub struct Endpoint {
    pub app: AppState,
    pub service: Service,
}

impl Endpoint {
    /// Where this endpoint is mounted (stream URLs point under it).
    pub fn base(&self) -> &'static str {
        match self.service {
            Service::Bot => BOT_BASE,
            Service::Hub => HUB_BASE,
        }
    }

    /// The caller of this endpoint presenting `credential`.
    pub fn caller(&self, credential: Credential<'_>, now: Millis) -> Result<Caller> {
        auth::identify(&self.app, self.service, credential, now)
    }

    /// The caller presenting `credential`, refused unless it may use `conversation_id`.
    pub fn caller_of(
        &self,
        conversation_id: &str,
        credential: Credential<'_>,
        now: Millis,
    ) -> Result<Caller> {
        let caller = self.caller(credential, now)?;
        caller.check_conversation(conversation_id)?;
        Ok(caller)
    }
}

/// `?watermark=N` (the stream's query adds `t`, see `stream.rs`).
#[derive(Debug, Default, Deserialize)]
pub struct WatermarkQuery {
    pub watermark: Option<String>,
}

/// The `?watermark=` of a REST request as extracted: a bad query string is answered only
/// after authentication (see [`watermark`]).
pub type WatermarkParams = std::result::Result<Query<WatermarkQuery>, QueryRejection>;

/// The watermark a REST request asks from (`None`: from the start).
pub fn watermark(params: WatermarkParams) -> Result<Option<u64>> {
    parse_watermark(query(params)?.watermark.as_deref())
}

/// Reads a watermark: absent or empty (DirectLineJS sends `watermark=` before it has one)
/// means "from the start"; anything else must be the number we handed out.
pub fn parse_watermark(raw: Option<&str>) -> Result<Option<u64>> {
    match raw.map(str::trim) {
        None | Some("") => Ok(None),
        Some(w) => w
            .parse()
            .map(Some)
            .map_err(|_| AppError::BadArgument(format!("Invalid watermark `{w}`"))),
    }
}

/// Query extraction failures answered as Direct Line errors, not plain text.
pub fn query<T>(query: std::result::Result<Query<T>, QueryRejection>) -> Result<T> {
    query
        .map(|Query(q)| q)
        .map_err(|e| AppError::BadArgument(e.body_text()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn watermark_is_optional_but_numeric() {
        assert_eq!(parse_watermark(None), Ok(None));
        assert_eq!(parse_watermark(Some("")), Ok(None));
        assert_eq!(parse_watermark(Some("7")), Ok(Some(7)));
        assert!(matches!(
            parse_watermark(Some("x")),
            Err(AppError::BadArgument(_))
        ));
    }
}
