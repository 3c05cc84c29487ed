//! The agent's side of the hub: signing in (and recognising an agent by its session
//! secret), accepting a waiting visitor, the messages,
//! choices (suggested actions) and typing an agent sends, ending the conversation; and the
//! checks that an agent acts only on the handoffs they accepted.

use handoff_core::activity::Activity;
use handoff_core::handoff::ACCEPTED;
use serde_json::json;

use super::wire::{agent_event, status_event};
use super::{
    Agent, AgentRef, AgentView, ChatMessage, Effect, Handoff, HandoffState, Hub, HubError, Result,
    Sender, MAX_CHOICES, MAX_CHOICE_CHARS, MAX_NAME_CHARS, MAX_TEXT_CHARS,
};
use crate::random::same_secret;
use crate::rich::{im_back, suggested_actions};

/// What an agent sends into the visitor's conversation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AgentSends<'a> {
    /// A message.
    Message(&'a str),
    /// A message with suggested actions: one imBack per choice, for the visitor only.
    Choices(&'a str, &'a [String]),
    /// A typing activity.
    Typing,
}

impl Hub {
    /// Signs an agent in under `id`, with the session secret `session` (both drawn by the
    /// caller).
    pub fn register_agent(&mut self, id: String, session: String, name: &str) -> Result<AgentView> {
        let name = name.trim();
        if name.is_empty() {
            return Err(HubError::EmptyName);
        }
        if name.chars().count() > MAX_NAME_CHARS {
            return Err(HubError::NameTooLong);
        }
        self.agents.insert(
            id.clone(),
            Agent {
                name: name.to_owned(),
                session: session.clone(),
            },
        );
        Ok(AgentView {
            agent_id: id,
            name: name.to_owned(),
            session,
        })
    }

    /// The agent whose session secret is `session`, if any. Every agent's secret is
    /// compared, each in constant time, so the answer's timing tells nothing about them.
    pub fn agent_of_session(&self, session: &str) -> Option<&str> {
        let mut found = None;
        for (id, agent) in &self.agents {
            if same_secret(session, &agent.session) {
                found = Some(id.as_str());
            }
        }
        found
    }

    /// An agent takes a waiting visitor.
    pub fn accept(&mut self, handoff_id: &str, agent_id: &str) -> Result<Vec<Effect>> {
        let agent = self.agent_ref(agent_id)?;
        let handoff = self.handoff(handoff_id)?;
        match (handoff.state, &handoff.agent) {
            (HandoffState::Waiting, _) => {}
            (HandoffState::Engaged, Some(taker)) => {
                let by = self
                    .agents
                    .get(taker)
                    .map_or_else(|| taker.clone(), |a| a.name.clone());
                return Err(HubError::AlreadyTaken { by });
            }
            (state, _) => return Err(HubError::NotWaiting(state)),
        }
        self.accepted += 1;
        let seq = self.accepted;
        let handoff = self.handoff_mut(handoff_id)?;
        handoff.state = HandoffState::Engaged;
        handoff.agent = Some(agent.id.clone());
        handoff.accepted_seq = seq;
        let conversation_id = handoff.conversation_id.clone();
        self.queue.retain(|id| id != handoff_id);
        let mut effects = vec![Effect::Send {
            conversation_id,
            activity: Box::new(status_event(json!({"state": ACCEPTED, "agent": agent}))),
        }];
        effects.extend(self.queue_updates());
        Ok(effects)
    }

    /// Checks that `agent_id` may act in `handoff_id` now, and builds the activity it sends:
    /// the conversation to append to, and the activity.
    pub fn agent_activity(
        &self,
        handoff_id: &str,
        agent_id: &str,
        sends: AgentSends<'_>,
    ) -> Result<(String, Activity)> {
        let agent = self.agent_ref(agent_id)?;
        let handoff = self.own_handoff(handoff_id, agent_id)?;
        if handoff.state != HandoffState::Engaged {
            return Err(HubError::Ended(handoff.state));
        }
        let activity = match sends {
            AgentSends::Message(text) => agent_message(&agent, text)?,
            AgentSends::Choices(text, choices) => {
                let fits = |c: &String| (1..=MAX_CHOICE_CHARS).contains(&c.trim().chars().count());
                if choices.is_empty() || choices.len() > MAX_CHOICES || !choices.iter().all(fits) {
                    return Err(HubError::BadChoices);
                }
                let mut message = agent_message(&agent, text)?;
                let actions = choices.iter().map(|c| im_back(c.trim())).collect();
                message.suggested_actions = Some(suggested_actions(&handoff.visitor_id, actions));
                message
            }
            AgentSends::Typing => agent_event("typing", &agent),
        };
        Ok((handoff.conversation_id.clone(), activity))
    }

    /// Records an agent message once the store appended it (`id` is its activity id).
    pub fn record_agent_message(&mut self, handoff_id: &str, id: String, activity: &Activity) {
        let choices = activity
            .suggested_actions
            .as_ref()
            .map_or_else(Vec::new, |s| {
                s["actions"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(|a| a["title"].as_str().map(str::to_owned))
                    .collect()
            });
        if let Some(handoff) = self.handoffs.get_mut(handoff_id) {
            handoff.messages.push(ChatMessage {
                id,
                from: Sender::Agent,
                text: activity.text.clone().unwrap_or_default(),
                timestamp: activity.timestamp.clone().unwrap_or_default(),
                posted_by: None,
                display_text: None,
                value: None,
                choices,
            });
        }
    }

    /// The agent ends the conversation: `handoff.status` completed.
    pub fn end_by_agent(&mut self, handoff_id: &str, agent_id: &str) -> Result<Vec<Effect>> {
        self.agent_ref(agent_id)?;
        let handoff = self.own_handoff(handoff_id, agent_id)?;
        if handoff.state != HandoffState::Engaged {
            return Err(HubError::Ended(handoff.state));
        }
        Ok(self.close(handoff_id, HandoffState::Completed))
    }

    pub(super) fn agent_ref(&self, agent_id: &str) -> Result<AgentRef> {
        self.agents
            .get(agent_id)
            .map(|a| AgentRef {
                id: agent_id.to_owned(),
                name: a.name.clone(),
            })
            .ok_or_else(|| HubError::UnknownAgent(agent_id.to_owned()))
    }

    /// The handoff, if `agent_id` is the one who accepted it.
    pub(super) fn own_handoff(&self, handoff_id: &str, agent_id: &str) -> Result<&Handoff> {
        let handoff = self.handoff(handoff_id)?;
        if handoff.agent.as_deref() == Some(agent_id) {
            Ok(handoff)
        } else {
            Err(HubError::NotYours)
        }
    }
}

/// An agent's plain-text message, `text` trimmed and checked.
fn agent_message(agent: &AgentRef, text: &str) -> Result<Activity> {
    let text = text.trim();
    if text.is_empty() {
        return Err(HubError::EmptyText);
    }
    if text.chars().count() > MAX_TEXT_CHARS {
        return Err(HubError::TextTooLong);
    }
    let mut message = agent_event("message", agent);
    message.text = Some(text.to_owned());
    message.text_format = Some("plain".into());
    Ok(message)
}
