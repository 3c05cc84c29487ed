//! Staying connected: reconnects, polling fallback, token refresh, gone conversations.

use crate::session::recovery::{Connectivity, HEALTHY_MS, SLOW_MS, STREAM_RETRY_MS};
use crate::session::tests::*;
use crate::session::*;

fn stream_failed(s: &mut Session, now: Millis) -> Vec<Effect> {
    s.step(
        Event::StreamFailed {
            channel: Channel::Bot,
            generation: 0,
        },
        now,
    )
}

#[test]
fn a_dropped_stream_reconnects_from_the_watermark_with_backoff_then_polls_and_retries_later() {
    let mut s = chatting(HandoffMode::Relay);
    s.step(
        Event::StreamOpened {
            channel: Channel::Bot,
            generation: 0,
        },
        NOW,
    );
    s.step(
        Event::Streamed {
            channel: Channel::Bot,
            generation: 0,
            set: set(vec![], "7"),
        },
        NOW,
    );
    let mut delays = vec![];
    for attempt in 1..=3u64 {
        let effects = stream_failed(&mut s, NOW + attempt);
        let found = reconnects(&effects);
        assert_eq!(found.len(), 1, "{effects:?}");
        assert_eq!(
            found[0].0.as_deref(),
            Some("7"),
            "resume after the watermark"
        );
        delays.push(found[0].1);
        assert_eq!(s.connectivity(NOW + attempt), Connectivity::Reconnecting);
    }
    assert!(delays[0] < delays[2], "backoff grows: {delays:?}");
    let effects = stream_failed(&mut s, NOW + 4);
    assert!(
        effects
            .iter()
            .any(|e| matches!(e, Effect::Poll { after_ms: 0, .. })),
        "falls back to polling"
    );
    assert_eq!(
        reconnects(&effects)[0].1,
        STREAM_RETRY_MS,
        "and tries the socket again later"
    );
    assert_eq!(s.connectivity(NOW + 1 + SLOW_MS), Connectivity::Slow);

    let fresh = Conversation {
        stream_url: Some("ws://127.0.0.1/new".into()),
        ..conversation("conv1", true)
    };
    let effects = s.step(
        Event::Reconnected {
            channel: Channel::Bot,
            generation: 0,
            conversation: fresh,
        },
        NOW + 5,
    );
    assert!(
        matches!(&effects[..], [Effect::OpenStream { url, .. }] if url == "ws://127.0.0.1/new")
    );
    s.step(
        Event::StreamOpened {
            channel: Channel::Bot,
            generation: 0,
        },
        NOW + 6,
    );
    assert_eq!(s.connectivity(NOW + 6), Connectivity::Online);
}

#[test]
fn a_socket_that_never_opens_falls_back_to_polling_at_once() {
    let mut s = chatting(HandoffMode::Relay);
    let effects = stream_failed(&mut s, NOW);
    assert!(
        effects
            .iter()
            .any(|e| matches!(e, Effect::Poll { after_ms: 0, .. })),
        "{effects:?}"
    );
    assert_eq!(reconnects(&effects)[0].1, STREAM_RETRY_MS);
}

#[test]
fn a_stream_healthy_for_a_minute_starts_counting_failures_afresh() {
    let mut s = chatting(HandoffMode::Relay);
    s.step(
        Event::StreamOpened {
            channel: Channel::Bot,
            generation: 0,
        },
        NOW,
    );
    for _ in 0..3 {
        stream_failed(&mut s, NOW);
    }
    s.step(
        Event::StreamOpened {
            channel: Channel::Bot,
            generation: 0,
        },
        NOW,
    );
    let effects = stream_failed(&mut s, NOW + HEALTHY_MS);
    let found = reconnects(&effects);
    assert!(found[0].1 < 1_500, "first-retry backoff again: {found:?}");
}

#[test]
fn polling_failures_back_off_honour_retry_after_and_end_as_lost_with_a_retry() {
    let (mut s, _) = connected_with(HandoffMode::Relay, false);
    let throttled = ChatError::Throttled {
        retry_after_ms: Some(9_000),
    };
    let effects = s.step(
        Event::PollFailed {
            channel: Channel::Bot,
            generation: 0,
            error: throttled,
            once: false,
        },
        NOW,
    );
    assert!(matches!(
        &effects[..],
        [Effect::Poll {
            after_ms: 9_000,
            ..
        }]
    ));
    for _ in 0..2 {
        let error = ChatError::Network("offline".into());
        s.step(
            Event::PollFailed {
                channel: Channel::Bot,
                generation: 0,
                error,
                once: false,
            },
            NOW,
        );
    }
    assert_eq!(s.connectivity(NOW), Connectivity::Lost);
    let effects = s.step(Event::RetryConnection, NOW);
    assert_eq!(reconnects(&effects).len(), 1);
    assert_eq!(s.connectivity(NOW), Connectivity::Reconnecting);
    s.step(
        Event::Polled {
            channel: Channel::Bot,
            generation: 0,
            set: set(vec![], "1"),
            once: false,
        },
        NOW,
    );
}

#[test]
fn the_token_is_refreshed_at_half_its_lifetime() {
    let (mut s, effects) = connected_with(HandoffMode::Relay, true);
    let refresh = effects
        .iter()
        .find(|e| matches!(e, Effect::RefreshToken { .. }))
        .expect("refresh scheduled");
    assert!(
        matches!(
            refresh,
            Effect::RefreshToken {
                after_ms: 900_000,
                ..
            }
        ),
        "1800 s token: after 900 s"
    );
    let token = TokenResponse {
        token: "tok2".into(),
        conversation_id: None,
        expires_in: Some(600),
    };
    let effects = s.step(
        Event::TokenRefreshed {
            channel: Channel::Bot,
            generation: 0,
            token,
        },
        NOW,
    );
    assert!(effects.iter().any(|e| matches!(
        e,
        Effect::RefreshToken {
            after_ms: 300_000,
            ..
        }
    )));
    for client_id in ["hc1-1", "hc1-2"] {
        s.step(
            Event::Posted {
                channel: Channel::Bot,
                client_id: client_id.into(),
            },
            NOW,
        );
    }
    let effects = s.step(Event::MessageTyped("hi".into()), NOW);
    assert!(
        matches!(&effects[0], Effect::PostActivity { endpoint, .. } if endpoint.token == "tok2")
    );
}

#[test]
fn an_absurd_token_lifetime_schedules_the_refresh_without_overflowing() {
    let (mut s, _) = connected_with(HandoffMode::Relay, true);
    let effects = s.step(
        Event::TokenRefreshed {
            channel: Channel::Bot,
            generation: 0,
            token: TokenResponse {
                expires_in: Some(u64::MAX),
                ..token("tok2")
            },
        },
        NOW,
    );
    assert!(effects.iter().any(|e| matches!(
        e,
        Effect::RefreshToken { after_ms, .. } if *after_ms == u64::MAX / 2
    )));
}

#[test]
fn an_expired_token_on_post_is_refreshed_and_the_message_sent_once_after() {
    let mut s = chatting(HandoffMode::Relay);
    s.step(Event::MessageTyped("hello".into()), NOW);
    let expired = ChatError::Http {
        status: 403,
        message: "TokenExpired".into(),
    };
    let effects = s.step(
        Event::PostFailed {
            channel: Channel::Bot,
            client_id: "hc1-3".into(),
            error: expired,
        },
        NOW,
    );
    assert!(
        matches!(&effects[..], [Effect::RefreshToken { after_ms: 0, .. }]),
        "{effects:?}"
    );
    assert_eq!(
        s.transcript.entries()[0].delivery,
        Delivery::Sending,
        "still pending, not failed"
    );
    let token = TokenResponse {
        token: "fresh".into(),
        conversation_id: None,
        expires_in: None,
    };
    let effects = s.step(
        Event::TokenRefreshed {
            channel: Channel::Bot,
            generation: 0,
            token,
        },
        NOW,
    );
    let sent = posts(&effects);
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0].1.client_activity_id(), Some("hc1-3"));
}

#[test]
fn a_conversation_gone_on_reconnect_fails_and_keeps_unsent_messages_for_the_next_one() {
    let mut s = chatting(HandoffMode::Relay);
    stream_failed(&mut s, NOW);
    s.step(Event::MessageTyped("are you there?".into()), NOW);
    let gone = ChatError::Http {
        status: 404,
        message: "NotFound".into(),
    };
    let effects = s.step(
        Event::ReconnectFailed {
            channel: Channel::Bot,
            generation: 0,
            error: gone,
        },
        NOW,
    );
    assert!(effects.contains(&Effect::CloseStream {
        channel: Channel::Bot
    }));
    assert!(matches!(s.phase, Phase::Failed(_)));
    assert_eq!(
        s.step(Event::RetryConnect, NOW),
        vec![fetch_token(Channel::Bot)]
    );
    s.step(
        Event::TokenReceived {
            channel: Channel::Bot,
            token: token("t2"),
        },
        NOW,
    );
    let effects = s.step(
        Event::ConversationStarted {
            channel: Channel::Bot,
            conversation: conversation("conv2", true),
        },
        NOW,
    );
    let sent = posts(&effects);
    assert!(
        sent[0].1.is_event("startConversation"),
        "the new conversation gets the survey answers"
    );
    assert_eq!(sent[0].1.value.as_ref().unwrap()["firstName"], "Ada");
    let next = s.step(
        Event::Posted {
            channel: Channel::Bot,
            client_id: sent[0].1.client_activity_id().unwrap().into(),
        },
        NOW,
    );
    assert_eq!(
        posted(&next[0]).1.text.as_deref(),
        Some("are you there?"),
        "then the unsent message"
    );
}

#[test]
fn a_stream_url_that_is_not_wss_is_never_opened_and_the_conversation_is_polled() {
    for bad in [
        "ws://evil.test/stream",
        "//evil.test/stream",
        "/stream",
        "https://directline.test/stream",
        "wss://directline.test@evil.test/stream",
    ] {
        let bad_stream = |id: &str| Conversation {
            stream_url: Some(bad.into()),
            ..conversation(id, true)
        };
        let mut s = session(HandoffMode::Relay);
        s.step(Event::SurveySubmitted(answers()), NOW);
        let bot = Channel::Bot;
        s.step(
            Event::TokenReceived {
                channel: bot,
                token: token("tok"),
            },
            NOW,
        );
        let effects = s.step(
            Event::ConversationStarted {
                channel: bot,
                conversation: bad_stream("conv1"),
            },
            NOW,
        );
        let opened = |effects: &[Effect]| {
            effects
                .iter()
                .any(|e| matches!(e, Effect::OpenStream { .. }))
        };
        assert!(!opened(&effects), "{bad}: {effects:?}");
        assert!(
            effects
                .iter()
                .any(|e| matches!(e, Effect::Poll { after_ms: 0, .. })),
            "{bad}: polled at once"
        );
        assert_eq!(s.phase, Phase::Chatting);
        assert_eq!(
            reconnects(&effects)[0].1,
            STREAM_RETRY_MS,
            "{bad}: the stream is asked for again later"
        );
        let effects = s.step(
            Event::Reconnected {
                channel: bot,
                generation: 0,
                conversation: bad_stream("conv1"),
            },
            NOW + STREAM_RETRY_MS,
        );
        assert!(!opened(&effects), "{bad}: nor on reconnect: {effects:?}");
    }
}
