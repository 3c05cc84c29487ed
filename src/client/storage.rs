//! Keeps the session in browser storage so a reload, or another page of the same site,
//! resumes the same chat. Storage failures (private mode, quota, a malformed entry) are
//! logged and otherwise ignored: the chat goes on without persistence.

use handoff_core::config::Persist;
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
            key: format!("handoff-chat:v1:{token_url}"),
        }
    }

    /// A session worth resuming (a live conversation), if one is stored.
    pub fn load(&self) -> Option<Session> {
        let text = self.storage.as_ref()?.get_item(&self.key).ok().flatten()?;
        match serde_json::from_str::<Session>(&text) {
            Ok(session) if session.phase == Phase::Chatting => Some(session),
            Ok(_) => None,
            Err(e) => {
                web_sys::console::warn_1(
                    &format!("handoff-chat: ignored a stored chat it cannot read: {e}").into(),
                );
                None
            }
        }
    }

    /// Saves a live session; forgets it once there is nothing to resume (ended, survey).
    pub fn save(&self, session: &Session) {
        let Some(storage) = &self.storage else {
            return;
        };
        let result = if session.phase == Phase::Chatting {
            match serde_json::to_string(session) {
                Ok(text) => storage.set_item(&self.key, &text),
                Err(_) => Ok(()),
            }
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
