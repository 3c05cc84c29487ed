//! Live-agent handoff in the tests: the agent console's requests (each with its agent's
//! session secret), visitors who reach the queue in relay and bridge mode, and the hub's and
//! bot's fixed texts.

use std::collections::BTreeMap;
use std::sync::{Mutex, PoisonError};

use axum::http::Method;
use serde_json::{json, Value};

use super::{event, event_values, message, survey, Reply, TestApp, Visitor};

/// `message` of the failed `handoff.status` when no agent accepted in time.
pub const NO_AGENT: &str = "No agent is available right now. Please try again later.";
/// The bot's answer to a completed handoff.
pub const WELCOME_BACK: &str = "Welcome back! Is there anything else I can help you with?";
/// The bot's answer to a failed handoff.
pub const SORRY: &str = "Sorry, no one could join this time. I'm still here: ask me about \
                         opening hours, order status or password reset.";

/// The header of the agent's session secret.
pub const SESSION: &str = "x-agent-session";

/// The session secret of every agent signed in by [`TestApp::agent`], by agent id. Ids are
/// random, so one map serves all the tests of a binary, and outlives a restart.
static SESSIONS: Mutex<BTreeMap<String, String>> = Mutex::new(BTreeMap::new());

/// The session secret of the agent `agent` signed in with (`None` for an id never signed in).
pub fn session_of(agent: &str) -> Option<String> {
    let sessions = SESSIONS.lock().unwrap_or_else(PoisonError::into_inner);
    sessions.get(agent).cloned()
}

impl TestApp {
    /// Signs an agent in; the agent id (its session is kept for the calls made as it).
    pub async fn agent(&self, name: &str) -> String {
        let body = json!({ "name": name });
        let json = self
            .call(Method::POST, "/agent/api/agents", None, Some(body))
            .await
            .ok();
        assert_eq!(json["name"], name);
        let id = json["agentId"].as_str().unwrap().to_owned();
        let session = json["session"].as_str().unwrap().to_owned();
        let mut sessions = SESSIONS.lock().unwrap_or_else(PoisonError::into_inner);
        sessions.insert(id.clone(), session);
        id
    }

    /// A console API call presenting `session` (none when `None`), as answered.
    pub async fn with_session(
        &self,
        method: Method,
        uri: &str,
        session: Option<&str>,
        body: Option<Value>,
    ) -> Reply {
        let headers: Vec<(&str, &str)> = session.map(|s| (SESSION, s)).into_iter().collect();
        self.call_with(method, uri, None, &headers, body).await
    }

    /// A console API call as `agent`, with its session (none for an agent never signed in).
    pub async fn as_agent(
        &self,
        method: Method,
        uri: &str,
        agent: &str,
        body: Option<Value>,
    ) -> Reply {
        let session = session_of(agent);
        self.with_session(method, uri, session.as_deref(), body)
            .await
    }

    /// The session of an agent signed in only to read the queue (visitors usually reach it
    /// before any agent of the test signs in).
    pub fn watcher(&self) -> &str {
        self.watcher.get_or_init(|| {
            let watcher = self.state.store.register_agent("Queue watcher").unwrap();
            watcher.session
        })
    }

    /// `GET /agent/api/queue`'s waiting list.
    pub async fn waiting(&self) -> Vec<Value> {
        let uri = "/agent/api/queue";
        let json = self
            .with_session(Method::GET, uri, Some(self.watcher()), None)
            .await
            .ok();
        json["waiting"].as_array().unwrap().clone()
    }

    /// The waiting handoff of the visitor named `first`.
    pub async fn handoff_of(&self, first: &str) -> String {
        let waiting = self.waiting().await;
        let entry = waiting
            .iter()
            .find(|w| w["visitor"]["firstName"] == first)
            .unwrap_or_else(|| panic!("{first} waits: {waiting:?}"));
        entry["handoffId"].as_str().unwrap().to_owned()
    }

    /// `GET /agent/api/agents/{agent}/handoffs`, as answered.
    pub async fn agent_handoffs(&self, agent: &str) -> Reply {
        let uri = format!("/agent/api/agents/{agent}/handoffs");
        self.as_agent(Method::GET, &uri, agent, None).await
    }

    /// `POST /agent/api/handoffs/{id}/{action}` with `{"agentId", ...extra}`.
    pub async fn agent_post(
        &self,
        handoff: &str,
        action: &str,
        agent: &str,
        extra: Value,
    ) -> Reply {
        let mut body = json!({ "agentId": agent });
        if let (Some(body), Value::Object(extra)) = (body.as_object_mut(), extra) {
            body.extend(extra);
        }
        let uri = format!("/agent/api/handoffs/{handoff}/{action}");
        self.as_agent(Method::POST, &uri, agent, Some(body)).await
    }

    /// The agent's message `text` in a handoff, as answered.
    pub async fn agent_says(&self, handoff: &str, agent: &str, text: &str) -> Reply {
        self.agent_post(handoff, "messages", agent, json!({ "text": text }))
            .await
    }

    /// `GET /agent/api/handoffs/{id}?agentId=`.
    pub async fn detail(&self, handoff: &str, agent: &str) -> Reply {
        let uri = format!("/agent/api/handoffs/{handoff}?agentId={agent}");
        self.as_agent(Method::GET, &uri, agent, None).await
    }

    /// An agent accepts a handoff; the detail it answers with.
    pub async fn accept(&self, handoff: &str, agent: &str) -> Value {
        self.agent_post(handoff, "accept", agent, json!({}))
            .await
            .ok()
    }

    /// A relay visitor who answered the survey and asked for a person; the handoff id.
    pub async fn relay_visitor(&self, first: &str, last: &str) -> (Visitor, String) {
        let visitor = self.visitor("/api/directline/token").await;
        self.post_as(&visitor, event("startConversation", survey(first, last)))
            .await;
        self.post_as(&visitor, message("talk to a person")).await;
        let handoff = self.handoff_of(first).await;
        (visitor, handoff)
    }

    /// A bridge visitor: a hub conversation into which the widget posts `handoff.initiate`.
    pub async fn bridge_visitor(&self, first: &str, last: &str) -> (Visitor, String) {
        let visitor = self.visitor("/hub/api/token").await;
        self.post_as(&visitor, bridge_initiate(first, last)).await;
        let handoff = self.handoff_of(first).await;
        (visitor, handoff)
    }
}

/// The `handoff.initiate` the widget forwards to the hub in bridge mode.
pub fn bridge_initiate(first: &str, last: &str) -> Value {
    json!({
        "type": "event",
        "name": "handoff.initiate",
        "value": {"va_LastTopic": "Order status", "reason": "explicit", "va_BotId": "demo-bot",
                  "survey": survey(first, last), "botConversationId": "bot-conv-1"},
        "attachments": [{"contentType": "application/json", "name": "Transcript",
                         "content": {"activities": [
                            {"type": "message", "text": "where is my order",
                             "from": {"id": "dl_v", "role": "user"}},
                            {"type": "message", "text": "You can follow your order...",
                             "from": {"id": "demo-bot", "name": "Demo Bot", "role": "bot"}}]}}]
    })
}

/// The `handoff.status` event the widget posts to tell the bot how a handoff ended.
pub fn outcome(value: Value) -> Value {
    event("handoff.status", value)
}

/// The values of the `handoff.queue` events in `history`.
pub fn queue_values(history: &[Value]) -> Vec<Value> {
    event_values(history, "handoff.queue")
}

/// The values of the `handoff.status` events in `history`.
pub fn statuses(history: &[Value]) -> Vec<Value> {
    event_values(history, "handoff.status")
}

/// `from` of the hub's own events.
pub fn hub_account() -> Value {
    json!({"id": "handoff-hub", "name": "Support", "role": "bot"})
}
