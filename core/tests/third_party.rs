//! Direct Line-style servers that are not Microsoft's: the answers of the `offline-directline`
//! emulator (recorded in `fixtures/offline-directline/`) and other liberal shapes drive the
//! session from survey to handoff. Asserts what the visitor would see.
#![allow(clippy::unwrap_used, reason = "tests: a panic is the failure report")]

use handoff_core::activity::{parse_activity_set, parse_answer, Conversation, TokenResponse};
use handoff_core::error::ChatError;
use handoff_core::handoff::{Handoff, HandoffMode};
use handoff_core::session::{Channel, Effect, Event, Phase, Session};
use handoff_core::survey::SurveyAnswers;
use handoff_core::transcript::Author;

const NOW: u64 = 1_764_669_600_000;

fn fixture(name: &str) -> String {
    let path = format!(
        "{}/tests/fixtures/offline-directline/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn answers() -> SurveyAnswers {
    SurveyAnswers {
        first_name: "Ada".into(),
        last_name: "Lovelace".into(),
        email: "ada@example.com".into(),
        case_number: "CAS-42".into(),
    }
}

/// Survey → page token → `POST /conversations` answered as offline-directline does.
fn started() -> (Session, Vec<Effect>) {
    let mut s = Session::new(
        "dl_visitor".into(),
        "hc1".into(),
        "en-US".into(),
        HandoffMode::Relay,
    );
    s.step(Event::SurveySubmitted(answers()), NOW);
    let token: TokenResponse = parse_answer(r#"{"token": "page-token"}"#).unwrap();
    s.step(
        Event::TokenReceived {
            channel: Channel::Bot,
            token,
        },
        NOW,
    );
    let conversation: Conversation = parse_answer(&fixture("conversation.json")).unwrap();
    let effects = s.step(
        Event::ConversationStarted {
            channel: Channel::Bot,
            conversation,
        },
        NOW,
    );
    (s, effects)
}

fn polled(s: &mut Session, body: &str) -> Vec<Effect> {
    let (set, skipped) = parse_activity_set(body).unwrap();
    assert_eq!(skipped, 0, "every activity of {body} parses");
    s.step(
        Event::Polled {
            channel: Channel::Bot,
            generation: 0,
            set,
            once: false,
        },
        NOW + 1_000,
    )
}

fn visible(s: &Session) -> Vec<(Author, String)> {
    s.transcript
        .entries()
        .iter()
        .map(|e| (e.author, e.text.clone()))
        .collect()
}

#[test]
fn a_conversation_without_token_or_stream_keeps_the_page_token_and_polls() {
    let (s, effects) = started();
    assert_eq!(s.phase, Phase::Chatting);
    let token_of = |e: &Effect| match e {
        Effect::Poll { endpoint, .. } | Effect::PostActivity { endpoint, .. } => {
            Some(endpoint.token.clone())
        }
        Effect::RefreshToken {
            endpoint, after_ms, ..
        } => {
            assert_eq!(*after_ms, 900_000, "expiresIn (camelCase) halves to 15 min");
            Some(endpoint.token.clone())
        }
        _ => None,
    };
    let tokens: Vec<_> = effects.iter().filter_map(token_of).collect();
    assert_eq!(tokens.len(), 3, "poll, post and refresh: {effects:?}");
    assert!(tokens.iter().all(|t| t == "page-token"));
    assert!(!effects
        .iter()
        .any(|e| matches!(e, Effect::OpenStream { .. })));
}

#[test]
fn survey_greeting_echo_and_handoff_against_offline_directline() {
    let (mut s, _) = started();
    polled(&mut s, &fixture("activities-greeting.json"));
    assert_eq!(visible(&s), [(Author::Bot, "Hello Ada!".to_owned())]);
    assert_eq!(s.transcript.entries()[0].sender, "Bot", "from without role");

    s.step(Event::MessageTyped("my order is late".into()), NOW + 2_000);
    let body = fixture("activities-echo-handoff.json");
    polled(&mut s, &body);
    polled(&mut s, &body); // a server that ignores the watermark replays everything
    let texts: Vec<_> = visible(&s).into_iter().map(|(_, t)| t).collect();
    assert_eq!(
        texts[..3],
        ["Hello Ada!", "my order is late", "Echo: my order is late"]
    );
    assert_eq!(s.transcript.entries()[1].author, Author::Visitor);
    assert!(
        matches!(s.handoff, Handoff::Waiting { .. }),
        "handoff.initiate starts the handoff: {:?}",
        s.handoff
    );
    assert_eq!(texts.len(), 4, "typing, conversationUpdate, invoke and trace add nothing but the handoff notice: {texts:?}");
    assert_eq!(s.transcript.entries()[3].author, Author::System);
}

#[test]
fn numeric_watermarks_ids_and_timestamps_and_odd_shapes_are_read() {
    let (set, skipped) = parse_activity_set(
        r#"{"watermark": 7, "activities": [
            {"type": "message", "id": 42, "timestamp": 1764669600, "text": "numbers",
             "from": {"name": "Bot"}, "unknownField": {"deep": [1, 2]}},
            {"text": "no type"},
            {"type": "message", "text": "null fields", "id": null, "from": null, "timestamp": null}
        ]}"#,
    )
    .unwrap();
    assert_eq!(skipped, 0);
    assert_eq!(set.watermark.as_deref(), Some("7"));
    assert_eq!(set.activities[0].id.as_deref(), Some("42"));
    assert_eq!(set.activities[0].timestamp.as_deref(), Some("1764669600"));
    assert_eq!(set.activities[1].kind, "", "not a message: never shown");
    assert_eq!(set.activities[2].id, None);
    for empty in ["", "  ", "\n"] {
        assert!(parse_activity_set(empty).unwrap().0.activities.is_empty());
    }
    let conv: Conversation =
        parse_answer(r#"{"conversationId": "c", "expires_in": "1800", "streamUrl": null}"#)
            .unwrap();
    assert_eq!(conv.expires_in, Some(1800));
    assert_eq!(conv.stream_url, None);
    let token: TokenResponse = parse_answer("").unwrap();
    assert_eq!(token.token, "", "an empty refresh answer keeps the token");
}

#[test]
fn an_empty_conversation_answer_fails_clearly() {
    let mut s = Session::new("u".into(), "p".into(), "en".into(), HandoffMode::Relay);
    s.step(Event::SurveySubmitted(answers()), NOW);
    s.step(
        Event::ConversationStarted {
            channel: Channel::Bot,
            conversation: parse_answer("").unwrap(),
        },
        NOW,
    );
    assert!(matches!(s.phase, Phase::Failed(ChatError::BadResponse(_))));
}

#[test]
fn a_server_without_token_refresh_keeps_the_chat_until_it_refuses_the_token() {
    let (mut s, _) = started();
    let missing = |status| ChatError::Http {
        status,
        message: String::new(),
    };
    let refresh_failed = |s: &mut Session, status| {
        s.step(
            Event::RefreshFailed {
                channel: Channel::Bot,
                generation: 0,
                error: missing(status),
            },
            NOW,
        )
    };
    assert!(refresh_failed(&mut s, 404).is_empty());
    assert_eq!(
        s.phase,
        Phase::Chatting,
        "no refresh route: the chat goes on"
    );
    let effects = s.step(
        Event::PollFailed {
            channel: Channel::Bot,
            generation: 0,
            error: missing(403),
            once: false,
        },
        NOW,
    );
    assert!(effects
        .iter()
        .any(|e| matches!(e, Effect::RefreshToken { after_ms: 0, .. })));
    refresh_failed(&mut s, 404);
    assert!(
        matches!(s.phase, Phase::Failed(_)),
        "refused token and no way to renew it: the visitor is told and can retry"
    );
}
