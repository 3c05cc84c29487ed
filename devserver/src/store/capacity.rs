//! Bounds of the store: how many conversations and tokens it holds and how many activities
//! one conversation may receive from clients. When full, expired tokens are forgotten, then
//! the conversations no live token opens and no active handoff needs; what is still full
//! refuses with 429 (`Retry-After`).

use std::collections::HashSet;

use handoff_core::time::Millis;

use super::{ConversationState, Inner};
use crate::error::{AppError, Result};

/// Most conversations held at once.
pub const MAX_CONVERSATIONS: usize = 10_000;
/// Most tokens held at once.
pub const MAX_TOKENS: usize = 50_000;
/// Most activities a conversation holds before clients may post no more (the bot's answers
/// to an accepted post still arrive; a burst of 10,000 demo messages fits).
pub const MAX_ACTIVITIES: usize = 20_000;
/// `Retry-After` of a full store.
const RETRY_AFTER_SECS: u64 = 60;

impl Inner {
    /// Room for one more conversation (when `conversation`) and one more token, purging
    /// first when full.
    pub(super) fn make_room(&mut self, conversation: bool, now: Millis) -> Result<()> {
        let full = |inner: &Inner| {
            inner.tokens.len() >= MAX_TOKENS
                || (conversation && inner.conversations.len() >= MAX_CONVERSATIONS)
        };
        if full(self) {
            self.purge(now);
        }
        if full(self) {
            return Err(AppError::TooManyRequests {
                retry_after: RETRY_AFTER_SECS,
            });
        }
        Ok(())
    }

    /// Forgets expired tokens, then conversations that no live token opens and that have
    /// no waiting or engaged handoff.
    fn purge(&mut self, now: Millis) {
        let Inner {
            conversations,
            tokens,
            hub,
        } = self;
        tokens.retain(|_, grant| !grant.is_expired(now));
        let live: HashSet<&str> = tokens
            .values()
            .map(|g| g.conversation_id.as_str())
            .collect();
        conversations
            .retain(|id, _| live.contains(id.as_str()) || hub.active_handoff(id).is_some());
    }
}

/// Refuses a client's activity to a conversation already holding [`MAX_ACTIVITIES`].
pub(super) fn check_room(conversation: &ConversationState) -> Result<()> {
    if conversation.activities.len() >= MAX_ACTIVITIES {
        return Err(AppError::TooLarge(format!(
            "The conversation holds {MAX_ACTIVITIES} activities, the most it may"
        )));
    }
    Ok(())
}
