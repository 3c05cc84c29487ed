//! The session's test support (canned activities, a session at each stage, effect
//! readers), shared by the tests beside each part of the session, and the tests of the
//! step function as a whole: starting, failing to connect, stale events, restarting.

use super::*;
use serde_json::json;

pub(crate) const NOW: Millis = 1_700_000_000_000;

pub(crate) const HUB_FROM: &str = "handoff-hub";

pub(crate) fn answers() -> SurveyAnswers {
    SurveyAnswers {
        first_name: " Ada ".into(),
        last_name: "Lovelace".into(),
        email: "ada@example.com".into(),
        case_number: "CAS-42".into(),
    }
}

pub(crate) const BOT_URL: &str = "https://directline.test/v3/directline";

pub(crate) const HUB_URL: &str = "https://hub.test/v3/directline";

pub(crate) fn session(mode: HandoffMode) -> Session {
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

pub(crate) fn fetch_token(channel: Channel) -> Effect {
    let url = match channel {
        Channel::Bot => "https://site.test/token",
        Channel::Hub => "https://hub.test/token",
    };
    Effect::FetchToken {
        channel,
        source: TokenSource::Url(url.into()),
    }
}

pub(crate) fn start_conversation(channel: Channel, token: &str) -> Effect {
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

pub(crate) fn conversation(id: &str, stream: bool) -> Conversation {
    Conversation {
        conversation_id: id.into(),
        token: Some(format!("tok-{id}")),
        expires_in: Some(1800),
        stream_url: stream.then(|| format!("ws://127.0.0.1/{id}/stream")),
        reference_grammar_id: None,
    }
}

pub(crate) fn token(t: &str) -> TokenResponse {
    TokenResponse {
        token: t.into(),
        conversation_id: None,
        expires_in: None,
    }
}

/// Survey submitted, token received, conversation started: the effects of the start.
pub(crate) fn connected_with(mode: HandoffMode, stream: bool) -> (Session, Vec<Effect>) {
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
pub(crate) fn chatting(mode: HandoffMode) -> Session {
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

pub(crate) fn posted(effect: &Effect) -> (&Channel, &Activity) {
    match effect {
        Effect::PostActivity {
            channel, activity, ..
        } => (channel, activity),
        other => panic!("expected a post, got {other:?}"),
    }
}

pub(crate) fn posts(effects: &[Effect]) -> Vec<(Channel, Activity)> {
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

pub(crate) fn set(activities: Vec<Value>, watermark: &str) -> ActivitySet {
    ActivitySet {
        activities: activities
            .into_iter()
            .map(|v| serde_json::from_value(v).unwrap())
            .collect(),
        watermark: Some(watermark.into()),
    }
}

pub(crate) fn streamed(s: &mut Session, channel: Channel, activities: Vec<Value>) -> Vec<Effect> {
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

pub(crate) fn echo(activity: &Activity, id: &str) -> Value {
    let mut echoed = serde_json::to_value(activity).unwrap();
    echoed["id"] = json!(id);
    echoed
}

/// A canned activity from `fixtures/` (what a bot, hub or agent sends).
fn fixture(name: &str) -> Value {
    let text = match name {
        "handoff-initiate" => include_str!("fixtures/handoff-initiate.json"),
        "handoff-accepted" => include_str!("fixtures/handoff-accepted.json"),
        "agent-message" => include_str!("fixtures/agent-message.json"),
        other => panic!("no fixture {other}"),
    };
    serde_json::from_str(text).unwrap()
}

pub(crate) fn initiate(reason: &str) -> Value {
    let mut activity = fixture("handoff-initiate");
    activity["id"] = json!(format!("conv1|init-{reason}"));
    activity["value"]["reason"] = json!(reason);
    activity
}

pub(crate) fn hub_event(id: &str, name: &str, value: Value) -> Value {
    json!({"type": "event", "id": id, "name": name, "from": {"id": HUB_FROM, "role": "bot"}, "value": value})
}

pub(crate) fn accepted(id: &str) -> Value {
    let mut activity = fixture("handoff-accepted");
    activity["id"] = json!(id);
    activity
}

pub(crate) fn agent_message(id: &str, text: &str) -> Value {
    let mut activity = fixture("agent-message");
    activity["id"] = json!(id);
    activity["text"] = json!(text);
    activity
}

pub(crate) fn texts(s: &Session) -> Vec<String> {
    s.transcript
        .entries()
        .iter()
        .map(|e| e.text.clone())
        .collect()
}

pub(crate) fn reconnects(effects: &[Effect]) -> Vec<(Option<String>, Millis)> {
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

/// Bridge session with the handoff started and the hub conversation open.
pub(crate) fn bridged() -> (Session, Activity) {
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
