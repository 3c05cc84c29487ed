//! Keeps the session in browser storage so a reload, or another page of the same site,
//! resumes the same chat. Storage failures (private mode, quota, a malformed entry) are
//! logged and otherwise ignored: the chat goes on without persistence.

use handoff_core::config::Persist;
use handoff_core::handoff::HandoffMode;
use handoff_core::session::{Phase, Session};

/// Where one widget's session is kept.
#[derive(Clone)]
pub struct Store {
    storage: Option<web_sys::Storage>,
    key: String,
}

impl Store {
    /// The store for a widget talking to `token_url`, in the configured storage.
    pub fn new(persist: Persist, token_url: &str) -> Self {
        let window = web_sys::window();
        let storage = match persist {
            Persist::Session => window.and_then(|w| w.session_storage().ok().flatten()),
            Persist::Local => window.and_then(|w| w.local_storage().ok().flatten()),
            Persist::None => None,
        };
        Self {
            storage,
            key: format!("handoff-chat:{token_url}"),
        }
    }

    /// The live conversation stored for this widget, if any, with the page's `locale` and
    /// `mode`.
    pub fn load(&self, locale: &str, mode: HandoffMode) -> Option<Session> {
        let text = self.storage.as_ref()?.get_item(&self.key).ok().flatten()?;
        let session = Session::from_stored(&text, locale.to_owned(), mode);
        if session.is_none() {
            web_sys::console::warn_1(&"handoff-chat: ignored a stored chat it cannot read".into());
        }
        session
    }

    /// Saves a live session; forgets it once there is nothing to resume (ended, survey).
    pub fn save(&self, session: &Session) {
        let Some(storage) = &self.storage else {
            return;
        };
        let result = if session.phase == Phase::Chatting {
            storage.set_item(&self.key, &session.to_stored())
        } else {
            storage.remove_item(&self.key)
        };
        if result.is_err() {
            web_sys::console::warn_1(
                &"handoff-chat: could not save the chat (storage full or blocked)".into(),
            );
        }
    }
}
