//! Property tests: whatever the network, the page or the visitor sends, parsing an activity
//! set and the state machine never panic. Inputs are built from the words the code looks
//! for (activity fields, handoff events, stream entities, the session's own client ids) and
//! every field may take any JSON type instead, so cases get past the first type check.

use proptest::collection::vec;
use proptest::prelude::*;
use proptest::sample::select;
use proptest::strategy::Union;
use serde_json::{json, Map, Value};

use super::tests::{bridged, chatting, connected_with, session, NOW};
use super::*;
use crate::activity::parse_activity_set;

/// Keys and values the code branches on.
const WORDS: &[&str] = &[
    "type",
    "id",
    "from",
    "role",
    "name",
    "value",
    "text",
    "textFormat",
    "channelData",
    "attachments",
    "contentType",
    "content",
    "entities",
    "streamType",
    "streamId",
    "streamSequence",
    "informative",
    "final",
    "streaminfo",
    "suggestedActions",
    "actions",
    "display",
    "replyToId",
    "clientActivityID",
    "state",
    "agent",
    "position",
    "message",
    "event",
    "typing",
    "endOfConversation",
    "handoff.initiate",
    "handoff.queue",
    "handoff.status",
    "accepted",
    "completed",
    "failed",
    "Transcript",
    "user",
    "bot",
    "handoff-hub",
    "dl_visitor",
    "hc1-1",
    "hc1-3",
    "conv1|0000001",
    "markdown",
    "plain",
];

fn config(cases: u32) -> ProptestConfig {
    ProptestConfig {
        cases,
        // No regression files written into the source tree.
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        2 => select(WORDS).prop_map(str::to_owned),
        1 => "[a-z0-9 *_#>|`~!:.\\[\\]()<-]{0,12}",
        1 => any::<String>(),
    ]
}

fn key() -> impl Strategy<Value = String> {
    prop_oneof![3 => select(WORDS).prop_map(str::to_owned), 1 => "[a-zA-Z@]{0,6}"]
}

/// Any JSON, a few levels deep.
fn json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        any::<f64>().prop_map(Value::from),
        text().prop_map(Value::from),
    ];
    leaf.prop_recursive(4, 48, 6, |inner| {
        prop_oneof![
            vec(inner.clone(), 0..6).prop_map(Value::Array),
            vec((key(), inner), 0..6).prop_map(|kv| Value::Object(kv.into_iter().collect())),
        ]
    })
}

/// A well-typed value from `plausible`, or any JSON in its place.
fn or_any(plausible: impl Strategy<Value = Value>) -> impl Strategy<Value = Value> {
    prop_oneof![3 => plausible, 1 => json()]
}

fn word() -> impl Strategy<Value = Value> {
    select(WORDS).prop_map(Value::from)
}

/// An activity: the fields the session reads, each plausible or of any type, among others.
fn activity() -> impl Strategy<Value = Value> {
    let from = or_any((word(), word()).prop_map(|(id, role)| json!({"id": id, "role": role})));
    let value = or_any(
        (word(), word(), any::<u32>())
            .prop_map(|(state, name, n)| json!({"state": state, "agent": {"id": name, "name": name}, "position": n})),
    );
    let entities = or_any(
        (word(), word(), any::<u8>()).prop_map(|(kind, id, seq)| {
            json!([{"type": "streaminfo", "streamType": kind, "streamId": id, "streamSequence": seq}])
        }),
    );
    let attachments = or_any(vec((word(), json()), 0..3).prop_map(|list| {
        list.into_iter()
            .map(|(kind, content)| json!({"contentType": kind, "content": content}))
            .collect()
    }));
    let channel_data = or_any(word().prop_map(|id| json!({ "clientActivityID": id })));
    let fields = (
        or_any(word()),
        or_any(word()),
        from,
        or_any(word()),
        value,
        or_any(text().prop_map(Value::from)),
        entities,
        attachments,
        channel_data,
    );
    let names = [
        "type",
        "id",
        "from",
        "name",
        "value",
        "text",
        "entities",
        "attachments",
        "channelData",
    ];
    (
        prop::option::weighted(0.9, fields),
        vec((key(), json()), 0..4),
        vec(any::<bool>(), 9),
    )
        .prop_map(move |(fields, rest, present)| {
            let mut map: Map<String, Value> = rest.into_iter().collect();
            if let Some((a, b, c, d, e, f, g, h, i)) = fields {
                for ((name, value), keep) in
                    names.iter().zip([a, b, c, d, e, f, g, h, i]).zip(present)
                {
                    if keep {
                        map.insert((*name).to_owned(), value);
                    }
                }
            }
            Value::Object(map)
        })
}

/// The body of an activity set: `activities` (activities or any JSON), a watermark of any
/// type, maybe other keys.
fn set_body() -> impl Strategy<Value = (Value, usize)> {
    let activities = vec(prop_oneof![3 => activity(), 1 => json()], 0..6);
    (activities, json(), vec((key(), json()), 0..3)).prop_map(|(activities, watermark, rest)| {
        let given = activities.len();
        let mut map: Map<String, Value> = rest.into_iter().collect();
        map.insert("activities".into(), Value::Array(activities));
        map.insert("watermark".into(), watermark);
        (Value::Object(map), given)
    })
}

proptest! {
    #![proptest_config(config(512))]

    #[test]
    fn any_text_parses_or_fails_without_panicking(
        text in prop_oneof![
            any::<String>(),
            "[\\[\\]{}\",:0-9a-z \\\\.eE+-]{0,48}",
            json().prop_map(|v| v.to_string()),
        ]
    ) {
        let _ = parse_activity_set(&text);
    }

    #[test]
    fn a_set_yields_its_well_formed_activities_and_counts_the_rest((body, given) in set_body()) {
        let (set, skipped) = parse_activity_set(&body.to_string())
            .map_err(|e| TestCaseError::fail(format!("{e}: {body}")))?;
        prop_assert!(set.activities.len() <= given);
        prop_assert_eq!(set.activities.len() + skipped, given);
    }
}

fn channel() -> impl Strategy<Value = Channel> {
    prop_oneof![Just(Channel::Bot), Just(Channel::Hub)]
}

fn generation() -> impl Strategy<Value = u32> {
    prop_oneof![3 => 0u32..3, 1 => any::<u32>()]
}

fn error() -> impl Strategy<Value = ChatError> {
    let status = prop_oneof![
        select(&[400u16, 401, 403, 404, 409, 429, 500, 503][..]),
        any::<u16>()
    ];
    prop_oneof![
        text().prop_map(ChatError::Network),
        (status, text()).prop_map(|(status, message)| ChatError::Http { status, message }),
        text().prop_map(ChatError::BadResponse),
        any::<Option<u64>>().prop_map(|retry_after_ms| ChatError::Throttled { retry_after_ms }),
    ]
}

/// An activity set as the browser layer hands it over: parsed from a body.
fn set() -> impl Strategy<Value = ActivitySet> {
    set_body().prop_map(|(body, _)| {
        parse_activity_set(&body.to_string())
            .map(|(set, _)| set)
            .unwrap_or_default()
    })
}

fn url() -> impl Strategy<Value = String> {
    let urls = [
        "wss://dl.test/s",
        "ws://127.0.0.1/s",
        "ws://evil.test/s",
        "//evil.test",
        "https://dl.test/v3",
    ];
    prop_oneof![select(urls.to_vec()).prop_map(str::to_owned), text()]
}

fn conversation() -> impl Strategy<Value = Conversation> {
    let id = prop_oneof![Just("conv1".to_owned()), Just(String::new()), text()];
    (
        id,
        any::<Option<String>>(),
        any::<Option<u64>>(),
        prop::option::of(url()),
    )
        .prop_map(
            |(conversation_id, token, expires_in, stream_url)| Conversation {
                conversation_id,
                token,
                expires_in,
                stream_url,
                reference_grammar_id: None,
            },
        )
}

fn token() -> impl Strategy<Value = TokenResponse> {
    (text(), any::<Option<String>>(), any::<Option<u64>>()).prop_map(
        |(token, conversation_id, expires_in)| TokenResponse {
            token,
            conversation_id,
            expires_in,
        },
    )
}

/// A client id the session gave out (`hc1-N`) or any text.
fn client_id() -> impl Strategy<Value = String> {
    prop_oneof![3 => (1u64..12).prop_map(|n| format!("hc1-{n}")), 1 => text()]
}

/// What a card action posts: the rich module's JSON, any JSON, or not JSON at all.
fn card_action() -> impl Strategy<Value = String> {
    let action = (json(), json(), json(), json()).prop_map(|(text, value, display, data)| {
        json!({"text": text, "value": value, "display": display, "channelData": data})
    });
    prop_oneof![
        action.prop_map(|a| a.to_string()),
        json().prop_map(|v| v.to_string()),
        text()
    ]
}

/// Every kind of event, with random payloads.
fn event() -> impl Strategy<Value = Event> {
    let answers = (text(), text(), text(), text()).prop_map(|(f, l, e, c)| SurveyAnswers {
        first_name: f,
        last_name: l,
        email: e,
        case_number: c,
    });
    let context = json().prop_map(|v| v.as_object().cloned().unwrap_or_default());
    Union::new([
        answers.prop_map(Event::SurveySubmitted).boxed(),
        context.prop_map(Event::ContextSet).boxed(),
        (channel(), token())
            .prop_map(|(channel, token)| Event::TokenReceived { channel, token })
            .boxed(),
        (channel(), conversation())
            .prop_map(|(channel, conversation)| Event::ConversationStarted {
                channel,
                conversation,
            })
            .boxed(),
        (channel(), error())
            .prop_map(|(channel, error)| Event::ConnectFailed { channel, error })
            .boxed(),
        Just(Event::RetryConnect).boxed(),
        (channel(), generation())
            .prop_map(|(channel, generation)| Event::StreamFailed {
                channel,
                generation,
            })
            .boxed(),
        (channel(), generation(), set())
            .prop_map(|(channel, generation, set)| Event::Streamed {
                channel,
                generation,
                set,
            })
            .boxed(),
        (channel(), generation(), set(), any::<bool>())
            .prop_map(|(channel, generation, set, once)| Event::Polled {
                channel,
                generation,
                set,
                once,
            })
            .boxed(),
        (channel(), generation(), error(), any::<bool>())
            .prop_map(|(channel, generation, error, once)| Event::PollFailed {
                channel,
                generation,
                error,
                once,
            })
            .boxed(),
        text().prop_map(Event::MessageTyped).boxed(),
        card_action().prop_map(Event::CardAction).boxed(),
        Just(Event::VisitorTyping).boxed(),
        client_id().prop_map(Event::RetryMessage).boxed(),
        (channel(), client_id())
            .prop_map(|(channel, client_id)| Event::Posted { channel, client_id })
            .boxed(),
        (channel(), client_id(), error())
            .prop_map(|(channel, client_id, error)| Event::PostFailed {
                channel,
                client_id,
                error,
            })
            .boxed(),
        Just(Event::EndChat).boxed(),
        Just(Event::Tick).boxed(),
        (channel(), generation())
            .prop_map(|(channel, generation)| Event::StreamOpened {
                channel,
                generation,
            })
            .boxed(),
        (channel(), generation(), conversation())
            .prop_map(|(channel, generation, conversation)| Event::Reconnected {
                channel,
                generation,
                conversation,
            })
            .boxed(),
        (channel(), generation(), error())
            .prop_map(|(channel, generation, error)| Event::ReconnectFailed {
                channel,
                generation,
                error,
            })
            .boxed(),
        (channel(), generation(), token())
            .prop_map(|(channel, generation, token)| Event::TokenRefreshed {
                channel,
                generation,
                token,
            })
            .boxed(),
        (channel(), generation(), error())
            .prop_map(|(channel, generation, error)| Event::RefreshFailed {
                channel,
                generation,
                error,
            })
            .boxed(),
        Just(Event::RetryConnection).boxed(),
        text()
            .prop_map(|client_prefix| Event::Resume { client_prefix })
            .boxed(),
        (text(), text())
            .prop_map(|(user_id, client_prefix)| Event::Restart {
                user_id,
                client_prefix,
            })
            .boxed(),
        url()
            .prop_map(|url| Event::DirectLineDiscovered { url })
            .boxed(),
    ])
}

/// One step of a run: an event after some milliseconds, or a page reload.
#[derive(Debug, Clone)]
enum Input {
    Event(Event, Millis),
    Reload,
}

fn inputs() -> impl Strategy<Value = Vec<Input>> {
    let input = prop_oneof![
        20 => (event(), 0u64..120_000).prop_map(|(e, after)| Input::Event(e, after)),
        1 => Just(Input::Reload),
    ];
    vec(input, 0..40)
}

/// A session at one of its stages: survey, just connected (polling), chatting, handed off.
fn start() -> impl Strategy<Value = Session> {
    let mode = prop_oneof![Just(HandoffMode::Relay), Just(HandoffMode::Bridge)];
    (0u8..4, mode).prop_map(|(stage, mode)| match stage {
        0 => session(mode),
        1 => connected_with(mode, false).0,
        2 => chatting(mode),
        _ => bridged().0,
    })
}

proptest! {
    #![proptest_config(config(128))]

    #[test]
    fn no_sequence_of_events_makes_the_session_panic(mut s in start(), inputs in inputs()) {
        let mut now = NOW;
        for input in inputs {
            match input {
                Input::Event(event, after) => {
                    now += after;
                    s.step(event, now);
                }
                // What a reload keeps, restored the way the widget restores it.
                Input::Reload => {
                    let urls = s.urls.clone();
                    if let Some(back) = Session::from_stored(&s.to_stored(), s.locale.clone(), s.mode) {
                        s = back.with_urls(urls);
                    }
                }
            }
            s.connectivity(now);
            s.pending();
        }
    }
}
