//! Parsing the `data-*` attributes: defaults, overrides, and an error naming the attribute
//! for every bad value.

use std::collections::BTreeMap;

use super::*;
use crate::handoff::HandoffMode;
use crate::i18n::Lang;
use crate::survey::{FieldId, FieldSpec};

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
    let config =
        WidgetConfig::from_attributes(&attrs(&[("tokenUrl", "/api/directline/token")]), "fr-FR")
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
    assert_eq!(
        err.to_string(),
        "handoff-chat: the script tag needs data-token-url \
         (for example data-token-url=\"https://example.com/api/directline/token\")."
    );
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
    let local =
        WidgetConfig::from_attributes(&attrs(&[("tokenUrl", "/t"), ("persist", "local")]), "en");
    assert_eq!(local.unwrap().persist, Persist::Local);
    let bad =
        WidgetConfig::from_attributes(&attrs(&[("tokenUrl", "/t"), ("persist", "cookie")]), "en");
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
        let err = WidgetConfig::from_attributes(&attrs(&[("tokenUrl", "/t"), (name, value)]), "en")
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
        regional_directline(
            r#"{"channelUrlsById":{"directline":"https://europe.directline.botframework.com/"}}"#
        )
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
fn every_url_option_refuses_what_is_not_https_or_a_path_on_the_page() {
    let bridge = [
        ("tokenUrl", "/t"),
        ("handoffMode", "bridge"),
        ("hubUrl", "/hub/v3/directline"),
        ("hubTokenUrl", "/hub/token"),
    ];
    let options = [
        ("tokenUrl", "data-token-url"),
        ("directlineUrl", "data-directline-url"),
        ("hubUrl", "data-hub-url"),
        ("hubTokenUrl", "data-hub-token-url"),
    ];
    for (key, attribute) in options {
        for bad in [
            "javascript:alert(1)",
            "ftp://x",
            "not a url",
            "example.com/token",
            "http://example.com/token",
            "//evil.example/token",
            "/\\evil.example/token",
            "./token",
            "../token",
            "https://good.example@evil.example/token",
            "https:///evil.example",
            "https://host.example/a\u{7}b",
        ] {
            let mut given = attrs(&bridge);
            given.insert(key.into(), bad.into());
            let err = WidgetConfig::from_attributes(&given, "en").unwrap_err();
            assert_eq!(
                err,
                ConfigError::BadUrl {
                    attribute,
                    value: bad.into()
                },
                "{key}={bad:?}"
            );
            assert!(err.to_string().contains(attribute), "{err}");
        }
        for good in [
            "https://example.com/api",
            "HTTPS://Example.com:8443/api?x=1",
            "http://localhost:3000/api",
            "http://127.0.0.1:8080/api",
            "http://[::1]:8080/api",
            "/api",
        ] {
            let mut given = attrs(&bridge);
            given.insert(key.into(), good.into());
            let config = WidgetConfig::from_attributes(&given, "en");
            assert!(config.is_ok(), "{key}={good:?}: {config:?}");
        }
    }
}

#[test]
fn a_regional_direct_line_that_is_not_https_is_not_discovered() {
    let settings = |url: &str| {
        regional_directline(&format!(
            r#"{{"channelUrlsById":{{"directline":{}}}}}"#,
            serde_json::Value::from(url)
        ))
    };
    assert_eq!(
        settings("http://localhost:8080/").as_deref(),
        Some("http://localhost:8080/v3/directline")
    );
    for bad in [
        "http://europe.directline.botframework.com/",
        "//evil.example/",
        "/",
        "europe.directline.botframework.com",
        "https://europe.directline.botframework.com@evil.example/",
        "https://evil.example\\@europe.directline.botframework.com/",
        " https://europe.directline.botframework.com/",
    ] {
        assert_eq!(settings(bad), None, "{bad:?}");
    }
}
