//! Every string the visitor sees, in each supported language.
//!
//! One table per language, indexed by [`Text`]; `{}` marks where [`fill`] puts its
//! arguments, in order. The language comes from `data-locale`, else the page's `lang`, else
//! the browser ([`Lang::pick`]); anything unsupported falls back to English.
//!
//! English is built in. The other tables live in `locales/<lang>.js` and are loaded only
//! for visitors who need them (the loader imports one next to the wasm, and the widget
//! [`install`]s it), so an English page downloads none of them.

/// A supported interface language.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Lang {
    #[default]
    En,
    Es,
    Fr,
    De,
    Ar,
}

impl Lang {
    /// Every language, in table order.
    pub const ALL: [Lang; 5] = [Lang::En, Lang::Es, Lang::Fr, Lang::De, Lang::Ar];

    /// The language of a BCP 47 tag (`fr-CA` → French), if supported.
    pub fn from_tag(tag: &str) -> Option<Lang> {
        let primary = tag.trim().split(['-', '_']).next()?.to_ascii_lowercase();
        Some(match primary.as_str() {
            "en" => Lang::En,
            "es" => Lang::Es,
            "fr" => Lang::Fr,
            "de" => Lang::De,
            "ar" => Lang::Ar,
            _ => return None,
        })
    }

    /// The first tag naming a supported language, else English.
    pub fn pick<'a>(tags: impl IntoIterator<Item = &'a str>) -> Lang {
        tags.into_iter()
            .find_map(Lang::from_tag)
            .unwrap_or_default()
    }

    /// The primary subtag (`lang` attribute of the widget).
    pub fn tag(self) -> &'static str {
        ["en", "es", "fr", "de", "ar"][self as usize]
    }

    /// Whether the language is written right to left.
    pub fn rtl(self) -> bool {
        self == Lang::Ar
    }

    /// The string `text` in this language (English until its table is installed).
    pub fn t(self, text: Text) -> &'static str {
        let i = text as usize;
        match table(self) {
            Some(strings) => &strings[i],
            None => EN[i],
        }
    }
}

/// The visible strings, in table order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Text {
    ChatTitle,
    OpenChat,
    CloseChat,
    MinimizeChat,
    EndChat,
    SurveyIntro,
    StartChat,
    FirstName,
    LastName,
    Email,
    CaseNumber,
    FieldRequired,
    InvalidEmail,
    InvalidCaseNumber,
    CaseNumberFormat,
    TooLong,
    MessageLabel,
    TypeMessage,
    Send,
    WaitingToSend,
    Sending,
    Sent,
    NotSent,
    Retry,
    TryAgain,
    Connecting,
    ConnectionLost,
    StillReconnecting,
    Reconnecting,
    StartNewChat,
    ChattingWith,
    WaitingForAgent,
    AgentJoined,
    AgentLeft,
    TheAgent,
    AnAgent,
    AgentSuffix,
    ConnectingToAgent,
    QueuePositionWait,
    QueuePosition,
    EstimatedWait,
    LessThanMinute,
    AboutMinutes,
    WaitingNextAgent,
    NoAgent,
    CouldntReachAgent,
    YouEndedChat,
    ConversationLabel,
    ErrNetwork,
    ErrRefused,
    ErrEnded,
    ErrBusy,
    ErrTrouble,
    ErrUnreadable,
    IsTyping,
    CantShow,
}

/// Number of strings per table.
const N: usize = Text::CantShow as usize + 1;

/// Replaces each `{}` in `template` with the next argument.
pub fn fill(template: &str, args: &[&str]) -> String {
    let mut out = String::with_capacity(template.len() + 16);
    let mut parts = template.split("{}");
    out.push_str(parts.next().unwrap_or_default());
    for (i, part) in parts.enumerate() {
        out.push_str(args.get(i).copied().unwrap_or_default());
        out.push_str(part);
    }
    out
}

/// The installed translation (one language per page).
#[cfg(not(test))]
static INSTALLED: std::sync::OnceLock<(Lang, Vec<String>)> = std::sync::OnceLock::new();

/// Installs `lang`'s table (the strings of `locales/<lang>.js`). Refused, keeping English,
/// when it does not have one string per [`Text`] with English's `{}` placeholders.
pub fn install(lang: Lang, strings: Vec<String>) -> Result<(), &'static str> {
    check(&strings)?;
    #[cfg(not(test))]
    let _ = INSTALLED.set((lang, strings));
    #[cfg(test)]
    let _ = lang;
    Ok(())
}

fn check(strings: &[String]) -> Result<(), &'static str> {
    if strings.len() != N {
        return Err("a locale table needs one string per text");
    }
    let same_placeholders = strings
        .iter()
        .zip(EN)
        .all(|(s, en)| !s.trim().is_empty() && s.matches("{}").count() == en.matches("{}").count());
    same_placeholders
        .then_some(())
        .ok_or("a locale string is empty or has other placeholders than English")
}

#[cfg(not(test))]
fn table(lang: Lang) -> Option<&'static [String]> {
    let (installed, strings) = INSTALLED.get()?;
    (*installed == lang && lang != Lang::En).then_some(strings.as_slice())
}

/// Tests read the shipped tables directly.
#[cfg(test)]
fn table(lang: Lang) -> Option<&'static [String]> {
    static TABLES: std::sync::OnceLock<Vec<Vec<String>>> = std::sync::OnceLock::new();
    let tables = TABLES.get_or_init(|| {
        [
            include_str!("../../locales/es.js"),
            include_str!("../../locales/fr.js"),
            include_str!("../../locales/de.js"),
            include_str!("../../locales/ar.js"),
        ]
        .iter()
        .map(|module| tests::parse_module(module))
        .collect()
    });
    (lang != Lang::En).then(|| tables[lang as usize - 1].as_slice())
}

const EN: [&str; N] = [
    "Chat with us",
    "Open chat",
    "Close chat",
    "Minimize chat",
    "End chat",
    "Before we start, tell us a little about you.",
    "Start chat",
    "First name",
    "Last name",
    "Email",
    "Case number",
    "{} is required.",
    "Enter an email address like name@example.com.",
    "Case numbers use letters, digits and dashes (3 to 32 characters).",
    "This case number is not in the expected format.",
    "{} must be at most 200 characters.",
    "Message",
    "Type your message…",
    "Send",
    "Waiting to send",
    "Sending…",
    "Sent",
    "Not sent",
    "Retry",
    "Try again",
    "Connecting…",
    "Connection lost. Your messages are kept.",
    "Still reconnecting… your messages will be sent when the connection is back.",
    "Reconnecting…",
    "Start a new chat",
    "Chatting with {}",
    "Waiting for an agent",
    "{} joined the chat",
    "{} left the chat",
    "The agent",
    "An agent",
    "{} (agent)",
    "Connecting you to an agent…",
    "You're number {} in line ({}).",
    "You're number {} in line.",
    "Estimated wait: {}.",
    "less than a minute",
    "about {} min",
    "Waiting for the next available agent…",
    "No agent is available right now. Please try again later.",
    "We couldn't reach an agent right now.",
    "You ended the chat.",
    "Conversation",
    "We can't reach the chat service. Check your connection and try again.",
    "The chat service refused to connect. Please try again.",
    "This conversation has ended.",
    "The chat service is busy right now. Please try again in a moment.",
    "The chat service is having trouble (error {}). Please try again.",
    "The chat service sent an answer we could not read. Please try again.",
    "{} is typing…",
    "This message can't be shown here.",
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn languages_are_picked_from_the_first_supported_tag() {
        assert_eq!(Lang::pick(["fr-CA"]), Lang::Fr);
        assert_eq!(Lang::pick(["", "xx-YY", "de_AT", "es"]), Lang::De);
        assert_eq!(Lang::pick(["AR-eg"]), Lang::Ar);
        assert_eq!(Lang::pick(["ja-JP", "pt"]), Lang::En);
        assert!(Lang::Ar.rtl() && !Lang::Fr.rtl());
    }

    #[test]
    fn fill_puts_arguments_in_order() {
        assert_eq!(
            fill(Lang::En.t(Text::QueuePositionWait), &["2", "about 2 min"]),
            "You're number 2 in line (about 2 min)."
        );
        assert_eq!(
            fill(Lang::Fr.t(Text::AgentJoined), &["Alex"]),
            "Alex a rejoint la conversation"
        );
        assert_eq!(fill("{} and {}", &["a"]), "a and ");
    }

    /// The array of a `locales/<lang>.js` module (`export default [...];`).
    pub(super) fn parse_module(module: &str) -> Vec<String> {
        let start = module.find("export default").expect("export default") + 14;
        let array = module[start..].trim().trim_end_matches(';');
        serde_json::from_str(array).expect("a JSON array of strings")
    }

    #[test]
    fn every_shipped_table_is_complete_with_the_placeholders_of_english() {
        for lang in &Lang::ALL[1..] {
            let strings = table(*lang).unwrap();
            assert_eq!(check(strings), Ok(()), "{lang:?}");
            assert_ne!(lang.t(Text::SurveyIntro), EN[Text::SurveyIntro as usize]);
        }
    }

    #[test]
    fn incomplete_or_mismatched_tables_are_refused() {
        let mut strings: Vec<String> = EN.iter().map(|s| s.to_string()).collect();
        assert_eq!(install(Lang::Fr, strings.clone()), Ok(()));
        strings[Text::AgentJoined as usize] = "a rejoint".into();
        assert!(install(Lang::Fr, strings.clone()).is_err());
        strings.pop();
        assert!(install(Lang::Fr, strings).is_err());
    }
}
