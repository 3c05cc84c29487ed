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
//! can measure how the widget renders a flood of messages. It leaves the conversation state
//! alone (no topic, no fallback count).
//!
//! Layout: this file owns the conversation loop ([`respond`]: what the bot does with one
//! incoming activity, its memory, the escalation and its context); `bot/content.rs` what it
//! says and understands (topics, intents, the greeting, fixed replies); `bot/commands.rs`
//! the developer commands and the global variables.
//!
//! The handoff vocabulary (event names, states, roles, the transcript attachment) is core's
//! `handoff_core::handoff`, shared with the widget and the hub.
//!
//! Pure: no I/O, no clock, no ids. The store stamps ids, timestamps and the conversation on
//! what this returns. Must not import axum or tokio.

use std::collections::BTreeMap;

use handoff_core::activity::{Activity, ChannelAccount};
use handoff_core::handoff::{
    from_visitor, transcript_attachment, BOT_ROLE, COMPLETED, FAILED, INITIATE_EVENT, STATUS_EVENT,
};
use handoff_core::survey::SurveyAnswers;
use serde_json::{json, Value};

mod commands;
mod content;
#[cfg(test)]
mod tests;

pub use commands::*;
pub use content::*;

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
}

/// What the bot may read about the conversation besides its own state.
#[derive(Debug, Clone, Copy)]
pub struct Context<'a> {
    /// The conversation id (goes into the handoff context).
    pub conversation_id: &'a str,
    /// Every activity so far, including the incoming one (becomes the handoff transcript).
    pub history: &'a [Activity],
}

/// The bot's answer to one incoming activity: a `typing` activity followed by the replies,
/// or nothing for activities it ignores (other events, typing, empty messages, its own).
pub fn respond(state: &mut BotState, incoming: &Activity, ctx: Context<'_>) -> Vec<Activity> {
    if incoming.from_id() == BOT_ID {
        return Vec::new();
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
        return with_typing(incoming, vec![message(incoming, greeting(&state.answers))]);
    }
    if incoming.is_event(SET_CONTEXT_EVENT) {
        merge_variables(&mut state.variables, incoming.value.as_ref());
        return Vec::new();
    }
    if incoming.is_event(STATUS_EVENT) {
        return handoff_outcome(state, incoming);
    }
    let text = incoming.text.as_deref().map(str::trim).unwrap_or_default();
    if incoming.kind != "message" || text.is_empty() {
        return Vec::new();
    }
    match dev_command(text) {
        // Only messages: a typing activity between them would be noise in the benchmark.
        Some(DevCommand::Burst(count)) => {
            return (1..=count)
                .map(|i| message(incoming, burst_text(i, count)))
                .collect();
        }
        Some(DevCommand::BurstUsage) => return vec![message(incoming, BURST_USAGE_TEXT.into())],
        Some(DevCommand::Echo) => {
            let said = text.trim_start().trim_start_matches(ECHO_COMMAND);
            return vec![message(incoming, format!("echo: {said}"))];
        }
        None => {}
    }
    state.last_phrase = text.to_owned();
    if is_context_question(text) {
        state.fallbacks = 0;
        return with_typing(
            incoming,
            vec![message(incoming, context_text(&state.variables))],
        );
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
