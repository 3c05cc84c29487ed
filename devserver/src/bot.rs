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
//! Developer commands: `/echo TEXT` answers `echo: TEXT` (the soak test), and a visitor message `/burst N` (1 ≤ N ≤ 10000) makes the bot answer with
//! N messages `Burst message 1 of N` … `Burst message N of N`, in order and without typing
//! activities, so the benchmark can measure how the widget renders a flood of messages. It
//! leaves the conversation state alone (no topic, no fallback count).
//!
//! Pure: no I/O, no clock, no ids. The store stamps ids, timestamps and the conversation on
//! what this returns. Must not import axum or tokio.

use std::collections::BTreeMap;

use handoff_core::activity::{Activity, Attachment, ChannelAccount};
use handoff_core::survey::SurveyAnswers;
use serde_json::{json, Value};

/// The bot's account id (`from.id` of everything it sends).
pub const BOT_ID: &str = "demo-bot";
/// The bot's display name.
pub const BOT_NAME: &str = "Demo Bot";
/// Consecutive not-understood messages that trigger an implicit escalation.
pub const FALLBACK_LIMIT: u32 = 3;
/// Reply to a message no topic understood.
pub const FALLBACK_TEXT: &str = "Sorry, I didn't understand that. You can ask about opening \
     hours, order status or password reset, or ask to talk to a person.";
/// Message sent just before the `handoff.initiate` event.
pub const ESCALATION_TEXT: &str = "Let me connect you with someone who can help.";
/// Name of the standard handoff event.
pub const HANDOFF_EVENT: &str = "handoff.initiate";
/// Name of the event carrying a handoff's outcome.
pub const STATUS_EVENT: &str = "handoff.status";
/// Reply to `handoff.status` completed: the visitor is back from the agent.
pub const WELCOME_BACK_TEXT: &str = "Welcome back! Is there anything else I can help you with?";
/// Reply to `handoff.status` failed: no agent joined.
pub const HANDOFF_FAILED_TEXT: &str = "Sorry, no one could join this time. I'm still here: \
     ask me about opening hours, order status or password reset.";
/// The developer command that makes the bot send many messages at once.
pub const BURST_COMMAND: &str = "/burst";
/// Largest N `/burst N` accepts.
pub const BURST_MAX: u32 = 10_000;
/// Reply to `/burst` with a missing or out-of-range count.
pub const BURST_USAGE_TEXT: &str =
    "Usage: /burst N, with N from 1 to 10000. I then send N numbered messages at once.";
/// Name of the event that sets global variables (Copilot Studio web canvas).
pub const SET_CONTEXT_EVENT: &str = "pvaSetContext";
/// The developer command listing the global variables.
pub const CONTEXT_COMMAND: &str = "/context";
/// The visitor question listing the global variables (compared lower-cased).
pub const CONTEXT_QUESTION: &str = "what do you know about me";
/// Reply to [`CONTEXT_QUESTION`] when no variable is set.
pub const NO_CONTEXT_TEXT: &str = "I know nothing about you yet.";
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

/// A question the bot can answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Faq {
    OpeningHours,
    OrderStatus,
    PasswordReset,
}

impl Faq {
    /// Topic name, as reported in `va_Topics` / `va_LastTopic`.
    pub fn topic(self) -> &'static str {
        match self {
            Faq::OpeningHours => "Opening hours",
            Faq::OrderStatus => "Order status",
            Faq::PasswordReset => "Password reset",
        }
    }

    /// The answer text.
    pub fn answer(self) -> &'static str {
        match self {
            Faq::OpeningHours => "We're open Monday to Friday, 9:00 to 17:00 (CET).",
            Faq::OrderStatus => {
                "You can follow your order under My account > Orders; the tracking link is \
                 also in your confirmation email."
            }
            Faq::PasswordReset => {
                "To reset your password, choose \"Forgot password?\" on the sign-in page and \
                 follow the link we email you."
            }
        }
    }
}

/// What a message asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Intent {
    /// The visitor wants a person.
    Escalate,
    /// One of the FAQ topics.
    Faq(Faq),
    /// Nothing the bot knows.
    Unknown,
}

/// A developer command typed as a message (not a question for the bot).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DevCommand {
    /// `/burst N`: N numbered messages in one go.
    Burst(u32),
    /// `/burst` with a missing, malformed or out-of-range count.
    BurstUsage,
    /// `/echo TEXT`: one reply `echo: TEXT` (the soak test's deterministic exchange).
    Echo,
}

/// The soak test's command: the bot answers `echo: <rest>`.
pub const ECHO_COMMAND: &str = "/echo ";

/// The developer command in `text`, if it is one. `/burst` must be the whole first word
/// ("/bursty" is an ordinary message).
pub fn dev_command(text: &str) -> Option<DevCommand> {
    if text.trim_start().starts_with(ECHO_COMMAND) {
        return Some(DevCommand::Echo);
    }
    let rest = text.trim().strip_prefix(BURST_COMMAND)?;
    if rest.chars().next().is_some_and(|c| !c.is_whitespace()) {
        return None;
    }
    match rest.trim().parse::<u32>() {
        Ok(n) if (1..=BURST_MAX).contains(&n) => Some(DevCommand::Burst(n)),
        _ => Some(DevCommand::BurstUsage),
    }
}

/// Text of the `index`-th message (1-based) of a `/burst count`.
pub fn burst_text(index: u32, count: u32) -> String {
    format!("Burst message {index} of {count}")
}

/// Why the bot hands the conversation over (`reason` in the handoff context).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reason {
    /// The visitor asked for a person.
    Explicit,
    /// Too many messages in a row were not understood.
    Fallback,
}

impl Reason {
    fn as_str(self) -> &'static str {
        match self {
            Reason::Explicit => "explicit",
            Reason::Fallback => "fallback",
        }
    }

    /// The Copilot Studio system topic that escalates for this reason.
    fn topic(self) -> &'static str {
        match self {
            Reason::Explicit => "Escalate",
            Reason::Fallback => "Fallback",
        }
    }
}

/// Keyword intent detection on lower-cased words. Escalation wins over FAQ topics, so
/// "a human about my order" reaches a person.
pub fn classify(text: &str) -> Intent {
    let lower = text.to_lowercase();
    let words: Vec<&str> = lower
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect();
    let any = |keys: &[&str]| words.iter().any(|w| keys.contains(w));
    if any(&[
        "agent",
        "agents",
        "human",
        "humans",
        "person",
        "people",
        "representative",
        "operator",
        "someone",
    ]) && !any(&["password", "passwords"])
    {
        // "someone changed my password" is a password question, not a request for a person.
        return Intent::Escalate;
    }
    if any(&["password", "passwords", "passcode"]) {
        Intent::Faq(Faq::PasswordReset)
    } else if any(&[
        "order", "orders", "delivery", "shipping", "tracking", "parcel",
    ]) {
        Intent::Faq(Faq::OrderStatus)
    } else if any(&["hours", "open", "opening", "closed", "closing"]) {
        Intent::Faq(Faq::OpeningHours)
    } else {
        Intent::Unknown
    }
}

/// Whether `text` asks the bot what it knows (its global variables).
pub fn is_context_question(text: &str) -> bool {
    let text = text.trim();
    text == CONTEXT_COMMAND
        || text
            .trim_end_matches(['?', '.', '!'])
            .trim_end()
            .to_lowercase()
            == CONTEXT_QUESTION
}

/// Merges a flat object of variables into `variables`: later keys win, `null` or `""`
/// removes a key, nested objects and arrays are ignored (Copilot Studio global variables
/// are scalars). Anything but an object changes nothing.
pub fn merge_variables(variables: &mut BTreeMap<String, Value>, value: Option<&Value>) {
    let Some(Value::Object(object)) = value else {
        return;
    };
    for (key, value) in object {
        match value {
            Value::Null => {
                variables.remove(key);
            }
            Value::String(s) if s.trim().is_empty() => {
                variables.remove(key);
            }
            Value::String(s) => {
                variables.insert(key.clone(), Value::String(s.trim().to_owned()));
            }
            Value::Bool(_) | Value::Number(_) => {
                variables.insert(key.clone(), value.clone());
            }
            Value::Array(_) | Value::Object(_) => {}
        }
    }
}

/// The answer listing the variables: `I know: a = 1, b = x` in key order.
pub fn context_text(variables: &BTreeMap<String, Value>) -> String {
    if variables.is_empty() {
        return NO_CONTEXT_TEXT.to_owned();
    }
    let listed: Vec<String> = variables
        .iter()
        .map(|(key, value)| match value {
            Value::String(s) => format!("{key} = {s}"),
            other => format!("{key} = {other}"),
        })
        .collect();
    format!("I know: {}", listed.join(", "))
}

/// The greeting for the survey answers.
pub fn greeting(answers: &SurveyAnswers) -> String {
    let mut text = match answers.first_name.as_str() {
        "" => "Hello, how can I help?".to_owned(),
        name => format!("Hello {name}, how can I help?"),
    };
    if !answers.case_number.is_empty() {
        text.push_str(&format!(" I can see your case {}.", answers.case_number));
    }
    text
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
    let from_user = incoming
        .from
        .as_ref()
        .is_some_and(|f| f.role.as_deref() == Some("user"));
    let outcome = incoming
        .value
        .as_ref()
        .and_then(|v| v.get("state"))
        .and_then(Value::as_str);
    let text = match outcome {
        Some("completed") if from_user => WELCOME_BACK_TEXT,
        Some("failed") if from_user => HANDOFF_FAILED_TEXT,
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
    event.name = Some(HANDOFF_EVENT.into());
    event.value = Some(value);
    event.attachments = vec![transcript_attachment(ctx.history)];
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

/// The `Transcript` attachment of a handoff: every activity so far.
pub fn transcript_attachment(history: &[Activity]) -> Attachment {
    Attachment {
        content_type: "application/json".into(),
        name: Some("Transcript".into()),
        content: Some(json!({ "activities": history })),
        content_url: None,
    }
}

/// The bot's account.
pub fn bot_account() -> ChannelAccount {
    ChannelAccount {
        id: BOT_ID.into(),
        name: Some(BOT_NAME.into()),
        role: Some("bot".into()),
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

#[cfg(test)]
mod tests {
    use super::*;

    fn user_message(id: &str, text: &str) -> Activity {
        Activity {
            kind: "message".into(),
            id: Some(id.into()),
            text: Some(text.into()),
            from: Some(ChannelAccount {
                id: "dl_user".into(),
                name: None,
                role: Some("user".into()),
            }),
            ..Activity::default()
        }
    }

    fn start_event(value: Value) -> Activity {
        Activity {
            kind: "event".into(),
            name: Some("startConversation".into()),
            value: Some(value),
            text: None,
            ..user_message("c|0000001", "")
        }
    }

    /// Feeds one activity the way the store does: appended to history, then answered.
    fn send(
        state: &mut BotState,
        history: &mut Vec<Activity>,
        activity: Activity,
    ) -> Vec<Activity> {
        history.push(activity.clone());
        let ctx = Context {
            conversation_id: "c",
            history,
        };
        let replies = respond(state, &activity, ctx);
        history.extend(replies.iter().cloned());
        replies
    }

    fn texts(replies: &[Activity]) -> Vec<&str> {
        replies
            .iter()
            .filter(|a| a.kind == "message")
            .filter_map(|a| a.text.as_deref())
            .collect()
    }

    fn handoff(replies: &[Activity]) -> Option<&Activity> {
        replies.iter().find(|a| a.is_event(HANDOFF_EVENT))
    }

    #[test]
    fn greets_by_first_name_and_mentions_the_case() {
        let mut state = BotState::default();
        let replies = send(
            &mut state,
            &mut vec![],
            start_event(json!({"firstName": " Ada ", "lastName": "Lovelace",
                               "email": "ada@example.com", "caseNumber": "CAS-01234"})),
        );
        assert_eq!(replies[0].kind, "typing");
        assert_eq!(
            texts(&replies),
            ["Hello Ada, how can I help? I can see your case CAS-01234."]
        );
        assert_eq!(replies[1].from, Some(bot_account()));
        assert_eq!(replies[1].reply_to_id.as_deref(), Some("c|0000001"));
        assert_eq!(state.answers.last_name, "Lovelace");
    }

    #[test]
    fn greets_without_name_or_case() {
        let mut state = BotState::default();
        let replies = send(&mut state, &mut vec![], start_event(json!({})));
        assert_eq!(texts(&replies), ["Hello, how can I help?"]);
        let replies = send(
            &mut state,
            &mut vec![],
            start_event(json!({"firstName": "Ada"})),
        );
        assert_eq!(texts(&replies), ["Hello Ada, how can I help?"]);
    }

    #[test]
    fn answers_the_faq_topics() {
        let mut state = BotState::default();
        let hours = send(
            &mut state,
            &mut vec![],
            user_message("c|1", "What are your opening hours?"),
        );
        assert!(texts(&hours)[0].contains("Monday to Friday"));
        let order = send(
            &mut state,
            &mut vec![],
            user_message("c|2", "Where is my ORDER?"),
        );
        assert_eq!(texts(&order), [Faq::OrderStatus.answer()]);
        let reset = send(
            &mut state,
            &mut vec![],
            user_message("c|3", "reset password"),
        );
        assert_eq!(texts(&reset), [Faq::PasswordReset.answer()]);
        assert_eq!(
            state.topics,
            ["Opening hours", "Order status", "Password reset"]
        );
    }

    #[test]
    fn unknown_text_gets_the_fallback() {
        let mut state = BotState::default();
        let replies = send(&mut state, &mut vec![], user_message("c|1", "bananas"));
        assert_eq!(texts(&replies), [FALLBACK_TEXT]);
        assert_eq!(state.fallbacks, 1);
        assert!(handoff(&replies).is_none());
    }

    #[test]
    fn ignores_other_events_typing_and_empty_messages() {
        let mut state = BotState::default();
        let mut other = start_event(json!({}));
        other.name = Some("webchat/join".into());
        let mut typing = user_message("c|2", "");
        typing.kind = "typing".into();
        for activity in [other, typing, user_message("c|3", "   ")] {
            assert!(send(&mut state, &mut vec![], activity).is_empty());
        }
        assert_eq!(state, BotState::default());
    }

    #[test]
    fn explicit_escalation_sends_message_then_handoff_with_context_and_transcript() {
        let mut state = BotState::default();
        let mut history = vec![];
        send(
            &mut state,
            &mut history,
            start_event(json!({"firstName": "Ada", "lastName": "Lovelace",
                               "email": "ada@example.com", "caseNumber": "CAS-01234"})),
        );
        send(
            &mut state,
            &mut history,
            user_message("c|0000004", "opening hours"),
        );
        let mut ask = user_message("c|0000007", "I want to talk to a person");
        ask.locale = Some("de-DE".into());
        let replies = send(&mut state, &mut history, ask);

        assert_eq!(texts(&replies), [ESCALATION_TEXT]);
        let event = handoff(&replies).expect("handoff.initiate");
        assert_eq!(event.from, Some(bot_account()));
        let value = event.value.as_ref().unwrap();
        assert_eq!(value["firstName"], "Ada");
        assert_eq!(value["lastName"], "Lovelace");
        assert_eq!(value["email"], "ada@example.com");
        assert_eq!(value["caseNumber"], "CAS-01234");
        assert_eq!(value["reason"], "explicit");
        assert_eq!(value["va_Scope"], "bot");
        assert_eq!(value["va_LastTopic"], "Escalate");
        assert_eq!(value["va_LastPhrases"], "I want to talk to a person");
        assert_eq!(
            value["va_Topics"],
            json!(["Greeting", "Opening hours", "Escalate"])
        );
        assert_eq!(value["va_ConversationId"], "c");
        assert_eq!(value["va_BotId"], BOT_ID);
        assert_eq!(value["va_BotName"], BOT_NAME);
        assert_eq!(value["va_Language"], "de-DE");

        let attachment = &event.attachments[0];
        assert_eq!(attachment.content_type, "application/json");
        assert_eq!(attachment.name.as_deref(), Some("Transcript"));
        let transcript = &attachment.content.as_ref().unwrap()["activities"];
        let transcript_texts: Vec<&str> = transcript
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|a| a["text"].as_str())
            .collect();
        assert_eq!(
            transcript_texts,
            [
                "Hello Ada, how can I help? I can see your case CAS-01234.",
                "opening hours",
                Faq::OpeningHours.answer(),
                "I want to talk to a person",
            ]
        );
        assert!(transcript[0]["name"] == "startConversation");
    }

    #[test]
    fn escalation_phrases_are_recognised() {
        for text in [
            "talk to a person",
            "I want a human",
            "agent please",
            "A representative!",
        ] {
            assert_eq!(classify(text), Intent::Escalate, "{text}");
        }
        assert_eq!(
            classify("someone changed my password"),
            Intent::Faq(Faq::PasswordReset)
        );
    }

    #[test]
    fn third_consecutive_fallback_escalates_instead_of_apologising() {
        let mut state = BotState::default();
        let mut history = vec![];
        for n in 1..=2 {
            let replies = send(&mut state, &mut history, user_message("c|x", "bananas"));
            assert_eq!(texts(&replies), [FALLBACK_TEXT], "message {n}");
        }
        let replies = send(
            &mut state,
            &mut history,
            user_message("c|x", "still bananas"),
        );
        assert_eq!(texts(&replies), [ESCALATION_TEXT]);
        let value = handoff(&replies).unwrap().value.clone().unwrap();
        assert_eq!(value["reason"], "fallback");
        assert_eq!(value["va_LastTopic"], "Fallback");
        assert_eq!(value["va_Language"], "en-us");
        assert_eq!(state.fallbacks, 0, "the count starts again after a handoff");
    }

    #[test]
    fn an_understood_message_resets_the_fallback_count() {
        let mut state = BotState::default();
        let mut history = vec![];
        send(&mut state, &mut history, user_message("c|x", "bananas"));
        send(&mut state, &mut history, user_message("c|x", "bananas"));
        send(
            &mut state,
            &mut history,
            user_message("c|x", "opening hours"),
        );
        assert_eq!(state.fallbacks, 0);
        for _ in 0..2 {
            let replies = send(&mut state, &mut history, user_message("c|x", "bananas"));
            assert!(handoff(&replies).is_none());
        }
        let replies = send(&mut state, &mut history, user_message("c|x", "bananas"));
        assert!(handoff(&replies).is_some());
    }

    #[test]
    fn answers_the_handoff_outcome_told_by_the_visitor() {
        let mut state = BotState {
            fallbacks: 2,
            ..BotState::default()
        };
        let status = |value: Value| Activity {
            kind: "event".into(),
            name: Some(STATUS_EVENT.into()),
            value: Some(value),
            text: None,
            ..user_message("c|9", "")
        };
        let replies = send(
            &mut state,
            &mut vec![],
            status(json!({"state": "completed"})),
        );
        assert_eq!(replies[0].kind, "typing");
        assert_eq!(texts(&replies), [WELCOME_BACK_TEXT]);
        assert_eq!(state.fallbacks, 0);
        let replies = send(
            &mut state,
            &mut vec![],
            status(json!({"state": "failed", "message": "No agent"})),
        );
        assert_eq!(texts(&replies), [HANDOFF_FAILED_TEXT]);
        assert!(send(
            &mut state,
            &mut vec![],
            status(json!({"state": "accepted"}))
        )
        .is_empty());
        let mut from_bot = status(json!({"state": "completed"}));
        from_bot.from.as_mut().unwrap().role = Some("bot".into());
        assert!(send(&mut state, &mut vec![], from_bot).is_empty());
    }

    #[test]
    fn burst_sends_n_numbered_messages_in_order_without_typing() {
        let mut state = BotState {
            fallbacks: 2,
            ..BotState::default()
        };
        let before = state.clone();
        let replies = send(&mut state, &mut vec![], user_message("c|5", " /burst 3 "));
        assert!(replies.iter().all(|a| a.kind == "message"), "no typing");
        assert_eq!(
            texts(&replies),
            [
                "Burst message 1 of 3",
                "Burst message 2 of 3",
                "Burst message 3 of 3"
            ]
        );
        assert!(replies
            .iter()
            .all(|a| a.from == Some(bot_account()) && a.reply_to_id.as_deref() == Some("c|5")));
        assert_eq!(
            state, before,
            "a developer command is neither a topic nor a fallback"
        );
    }

    #[test]
    fn echo_answers_with_the_text_and_leaves_the_bot_state_alone() {
        let mut state = BotState::default();
        for _ in 0..5 {
            let replies = send(
                &mut state,
                &mut vec![],
                user_message("c|5", "/echo soak 17"),
            );
            assert_eq!(texts(&replies), ["echo: soak 17"]);
        }
        assert_eq!(dev_command("/echoes"), None);
    }

    #[test]
    fn burst_accepts_1_to_10000_and_explains_anything_else() {
        assert_eq!(dev_command("/burst 1"), Some(DevCommand::Burst(1)));
        assert_eq!(
            dev_command("/burst\t10000"),
            Some(DevCommand::Burst(BURST_MAX))
        );
        let big = send(
            &mut BotState::default(),
            &mut vec![],
            user_message("c|1", "/burst 10000"),
        );
        assert_eq!(big.len(), 10_000);
        assert_eq!(
            big[9_999].text.as_deref(),
            Some("Burst message 10000 of 10000")
        );
        for text in [
            "/burst",
            "/burst 0",
            "/burst 10001",
            "/burst -3",
            "/burst many",
            "/burst 2 3",
        ] {
            assert_eq!(dev_command(text), Some(DevCommand::BurstUsage), "{text}");
            let replies = send(
                &mut BotState::default(),
                &mut vec![],
                user_message("c|1", text),
            );
            assert_eq!(texts(&replies), [BURST_USAGE_TEXT], "{text}");
        }
        assert_eq!(dev_command("/bursty 3"), None);
        assert_eq!(dev_command("please /burst 3"), None);
        let ordinary = send(
            &mut BotState::default(),
            &mut vec![],
            user_message("c|1", "/bursty 3"),
        );
        assert_eq!(texts(&ordinary), [FALLBACK_TEXT]);
    }

    fn set_context(value: Value) -> Activity {
        Activity {
            name: Some(SET_CONTEXT_EVENT.into()),
            ..start_event(value)
        }
    }

    #[test]
    fn set_context_merges_variables_silently_and_the_visitor_can_list_them() {
        let mut state = BotState::default();
        let mut history = vec![];
        let survey = json!({"firstName": "Ada", "lastName": "Lovelace",
                            "email": "ada@example.com", "caseNumber": "CAS-01234"});
        let greeting = send(&mut state, &mut history, start_event(survey.clone()));
        assert_eq!(
            texts(&greeting),
            ["Hello Ada, how can I help? I can see your case CAS-01234."],
            "the greeting is unchanged"
        );
        let mut context = survey.clone();
        context["plan"] = json!("gold");
        assert!(send(&mut state, &mut history, set_context(context)).is_empty());
        let replies = send(
            &mut state,
            &mut history,
            user_message("c|5", "  What do you KNOW about me? "),
        );
        assert_eq!(replies[0].kind, "typing");
        assert_eq!(
            texts(&replies),
            [
                "I know: caseNumber = CAS-01234, email = ada@example.com, firstName = Ada, \
              lastName = Lovelace, plan = gold"
            ]
        );

        // Later events override, remove with null or "", keep numbers and booleans.
        let later = set_context(json!({"plan": "platinum", "email": null, "caseNumber": "",
                                       "visits": 3, "vip": true, "nested": {"x": 1}}));
        assert!(send(&mut state, &mut history, later).is_empty());
        let replies = send(&mut state, &mut history, user_message("c|6", "/context"));
        assert_eq!(
            texts(&replies),
            [
                "I know: firstName = Ada, lastName = Lovelace, plan = platinum, vip = true, \
              visits = 3"
            ]
        );
        assert_eq!(state.topics, ["Greeting"], "neither is a topic");
    }

    #[test]
    fn knows_nothing_before_any_context_and_ignores_non_objects() {
        let mut state = BotState::default();
        assert!(send(&mut state, &mut vec![], set_context(json!("plan=gold"))).is_empty());
        let replies = send(
            &mut state,
            &mut vec![],
            user_message("c|1", "what do you know about me"),
        );
        assert_eq!(texts(&replies), [NO_CONTEXT_TEXT]);
        assert!(!is_context_question(
            "what do you know about me and my order"
        ));
        assert!(!is_context_question("/contexts"));
    }

    #[test]
    fn ignores_its_own_activities() {
        let mut state = BotState::default();
        let mut own = user_message("c|1", "bananas");
        own.from = Some(bot_account());
        assert!(send(&mut state, &mut vec![], own).is_empty());
    }
}
