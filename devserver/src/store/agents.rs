//! The agent side of the hub, through the store: sign-in, the queue, accepting, sending,
//! ending, the accept timeout; and [`apply`], which executes the hub's effects on the
//! conversations. Every method takes the store's one lock, so a hub decision and the
//! activities it appends happen as one step, and saves after a change.

use handoff_core::time::Millis;

use super::{append, Inner, Store};
use crate::hub::{self, AgentSends, AgentView, Detail, Effect, Hub, HubError, QueueEntry, Summary};
use crate::random::{random_id, ID_LEN};

impl Store {
    /// Signs an agent in, with a fresh session secret.
    pub fn register_agent(&self, name: &str) -> hub::Result<AgentView> {
        let id = format!("a{}", random_id(ID_LEN));
        let session = random_id(ID_LEN);
        let mut inner = self.lock();
        let agent = inner.hub.register_agent(id, session, name)?;
        self.commit(&inner);
        Ok(agent)
    }

    /// The id of the agent whose session secret is `session`.
    pub fn agent_of_session(&self, session: &str) -> Option<String> {
        self.lock().hub.agent_of_session(session).map(str::to_owned)
    }

    /// The waiting visitors.
    pub fn queue(&self, now: Millis) -> Vec<QueueEntry> {
        self.lock().hub.queue(now)
    }

    /// An agent accepts a waiting visitor; the detail of the handoff they now own.
    pub fn accept(&self, handoff_id: &str, agent_id: &str, now: Millis) -> hub::Result<Detail> {
        self.agent_decides(handoff_id, agent_id, now, Hub::accept)
    }

    /// The handoffs an agent accepted.
    pub fn agent_handoffs(&self, agent_id: &str, now: Millis) -> hub::Result<Vec<Summary>> {
        self.lock().hub.agent_handoffs(agent_id, now)
    }

    /// One of the agent's handoffs.
    pub fn handoff_detail(
        &self,
        handoff_id: &str,
        agent_id: &str,
        now: Millis,
    ) -> hub::Result<Detail> {
        self.lock().hub.detail(handoff_id, agent_id, now)
    }

    /// The agent sends a message, choices or typing into the visitor's conversation; the id
    /// of the appended activity.
    pub fn agent_send(
        &self,
        handoff_id: &str,
        agent_id: &str,
        sends: AgentSends<'_>,
        now: Millis,
    ) -> hub::Result<String> {
        let mut guard = self.lock();
        let (conversation_id, activity) = guard.hub.agent_activity(handoff_id, agent_id, sends)?;
        let Inner {
            conversations, hub, ..
        } = &mut *guard;
        let conversation = conversations
            .get_mut(&conversation_id)
            .ok_or_else(|| HubError::UnknownHandoff(handoff_id.into()))?;
        let id = append(conversation, &conversation_id, activity, now);
        if sends != AgentSends::Typing {
            if let Some(appended) = conversation.activities.last() {
                hub.record_agent_message(handoff_id, id.clone(), appended);
            }
        }
        self.commit(&guard);
        Ok(id)
    }

    /// The agent ends the conversation.
    pub fn end_handoff(
        &self,
        handoff_id: &str,
        agent_id: &str,
        now: Millis,
    ) -> hub::Result<Detail> {
        self.agent_decides(handoff_id, agent_id, now, Hub::end_by_agent)
    }

    /// Runs an agent's decision on a handoff, executes its effects and saves; the detail of
    /// the handoff after it.
    fn agent_decides(
        &self,
        handoff_id: &str,
        agent_id: &str,
        now: Millis,
        decide: fn(&mut Hub, &str, &str) -> hub::Result<Vec<Effect>>,
    ) -> hub::Result<Detail> {
        let mut inner = self.lock();
        let effects = decide(&mut inner.hub, handoff_id, agent_id)?;
        apply(&mut inner, effects, now);
        self.commit(&inner);
        inner.hub.detail(handoff_id, agent_id, now)
    }

    /// The accept timer of a handoff ran out (fails it if still waiting).
    pub fn expire_handoff(&self, handoff_id: &str, now: Millis) {
        let mut inner = self.lock();
        let effects = inner.hub.expire(handoff_id);
        if effects.is_empty() {
            return;
        }
        apply(&mut inner, effects, now);
        self.commit(&inner);
    }
}

/// Executes hub effects; returns the handoffs whose accept timers must start.
pub(super) fn apply(inner: &mut Inner, effects: Vec<Effect>, now: Millis) -> Vec<String> {
    let mut timers = Vec::new();
    for effect in effects {
        match effect {
            Effect::Send {
                conversation_id,
                activity,
            } => {
                if let Some(conversation) = inner.conversations.get_mut(&conversation_id) {
                    append(conversation, &conversation_id, *activity, now);
                }
            }
            Effect::ArmTimeout { handoff_id } => timers.push(handoff_id),
            Effect::BotResumes { conversation_id } => {
                if let Some(conversation) = inner.conversations.get_mut(&conversation_id) {
                    conversation.bot.fallbacks = 0;
                }
            }
        }
    }
    timers
}
