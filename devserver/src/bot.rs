//! The demo bot: pure functions from (state, incoming activity, history) to replies.
//!
//! Plays the role Copilot Studio plays in production: greets with the survey answers, answers
//! three FAQ topics, falls back, and escalates with the standard `handoff.initiate` event
//! (shape of botbuilder's `EventFactory.createHandoffInitiation`) whose value carries the
//! Copilot Studio-style context and whose attachment is the transcript.
//!
//! Implicit escalation: the third consecutive not-understood message escalates INSTEAD of a
//! third "sorry" (a visitor who failed twice should not read the same apology again).
//! While a relay handoff is active the bot never sees the visitor's activities (the store
//! routes them to the hub), so it stays quiet and cannot escalate again. Afterwards the
//! widget tells it the outcome with a user-posted `handoff.status` event (completed or
//! failed), which it answers.
//!
//! Global variables (Copilot Studio's "external sources" variables): the `value` of
//! `startConversation` and of every `pvaSetContext` event (the event Copilot Studio's web
//! canvas sends to set global variables from the page) is a flat object of strings, numbers
//! and booleans, merged into [`BotState::variables`] (later keys win; `null` or `""` removes a
//! key; nested values are ignored). `pvaSetContext` gets no reply. The visitor message "what
//! do you know about me" (any case, trailing `?`/`.`/`!` ignored) or `/context` lists them.
//!
//! Developer commands: `/echo TEXT` answers `echo: TEXT` (the soak test), and a visitor
//! message `/burst N` (1 ≤ N ≤ 10000) makes the bot answer with N messages `Burst message 1
//! of N` … `Burst message N of N`, in order and without typing activities, so the benchmark
//! can measure how the widget renders a flood of messages; `/burst N cards` sends N messages
//! with one hero card each (titled `Card burst i of N`, no text) and `/burst N markdown` N
//! short markdown messages (`### Markdown burst i of N`, bold, a link, a list, a table), for
//! the rich module. It leaves the conversation state alone (no topic, no fallback count).
//!
//! Rich content: the greeting asks a multiple-choice question (suggested actions), "help"
//! lists the demo phrases ("markdown", "citations", "show me cards", "form", "sign in",
//! "stream a long answer", ...; `bot/rich.rs`), each answered with the activity shapes a
//! Copilot Studio bot sends. What a card or suggested action posts back (postBack,
//! messageBack, an Adaptive Card submission) is answered with what arrived, and after the
//! sign-in card a 6-digit message is checked against the sign-in page's magic code.
//!
//! Layout: this file owns the conversation loop ([`respond`]: what the bot does with one
//! incoming activity, its memory, the escalation and its context); `bot/content.rs` what it
//! says and understands (topics, intents, the greeting, fixed replies); `bot/commands.rs`
//! the developer commands and the global variables; `bot/rich.rs` the demo phrases and
//! their messages, `bot/cards.rs` their cards, `bot/livestream.rs` the streamed answers,
//! `bot/actions.rs` the answers to what the visitor posts back.
//!
//! The handoff vocabulary (event names, states, roles, the transcript attachment) is core's
//! `handoff_core::handoff`, shared with the widget and the hub.
//!
//! Pure: no I/O, no clock, no ids. The store stamps ids, timestamps and the conversation on
//! what this returns, and paces a [`Livestream`]'s pieces. Must not import axum or tokio.

use std::collections::BTreeMap;

use handoff_core::activity::{Activity, ChannelAccount};
use handoff_core::handoff::{
    from_visitor, transcript_attachment, BOT_ROLE, COMPLETED, FAILED, INITIATE_EVENT, STATUS_EVENT,
};
use handoff_core::survey::SurveyAnswers;
use serde_json::{json, Value};

pub mod actions;
pub mod cards;
mod commands;
mod content;
pub mod hostile;
pub mod livestream;
pub mod rich;
#[cfg(test)]
mod tests;

pub use commands::*;
pub use content::*;
pub use livestream::Livestream;

use actions::{is_code, magic_code, posted_back_reply, SIGNED_IN_TEXT, WRONG_CODE_TEXT};
use rich::{choices, demo_message, demo_phrase, Demo};

/// The bot's account id (`from.id` of everything it sends).
pub const BOT_ID: &str = "demo-bot";
/// The bot's display name.
pub const BOT_NAME: &str = "Demo Bot";
/// Consecutive not-understood messages that trigger an implicit escalation.
pub const FALLBACK_LIMIT: u32 = 3;
/// Name of the event that sets global variables (Copilot Studio web canvas).
pub const SET_CONTEXT_EVENT: &str = "pvaSetContext";
/// Language reported in the handoff context when the visitor's activity has no locale.
const DEFAULT_LANGUAGE: &str = "en-us";

/// What the bot remembers about one conversation.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct BotState {
    /// Not-understood messages in a row; any understood message resets it.
    pub fallbacks: u32,
    /// The survey answers from `startConversation`.
    pub answers: SurveyAnswers,
    /// Topics triggered so far, oldest first (Copilot Studio's `va_Topics`).
    pub topics: Vec<String>,
    /// The visitor's last message text (Copilot Studio's `va_LastPhrases`).
    pub last_phrase: String,
    /// Global variables set by `startConversation` and `pvaSetContext`, by name (so listed
    /// in key order). Only strings, numbers and booleans.
    pub variables: BTreeMap<String, Value>,
    /// The sign-in card was sent and its magic code not yet typed.
    pub signing_in: bool,
}

/// What the bot may read about the conversation besides its own state.
#[derive(Debug, Clone, Copy)]
pub struct Context<'a> {
    /// The conversation id (goes into the handoff context).
    pub conversation_id: &'a str,
    /// Every activity so far, including the incoming one (becomes the handoff transcript).
    pub history: &'a [Activity],
    /// `http://host:port` of this server as the client reached it: the base of the URLs in
    /// cards (pictures, files, pages), so the demo never leaves the machine.
    pub origin: &'a str,
}

/// What the bot does with one incoming activity.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Turn {
    /// Sent at once, in order: usually a `typing` activity and the answer; nothing for
    /// activities the bot ignores (other events, typing, empty messages, its own).
    pub replies: Vec<Activity>,
    /// A streamed answer, sent after the replies with its pieces paced.
    pub stream: Option<Livestream>,
}

impl From<Vec<Activity>> for Turn {
    fn from(replies: Vec<Activity>) -> Self {
        Turn {
            replies,
            stream: None,
        }
    }
}

/// The bot's answer to one incoming activity.
pub fn respond(state: &mut BotState, incoming: &Activity, ctx: Context<'_>) -> Turn {
    if incoming.from_id() == BOT_ID {
        return Turn::default();
    }
    if incoming.is_event("startConversation") {
        state.answers = incoming
            .value
            .clone()
            .and_then(|v| serde_json::from_value::<SurveyAnswers>(v).ok())
            .unwrap_or_default()
            .trimmed();
        merge_variables(&mut state.variables, incoming.value.as_ref());
        state.fallbacks = 0;
        state.topics.push("Greeting".into());
        let mut hello = message(incoming, greeting(&state.answers));
        // A multiple-choice question, asked the way Copilot Studio asks one.
        hello.suggested_actions = Some(choices(incoming.from_id()));
        return with_typing(incoming, vec![hello]).into();
    }
    if incoming.is_event(SET_CONTEXT_EVENT) {
        merge_variables(&mut state.variables, incoming.value.as_ref());
        return Turn::default();
    }
    if incoming.is_event(STATUS_EVENT) {
        return handoff_outcome(state, incoming).into();
    }
    if incoming.kind != "message" {
        return Turn::default();
    }
    if let Some(reply) = posted_back_reply(incoming) {
        state.fallbacks = 0;
        return with_typing(incoming, vec![message(incoming, reply)]).into();
    }
    let text = incoming.text.as_deref().map(str::trim).unwrap_or_default();
    if text.is_empty() {
        return Turn::default();
    }
    if let Some(replies) = dev_reply(incoming, text, ctx.origin) {
        return replies.into();
    }
    state.last_phrase = text.to_owned();
    if state.signing_in && is_code(text) {
        state.fallbacks = 0;
        state.signing_in = text != magic_code(ctx.conversation_id);
        let reply = if state.signing_in {
            WRONG_CODE_TEXT
        } else {
            SIGNED_IN_TEXT
        };
        return with_typing(incoming, vec![message(incoming, reply.into())]).into();
    }
    if is_context_question(text) {
        state.fallbacks = 0;
        let reply = message(incoming, context_text(&state.variables));
        return with_typing(incoming, vec![reply]).into();
    }
    if let Some(demo) = demo_phrase(text) {
        return show(state, incoming, ctx, demo);
    }
    match classify(text) {
        Intent::Escalate => escalate(state, incoming, ctx, Reason::Explicit),
        Intent::Faq(faq) => {
            state.fallbacks = 0;
            state.topics.push(faq.topic().into());
            with_typing(incoming, vec![message(incoming, faq.answer().into())])
        }
        Intent::Unknown => {
            state.fallbacks += 1;
            if state.fallbacks >= FALLBACK_LIMIT {
                escalate(state, incoming, ctx, Reason::Fallback)
            } else {
                state.topics.push(Reason::Fallback.topic().into());
                with_typing(incoming, vec![message(incoming, FALLBACK_TEXT.into())])
            }
        }
    }
    .into()
}

/// The answer to a developer command, if `text` is one. They leave the conversation state
/// alone. `origin` is the base of the burst cards' URLs.
fn dev_reply(incoming: &Activity, text: &str, origin: &str) -> Option<Vec<Activity>> {
    Some(match dev_command(text)? {
        // Only messages: a typing activity between them would be noise in the benchmark.
        DevCommand::Burst(count, kind) => (1..=count)
            .map(|i| match kind {
                BurstKind::Plain => message(incoming, burst_text(i, count)),
                BurstKind::Markdown => {
                    let mut m = message(incoming, burst_markdown(i, count));
                    m.text_format = Some("markdown".into());
                    m
                }
                BurstKind::Cards => {
                    let mut m = bot_activity(incoming, "message");
                    m.attachments = vec![burst_card(origin, i, count)];
                    m
                }
            })
            .collect(),
        DevCommand::BurstUsage => vec![message(incoming, BURST_USAGE_TEXT.into())],
        DevCommand::Echo => {
            let said = text.trim_start().trim_start_matches(ECHO_COMMAND);
            vec![message(incoming, format!("echo: {said}"))]
        }
    })
}

/// A rich-content demo: one message after `typing`, or a livestream (whose pieces are
/// typing activities themselves).
fn show(state: &mut BotState, incoming: &Activity, ctx: Context<'_>, demo: Demo) -> Turn {
    state.fallbacks = 0;
    state.topics.push(demo.topic());
    if let Demo::Stream | Demo::StreamDeltas = demo {
        let template = bot_activity(incoming, "typing");
        return Turn {
            replies: Vec::new(),
            stream: Some(livestream::livestream(template, demo == Demo::StreamDeltas)),
        };
    }
    state.signing_in |= demo == Demo::SignIn;
    let shown = demo_message(
        demo,
        bot_activity(incoming, "message"),
        ctx,
        incoming.from_id(),
    );
    with_typing(incoming, vec![shown]).into()
}

/// The widget tells the bot how the handoff ended (only the visitor's side may say so).
fn handoff_outcome(state: &mut BotState, incoming: &Activity) -> Vec<Activity> {
    let from_user = from_visitor(incoming);
    let outcome = incoming
        .value
        .as_ref()
        .and_then(|v| v.get("state"))
        .and_then(Value::as_str);
    let text = match outcome {
        Some(COMPLETED) if from_user => WELCOME_BACK_TEXT,
        Some(FAILED) if from_user => HANDOFF_FAILED_TEXT,
        _ => return Vec::new(),
    };
    state.fallbacks = 0;
    with_typing(incoming, vec![message(incoming, text.into())])
}

/// The escalation message and the `handoff.initiate` event.
fn escalate(
    state: &mut BotState,
    incoming: &Activity,
    ctx: Context<'_>,
    reason: Reason,
) -> Vec<Activity> {
    state.fallbacks = 0;
    state.topics.push(reason.topic().into());
    let language = incoming.locale.as_deref().unwrap_or(DEFAULT_LANGUAGE);
    let value = handoff_context(state, ctx.conversation_id, language, reason);
    let mut event = bot_activity(incoming, "event");
    event.name = Some(INITIATE_EVENT.into());
    event.value = Some(value);
    // Every activity so far, as the service stamped it.
    let transcript = ctx.history.iter().map(|a| json!(a)).collect();
    event.attachments = vec![transcript_attachment(transcript)];
    with_typing(
        incoming,
        vec![message(incoming, ESCALATION_TEXT.into()), event],
    )
}

/// The handoff context: survey answers, Copilot Studio `va_*` fields and the reason.
pub fn handoff_context(
    state: &BotState,
    conversation_id: &str,
    language: &str,
    reason: Reason,
) -> Value {
    let a = &state.answers;
    json!({
        "firstName": a.first_name,
        "lastName": a.last_name,
        "email": a.email,
        "caseNumber": a.case_number,
        "reason": reason.as_str(),
        "va_Scope": "bot",
        "va_LastTopic": state.topics.last().cloned().unwrap_or_default(),
        "va_LastPhrases": state.last_phrase,
        "va_Topics": state.topics,
        "va_ConversationId": conversation_id,
        "va_BotId": BOT_ID,
        "va_BotName": BOT_NAME,
        "va_Language": language,
    })
}

/// The bot's account.
pub fn bot_account() -> ChannelAccount {
    ChannelAccount {
        id: BOT_ID.into(),
        name: Some(BOT_NAME.into()),
        role: Some(BOT_ROLE.into()),
    }
}

fn with_typing(incoming: &Activity, replies: Vec<Activity>) -> Vec<Activity> {
    let mut all = vec![bot_activity(incoming, "typing")];
    all.extend(replies);
    all
}

fn message(incoming: &Activity, text: String) -> Activity {
    let mut activity = bot_activity(incoming, "message");
    activity.text = Some(text);
    activity.text_format = Some("plain".into());
    activity
}

fn bot_activity(incoming: &Activity, kind: &str) -> Activity {
    Activity {
        kind: kind.into(),
        from: Some(bot_account()),
        reply_to_id: incoming.id.clone(),
        ..Activity::default()
    }
}
