//! Parsing the loader's attribute map into a [`WidgetConfig`]: one check per kind of value
//! (URL, choice, flag, colour, survey fields), each naming the option's attribute in its
//! error. Which options exist, and their names, come from [`super::options`].
//!
//! Must not import anything outside core.

use std::collections::BTreeMap;

use super::options as opt;
use super::{
    ConfigError, HubConfig, Persist, Position, Theme, WidgetConfig, DEFAULT_DIRECTLINE_URL,
};
use crate::handoff::HandoffMode;
use crate::i18n::Lang;
use crate::survey::{FieldId, FieldSpec, SurveyConfig};

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
        .as_str()?;
    let host = check_url("channelUrlsById.directline", host).ok()?;
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

/// Accepts absolute http(s) URLs and paths (resolved by the browser against the page).
fn check_url(attribute: &'static str, value: &str) -> Result<String, ConfigError> {
    let lower = value.to_ascii_lowercase();
    let absolute = lower.starts_with("https://") || lower.starts_with("http://");
    let path = value.starts_with('/') || value.starts_with("./") || value.starts_with("../");
    if (absolute || path) && !value.chars().any(char::is_whitespace) {
        Ok(value.to_owned())
    } else {
        Err(ConfigError::BadUrl {
            attribute,
            value: value.to_owned(),
        })
    }
}
