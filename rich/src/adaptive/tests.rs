//! Adaptive Card rendering tests. Markdown is rendered by `crate::markdown` (a stub while
//! this was written: its text shows as plain text), so markdown-bearing elements are
//! checked by class and text rather than exact markup.

use serde_json::{json, Value};

use super::render;
use crate::action::Action;
use crate::node::{Ctx, Node, Rendered, MAX_NODES};
use crate::strings::Lang;

fn ctx() -> Ctx {
    Ctx::new("u1", Lang::En, Some("act-1".into()), "m1")
}

/// The card's html and actions; the root's `data-card` is `m1-0`.
fn card(body: Value) -> (String, Rendered) {
    card_with(json!({"type":"AdaptiveCard","version":"1.5","body":body}))
}

fn card_with(c: Value) -> (String, Rendered) {
    let mut out = Rendered::default();
    let node = render(&c, &ctx(), &mut out);
    (node.html(), out)
}

/// The html inside the root div.
fn inner(html: &str) -> &str {
    let start = html.find('>').map_or(0, |i| i + 1);
    &html[start..html.len() - "</div>".len()]
}

#[test]
fn text_block_styles_are_classes() {
    let (h, _) = card(
        json!([{"type":"TextBlock","text":"Hi **there**","size":"Large",
        "weight":"Bolder","isSubtle":true,"color":"accent","horizontalAlignment":"center"}]),
    );
    assert!(
        h.starts_with("<div class=\"hc-ac\" data-card=\"m1-0\">"),
        "{h}"
    );
    assert!(h.contains(
        "<div class=\"hc-ac-text hc-ac-large hc-ac-bolder hc-ac-accent hc-ac-subtle hc-ac-center\">"
    ));
    assert!(h.contains("Hi "));
    let (h, _) = card(
        json!([{"type":"TextBlock","text":"T","style":"heading","size":"extraLarge","color":"Nope"}]),
    );
    assert!(h.contains(
        "<div class=\"hc-ac-text hc-ac-xlarge hc-ac-heading\" role=\"heading\" aria-level=\"3\">"
    ));
}

#[test]
fn rich_text_runs_become_inline_elements() {
    let (h, _) = card(json!([{"type":"RichTextBlock","inlines":["Plain ",
        {"type":"TextRun","text":"b","weight":"bolder"},
        {"type":"TextRun","text":"all","weight":"bolder","italic":true,"strikethrough":true,"underline":true,"highlight":true},
        {"type":"TextRun","text":"c","color":"good"}, 42]}]));
    assert_eq!(
        inner(&h),
        "<p class=\"hc-ac-rich\">Plain <strong>b</strong>\
         <mark><u><del><em><strong>all</strong></em></del></u></mark>\
         <span class=\"hc-ac-run hc-ac-good\">c</span></p>"
    );
}

#[test]
fn containers_and_columns_lay_out_with_parsed_widths_only() {
    let (h, _) = card(json!([{"type":"Container","style":"emphasis","items":[
        {"type":"ColumnSet","columns":[
            {"width":"auto","items":[{"type":"RichTextBlock","inlines":["a"]}]},
            {"type":"Column","width":"stretch"},
            {"type":"Column","width":2},
            {"type":"Column","width":"3"},
            {"type":"Column","width":"50px"},
            {"type":"Column","width":"1;background:url(x)"},
            {"type":"Column","width":"1e-300"}]}]}]));
    assert_eq!(
        inner(&h),
        "<div class=\"hc-ac-container hc-ac-emphasis\"><div class=\"hc-ac-columns\">\
         <div class=\"hc-ac-column\" style=\"flex:0 0 auto\"><p class=\"hc-ac-rich\">a</p></div>\
         <div class=\"hc-ac-column\" style=\"flex:1 1 0\"></div>\
         <div class=\"hc-ac-column\" style=\"flex:2 1 0\"></div>\
         <div class=\"hc-ac-column\" style=\"flex:3 1 0\"></div>\
         <div class=\"hc-ac-column\" style=\"flex:0 0 50px\"></div>\
         <div class=\"hc-ac-column\" style=\"flex:1 1 0\"></div>\
         <div class=\"hc-ac-column\" style=\"flex:0 1 0\"></div></div></div>"
    );
}

#[test]
fn refused_images_show_their_alt_text_and_nothing_else() {
    let (h, _) = card(json!([
        {"type":"Image","url":"javascript:alert(1)","altText":"Logo"},
        {"type":"Image","url":"javascript:alert(1)"},
        {"type":"ImageSet","imageSize":"small","images":[{"type":"Image","url":"ftp://x","altText":"A"}]},
        {"type":"Media","sources":[{"mimeType":"video/mp4","url":"javascript:x"}]}]));
    assert_eq!(
        inner(&h),
        "<span class=\"hc-ac-alt\">Logo</span>\
         <div class=\"hc-ac-imageset\"><span class=\"hc-ac-alt\">A</span></div>"
    );
}

#[test]
fn images_and_media_render_with_allowed_urls() {
    let (h, _) = card(json!([
        {"type":"Image","url":"https://x.example/a.png","altText":"A","size":"Medium","style":"person"},
        {"type":"ImageSet","imageSize":"small","images":[{"type":"Image","url":"https://x.example/b.png"}]},
        {"type":"Media","poster":"https://x.example/p.png","altText":"Clip",
            "sources":[{"mimeType":"video/mp4","url":"https://x.example/v.mp4"}]},
        {"type":"Media","sources":[{"mimeType":"audio/mpeg","url":"https://x.example/a.mp3"}]}]));
    assert_eq!(
        inner(&h),
        "<img class=\"hc-ac-img hc-ac-img-medium hc-ac-person\" src=\"https://x.example/a.png\" alt=\"A\" loading=\"lazy\"></img>\
         <div class=\"hc-ac-imageset\"><img class=\"hc-ac-img hc-ac-img-small\" src=\"https://x.example/b.png\" alt=\"\" loading=\"lazy\"></img></div>\
         <video class=\"hc-ac-media\" controls=\"\" preload=\"metadata\" src=\"https://x.example/v.mp4\" poster=\"https://x.example/p.png\" aria-label=\"Clip\"></video>\
         <audio class=\"hc-ac-media\" controls=\"\" preload=\"metadata\" src=\"https://x.example/a.mp3\"></audio>"
    );
}

#[test]
fn fact_sets_and_tables() {
    let (h, _) = card(
        json!([{"type":"FactSet","facts":[{"title":"Order","value":"42"},{"title":"Qty","value":3}]}]),
    );
    assert!(
        h.contains(
            "<dl class=\"hc-ac-facts\"><dt>Order</dt><dd><p>42</p></dd><dt>Qty</dt><dd><p>3</p></dd></dl>"
        ),
        "{h}"
    );
    let cell =
        |s: &str| json!({"type":"TableCell","items":[{"type":"RichTextBlock","inlines":[s]}]});
    let rows = json!([{"type":"TableRow","cells":[cell("H1"),cell("H2")]},{"type":"TableRow","cells":[cell("a"),cell("b")]}]);
    let (h, _) = card(json!([{"type":"Table","columns":[{"width":1},{"width":1}],"rows":rows}]));
    assert_eq!(
        inner(&h),
        "<table class=\"hc-ac-table hc-ac-grid\">\
         <tr><th scope=\"col\"><p class=\"hc-ac-rich\">H1</p></th><th scope=\"col\"><p class=\"hc-ac-rich\">H2</p></th></tr>\
         <tr><td><p class=\"hc-ac-rich\">a</p></td><td><p class=\"hc-ac-rich\">b</p></td></tr></table>"
    );
    let (h, _) =
        card(json!([{"type":"Table","firstRowAsHeader":false,"showGridLines":false,"rows":rows}]));
    assert!(h.contains("<table class=\"hc-ac-table\"><tr><td>"));
    assert!(!h.contains("<th"));
}

#[test]
fn hidden_elements_and_card_ids() {
    let (h, _) = card(json!([{"type":"Container","id":"more","isVisible":false,"items":[]}]));
    assert_eq!(
        inner(&h),
        "<div class=\"hc-ac-container\" hidden=\"\" id=\"m1-e-more\"></div>"
    );
}

#[test]
fn unknown_elements_use_their_fallback_or_vanish() {
    let (h, _) = card(json!([
        {"type":"Carousel","fallback":{"type":"RichTextBlock","inlines":["instead"]}},
        {"type":"Rating","fallback":"drop"},
        {"type":"Icon"},
        {"type":"Future","fallback":{"type":"Future2","fallback":{"type":"RichTextBlock","inlines":["deep"]}}}]));
    assert_eq!(
        inner(&h),
        "<p class=\"hc-ac-rich\">instead</p><p class=\"hc-ac-rich\">deep</p>"
    );
}

#[test]
fn unsupported_or_empty_cards_show_their_fallback_text_never_nothing() {
    let body = json!([{"type":"RichTextBlock","inlines":["x"]}]);
    for v in [json!("1.7"), json!("2.0"), json!(1.7)] {
        let (h, _) = card_with(json!({"version":v,"body":body,"fallbackText":"Please update"}));
        assert!(
            h.contains("Please update") && !h.contains("hc-ac-rich"),
            "{v}: {h}"
        );
    }
    for v in [
        json!("1.6"),
        json!("1.0"),
        json!(1.2),
        json!(null),
        json!("x"),
    ] {
        let (h, _) = card_with(json!({"version":v,"body":body}));
        assert!(h.contains("hc-ac-rich"), "{v}");
    }
    let (h, _) = card_with(json!({"version":"1.5","body":[{"type":"Icon"}]}));
    assert_eq!(
        h,
        "<div class=\"hc-ac\" data-card=\"m1-0\"><p class=\"hc-cant-show\">\
         This part of the message can't be shown here.</p></div>"
    );
    let (h, _) = card_with(json!("not a card"));
    assert!(h.contains("hc-cant-show"));
}

#[test]
fn text_inputs() {
    let (h, _) = card(json!([
        {"type":"Input.Text","id":"name","label":"Name","isRequired":true,"errorMessage":"Need it",
         "regex":"^[A-Z].*","maxLength":20,"placeholder":"Your name","style":"Email","value":"Ann"},
        {"type":"Input.Text","id":"c","isMultiline":true,"placeholder":"Comments","value":"x"},
        {"type":"Input.Text","id":"t","style":"tel"}]));
    assert_eq!(
        inner(&h),
        "<div class=\"hc-ac-field\" id=\"m1-e-name\"><label for=\"m1-1\">Name</label>\
         <input id=\"m1-1\" data-input=\"name\" required=\"\" type=\"email\" value=\"Ann\" \
         pattern=\"^[A-Z].*\" maxlength=\"20\" placeholder=\"Your name\"></input>\
         <p class=\"hc-ac-error\" hidden=\"\">Need it</p></div>\
         <div class=\"hc-ac-field\" id=\"m1-e-c\">\
         <textarea id=\"m1-2\" data-input=\"c\" placeholder=\"Comments\" aria-label=\"Comments\">x</textarea>\
         <p class=\"hc-ac-error\" hidden=\"\">This field is required.</p></div>\
         <div class=\"hc-ac-field\" id=\"m1-e-t\">\
         <input id=\"m1-3\" data-input=\"t\" type=\"tel\" aria-label=\"t\"></input>\
         <p class=\"hc-ac-error\" hidden=\"\">This field is required.</p></div>"
    );
}

#[test]
fn number_date_and_time_inputs() {
    let (h, _) = card(json!([
        {"type":"Input.Number","id":"n","label":"N","min":1,"max":"10","value":2.5,"placeholder":"p"},
        {"type":"Input.Date","id":"dob","label":"D","min":"2020-01-01","max":"2030-12-31","value":"2025-01-31"},
        {"type":"Input.Time","id":"at","label":"T","min":"09:00","isRequired":true}]));
    assert_eq!(
        inner(&h),
        "<div class=\"hc-ac-field\" id=\"m1-e-n\"><label for=\"m1-1\">N</label>\
         <input id=\"m1-1\" data-input=\"n\" type=\"number\" step=\"any\" min=\"1\" max=\"10\" value=\"2.5\" placeholder=\"p\"></input>\
         <p class=\"hc-ac-error\" hidden=\"\">This field is required.</p></div>\
         <div class=\"hc-ac-field\" id=\"m1-e-dob\"><label for=\"m1-2\">D</label>\
         <input id=\"m1-2\" data-input=\"dob\" type=\"date\" min=\"2020-01-01\" max=\"2030-12-31\" value=\"2025-01-31\"></input>\
         <p class=\"hc-ac-error\" hidden=\"\">This field is required.</p></div>\
         <div class=\"hc-ac-field\" id=\"m1-e-at\"><label for=\"m1-3\">T</label>\
         <input id=\"m1-3\" data-input=\"at\" required=\"\" type=\"time\" min=\"09:00\"></input>\
         <p class=\"hc-ac-error\" hidden=\"\">This field is required.</p></div>"
    );
}

#[test]
fn toggles_carry_their_on_and_off_values() {
    let (h, _) = card(json!([
        {"type":"Input.Toggle","id":"agree","title":"I agree","value":"yes","valueOn":"yes","valueOff":"no"},
        {"type":"Input.Toggle","id":"news","title":"News","value":"false"}]));
    assert_eq!(
        inner(&h),
        "<div class=\"hc-ac-field\" id=\"m1-e-agree\">\
         <input id=\"m1-1\" data-input=\"agree\" type=\"checkbox\" data-on=\"yes\" data-off=\"no\" checked=\"\"></input>\
         <label for=\"m1-1\">I agree</label><p class=\"hc-ac-error\" hidden=\"\">This field is required.</p></div>\
         <div class=\"hc-ac-field\" id=\"m1-e-news\">\
         <input id=\"m1-2\" data-input=\"news\" type=\"checkbox\" data-on=\"true\" data-off=\"false\"></input>\
         <label for=\"m1-2\">News</label><p class=\"hc-ac-error\" hidden=\"\">This field is required.</p></div>"
    );
}

#[test]
fn choice_sets_compact_expanded_and_multi() {
    let choices = json!([{"title":"Red","value":"r"},{"title":"Green","value":"g"},{"value":3}]);
    let (h, _) = card(json!([
        {"type":"Input.ChoiceSet","id":"c1","label":"Colour","value":"g","isRequired":true,"choices":choices},
        {"type":"Input.ChoiceSet","id":"c2","style":"expanded","value":"r","placeholder":"Pick","choices":choices,"isRequired":true},
        {"type":"Input.ChoiceSet","id":"c3","label":"Many","isMultiSelect":true,"value":"r, 3","choices":choices,"isRequired":true}]));
    assert_eq!(
        inner(&h),
        "<div class=\"hc-ac-field\" id=\"m1-e-c1\"><label for=\"m1-1\">Colour</label>\
         <select id=\"m1-1\" data-input=\"c1\" required=\"\"><option value=\"\">Choose an option</option>\
         <option value=\"r\">Red</option><option value=\"g\" selected=\"\">Green</option><option value=\"3\">3</option></select>\
         <p class=\"hc-ac-error\" hidden=\"\">This field is required.</p></div>\
         <div class=\"hc-ac-field\" id=\"m1-e-c2\">\
         <div class=\"hc-ac-choices\" role=\"group\" aria-label=\"Pick\">\
         <label class=\"hc-ac-choice\"><input id=\"m1-4\" data-input=\"c2\" required=\"\" type=\"radio\" name=\"m1-3\" value=\"r\" checked=\"\"></input>Red</label>\
         <label class=\"hc-ac-choice\"><input id=\"m1-5\" data-input=\"c2\" required=\"\" type=\"radio\" name=\"m1-3\" value=\"g\"></input>Green</label>\
         <label class=\"hc-ac-choice\"><input id=\"m1-6\" data-input=\"c2\" required=\"\" type=\"radio\" name=\"m1-3\" value=\"3\"></input>3</label></div>\
         <p class=\"hc-ac-error\" hidden=\"\">This field is required.</p></div>\
         <div class=\"hc-ac-field\" id=\"m1-e-c3\"><p class=\"hc-ac-label\" aria-hidden=\"true\">Many</p>\
         <div class=\"hc-ac-choices\" role=\"group\" aria-label=\"Many\" required=\"\" aria-required=\"true\">\
         <label class=\"hc-ac-choice\"><input id=\"m1-9\" data-input=\"c3\" type=\"checkbox\" name=\"m1-8\" value=\"r\" checked=\"\"></input>Red</label>\
         <label class=\"hc-ac-choice\"><input id=\"m1-10\" data-input=\"c3\" type=\"checkbox\" name=\"m1-8\" value=\"g\"></input>Green</label>\
         <label class=\"hc-ac-choice\"><input id=\"m1-11\" data-input=\"c3\" type=\"checkbox\" name=\"m1-8\" value=\"3\" checked=\"\"></input>3</label></div>\
         <p class=\"hc-ac-error\" hidden=\"\">This field is required.</p></div>"
    );
}

#[test]
fn submit_open_url_execute_and_disabled_actions() {
    let (h, out) = card_with(json!({"version":"1.5","body":[],"actions":[
        {"type":"Action.Submit","title":"Send","style":"positive","data":{"actionSubmitId":"Submit","msteams":{"a":1}}},
        {"type":"Action.Submit","title":"No data","isEnabled":false},
        {"type":"Action.Submit","title":"Skip","associatedInputs":"none","data":{"x":1}},
        {"type":"Action.OpenUrl","title":"Bad","url":"javascript:alert(1)"},
        {"type":"Action.Execute","title":"Run","verb":"v"},
        {"type":"Action.Submit"},
        {"type":"Action.Future","title":"F","fallback":{"type":"Action.Submit","title":"Fb"}}]}));
    assert_eq!(
        inner(&h),
        "<div class=\"hc-ac-actions\">\
         <button type=\"button\" class=\"hc-ac-action hc-ac-action--positive\" data-action=\"0\">Send</button>\
         <button type=\"button\" class=\"hc-ac-action\" data-action=\"1\" disabled=\"\">No data</button>\
         <button type=\"button\" class=\"hc-ac-action\" data-action=\"2\">Skip</button>\
         <button type=\"button\" class=\"hc-ac-action\" data-action=\"3\">Fb</button></div>"
    );
    assert_eq!(
        out.actions[0],
        Action::Submit {
            card: "m1-0".into(),
            data: json!({"actionSubmitId":"Submit","msteams":{"a":1}})
        }
    );
    assert_eq!(
        out.actions[1],
        Action::Submit {
            card: "m1-0".into(),
            data: Value::Null
        }
    );
    let Action::Post(p) = &out.actions[2] else {
        panic!("{:?}", out.actions[2])
    };
    assert_eq!(
        p.to_json(),
        json!({"channelData":{"postBack":true},"value":{"x":1},"replyToId":"act-1"}).to_string()
    );
}

#[test]
fn show_card_panels_and_toggle_targets() {
    let (h, out) = card_with(json!({"version":"1.5","body":[
        {"type":"Input.Text","id":"a","label":"A"},
        {"type":"ActionSet","actions":[{"type":"Action.ToggleVisibility","title":"More",
            "targetElements":["x",{"elementId":"y","isVisible":true},{"elementId":"z","isVisible":false},{"nope":1},""]}]}],
        "actions":[{"type":"Action.ShowCard","title":"Comment","card":{"type":"AdaptiveCard","body":[
            {"type":"Input.Text","id":"b","label":"B"}],
            "actions":[{"type":"Action.Submit","title":"OK"}]}}]}));
    assert_eq!(
        out.actions[0],
        Action::Toggle {
            targets: vec![
                ("m1-e-x".into(), None),
                ("m1-e-y".into(), Some(true)),
                ("m1-e-z".into(), Some(false))
            ]
        }
    );
    assert!(h.contains(
        "<div class=\"hc-ac-actions\"><button type=\"button\" class=\"hc-ac-action\" data-action=\"0\">More</button></div>"
    ));
    assert!(h.ends_with(
        "<div class=\"hc-ac-actions\"><button type=\"button\" class=\"hc-ac-action\" data-action=\"2\" \
         aria-expanded=\"false\" aria-controls=\"m1-2\">Comment</button>\
         <div class=\"hc-ac-showcard\" id=\"m1-2\" hidden=\"\">\
         <div class=\"hc-ac-field\" id=\"m1-e-b\"><label for=\"m1-3\">B</label>\
         <input id=\"m1-3\" data-input=\"b\" type=\"text\"></input>\
         <p class=\"hc-ac-error\" hidden=\"\">This field is required.</p></div>\
         <div class=\"hc-ac-actions\"><button type=\"button\" class=\"hc-ac-action\" data-action=\"1\">OK</button></div>\
         </div></div></div>"
    ), "{h}");
    // The nested Submit gathers the whole card's inputs (the root's id).
    assert_eq!(
        out.actions[1],
        Action::Submit {
            card: "m1-0".into(),
            data: Value::Null
        }
    );
    assert_eq!(
        out.actions[2],
        Action::Toggle {
            targets: vec![("m1-2".into(), None)]
        }
    );
}

/// Elements in a tree (text nodes are not elements).
fn count(n: &Node) -> usize {
    match n {
        Node::Text(_) => 0,
        Node::El(e) => 1 + e.kids.iter().map(count).sum::<usize>(),
    }
}

fn script_attrs(n: &Node) -> usize {
    match n {
        Node::Text(_) => 0,
        Node::El(e) => {
            let own = e.attrs.iter();
            let own = own.filter(|(k, v)| *k != "pattern" && v.contains("javascript:"));
            own.count() + e.kids.iter().map(script_attrs).sum::<usize>()
        }
    }
}

fn depth(n: &Node) -> usize {
    match n {
        Node::Text(_) => 0,
        Node::El(e) => 1 + e.kids.iter().map(depth).max().unwrap_or(0),
    }
}

#[test]
fn hostile_cards_render_bounded_and_without_scripts() {
    // Building, cloning and dropping a 1000-deep `Value` recurses (the render does not
    // past its depth limit): give the test thread room.
    std::thread::Builder::new()
        .stack_size(256 << 20)
        .spawn(hostile)
        .unwrap()
        .join()
        .unwrap();
}

fn hostile() {
    let js = "javascript:alert(1)";
    // 1000 containers deep (built by hand: the JSON parser would refuse this nesting).
    let mut deep = json!({"type":"Image","url":js,"altText":"x"});
    for _ in 0..1000 {
        deep = json!({"type":"Container","items":[deep],"selectAction":{"type":"Action.OpenUrl","url":js}});
    }
    let every = |i: usize| match i % 8 {
        0 => {
            json!({"type":"Image","url":js,"altText":"a","selectAction":{"type":"Action.OpenUrl","url":js}})
        }
        1 => json!({"type":"Media","poster":js,"sources":[{"mimeType":"video/mp4","url":js}]}),
        2 => {
            json!({"type":"ActionSet","actions":[{"type":"Action.OpenUrl","title":"o","url":js,"iconUrl":js}]})
        }
        3 => {
            json!({"type":"Input.ChoiceSet","id":"c","isMultiSelect":true,"choices":[{"title":"a","value":"a"},{"title":"b","value":"b"}]})
        }
        4 => json!({"type":"Input.Text","id":"t","label":"T","regex":js}),
        5 => {
            json!({"type":"ColumnSet","columns":[{"width":js,"backgroundImage":js,"items":[{"type":"TextBlock","text":"[x](javascript:alert(1))"}]}]})
        }
        6 => json!({"type":"Table","rows":[{"cells":[{"items":[{"type":"Image","url":js}]}]}]}),
        _ => {
            json!({"type":"ImageSet","images":[{"type":"Image","url":js},{"type":"Image","url":js}]})
        }
    };
    let mut body: Vec<Value> = vec![deep];
    body.extend((0..10_000).map(every));
    let c = json!({"type":"AdaptiveCard","version":"1.5","body":body,"backgroundImage":js,
        "actions":[{"type":"Action.OpenUrl","title":"x","url":js},
            {"type":"Action.ShowCard","title":"s","card":{"body":body.clone()}}]});
    let mut out = Rendered::default();
    let node = render(&c, &ctx(), &mut out);
    let n = count(&node);
    assert!(n <= MAX_NODES, "{n} elements");
    assert!(n > MAX_NODES / 2, "{n} elements: the budget should be used");
    assert!(depth(&node) <= crate::node::MAX_DEPTH, "{}", depth(&node));
    // No attribute holds a script URL. (`pattern` is the browser's regex, not a URL; text
    // may say anything: with the markdown stub the TextBlock's link shows as text.)
    assert_eq!(script_attrs(&node), 0, "a script URL got through");
    for a in &out.actions {
        assert!(!format!("{a:?}").contains("javascript:"), "{a:?}");
    }
}
