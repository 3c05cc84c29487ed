//! The demo bot's turn in a bot conversation, run by the store under its lock: the bot's
//! replies appended, a relay `handoff.initiate` among them enqueued at the hub, a
//! livestream's first piece appended (its id is the stream id); and, later, the stream's
//! paced pieces ([`Store::append_reply`], called by the Direct Line routes' timer).

use handoff_core::activity::Activity;
use handoff_core::handoff::{HandoffMode, INITIATE_EVENT};
use handoff_core::time::Millis;

use super::{append, ConversationState, Service, Store};
use crate::bot;
use crate::error::{AppError, Result};
use crate::hub::{Effect, Hub};
use crate::random::{random_id, ID_LEN};

/// Lets the bot answer `incoming` (already appended); the hub's effects of a handoff it
/// started, and the livestream pieces still to send.
pub(super) fn bot_turn(
    conversation: &mut ConversationState,
    conversation_id: &str,
    hub: &mut Hub,
    incoming: &Activity,
    origin: &str,
    now: Millis,
) -> (Vec<Effect>, Vec<Activity>) {
    let ctx = bot::Context {
        conversation_id,
        history: &conversation.activities,
        origin,
    };
    let turn = bot::respond(&mut conversation.bot, incoming, ctx);
    let mut effects = Vec::new();
    for reply in turn.replies {
        append(conversation, conversation_id, reply, now);
        let appended = conversation.activities.last();
        if let Some(initiate) = appended.filter(|a| a.is_event(INITIATE_EVENT)) {
            // Bridge conversations: the widget brings this handoff to the hub itself.
            if conversation.mode == HandoffMode::Relay {
                let handoff_id = format!("h{}", random_id(ID_LEN));
                effects.extend(hub.enqueue(
                    handoff_id,
                    conversation_id,
                    HandoffMode::Relay,
                    initiate,
                    now,
                ));
            }
        }
    }
    let paced = turn.stream.map_or_else(Vec::new, |stream| {
        let stream_id = append(conversation, conversation_id, stream.first.clone(), now);
        stream.rest(&stream_id)
    });
    (effects, paced)
}

impl Store {
    /// Appends one of the bot's replies that comes later than the turn it answers (a
    /// livestream's piece); its id.
    pub fn append_reply(
        &self,
        service: Service,
        conversation_id: &str,
        reply: Activity,
        now: Millis,
    ) -> Result<String> {
        let mut inner = self.lock();
        let conversation = inner
            .conversations
            .get_mut(conversation_id)
            .filter(|c| c.service == service)
            .ok_or_else(|| AppError::ConversationNotFound(conversation_id.into()))?;
        let id = append(conversation, conversation_id, reply, now);
        self.commit(&inner);
        Ok(id)
    }
}
