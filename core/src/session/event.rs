//! What goes into the state machine ([`Event`]: what happened) and what comes out of it
//! ([`Effect`]: the I/O the browser layer performs and reports back as events).

use serde_json::{Map, Value};

use super::{Channel, TokenSource};
use crate::activity::{Activity, ActivitySet, Conversation, TokenResponse};
use crate::error::ChatError;
use crate::link::Endpoint;
use crate::survey::SurveyAnswers;
use crate::time::Millis;

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
    /// Activities returned by a poll (`once`: the effect's one-off read after a send).
    Polled {
        channel: Channel,
        generation: u32,
        set: ActivitySet,
        once: bool,
    },
    PollFailed {
        channel: Channel,
        generation: u32,
        error: ChatError,
        once: bool,
    },
    /// The visitor pressed send.
    MessageTyped(String),
    /// The visitor clicked a card or suggested action that posts: the rich module's JSON
    /// (`text`, `textFormat`, `value`, `channelData`, `replyToId`, and `display`, what the
    /// transcript shows; hidden without it).
    CardAction(String),
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
    /// The visitor starts over after an ended chat: a fresh conversation with new ids,
    /// survey first, prefilled with the previous answers.
    Restart {
        user_id: String,
        client_prefix: String,
    },
    /// The regional Direct Line URL a Copilot Studio bot's settings named.
    DirectLineDiscovered {
        url: String,
    },
}

/// I/O the browser layer must perform.
#[derive(Debug, Clone, PartialEq)]
pub enum Effect {
    /// Read a Copilot Studio bot's regional Direct Line URL from its settings URL; report
    /// `DirectLineDiscovered` / `ConnectFailed`.
    DiscoverDirectLine { url: String },
    /// Get a token for a new conversation; report `TokenReceived` / `ConnectFailed`.
    FetchToken {
        channel: Channel,
        source: TokenSource,
    },
    /// `POST {base}/conversations`; report `ConversationStarted` / `ConnectFailed`.
    StartConversation {
        channel: Channel,
        base: String,
        token: String,
    },
    /// Read the stream until it ends; report `Streamed`, then `StreamFailed`.
    OpenStream {
        channel: Channel,
        generation: u32,
        url: String,
    },
    /// Close the channel's stream (its conversation is over for this widget).
    CloseStream { channel: Channel },
    /// `GET activities?watermark=` after a delay; report `Polled` / `PollFailed` with the
    /// same `once`. A one-off read (shortly after a send) is not part of the polling rhythm.
    Poll {
        channel: Channel,
        generation: u32,
        base: String,
        endpoint: Endpoint,
        watermark: Option<String>,
        after_ms: Millis,
        once: bool,
    },
    /// `POST activities` after a delay; report `Posted` / `PostFailed`.
    PostActivity {
        channel: Channel,
        base: String,
        endpoint: Endpoint,
        activity: Activity,
        after_ms: Millis,
    },
    /// `POST activities`, result ignored (typing indicators).
    SendTyping {
        channel: Channel,
        base: String,
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
        base: String,
        endpoint: Endpoint,
        watermark: Option<String>,
        after_ms: Millis,
    },
    /// `POST /tokens/refresh` after a delay; report `TokenRefreshed` / `RefreshFailed`.
    RefreshToken {
        channel: Channel,
        generation: u32,
        base: String,
        endpoint: Endpoint,
        after_ms: Millis,
    },
}
