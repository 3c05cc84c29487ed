//! The hub's transitions and what they send, as [`Effect`]s, without a store.

use super::*;
use handoff_core::activity::Attachment;
use handoff_core::handoff::{INITIATE_EVENT, QUEUE_EVENT, STATUS_EVENT};

fn initiate(first: &str) -> Activity {
    Activity {
        kind: "event".into(),
        name: Some(INITIATE_EVENT.into()),
        value: Some(json!({"firstName": first, "lastName": "Lovelace",
                           "va_LastTopic": "Escalate"})),
        attachments: vec![Attachment {
            content_type: "application/json".into(),
            content_url: None,
            name: Some("Transcript".into()),
            content: Some(json!({"activities": [{"type": "message", "text": "hi"}]})),
        }],
        ..Activity::default()
    }
}

fn visitor(kind: &str, text: &str) -> Activity {
    Activity {
        kind: kind.into(),
        id: Some(format!("c|{text}")),
        text: Some(text.into()),
        ..Activity::default()
    }
}

/// (conversation, event name, value) of every `Send`.
fn sent(effects: &[Effect]) -> Vec<(String, String, Value)> {
    effects
        .iter()
        .filter_map(|e| match e {
            Effect::Send {
                conversation_id,
                activity,
            } => Some((
                conversation_id.clone(),
                activity
                    .name
                    .clone()
                    .unwrap_or_else(|| activity.kind.clone()),
                activity.value.clone().unwrap_or(Value::Null),
            )),
            _ => None,
        })
        .collect()
}

fn hub_with_agent() -> Hub {
    let mut hub = Hub::default();
    hub.register_agent("a1".into(), "s1".into(), " Alex ")
        .unwrap();
    hub
}

#[test]
fn an_agent_is_known_by_its_session_only() {
    let mut hub = hub_with_agent();
    hub.register_agent("a2".into(), "s2".into(), "Sam").unwrap();
    assert_eq!(hub.agent_of_session("s1"), Some("a1"));
    assert_eq!(hub.agent_of_session("s2"), Some("a2"));
    for stranger in ["a1", "s", "s1 ", ""] {
        assert_eq!(hub.agent_of_session(stranger), None, "{stranger}");
    }
}

#[test]
fn enqueue_announces_the_position_and_arms_the_timer() {
    let mut hub = hub_with_agent();
    let effects = hub.enqueue("h1".into(), "c1", HandoffMode::Relay, &initiate("Ada"), 0);
    assert_eq!(
        sent(&effects),
        [(
            "c1".into(),
            QUEUE_EVENT.into(),
            json!({"position": 1, "estimatedWaitSeconds": 60})
        )]
    );
    assert_eq!(
        effects.last(),
        Some(&Effect::ArmTimeout {
            handoff_id: "h1".into()
        })
    );
    let queue = hub.queue(42_500);
    assert_eq!(queue[0].visitor.first_name, "Ada");
    assert_eq!(queue[0].last_topic, "Escalate");
    assert_eq!(queue[0].waiting_seconds, 42);
    // A second initiate in the same conversation while waiting is ignored.
    assert!(hub
        .enqueue("h2".into(), "c1", HandoffMode::Relay, &initiate("Ada"), 0)
        .is_empty());
}

#[test]
fn accepting_the_first_moves_the_second_up() {
    let mut hub = hub_with_agent();
    hub.enqueue("h1".into(), "c1", HandoffMode::Relay, &initiate("Ada"), 0);
    let second = hub.enqueue("h2".into(), "c2", HandoffMode::Bridge, &initiate("Bob"), 0);
    assert_eq!(sent(&second)[0].2["position"], 2);
    let effects = hub.accept("h1", "a1").unwrap();
    assert_eq!(
        sent(&effects),
        [
            (
                "c1".into(),
                STATUS_EVENT.into(),
                json!({"state": "accepted", "agent": {"id": "a1", "name": "Alex"}})
            ),
            (
                "c2".into(),
                QUEUE_EVENT.into(),
                json!({"position": 1, "estimatedWaitSeconds": 60})
            ),
        ]
    );
    hub.register_agent("a2".into(), "s2".into(), "Sam").unwrap();
    assert_eq!(
        hub.accept("h1", "a2"),
        Err(HubError::AlreadyTaken { by: "Alex".into() })
    );
    assert_eq!(hub.detail("h1", "a2", 0), Err(HubError::NotYours));
}

#[test]
fn visitor_messages_are_recorded_once_and_end_closes_silently() {
    let mut hub = hub_with_agent();
    hub.enqueue("h1".into(), "c1", HandoffMode::Relay, &initiate("Ada"), 0);
    let mut first = visitor("message", "one");
    first.channel_data = Some(json!({"clientActivityID": "x1"}));
    hub.visitor_activity("c1", &first, 1);
    hub.visitor_activity("c1", &first, 2);
    hub.visitor_activity("c1", &visitor("typing", ""), 3);
    hub.accept("h1", "a1").unwrap();
    let detail = hub.detail("h1", "a1", 4).unwrap();
    assert_eq!(detail.messages.len(), 1);
    assert!(detail.visitor_typing);
    assert!(
        !hub.detail("h1", "a1", 3 + VISITOR_TYPING_MS)
            .unwrap()
            .visitor_typing
    );

    let effects = hub
        .visitor_activity("c1", &visitor("endOfConversation", ""), 5)
        .unwrap();
    assert!(sent(&effects).is_empty());
    assert_eq!(
        effects,
        [Effect::BotResumes {
            conversation_id: "c1".into()
        }]
    );
    assert_eq!(
        hub.agent_activity("h1", "a1", AgentSends::Message("hello")),
        Err(HubError::Ended(HandoffState::VisitorEnded))
    );
    assert!(hub.visitor_activity("c1", &first, 6).is_none());
}

#[test]
fn expiry_fails_only_a_waiting_handoff() {
    let mut hub = hub_with_agent();
    hub.enqueue("h1".into(), "c1", HandoffMode::Bridge, &initiate("Ada"), 0);
    let effects = hub.expire("h1");
    assert_eq!(
        sent(&effects),
        [(
            "c1".into(),
            STATUS_EVENT.into(),
            json!({"state": "failed", "message": NO_AGENT_TEXT})
        )]
    );
    assert!(hub.queue(0).is_empty());
    assert!(hub.expire("h1").is_empty());
    assert_eq!(
        hub.accept("h1", "a1"),
        Err(HubError::NotWaiting(HandoffState::Failed))
    );
}

#[test]
fn survey_answers_win_over_top_level_fields() {
    let context = json!({"firstName": "", "lastName": "L", "survey": {"firstName": "Ada"}});
    let visitor = visitor_of(&context);
    assert_eq!(visitor.first_name, "Ada");
    assert_eq!(visitor.last_name, "L");
    assert_eq!(transcript_of(&initiate("Ada")).len(), 1);
}
