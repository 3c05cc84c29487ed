//! Every `data-*` option of the script tag, declared once: the attribute a site owner
//! writes, the dataset name the loader hands over, the kind of value it takes (which decides
//! its check in [`super::WidgetConfig::from_attributes`]), the default as the README states
//! it, and the README's description (the `///` lines of each entry).
//!
//! The README's option table is generated from [`OPTIONS`]: the test at the end of this file
//! fails when they differ and rewrites the README's table with `UPDATE_README=1`. The widget
//! reads only the names and kinds (the constants); nothing it runs reads [`OPTIONS`], so the
//! documentation never reaches the wasm.
//!
//! Must not import anything outside core.

/// One option: how the loader names it, how a site owner writes it, what it takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Opt {
    /// Dataset name (camelCase): the key of the map the loader hands over, and of the page's
    /// `window.HandoffChat = {config: {...}}`.
    pub key: &'static str,
    /// The attribute as written on the tag (`data-token-url`), named in errors.
    pub attribute: &'static str,
    /// What the value must be.
    pub kind: Kind,
}

/// What an option's value must be; each kind has one check.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// An absolute https URL (http only on localhost, `127.0.0.1`, `[::1]`) or a path on the
    /// page's origin (`/…`).
    Url,
    /// Any text, shown as text.
    Text,
    /// One of these values (comma-separated); the first is the default.
    Choice(&'static str),
    /// Present (or `true`) / absent (or `false`).
    Flag,
    /// `#rgb` or `#rrggbb`.
    Color,
    /// Survey field keys, comma-separated, or `none`.
    Fields,
    /// A JavaScript regular expression (the widget compiles it).
    Pattern,
    /// A BCP 47 language tag.
    Locale,
}

impl Kind {
    /// The values a choice accepts, comma-separated, the default first ("" for other kinds).
    pub const fn choices(self) -> &'static str {
        match self {
            Kind::Choice(allowed) => allowed,
            _ => "",
        }
    }
}

/// An option with its documentation: one row of the README's table.
#[derive(Debug, Clone, Copy)]
pub struct OptionDoc {
    pub opt: Opt,
    /// The default, as the README's table states it.
    pub default: &'static str,
    /// The description, one `///` line each (joined by spaces in the README).
    pub doc: &'static [&'static str],
}

/// `NAME = "attribute-without-data-" / "datasetName", kind, default "…";` with the README's
/// description as its `///` lines: a constant per option, and [`OPTIONS`] with them all.
macro_rules! options {
    ($(
        $(#[doc = $doc:literal])*
        $name:ident = $attribute:literal / $key:literal, $kind:expr, default $default:literal;
    )*) => {
        $(
            $(#[doc = $doc])*
            pub const $name: Opt = Opt {
                key: $key,
                attribute: concat!("data-", $attribute),
                kind: $kind,
            };
        )*

        /// Every option, in the README's order, with its documentation.
        pub const OPTIONS: &[OptionDoc] = &[$(
            OptionDoc { opt: $name, default: $default, doc: &[$($doc),*] },
        )*];
    };
}

options! {
    /// GET endpoint returning `{token, conversationId, expires_in}`. Copilot Studio's token
    /// endpoint
    /// (`https://<env>.environment.api.powerplatform.com/powervirtualagents/botsbyschema/<schema>/directline/token?api-version=…`)
    /// can be pasted as is. The page never holds a Direct Line secret. Like every URL option:
    /// `https` (`http` only on `localhost`, `127.0.0.1` or `[::1]`), or a path on the page's
    /// origin (`/api/token`).
    TOKEN_URL = "token-url" / "tokenUrl", Kind::Url,
        default "required (unless a secret is given)";
    /// Direct Line 3.0 base URL (absolute, or a path on the page's origin). With a Copilot
    /// Studio token URL and no `data-directline-url`, the widget asks the same environment's
    /// `/powervirtualagents/regionalchannelsettings?api-version=<the token URL's>` for
    /// `channelUrlsById.directline` (the regional host, e.g.
    /// `europe.directline.botframework.com`), as Copilot Studio's web canvas does, and keeps it
    /// with the chat.
    DIRECTLINE_URL = "directline-url" / "directlineUrl", Kind::Url,
        default "discovered for Copilot Studio, else `https://directline.botframework.com/v3/directline`";
    /// A Direct Line secret, exchanged for a token with `POST /tokens/generate`. **For local
    /// testing only**: anyone can read it in the page; the widget logs a loud console warning.
    DIRECTLINE_SECRET = "directline-secret" / "directlineSecret", Kind::Text,
        default "none";
    /// How a live agent is reached after the bot's `handoff.initiate`: `relay` (the hub relays
    /// the agent into the bot's conversation) or `bridge` (the widget opens a conversation on a
    /// Direct Line-style hub). See [docs/handoff.md](docs/handoff.md).
    HANDOFF_MODE = "handoff-mode" / "handoffMode", Kind::Choice("relay, bridge"),
        default "`relay`";
    /// The hub's Direct Line-style base URL.
    HUB_URL = "hub-url" / "hubUrl", Kind::Url,
        default "required for `bridge`";
    /// GET endpoint returning a hub token (same shape as `data-token-url`).
    HUB_TOKEN_URL = "hub-token-url" / "hubTokenUrl", Kind::Url,
        default "required for `bridge`";
    /// Panel title (also the dialog's accessible name).
    TITLE = "title" / "title", Kind::Text,
        default "\"Chat with us\" in the visitor's language";
    /// Line under the title while no agent is involved ("We reply in a few minutes"). While
    /// waiting for or chatting with an agent, the line says so instead.
    SUBTITLE = "subtitle" / "subtitle", Kind::Text,
        default "none";
    /// Accessible name of the launcher button.
    LAUNCHER_LABEL = "launcher-label" / "launcherLabel", Kind::Text,
        default "\"Open chat\" in the visitor's language";
    /// Brand colour, `#rgb` or `#rrggbb`: header, launcher, buttons, the visitor's bubbles.
    /// Text on it is black or white, whichever reads better.
    PRIMARY_COLOR = "primary-color" / "primaryColor", Kind::Color,
        default "`#0b5cad`";
    /// `right` or `left`: the page corner of the launcher and panel.
    POSITION = "position" / "position", Kind::Choice("right, left"),
        default "`right`";
    /// `auto` (follows the visitor's light/dark system setting), `light` or `dark`.
    THEME = "theme" / "theme", Kind::Choice("auto, light, dark"),
        default "`auto`";
    /// Present (or `true`): the panel opens as soon as the widget loads (the wasm is fetched at
    /// once).
    START_OPEN = "start-open" / "startOpen", Kind::Flag,
        default "off";
    /// BCP 47 locale sent to the bot with every activity, and the interface language: `en`,
    /// `es`, `fr`, `de` or `ar` (right to left) by primary subtag; anything else shows English.
    LOCALE = "locale" / "locale", Kind::Locale,
        default "the page's `lang`, else the browser's language";
    /// Which survey fields show, in this order (comma-separated). `none`: no fields, the survey
    /// is just the greeting and a "Start chat" button.
    SURVEY_FIELDS = "survey-fields" / "surveyFields", Kind::Fields,
        default "`firstName,lastName,email,caseNumber`";
    /// Which of the shown fields must be filled (`none`: none).
    SURVEY_REQUIRED = "survey-required" / "surveyRequired", Kind::Fields,
        default "`firstName,email`";
    /// A JavaScript regular expression the whole case number must match, e.g.
    /// `CAS-\d{5}(-[A-Z0-9]{6})?`. A pattern that does not compile is a configuration error.
    CASE_NUMBER_PATTERN = "case-number-pattern" / "caseNumberPattern", Kind::Pattern,
        default "letters, digits and dashes, 3 to 32";
    /// Text above the survey.
    GREETING = "greeting" / "greeting", Kind::Text,
        default "\"Before we start, tell us a little about you.\" in the visitor's language";
    /// Small print under the survey's start button (plain text).
    PRIVACY = "privacy" / "privacy", Kind::Text,
        default "none";
    /// Where the live chat is kept so a reload or another page of the site resumes it (same
    /// conversation, bot or agent, no survey, transcript restored, nothing sent twice):
    /// `session` (sessionStorage, this tab), `local` (localStorage), `none`. "End chat" forgets
    /// it.
    PERSIST = "persist" / "persist", Kind::Choice("session, local, none"),
        default "`session`";
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::DEFAULT_DIRECTLINE_URL;
    use crate::survey::SurveyConfig;

    const README: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../README.md");
    const HEADER: &str = "| attribute | default | meaning |";

    /// The README's option table as [`OPTIONS`] declares it.
    fn table() -> Vec<String> {
        let mut rows = vec![HEADER.to_owned(), "|---|---|---|".to_owned()];
        for o in OPTIONS {
            let meaning: Vec<&str> = o.doc.iter().map(|line| line.trim()).collect();
            rows.push(format!(
                "| `{}` | {} | {} |",
                o.opt.attribute,
                o.default,
                meaning.join(" ")
            ));
        }
        rows
    }

    #[test]
    fn the_readme_option_table_is_the_declared_one() {
        let readme = std::fs::read_to_string(README).expect("README.md");
        let lines: Vec<&str> = readme.lines().collect();
        let start = lines
            .iter()
            .position(|l| *l == HEADER)
            .expect("README has the option table");
        let end = start
            + lines[start..]
                .iter()
                .take_while(|l| l.starts_with('|'))
                .count();
        let (found, expected) = (&lines[start..end], table());
        if found == expected {
            return;
        }
        if std::env::var_os("UPDATE_README").is_some() {
            let table: Vec<&str> = expected.iter().map(String::as_str).collect();
            let parts = [&lines[..start], &table[..], &lines[end..]];
            let text = parts.concat().join("\n");
            std::fs::write(README, text + "\n").expect("write README.md");
            return;
        }
        let row = (0..)
            .find(|&i| found.get(i).copied() != expected.get(i).map(String::as_str))
            .unwrap_or_default();
        panic!(
            "README's option table differs from core/src/config/options.rs at row {row}:\n  \
             README:   {:?}\n  declared: {:?}\n\
             `UPDATE_README=1 cargo test -p handoff-core readme` rewrites the README's table",
            found.get(row),
            expected.get(row)
        );
    }

    #[test]
    fn dataset_names_are_the_attributes_in_camel_case() {
        for o in OPTIONS {
            let mut camel = String::new();
            let mut upper = false;
            for c in o.opt.attribute.trim_start_matches("data-").chars() {
                match c {
                    '-' => upper = true,
                    c if upper => {
                        camel.push(c.to_ascii_uppercase());
                        upper = false;
                    }
                    c => camel.push(c),
                }
            }
            assert_eq!(o.opt.key, camel, "{}", o.opt.attribute);
        }
        let mut keys: Vec<_> = OPTIONS.iter().map(|o| o.opt.key).collect();
        keys.sort_unstable();
        keys.dedup();
        assert_eq!(keys.len(), OPTIONS.len(), "each option once");
    }

    #[test]
    fn documented_defaults_and_choices_are_the_parsed_ones() {
        for o in OPTIONS {
            let choices = o.opt.kind.choices();
            if choices.is_empty() {
                continue;
            }
            let first = choices.split(", ").next().unwrap_or_default();
            assert_eq!(o.default, format!("`{first}`"), "{}", o.opt.attribute);
            let meaning = o.doc.concat();
            for choice in choices.split(", ") {
                assert!(
                    meaning.contains(&format!("`{choice}`")),
                    "{} documents `{choice}`",
                    o.opt.attribute
                );
            }
        }
        let default_of = |opt: Opt| OPTIONS.iter().find(|o| o.opt == opt).map(|o| o.default);
        let directline = default_of(DIRECTLINE_URL).unwrap_or_default();
        assert!(directline.contains(DEFAULT_DIRECTLINE_URL), "{directline}");
        let survey = SurveyConfig::default();
        let keys = |required: bool| {
            let fields = survey.fields.iter().filter(|f| f.required || !required);
            format!(
                "`{}`",
                fields.map(|f| f.id.key()).collect::<Vec<_>>().join(",")
            )
        };
        assert_eq!(default_of(SURVEY_FIELDS), Some(keys(false).as_str()));
        assert_eq!(default_of(SURVEY_REQUIRED), Some(keys(true).as_str()));
    }
}
