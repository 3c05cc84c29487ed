//! The demo bot's rich content through Direct Line (`oneshot`): each phrase's exact activity
//! shape (`../shared/RICH-CONTENT.md`), the files its cards point at on this server, and its
//! answers to what the visitor posts back (card submissions, postBack, messageBack, the
//! sign-in magic code).
#![allow(clippy::unwrap_used, reason = "tests: a panic is the failure report")]

mod common;

use axum::http::StatusCode;
use common::{event, message, replies_to, survey, types, TestApp, Visitor};
use serde_json::{json, Value};

/// Where the bot's URLs point: the Host the test requests name.
const ORIGIN: &str = "http://127.0.0.1:8080";

/// The app and a visitor's bot conversation in it.
async fn start() -> (TestApp, Visitor) {
    let app = TestApp::new();
    let visitor = app.visitor("/api/directline/token").await;
    (app, visitor)
}

/// Posts `activity`; the bot's answers to it (`replyToId`), checked to be a typing
/// activity then exactly one message, which is returned.
async fn ask(app: &TestApp, visitor: &Visitor, activity: Value) -> Value {
    let id = app.post_as(visitor, activity).await;
    let history = app.history(visitor).await;
    let replies = replies_to(&history, &id);
    let kinds = types(replies.iter().copied());
    assert_eq!(kinds, ["typing", "message"], "{replies:?}");
    assert_eq!(replies[1]["from"]["id"], "demo-bot");
    replies[1].clone()
}

/// The bot's message answering the visitor's `text`.
async fn say(app: &TestApp, visitor: &Visitor, text: &str) -> Value {
    ask(app, visitor, message(text)).await
}

/// The bot's message answering `phrase` with one card of `content_type`, and the card's
/// content.
async fn card(
    app: &TestApp,
    visitor: &Visitor,
    phrase: &str,
    content_type: &str,
) -> (Value, Value) {
    let answer = say(app, visitor, phrase).await;
    let attachments = answer["attachments"].as_array().unwrap();
    assert_eq!(attachments.len(), 1, "{phrase}");
    assert_eq!(attachments[0]["contentType"], content_type, "{phrase}");
    let content = attachments[0]["content"].clone();
    (answer, content)
}

/// GETs a URL the bot handed out (on this server); its content type and bytes.
async fn fetch(app: &TestApp, url: &Value) -> (String, Vec<u8>) {
    let path = url.as_str().unwrap().strip_prefix(ORIGIN).unwrap();
    let (status, content_type, bytes) = app.get_bytes(path).await;
    assert_eq!(status, StatusCode::OK, "{path}");
    (content_type, bytes)
}

#[tokio::test]
async fn markdown_is_sent_without_text_format_with_every_construct() {
    let (app, ada) = start().await;
    let answer = say(&app, &ada, "  MarkDown! ").await;
    assert!(
        answer.get("textFormat").is_none(),
        "missing textFormat = markdown"
    );
    let text = answer["text"].as_str().unwrap();
    for construct in [
        "# Markdown demo",
        "**Bold**",
        "*italic*",
        "~~struck through~~",
        "`inline code`",
        "https://example.com/docs",
        "[link to the Bot Framework docs](https://",
        "<b>html</b>",
        "1. First",
        "   - nested",
        "|:--|:-:|--:|",
        "```rust\n",
    ] {
        assert!(text.contains(construct), "{construct}");
    }
}

#[tokio::test]
async fn citations_come_in_copilot_studio_shape() {
    let (app, ada) = start().await;
    let answer = say(&app, &ada, "Citations").await;
    let text = answer["text"].as_str().unwrap();
    assert!(answer.get("textFormat").is_none());
    for marker in ["stream[1]", "drops[2]", "lifetime[3]."] {
        assert!(text.contains(marker), "{marker}");
    }
    let entities = answer["entities"].as_array().unwrap();
    assert_eq!(entities.len(), 1);
    let graph = &entities[0];
    assert_eq!(graph["type"], "https://schema.org/Message");
    assert_eq!(graph["@context"], "https://schema.org");
    assert_eq!(graph["@id"], "");
    assert_eq!(graph["@type"], "Message");
    assert_eq!(graph["keywords"], json!(["AIGeneratedContent"]));
    assert_eq!(graph["usageInfo"], json!({"@id": "_:s1"}));
    let claims = graph["citation"].as_array().unwrap();
    let positions: Vec<&str> = claims
        .iter()
        .map(|c| c["position"].as_str().unwrap())
        .collect();
    assert_eq!(positions, ["1", "2", "3"]);
    for claim in claims {
        assert_eq!(claim["@type"], "Claim");
        let appearance = &claim["appearance"];
        assert_eq!(appearance["@type"], "DigitalDocument");
        assert!(appearance["name"].is_string() && appearance["abstract"].is_string());
        // Each reference definition `[n]: target "title"` matches its claim by position.
        let definition = format!("[{}]: ", claim["position"].as_str().unwrap());
        let line = text.lines().find(|l| l.starts_with(&definition)).unwrap();
        let target = line[definition.len()..].split(' ').next().unwrap();
        match appearance["url"].as_str() {
            Some(url) => {
                assert_eq!(target, url);
                assert!(url.starts_with("https://"));
            }
            None => assert_eq!(target, "cite:1"),
        }
    }
    let cited = &claims[2]["appearance"];
    assert!(cited["text"].as_str().unwrap().contains("Token lifetime"));
    assert_eq!(cited["encodingFormat"], "text/markdown");
    assert_eq!(
        cited["usageInfo"],
        json!({"@id": "_:s1", "@type": "CreativeWork", "name": "Confidential"})
    );

    let legacy = say(&app, &ada, "legacy citations").await;
    assert!(legacy["text"].as_str().unwrap().contains("[1]: cite:1 \""));
    let claims = legacy["entities"].as_array().unwrap();
    for (claim, id) in claims.iter().zip(["cite:1", "cite:2"]) {
        assert_eq!(claim["type"], "https://schema.org/Claim");
        assert_eq!(claim["@id"], id);
        assert!(claim["name"].is_string() && claim["text"].is_string());
    }
}

#[tokio::test]
async fn cards_carry_every_button_kind_and_pictures_from_this_server() {
    let (app, ada) = start().await;
    for (phrase, content_type) in [
        ("show me cards", "application/vnd.microsoft.card.hero"),
        ("Hero card", "application/vnd.microsoft.card.hero"),
        ("thumbnail card", "application/vnd.microsoft.card.thumbnail"),
    ] {
        let (_, card) = card(&app, &ada, phrase, content_type).await;
        for field in ["title", "subtitle", "text"] {
            assert!(card[field].is_string(), "{phrase}: {field}");
        }
        let image = &card["images"][0];
        assert!(image["alt"].is_string());
        let (picture_type, png) = fetch(&app, &image["url"]).await;
        assert_eq!(picture_type, "image/png");
        assert!(png.starts_with(b"\x89PNG\r\n\x1a\n"));
        let buttons = card["buttons"].as_array().unwrap();
        let kinds = types(buttons.iter());
        assert_eq!(kinds, ["imBack", "postBack", "messageBack", "openUrl"]);
        assert!(buttons[2]["displayText"].is_string() && buttons[2]["value"].is_object());
        let (page_type, _) = fetch(&app, &buttons[3]["value"]).await;
        assert!(page_type.starts_with("text/html"));
    }

    let receipt = "application/vnd.microsoft.card.receipt";
    let (_, content) = card(&app, &ada, "Receipt", receipt).await;
    assert_eq!(content["facts"][0]["key"], "Order number");
    assert_eq!(content["items"].as_array().unwrap().len(), 2);
    assert!(content["items"][0]["image"]["url"]
        .as_str()
        .unwrap()
        .starts_with(ORIGIN));
    assert_eq!(content["total"], "€14.04");
    assert!(content["tax"].is_string() && content["buttons"].is_array());

    let carousel = say(&app, &ada, "carousel").await;
    assert_eq!(carousel["attachmentLayout"], "carousel");
    let cards = carousel["attachments"].as_array().unwrap();
    assert_eq!(cards.len(), 4);
    for card in cards {
        assert_eq!(card["contentType"], "application/vnd.microsoft.card.hero");
        fetch(&app, &card["content"]["images"][0]["url"]).await;
    }
}

#[tokio::test]
async fn attachment_only_is_a_card_without_text() {
    let (app, ada) = start().await;
    let answer = say(&app, &ada, "Please send an ATTACHMENT ONLY message").await;
    assert!(answer.get("text").is_none(), "{answer}");
    let attachments = answer["attachments"].as_array().unwrap();
    assert_eq!(attachments.len(), 1);
    assert_eq!(
        attachments[0]["contentType"],
        "application/vnd.microsoft.card.hero"
    );
}

#[tokio::test]
async fn file_and_image_are_served_by_this_server() {
    let (app, ada) = start().await;
    for (phrase, content_type, magic) in [
        ("file", "application/pdf", &b"%PDF-"[..]),
        ("image", "image/png", &b"\x89PNG"[..]),
    ] {
        let answer = say(&app, &ada, phrase).await;
        let attachment = &answer["attachments"][0];
        assert_eq!(attachment["contentType"], content_type);
        assert!(attachment["name"].is_string());
        assert!(attachment.get("content").is_none());
        let (served_type, bytes) = fetch(&app, &attachment["contentUrl"]).await;
        assert_eq!(served_type, content_type);
        assert!(bytes.starts_with(magic), "{phrase}");
    }
    let (status, _, _) = app.get_bytes("/demo-assets/card-9.png").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn the_form_is_an_adaptive_card_1_5_and_its_submission_is_answered() {
    let (app, ada) = start().await;
    let adaptive = "application/vnd.microsoft.card.adaptive";
    let (answer, card) = card(&app, &ada, "form", adaptive).await;
    assert_eq!(card["type"], "AdaptiveCard");
    assert_eq!(card["version"], "1.5");
    let body = card["body"].as_array().unwrap();
    let kinds = types(body.iter());
    for kind in [
        "TextBlock",
        "ColumnSet",
        "FactSet",
        "Input.Text",
        "Input.Number",
        "Input.Date",
        "Input.Time",
        "Input.ChoiceSet",
        "Input.Toggle",
        "Container",
    ] {
        assert!(kinds.contains(&kind), "{kind}");
    }
    let input = |id: &str| body.iter().find(|e| e["id"] == id).unwrap().clone();
    assert_eq!(input("name")["isRequired"], true);
    assert!(input("name")["errorMessage"].is_string());
    assert!(input("email")["regex"].is_string());
    assert_eq!(
        (
            input("guests")["min"].clone(),
            input("guests")["max"].clone()
        ),
        (json!(1), json!(8))
    );
    assert_eq!(input("area")["style"], "compact");
    assert_eq!(input("seating")["style"], "expanded");
    assert_eq!(input("extras")["isMultiSelect"], true);
    let columns = &body[kinds.iter().position(|k| *k == "ColumnSet").unwrap()]["columns"];
    assert_eq!(columns[0]["items"][0]["type"], "Image");
    let actions = card["actions"].as_array().unwrap();
    let kinds = types(actions.iter());
    assert_eq!(
        kinds,
        [
            "Action.ShowCard",
            "Action.ToggleVisibility",
            "Action.OpenUrl",
            "Action.Submit"
        ]
    );
    assert_eq!(actions[1]["targetElements"], json!(["policy"]));
    assert_eq!(actions[3]["data"], json!({"actionSubmitId": "Submit"}));

    // What Web Chat posts for Action.Submit: a postBack whose value is data + inputs.
    let submission = json!({"type": "message", "channelData": {"postBack": true},
        "replyToId": answer["id"], "from": {"id": "dl_visitor"},
        "value": {"actionSubmitId": "Submit", "date": "2025-01-31", "extras": "cake,high-chair",
                  "name": "Ann", "newsletter": "true"}});
    let thanks = ask(&app, &ada, submission).await;
    assert_eq!(
        thanks["text"],
        "Thanks! I got: date = 2025-01-31, extras = cake,high-chair, name = Ann, newsletter = true"
    );
}

#[tokio::test]
async fn sign_in_card_opens_a_page_whose_code_signs_the_visitor_in() {
    let (app, ada) = start().await;
    let oauth = "application/vnd.microsoft.card.oauth";
    let (_, card) = card(&app, &ada, "Sign in", oauth).await;
    let button = &card["buttons"][0];
    assert_eq!(button["type"], "signin");
    assert!(card["connectionName"].is_string());
    let (page_type, page) = fetch(&app, &button["value"]).await;
    assert!(page_type.starts_with("text/html"));
    let page = String::from_utf8(page).unwrap();
    let code = page
        .split("<strong>")
        .nth(1)
        .and_then(|rest| rest.split("</strong>").next())
        .unwrap()
        .to_owned();
    assert!(
        code.len() == 6 && code.bytes().all(|b| b.is_ascii_digit()),
        "{code}"
    );

    let wrong = if code == "000000" { "111111" } else { "000000" };
    let refused = say(&app, &ada, wrong).await;
    assert!(refused["text"].as_str().unwrap().contains("not the code"));
    assert_eq!(say(&app, &ada, &code).await["text"], "You are signed in.");
    // Signed in: the code is an ordinary message again.
    assert!(say(&app, &ada, &code).await["text"]
        .as_str()
        .unwrap()
        .starts_with("Sorry"));

    let (status, _, _) = app
        .get_bytes("/demo-assets/sign-in?conversation=nope")
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

/// The choices' suggested actions for visitor `to`: three imBack, a postBack, a messageBack
/// with displayText.
#[track_caller]
fn assert_choices(suggested: &Value, to: &Value) {
    assert_eq!(suggested["to"], json!([to]));
    let actions = suggested["actions"].as_array().unwrap();
    let kinds = types(actions.iter());
    assert_eq!(
        kinds,
        ["imBack", "imBack", "imBack", "postBack", "messageBack"]
    );
    for im_back in &actions[..3] {
        assert_eq!(im_back["title"], im_back["value"]);
    }
    assert!(actions[4]["displayText"].is_string() && actions[4]["text"].is_string());
}

#[tokio::test]
async fn choices_are_suggested_actions_and_each_kind_reaches_the_bot() {
    let (app, ada) = start().await;
    // The greeting asks its multiple-choice question for the visitor who started.
    let hello = ask(
        &app,
        &ada,
        event("startConversation", survey("Ada", "Lovelace")),
    )
    .await;
    let history = app.history(&ada).await;
    assert_choices(&hello["suggestedActions"], &history[0]["from"]["id"]);

    let choices = say(&app, &ada, "choices").await;
    // Addressed to the token's user, whatever `from` the message named.
    assert_choices(&choices["suggestedActions"], &history[0]["from"]["id"]);
    let actions = choices["suggestedActions"]["actions"].clone();

    // imBack: the title, posted as the visitor's own text.
    let im_back = say(&app, &ada, actions[0]["value"].as_str().unwrap()).await;
    assert!(im_back["text"]
        .as_str()
        .unwrap()
        .contains("Monday to Friday"));
    let post_back = json!({"type": "message", "text": actions[3]["value"],
        "channelData": {"postBack": true}, "from": {"id": "dl_visitor"}});
    assert_eq!(
        ask(&app, &ada, post_back).await["text"],
        "I got a postBack: call me back"
    );
    let message_back = json!({"type": "message", "text": actions[4]["text"],
        "value": actions[4]["value"], "from": {"id": "dl_visitor"},
        "channelData": {"messageBack": {"displayText": actions[4]["displayText"]}}});
    assert_eq!(
        ask(&app, &ada, message_back).await["text"],
        "I got a messageBack: text = rate 5; value: rating = 5"
    );
}

#[tokio::test]
async fn help_lists_the_phrases_and_the_fallback_points_to_it() {
    let (app, ada) = start().await;
    let help = say(&app, &ada, "Help").await;
    let text = help["text"].as_str().unwrap();
    for phrase in [
        "markdown",
        "legacy citations",
        "show me cards",
        "carousel",
        "form",
        "sign in",
        "stream a long answer",
        "stream deltas",
        "choices",
        "attachment only",
    ] {
        assert!(text.contains(&format!("*{phrase}*")), "{phrase}");
    }
    let fallback = say(&app, &ada, "bananas").await;
    assert!(fallback["text"].as_str().unwrap().contains("\"help\""));
}
