//! Errors of the client side of the protocol, and the one place that turns them into text
//! a visitor reads.

use crate::i18n::{fill, Lang, Text};

/// Why a request to the chat service failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ChatError {
    /// The request never got an HTTP answer (offline, DNS, CORS, connection refused).
    #[error("network error: {0}")]
    Network(String),
    /// The service answered with an error status.
    #[error("HTTP {status}: {message}")]
    Http { status: u16, message: String },
    /// The answer could not be understood.
    #[error("unexpected response: {0}")]
    BadResponse(String),
    /// 429 Too Many Requests; `retry_after_ms` from the Retry-After header when given.
    #[error("throttled (retry after {retry_after_ms:?} ms)")]
    Throttled { retry_after_ms: Option<u64> },
}

/// The longest `Retry-After` honoured (5 minutes); longer asks are cut to this.
pub const MAX_RETRY_AFTER_MS: u64 = 300_000;

/// What to do about a failed request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Recovery {
    /// Try the same request again later.
    Retry,
    /// The token is expired or wrong: get a new one.
    NewToken,
    /// The conversation is gone: start a new one.
    NewConversation,
    /// Retrying will not help.
    Fatal,
}

impl ChatError {
    /// Direct Line's rules: 403 token, 404 conversation ended, 429/5xx/network retry,
    /// other 4xx fatal for that request.
    pub fn recovery(&self) -> Recovery {
        match self {
            ChatError::Network(_) | ChatError::Throttled { .. } => Recovery::Retry,
            ChatError::Http { status: 403, .. } => Recovery::NewToken,
            ChatError::Http { status: 404, .. } => Recovery::NewConversation,
            ChatError::Http { status, .. } if *status == 429 || *status >= 500 => Recovery::Retry,
            ChatError::Http { .. } | ChatError::BadResponse(_) => Recovery::Fatal,
        }
    }

    /// The least time to wait before retrying, when the server said (Retry-After), at most
    /// [`MAX_RETRY_AFTER_MS`]: a server asking for a day must not park the chat for a day.
    pub fn retry_after_ms(&self) -> Option<u64> {
        match self {
            ChatError::Throttled { retry_after_ms } => {
                retry_after_ms.map(|ms| ms.min(MAX_RETRY_AFTER_MS))
            }
            _ => None,
        }
    }

    /// The sentence shown to the visitor.
    pub fn visitor_message(&self, lang: Lang) -> String {
        let text = match self {
            ChatError::Network(_) => Text::ErrNetwork,
            ChatError::Http {
                status: 401 | 403, ..
            } => Text::ErrRefused,
            ChatError::Http { status: 404, .. } => Text::ErrEnded,
            ChatError::Http { status: 429, .. } | ChatError::Throttled { .. } => Text::ErrBusy,
            ChatError::Http { status, .. } => {
                return fill(lang.t(Text::ErrTrouble), &[&status.to_string()])
            }
            ChatError::BadResponse(_) => Text::ErrUnreadable,
        };
        lang.t(text).to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn http(status: u16) -> ChatError {
        ChatError::Http {
            status,
            message: String::new(),
        }
    }

    #[test]
    fn recovery_follows_direct_line_rules() {
        assert_eq!(http(403).recovery(), Recovery::NewToken);
        assert_eq!(http(404).recovery(), Recovery::NewConversation);
        assert_eq!(http(429).recovery(), Recovery::Retry);
        assert_eq!(http(502).recovery(), Recovery::Retry);
        assert_eq!(http(400).recovery(), Recovery::Fatal);
        assert_eq!(ChatError::Network("x".into()).recovery(), Recovery::Retry);
    }

    #[test]
    fn retry_after_is_capped() {
        let asked = |ms| ChatError::Throttled {
            retry_after_ms: Some(ms),
        };
        assert_eq!(asked(3_000).retry_after_ms(), Some(3_000));
        assert_eq!(asked(u64::MAX).retry_after_ms(), Some(MAX_RETRY_AFTER_MS));
    }

    #[test]
    fn visitor_messages_are_plain_sentences() {
        assert!(http(502).visitor_message(Lang::En).contains("502"));
        assert!(ChatError::Network("TypeError".into())
            .visitor_message(Lang::En)
            .contains("can't reach"));
    }
}
