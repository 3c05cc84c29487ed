//! The conversation state machine: survey → connecting → chatting (with the bot, waiting
//! for an agent, or with an agent) → ended.
//!
//! `Session::step(event, now)` is pure: it updates the serialisable state and returns the
//! [`Effect`]s the browser layer must carry out (fetch a token, open a stream, post an
//! activity, poll). The browser feeds the outcomes back as [`Event`]s and never changes the
//! state itself. Each Direct Line conversation is a [`Link`] with its own ordered outbox;
//! effects and events name the [`Channel`] they belong to and its generation, so results
//! of a conversation that was dropped are ignored.

use serde_json::{json, Map, Value};

use crate::activity::{
    Activity, ActivitySet, Attachment, ChannelAccount, Conversation, TokenResponse,
    CLIENT_ACTIVITY_ID,
};
use crate::error::ChatError;
use crate::handoff::{queue_text, signal, Agent, Handoff, HandoffMode, Signal};
use crate::i18n::{fill, Lang, Text};
use crate::link::{AfterFailure, Endpoint, Link, Transport};
use crate::survey::SurveyAnswers;
use crate::time::{iso8601, Millis};
use crate::transcript::{Author, Delivery, Transcript};

/// Delay between polls when there is no stream.
pub const POLL_INTERVAL_MS: Millis = 1_000;
/// When polling, the extra read after a send comes this soon.
pub const POLL_AFTER_SEND_MS: Millis = 250;
/// At most one visitor `typing` activity per this interval.
pub const TYPING_THROTTLE_MS: Millis = 3_000;
/// How long "Alex is typing…" shows without a new typing activity.
pub const AGENT_TYPING_MS: Millis = 6_000;

/// Where the session is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Phase {
    /// Waiting for the pre-conversation survey.
    Survey,
    /// Getting a token and starting the conversation.
    Connecting,
    /// The conversation is live.
    Chatting,
    /// Connecting failed; the visitor can retry.
    Failed(ChatError),
    /// The visitor ended the chat.
    Ended,
}

/// Which Direct Line conversation an effect or event belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Channel {
    /// The bot's conversation (also the agent's, in relay mode).
    Bot,
    /// The hub's conversation (bridge mode, while a handoff is active).
    Hub,
}

/// Something that happened (an input to [`Session::step`]).
#[derive(Debug, Clone, PartialEq)]
pub enum Event {
    SurveySubmitted(SurveyAnswers),
    /// The page added values for the bot (`HandoffChat.setContext`).
    ContextSet(Map<String, Value>),
    TokenReceived {
        channel: Channel,
        token: TokenResponse,
    },
    ConversationStarted {
        channel: Channel,
        conversation: Conversation,
    },
    /// Token fetch or conversation start failed.
    ConnectFailed {
        channel: Channel,
        error: ChatError,
    },
    RetryConnect,
    /// The WebSocket could not be opened or closed: continue by polling.
    StreamFailed {
        channel: Channel,
        generation: u32,
    },
    /// Activities pushed by the stream.
    Streamed {
        channel: Channel,
        generation: u32,
        set: ActivitySet,
    },
    /// Activities returned by a poll.
    Polled {
        channel: Channel,
        generation: u32,
        set: ActivitySet,
    },
    PollFailed {
        channel: Channel,
        generation: u32,
        error: ChatError,
    },
    /// The visitor pressed send.
    MessageTyped(String),
    /// The visitor typed a key in the composer.
    VisitorTyping,
    /// The visitor asked to resend a failed message (by entry key).
    RetryMessage(String),
    Posted {
        channel: Channel,
        client_id: String,
    },
    PostFailed {
        channel: Channel,
        client_id: String,
        error: ChatError,
    },
    /// The visitor ended the chat from the header.
    EndChat,
    /// A timer asked for by [`Effect::ScheduleTick`] fired.
    Tick,
    /// The channel's stream opened.
    StreamOpened {
        channel: Channel,
        generation: u32,
    },
    /// `GET /conversations/{id}?watermark=` answered (fresh streamUrl, maybe a token).
    Reconnected {
        channel: Channel,
        generation: u32,
        conversation: Conversation,
    },
    ReconnectFailed {
        channel: Channel,
        generation: u32,
        error: ChatError,
    },
    /// `POST /tokens/refresh` answered.
    TokenRefreshed {
        channel: Channel,
        generation: u32,
        token: TokenResponse,
    },
    RefreshFailed {
        channel: Channel,
        generation: u32,
        error: ChatError,
    },
    /// The visitor pressed "Retry" on the connection banner.
    RetryConnection,
    /// The page was reloaded and this session restored from storage. `client_prefix` is a
    /// fresh random prefix for new clientActivityIDs: a tab duplicated with its storage
    /// must not reuse the ids the other tab goes on using.
    Resume {
        client_prefix: String,
    },
}

/// I/O the browser layer must perform.
#[derive(Debug, Clone, PartialEq)]
pub enum Effect {
    /// Fetch a token from the channel's token URL; report `TokenReceived` / `ConnectFailed`.
    FetchToken { channel: Channel },
    /// `POST /conversations`; report `ConversationStarted` / `ConnectFailed`.
    StartConversation { channel: Channel, token: String },
    /// Read the stream until it ends; report `Streamed`, then `StreamFailed`.
    OpenStream {
        channel: Channel,
        generation: u32,
        url: String,
    },
    /// Close the channel's stream (its conversation is over for this widget).
    CloseStream { channel: Channel },
    /// `GET activities?watermark=` after a delay; report `Polled` / `PollFailed`, or, for a
    /// one-off read (`once`, shortly after a send), `Streamed` and nothing on failure, so the
    /// regular polling rhythm is not doubled.
    Poll {
        channel: Channel,
        generation: u32,
        endpoint: Endpoint,
        watermark: Option<String>,
        after_ms: Millis,
        once: bool,
    },
    /// `POST activities` after a delay; report `Posted` / `PostFailed`.
    PostActivity {
        channel: Channel,
        endpoint: Endpoint,
        activity: Activity,
        after_ms: Millis,
    },
    /// `POST activities`, result ignored (typing indicators).
    SendTyping {
        channel: Channel,
        endpoint: Endpoint,
        activity: Activity,
    },
    /// Report `Tick` after a delay.
    ScheduleTick { after_ms: Millis },
    /// `GET /conversations/{id}?watermark=` after a delay; report `Reconnected` /
    /// `ReconnectFailed`. The browser layer closes the channel's old stream first: never
    /// two sockets for one conversation.
    Reconnect {
        channel: Channel,
        generation: u32,
        endpoint: Endpoint,
        watermark: Option<String>,
        after_ms: Millis,
    },
    /// `POST /tokens/refresh` after a delay; report `TokenRefreshed` / `RefreshFailed`.
    RefreshToken {
        channel: Channel,
        generation: u32,
        endpoint: Endpoint,
        after_ms: Millis,
    },
}

/// The whole client-side state of one chat. Serialisable so it can be resumed after a
/// reload; only a live chat is stored, and what a reload re-derives (connection state,
/// typing, the mode from the page's config) is skipped: each stored type costs wasm bytes.
#[derive(Debug, Clone, PartialEq)]
pub struct Session {
    pub phase: Phase,
    /// The visitor's Direct Line user id (`dl_...`).
    pub user_id: String,
    pub locale: String,
    pub mode: HandoffMode,
    pub answers: Option<SurveyAnswers>,
    /// Values the page gave for the bot (merged over the survey answers).
    pub context: Map<String, Value>,
    /// The bot's Direct Line base URL when it was discovered (Copilot Studio), so a resumed
    /// chat talks to the same regional host.
    pub directline: Option<String>,
    pub handoff: Handoff,
    /// The agent currently typing and until when the indicator shows.
    pub agent_typing: Option<(String, Millis)>,
    pub transcript: Transcript,
    bot: Link,
    hub: Link,
    /// Prefix making clientActivityIDs unique across page loads.
    client_prefix: String,
    next_seq: u64,
    last_typing_sent: Option<Millis>,
    /// Jitter source (xorshift), seeded from the random client prefix.
    rng: u64,
    /// Ticks asked for and not fired yet (the watchdog keeps one coming while chatting).
    ticks: u32,
    /// When the watchdog last ran.
    watched: Millis,
}

impl Session {
    /// A new session waiting for the survey. `user_id` and `client_prefix` come from the
    /// browser's random source so that tests can choose them.
    pub fn new(user_id: String, client_prefix: String, locale: String, mode: HandoffMode) -> Self {
        let rng = seed(&client_prefix);
        Self {
            phase: Phase::Survey,
            user_id,
            locale,
            mode,
            answers: None,
            context: Map::new(),
            directline: None,
            handoff: Handoff::None,
            agent_typing: None,
            transcript: Transcript::default(),
            bot: Link::default(),
            hub: Link::default(),
            client_prefix,
            next_seq: 0,
            last_typing_sent: None,
            rng,
            ticks: 0,
            watched: 0,
        }
    }

    /// Outgoing activities not yet confirmed by a server.
    pub fn pending(&self) -> usize {
        self.bot.pending() + self.hub.pending()
    }

    /// Advances the state machine.
    pub fn step(&mut self, event: Event, now: Millis) -> Vec<Effect> {
        let mut effects = Vec::new();
        match event {
            Event::SurveySubmitted(answers) if self.phase == Phase::Survey => {
                self.answers = Some(answers.trimmed());
                let start = self.start_event(now);
                let context = self.set_context_event(now);
                self.bot.queue_first(context);
                self.bot.queue_first(start);
                self.phase = Phase::Connecting;
                effects.push(Effect::FetchToken {
                    channel: Channel::Bot,
                });
            }
            Event::ContextSet(values) => {
                self.context.extend(values);
                if matches!(self.phase, Phase::Connecting | Phase::Chatting) {
                    let update = self.set_context_event(now);
                    self.bot.queue(update);
                    self.pump(Channel::Bot, 0, &mut effects);
                }
            }
            Event::TokenReceived { channel, token } if self.connecting(channel) => {
                effects.push(Effect::StartConversation {
                    channel,
                    token: token.token.clone(),
                });
                self.link_mut(channel).grant = Some(token);
            }
            Event::ConversationStarted {
                channel,
                conversation,
            } if self.connecting(channel) => {
                self.on_started(channel, conversation, now, &mut effects);
            }
            Event::ConnectFailed {
                channel: Channel::Bot,
                error,
            } if self.phase == Phase::Connecting => {
                self.phase = Phase::Failed(error);
            }
            Event::ConnectFailed {
                channel: Channel::Hub,
                ..
            } if self.connecting(Channel::Hub) => {
                let reason = self.lang().t(Text::CouldntReachAgent).to_owned();
                self.end_handoff(Some(reason), now, &mut effects);
            }
            Event::RetryConnect if matches!(self.phase, Phase::Failed(_)) => {
                self.phase = Phase::Connecting;
                effects.push(Effect::FetchToken {
                    channel: Channel::Bot,
                });
            }
            Event::StreamFailed {
                channel,
                generation,
            } if self.current(channel, generation) => {
                self.on_stream_failed(channel, now, &mut effects);
            }
            Event::StreamOpened {
                channel,
                generation,
            } if self.current(channel, generation) => {
                let link = self.link_mut(channel);
                link.healthy_since = Some(now);
                link.stream_ever_opened = true;
                self.heard(channel, now);
            }
            // A stream frame (an empty one is a keep-alive) or a one-off read's answer.
            Event::Streamed {
                channel,
                generation,
                set,
            } if self.current(channel, generation) => {
                self.heard(channel, now);
                self.receive(channel, set, now, &mut effects);
            }
            Event::Polled {
                channel,
                generation,
                set,
            } if self.current(channel, generation) => {
                self.on_polled(channel, set, now, &mut effects);
            }
            Event::PollFailed {
                channel,
                generation,
                error,
            } if self.current(channel, generation) => {
                self.on_poll_failed(channel, &error, now, &mut effects);
            }
            Event::Reconnected {
                channel,
                generation,
                conversation,
            } if self.current(channel, generation) => {
                self.on_reconnected(channel, conversation, now, &mut effects);
            }
            Event::ReconnectFailed {
                channel,
                generation,
                error,
            } if self.current(channel, generation) => {
                self.on_reconnect_failed(channel, &error, now, &mut effects);
            }
            Event::TokenRefreshed {
                channel,
                generation,
                token,
            } if self.current(channel, generation) => {
                self.on_token_refreshed(channel, token, now, &mut effects);
            }
            Event::RefreshFailed {
                channel,
                generation,
                error,
            } if self.current(channel, generation) => {
                self.on_refresh_failed(channel, &error, now, &mut effects);
            }
            Event::RetryConnection if self.phase == Phase::Chatting => {
                self.retry_connection(now, &mut effects)
            }
            Event::Resume { client_prefix } if self.phase == Phase::Chatting => {
                self.rng = seed(&client_prefix);
                self.client_prefix = client_prefix;
                self.resume(now, &mut effects);
            }
            Event::MessageTyped(text) if self.phase != Phase::Ended => {
                self.on_typed(text, now, &mut effects)
            }
            Event::VisitorTyping => self.on_visitor_typing(now, &mut effects),
            Event::RetryMessage(key) => self.on_retry_message(&key, now, &mut effects),
            Event::Posted { channel, client_id } if self.link_mut(channel).posted(&client_id) => {
                self.poll_soon(channel, now, &mut effects);
                self.pump(channel, 0, &mut effects);
            }
            Event::PostFailed {
                channel,
                client_id,
                error,
            } => {
                let jitter = self.jitter();
                match self.link_mut(channel).failed(&client_id, &error, jitter) {
                    Some(AfterFailure::RetryIn(ms)) => self.pump(channel, ms, &mut effects),
                    Some(AfterFailure::NeedsToken) => self.token_rejected(channel, &mut effects),
                    Some(AfterFailure::GiveUp) => {
                        self.transcript.set_delivery(&client_id, Delivery::Failed);
                        self.pump(channel, 0, &mut effects);
                    }
                    None => {}
                }
            }
            Event::EndChat if matches!(self.phase, Phase::Connecting | Phase::Chatting) => {
                self.on_end_chat(now, &mut effects);
            }
            Event::Tick => self.on_tick(now, &mut effects),
            // Anything else is stale (e.g. a token arriving after the visitor retried).
            _ => {}
        }
        self.keep_watch(now, &mut effects);
        effects
    }

    /// `POST /conversations` answered. Servers differ: without a token in the answer the
    /// token that started it goes on (emulators answer `{conversationId, expiresIn}`), and
    /// without `streamUrl` the conversation is polled.
    fn on_started(
        &mut self,
        channel: Channel,
        conv: Conversation,
        now: Millis,
        effects: &mut Vec<Effect>,
    ) {
        let grant = self.link_mut(channel).grant.take().unwrap_or_default();
        if conv.conversation_id.is_empty() {
            let error = ChatError::BadResponse("conversation without id".into());
            return match channel {
                Channel::Bot => self.phase = Phase::Failed(error),
                Channel::Hub => {
                    self.end_handoff(Some(error.visitor_message(self.lang())), now, effects)
                }
            };
        }
        let token = conv.token.filter(|t| !t.is_empty()).unwrap_or(grant.token);
        let link = self.link_mut(channel);
        link.endpoint = Some(Endpoint {
            conversation_id: conv.conversation_id,
            token,
        });
        link.heard = Some(now);
        self.open_transport(channel, conv.stream_url, now, effects);
        if channel == Channel::Bot {
            self.phase = Phase::Chatting;
        }
        self.pump(channel, 0, effects);
        let expires_in = conv.expires_in.or(grant.expires_in);
        self.schedule_refresh(channel, expires_in, effects);
    }

    fn on_typed(&mut self, text: String, now: Millis, effects: &mut Vec<Effect>) {
        let text = text.trim().to_owned();
        if text.is_empty() {
            return;
        }
        let activity = self.outgoing("message", now, |a| {
            a.text = Some(text.clone());
            a.text_format = Some("plain".into());
        });
        let key = activity.client_activity_id().unwrap_or_default().to_owned();
        let channel = self.agent_channel();
        let delivery = if self.link_mut(channel).endpoint.is_some() {
            Delivery::Sending
        } else {
            Delivery::Queued
        };
        self.transcript
            .push_local(key, text, iso8601(now), delivery);
        self.link_mut(channel).queue(activity);
        self.pump(channel, 0, effects);
    }

    fn on_visitor_typing(&mut self, now: Millis, effects: &mut Vec<Effect>) {
        if !self.handoff.is_active()
            || self
                .last_typing_sent
                .is_some_and(|t| now < t + TYPING_THROTTLE_MS)
        {
            return;
        }
        let channel = self.agent_channel();
        let Some(endpoint) = self.link_mut(channel).endpoint.clone() else {
            return;
        };
        self.last_typing_sent = Some(now);
        let activity = self.outgoing("typing", now, |_| {});
        effects.push(Effect::SendTyping {
            channel,
            endpoint,
            activity,
        });
    }

    fn on_retry_message(&mut self, key: &str, now: Millis, effects: &mut Vec<Effect>) {
        let Some(text) = self
            .transcript
            .entries()
            .iter()
            .find(|e| e.key == key && e.delivery == Delivery::Failed)
            .map(|e| e.text.clone())
        else {
            return;
        };
        let activity = self.outgoing("message", now, |a| {
            a.text = Some(text);
            a.text_format = Some("plain".into());
        });
        // Keep the transcript key: the resent activity carries the same clientActivityID.
        let activity = with_client_id(activity, key);
        self.transcript.set_delivery(key, Delivery::Sending);
        let channel = self.agent_channel();
        self.link_mut(channel).queue(activity);
        self.pump(channel, 0, effects);
    }

    fn on_end_chat(&mut self, now: Millis, effects: &mut Vec<Effect>) {
        let end = |s: &mut Self| {
            s.outgoing("endOfConversation", now, |a| {
                a.code = Some("userCancelled".into())
            })
        };
        if self.hub.endpoint.is_some() {
            let activity = end(self);
            self.hub.queue(activity);
            self.pump(Channel::Hub, 0, effects);
        }
        let activity = end(self);
        self.bot.queue(activity);
        self.pump(Channel::Bot, 0, effects);
        self.handoff = Handoff::None;
        self.agent_typing = None;
        self.phase = Phase::Ended;
        self.notice(self.lang().t(Text::YouEndedChat), now);
        effects.push(Effect::CloseStream {
            channel: Channel::Bot,
        });
        effects.push(Effect::CloseStream {
            channel: Channel::Hub,
        });
    }

    /// Applies the activities of a stream or poll; returns how many were new.
    fn receive(
        &mut self,
        channel: Channel,
        set: ActivitySet,
        now: Millis,
        effects: &mut Vec<Effect>,
    ) -> usize {
        let fresh = self.link_mut(channel).fresh(set);
        let count = fresh.len();
        for activity in fresh {
            if let Some(signal) = signal(&activity) {
                self.on_signal(channel, signal, &activity, now, effects);
            } else if self.transcript.upsert(&activity, &self.user_id)
                && self
                    .transcript
                    .entries()
                    .last()
                    .is_some_and(|e| e.author == Author::Agent)
            {
                self.agent_typing = None;
            }
        }
        count
    }

    fn on_signal(
        &mut self,
        channel: Channel,
        signal: Signal,
        activity: &Activity,
        now: Millis,
        effects: &mut Vec<Effect>,
    ) {
        let from_agent_side = self.handoff.is_active() && channel == self.agent_channel();
        match signal {
            Signal::Initiate if channel == Channel::Bot && !self.handoff.is_active() => {
                self.start_handoff(activity, now, effects);
            }
            Signal::Queue {
                position,
                wait_secs,
            } if from_agent_side => {
                if let Handoff::Waiting { .. } = self.handoff {
                    self.handoff = Handoff::Waiting {
                        position,
                        wait_secs,
                    };
                }
            }
            Signal::Accepted(mut agent) if from_agent_side => {
                if agent.name.is_empty() {
                    agent.name = self.lang().t(Text::AnAgent).to_owned();
                }
                let text = fill(self.lang().t(Text::AgentJoined), &[&agent.name]);
                self.notice(&text, now);
                self.handoff = Handoff::Engaged { agent };
            }
            Signal::Completed(agent) if from_agent_side => {
                let name = agent
                    .map(|a| a.name)
                    .or_else(|| self.agent().map(|a| a.name.clone()));
                let lang = self.lang();
                let name = name.as_deref().unwrap_or(lang.t(Text::TheAgent));
                self.notice(&fill(lang.t(Text::AgentLeft), &[name]), now);
                self.end_handoff(None, now, effects);
            }
            Signal::Failed(message) if from_agent_side => {
                let message = message.unwrap_or_else(|| self.lang().t(Text::NoAgent).to_owned());
                self.end_handoff(Some(message), now, effects)
            }
            Signal::AgentTyping(agent) if from_agent_side => {
                self.agent_typing = Some((agent.name, now + AGENT_TYPING_MS));
                self.schedule_tick(AGENT_TYPING_MS, effects);
            }
            _ => {}
        }
    }

    fn start_handoff(&mut self, initiate: &Activity, now: Millis, effects: &mut Vec<Effect>) {
        self.handoff = Handoff::Waiting {
            position: None,
            wait_secs: None,
        };
        self.notice(self.lang().t(Text::ConnectingToAgent), now);
        if self.mode == HandoffMode::Bridge {
            let forwarded = self.bridged_initiate(initiate, now);
            self.hub.queue_first(forwarded);
            effects.push(Effect::FetchToken {
                channel: Channel::Hub,
            });
        }
    }

    /// Back to the bot: `failure` is the reason when no agent took (or could take) the chat.
    fn end_handoff(&mut self, failure: Option<String>, now: Millis, effects: &mut Vec<Effect>) {
        if let Some(message) = &failure {
            self.notice(message, now);
        }
        self.handoff = Handoff::None;
        self.agent_typing = None;
        if self.hub.endpoint.is_some() || self.hub.pending() > 0 {
            effects.push(Effect::CloseStream {
                channel: Channel::Hub,
            });
        }
        // What the hub did not get goes to the bot instead: nothing typed is lost.
        for activity in self.hub.reset() {
            if activity.kind == "message" {
                self.bot.queue(activity);
            }
        }
        let value = match failure {
            Some(message) => json!({"state": "failed", "message": message}),
            None => json!({"state": "completed"}),
        };
        let status = self.outgoing("event", now, |a| {
            a.name = Some("handoff.status".into());
            a.value = Some(value);
        });
        self.bot.queue(status);
        self.pump(Channel::Bot, 0, effects);
    }

    /// The bot's `handoff.initiate`, enriched for the hub: survey answers, the bot
    /// conversation id, and a transcript (the bot's, or the widget's own when it sent none).
    fn bridged_initiate(&mut self, initiate: &Activity, now: Millis) -> Activity {
        let mut value = match initiate.value.clone() {
            Some(Value::Object(map)) => map,
            _ => serde_json::Map::new(),
        };
        let survey = self.answers.as_ref().map(SurveyAnswers::to_map);
        value.insert("survey".into(), survey.map_or(Value::Null, Value::Object));
        let conversation_id = self
            .bot
            .endpoint
            .as_ref()
            .map(|e| e.conversation_id.clone());
        value.insert("botConversationId".into(), json!(conversation_id));
        let mut attachments = initiate.attachments.clone();
        if !attachments
            .iter()
            .any(|a| a.name.as_deref() == Some("Transcript"))
        {
            attachments.push(self.transcript_attachment());
        }
        self.outgoing("event", now, |a| {
            a.name = Some("handoff.initiate".into());
            a.value = Some(Value::Object(value));
            a.attachments = attachments;
        })
    }

    fn transcript_attachment(&self) -> Attachment {
        let activities: Vec<Value> = self
            .transcript
            .entries()
            .iter()
            .filter(|e| e.author != Author::System)
            .map(|e| {
                let role = if e.author == Author::Visitor {
                    "user"
                } else {
                    "bot"
                };
                json!({"type": "message", "text": e.text, "timestamp": e.timestamp,
                       "from": {"name": e.sender, "role": role}})
            })
            .collect();
        Attachment {
            content_type: "application/json".into(),
            name: Some("Transcript".into()),
            content: Some(json!({ "activities": activities })),
            content_url: None,
        }
    }

    /// Starts the next POST of a channel when possible.
    fn pump(&mut self, channel: Channel, after_ms: Millis, effects: &mut Vec<Effect>) {
        if let Some((endpoint, activity)) = self.link_mut(channel).next_post() {
            if let Some(key) = activity.client_activity_id() {
                self.transcript.set_delivery(key, Delivery::Sending);
            }
            effects.push(Effect::PostActivity {
                channel,
                endpoint,
                activity,
                after_ms,
            });
        }
    }

    /// The next regular poll, when the channel is polling and no read is out (that one's
    /// answer goes on polling).
    fn poll(&mut self, channel: Channel, after_ms: Millis, now: Millis, effects: &mut Vec<Effect>) {
        let link = self.link_mut(channel);
        if link.transport == Transport::Polling && link.reads == 0 {
            self.read(channel, after_ms, false, now, effects);
        }
    }

    /// When polling, reads once shortly after a send so the reply shows without waiting for
    /// the next regular poll.
    fn poll_soon(&mut self, channel: Channel, now: Millis, effects: &mut Vec<Effect>) {
        if self.link_mut(channel).transport == Transport::Polling {
            self.read(channel, POLL_AFTER_SEND_MS, true, now, effects);
        }
    }

    /// `GET activities?watermark=` on the channel's open conversation, whatever its
    /// transport. A regular read (not `once`) is counted until it answers.
    fn read(
        &mut self,
        channel: Channel,
        after_ms: Millis,
        once: bool,
        now: Millis,
        effects: &mut Vec<Effect>,
    ) {
        let link = self.link_mut(channel);
        if let Some(endpoint) = link.endpoint.clone() {
            if !once {
                link.reads += 1;
                link.read_at = now.saturating_add(after_ms);
            }
            effects.push(Effect::Poll {
                channel,
                generation: link.generation,
                endpoint,
                watermark: link.watermark.clone(),
                after_ms,
                once,
            });
        }
    }

    /// The interface language, from the locale the page configured.
    pub fn lang(&self) -> Lang {
        Lang::pick([self.locale.as_str()])
    }

    fn notice(&mut self, text: &str, now: Millis) {
        self.next_seq += 1;
        let key = format!("{}-notice-{}", self.client_prefix, self.next_seq);
        self.transcript
            .push_notice(key, text.to_owned(), iso8601(now));
    }

    /// The conversation that carries the visitor's messages right now.
    fn agent_channel(&self) -> Channel {
        if self.mode == HandoffMode::Bridge && self.handoff.is_active() {
            Channel::Hub
        } else {
            Channel::Bot
        }
    }

    fn agent(&self) -> Option<&Agent> {
        match &self.handoff {
            Handoff::Engaged { agent } => Some(agent),
            _ => None,
        }
    }

    /// Whether a token / conversation result for `channel` is expected now.
    fn connecting(&self, channel: Channel) -> bool {
        match channel {
            Channel::Bot => self.phase == Phase::Connecting,
            Channel::Hub => {
                self.phase == Phase::Chatting
                    && self.handoff.is_active()
                    && self.hub.endpoint.is_none()
            }
        }
    }

    fn current(&self, channel: Channel, generation: u32) -> bool {
        let link = match channel {
            Channel::Bot => &self.bot,
            Channel::Hub => &self.hub,
        };
        link.generation == generation && link.endpoint.is_some() && self.phase != Phase::Ended
    }

    fn link_mut(&mut self, channel: Channel) -> &mut Link {
        match channel {
            Channel::Bot => &mut self.bot,
            Channel::Hub => &mut self.hub,
        }
    }

    /// The Copilot Studio-style `startConversation` event carrying the survey answers and
    /// the page's context.
    fn start_event(&mut self, now: Millis) -> Activity {
        self.context_event("startConversation", now)
    }

    /// `pvaSetContext`: the same values, for Copilot Studio global variables that
    /// "external sources can set".
    fn set_context_event(&mut self, now: Millis) -> Activity {
        self.context_event("pvaSetContext", now)
    }

    fn context_event(&mut self, name: &str, now: Millis) -> Activity {
        let mut value = self
            .answers
            .as_ref()
            .map(SurveyAnswers::to_map)
            .unwrap_or_default();
        value.extend(self.context.clone());
        self.outgoing("event", now, |a| {
            a.name = Some(name.into());
            a.value = Some(Value::Object(value));
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

/// The status line for the waiting state.
pub fn waiting_text(handoff: &Handoff, lang: Lang) -> Option<String> {
    match handoff {
        Handoff::Waiting {
            position,
            wait_secs,
        } => Some(queue_text(*position, *wait_secs, lang)),
        _ => None,
    }
}

fn with_client_id(mut activity: Activity, client_id: &str) -> Activity {
    activity.channel_data = Some(json!({ CLIENT_ACTIVITY_ID: client_id }));
    activity
}

/// A jitter seed from a string, never zero (xorshift would stay at zero).
fn seed(text: &str) -> u64 {
    crate::link::fnv1a(&[text]).max(1)
}

mod liveness;
mod recovery;
mod stored;
pub use liveness::{
    READ_LOST_MS, RECEIVE_BOUND_MS, REQUEST_TIMEOUT_MS, SILENT_MS, STALE_MS, WATCHDOG_MS,
};
pub use recovery::Connectivity;
#[cfg(test)]
mod tests;
