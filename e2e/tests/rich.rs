//! Rich content as a visitor sees and uses it, against the dev server's demo bot (issue 13):
//! markdown, citations, suggested actions, cards and a carousel, an Adaptive Card form, a
//! livestreamed answer. What a person sees is read from the widget's shadow root; what a
//! click posted is read back from the conversation, and must be exactly Web Chat's payload.
#![allow(clippy::unwrap_used, reason = "tests: a panic is the failure report")]

use e2e::probe::{conversation, stored_session};
use e2e::{
    button, send_message, submit_survey, wait_for_message, wait_until, Harness, ADA_REQUIRED,
};
use fantoccini::elements::ShadowRoot;
use serde_json::{json, Value};

/// Runs `expr` in the page with `s` bound to the widget's shadow root.
async fn q(h: &Harness, expr: &str) -> Value {
    let script = format!(
        "const s = document.querySelector('[data-handoff-chat]').shadowRoot; return ({expr});"
    );
    h.js(&script).await
}

/// Waits until `expr` (see [`q`]) is true.
async fn until(h: &Harness, what: &str, expr: &str) {
    wait_until(what, || async { q(h, expr).await == Value::Bool(true) }).await;
}

/// A chat with the demo bot, greeted.
async fn chatting(h: &Harness) -> ShadowRoot {
    let shadow = h.open_demo().await;
    button(&shadow, "Open chat").await.click().await.unwrap();
    submit_survey(&shadow, &ADA_REQUIRED).await;
    wait_for_message(&shadow, "Hello Ada").await;
    shadow
}

/// The message activities the visitor posted, as the bot received them.
async fn posted(h: &Harness) -> Vec<Value> {
    let stored = stored_session(h).await.unwrap();
    let set = conversation(h, &stored, "bot").await.unwrap();
    set["activities"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| a["type"] == "message" && a["from"]["role"] == "user")
        .cloned()
        .collect()
}

/// Clicks the element matching `css` whose text contains `text`.
async fn click(h: &Harness, css: &str, text: &str) {
    let found =
        format!("[...s.querySelectorAll({css:?})].some(e => e.textContent.includes({text:?}))");
    until(h, &format!("{css} {text:?}"), &found).await;
    q(h, &format!(
        "[...s.querySelectorAll({css:?})].find(e => e.textContent.includes({text:?})).click() || true"
    ))
    .await;
}

#[tokio::test]
async fn markdown_is_drawn_safely_and_links_open_in_a_new_tab() {
    let h = Harness::start(&[]).await;
    let shadow = chatting(&h).await;
    send_message(&shadow, "markdown").await;
    until(
        &h,
        "markdown drawn",
        "s.querySelector('.hc-md strong')?.textContent === 'Bold'",
    )
    .await;
    let md = "[...s.querySelectorAll('.hc-md')].pop()";
    let seen = q(&h, &format!("(m => ({{
        heading: m.querySelector('h3')?.textContent,
        del: m.querySelector('del')?.textContent,
        code: m.querySelector('p code')?.textContent,
        items: m.querySelectorAll('ol > li').length,
        nested: m.querySelector('ol ul li em')?.textContent,
        cells: [...m.querySelectorAll('tbody td')].map(td => td.textContent),
        pre: m.querySelector('pre code')?.textContent,
        quote: m.querySelector('blockquote')?.textContent.trim(),
        link: (a => a && [a.getAttribute('target'), a.getAttribute('rel'), a.textContent])(m.querySelector('a[href^=\"https://learn.microsoft.com\"]')),
        autolink: !!m.querySelector('a[href=\"https://example.com/docs\"]'),
        raw: m.textContent.includes('<b>html</b>'),
        elements: m.querySelectorAll('b, script, iframe, [onerror], [onclick]').length,
    }}))({md})")).await;
    assert_eq!(
        seen,
        json!({
            "heading": "Markdown demo", "del": "struck through", "code": "inline code",
            "items": 3, "nested": "bullet",
            "cells": ["Espresso", "S", "€2.40", "Flat white", "L", "€3.80"],
            "pre": "fn main() {\n    println!(\"Hello <world>\");\n}\n",
            "quote": "A quote, to finish.",
            "link": ["_blank", "noopener noreferrer", "link to the Bot Framework docs (opens in a new tab)"],
            "autolink": true, "raw": true, "elements": 0,
        })
    );
    h.finish().await;
}

#[tokio::test]
async fn suggested_actions_post_exactly_what_web_chat_posts_then_go_away() {
    let h = Harness::start(&[]).await;
    let shadow = chatting(&h).await;
    // The greeting offers choices: imBack shows and posts its value.
    click(&h, ".hc-chip", "Order status").await;
    wait_for_message(&shadow, "Order status").await;
    until(
        &h,
        "chips gone",
        "s.querySelectorAll('.hc-chip').length === 0",
    )
    .await;
    assert_eq!(
        q(&h, "s.activeElement?.tagName").await,
        "TEXTAREA",
        "focus moves to the composer"
    );
    let im_back = posted(&h).await.pop().unwrap();
    assert_eq!(im_back["text"], "Order status");
    assert_eq!(im_back["textFormat"], "plain");
    assert!(im_back.get("value").is_none() && im_back["channelData"].get("postBack").is_none());

    // postBack: posted, never shown.
    send_message(&shadow, "choices").await;
    click(&h, ".hc-chip", "Call me back").await;
    let texts = wait_for_message(&shadow, "I got a postBack: call me back").await;
    assert!(!texts.iter().any(|t| t == "call me back"), "{texts:?}");
    let post_back = posted(&h).await.pop().unwrap();
    assert_eq!(post_back["text"], "call me back");
    assert_eq!(post_back["channelData"]["postBack"], true);
    assert!(post_back.get("textFormat").is_none());

    // messageBack: posts text and value, shows displayText.
    send_message(&shadow, "choices").await;
    click(&h, ".hc-chip", "Rate this chat").await;
    wait_for_message(
        &shadow,
        "I got a messageBack: text = rate 5; value: rating = 5",
    )
    .await;
    wait_for_message(&shadow, "★★★★★").await;
    let message_back = posted(&h).await.pop().unwrap();
    assert_eq!(message_back["text"], "rate 5");
    assert_eq!(message_back["value"], json!({"rating": 5}));
    assert_eq!(
        message_back["channelData"]["messageBack"],
        json!({"displayText": "★★★★★"})
    );
    h.finish().await;
}

#[tokio::test]
async fn an_adaptive_card_checks_its_inputs_posts_them_and_locks() {
    let h = Harness::start(&[]).await;
    let shadow = chatting(&h).await;
    send_message(&shadow, "form").await;
    until(
        &h,
        "form drawn",
        "!!s.querySelector('.hc-ac [data-input=name]')",
    )
    .await;
    // Show/hide parts of the card, locally.
    let shown = |text: &str| {
        format!("[...s.querySelectorAll('.hc-ac p, .hc-ac div')].some(e => e.textContent === {text:?} && e.checkVisibility())")
    };
    assert_eq!(
        q(&h, &shown("Cancel free of charge up to 2 hours before.")).await,
        false
    );
    click(&h, ".hc-ac-action", "Cancellation policy").await;
    until(
        &h,
        "policy shown",
        &shown("Cancel free of charge up to 2 hours before."),
    )
    .await;
    click(&h, ".hc-ac-action", "Allergies?").await;
    until(
        &h,
        "show card",
        &shown("Tell the waiter; every dish lists its allergens."),
    )
    .await;

    // Empty required fields and a bad email: the card says so, nothing is posted.
    let before = posted(&h).await.len();
    q(
        &h,
        "(e => { e.value = 'not-an-email'; return true })(s.querySelector('[data-input=email]'))",
    )
    .await;
    click(&h, ".hc-ac-action", "Submit").await;
    let errors =
        "[...s.querySelectorAll('.hc-ac-error')].filter(e => !e.hidden).map(e => e.textContent)";
    until(&h, "errors shown", &format!("{errors}.length === 3")).await;
    assert_eq!(
        q(&h, errors).await,
        json!([
            "Please enter your name.",
            "Please enter a valid email address.",
            "Please pick a date."
        ])
    );
    assert_eq!(
        q(&h, "s.activeElement?.getAttribute('data-input')").await,
        "name",
        "focus on the first"
    );
    assert_eq!(
        q(
            &h,
            "s.querySelector('[data-input=name]').getAttribute('aria-invalid')"
        )
        .await,
        "true"
    );

    let fill = "const set = (id, v) => { const e = s.querySelector(`[data-input=${id}]`); e.value = v; };
        set('name', 'Ann'); set('email', 'ann@example.com'); set('date', '2026-12-24');
        for (const v of ['high-chair', 'cake']) s.querySelector(`[data-input=extras][value=${v}]`).click();
        s.querySelector('[data-input=newsletter]').click();
        return true";
    q(&h, &format!("(() => {{ {fill} }})()")).await;
    click(&h, ".hc-ac-action", "Submit").await;
    wait_for_message(&shadow, "Thanks! I got:").await;
    let sent = posted(&h).await;
    assert_eq!(sent.len(), before + 1, "one post");
    let submit = sent.last().unwrap();
    assert_eq!(
        submit["value"],
        json!({"actionSubmitId": "Submit", "name": "Ann", "email": "ann@example.com", "guests": "2",
               "date": "2026-12-24", "area": "inside", "extras": "high-chair,cake", "newsletter": "true"})
    );
    assert_eq!(submit["channelData"]["postBack"], true);
    assert!(submit.get("text").is_none());
    let card_id = q(&h, "[...s.querySelectorAll('[data-rich]')].map(e => JSON.parse(e.dataset.rich)).find(a => a.attachments?.[0]?.contentType.endsWith('adaptive')).id").await;
    assert_eq!(submit["replyToId"], card_id);
    until(
        &h,
        "card locked",
        "[...s.querySelectorAll('.hc-ac input, .hc-ac button')].every(e => e.disabled)",
    )
    .await;
    h.finish().await;
}

#[tokio::test]
async fn citations_become_buttons_sources_and_a_dialog() {
    let h = Harness::start(&[]).await;
    let shadow = chatting(&h).await;
    send_message(&shadow, "citations").await;
    until(
        &h,
        "citations drawn",
        "s.querySelectorAll('.hc-cite').length === 3",
    )
    .await;
    assert_eq!(
        q(
            &h,
            "[...s.querySelectorAll('.hc-sources li')].map(li => li.textContent)"
        )
        .await,
        json!([
            "[1] Receive activities from the bot (opens in a new tab)",
            "[2] Reconnect to a conversation (opens in a new tab)",
            "[3] Token lifetimeConfidential"
        ])
    );
    assert_eq!(
        q(&h, "[...s.querySelectorAll('.hc-sources a')].every(a => a.target === '_blank' && a.rel === 'noopener noreferrer' && a.href.startsWith('https://'))").await,
        true
    );
    // A claim without a URL opens its text in the widget.
    click(&h, ".hc-cite", "3").await;
    until(&h, "dialog open", "!!s.querySelector('dialog[open]')").await;
    assert_eq!(
        q(&h, "s.querySelector('dialog[open] strong').textContent").await,
        "Token lifetime."
    );
    q(
        &h,
        "s.querySelector('dialog[open] .hc-cite-dialog__close').click() || true",
    )
    .await;
    until(&h, "dialog closed", "!s.querySelector('dialog')").await;
    assert_eq!(
        q(&h, "s.activeElement?.textContent").await,
        "3",
        "focus back on the citation"
    );
    let _ = shadow;
    h.finish().await;
}

#[tokio::test]
async fn cards_show_their_parts_and_a_carousel_scrolls() {
    let h = Harness::start(&[]).await;
    let shadow = chatting(&h).await;
    send_message(&shadow, "show me cards").await;
    until(&h, "hero card", "!!s.querySelector('.hc-card--hero')").await;
    assert_eq!(
        q(&h, "(c => [c.querySelector('.hc-card__title').textContent, c.querySelector('img').alt, [...c.querySelectorAll('button')].map(b => b.textContent)])(s.querySelector('.hc-card--hero'))").await,
        json!(["Handoff Café", "A blue card with a white coffee cup",
               ["Opening hours", "Reserve a table", "Order a coffee", "Visit our site"]])
    );
    click(&h, ".hc-card__button", "Order a coffee").await;
    wait_for_message(&shadow, "One large coffee, please").await;
    let card = q(
        &h,
        "JSON.parse(s.querySelector('.hc-card--hero').closest('[data-rich]').dataset.rich).id",
    )
    .await;
    let message_back = posted(&h).await.pop().unwrap();
    assert_eq!(
        message_back["replyToId"], card,
        "card actions reply to their card"
    );
    assert_eq!(
        message_back["value"],
        json!({"item": "coffee", "size": "large"})
    );

    send_message(&shadow, "carousel").await;
    until(
        &h,
        "carousel",
        "s.querySelectorAll('.hc-carousel__item').length === 4",
    )
    .await;
    click(&h, ".hc-carousel__next", "›").await;
    until(
        &h,
        "scrolled",
        "s.querySelector('.hc-carousel__track').scrollLeft > 0",
    )
    .await;
    h.finish().await;
}

#[tokio::test]
async fn a_livestreamed_answer_grows_in_one_bubble_and_ends_once() {
    let h = Harness::start(&[]).await;
    let shadow = chatting(&h).await;
    send_message(&shadow, "stream a long answer").await;
    let end = "and the final message closes the stream.";
    let texts = wait_for_message(&shadow, end).await;
    let streamed: Vec<&String> = texts
        .iter()
        .filter(|t| t.starts_with("Here is a long answer"))
        .collect();
    assert_eq!(streamed.len(), 1, "one bubble: {texts:?}");
    until(
        &h,
        "markdown while streaming",
        "[...s.querySelectorAll('.hc-md strong')].some(e => e.textContent === 'markdown')",
    )
    .await;
    h.finish().await;
}

#[tokio::test]
async fn hostile_content_runs_nothing_stays_in_its_bubble_and_the_chat_goes_on() {
    let h = Harness::start(&[]).await;
    let shadow = chatting(&h).await;
    send_message(&shadow, "hostile content").await;
    until(&h, "corpus drawn", "[...s.querySelectorAll('[data-drawn]')].some(e => e.textContent.includes('Hostile corpus.')) && !!s.querySelector('.hc-ac')").await;
    // Press every control the corpus drew that stays in the page (links would leave it).
    q(&h, "[...s.querySelectorAll('.hc-rich button')].filter(b => !b.closest('.hc-suggested') || b.textContent.includes('open')).forEach(b => b.click()) || true").await;
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    let seen = q(&h, "(() => {
        const all = [...s.querySelectorAll('.hc-rich *')];
        const attrs = all.flatMap(e => [...e.attributes].map(a => [a.name, a.value]));
        const bubble = [...s.querySelectorAll('.hc-msg')].find(m => m.textContent.includes('Hostile corpus.'));
        const box = bubble.getBoundingClientRect();
        const panel = s.querySelector('[role=dialog]').getBoundingClientRect();
        return {
            pwned: window.__hcPwned === undefined ? null : window.__hcPwned,
            handlers: attrs.filter(([n]) => n.startsWith('on')).length,
            scriptUrls: attrs.filter(([n, v]) => /^(href|src|action|formaction|poster)$/.test(n) && !/^(https?:|mailto:|tel:|data:image\\/(png|jpeg|jpg|gif|webp))/i.test(v.trim())).length,
            elements: all.filter(e => /^(script|style|svg|iframe|object|embed|form|link|meta|base)$/i.test(e.tagName)).length,
            markupShown: bubble.textContent.includes('<img src=x onerror='),
            inPanel: box.left >= panel.left - 1 && box.right <= panel.right + 1,
            hostTitle: document.title,
            pageStyled: getComputedStyle(document.body).display,
        };
    })()").await;
    assert_eq!(
        seen,
        json!({"pwned": null, "handlers": 0, "scriptUrls": 0, "elements": 0, "markupShown": true,
               "inPanel": true, "hostTitle": q(&h, "document.title").await, "pageStyled": "block"})
    );
    // The chat goes on.
    send_message(&shadow, "what are your opening hours?").await;
    wait_for_message(&shadow, "9:00").await;
    h.finish().await;
}

#[tokio::test]
async fn sign_in_opens_a_popup_from_the_click_and_the_code_goes_in_the_send_box() {
    let h = Harness::start(&[]).await;
    let shadow = chatting(&h).await;
    send_message(&shadow, "file").await;
    until(
        &h,
        "file link",
        "!!s.querySelector('a.hc-file[href$=\"price-list.pdf\"][target=_blank]')",
    )
    .await;
    send_message(&shadow, "image").await;
    until(&h, "image", "[...s.querySelectorAll('.hc-rich img')].some(i => i.src.endsWith('card-2.png') && i.alt === 'card-2.png')").await;

    send_message(&shadow, "sign in").await;
    let main = h.client.window().await.unwrap();
    click(&h, ".hc-card--signin button", "Sign in").await;
    let popup = e2e::wait_for("the sign-in popup", || async {
        let windows = h.client.windows().await.ok()?;
        windows.into_iter().find(|w| *w != main)
    })
    .await;
    h.client.switch_to_window(popup).await.unwrap();
    let code = e2e::wait_for("the magic code", || async {
        let text = h.client.source().await.ok()?;
        let start = text.find("<strong>")? + "<strong>".len();
        let end = start + text[start..].find("</strong>")?;
        Some(text[start..end].to_owned())
    })
    .await;
    h.client.close_window().await.unwrap();
    h.client.switch_to_window(main).await.unwrap();
    // The send box stays usable while the card waits for the code.
    send_message(&shadow, &code).await;
    wait_for_message(&shadow, "You are signed in.").await;
    h.finish().await;
}
