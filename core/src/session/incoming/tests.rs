//! What arrives: bot replies shown, signals hidden, one-off reads after a send.

use crate::session::tests::*;
use crate::session::*;
use serde_json::json;

#[test]
fn bot_replies_are_shown_and_events_typing_and_replays_hidden() {
    let mut s = chatting(HandoffMode::Relay);
    let reply = json!({"type": "message", "id": "conv1|0000002", "text": "Hello Ada, how can I help?",
                       "from": {"id": "demo-bot", "name": "Demo Bot", "role": "bot"}});
    streamed(
        &mut s,
        Channel::Bot,
        vec![
            json!({"type": "typing", "id": "conv1|0000001", "from": {"id": "demo-bot"}}),
            reply.clone(),
            json!({"type": "event", "id": "conv1|0000003", "name": "other.event", "from": {"id": "demo-bot"}}),
        ],
    );
    streamed(&mut s, Channel::Bot, vec![reply]);
    assert_eq!(texts(&s), ["Hello Ada, how can I help?"]);
    assert_eq!(s.transcript.entries()[0].sender, "Demo Bot");
}

#[test]
fn when_polling_a_send_is_followed_by_one_early_read() {
    let (mut s, _) = connected_with(HandoffMode::Relay, false);
    let effects = s.step(
        Event::Posted {
            channel: Channel::Bot,
            client_id: "hc1-1".into(),
        },
        NOW,
    );
    assert!(
        matches!(
            &effects[..],
            [
                Effect::Poll {
                    once: true,
                    after_ms: POLL_AFTER_SEND_MS,
                    ..
                },
                Effect::PostActivity { .. }
            ]
        ),
        "{effects:?}"
    );
    let (mut s, _) = connected_with(HandoffMode::Relay, true);
    let effects = s.step(
        Event::Posted {
            channel: Channel::Bot,
            client_id: "hc1-1".into(),
        },
        NOW,
    );
    assert!(
        matches!(&effects[..], [Effect::PostActivity { .. }]),
        "with a stream, no extra read: {effects:?}"
    );
}

#[test]
fn a_one_off_read_shows_what_it_read_and_its_failure_changes_nothing() {
    let (mut s, _) = connected_with(HandoffMode::Relay, false);
    let read = |once| Event::Polled {
        channel: Channel::Bot,
        generation: 0,
        set: set(
            vec![json!({"type": "message", "id": "conv1|1", "text": "hi",
                            "from": {"id": "bot", "role": "bot"}})],
            "1",
        ),
        once,
    };
    let effects = s.step(read(true), NOW);
    assert!(
        !effects.iter().any(|e| matches!(e, Effect::Poll { .. })),
        "no new rhythm from a one-off read: {effects:?}"
    );
    assert_eq!(texts(&s), vec!["hi"]);
    let failed = Event::PollFailed {
        channel: Channel::Bot,
        generation: 0,
        error: ChatError::Network("offline".into()),
        once: true,
    };
    let before = s.clone();
    assert!(s.step(failed, NOW).is_empty());
    assert_eq!(s, before);
}
