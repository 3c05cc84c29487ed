//! Site-owner configuration, parsed from the script tag's `data-*` attributes.
//!
//! The loader hands over the attributes as a name → value map (dataset names, camelCase);
//! [`WidgetConfig::from_attributes`] validates them and names the offending attribute in
//! its error, so the panel can show the site owner exactly what to fix.

use std::collections::BTreeMap;

use crate::handoff::HandoffMode;
use crate::survey::SurveyConfig;

/// Direct Line's public endpoint, used when the page does not name another.
pub const DEFAULT_DIRECTLINE_URL: &str = "https://directline.botframework.com/v3/directline";

/// Validated widget configuration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WidgetConfig {
    /// Base URL of the Direct Line 3.0 API, without trailing slash.
    pub directline_url: String,
    /// GET endpoint returning `{token, conversationId, expires_in}`.
    pub token_url: String,
    /// Panel title.
    pub title: String,
    /// BCP 47 locale sent to the bot.
    pub locale: String,
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
        let token_url = get("tokenUrl").ok_or(ConfigError::Missing {
            attribute: "data-token-url",
            example: "data-token-url=\"https://example.com/api/directline/token\"",
        })?;
        let token_url = check_url("data-token-url", token_url)?;
        let directline_url = check_url(
            "data-directline-url",
            get("directlineUrl").unwrap_or(DEFAULT_DIRECTLINE_URL),
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
                    url: required(
                        "hubUrl",
                        "data-hub-url",
                        "data-hub-url=\"https://hub.example.com/v3/directline\"",
                    )?
                    .trim_end_matches('/')
                    .to_owned(),
                    token_url: required(
                        "hubTokenUrl",
                        "data-hub-token-url",
                        "data-hub-token-url=\"https://hub.example.com/api/token\"",
                    )?,
                })
            }
        };
        Ok(Self {
            directline_url: directline_url.trim_end_matches('/').to_owned(),
            token_url,
            title: get("title").unwrap_or("Chat with us").to_owned(),
            locale: get("locale").unwrap_or(fallback_locale).to_owned(),
            survey: SurveyConfig::default(),
            handoff,
            hub,
            persist,
        })
    }
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
        assert_eq!(config.title, "Chat with us");
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
