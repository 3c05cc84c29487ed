//! The handoff in bridge mode: the agent speaks in the hub's conversation.

use crate::session::tests::*;
use crate::session::*;
use serde_json::json;

#[test]
fn bridge_forwards_the_initiate_enriched_with_survey_and_transcript() {
    let (_, forwarded) = bridged();
    assert!(forwarded.is_event("handoff.initiate"));
    assert_eq!(
        forwarded.from.as_ref().unwrap().role.as_deref(),
        Some("user")
    );
    let value = forwarded.value.as_ref().unwrap();
    assert_eq!(value["survey"]["firstName"], "Ada");
    assert_eq!(value["survey"]["caseNumber"], "CAS-42");
    assert_eq!(value["botConversationId"], "conv1");
    assert_eq!(
        value["va_LastTopic"], "Escalate",
        "the bot's context is kept"
    );
    assert_eq!(forwarded.attachments[0].name.as_deref(), Some("Transcript"));
}

#[test]
fn bridge_builds_a_transcript_when_the_bot_sent_none() {
    let mut s = chatting(HandoffMode::Bridge);
    streamed(
        &mut s,
        Channel::Bot,
        vec![
            json!({"type": "message", "id": "conv1|2", "text": "Hello Ada",
        "from": {"id": "demo-bot", "name": "Demo Bot", "role": "bot"}}),
        ],
    );
    let mut bare = initiate("explicit");
    bare["attachments"] = json!([]);
    streamed(&mut s, Channel::Bot, vec![bare]);
    s.step(
        Event::TokenReceived {
            channel: Channel::Hub,
            token: token("h"),
        },
        NOW,
    );
    let effects = s.step(
        Event::ConversationStarted {
            channel: Channel::Hub,
            conversation: conversation("hub1", true),
        },
        NOW,
    );
    let forwarded = posted(&effects[1]).1;
    let activities = &forwarded.attachments[0].content.as_ref().unwrap()["activities"];
    assert_eq!(activities[0]["text"], "Hello Ada");
}

#[test]
fn bridge_messages_typed_while_waiting_reach_the_hub_after_the_initiate_in_order() {
    let mut s = chatting(HandoffMode::Bridge);
    streamed(&mut s, Channel::Bot, vec![initiate("explicit")]);
    assert_eq!(
        s.step(Event::MessageTyped("still there?".into()), NOW),
        vec![],
        "queued until the hub is open"
    );
    assert_eq!(
        s.transcript.entries().last().unwrap().delivery,
        Delivery::Queued
    );
    s.step(
        Event::TokenReceived {
            channel: Channel::Hub,
            token: token("h"),
        },
        NOW,
    );
    let effects = s.step(
        Event::ConversationStarted {
            channel: Channel::Hub,
            conversation: conversation("hub1", true),
        },
        NOW,
    );
    assert!(posted(&effects[1]).1.is_event("handoff.initiate"));
    let client_id = posted(&effects[1])
        .1
        .client_activity_id()
        .unwrap()
        .to_owned();
    let next = s.step(
        Event::Posted {
            channel: Channel::Hub,
            client_id,
        },
        NOW,
    );
    let (channel, message) = posted(&next[0]);
    assert_eq!(
        (*channel, message.text.as_deref()),
        (Channel::Hub, Some("still there?"))
    );
    assert_eq!(
        s.transcript.entries().last().unwrap().delivery,
        Delivery::Sending
    );
}

#[test]
fn bridge_agent_chat_runs_on_the_hub_and_completion_returns_to_the_bot() {
    let (mut s, forwarded) = bridged();
    s.step(
        Event::Posted {
            channel: Channel::Hub,
            client_id: forwarded.client_activity_id().unwrap().into(),
        },
        NOW,
    );
    streamed(
        &mut s,
        Channel::Hub,
        vec![accepted("hub1|1"), agent_message("hub1|2", "Hi, Alex here")],
    );
    assert_eq!(
        texts(&s)[texts(&s).len() - 2..],
        ["Alex joined the chat", "Hi, Alex here"]
    );
    let effects = s.step(Event::MessageTyped("my order is late".into()), NOW);
    assert_eq!(posted(&effects[0]).0, &Channel::Hub);
    s.step(
        Event::Posted {
            channel: Channel::Hub,
            client_id: posted(&effects[0]).1.client_activity_id().unwrap().into(),
        },
        NOW,
    );

    let effects = streamed(
        &mut s,
        Channel::Hub,
        vec![hub_event(
            "hub1|3",
            "handoff.status",
            json!({"state": "completed", "agent": {"id": "a1", "name": "Alex"}}),
        )],
    );
    assert!(effects.contains(&Effect::CloseStream {
        channel: Channel::Hub
    }));
    let status = posts(&effects);
    assert_eq!(status[0].0, Channel::Bot);
    assert_eq!(status[0].1.value.as_ref().unwrap()["state"], "completed");
    assert_eq!(s.hub.generation, 1, "late hub results are now stale");
    let effects = s.step(Event::MessageTyped("back to you, bot".into()), NOW);
    s.step(
        Event::Posted {
            channel: Channel::Bot,
            client_id: "x".into(),
        },
        NOW,
    );
    assert!(effects.is_empty() || posted(&effects[0]).0 == &Channel::Bot);
}

#[test]
fn bridge_signals_on_the_bot_conversation_are_not_the_agent() {
    let (mut s, _) = bridged();
    streamed(&mut s, Channel::Bot, vec![accepted("conv1|acc")]);
    assert!(
        matches!(s.handoff, Handoff::Waiting { .. }),
        "in bridge mode only the hub speaks for the agent"
    );
}

#[test]
fn bridge_hub_unreachable_returns_to_the_bot_without_losing_messages() {
    let mut s = chatting(HandoffMode::Bridge);
    streamed(&mut s, Channel::Bot, vec![initiate("explicit")]);
    s.step(Event::MessageTyped("hello?".into()), NOW);
    let effects = s.step(
        Event::ConnectFailed {
            channel: Channel::Hub,
            error: ChatError::Network("down".into()),
        },
        NOW,
    );
    assert_eq!(s.handoff, Handoff::None);
    assert!(texts(&s).contains(&"We couldn't reach an agent right now.".to_owned()));
    let (channel, first) = posts(&effects).into_iter().next().unwrap();
    assert_eq!(channel, Channel::Bot);
    assert_eq!(
        first.text.as_deref(),
        Some("hello?"),
        "the queued message goes to the bot instead"
    );
}

#[test]
fn bridge_visitor_end_tells_hub_and_bot() {
    let (mut s, forwarded) = bridged();
    s.step(
        Event::Posted {
            channel: Channel::Hub,
            client_id: forwarded.client_activity_id().unwrap().into(),
        },
        NOW,
    );
    let effects = s.step(Event::EndChat, NOW);
    let sent: Vec<_> = posts(&effects)
        .into_iter()
        .map(|(c, a)| (c, a.kind))
        .collect();
    assert_eq!(
        sent,
        vec![
            (Channel::Hub, "endOfConversation".to_owned()),
            (Channel::Bot, "endOfConversation".to_owned())
        ]
    );
}
