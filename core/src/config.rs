//! Site-owner configuration, parsed from the script tag's `data-*` attributes.
//!
//! The loader hands over the attributes as a name → value map (dataset names, camelCase);
//! [`WidgetConfig::from_attributes`] validates them and names the offending attribute in
//! its error, so the panel can show the site owner exactly what to fix.

use std::collections::BTreeMap;

use crate::handoff::HandoffMode;
use crate::i18n::Lang;
use crate::survey::{FieldId, FieldSpec, SurveyConfig};

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

impl WidgetConfig {
    /// Parses the dataset map. `fallback_locale` is used when `data-locale` is absent.
    pub fn from_attributes(
        attrs: &BTreeMap<String, String>,
        fallback_locale: &str,
    ) -> Result<Self, ConfigError> {
        let get = |name: &str| attrs.get(name).map(|v| v.trim()).filter(|v| !v.is_empty());
        let secret = get("directlineSecret").map(str::to_owned);
        let token_url = match (get("tokenUrl"), &secret) {
            (Some(url), _) => check_url("data-token-url", url)?,
            (None, Some(_)) => String::new(),
            (None, None) => {
                return Err(ConfigError::Missing {
                    attribute: "data-token-url",
                    example: "data-token-url=\"https://example.com/api/directline/token\"",
                })
            }
        };
        let directline_url = check_url(
            "data-directline-url",
            get("directlineUrl").unwrap_or(DEFAULT_DIRECTLINE_URL),
        )?;
        let discovery_url = match get("directlineUrl") {
            None => regional_settings_url(&token_url),
            Some(_) => None,
        };
        let choice = |name: &str, attribute, allowed: &'static str| -> Result<usize, ConfigError> {
            let value = get(name).unwrap_or_else(|| allowed.split(", ").next().unwrap_or(""));
            allowed
                .split(", ")
                .position(|a| a == value)
                .ok_or_else(|| ConfigError::BadChoice {
                    attribute,
                    value: value.to_owned(),
                    allowed,
                })
        };
        let position =
            [Position::Right, Position::Left][choice("position", "data-position", "right, left")?];
        let theme = [Theme::Auto, Theme::Light, Theme::Dark]
            [choice("theme", "data-theme", "auto, light, dark")?];
        let start_open = match attrs.get("startOpen").map(|v| v.trim()) {
            None | Some("false") => false,
            Some("" | "true") => true,
            Some(other) => {
                return Err(ConfigError::BadChoice {
                    attribute: "data-start-open",
                    value: other.to_owned(),
                    allowed: "true, false",
                })
            }
        };
        let primary_color = match get("primaryColor") {
            None => None,
            Some(color) => Some((
                color.to_ascii_lowercase(),
                text_color_on(color).ok_or_else(|| ConfigError::BadColor {
                    value: color.to_owned(),
                })?,
            )),
        };
        let survey = survey_config(
            attrs.get("surveyFields").map(|v| v.trim()),
            get("surveyRequired"),
            get("caseNumberPattern"),
        )?;
        let handoff = match get("handoffMode").unwrap_or("relay") {
            "relay" => HandoffMode::Relay,
            "bridge" => HandoffMode::Bridge,
            other => {
                return Err(ConfigError::BadChoice {
                    attribute: "data-handoff-mode",
                    value: other.to_owned(),
                    allowed: "relay, bridge",
                })
            }
        };
        let persist = match get("persist").unwrap_or("session") {
            "session" => Persist::Session,
            "local" => Persist::Local,
            "none" => Persist::None,
            other => {
                return Err(ConfigError::BadChoice {
                    attribute: "data-persist",
                    value: other.to_owned(),
                    allowed: "session, local, none",
                })
            }
        };
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
                        "hubUrl",
                        "data-hub-url",
                        "data-hub-url=\"https://hub.example.com/v3/directline\"",
                    )?),
                    token_url: required(
                        "hubTokenUrl",
                        "data-hub-token-url",
                        "data-hub-token-url=\"https://hub.example.com/api/token\"",
                    )?,
                })
            }
        };
        let locale = get("locale").unwrap_or(fallback_locale).to_owned();
        let lang = Lang::pick([locale.as_str()]);
        let text = |name| get(name).map(str::to_owned);
        Ok(Self {
            directline_url: base_url(&directline_url),
            discovery_url,
            token_url,
            secret,
            title: text("title").unwrap_or_else(|| lang.t(crate::i18n::Text::ChatTitle).into()),
            subtitle: text("subtitle"),
            launcher_label: text("launcherLabel"),
            primary_color,
            position,
            theme,
            start_open,
            greeting: text("greeting"),
            privacy: text("privacy"),
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
            _ => list("data-survey-fields", fields)?,
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
            _ => list("data-survey-required", required)?,
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base_urls_lose_repeated_and_trailing_slashes() {
        for (given, expected) in [
            (
                "https://host//v3//directline/",
                "https://host/v3/directline",
            ),
            (
                "http://127.0.0.1:3000/directline///",
                "http://127.0.0.1:3000/directline",
            ),
            ("//v3/directline/", "/v3/directline"),
            ("https://host/v3/directline", "https://host/v3/directline"),
        ] {
            assert_eq!(base_url(given), expected, "{given}");
        }
    }

    fn attrs(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn minimal_config_gets_defaults() {
        let config = WidgetConfig::from_attributes(
            &attrs(&[("tokenUrl", "/api/directline/token")]),
            "fr-FR",
        )
        .unwrap();
        assert_eq!(config.directline_url, DEFAULT_DIRECTLINE_URL);
        // The default title is in the visitor's language.
        assert_eq!(config.title, "Discutez avec nous");
        assert_eq!(config.locale, "fr-FR");
    }

    #[test]
    fn attributes_override_defaults() {
        let config = WidgetConfig::from_attributes(
            &attrs(&[
                ("tokenUrl", "http://127.0.0.1:8080/api/directline/token"),
                ("directlineUrl", "http://127.0.0.1:8080/v3/directline/"),
                ("title", "Contoso Support"),
                ("locale", "de-DE"),
            ]),
            "en-US",
        )
        .unwrap();
        assert_eq!(config.directline_url, "http://127.0.0.1:8080/v3/directline");
        assert_eq!(config.title, "Contoso Support");
        assert_eq!(config.locale, "de-DE");
    }

    #[test]
    fn missing_token_url_names_the_attribute() {
        let err = WidgetConfig::from_attributes(&attrs(&[("title", "x")]), "en").unwrap_err();
        assert!(err.to_string().contains("data-token-url"), "{err}");
    }

    #[test]
    fn bridge_mode_needs_the_hub_urls() {
        let base = [("tokenUrl", "/token"), ("handoffMode", "bridge")];
        let err = WidgetConfig::from_attributes(&attrs(&base), "en").unwrap_err();
        assert!(err.to_string().contains("data-hub-url"), "{err}");
        let mut full = base.to_vec();
        full.extend([
            ("hubUrl", "/hub/v3/directline/"),
            ("hubTokenUrl", "/hub/api/token"),
        ]);
        let config = WidgetConfig::from_attributes(&attrs(&full), "en").unwrap();
        assert_eq!(config.handoff, HandoffMode::Bridge);
        assert_eq!(
            config.hub,
            Some(HubConfig {
                url: "/hub/v3/directline".into(),
                token_url: "/hub/api/token".into()
            })
        );
    }

    #[test]
    fn unknown_handoff_mode_is_refused_by_name() {
        let err = WidgetConfig::from_attributes(
            &attrs(&[("tokenUrl", "/t"), ("handoffMode", "carrier-pigeon")]),
            "en",
        )
        .unwrap_err();
        assert_eq!(
            err.to_string(),
            "handoff-chat: data-handoff-mode=\"carrier-pigeon\" is not one of: relay, bridge."
        );
    }

    #[test]
    fn relay_and_session_storage_are_the_defaults() {
        let config = WidgetConfig::from_attributes(&attrs(&[("tokenUrl", "/t")]), "en").unwrap();
        assert_eq!(
            (config.handoff, config.hub, config.persist),
            (HandoffMode::Relay, None, Persist::Session)
        );
        let local = WidgetConfig::from_attributes(
            &attrs(&[("tokenUrl", "/t"), ("persist", "local")]),
            "en",
        );
        assert_eq!(local.unwrap().persist, Persist::Local);
        let bad = WidgetConfig::from_attributes(
            &attrs(&[("tokenUrl", "/t"), ("persist", "cookie")]),
            "en",
        );
        assert!(bad.unwrap_err().to_string().contains("data-persist"));
    }

    #[test]
    fn look_and_behaviour_attributes() {
        let config = WidgetConfig::from_attributes(
            &attrs(&[
                ("tokenUrl", "/t"),
                ("subtitle", "We reply in minutes"),
                ("launcherLabel", "Help"),
                ("primaryColor", "#FFD700"),
                ("position", "left"),
                ("theme", "dark"),
                ("startOpen", ""),
                ("greeting", "Hi there"),
                ("privacy", "We keep your data 30 days."),
            ]),
            "ar-EG",
        )
        .unwrap();
        assert_eq!(config.subtitle.as_deref(), Some("We reply in minutes"));
        assert_eq!(config.launcher_label.as_deref(), Some("Help"));
        assert_eq!(config.primary_color, Some(("#ffd700".into(), "#000000")));
        assert_eq!(
            (config.position, config.theme),
            (Position::Left, Theme::Dark)
        );
        assert!(config.start_open);
        assert_eq!(config.greeting.as_deref(), Some("Hi there"));
        assert_eq!(config.lang, Lang::Ar);
        assert_eq!(config.title, "تحدث معنا");
        let defaults = WidgetConfig::from_attributes(&attrs(&[("tokenUrl", "/t")]), "en").unwrap();
        assert_eq!(
            (defaults.position, defaults.theme, defaults.start_open),
            (Position::Right, Theme::Auto, false)
        );
    }

    #[test]
    fn bad_look_attributes_name_the_attribute() {
        for (name, value, attribute) in [
            (
                "primaryColor",
                "red; background: url(x)",
                "data-primary-color",
            ),
            ("primaryColor", "#12345", "data-primary-color"),
            ("position", "top", "data-position"),
            ("theme", "sepia", "data-theme"),
            ("startOpen", "yes", "data-start-open"),
            ("surveyFields", "firstName,phone", "data-survey-fields"),
            ("surveyRequired", "mail", "data-survey-required"),
        ] {
            let err =
                WidgetConfig::from_attributes(&attrs(&[("tokenUrl", "/t"), (name, value)]), "en")
                    .unwrap_err();
            assert!(err.to_string().contains(attribute), "{name}: {err}");
        }
    }

    #[test]
    fn text_colour_follows_the_brand_colour() {
        assert_eq!(text_color_on("#0b5cad"), Some("#ffffff"));
        assert_eq!(text_color_on("#fd0"), Some("#000000"));
        assert_eq!(text_color_on("#ffffff"), Some("#000000"));
        assert_eq!(text_color_on("0b5cad"), None);
        assert_eq!(text_color_on("#gggggg"), None);
    }

    #[test]
    fn survey_fields_and_required_are_configurable() {
        let config = WidgetConfig::from_attributes(
            &attrs(&[
                ("tokenUrl", "/t"),
                ("surveyFields", "email, caseNumber"),
                ("surveyRequired", "caseNumber"),
                ("caseNumberPattern", "CAS-\\d{5}"),
            ]),
            "en",
        )
        .unwrap();
        let spec = |id, required| FieldSpec { id, required };
        assert_eq!(
            config.survey.fields,
            vec![spec(FieldId::Email, false), spec(FieldId::CaseNumber, true)]
        );
        assert_eq!(config.survey.case_pattern.as_deref(), Some("CAS-\\d{5}"));
        let none = WidgetConfig::from_attributes(
            &attrs(&[("tokenUrl", "/t"), ("surveyFields", "none")]),
            "en",
        )
        .unwrap();
        assert!(none.survey.fields.is_empty());
        let kept = WidgetConfig::from_attributes(
            &attrs(&[("tokenUrl", "/t"), ("surveyFields", "caseNumber,firstName")]),
            "en",
        )
        .unwrap();
        assert_eq!(
            kept.survey.fields,
            vec![
                spec(FieldId::CaseNumber, false),
                spec(FieldId::FirstName, true)
            ]
        );
    }

    #[test]
    fn copilot_studio_token_urls_discover_the_regional_direct_line() {
        let token = "https://abc.environment.api.powerplatform.com/powervirtualagents/botsbyschema/cr8d1_demo/directline/token?api-version=2022-03-01-preview";
        let config = WidgetConfig::from_attributes(&attrs(&[("tokenUrl", token)]), "en").unwrap();
        assert_eq!(
            config.discovery_url.as_deref(),
            Some("https://abc.environment.api.powerplatform.com/powervirtualagents/regionalchannelsettings?api-version=2022-03-01-preview")
        );
        let local = "/powervirtualagents/botsbyschema/x/directline/token?api-version=1";
        assert_eq!(
            regional_settings_url(local).as_deref(),
            Some("/powervirtualagents/regionalchannelsettings?api-version=1")
        );
        // An explicit Direct Line URL wins; other token URLs discover nothing.
        let explicit = WidgetConfig::from_attributes(
            &attrs(&[
                ("tokenUrl", token),
                (
                    "directlineUrl",
                    "https://europe.directline.botframework.com/v3/directline",
                ),
            ]),
            "en",
        )
        .unwrap();
        assert_eq!(explicit.discovery_url, None);
        assert_eq!(regional_settings_url("/api/directline/token"), None);
        assert_eq!(
            regional_directline(r#"{"channelUrlsById":{"directline":"https://europe.directline.botframework.com/"}}"#)
                .as_deref(),
            Some("https://europe.directline.botframework.com/v3/directline")
        );
        assert_eq!(regional_directline(r#"{"channelUrlsById":{}}"#), None);
        assert_eq!(
            regional_directline(r#"{"channelUrlsById":{"directline":"javascript:x"}}"#),
            None
        );
        assert_eq!(
            regional_settings_url("/powervirtualagents/botsbyschema/x/directline/token"),
            None
        );
    }

    #[test]
    fn a_secret_replaces_the_token_url() {
        let config =
            WidgetConfig::from_attributes(&attrs(&[("directlineSecret", "s3cret")]), "en").unwrap();
        assert_eq!(
            (config.secret.as_deref(), config.token_url.as_str()),
            (Some("s3cret"), "")
        );
    }

    #[test]
    fn bad_urls_are_refused() {
        for bad in [
            "javascript:alert(1)",
            "ftp://x",
            "not a url",
            "example.com/token",
        ] {
            let err =
                WidgetConfig::from_attributes(&attrs(&[("tokenUrl", bad)]), "en").unwrap_err();
            assert!(
                matches!(
                    err,
                    ConfigError::BadUrl {
                        attribute: "data-token-url",
                        ..
                    }
                ),
                "{bad}"
            );
        }
    }
}
