//! Site-owner configuration, parsed from the script tag's `data-*` attributes.
//!
//! The loader hands over the attributes as a name → value map (dataset names, camelCase);
//! [`WidgetConfig::from_attributes`] validates them and names the offending attribute in
//! its error, so the panel can show the site owner exactly what to fix.
//!
//! Layout:
//! - [`options`]: every option declared once (names, kind, default, README text); the
//!   README's table is generated from it.
//! - this file: the validated configuration, its errors, and [`WidgetConfig::from_attributes`]
//!   with one check per kind of value (URL, choice, flag, colour, survey fields). The parsing
//!   stays in this module: moved to a module of its own, the same code compressed 122 B worse
//!   in the wasm (brotli, measured on main at c834c36).
//! - `tests`: parsing, defaults, and an error naming the attribute for every bad value.
//!
//! Must not import anything outside core.

use std::collections::BTreeMap;

use crate::handoff::HandoffMode;
use crate::i18n::Lang;
use crate::survey::{FieldId, FieldSpec, SurveyConfig};

pub mod options;
#[cfg(test)]
mod tests;

use options as opt;

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
        "handoff-chat: {attribute}=\"{value}\" is not an allowed URL: use an https URL (http \
         only on localhost, 127.0.0.1 or [::1]) or a path starting with a single /."
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

impl WidgetConfig {
    /// Parses the dataset map. `fallback_locale` is used when `data-locale` is absent.
    pub fn from_attributes(
        attrs: &BTreeMap<String, String>,
        fallback_locale: &str,
    ) -> Result<Self, ConfigError> {
        let get = |key: &str| attrs.get(key).map(|v| v.trim()).filter(|v| !v.is_empty());
        let secret = get(opt::DIRECTLINE_SECRET.key).map(str::to_owned);
        let token_url = match (get(opt::TOKEN_URL.key), &secret) {
            (Some(url), _) => check_url(opt::TOKEN_URL.attribute, url)?,
            (None, Some(_)) => String::new(),
            (None, None) => {
                return Err(ConfigError::Missing {
                    attribute: opt::TOKEN_URL.attribute,
                    example: "data-token-url=\"https://example.com/api/directline/token\"",
                })
            }
        };
        let directline_url = check_url(
            opt::DIRECTLINE_URL.attribute,
            get(opt::DIRECTLINE_URL.key).unwrap_or(DEFAULT_DIRECTLINE_URL),
        )?;
        let discovery_url = match get(opt::DIRECTLINE_URL.key) {
            None => regional_settings_url(&token_url),
            Some(_) => None,
        };
        // The closures take an option's names and choices as `&str`s, never the `Opt` itself:
        // an `Opt` passed whole is kept in the wasm whole (measured: 86 B brotli more).
        // The index of the value among the option's choices (absent: the first).
        let choice = |key: &str, attribute, allowed: &'static str| -> Result<usize, ConfigError> {
            let value = get(key).unwrap_or_else(|| allowed.split(", ").next().unwrap_or(""));
            allowed
                .split(", ")
                .position(|a| a == value)
                .ok_or_else(|| ConfigError::BadChoice {
                    attribute,
                    value: value.to_owned(),
                    allowed,
                })
        };
        let o = opt::POSITION;
        let position =
            [Position::Right, Position::Left][choice(o.key, o.attribute, o.kind.choices())?];
        let o = opt::THEME;
        let theme =
            [Theme::Auto, Theme::Light, Theme::Dark][choice(o.key, o.attribute, o.kind.choices())?];
        let start_open = match attrs.get(opt::START_OPEN.key).map(|v| v.trim()) {
            None | Some("false") => false,
            Some("" | "true") => true,
            Some(other) => {
                return Err(ConfigError::BadChoice {
                    attribute: opt::START_OPEN.attribute,
                    value: other.to_owned(),
                    allowed: "true, false",
                })
            }
        };
        let primary_color = match get(opt::PRIMARY_COLOR.key) {
            None => None,
            Some(color) => Some((
                color.to_ascii_lowercase(),
                text_color_on(color).ok_or_else(|| ConfigError::BadColor {
                    value: color.to_owned(),
                })?,
            )),
        };
        let survey = survey_config(
            attrs.get(opt::SURVEY_FIELDS.key).map(|v| v.trim()),
            get(opt::SURVEY_REQUIRED.key),
            get(opt::CASE_NUMBER_PATTERN.key),
        )?;
        let o = opt::HANDOFF_MODE;
        let handoff = [HandoffMode::Relay, HandoffMode::Bridge]
            [choice(o.key, o.attribute, o.kind.choices())?];
        let o = opt::PERSIST;
        let persist = [Persist::Session, Persist::Local, Persist::None]
            [choice(o.key, o.attribute, o.kind.choices())?];
        let hub = match handoff {
            HandoffMode::Relay => None,
            HandoffMode::Bridge => {
                let required = |name, attribute, example| {
                    get(name)
                        .ok_or(ConfigError::Missing { attribute, example })
                        .and_then(|v| check_url(attribute, v))
                };
                Some(HubConfig {
                    url: base_url(&required(
                        opt::HUB_URL.key,
                        opt::HUB_URL.attribute,
                        "data-hub-url=\"https://hub.example.com/v3/directline\"",
                    )?),
                    token_url: required(
                        opt::HUB_TOKEN_URL.key,
                        opt::HUB_TOKEN_URL.attribute,
                        "data-hub-token-url=\"https://hub.example.com/api/token\"",
                    )?,
                })
            }
        };
        let locale = get(opt::LOCALE.key).unwrap_or(fallback_locale).to_owned();
        let lang = Lang::pick([locale.as_str()]);
        let text = |name| get(name).map(str::to_owned);
        Ok(Self {
            directline_url: base_url(&directline_url),
            discovery_url,
            token_url,
            secret,
            title: text(opt::TITLE.key)
                .unwrap_or_else(|| lang.t(crate::i18n::Text::ChatTitle).into()),
            subtitle: text(opt::SUBTITLE.key),
            launcher_label: text(opt::LAUNCHER_LABEL.key),
            primary_color,
            position,
            theme,
            start_open,
            greeting: text(opt::GREETING.key),
            privacy: text(opt::PRIVACY.key),
            locale,
            lang,
            survey,
            handoff,
            hub,
            persist,
        })
    }
}
/// Copilot Studio's token endpoint (`…/powervirtualagents/botsbyschema/<schema>/directline/
/// token?api-version=…`) → the same environment's `regionalchannelsettings` URL, which
/// names the regional Direct Line host. `None` for any other token URL.
pub fn regional_settings_url(token_url: &str) -> Option<String> {
    let (before, _) = token_url.split_once("/powervirtualagents/botsbyschema/")?;
    let (_, query) = token_url.split_once('?')?;
    let version = query
        .split('&')
        .find_map(|pair| pair.strip_prefix("api-version="))?;
    Some(format!(
        "{before}/powervirtualagents/regionalchannelsettings?api-version={version}"
    ))
}

/// The Direct Line 3.0 base URL named by a `regionalchannelsettings` answer
/// (`{"channelUrlsById": {"directline": "https://europe.directline.botframework.com/"}}`).
pub fn regional_directline(body: &str) -> Option<String> {
    let settings: serde_json::Value = serde_json::from_str(body).ok()?;
    let host = settings
        .get("channelUrlsById")?
        .get("directline")?
        .as_str()
        // Absolute only: a path or `//host` would be read against the page, not the settings.
        .filter(|host| crate::url::is_endpoint(host))?;
    Some(base_url(&format!("{host}/v3/directline")))
}

/// A Direct Line base URL as request paths are appended to it: repeated and trailing
/// slashes dropped (`https://host//v3/directline/` → `https://host/v3/directline`), since
/// some servers route `//conversations` nowhere.
pub fn base_url(url: &str) -> String {
    let (mut out, rest) = match url.split_once("://") {
        Some((scheme, rest)) => (format!("{scheme}://"), rest),
        None => (String::new(), url),
    };
    for c in rest.chars() {
        if !(c == '/' && out.ends_with('/')) {
            out.push(c);
        }
    }
    if out.ends_with('/') && !out.ends_with("://") && out.len() > 1 {
        out.pop();
    }
    out
}

/// `data-survey-fields` (which fields, in order; `none` or empty: no survey) and
/// `data-survey-required` (which of them must be filled).
fn survey_config(
    fields: Option<&str>,
    required: Option<&str>,
    case_pattern: Option<&str>,
) -> Result<SurveyConfig, ConfigError> {
    const ALLOWED: &str = "firstName, lastName, email, caseNumber";
    let list = |attribute, value: &str| -> Result<Vec<FieldId>, ConfigError> {
        value
            .split(',')
            .map(str::trim)
            .filter(|k| !k.is_empty())
            .map(|key| {
                FieldId::from_key(key).ok_or(ConfigError::BadChoice {
                    attribute,
                    value: key.to_owned(),
                    allowed: ALLOWED,
                })
            })
            .collect()
    };
    let mut survey = SurveyConfig::default();
    if let Some(fields) = fields {
        let ids = match fields {
            "none" => Vec::new(),
            _ => list(opt::SURVEY_FIELDS.attribute, fields)?,
        };
        survey.fields = ids
            .into_iter()
            .map(|id| FieldSpec {
                id,
                required: survey.fields.iter().any(|f| f.id == id && f.required),
            })
            .collect();
    }
    if let Some(required) = required {
        let ids = match required {
            "none" => Vec::new(),
            _ => list(opt::SURVEY_REQUIRED.attribute, required)?,
        };
        for spec in &mut survey.fields {
            spec.required = ids.contains(&spec.id);
        }
    }
    survey.case_pattern = case_pattern.map(str::to_owned);
    Ok(survey)
}

/// The readable text colour (black or white) on a `#rgb` / `#rrggbb` background; `None` when `color` is not such a colour.
pub fn text_color_on(color: &str) -> Option<&'static str> {
    let hex = color.strip_prefix('#')?;
    let digits: Vec<u8> = hex
        .chars()
        .map(|c| c.to_digit(16).map(|d| d as u8))
        .collect::<Option<_>>()?;
    let rgb = match digits.as_slice() {
        [r, g, b] => [r * 17, g * 17, b * 17],
        [r1, r2, g1, g2, b1, b2] => [r1 * 16 + r2, g1 * 16 + g2, b1 * 16 + b2],
        _ => return None,
    };
    // YIQ brightness: cheap (no floating point) and close to WCAG's choice.
    let brightness: u32 = [299, 587, 114]
        .iter()
        .zip(rgb)
        .map(|(w, c)| w * u32::from(c))
        .sum();
    Some(if brightness >= 128_000 {
        "#000000"
    } else {
        "#ffffff"
    })
}

/// Accepts what [`crate::url`] allows: an https URL (http on the visitor's machine) or a
/// path on the page's origin (resolved by the browser against the page).
fn check_url(attribute: &'static str, value: &str) -> Result<String, ConfigError> {
    if crate::url::is_endpoint(value) || crate::url::is_origin_path(value) {
        Ok(value.to_owned())
    } else {
        Err(ConfigError::BadUrl {
            attribute,
            value: value.to_owned(),
        })
    }
}
