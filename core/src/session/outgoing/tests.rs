//! What the visitor sends: delivery states, order, retries, typing and context events.

use crate::session::tests::*;
use crate::session::*;
use crate::transcript::Author;
use serde_json::json;

#[test]
fn a_message_shows_as_sending_then_sent_once_echoed() {
    let mut s = chatting(HandoffMode::Relay);
    let effects = s.step(Event::MessageTyped("  opening hours? ".into()), NOW);
    let msg = posted(&effects[0]).1.clone();
    assert_eq!(msg.text.as_deref(), Some("opening hours?"));
    assert_eq!(s.transcript.entries()[0].delivery, Delivery::Sending);
    s.step(
        Event::Posted {
            channel: Channel::Bot,
            client_id: "hc1-2".into(),
        },
        NOW,
    );
    streamed(&mut s, Channel::Bot, vec![echo(&msg, "conv1|0000002")]);
    streamed(&mut s, Channel::Bot, vec![echo(&msg, "conv1|0000002")]);
    let entries = s.transcript.entries();
    assert_eq!(entries.len(), 1, "echo never duplicates: {entries:?}");
    assert_eq!(entries[0].delivery, Delivery::Sent);
    assert_eq!(entries[0].author, Author::Visitor);
}

#[test]
fn messages_typed_before_the_conversation_is_ready_are_queued_then_sent_in_order() {
    let mut s = session(HandoffMode::Relay);
    s.step(Event::SurveySubmitted(answers()), NOW);
    assert_eq!(s.step(Event::MessageTyped("first".into()), NOW), vec![]);
    assert_eq!(s.step(Event::MessageTyped("second".into()), NOW), vec![]);
    assert_eq!(s.transcript.entries()[0].delivery, Delivery::Queued);
    s.step(
        Event::TokenReceived {
            channel: Channel::Bot,
            token: token("tok"),
        },
        NOW,
    );
    let effects = s.step(
        Event::ConversationStarted {
            channel: Channel::Bot,
            conversation: conversation("conv1", true),
        },
        NOW,
    );
    assert_eq!(posts(&effects).len(), 1, "exactly one POST in flight");
    assert!(posted(&effects[1]).1.is_event("startConversation"));
    let next = s.step(
        Event::Posted {
            channel: Channel::Bot,
            client_id: "hc1-1".into(),
        },
        NOW,
    );
    assert!(posted(&next[0]).1.is_event("pvaSetContext"));
    let next = s.step(
        Event::Posted {
            channel: Channel::Bot,
            client_id: "hc1-2".into(),
        },
        NOW,
    );
    assert_eq!(posted(&next[0]).1.text.as_deref(), Some("first"));
    let next = s.step(
        Event::Posted {
            channel: Channel::Bot,
            client_id: "hc1-3".into(),
        },
        NOW,
    );
    assert_eq!(posted(&next[0]).1.text.as_deref(), Some("second"));
    assert_eq!(
        s.step(
            Event::Posted {
                channel: Channel::Bot,
                client_id: "hc1-4".into()
            },
            NOW
        ),
        vec![]
    );
    assert_eq!(s.pending(), 0);
}

#[test]
fn retryable_post_failures_back_off_with_jitter_then_mark_failed_and_retry_resends_with_the_same_id(
) {
    let mut s = chatting(HandoffMode::Relay);
    s.step(Event::MessageTyped("hello".into()), NOW);
    let error = ChatError::Http {
        status: 502,
        message: "bad gateway".into(),
    };
    let mut delays = vec![];
    loop {
        let failed = Event::PostFailed {
            channel: Channel::Bot,
            client_id: "hc1-3".into(),
            error: error.clone(),
        };
        match &s.step(failed, NOW)[..] {
            [Effect::PostActivity { after_ms, .. }] => delays.push(*after_ms),
            [] => break,
            other => panic!("{other:?}"),
        }
    }
    assert_eq!(delays.len() as u32, crate::link::MAX_POST_ATTEMPTS - 1);
    for (i, delay) in delays.iter().enumerate() {
        let nominal = (1000u64 << i).min(crate::link::MAX_BACKOFF_MS);
        assert!(
            (nominal / 2..nominal * 3 / 2).contains(delay),
            "retry {i}: {delay} ms vs {nominal}"
        );
    }
    assert_eq!(s.transcript.entries()[0].delivery, Delivery::Failed);

    let effects = s.step(Event::RetryMessage("hc1-3".into()), NOW);
    assert_eq!(
        posted(&effects[0]).1.client_activity_id(),
        Some("hc1-3"),
        "same id: no twin"
    );
    assert_eq!(s.transcript.entries()[0].delivery, Delivery::Sending);
}

#[test]
fn visitor_typing_is_sent_throttled_only_during_a_handoff() {
    let mut s = chatting(HandoffMode::Relay);
    assert_eq!(
        s.step(Event::VisitorTyping, NOW),
        vec![],
        "the bot does not need typing"
    );
    streamed(
        &mut s,
        Channel::Bot,
        vec![initiate("explicit"), accepted("conv1|acc")],
    );
    let effects = s.step(Event::VisitorTyping, NOW);
    assert!(
        matches!(&effects[..], [Effect::SendTyping { activity, .. }] if activity.kind == "typing")
    );
    assert_eq!(s.step(Event::VisitorTyping, NOW + 1000), vec![]);
    assert_eq!(
        s.step(Event::VisitorTyping, NOW + TYPING_THROTTLE_MS).len(),
        1
    );
}

#[test]
fn the_bot_gets_the_survey_and_page_context_as_start_and_pva_set_context_events() {
    let mut s = session(HandoffMode::Relay);
    let plan: Map<String, Value> = serde_json::from_value(json!({"plan": "gold"})).unwrap();
    assert_eq!(
        s.step(Event::ContextSet(plan), NOW),
        vec![],
        "before the chat: kept"
    );
    s.step(Event::SurveySubmitted(answers()), NOW);
    s.step(
        Event::TokenReceived {
            channel: Channel::Bot,
            token: token("tok"),
        },
        NOW,
    );
    let effects = s.step(
        Event::ConversationStarted {
            channel: Channel::Bot,
            conversation: conversation("conv1", true),
        },
        NOW,
    );
    let expected = json!({"firstName": "Ada", "lastName": "Lovelace", "email": "ada@example.com",
                          "caseNumber": "CAS-42", "plan": "gold"});
    let start = posts(&effects)[0].1.clone();
    assert!(start.is_event("startConversation"));
    assert_eq!(start.value.as_ref(), Some(&expected));
    let next = s.step(
        Event::Posted {
            channel: Channel::Bot,
            client_id: "hc1-1".into(),
        },
        NOW,
    );
    let context = posted(&next[0]).1;
    assert!(context.is_event("pvaSetContext"));
    assert_eq!(context.value.as_ref(), Some(&expected));
}

#[test]
fn context_set_during_the_chat_is_sent_at_once_and_overrides() {
    let mut s = chatting(HandoffMode::Relay);
    let update: Map<String, Value> =
        serde_json::from_value(json!({"plan": "platinum", "email": "ada@work.example"})).unwrap();
    let effects = s.step(Event::ContextSet(update), NOW);
    let sent = posted(&effects[0]).1;
    assert!(sent.is_event("pvaSetContext"));
    let value = sent.value.as_ref().unwrap();
    assert_eq!(
        (&value["plan"], &value["email"], &value["firstName"]),
        (
            &json!("platinum"),
            &json!("ada@work.example"),
            &json!("Ada")
        )
    );
}

#[test]
fn a_bot_activity_repeating_a_pending_client_activity_id_leaves_that_message_pending() {
    let mut s = chatting(HandoffMode::Relay);
    let effects = s.step(Event::MessageTyped("my order number is 42".into()), NOW);
    let (_, sent) = posted(&effects[0]);
    let client_id = sent.client_activity_id().unwrap().to_owned();
    let hostile = json!({"type": "message", "id": "conv1|9", "text": "swallowed?",
        "from": {"id": "demo-bot", "role": "bot"}, "channelData": {"clientActivityID": client_id}});
    streamed(&mut s, Channel::Bot, vec![hostile]);
    let mine = s
        .transcript
        .entries()
        .iter()
        .find(|e| e.key == client_id)
        .unwrap();
    assert_eq!(
        mine.delivery,
        Delivery::Sending,
        "not acknowledged by the bot"
    );
    assert_eq!(s.pending(), 1, "still to be delivered");
    assert_eq!(
        texts(&s).last().map(String::as_str),
        Some("swallowed?"),
        "its own bubble"
    );
}
