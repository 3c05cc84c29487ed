//! Given/when/then tests of the session: each asserts the effects emitted and what the
//! visitor would see.

use super::recovery::{Connectivity, HEALTHY_MS, SLOW_MS, STREAM_RETRY_MS};
use super::*;
use crate::transcript::Author;
use serde_json::json;

pub(super) const NOW: Millis = 1_700_000_000_000;
const HUB_FROM: &str = "handoff-hub";

fn answers() -> SurveyAnswers {
    SurveyAnswers {
        first_name: " Ada ".into(),
        last_name: "Lovelace".into(),
        email: "ada@example.com".into(),
        case_number: "CAS-42".into(),
    }
}

const BOT_URL: &str = "https://directline.test/v3/directline";
const HUB_URL: &str = "https://hub.test/v3/directline";

fn session(mode: HandoffMode) -> Session {
    Session::new("dl_visitor".into(), "hc1".into(), "en-US".into(), mode).with_urls(Urls {
        directline: BOT_URL.into(),
        token: "https://site.test/token".into(),
        hub: Some(crate::config::HubConfig {
            url: HUB_URL.into(),
            token_url: "https://hub.test/token".into(),
        }),
        ..Urls::default()
    })
}

fn fetch_token(channel: Channel) -> Effect {
    let url = match channel {
        Channel::Bot => "https://site.test/token",
        Channel::Hub => "https://hub.test/token",
    };
    Effect::FetchToken {
        channel,
        source: TokenSource::Url(url.into()),
    }
}

fn start_conversation(channel: Channel, token: &str) -> Effect {
    let base = match channel {
        Channel::Bot => BOT_URL,
        Channel::Hub => HUB_URL,
    };
    Effect::StartConversation {
        channel,
        base: base.into(),
        token: token.into(),
    }
}

pub(super) fn conversation(id: &str, stream: bool) -> Conversation {
    Conversation {
        conversation_id: id.into(),
        token: Some(format!("tok-{id}")),
        expires_in: Some(1800),
        stream_url: stream.then(|| format!("ws://127.0.0.1/{id}/stream")),
        reference_grammar_id: None,
    }
}

pub(super) fn token(t: &str) -> TokenResponse {
    TokenResponse {
        token: t.into(),
        conversation_id: None,
        expires_in: None,
    }
}

/// Survey submitted, token received, conversation started: the effects of the start.
pub(super) fn connected_with(mode: HandoffMode, stream: bool) -> (Session, Vec<Effect>) {
    let mut s = session(mode);
    assert_eq!(
        s.step(Event::SurveySubmitted(answers()), NOW),
        vec![fetch_token(Channel::Bot)]
    );
    assert_eq!(
        s.step(
            Event::TokenReceived {
                channel: Channel::Bot,
                token: token("tok")
            },
            NOW
        ),
        vec![start_conversation(Channel::Bot, "tok")]
    );
    let effects = s.step(
        Event::ConversationStarted {
            channel: Channel::Bot,
            conversation: conversation("conv1", stream),
        },
        NOW,
    );
    (s, effects)
}

/// Connected with the start and context events already posted.
pub(super) fn chatting(mode: HandoffMode) -> Session {
    let (mut s, _) = connected_with(mode, true);
    for client_id in ["hc1-1", "hc1-2"] {
        s.step(
            Event::Posted {
                channel: Channel::Bot,
                client_id: client_id.into(),
            },
            NOW,
        );
    }
    s
}

fn posted(effect: &Effect) -> (&Channel, &Activity) {
    match effect {
        Effect::PostActivity {
            channel, activity, ..
        } => (channel, activity),
        other => panic!("expected a post, got {other:?}"),
    }
}

pub(super) fn posts(effects: &[Effect]) -> Vec<(Channel, Activity)> {
    effects
        .iter()
        .filter_map(|e| match e {
            Effect::PostActivity {
                channel, activity, ..
            } => Some((*channel, activity.clone())),
            _ => None,
        })
        .collect()
}

pub(super) fn set(activities: Vec<Value>, watermark: &str) -> ActivitySet {
    ActivitySet {
        activities: activities
            .into_iter()
            .map(|v| serde_json::from_value(v).unwrap())
            .collect(),
        watermark: Some(watermark.into()),
    }
}

fn streamed(s: &mut Session, channel: Channel, activities: Vec<Value>) -> Vec<Effect> {
    let generation = match channel {
        Channel::Bot => s.bot.generation,
        Channel::Hub => s.hub.generation,
    };
    let watermark = activities.len().to_string();
    s.step(
        Event::Streamed {
            channel,
            generation,
            set: set(activities, &watermark),
        },
        NOW,
    )
}

fn echo(activity: &Activity, id: &str) -> Value {
    let mut echoed = serde_json::to_value(activity).unwrap();
    echoed["id"] = json!(id);
    echoed
}

fn initiate(reason: &str) -> Value {
    json!({"type": "event", "id": format!("conv1|init-{reason}"), "name": "handoff.initiate",
           "from": {"id": "demo-bot", "name": "Demo Bot", "role": "bot"},
           "value": {"firstName": "Ada", "va_LastTopic": "Escalate", "reason": reason},
           "attachments": [{"contentType": "application/json", "name": "Transcript",
                            "content": {"activities": [{"type": "message", "text": "hi"}]}}]})
}

fn hub_event(id: &str, name: &str, value: Value) -> Value {
    json!({"type": "event", "id": id, "name": name, "from": {"id": HUB_FROM, "role": "bot"}, "value": value})
}

fn accepted(id: &str) -> Value {
    hub_event(
        id,
        "handoff.status",
        json!({"state": "accepted", "agent": {"id": "a1", "name": "Alex"}}),
    )
}

fn agent_message(id: &str, text: &str) -> Value {
    json!({"type": "message", "id": id, "text": text, "from": {"id": "agent:a1", "name": "Alex", "role": "bot"},
           "channelData": {"handoff": {"agent": {"id": "a1", "name": "Alex"}}}})
}

pub(super) fn texts(s: &Session) -> Vec<String> {
    s.transcript
        .entries()
        .iter()
        .map(|e| e.text.clone())
        .collect()
}

// ---- connecting and chatting with the bot ----

#[test]
fn start_opens_the_stream_and_sends_the_survey_as_start_event() {
    let (s, effects) = connected_with(HandoffMode::Relay, true);
    assert_eq!(s.phase, Phase::Chatting);
    assert_eq!(
        effects[0],
        Effect::OpenStream {
            channel: Channel::Bot,
            generation: 0,
            url: "ws://127.0.0.1/conv1/stream".into()
        }
    );
    let (channel, start) = posted(&effects[1]);
    assert_eq!(*channel, Channel::Bot);
    assert!(start.is_event("startConversation"));
    assert_eq!(start.locale.as_deref(), Some("en-US"));
    assert_eq!(
        start.value.as_ref().unwrap()["firstName"],
        "Ada",
        "answers are trimmed"
    );
    assert_eq!(start.value.as_ref().unwrap()["caseNumber"], "CAS-42");
    assert_eq!(start.from.as_ref().unwrap().id, "dl_visitor");
    assert_eq!(start.from.as_ref().unwrap().name.as_deref(), Some("Ada"));
    assert_eq!(start.client_activity_id(), Some("hc1-1"));
}

#[test]
fn without_stream_url_the_session_polls() {
    let (s, effects) = connected_with(HandoffMode::Relay, false);
    assert_eq!(s.bot.transport, Transport::Polling);
    assert!(matches!(
        effects[0],
        Effect::Poll {
            after_ms: 0,
            watermark: None,
            ..
        }
    ));
}

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
fn connect_failure_shows_an_error_and_retry_starts_over() {
    let mut s = session(HandoffMode::Relay);
    s.step(Event::SurveySubmitted(answers()), NOW);
    s.step(
        Event::ConnectFailed {
            channel: Channel::Bot,
            error: ChatError::Network("refused".into()),
        },
        NOW,
    );
    assert!(matches!(s.phase, Phase::Failed(ChatError::Network(_))));
    assert_eq!(
        s.step(Event::RetryConnect, NOW),
        vec![fetch_token(Channel::Bot)]
    );
    assert_eq!(s.phase, Phase::Connecting);
}

#[test]
fn stale_events_are_ignored() {
    let mut s = session(HandoffMode::Relay);
    assert_eq!(s.step(Event::RetryConnect, NOW), vec![]);
    let started = Event::ConversationStarted {
        channel: Channel::Bot,
        conversation: conversation("c", true),
    };
    assert_eq!(s.step(started, NOW), vec![]);
    assert_eq!(s.phase, Phase::Survey);
    let mut s = chatting(HandoffMode::Relay);
    assert_eq!(s.step(Event::SurveySubmitted(answers()), NOW), vec![]);
    assert_eq!(
        s.step(
            Event::Posted {
                channel: Channel::Bot,
                client_id: "other".into()
            },
            NOW
        ),
        vec![]
    );
    let old = Event::Streamed {
        channel: Channel::Bot,
        generation: 9,
        set: set(vec![agent_message("x|1", "hi")], "1"),
    };
    assert_eq!(s.step(old, NOW), vec![]);
    assert!(
        s.transcript.entries().is_empty(),
        "a stream of another generation is ignored"
    );
}

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
fn session_survives_a_storage_round_trip() {
    let (mut s, _) = connected_with(HandoffMode::Bridge, true);
    s.step(
        Event::MessageTyped("queued behind the start event".into()),
        NOW,
    );
    s.step(
        Event::ContextSet(json!({"plan": "gold"}).as_object().unwrap().clone()),
        NOW,
    );
    s.directline = Some("https://europe.directline.botframework.com/v3/directline".into());
    s.handoff = Handoff::Engaged {
        agent: Agent {
            id: "a1".into(),
            name: "Alex".into(),
        },
    };
    s.transcript
        .push_notice("n1".into(), "Alex joined the chat".into(), "t".into());
    let text = s.to_stored();
    let back = Session::from_stored(&text, "fr-FR".into(), HandoffMode::Bridge).unwrap();
    assert_eq!(back.phase, Phase::Chatting);
    assert_eq!(
        (
            &back.user_id,
            &back.answers,
            &back.transcript,
            &back.context
        ),
        (&s.user_id, &s.answers, &s.transcript, &s.context)
    );
    assert_eq!(
        (
            &back.directline,
            &back.handoff,
            back.next_seq,
            back.locale.as_str()
        ),
        (&s.directline, &s.handoff, s.next_seq, "fr-FR")
    );
    assert_eq!(back.bot.endpoint, s.bot.endpoint);
    assert_eq!(back.bot.watermark, s.bot.watermark);
    assert_eq!(
        back.pending(),
        4,
        "undelivered activities are kept: start, context, message, context update"
    );
    assert_eq!(
        back.bot.undelivered().collect::<Vec<_>>(),
        s.bot.undelivered().collect::<Vec<_>>()
    );
    for bad in [
        "",
        "{}",
        r#"{"v": 1}"#,
        &text.replace(r#""v":2"#, r#""v":3"#),
    ] {
        assert!(
            Session::from_stored(bad, "en".into(), HandoffMode::Relay).is_none(),
            "{bad}"
        );
    }
}

// ---- handoff, relay mode ----

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
    assert_eq!(s.agent_typing.as_ref().unwrap().0, "Alex");
    streamed(
        &mut s,
        Channel::Bot,
        vec![agent_message("conv1|m", "Hi Ada, I'm Alex.")],
    );
    assert_eq!(s.agent_typing, None, "a message ends the typing indicator");
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
fn agent_typing_indicator_expires() {
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
    assert!(s.agent_typing.is_some());
    s.step(Event::Tick, NOW + AGENT_TYPING_MS);
    assert_eq!(s.agent_typing, None);
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

// ---- handoff, bridge mode ----

/// Bridge session with the handoff started and the hub conversation open.
pub(super) fn bridged() -> (Session, Activity) {
    let mut s = chatting(HandoffMode::Bridge);
    let effects = streamed(&mut s, Channel::Bot, vec![initiate("explicit")]);
    assert_eq!(effects, vec![fetch_token(Channel::Hub)]);
    let effects = s.step(
        Event::TokenReceived {
            channel: Channel::Hub,
            token: token("hub-tok"),
        },
        NOW,
    );
    assert_eq!(effects, vec![start_conversation(Channel::Hub, "hub-tok")]);
    let effects = s.step(
        Event::ConversationStarted {
            channel: Channel::Hub,
            conversation: conversation("hub1", true),
        },
        NOW,
    );
    assert!(matches!(
        &effects[0],
        Effect::OpenStream {
            channel: Channel::Hub,
            generation: 0,
            ..
        }
    ));
    let (channel, forwarded) = posted(&effects[1]);
    assert_eq!(*channel, Channel::Hub);
    (s.clone(), forwarded.clone())
}

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

// ---- staying connected ----

pub(super) fn reconnects(effects: &[Effect]) -> Vec<(Option<String>, Millis)> {
    effects
        .iter()
        .filter_map(|e| match e {
            Effect::Reconnect {
                watermark,
                after_ms,
                ..
            } => Some((watermark.clone(), *after_ms)),
            _ => None,
        })
        .collect()
}

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
fn a_reloaded_session_reads_since_the_watermark_before_sending_so_nothing_is_sent_twice() {
    let mut s = chatting(HandoffMode::Relay);
    s.step(
        Event::Streamed {
            channel: Channel::Bot,
            generation: 0,
            set: set(vec![], "3"),
        },
        NOW,
    );
    let effects = s.step(
        Event::MessageTyped("sent just before the reload".into()),
        NOW,
    );
    let in_flight = posted(&effects[0]).1.clone();
    s.step(
        Event::MessageTyped("typed just before the reload".into()),
        NOW,
    );

    // The page reloads: the state comes back from storage.
    let mut s = Session::from_stored(&s.to_stored(), "en-US".into(), HandoffMode::Relay).unwrap();
    let effects = s.step(
        Event::Resume {
            client_prefix: "hc2".into(),
        },
        NOW,
    );
    assert!(
        matches!(&effects[0], Effect::Poll { watermark: Some(w), after_ms: 0, .. } if w == "3")
    );
    assert_eq!(reconnects(&effects).len(), 1, "the stream is reopened");
    assert!(
        posts(&effects).is_empty(),
        "nothing is posted before the read"
    );
    assert_eq!(texts(&s).len(), 2, "transcript restored");

    // The read shows the first message did reach the server before the reload.
    let read = set(vec![echo(&in_flight, "conv1|0000004")], "4");
    let effects = s.step(
        Event::Polled {
            channel: Channel::Bot,
            generation: 0,
            set: read,
            once: false,
        },
        NOW,
    );
    let sent = posts(&effects);
    assert_eq!(sent.len(), 1);
    assert_eq!(
        sent[0].1.text.as_deref(),
        Some("typed just before the reload"),
        "only the undelivered one"
    );
    assert_eq!(s.transcript.entries()[0].delivery, Delivery::Sent);
    s.step(Event::MessageTyped("after the reload".into()), NOW);
    assert_eq!(s.pending(), 2, "one in flight, one queued behind it");
    let typed = s.transcript.entries().last().unwrap();
    assert!(
        typed.key.starts_with("hc2-"),
        "new ids after a resume: {}",
        typed.key
    );
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
fn restart_after_an_ended_chat_starts_afresh_keeping_answers_context_and_endpoints() {
    let mut s = chatting(HandoffMode::Relay);
    let plan: Map<String, Value> = serde_json::from_value(json!({"plan": "gold"})).unwrap();
    s.step(Event::ContextSet(plan.clone()), NOW);
    let restart = || Event::Restart {
        user_id: "dl_new".into(),
        client_prefix: "hc9".into(),
    };
    let before = s.clone();
    assert!(s.step(restart(), NOW).is_empty());
    assert_eq!(s, before, "a live chat is not restarted");
    s.step(Event::EndChat, NOW);
    assert!(s.step(restart(), NOW).is_empty());
    assert_eq!(s.phase, Phase::Survey);
    assert_eq!(s.user_id, "dl_new");
    assert!(s.transcript.entries().is_empty());
    assert_eq!(s.answers, Some(answers().trimmed()), "prefills the survey");
    assert_eq!(s.context, plan);
    assert_eq!(
        s.step(Event::SurveySubmitted(answers()), NOW),
        vec![fetch_token(Channel::Bot)],
        "the page's endpoints stay"
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
