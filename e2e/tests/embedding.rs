//! What a site owner configures and scripts, through the real loader on the options page
//! (`/options.html`: presentational and survey query parameters become `data-*` attributes
//! of the tag, never endpoints, and the page records the `handoff-chat:*` events): the page API and its events, languages and
//! right-to-left, theme and position, dark mode and reduced motion, phones, survey options
//! and configuration errors.
#![allow(clippy::unwrap_used, reason = "tests: a panic is the failure report")]

use e2e::agent::ApiAgent;
use e2e::cdp::Cdp;
use e2e::{
    button, field, send_message, submit_survey, wait_for, wait_for_message, wait_for_panel,
    wait_until, Harness, ADA_REQUIRED,
};
use fantoccini::elements::ShadowRoot;
use fantoccini::Locator;
use serde_json::{json, Value};

/// Names of the events the page saw, in order.
async fn events(h: &Harness) -> Vec<String> {
    let list = h.js("return window.pageEvents.map(e => e.name)").await;
    serde_json::from_value(list).unwrap()
}

async fn wait_for_event(h: &Harness, name: &str) -> Value {
    wait_for_event_where(h, name, "true").await
}

/// The last `name` event whose `detail` (`d`) satisfies the JavaScript `condition`.
async fn wait_for_event_where(h: &Harness, name: &str, condition: &str) -> Value {
    let script = format!(
        "return window.pageEvents.filter(e => e.name === '{name}' && (d => {condition})(e.detail)).pop()"
    );
    e2e::wait_for(&format!("event {name}"), || async {
        Some(h.js(&script).await).filter(|v| !v.is_null())
    })
    .await["detail"]
        .clone()
}

/// Computed style property of the first element matching `selector` in the shadow root.
async fn style(h: &Harness, selector: &str, property: &str) -> String {
    let script = format!(
        "const el = document.querySelector('[data-handoff-chat]').shadowRoot.querySelector('{selector}');
         return el ? getComputedStyle(el).getPropertyValue('{property}') : null"
    );
    h.js(&script).await.as_str().unwrap_or_default().to_owned()
}

async fn rect(h: &Harness, selector: &str) -> Value {
    let script = format!(
        "const r = document.querySelector('[data-handoff-chat]').shadowRoot.querySelector('{selector}').getBoundingClientRect();
         return {{x: r.x, y: r.y, width: r.width, height: r.height, vw: innerWidth, vh: innerHeight}}"
    );
    h.js(&script).await
}

/// Runs a Chrome DevTools command for this session (emulated media, viewport).
async fn cdp(h: &Harness, cmd: &str, params: Value) {
    let cdp = Cdp::new(h).await.expect("CDP session");
    cdp.call(cmd, params).await.expect(cmd);
}

#[tokio::test]
async fn page_api_calls_made_before_the_wasm_are_queued_and_every_step_is_reported() {
    let h = Harness::start(&["--accept-timeout", "60"]).await;
    // The page sets context before the wasm is loaded; the bot must still get it.
    let shadow = h
        .open_page("/options.html?context=%7B%22plan%22%3A%22gold%22%7D")
        .await;
    h.js("HandoffChat.open()").await;
    wait_for_event(&h, "opened").await;
    assert_eq!(events(&h).await[..2], ["ready", "opened"]);

    // on/off: a listener that was removed hears nothing.
    h.js("window.heard = [];
          window.removed = () => window.heard.push('removed');
          HandoffChat.on('message-received', d => window.heard.push(d.text));
          HandoffChat.on('message-received', window.removed);
          HandoffChat.off('message-received', window.removed);")
        .await;
    submit_survey(&shadow, &ADA_REQUIRED).await;
    wait_for_message(&shadow, "Hello Ada").await;
    let greeting = wait_for_event(&h, "message-received").await;
    assert_eq!(greeting["author"], "bot");
    assert!(greeting["text"].as_str().unwrap().contains("Hello Ada"));

    send_message(&shadow, "what do you know about me").await;
    wait_for_message(&shadow, "plan = gold").await;
    let sent = wait_for_event(&h, "message-sent").await;
    assert_eq!(
        (sent["author"].as_str(), sent["text"].as_str()),
        (Some("visitor"), Some("what do you know about me"))
    );
    // Context set during the chat reaches the bot at once (pvaSetContext).
    h.js("HandoffChat.setContext({plan: 'platinum', region: 'EU'})")
        .await;
    send_message(&shadow, "/context").await;
    wait_for_message(&shadow, "plan = platinum, region = EU").await;
    let heard = h.js("return window.heard").await;
    assert!(heard.as_array().unwrap().len() >= 2, "{heard}");
    assert!(!heard.to_string().contains("removed"), "{heard}");

    // Handoff events.
    send_message(&shadow, "talk to a person").await;
    wait_for_event(&h, "handoff-started").await;
    let agent = ApiAgent::sign_in(&h, "Alex").await;
    let handoff = agent.accept(&h, "Ada").await;
    assert_eq!(
        wait_for_event(&h, "agent-joined").await,
        json!({"agent": "Alex"})
    );
    agent.say(&h, &handoff, "Hi Ada, Alex here").await;
    let from_agent = wait_for_event_where(&h, "message-received", "d.author === 'agent'").await;
    assert_eq!(
        (from_agent["author"].as_str(), from_agent["sender"].as_str()),
        (Some("agent"), Some("Alex"))
    );
    agent.end(&h, &handoff).await;
    assert_eq!(
        wait_for_event(&h, "agent-left").await,
        json!({"agent": "Alex"})
    );

    // endChat, close, toggle.
    h.js("HandoffChat.endChat()").await;
    wait_for_event(&h, "chat-ended").await;
    wait_for_message(&shadow, "You ended the chat.").await;
    h.js("HandoffChat.close()").await;
    wait_for_event(&h, "closed").await;
    wait_for_panel(&shadow, false).await;
    h.js("HandoffChat.toggle()").await;
    wait_for_panel(&shadow, true).await;
    // A bad setContext argument is refused without throwing into the page.
    assert_eq!(
        h.js("HandoffChat.setContext('x'); return 1").await,
        json!(1)
    );
}

#[tokio::test]
async fn start_chat_without_a_survey_starts_at_once_and_start_open_opens_on_load() {
    let h = Harness::start(&[]).await;
    let shadow = h
        .open_page("/options.html?survey-fields=none&start-open")
        .await;
    wait_for_panel(&shadow, true).await; // open on load
    assert!(
        shadow.find(Locator::Css("input")).await.is_err(),
        "no survey field"
    );
    h.js("HandoffChat.startChat()").await;
    wait_for_message(&shadow, "Hello").await;
    // startChat after an ended chat starts a new one.
    h.js("HandoffChat.endChat()").await;
    wait_for_event(&h, "chat-ended").await;
    h.js("HandoffChat.startChat()").await;
    wait_until("a second greeting", || async {
        e2e::messages(&shadow)
            .await
            .iter()
            .filter(|m| m.starts_with("Hello"))
            .count()
            == 1
            && field(&shadow, "Message")
                .await
                .is_displayed()
                .await
                .unwrap_or(false)
    })
    .await;
}

#[tokio::test]
async fn arabic_from_the_page_lang_is_right_to_left_and_data_locale_wins_over_it() {
    let h = Harness::start(&[]).await;
    let shadow = h.open_page("/options.html?page-lang=ar-EG").await;
    let launcher = button(&shadow, "فتح الدردشة").await;
    launcher.click().await.unwrap();
    field(&shadow, "الاسم الأول")
        .await
        .send_keys("Ada")
        .await
        .unwrap();
    button(&shadow, "بدء الدردشة").await.click().await.unwrap();
    wait_until("the email error in Arabic", || async {
        shadow
            .find(Locator::Css(".hc-field__error"))
            .await
            .ok()
            .is_some()
            && h.js("return document.querySelector('[data-handoff-chat]').shadowRoot.textContent.includes('حقل البريد الإلكتروني مطلوب.')")
                .await
                == json!(true)
    })
    .await;
    assert_eq!(style(&h, ".hc-panel", "direction").await, "rtl");
    let root = h
        .js("const r = document.querySelector('[data-handoff-chat]').shadowRoot.querySelector('.hc-root'); return [r.lang, r.dir]")
        .await;
    assert_eq!(root, json!(["ar", "rtl"]));
    // The text of the survey starts on the right.
    let intro = rect(&h, ".hc-survey__intro").await;
    let panel = rect(&h, ".hc-panel").await;
    let right_gap = panel["x"].as_f64().unwrap() + panel["width"].as_f64().unwrap()
        - intro["x"].as_f64().unwrap()
        - intro["width"].as_f64().unwrap();
    assert!(
        right_gap < 40.0,
        "intro hugs the right edge: {intro} in {panel}"
    );
    h.screenshot("rtl-arabic").await;

    // data-locale beats the page's lang; English when neither is supported.
    let shadow = h.open_page("/options.html?page-lang=de&locale=fr-CA").await;
    button(&shadow, "Ouvrir le chat")
        .await
        .click()
        .await
        .unwrap();
    field(&shadow, "Prénom").await;
    let shadow = h.open_page("/options.html?page-lang=ja").await;
    button(&shadow, "Open chat").await;
}

#[tokio::test]
async fn brand_colour_position_and_themes_follow_the_attributes_and_the_system() {
    let h = Harness::start(&[]).await;
    let shadow = h
        .open_page("/options.html?primary-color=%23ffd700&position=left&subtitle=We%20reply%20in%20minutes&launcher-label=Help")
        .await;
    let launcher = button(&shadow, "Help").await;
    assert_eq!(
        style(&h, ".hc-launcher", "background-color").await,
        "rgb(255, 215, 0)"
    );
    assert_eq!(
        style(&h, ".hc-launcher", "color").await,
        "rgb(0, 0, 0)",
        "dark text on a light brand colour"
    );
    launcher.click().await.unwrap();
    let panel = rect(&h, ".hc-panel").await;
    assert!(panel["x"].as_f64().unwrap() < 40.0, "left corner: {panel}");
    assert!(h
        .js("return document.querySelector('[data-handoff-chat]').shadowRoot.textContent.includes('We reply in minutes')")
        .await
        .as_bool()
        .unwrap());
    assert_eq!(
        style(&h, ".hc-panel", "background-color").await,
        "rgb(255, 255, 255)"
    );
    h.screenshot("theme-light").await;

    // The system's dark mode, unless the page forces a theme.
    cdp(
        &h,
        "Emulation.setEmulatedMedia",
        json!({"features": [{"name": "prefers-color-scheme", "value": "dark"},
                            {"name": "prefers-reduced-motion", "value": "reduce"}]}),
    )
    .await;
    let shadow = h.open_page("/options.html?start-open").await;
    shadow.find(Locator::Css(".hc-panel")).await.unwrap();
    assert_eq!(
        style(&h, ".hc-panel", "background-color").await,
        "rgb(28, 30, 33)"
    );
    assert_eq!(style(&h, ".hc-panel", "animation-name").await, "none");
    h.screenshot("theme-dark").await;
    let shadow = h.open_page("/options.html?start-open&theme=light").await;
    shadow.find(Locator::Css(".hc-panel")).await.unwrap();
    assert_eq!(
        style(&h, ".hc-panel", "background-color").await,
        "rgb(255, 255, 255)"
    );
}

#[tokio::test]
async fn on_a_phone_the_panel_fills_the_visual_viewport_and_inputs_do_not_zoom() {
    let h = Harness::start(&[]).await;
    cdp(
        &h,
        "Emulation.setDeviceMetricsOverride",
        json!({"width": 390, "height": 700, "deviceScaleFactor": 2, "mobile": true}),
    )
    .await;
    let shadow = h.open_page("/options.html").await;
    button(&shadow, "Open chat").await.click().await.unwrap();
    let first = field(&shadow, "First name").await;
    // Once the opening animation is over.
    let at_origin = || async {
        let panel = rect(&h, ".hc-panel").await;
        (panel["x"].as_f64(), panel["y"].as_f64()) == (Some(0.0), Some(0.0))
    };
    wait_until("panel at the top left", at_origin).await;
    let panel = rect(&h, ".hc-panel").await;
    assert_eq!(panel["width"], panel["vw"]);
    assert_eq!(panel["height"], panel["vh"]);
    assert_eq!(first.css_value("font-size").await.unwrap(), "16px");
    h.screenshot("mobile").await;
    // The on-screen keyboard shrinks the visual viewport: the panel follows it.
    cdp(
        &h,
        "Emulation.setDeviceMetricsOverride",
        json!({"width": 390, "height": 400, "deviceScaleFactor": 2, "mobile": true}),
    )
    .await;
    wait_until("panel fits the smaller viewport", || async {
        let panel = rect(&h, ".hc-panel").await;
        panel["height"].as_f64() == Some(400.0)
    })
    .await;
}

#[tokio::test]
async fn survey_fields_required_answers_and_the_case_pattern_are_configurable() {
    let h = Harness::start(&[]).await;
    let shadow = h
        .open_page("/options.html?survey-fields=caseNumber,email&survey-required=caseNumber&case-number-pattern=CAS-%5Cd%7B5%7D&greeting=Tell%20us%20your%20case&privacy=We%20keep%20this%2030%20days.")
        .await;
    button(&shadow, "Open chat").await.click().await.unwrap();
    let labels = h
        .js("return [...document.querySelector('[data-handoff-chat]').shadowRoot.querySelectorAll('label')].map(l => l.textContent.trim())")
        .await;
    assert_eq!(labels, json!(["Case number *", "Email"]));
    let text = h
        .js("return document.querySelector('[data-handoff-chat]').shadowRoot.querySelector('.hc-survey').textContent")
        .await;
    let text = text.as_str().unwrap();
    assert!(text.contains("Tell us your case") && text.contains("We keep this 30 days."));
    submit_survey(&shadow, &[("Case number", "CAS-12")]).await;
    wait_until("pattern error", || async {
        h.js("return document.querySelector('[data-handoff-chat]').shadowRoot.textContent.includes('This case number is not in the expected format.')")
            .await
            == json!(true)
    })
    .await;
    // The rest of the number, after what is already typed.
    submit_survey(&shadow, &[("Case number", "345")]).await;
    wait_for_message(&shadow, "CAS-12345").await;
}

/// The configuration error the panel shows, once a person can read it: a click before the
/// wasm is ready opens the panel only when it is, and WebDriver reads no text from a hidden
/// panel (under load the first read came back empty).
async fn shown_error(shadow: &ShadowRoot) -> String {
    e2e::wait_for("the configuration error shown", || async {
        let error = shadow.find(Locator::Css(".hc-error")).await.ok()?;
        Some(error.text().await.ok()?).filter(|text| !text.is_empty())
    })
    .await
}

#[tokio::test]
async fn a_bad_attribute_shows_a_readable_error_and_the_page_keeps_working() {
    let h = Harness::start(&[]).await;
    let shadow = h.open_page("/options.html?position=top").await;
    button(&shadow, "Open chat").await.click().await.unwrap();
    let error = shown_error(&shadow).await;
    assert_eq!(
        error,
        "handoff-chat: data-position=\"top\" is not one of: right, left."
    );
    let reported = wait_for_event(&h, "error").await;
    assert_eq!(reported["message"], json!(error));
    let bad_pattern = h.open_page("/options.html?case-number-pattern=(").await;
    button(&bad_pattern, "Open chat")
        .await
        .click()
        .await
        .unwrap();
    let error = shown_error(&bad_pattern).await;
    assert!(error.contains("data-case-number-pattern"), "{error}");
    // The page's own script still runs.
    assert_eq!(h.js("return 1 + 1").await, json!(2));
}

#[tokio::test]
async fn a_locale_naming_an_object_property_labels_the_launcher_in_english() {
    let h = Harness::start(&[]).await;
    // Read at once: the loader's own launcher is there until the widget has loaded.
    h.client
        .goto(&format!(
            "{}/options.html?locale=constructor",
            h.url.trim_end_matches('/')
        ))
        .await
        .unwrap();
    let label = "const host = document.querySelector('[data-handoff-chat]');
        const launcher = host && host.shadowRoot.querySelector('.hc-launcher');
        return launcher ? launcher.getAttribute('aria-label') : null;";
    let read = wait_for("the launcher", || async {
        h.js(label).await.as_str().map(str::to_owned)
    })
    .await;
    assert_eq!(read, "Open chat");
    let shadow = h.widget().await;
    button(&shadow, "Open chat").await;
    h.finish().await;
}

#[tokio::test]
async fn a_link_to_the_options_page_cannot_choose_where_the_widget_connects() {
    let h = Harness::start(&[]).await;
    h.open_page(
        "/options.html?directline-url=http%3A%2F%2Fevil.example%2Fv3%2Fdirectline\
         &token-url=http%3A%2F%2Fevil.example%2Ftoken&hub-url=http%3A%2F%2Fevil.example\
         &hub-token-url=http%3A%2F%2Fevil.example&directline-secret=s&handoff-mode=bridge\
         &title=Contoso",
    )
    .await;
    let script = "const tag = document.querySelector('script[src=\"/handoff-chat.js\"]');
        return Object.fromEntries([...tag.attributes].map(a => [a.name, a.value]))";
    let attributes = h.js(script).await;
    assert_eq!(attributes["data-directline-url"], "/v3/directline");
    assert_eq!(attributes["data-token-url"], "/api/directline/token");
    assert_eq!(attributes["data-title"], "Contoso");
    for ignored in [
        "data-hub-url",
        "data-hub-token-url",
        "data-directline-secret",
        "data-handoff-mode",
    ] {
        assert_eq!(attributes[ignored], Value::Null, "{ignored}: {attributes}");
    }
    h.finish().await;
}
