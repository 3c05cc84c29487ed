//! What the demo bot says and understands: the FAQ topics and their answers, keyword intent
//! detection, the reasons it escalates, the greeting and its fixed replies. Pure text.

use handoff_core::survey::SurveyAnswers;

/// Reply to a message no topic understood.
pub const FALLBACK_TEXT: &str = "Sorry, I didn't understand that. You can ask about opening \
     hours, order status or password reset, or ask to talk to a person. Say \"help\" to see \
     what else I can show.";
/// Message sent just before the `handoff.initiate` event.
pub const ESCALATION_TEXT: &str = "Let me connect you with someone who can help.";
/// Reply to `handoff.status` completed: the visitor is back from the agent.
pub const WELCOME_BACK_TEXT: &str = "Welcome back! Is there anything else I can help you with?";
/// Reply to `handoff.status` failed: no agent joined.
pub const HANDOFF_FAILED_TEXT: &str = "Sorry, no one could join this time. I'm still here: \
     ask me about opening hours, order status or password reset.";

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

/// Why the bot hands the conversation over (`reason` in the handoff context).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reason {
    /// The visitor asked for a person.
    Explicit,
    /// Too many messages in a row were not understood.
    Fallback,
}

impl Reason {
    pub(super) fn as_str(self) -> &'static str {
        match self {
            Reason::Explicit => "explicit",
            Reason::Fallback => "fallback",
        }
    }

    /// The Copilot Studio system topic that escalates for this reason.
    pub(super) fn topic(self) -> &'static str {
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
