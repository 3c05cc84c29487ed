//! The conversation state machine: survey → connecting → chatting (with the bot, waiting
//! for an agent, or with an agent) → ended.
//!
//! `Session::step(event, now)` is pure: it updates the serialisable state and returns the
//! [`Effect`]s the browser layer must carry out (fetch a token, open a stream, post an
//! activity, poll). The browser feeds the outcomes back as [`Event`]s and never changes the
//! state itself. Each Direct Line conversation is a [`Link`] with its own ordered outbox;
//! effects and events name the [`Channel`] they belong to and its generation, so results
//! of a conversation that was dropped are ignored.
//!
//! This file owns the state and the dispatch of events; the rest is by concern:
//! `event` (the inputs and outputs), `outgoing` (what the visitor sends), `incoming`
//! (what arrives, and polling), `handoff` (the live agent), `recovery` and `liveness`
//! (staying connected), `stored` (what a reload keeps).

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
use crate::transcript::{sent_by_visitor, Author, Delivery, Piece, Transcript};

/// Delay between polls when there is no stream.
pub const POLL_INTERVAL_MS: Millis = 1_000;
/// When polling, the extra read after a send comes this soon.
pub const POLL_AFTER_SEND_MS: Millis = 250;
/// At most one visitor `typing` activity per this interval.
pub const TYPING_THROTTLE_MS: Millis = 3_000;
/// How long "Alex is typing…" shows without a new typing activity.
pub const AGENT_TYPING_MS: Millis = 6_000;
/// How long a livestream's status line ("Searching…") shows without a new piece.
pub const INFORMATIVE_MS: Millis = 20_000;

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
    /// The page's endpoints (re-derived on resume, never stored).
    urls: Urls,
    /// The bot's Direct Line base URL when it was discovered (Copilot Studio), so a resumed
    /// chat talks to the same regional host.
    pub directline: Option<String>,
    pub handoff: Handoff,
    /// Who is typing, or what the bot is doing ("Searching…"), and until when it shows.
    pub typing: Option<(String, Millis)>,
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
            urls: Urls::default(),
            handoff: Handoff::None,
            typing: None,
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

    /// The session with the page's endpoints (each effect names the URL it goes to).
    pub fn with_urls(mut self, urls: Urls) -> Self {
        self.urls = urls;
        self
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
                self.connect_bot(&mut effects);
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
                    base: self.base(channel),
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
                self.connect_bot(&mut effects);
            }
            Event::DirectLineDiscovered { url } if self.phase == Phase::Connecting => {
                // A regional host that is not https is a failed discovery (retry asks again).
                if crate::url::is_endpoint(&url) {
                    self.directline = Some(url);
                    self.fetch_token(Channel::Bot, &mut effects);
                } else {
                    let error = ChatError::BadResponse(format!("Direct Line URL {url:?}"));
                    self.phase = Phase::Failed(error);
                }
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
            // A one-off read answers like a stream frame; its failure changes nothing (the
            // regular rhythm goes on).
            Event::Polled {
                channel,
                generation,
                set,
                once: true,
            } if self.current(channel, generation) => {
                self.heard(channel, now);
                self.receive(channel, set, now, &mut effects);
            }
            Event::Polled {
                channel,
                generation,
                set,
                once: false,
            } if self.current(channel, generation) => {
                self.on_polled(channel, set, now, &mut effects);
            }
            Event::PollFailed {
                channel,
                generation,
                error,
                once: false,
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
            Event::Restart {
                user_id,
                client_prefix,
            } if self.phase == Phase::Ended => {
                let mut fresh =
                    Session::new(user_id, client_prefix, self.locale.clone(), self.mode)
                        .with_urls(std::mem::take(&mut self.urls));
                fresh.answers = self.answers.take();
                fresh.context = std::mem::take(&mut self.context);
                *self = fresh;
            }
            Event::CardAction(json) if self.phase != Phase::Ended => {
                self.on_card_action(&json, now, &mut effects)
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

    /// Starts the bot's conversation: a Copilot Studio bot's regional URL first, then a
    /// token.
    fn connect_bot(&mut self, effects: &mut Vec<Effect>) {
        match &self.urls.discovery {
            Some(url) => effects.push(Effect::DiscoverDirectLine { url: url.clone() }),
            None => self.fetch_token(Channel::Bot, effects),
        }
    }

    fn fetch_token(&self, channel: Channel, effects: &mut Vec<Effect>) {
        effects.push(Effect::FetchToken {
            channel,
            source: self.token_source(channel),
        });
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
}

/// A jitter seed from a string, never zero (xorshift would stay at zero).
fn seed(text: &str) -> u64 {
    crate::link::fnv1a(&[text]).max(1)
}

mod event;
mod handoff;
mod incoming;
mod liveness;
mod outgoing;
mod recovery;
mod stored;
mod urls;
pub use event::{Effect, Event};
pub use handoff::waiting_text;
pub use liveness::{
    READ_LOST_MS, RECEIVE_BOUND_MS, REQUEST_TIMEOUT_MS, SILENT_MS, STALE_MS, WATCHDOG_MS,
};
pub use recovery::Connectivity;
pub use urls::{TokenSource, Urls};
#[cfg(test)]
mod props;
#[cfg(test)]
mod tests;
