//! A live agent driven through the dev server console's JSON API (docs/handoff.md), for
//! tests that need the agent side without the console page. Every call after sign-in
//! presents the agent's session secret in `X-Agent-Session`, as the console does.

use serde_json::{json, Value};

use crate::{wait_for, Harness};

/// A signed-in agent.
pub struct ApiAgent {
    pub id: String,
    /// The session secret sign-in answered.
    session: String,
}

impl ApiAgent {
    /// Signs in an agent with this display name.
    pub async fn sign_in(h: &Harness, name: &str) -> Self {
        let agent = h
            .api("POST", "/agent/api/agents", Some(json!({"name": name})))
            .await;
        ApiAgent {
            id: agent["agentId"].as_str().expect("agentId").to_owned(),
            session: agent["session"].as_str().expect("session").to_owned(),
        }
    }

    /// An agent API call with this agent's session.
    async fn api(&self, h: &Harness, method: &str, path: &str, body: Option<Value>) -> Value {
        let headers = json!({"X-Agent-Session": self.session});
        h.api_with(method, path, headers, body).await
    }

    /// Waits for the visitor with this first name in the queue and accepts them; returns
    /// the handoff id.
    pub async fn accept(&self, h: &Harness, first_name: &str) -> String {
        let id = wait_for(&format!("{first_name} in the queue"), || async {
            let queue = self.api(h, "GET", "/agent/api/queue", None).await;
            let waiting = queue["waiting"].as_array().cloned().unwrap_or_default();
            waiting
                .iter()
                .find(|v| v["visitor"]["firstName"] == first_name)
                .and_then(|v| v["handoffId"].as_str().map(str::to_owned))
        })
        .await;
        self.act(h, &id, "accept", json!({})).await;
        id
    }

    /// The handoff as the agent sees it (survey, context, transcript, messages, state).
    pub async fn detail(&self, h: &Harness, handoff: &str) -> Value {
        let path = format!("/agent/api/handoffs/{handoff}?agentId={}", self.id);
        self.api(h, "GET", &path, None).await
    }

    /// Sends a message to the visitor.
    pub async fn say(&self, h: &Harness, handoff: &str, text: &str) {
        self.act(h, handoff, "messages", json!({"text": text}))
            .await;
    }

    /// Ends the conversation.
    pub async fn end(&self, h: &Harness, handoff: &str) {
        self.act(h, handoff, "end", json!({})).await;
    }

    /// `POST /agent/api/handoffs/{handoff}/{action}` as this agent, with `body`'s fields.
    async fn act(&self, h: &Harness, handoff: &str, action: &str, mut body: Value) {
        body["agentId"] = json!(self.id);
        let path = format!("/agent/api/handoffs/{handoff}/{action}");
        self.api(h, "POST", &path, Some(body)).await;
    }

    /// Visitor messages the agent has received, in order.
    pub async fn visitor_messages(&self, h: &Harness, handoff: &str) -> Vec<String> {
        let detail = self.detail(h, handoff).await;
        detail["messages"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|m| m["from"] == "visitor")
            .filter_map(|m| m["text"].as_str().map(str::to_owned))
            .collect()
    }
}
