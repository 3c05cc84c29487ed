//! The conversation state machine: survey → connecting → chatting (or failed).
//!
//! `Session::step(event, now)` is pure: it updates the serialisable state and returns the
//! [`Effect`]s the browser layer must carry out (fetch a token, open the stream, post an
//! activity, poll). The browser feeds the outcomes back as [`Event`]s and never changes
//! the state itself. Outgoing activities go through one ordered outbox with a single POST
//! in flight, so messages reach the bot in the order they were typed.

use std::collections::VecDeque;

use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::activity::{
    Activity, ActivitySet, ChannelAccount, Conversation, TokenResponse, CLIENT_ACTIVITY_ID,
};
use crate::error::{ChatError, Recovery};
use crate::survey::SurveyAnswers;
use crate::time::{iso8601, Millis};
use crate::transcript::{Delivery, Transcript};

/// Delay between polls when there is no stream.
pub const POLL_INTERVAL_MS: Millis = 1_000;
/// How many times a failed POST is retried before the message is marked failed.
pub const MAX_POST_ATTEMPTS: u32 = 4;

/// Where the session is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Phase {
    /// Waiting for the pre-conversation survey.
    Survey,
    /// Getting a token and starting the conversation.
    Connecting,
    /// The conversation is live.
    Chatting,
    /// Connecting failed; the visitor can retry.
    Failed(ChatError),
}

/// How activities arrive.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Transport {
    /// WebSocket stream.
    Stream,
    /// `GET .../activities?watermark=` every [`POLL_INTERVAL_MS`].
    Polling,
}

/// Credentials for requests on the current conversation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Endpoint {
    pub conversation_id: String,
    pub token: String,
}

/// Something that happened (an input to [`Session::step`]).
#[derive(Debug, Clone, PartialEq)]
pub enum Event {
    SurveySubmitted(SurveyAnswers),
    TokenReceived(TokenResponse),
    ConversationStarted(Conversation),
    /// Token fetch or conversation start failed.
    ConnectFailed(ChatError),
    RetryConnect,
    /// The WebSocket could not be opened or closed: continue by polling.
    StreamFailed,
    /// Activities pushed by the stream.
    Streamed(ActivitySet),
    /// Activities returned by a poll.
    Polled(ActivitySet),
    PollFailed(ChatError),
    /// The visitor pressed send.
    MessageTyped(String),
    /// The visitor asked to resend a failed message (by entry key).
    RetryMessage(String),
    Posted {
        client_id: String,
        id: String,
    },
    PostFailed {
        client_id: String,
        error: ChatError,
    },
}

/// I/O the browser layer must perform.
#[derive(Debug, Clone, PartialEq)]
pub enum Effect {
    FetchToken,
    StartConversation {
        token: String,
    },
    OpenStream {
        url: String,
    },
    /// `GET activities?watermark=` after a delay, then report `Polled` / `PollFailed`.
    Poll {
        endpoint: Endpoint,
        watermark: Option<String>,
        after_ms: Millis,
    },
    /// `POST activities` after a delay, then report `Posted` / `PostFailed`.
    PostActivity {
        endpoint: Endpoint,
        activity: Activity,
        after_ms: Millis,
    },
}

/// An outgoing activity and how often posting it has failed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Outgoing {
    activity: Activity,
    attempts: u32,
}

/// The whole client-side state of one chat. Serialisable so it can be resumed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Session {
    pub phase: Phase,
    /// The visitor's Direct Line user id (`dl_...`).
    pub user_id: String,
    pub locale: String,
    pub answers: Option<SurveyAnswers>,
    pub endpoint: Option<Endpoint>,
    pub transport: Transport,
    pub watermark: Option<String>,
    pub transcript: Transcript,
    /// Prefix making clientActivityIDs unique across page loads.
    client_prefix: String,
    next_seq: u64,
    outbox: VecDeque<Outgoing>,
    in_flight: Option<Outgoing>,
}

impl Session {
    /// A new session waiting for the survey. `user_id` and `client_prefix` come from the
    /// browser's random source so that tests can choose them.
    pub fn new(user_id: String, client_prefix: String, locale: String) -> Self {
        Self {
            phase: Phase::Survey,
            user_id,
            locale,
            answers: None,
            endpoint: None,
            transport: Transport::Stream,
            watermark: None,
            transcript: Transcript::default(),
            client_prefix,
            next_seq: 0,
            outbox: VecDeque::new(),
            in_flight: None,
        }
    }

    /// Number of outgoing activities not yet confirmed by the server.
    pub fn pending(&self) -> usize {
        self.outbox.len() + usize::from(self.in_flight.is_some())
    }

    /// Advances the state machine.
    pub fn step(&mut self, event: Event, now: Millis) -> Vec<Effect> {
        match event {
            Event::SurveySubmitted(answers) if self.phase == Phase::Survey => {
                let answers = answers.trimmed();
                let start = self.start_conversation_event(&answers, now);
                self.outbox.push_front(Outgoing {
                    activity: start,
                    attempts: 0,
                });
                self.answers = Some(answers);
                self.phase = Phase::Connecting;
                vec![Effect::FetchToken]
            }
            Event::TokenReceived(token) if self.phase == Phase::Connecting => {
                vec![Effect::StartConversation { token: token.token }]
            }
            Event::ConversationStarted(conv) if self.phase == Phase::Connecting => {
                self.on_started(conv)
            }
            Event::ConnectFailed(error) if self.phase == Phase::Connecting => {
                self.phase = Phase::Failed(error);
                vec![]
            }
            Event::RetryConnect if matches!(self.phase, Phase::Failed(_)) => {
                self.phase = Phase::Connecting;
                vec![Effect::FetchToken]
            }
            Event::StreamFailed if self.transport == Transport::Stream => {
                self.transport = Transport::Polling;
                self.poll_after(0)
            }
            Event::Streamed(set) => {
                self.receive(set);
                vec![]
            }
            Event::Polled(set) => {
                self.receive(set);
                self.poll_after(POLL_INTERVAL_MS)
            }
            Event::PollFailed(_) => self.poll_after(POLL_INTERVAL_MS * 3),
            Event::MessageTyped(text) => self.on_typed(text, now),
            Event::RetryMessage(key) => self.on_retry_message(&key, now),
            Event::Posted { client_id, .. } => self.on_posted(&client_id),
            Event::PostFailed { client_id, error } => self.on_post_failed(&client_id, &error),
            // Anything else is stale (e.g. a token arriving after the visitor retried).
            _ => vec![],
        }
    }

    fn on_started(&mut self, conv: Conversation) -> Vec<Effect> {
        let Some(token) = conv.token.clone() else {
            self.phase = Phase::Failed(ChatError::BadResponse("conversation without token".into()));
            return vec![];
        };
        self.endpoint = Some(Endpoint {
            conversation_id: conv.conversation_id,
            token,
        });
        self.phase = Phase::Chatting;
        let mut effects = match conv.stream_url {
            Some(url) => {
                self.transport = Transport::Stream;
                vec![Effect::OpenStream { url }]
            }
            None => {
                self.transport = Transport::Polling;
                self.poll_after(0)
            }
        };
        effects.extend(self.pump(0));
        effects
    }

    fn on_typed(&mut self, text: String, now: Millis) -> Vec<Effect> {
        let text = text.trim().to_owned();
        if text.is_empty() {
            return vec![];
        }
        let activity = self.outgoing("message", now, |a| {
            a.text = Some(text.clone());
            a.text_format = Some("plain".into());
        });
        let key = activity.client_activity_id().unwrap_or_default().to_owned();
        let delivery = if self.phase == Phase::Chatting {
            Delivery::Sending
        } else {
            Delivery::Queued
        };
        self.transcript
            .push_local(key, text, iso8601(now), delivery);
        self.outbox.push_back(Outgoing {
            activity,
            attempts: 0,
        });
        self.pump(0)
    }

    fn on_retry_message(&mut self, key: &str, now: Millis) -> Vec<Effect> {
        let Some(text) = self
            .transcript
            .entries()
            .iter()
            .find(|e| e.key == key && e.delivery == Delivery::Failed)
            .map(|e| e.text.clone())
        else {
            return vec![];
        };
        let activity = self.outgoing("message", now, |a| {
            a.text = Some(text);
            a.text_format = Some("plain".into());
        });
        // Keep the transcript key: the resent activity carries the same clientActivityID.
        let activity = with_client_id(activity, key);
        self.transcript.set_delivery(key, Delivery::Sending);
        self.outbox.push_back(Outgoing {
            activity,
            attempts: 0,
        });
        self.pump(0)
    }

    fn on_posted(&mut self, client_id: &str) -> Vec<Effect> {
        if self.in_flight_id() != Some(client_id) {
            return vec![];
        }
        self.in_flight = None;
        self.pump(0)
    }

    fn on_post_failed(&mut self, client_id: &str, error: &ChatError) -> Vec<Effect> {
        if self.in_flight_id() != Some(client_id) {
            return vec![];
        }
        let Some(mut outgoing) = self.in_flight.take() else {
            return vec![];
        };
        outgoing.attempts += 1;
        if error.recovery() == Recovery::Retry && outgoing.attempts < MAX_POST_ATTEMPTS {
            let delay = 500 * (1 << outgoing.attempts);
            self.outbox.push_front(outgoing);
            return self.pump(delay);
        }
        self.transcript.set_delivery(client_id, Delivery::Failed);
        self.pump(0)
    }

    /// Starts the next POST when the conversation is live and none is in flight.
    fn pump(&mut self, after_ms: Millis) -> Vec<Effect> {
        if self.phase != Phase::Chatting || self.in_flight.is_some() {
            return vec![];
        }
        let (Some(endpoint), Some(next)) = (self.endpoint.clone(), self.outbox.pop_front()) else {
            return vec![];
        };
        if let Some(key) = next.activity.client_activity_id() {
            self.transcript.set_delivery(key, Delivery::Sending);
        }
        let activity = next.activity.clone();
        self.in_flight = Some(next);
        vec![Effect::PostActivity {
            endpoint,
            activity,
            after_ms,
        }]
    }

    fn poll_after(&self, after_ms: Millis) -> Vec<Effect> {
        match (&self.phase, self.transport, &self.endpoint) {
            (Phase::Chatting, Transport::Polling, Some(endpoint)) => vec![Effect::Poll {
                endpoint: endpoint.clone(),
                watermark: self.watermark.clone(),
                after_ms,
            }],
            _ => vec![],
        }
    }

    fn receive(&mut self, set: ActivitySet) {
        for activity in &set.activities {
            self.transcript.upsert(activity, &self.user_id);
        }
        if set.watermark.is_some() {
            self.watermark = set.watermark;
        }
    }

    fn in_flight_id(&self) -> Option<&str> {
        self.in_flight.as_ref()?.activity.client_activity_id()
    }

    /// The Copilot Studio-style start event; its value carries the survey answers.
    fn start_conversation_event(&mut self, answers: &SurveyAnswers, now: Millis) -> Activity {
        let value = serde_json::to_value(answers).unwrap_or_default();
        self.outgoing("event", now, |a| {
            a.name = Some("startConversation".into());
            a.value = Some(value);
        })
    }

    /// A new outgoing activity from the visitor with a fresh clientActivityID.
    fn outgoing(&mut self, kind: &str, now: Millis, fill: impl FnOnce(&mut Activity)) -> Activity {
        self.next_seq += 1;
        let name = self
            .answers
            .as_ref()
            .map(|a| a.first_name.clone())
            .filter(|n| !n.is_empty());
        let mut activity = Activity {
            kind: kind.into(),
            from: Some(ChannelAccount {
                id: self.user_id.clone(),
                name,
                role: Some("user".into()),
            }),
            locale: Some(self.locale.clone()),
            local_timestamp: Some(iso8601(now)),
            ..Activity::default()
        };
        fill(&mut activity);
        with_client_id(
            activity,
            &format!("{}-{}", self.client_prefix, self.next_seq),
        )
    }
}

fn with_client_id(mut activity: Activity, client_id: &str) -> Activity {
    activity.channel_data = Some(json!({ CLIENT_ACTIVITY_ID: client_id }));
    activity
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::transcript::Author;
    use serde_json::json;

    const NOW: Millis = 1_700_000_000_000;

    fn answers() -> SurveyAnswers {
        SurveyAnswers {
            first_name: " Ada ".into(),
            last_name: "Lovelace".into(),
            email: "ada@example.com".into(),
            case_number: "CAS-42".into(),
        }
    }

    fn session() -> Session {
        Session::new("dl_visitor".into(), "hc1".into(), "en-US".into())
    }

    fn conversation(stream: bool) -> Conversation {
        Conversation {
            conversation_id: "conv1".into(),
            token: Some("tok".into()),
            expires_in: Some(1800),
            stream_url: stream.then(|| "ws://127.0.0.1/stream".into()),
            reference_grammar_id: None,
        }
    }

    /// Survey submitted, token received, conversation started: returns the effects of the start.
    fn connected(stream: bool) -> (Session, Vec<Effect>) {
        let mut s = session();
        assert_eq!(
            s.step(Event::SurveySubmitted(answers()), NOW),
            vec![Effect::FetchToken]
        );
        let token = TokenResponse {
            token: "tok".into(),
            conversation_id: None,
            expires_in: None,
        };
        assert_eq!(
            s.step(Event::TokenReceived(token), NOW),
            vec![Effect::StartConversation {
                token: "tok".into()
            }]
        );
        let effects = s.step(Event::ConversationStarted(conversation(stream)), NOW);
        (s, effects)
    }

    fn posted(effect: &Effect) -> &Activity {
        match effect {
            Effect::PostActivity { activity, .. } => activity,
            other => panic!("expected a post, got {other:?}"),
        }
    }

    fn echo(activity: &Activity, id: &str) -> ActivitySet {
        let mut echoed = activity.clone();
        echoed.id = Some(id.into());
        ActivitySet {
            activities: vec![echoed],
            watermark: Some(id.rsplit('|').next().unwrap().into()),
        }
    }

    #[test]
    fn start_opens_the_stream_and_sends_the_survey_as_start_event() {
        let (s, effects) = connected(true);
        assert_eq!(s.phase, Phase::Chatting);
        assert_eq!(
            effects[0],
            Effect::OpenStream {
                url: "ws://127.0.0.1/stream".into()
            }
        );
        let start = posted(&effects[1]);
        assert!(start.is_event("startConversation"));
        assert_eq!(start.locale.as_deref(), Some("en-US"));
        assert_eq!(
            start.value.as_ref().unwrap()["firstName"],
            "Ada",
            "answers are trimmed"
        );
        assert_eq!(start.value.as_ref().unwrap()["caseNumber"], "CAS-42");
        assert_eq!(start.from.as_ref().unwrap().id, "dl_visitor");
        assert_eq!(start.client_activity_id(), Some("hc1-1"));
    }

    #[test]
    fn without_stream_url_the_session_polls() {
        let (s, effects) = connected(false);
        assert_eq!(s.transport, Transport::Polling);
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
    fn stream_failure_falls_back_to_polling_from_the_watermark() {
        let (mut s, _) = connected(true);
        s.step(
            Event::Streamed(ActivitySet {
                activities: vec![],
                watermark: Some("7".into()),
            }),
            NOW,
        );
        let effects = s.step(Event::StreamFailed, NOW);
        assert!(
            matches!(&effects[..], [Effect::Poll { watermark: Some(w), after_ms: 0, .. }] if w == "7")
        );
        let next = s.step(
            Event::Polled(ActivitySet {
                activities: vec![],
                watermark: Some("8".into()),
            }),
            NOW,
        );
        assert!(
            matches!(&next[..], [Effect::Poll { watermark: Some(w), after_ms: POLL_INTERVAL_MS, .. }] if w == "8")
        );
        assert_eq!(s.step(Event::StreamFailed, NOW), vec![], "already polling");
    }

    #[test]
    fn a_message_shows_as_sending_then_sent_once_echoed() {
        let (mut s, effects) = connected(true);
        let start = posted(&effects[1]).clone();
        s.step(
            Event::Posted {
                client_id: "hc1-1".into(),
                id: "conv1|0000001".into(),
            },
            NOW,
        );
        s.step(Event::Streamed(echo(&start, "conv1|0000001")), NOW);

        let effects = s.step(Event::MessageTyped("  opening hours? ".into()), NOW);
        let msg = posted(&effects[0]).clone();
        assert_eq!(msg.text.as_deref(), Some("opening hours?"));
        assert_eq!(s.transcript.entries()[0].delivery, Delivery::Sending);
        s.step(
            Event::Posted {
                client_id: "hc1-2".into(),
                id: "conv1|0000002".into(),
            },
            NOW,
        );
        s.step(Event::Streamed(echo(&msg, "conv1|0000002")), NOW);
        s.step(Event::Streamed(echo(&msg, "conv1|0000002")), NOW);
        let entries = s.transcript.entries();
        assert_eq!(entries.len(), 1, "echo never duplicates: {entries:?}");
        assert_eq!(entries[0].delivery, Delivery::Sent);
        assert_eq!(entries[0].author, Author::Visitor);
        assert_eq!(s.watermark.as_deref(), Some("0000002"));
    }

    #[test]
    fn messages_typed_before_the_conversation_is_ready_are_queued_then_sent_in_order() {
        let mut s = session();
        s.step(Event::SurveySubmitted(answers()), NOW);
        assert_eq!(s.step(Event::MessageTyped("first".into()), NOW), vec![]);
        assert_eq!(s.step(Event::MessageTyped("second".into()), NOW), vec![]);
        assert_eq!(s.transcript.entries()[0].delivery, Delivery::Queued);
        s.step(
            Event::TokenReceived(TokenResponse {
                token: "tok".into(),
                ..Default::default()
            }),
            NOW,
        );
        let effects = s.step(Event::ConversationStarted(conversation(true)), NOW);
        assert_eq!(effects.len(), 2, "stream + exactly one POST in flight");
        assert!(posted(&effects[1]).is_event("startConversation"));
        let next = s.step(
            Event::Posted {
                client_id: "hc1-1".into(),
                id: "c|1".into(),
            },
            NOW,
        );
        assert_eq!(posted(&next[0]).text.as_deref(), Some("first"));
        let next = s.step(
            Event::Posted {
                client_id: "hc1-2".into(),
                id: "c|2".into(),
            },
            NOW,
        );
        assert_eq!(posted(&next[0]).text.as_deref(), Some("second"));
        assert_eq!(
            s.step(
                Event::Posted {
                    client_id: "hc1-3".into(),
                    id: "c|3".into()
                },
                NOW
            ),
            vec![]
        );
        assert_eq!(s.pending(), 0);
    }

    #[test]
    fn retryable_post_failures_back_off_then_mark_the_message_failed() {
        let (mut s, _) = connected(true);
        s.step(
            Event::Posted {
                client_id: "hc1-1".into(),
                id: "c|1".into(),
            },
            NOW,
        );
        s.step(Event::MessageTyped("hello".into()), NOW);
        let err = ChatError::Http {
            status: 502,
            message: "bad gateway".into(),
        };
        let mut delays = vec![];
        for _ in 1..MAX_POST_ATTEMPTS {
            let effects = s.step(
                Event::PostFailed {
                    client_id: "hc1-2".into(),
                    error: err.clone(),
                },
                NOW,
            );
            match &effects[..] {
                [Effect::PostActivity {
                    after_ms, activity, ..
                }] => {
                    assert_eq!(activity.client_activity_id(), Some("hc1-2"));
                    delays.push(*after_ms);
                }
                other => panic!("{other:?}"),
            }
        }
        assert_eq!(delays, vec![1000, 2000, 4000]);
        assert_eq!(
            s.step(
                Event::PostFailed {
                    client_id: "hc1-2".into(),
                    error: err
                },
                NOW
            ),
            vec![]
        );
        assert_eq!(s.transcript.entries()[0].delivery, Delivery::Failed);

        let effects = s.step(Event::RetryMessage("hc1-2".into()), NOW);
        assert_eq!(
            posted(&effects[0]).client_activity_id(),
            Some("hc1-2"),
            "same id: no twin"
        );
        assert_eq!(s.transcript.entries()[0].delivery, Delivery::Sending);
    }

    #[test]
    fn fatal_post_failure_marks_failed_at_once_and_the_queue_moves_on() {
        let (mut s, _) = connected(true);
        s.step(
            Event::Posted {
                client_id: "hc1-1".into(),
                id: "c|1".into(),
            },
            NOW,
        );
        s.step(Event::MessageTyped("a".into()), NOW);
        s.step(Event::MessageTyped("b".into()), NOW);
        let err = ChatError::Http {
            status: 400,
            message: "bad".into(),
        };
        let effects = s.step(
            Event::PostFailed {
                client_id: "hc1-2".into(),
                error: err,
            },
            NOW,
        );
        assert_eq!(posted(&effects[0]).text.as_deref(), Some("b"));
        assert_eq!(s.transcript.entries()[0].delivery, Delivery::Failed);
    }

    #[test]
    fn connect_failure_shows_an_error_and_retry_starts_over() {
        let mut s = session();
        s.step(Event::SurveySubmitted(answers()), NOW);
        s.step(
            Event::ConnectFailed(ChatError::Network("refused".into())),
            NOW,
        );
        assert!(matches!(s.phase, Phase::Failed(ChatError::Network(_))));
        assert_eq!(s.step(Event::RetryConnect, NOW), vec![Effect::FetchToken]);
        assert_eq!(s.phase, Phase::Connecting);
    }

    #[test]
    fn stale_events_are_ignored() {
        let mut s = session();
        assert_eq!(s.step(Event::RetryConnect, NOW), vec![]);
        assert_eq!(
            s.step(Event::ConversationStarted(conversation(true)), NOW),
            vec![]
        );
        assert_eq!(s.phase, Phase::Survey);
        let (mut s, _) = connected(true);
        assert_eq!(s.step(Event::SurveySubmitted(answers()), NOW), vec![]);
        assert_eq!(
            s.step(
                Event::Posted {
                    client_id: "other".into(),
                    id: "x".into()
                },
                NOW
            ),
            vec![]
        );
    }

    #[test]
    fn bot_replies_are_shown_and_events_hidden() {
        let (mut s, _) = connected(true);
        let set: ActivitySet = serde_json::from_value(json!({
            "activities": [
                {"type": "message", "id": "conv1|0000002", "text": "Hello Ada, how can I help?",
                 "from": {"id": "demo-bot", "name": "Demo Bot", "role": "bot"}},
                {"type": "event", "id": "conv1|0000003", "name": "handoff.initiate", "from": {"id": "demo-bot"}},
                {"type": "typing", "id": "conv1|0000004", "from": {"id": "demo-bot"}}
            ],
            "watermark": "4"
        }))
        .unwrap();
        s.step(Event::Streamed(set), NOW);
        let entries = s.transcript.entries();
        assert_eq!(entries.len(), 1);
        assert_eq!(entries[0].text, "Hello Ada, how can I help?");
        assert_eq!(entries[0].sender, "Demo Bot");
        assert_eq!(s.watermark.as_deref(), Some("4"));
    }

    #[test]
    fn session_survives_a_serde_round_trip() {
        let (mut s, _) = connected(true);
        s.step(
            Event::MessageTyped("queued behind the start event".into()),
            NOW,
        );
        let json = serde_json::to_string(&s).unwrap();
        let back: Session = serde_json::from_str(&json).unwrap();
        assert_eq!(back, s);
        assert_eq!(back.pending(), 2);
    }
}
