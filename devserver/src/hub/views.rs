//! What the agent console reads from the hub: the waiting queue, an agent's handoffs, and
//! everything about one handoff. Read-only projections of the [`Hub`]'s state; the console
//! API serialises them as they are (camelCase).

use handoff_core::survey::SurveyAnswers;
use handoff_core::time::Millis;
use serde::Serialize;
use serde_json::Value;

use handoff_core::handoff::HandoffMode;

use super::{AgentRef, ChatMessage, Handoff, HandoffState, Hub, Result};

/// A signed-in agent (`POST /agent/api/agents` answer).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AgentView {
    pub agent_id: String,
    pub name: String,
    /// The session secret, answered once: the console sends it as `X-Agent-Session`.
    pub session: String,
}

/// One waiting visitor (`GET /agent/api/queue`).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct QueueEntry {
    pub handoff_id: String,
    pub visitor: SurveyAnswers,
    pub last_topic: String,
    pub waiting_seconds: u64,
    pub mode: HandoffMode,
    /// 1-based, arrival order.
    pub position: usize,
}

/// One of an agent's handoffs (`GET /agent/api/agents/{id}/handoffs`).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Summary {
    pub handoff_id: String,
    pub state: HandoffState,
    pub mode: HandoffMode,
    pub visitor: SurveyAnswers,
    pub last_topic: String,
    pub visitor_typing: bool,
    /// Live-chat messages so far (both sides).
    pub message_count: usize,
}

/// Everything the console shows about one handoff.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Detail {
    pub handoff_id: String,
    pub state: HandoffState,
    pub mode: HandoffMode,
    pub visitor: SurveyAnswers,
    pub last_topic: String,
    /// The agent who accepted, once accepted.
    pub agent: Option<AgentRef>,
    /// The full `handoff.initiate` value.
    pub context: Value,
    /// The bot transcript (the `Transcript` attachment's activities).
    pub transcript: Vec<Value>,
    pub messages: Vec<ChatMessage>,
    pub visitor_typing: bool,
}

impl Hub {
    /// The waiting visitors, in queue order.
    pub fn queue(&self, now: Millis) -> Vec<QueueEntry> {
        self.queue
            .iter()
            .filter_map(|id| self.handoffs.get(id))
            .enumerate()
            .map(|(i, h)| QueueEntry {
                handoff_id: h.id.clone(),
                visitor: h.visitor.clone(),
                last_topic: h.last_topic.clone(),
                waiting_seconds: now.saturating_sub(h.enqueued_at) / 1000,
                mode: h.mode,
                position: i + 1,
            })
            .collect()
    }

    /// Every waiting handoff with the moment it was enqueued, in queue order (a restored
    /// hub's accept timers start again from these).
    pub fn waiting_since(&self) -> Vec<(String, Millis)> {
        self.queue
            .iter()
            .filter_map(|id| self.handoffs.get(id))
            .map(|h| (h.id.clone(), h.enqueued_at))
            .collect()
    }

    /// The handoffs `agent_id` accepted, oldest first.
    pub fn agent_handoffs(&self, agent_id: &str, now: Millis) -> Result<Vec<Summary>> {
        self.agent_ref(agent_id)?;
        let mut mine: Vec<&Handoff> = self
            .handoffs
            .values()
            .filter(|h| h.agent.as_deref() == Some(agent_id))
            .collect();
        mine.sort_by_key(|h| h.accepted_seq);
        Ok(mine
            .into_iter()
            .map(|h| Summary {
                handoff_id: h.id.clone(),
                state: h.state,
                mode: h.mode,
                visitor: h.visitor.clone(),
                last_topic: h.last_topic.clone(),
                visitor_typing: h.visitor_typing(now),
                message_count: h.messages.len(),
            })
            .collect())
    }

    /// One handoff as its agent sees it.
    pub fn detail(&self, handoff_id: &str, agent_id: &str, now: Millis) -> Result<Detail> {
        self.agent_ref(agent_id)?;
        let h = self.own_handoff(handoff_id, agent_id)?;
        Ok(Detail {
            handoff_id: h.id.clone(),
            state: h.state,
            mode: h.mode,
            visitor: h.visitor.clone(),
            last_topic: h.last_topic.clone(),
            agent: h.agent.as_deref().and_then(|a| self.agent_ref(a).ok()),
            context: h.context.clone(),
            transcript: h.transcript.clone(),
            messages: h.messages.clone(),
            visitor_typing: h.visitor_typing(now),
        })
    }
}
