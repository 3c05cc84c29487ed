//! What each attachment kind draws, and hostile attachments kept bounded.

use super::*;
use crate::strings::Lang;
use serde_json::json;

fn render(activity: Value) -> (String, Rendered) {
    let ctx = Ctx::new("u1", Lang::En, Some("act-1".into()), "m1");
    let mut out = Rendered::default();
    let n = attachments(&activity, &ctx, &mut out);
    (n.map(|n| n.html()).unwrap_or_default(), out)
}

fn one(a: Value) -> String {
    let h = render(json!({ "attachments": [a] })).0;
    let inner = h.strip_prefix("<div class=\"hc-attachments\">").unwrap();
    inner.strip_suffix("</div>").unwrap().to_owned()
}

fn plain(t: &str) -> Value {
    json!({"contentType":"text/plain","content":t})
}

const CANT: &str = "<p class=\"hc-cant-show\">This part of the message can't be shown here.</p>";

#[test]
fn a_list_or_a_carousel() {
    assert_eq!(render(json!({"attachments":[]})).0, "");
    let (h, _) = render(json!({"attachmentLayout":"carousel","attachments":[plain("a")]}));
    assert_eq!(
        h,
        "<div class=\"hc-attachments\"><p class=\"hc-plain\">a</p></div>"
    );
    let (h, out) =
        render(json!({"attachmentLayout":"carousel","attachments":[plain("a"),plain("b")]}));
    assert_eq!(
        h,
        "<div class=\"hc-carousel\" id=\"m1-0\">\
         <button type=\"button\" class=\"hc-carousel__prev\" aria-label=\"Previous\" data-action=\"0\">‹</button>\
         <div class=\"hc-carousel__track\" tabindex=\"0\">\
         <div class=\"hc-carousel__item\"><p class=\"hc-plain\">a</p></div>\
         <div class=\"hc-carousel__item\"><p class=\"hc-plain\">b</p></div></div>\
         <button type=\"button\" class=\"hc-carousel__next\" aria-label=\"Next\" data-action=\"1\">›</button></div>"
    );
    let scroll = |by| Action::Scroll {
        carousel: "m1-0".into(),
        by,
    };
    assert_eq!(out.actions, vec![scroll(-1), scroll(1)]);
}

#[test]
fn hero_and_thumbnail_cards() {
    let (h, out) = render(
        json!({"attachments":[{"contentType":"application/vnd.microsoft.card.HERO",
        "content":{"title":"T","subtitle":"S","tap":{"type":"imBack","value":"no"},
        "images":[{"url":"javascript:alert(1)","alt":"Pic","tap":{"type":"imBack","value":"i"}},
            {"url":"javascript:alert(1)"}],
        "buttons":[{"type":"imBack","title":"Yes","value":"yes"},{"type":"postBack","title":"P","value":"p"},
            {"type":"openUrl","title":"Bad","value":"javascript:alert(1)"}]}}]}),
    );
    assert_eq!(
        h,
        "<div class=\"hc-attachments\"><div class=\"hc-card hc-card--hero\">\
         <p class=\"hc-plain\">Pic</p><p class=\"hc-card__title\">T</p><p class=\"hc-card__subtitle\">S</p>\
         <div class=\"hc-card__actions\">\
         <button type=\"button\" class=\"hc-card__button\" data-action=\"0\">Yes</button>\
         <button type=\"button\" class=\"hc-card__button\" data-action=\"1\">P</button></div></div></div>"
    );
    let Action::Post(p) = &out.actions[1] else {
        panic!()
    };
    assert_eq!(
        p.to_json(),
        json!({"channelData":{"postBack":true},"text":"p","replyToId":"act-1"}).to_string()
    );
    let h = one(
        json!({"contentType":"application/vnd.microsoft.card.thumbnail",
        "content":{"text":"Some *text*"}}),
    );
    assert!(
        h.starts_with("<div class=\"hc-card hc-card--thumbnail\"><div class=\"hc-card__text\">")
    );
    assert!(h.contains("Some "));
    // Nothing to show at all: said so, not an empty card.
    let h = one(
        json!({"contentType":"application/vnd.microsoft.card.hero","content":{"images":[{"url":"x:y"}]}}),
    );
    assert_eq!(h, CANT);
}

#[test]
fn card_images_taps_media_and_files_with_allowed_urls() {
    let h = one(
        json!({"contentType":"application/vnd.microsoft.card.hero","content":{
        "images":[{"url":"https://x.example/a.png","tap":{"type":"imBack","value":"i"}}]}}),
    );
    assert_eq!(
        h,
        "<div class=\"hc-card hc-card--hero\"><button type=\"button\" class=\"hc-card__tap\" data-action=\"0\">\
         <img class=\"hc-card__img\" src=\"https://x.example/a.png\" alt=\"Image\" loading=\"lazy\"></img></button></div>"
    );
    let h = one(
        json!({"contentType":"application/vnd.microsoft.card.animation","content":{
        "title":"G","media":[{"url":"https://x.example/a.GIF?x=1"}]}}),
    );
    assert!(h.contains(
        "<img src=\"https://x.example/a.GIF?x=1\" alt=\"G\" class=\"hc-card__media\"></img>"
    ));
    let h = one(
        json!({"contentType":"application/vnd.microsoft.card.video","content":{
        "image":{"url":"https://x.example/p.png"},"media":[{"url":"https://x.example/v.mp4"}]}}),
    );
    assert!(h.contains(
        "<video controls=\"\" preload=\"metadata\" src=\"https://x.example/v.mp4\" \
        poster=\"https://x.example/p.png\" class=\"hc-card__media\"></video>"
    ));
    assert_eq!(
        one(json!({"contentType":"image/png","contentUrl":"https://x.example/a.png","name":"a.png"})),
        "<img class=\"hc-image\" src=\"https://x.example/a.png\" alt=\"a.png\" loading=\"lazy\"></img>"
    );
    assert_eq!(
        one(json!({"contentType":"audio/mpeg","contentUrl":"https://x.example/a.mp3"})),
        "<audio controls=\"\" preload=\"metadata\" src=\"https://x.example/a.mp3\" class=\"hc-media\"></audio>"
    );
    assert_eq!(
        one(json!({"contentType":"application/pdf","contentUrl":"https://x.example/f.pdf"})),
        "<a class=\"hc-file\" href=\"https://x.example/f.pdf\" target=\"_blank\" \
         rel=\"noopener noreferrer\" download=\"\">Download</a>"
    );
    let (_, out) = render(
        json!({"attachments":[{"contentType":"application/vnd.microsoft.card.oauth",
        "content":{"text":"Sign in","buttons":[{"type":"signin","value":"https://token.botframework.com/x"}]}}]}),
    );
    assert_eq!(
        out.actions,
        vec![Action::Open {
            url: "https://token.botframework.com/x".into(),
            popup: true
        }]
    );
}

#[test]
fn receipt_cards() {
    let h = one(
        json!({"contentType":"application/vnd.microsoft.card.receipt","content":{
        "title":"Order","facts":[{"key":"No.","value":1234}],
        "items":[{"title":"Tea","subtitle":"Green","price":"$4","quantity":2,
            "image":{"url":"javascript:x","alt":"tea"}}],
        "tax":"$0.40","vat":"","total":"$4.40",
        "buttons":[{"type":"imBack","title":"More","value":"more"}]}}),
    );
    assert_eq!(
        h,
        "<div class=\"hc-card hc-card--receipt\"><p class=\"hc-card__title\">Order</p>\
         <dl class=\"hc-receipt__facts\"><dt>No.</dt><dd>1234</dd></dl>\
         <ul class=\"hc-receipt__items\"><li class=\"hc-receipt__item\">\
         <span class=\"hc-receipt__name\">Tea</span><span class=\"hc-receipt__sub\">Green</span>\
         <span class=\"hc-receipt__qty\">2</span><span class=\"hc-receipt__price\">$4</span></li></ul>\
         <dl class=\"hc-receipt__totals\">\
         <dt class=\"hc-receipt__tax\">Tax</dt><dd class=\"hc-receipt__tax\">$0.40</dd>\
         <dt class=\"hc-receipt__total\">Total</dt><dd class=\"hc-receipt__total\">$4.40</dd></dl>\
         <div class=\"hc-card__actions\"><button type=\"button\" class=\"hc-card__button\" data-action=\"0\">More</button></div></div>"
    );
}

#[test]
fn sign_in_and_media_cards_with_refused_urls_keep_their_text() {
    let h = one(
        json!({"contentType":"application/vnd.microsoft.card.oauth","content":{"text":"Sign in",
        "connectionName":"c","buttons":[{"type":"signin","title":"Login","value":"javascript:x"}],
        "tokenExchangeResource":{"id":"i","uri":"api://x"}}}),
    );
    assert!(h.starts_with("<div class=\"hc-card hc-card--signin\"><div class=\"hc-card__text\">"));
    assert!(!h.contains("button"));
    for k in ["animation", "audio", "video"] {
        let ct = ["application/vnd.microsoft.card.", k].concat();
        let h = one(
            json!({"contentType":ct,"content":{"title":"Clip","media":[{"url":"javascript:x"}]}}),
        );
        assert_eq!(
            h,
            [
                "<div class=\"hc-card hc-card--",
                k,
                "\"><p class=\"hc-card__title\">Clip</p></div>"
            ]
            .concat()
        );
        assert_eq!(
            one(json!({"contentType":ct,"content":{"media":[{"url":"javascript:x"}]}})),
            CANT
        );
    }
}

#[test]
fn files_images_players_text_and_the_rest() {
    for ct in [
        "image/png",
        "audio/mpeg",
        "video/mp4",
        "application/octet-stream",
        "application/pdf",
    ] {
        let a = json!({"contentType":ct,"contentUrl":"javascript:alert(1)","name":"f.bin"});
        assert_eq!(one(a), "<p class=\"hc-plain\">f.bin</p>", "{ct}");
        assert_eq!(
            one(json!({"contentType":ct,"contentUrl":"javascript:alert(1)"})),
            CANT,
            "{ct}"
        );
    }
    assert_eq!(one(plain("x < y")), "<p class=\"hc-plain\">x &lt; y</p>");
    assert_eq!(
        one(json!({"contentType":"text/markdown","content":"*x*"})),
        "<p class=\"hc-plain\">*x*</p>"
    );
    assert_eq!(
        one(json!({"contentType":"text/plain","content":{"x":1}})),
        CANT
    );
    assert_eq!(
        one(json!({"contentType":"application/ld+json","content":{}})),
        CANT
    );
    assert_eq!(one(json!({"content":"x"})), CANT);
    assert_eq!(one(json!(7)), CANT);
    let h = one(
        json!({"contentType":"application/vnd.microsoft.card.adaptive",
        "content":{"type":"AdaptiveCard","version":"1.5","body":[{"type":"RichTextBlock","inlines":["hi"]}]}}),
    );
    assert_eq!(
        h,
        "<div class=\"hc-ac\" data-card=\"m1-0\"><p class=\"hc-ac-rich\">hi</p></div>"
    );
}

#[test]
fn ten_thousand_hostile_cards_stay_within_the_budget() {
    let js = "javascript:alert(1)";
    let tap = json!({"type":"openUrl","title":"t","value":js});
    let hero = json!({"contentType":"application/vnd.microsoft.card.hero","content":{"title":"T",
        "images":[{"url":js,"tap":tap},{"url":js,"alt":"a"}],"buttons":[tap,{"type":"call","title":"c","value":js},
        {"type":"imBack","title":"i","value":"v"}],"tap":tap}});
    let media = json!({"contentType":"application/vnd.microsoft.card.video","content":{
        "image":{"url":js},"media":[{"url":js}],"buttons":[tap]}});
    let file = json!({"contentType":"application/pdf","contentUrl":js,"name":"f"});
    let list: Vec<Value> = (0..10_000)
        .map(|i| [&hero, &media, &file][i % 3].clone())
        .collect();
    let ctx = Ctx::new("u1", Lang::En, Some("act-1".into()), "m1");
    let mut out = Rendered::default();
    let n = attachments(
        &json!({"attachmentLayout":"carousel","attachments":list}),
        &ctx,
        &mut out,
    )
    .unwrap();
    let h = n.html();
    let elements = h.matches('<').count() - h.matches("</").count();
    assert!(elements <= crate::node::MAX_NODES, "{elements}");
    assert!(elements > crate::node::MAX_NODES / 2, "{elements}");
    assert!(!h.contains("javascript:"));
    assert!(!format!("{:?}", out.actions).contains("javascript:"));
}
