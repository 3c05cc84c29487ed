//! Browser I/O: Direct Line REST and WebSocket calls, and the controller that runs the
//! core session's effects. Must not render anything: the UI reads the controller's signals.

pub mod api;
mod controller;
pub mod page_api;
mod storage;
pub mod stream;

pub use controller::Chat;

/// Logs activities dropped by the lenient parser (malformed server data).
pub(crate) fn log_skipped(skipped: usize) {
    if skipped > 0 {
        web_sys::console::warn_1(
            &format!("handoff-chat: skipped {skipped} malformed activities").into(),
        );
    }
}
