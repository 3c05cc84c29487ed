//! How much one client may send: body size, text length, JSON nesting, WebSocket message
//! size. Constants and pure checks; the extractors (`error.rs`), the handlers and the
//! stream apply them. Must not know about routes or storage.

use crate::error::AppError;

/// Largest request body read (64 KB); larger bodies get 413.
pub const MAX_BODY_BYTES: usize = 64 * 1024;
/// Longest activity text accepted (16 KB); longer texts get 413.
pub const MAX_TEXT_BYTES: usize = 16 * 1024;
/// Deepest JSON nesting accepted in a body. Far below serde_json's own limit (128), so a
/// stored activity, nested a few levels deeper in the `--state` snapshot, always reads back.
pub const MAX_JSON_DEPTH: usize = 32;
/// Largest message a client may send on a stream (4 KB; clients send none, only pings).
pub const MAX_WS_MESSAGE_BYTES: usize = 4 * 1024;

/// Refuses JSON nested deeper than [`MAX_JSON_DEPTH`] (objects and arrays, counted outside
/// strings), before anything parses it.
pub fn check_depth(bytes: &[u8]) -> Result<(), AppError> {
    let (mut depth, mut in_string, mut escaped) = (0usize, false, false);
    for &byte in bytes {
        if in_string {
            match (escaped, byte) {
                (true, _) => escaped = false,
                (false, b'\\') => escaped = true,
                (false, b'"') => in_string = false,
                _ => {}
            }
            continue;
        }
        match byte {
            b'"' => in_string = true,
            b'{' | b'[' => {
                depth += 1;
                if depth > MAX_JSON_DEPTH {
                    return Err(AppError::BadArgument(format!(
                        "JSON is nested deeper than {MAX_JSON_DEPTH} levels"
                    )));
                }
            }
            b'}' | b']' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    Ok(())
}

/// Refuses a text longer than [`MAX_TEXT_BYTES`].
pub fn check_text(text: Option<&str>) -> Result<(), AppError> {
    match text {
        Some(t) if t.len() > MAX_TEXT_BYTES => Err(AppError::TooLarge(format!(
            "text is {} bytes; at most {MAX_TEXT_BYTES} are accepted",
            t.len()
        ))),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn nested(depth: usize) -> String {
        format!("{}{}", "[".repeat(depth), "]".repeat(depth))
    }

    #[test]
    fn nesting_is_counted_outside_strings() {
        assert!(check_depth(nested(MAX_JSON_DEPTH).as_bytes()).is_ok());
        assert!(check_depth(nested(MAX_JSON_DEPTH + 1).as_bytes()).is_err());
        let quoted = format!(r#"{{"text": "{}\"{}"}}"#, "[".repeat(100), "{".repeat(100));
        assert!(check_depth(quoted.as_bytes()).is_ok());
    }

    #[test]
    fn texts_are_bounded() {
        assert!(check_text(None).is_ok());
        assert!(check_text(Some(&"a".repeat(MAX_TEXT_BYTES))).is_ok());
        let long = "a".repeat(MAX_TEXT_BYTES + 1);
        assert_eq!(check_text(Some(&long)).unwrap_err().status().as_u16(), 413);
    }
}
