//! Site-owner configuration, parsed from the script tag's `data-*` attributes.
//!
//! The loader hands over the attributes as a name → value map (dataset names, camelCase);
//! [`WidgetConfig::from_attributes`] validates them and names the offending attribute in
//! its error, so the panel can show the site owner exactly what to fix.
//!
//! Layout:
//! - [`options`]: every option declared once (names, kind, default, README text); the
//!   README's table is generated from it.
//! - `parse`: [`WidgetConfig::from_attributes`] and the checks per kind of value.
//! - this file: the validated configuration and its errors.
//!
//! Must not import anything outside core.

use crate::handoff::HandoffMode;
use crate::i18n::Lang;
use crate::survey::SurveyConfig;

pub mod options;
mod parse;
#[cfg(test)]
mod tests;

pub use parse::{base_url, regional_directline, regional_settings_url, text_color_on};

/// Direct Line's public endpoint, used when the page does not name another.
pub const DEFAULT_DIRECTLINE_URL: &str = "https://directline.botframework.com/v3/directline";

/// Validated widget configuration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WidgetConfig {
    /// Base URL of the Direct Line 3.0 API, without trailing slash.
    pub directline_url: String,
    /// Copilot Studio's `regionalchannelsettings` URL, when the token URL is Copilot
    /// Studio's and no Direct Line URL is given: the regional Direct Line host comes from it.
    pub discovery_url: Option<String>,
    /// GET endpoint returning `{token, conversationId, expires_in}` (empty with a secret).
    pub token_url: String,
    /// A Direct Line secret, for local testing only: it exchanges it for a token itself.
    pub secret: Option<String>,
    /// Panel title.
    pub title: String,
    /// Line under the title while no agent is in the chat.
    pub subtitle: Option<String>,
    /// Accessible name of the launcher (default: "Open chat" in the visitor's language).
    pub launcher_label: Option<String>,
    /// `#rrggbb` brand colour, and the text colour readable on it.
    pub primary_color: Option<(String, &'static str)>,
    pub position: Position,
    pub theme: Theme,
    /// Open the panel as soon as the widget loads.
    pub start_open: bool,
    /// Text above the survey (replaces the default invitation).
    pub greeting: Option<String>,
    /// Small print under the survey's start button.
    pub privacy: Option<String>,
    /// BCP 47 locale sent to the bot.
    pub locale: String,
    /// Interface language, from the same locale.
    pub lang: Lang,
    pub survey: SurveyConfig,
    /// How the live agent is reached.
    pub handoff: HandoffMode,
    /// Bridge mode: the hub's Direct Line base URL and token URL.
    pub hub: Option<HubConfig>,
    /// Where the chat is kept so a reload or another page of the site resumes it.
    pub persist: Persist,
}

/// `data-persist`: which browser storage keeps the chat across page loads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Persist {
    /// `sessionStorage`: this tab only (the default).
    Session,
    /// `localStorage`: across tabs and browser restarts (site owner opts in).
    Local,
    /// Nothing is kept.
    None,
}

/// `data-position`: the page corner of the launcher and panel.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Position {
    Right,
    Left,
}

/// `data-theme`: light, dark, or following the visitor's system setting.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Theme {
    Auto,
    Light,
    Dark,
}

/// Where a bridge-mode hub lives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HubConfig {
    /// Direct Line-style base URL of the hub, without trailing slash.
    pub url: String,
    /// GET endpoint returning a hub token.
    pub token_url: String,
}

/// A configuration problem, naming the attribute as written on the script tag.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ConfigError {
    #[error("handoff-chat: the script tag needs {attribute} (for example {example}).")]
    Missing {
        attribute: &'static str,
        example: &'static str,
    },
    #[error(
        "handoff-chat: {attribute}=\"{value}\" is not a valid URL: use an http(s) URL or a path."
    )]
    BadUrl {
        attribute: &'static str,
        value: String,
    },
    #[error("handoff-chat: data-primary-color=\"{value}\" is not a colour: use #rgb or #rrggbb.")]
    BadColor { value: String },
    #[error(
        "handoff-chat: data-case-number-pattern=\"{value}\" is not a valid regular expression."
    )]
    BadPattern { value: String },
    #[error("handoff-chat: {attribute}=\"{value}\" is not one of: {allowed}.")]
    BadChoice {
        attribute: &'static str,
        value: String,
        allowed: &'static str,
    },
}
