//! The hub on the wire: the accounts it and its agents speak from, the `handoff.queue` /
//! `handoff.status` events it sends, the agent activities, and what it reads from a
//! `handoff.initiate` (the visitor's survey answers, the transcript attachment). Pure
//! builders and readers of activities; no state.

use handoff_core::activity::{Activity, ChannelAccount};
use handoff_core::handoff::{
    from_visitor, is_transcript, BOT_ROLE, QUEUE_EVENT, STATUS_EVENT, USER_ROLE,
};
use handoff_core::survey::SurveyAnswers;
use serde_json::{json, Value};

use super::{AgentRef, HUB_ID, HUB_NAME, SECONDS_PER_POSITION};

/// The survey answers in a handoff context: `value.survey` (bridge: the widget adds the
/// survey) wins over the bot's top-level `firstName`... fields.
pub fn visitor_of(context: &Value) -> SurveyAnswers {
    let field = |key: &str| {
        let survey = string_at(context.get("survey").unwrap_or(&Value::Null), key);
        if survey.is_empty() {
            string_at(context, key)
        } else {
            survey
        }
    };
    SurveyAnswers {
        first_name: field("firstName"),
        last_name: field("lastName"),
        email: field("email"),
        case_number: field("caseNumber"),
    }
    .trimmed()
}

/// The activities of an initiate event's `Transcript` attachment (empty without one).
pub fn transcript_of(initiate: &Activity) -> Vec<Value> {
    initiate
        .attachments
        .iter()
        .filter(|a| is_transcript(a))
        .find_map(|a| a.content.as_ref()?.get("activities")?.as_array().cloned())
        .unwrap_or_default()
}

/// The visitor's account id as a `handoff.initiate` tells it: its sender when the visitor
/// posted it (bridge), else the last user in its transcript (relay: the bot posted it).
pub(super) fn visitor_id_of(initiate: &Activity) -> String {
    if from_visitor(initiate) {
        return initiate.from_id().to_owned();
    }
    transcript_of(initiate)
        .iter()
        .rev()
        .map(|a| &a["from"])
        .find(|from| from["role"] == USER_ROLE)
        .map(|from| string_at(from, "id"))
        .unwrap_or_default()
}

pub(super) fn string_at(value: &Value, key: &str) -> String {
    value
        .get(key)
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned()
}

/// `{"id": "handoff-hub", "name": "Support", "role": "bot"}`.
pub fn hub_account() -> ChannelAccount {
    ChannelAccount {
        id: HUB_ID.into(),
        name: Some(HUB_NAME.into()),
        role: Some(BOT_ROLE.into()),
    }
}

/// `{"id": "agent:<id>", "name": "<name>", "role": "bot"}`.
pub fn agent_account(agent: &AgentRef) -> ChannelAccount {
    ChannelAccount {
        id: format!("agent:{}", agent.id),
        name: Some(agent.name.clone()),
        role: Some(BOT_ROLE.into()),
    }
}

/// `handoff.queue` with the position and its estimate.
pub fn queue_event(position: usize) -> Activity {
    let mut event = hub_event(QUEUE_EVENT);
    event.value = Some(json!({
        "position": position,
        "estimatedWaitSeconds": position as u64 * SECONDS_PER_POSITION,
    }));
    event
}

pub(super) fn status_event(value: Value) -> Activity {
    let mut event = hub_event(STATUS_EVENT);
    event.value = Some(value);
    event
}

fn hub_event(name: &str) -> Activity {
    Activity {
        kind: "event".into(),
        name: Some(name.into()),
        from: Some(hub_account()),
        ..Activity::default()
    }
}

pub(super) fn agent_event(kind: &str, agent: &AgentRef) -> Activity {
    Activity {
        kind: kind.into(),
        from: Some(agent_account(agent)),
        channel_data: Some(json!({"handoff": {"agent": agent}})),
        ..Activity::default()
    }
}
