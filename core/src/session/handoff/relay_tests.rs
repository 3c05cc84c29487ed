//! The handoff in relay mode: the agent speaks in the bot's conversation.

use crate::session::tests::*;
use crate::session::*;
use crate::transcript::Author;
use serde_json::json;

#[test]
fn explicit_escalation_waits_then_the_agent_joins_and_chats_in_the_same_conversation() {
    let mut s = chatting(HandoffMode::Relay);
    let effects = streamed(&mut s, Channel::Bot, vec![initiate("explicit")]);
    assert_eq!(
        effects,
        vec![],
        "relay: nothing to open, the hub relays into this conversation"
    );
    assert_eq!(
        s.handoff,
        Handoff::Waiting {
            position: None,
            wait_secs: None
        }
    );
    assert_eq!(texts(&s), ["Connecting you to an agent…"]);

    streamed(
        &mut s,
        Channel::Bot,
        vec![hub_event(
            "conv1|q",
            "handoff.queue",
            json!({"position": 2, "estimatedWaitSeconds": 120}),
        )],
    );
    assert_eq!(
        waiting_text(&s.handoff, crate::i18n::Lang::En).unwrap(),
        "You're number 2 in line (about 2 min)."
    );

    streamed(&mut s, Channel::Bot, vec![accepted("conv1|acc")]);
    assert_eq!(
        s.handoff,
        Handoff::Engaged {
            agent: Agent {
                id: "a1".into(),
                name: "Alex".into()
            }
        }
    );
    assert_eq!(texts(&s).last().unwrap(), "Alex joined the chat");

    let effects = streamed(
        &mut s,
        Channel::Bot,
        vec![json!({"type": "typing", "id": "conv1|t",
        "from": {"id": "agent:a1"}, "channelData": {"handoff": {"agent": {"id": "a1", "name": "Alex"}}}})],
    );
    assert_eq!(
        effects,
        vec![Effect::ScheduleTick {
            after_ms: AGENT_TYPING_MS
        }]
    );
    assert_eq!(s.typing.as_ref().unwrap().0, "Alex is typing…");
    streamed(
        &mut s,
        Channel::Bot,
        vec![agent_message("conv1|m", "Hi Ada, I'm Alex.")],
    );
    assert_eq!(s.typing, None, "a message ends the typing indicator");
    let last = s.transcript.entries().last().unwrap().clone();
    assert_eq!(
        (last.author, last.sender.as_str(), last.text.as_str()),
        (Author::Agent, "Alex", "Hi Ada, I'm Alex.")
    );

    let effects = s.step(Event::MessageTyped("thanks".into()), NOW);
    assert_eq!(
        posted(&effects[0]).0,
        &Channel::Bot,
        "relay: visitor messages stay on the bot conversation"
    );
}

#[test]
fn implicit_escalation_is_handled_like_an_explicit_one() {
    let mut s = chatting(HandoffMode::Relay);
    streamed(&mut s, Channel::Bot, vec![initiate("fallback")]);
    assert!(s.handoff.is_active());
}

#[test]
fn agent_completes_and_the_bot_is_told_the_outcome() {
    let mut s = chatting(HandoffMode::Relay);
    streamed(
        &mut s,
        Channel::Bot,
        vec![initiate("explicit"), accepted("conv1|acc")],
    );
    let effects = streamed(
        &mut s,
        Channel::Bot,
        vec![hub_event(
            "conv1|done",
            "handoff.status",
            json!({"state": "completed", "agent": {"id": "a1", "name": "Alex"}}),
        )],
    );
    assert_eq!(s.handoff, Handoff::None);
    assert_eq!(texts(&s).last().unwrap(), "Alex left the chat");
    let (channel, status) = posted(&effects[0]);
    assert_eq!(*channel, Channel::Bot);
    assert!(status.is_event("handoff.status"));
    assert_eq!(status.value.as_ref().unwrap()["state"], "completed");
}

#[test]
fn end_of_conversation_from_the_agent_also_ends_the_handoff() {
    let mut s = chatting(HandoffMode::Relay);
    streamed(
        &mut s,
        Channel::Bot,
        vec![initiate("explicit"), accepted("conv1|acc")],
    );
    streamed(
        &mut s,
        Channel::Bot,
        vec![json!({"type": "endOfConversation", "id": "conv1|eoc",
        "from": {"id": "agent:a1"}, "channelData": {"handoff": {"agent": {"id": "a1", "name": "Alex"}}}})],
    );
    assert_eq!(s.handoff, Handoff::None);
    assert_eq!(texts(&s).last().unwrap(), "Alex left the chat");
}

#[test]
fn no_agent_in_time_shows_the_hub_message_and_returns_to_the_bot() {
    let mut s = chatting(HandoffMode::Relay);
    streamed(&mut s, Channel::Bot, vec![initiate("explicit")]);
    let effects = streamed(
        &mut s,
        Channel::Bot,
        vec![hub_event(
            "conv1|f",
            "handoff.status",
            json!({"state": "failed", "message": "No agent is available right now. Please try again later."}),
        )],
    );
    assert_eq!(s.handoff, Handoff::None);
    assert_eq!(
        texts(&s).last().unwrap(),
        "No agent is available right now. Please try again later."
    );
    let status = posted(&effects[0]).1;
    assert_eq!(status.value.as_ref().unwrap()["state"], "failed");
}

#[test]
fn typing_indicator_expires() {
    let mut s = chatting(HandoffMode::Relay);
    streamed(
        &mut s,
        Channel::Bot,
        vec![initiate("explicit"), accepted("conv1|acc")],
    );
    streamed(
        &mut s,
        Channel::Bot,
        vec![
            json!({"type": "typing", "id": "conv1|t", "from": {"id": "agent:a1"},
        "channelData": {"handoff": {"agent": {"id": "a1", "name": "Alex"}}}}),
        ],
    );
    s.step(Event::Tick, NOW + 1000);
    assert!(s.typing.is_some());
    s.step(Event::Tick, NOW + AGENT_TYPING_MS);
    assert_eq!(s.typing, None);
}

#[test]
fn hub_signals_before_a_handoff_or_from_the_visitor_are_ignored() {
    let mut s = chatting(HandoffMode::Relay);
    streamed(&mut s, Channel::Bot, vec![accepted("conv1|acc")]);
    assert_eq!(s.handoff, Handoff::None);
    let forwarded = json!({"type": "event", "id": "conv1|u", "name": "handoff.initiate", "from": {"id": "dl_visitor", "role": "user"}});
    streamed(&mut s, Channel::Bot, vec![forwarded]);
    assert_eq!(s.handoff, Handoff::None);
}

#[test]
fn a_replayed_initiate_does_not_start_a_second_handoff() {
    let mut s = chatting(HandoffMode::Relay);
    streamed(
        &mut s,
        Channel::Bot,
        vec![initiate("explicit"), accepted("conv1|acc")],
    );
    streamed(
        &mut s,
        Channel::Bot,
        vec![hub_event(
            "conv1|done",
            "handoff.status",
            json!({"state": "completed"}),
        )],
    );
    streamed(&mut s, Channel::Bot, vec![initiate("explicit")]);
    assert_eq!(s.handoff, Handoff::None, "same id: already handled");
}

#[test]
fn visitor_ends_the_chat_during_a_handoff() {
    let mut s = chatting(HandoffMode::Relay);
    streamed(
        &mut s,
        Channel::Bot,
        vec![initiate("explicit"), accepted("conv1|acc")],
    );
    let effects = s.step(Event::EndChat, NOW);
    let sent = posts(&effects);
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0].0, Channel::Bot);
    assert_eq!(sent[0].1.kind, "endOfConversation");
    assert_eq!(sent[0].1.code.as_deref(), Some("userCancelled"));
    assert!(effects.contains(&Effect::CloseStream {
        channel: Channel::Bot
    }));
    assert_eq!(s.phase, Phase::Ended);
    assert_eq!(texts(&s).last().unwrap(), "You ended the chat.");
    assert_eq!(
        s.step(Event::MessageTyped("late".into()), NOW),
        vec![],
        "nothing is sent after the end"
    );
}
