//! Attachments (RICH-CONTENT.md §4): hero, thumbnail, receipt, sign-in/OAuth and media
//! cards, Adaptive Cards ([`crate::adaptive`]), images, players, files and plain text, as a
//! list or a carousel. Never an empty card: what cannot be shown says so. A refused URL
//! leaves no element carrying it; the attachment's name (or image alt) shows as text.

use serde_json::Value;

use crate::action::{as_text, card_action, label, str_of, Action};
use crate::node::{el, text, Ctx, El, Node, Rendered};
use crate::strings::S;

/// The attachments of `activity` (a list, or a carousel), if it has any.
pub fn attachments(activity: &Value, ctx: &Ctx, out: &mut Rendered) -> Option<Node> {
    let list = activity["attachments"]
        .as_array()
        .filter(|l| !l.is_empty())?;
    let carousel = list.len() > 1
        && activity["attachmentLayout"]
            .as_str()
            .is_some_and(|l| l.eq_ignore_ascii_case("carousel"));
    // The wrapper, and a carousel's buttons and track.
    if !ctx.spend() || (carousel && !(ctx.spend() && ctx.spend() && ctx.spend())) {
        return None;
    }
    let mut items = Vec::new();
    for a in list {
        if carousel && !ctx.spend() {
            break;
        }
        let Some(n) = attachment(a, ctx, out) else {
            break;
        };
        items.push(if carousel {
            el("div").class("hc-carousel__item").child(n).into()
        } else {
            n
        });
    }
    if !carousel {
        return Some(el("div").class("hc-attachments").kids(items).into());
    }
    let id = ctx.uid();
    let mut scroll = |by, class, label| {
        let a = out.action(Action::Scroll {
            carousel: id.clone(),
            by,
        });
        el("button")
            .attr("type", "button")
            .class(class)
            .attr("aria-label", ctx.t(label))
            .attr("data-action", a)
            .text(if by < 0 { "‹" } else { "›" })
    };
    let (prev, next) = (
        scroll(-1, "hc-carousel__prev", S::Previous),
        scroll(1, "hc-carousel__next", S::Next),
    );
    let track = el("div")
        .class("hc-carousel__track")
        .attr("tabindex", "0")
        .kids(items);
    Some(
        el("div")
            .class("hc-carousel")
            .attr("id", id)
            .child(prev)
            .child(track)
            .child(next)
            .into(),
    )
}

/// One attachment; None once the node budget is spent.
fn attachment(a: &Value, ctx: &Ctx, out: &mut Rendered) -> Option<Node> {
    if !ctx.spend() {
        return None;
    }
    let ty = a["contentType"]
        .as_str()
        .unwrap_or_default()
        .to_ascii_lowercase();
    let c = &a["content"];
    let card = match ty.strip_prefix("application/vnd.microsoft.card.") {
        Some("adaptive") => return Some(crate::adaptive::render(c, ctx, out)),
        Some("hero") => Some(hero("hc-card hc-card--hero", c, ctx, out)),
        Some("thumbnail") => Some(hero("hc-card hc-card--thumbnail", c, ctx, out)),
        Some("receipt") => Some(receipt(c, ctx, out)),
        Some("signin" | "oauth") => {
            let card = head(el("div").class("hc-card hc-card--signin"), c, ctx, out);
            Some(buttons(card, &c["buttons"], ctx, out))
        }
        Some(k @ ("animation" | "audio" | "video")) => Some(media_card(k, c, ctx, out)),
        _ => None,
    };
    if let Some(card) = card {
        return Some(if card.kids.is_empty() {
            cant_show(ctx)
        } else {
            card.into()
        });
    }
    let name = str_of(&a["name"]);
    let url = a["contentUrl"].as_str();
    let major = ty.split('/').next().unwrap_or_default();
    Some(match (major, url, c.as_str()) {
        ("text", _, Some(t)) => el("p").class("hc-plain").text(t).into(),
        ("image", Some(u), _) => match crate::url::image(u) {
            Some(src) => el("img")
                .class("hc-image")
                .attr("src", src)
                .attr("alt", name.unwrap_or(ctx.t(S::Image)))
                .attr("loading", "lazy")
                .into(),
            None => refused(name, ctx),
        },
        ("audio" | "video", Some(u), _) => match crate::url::media(u) {
            Some(src) => player(if major == "audio" { "audio" } else { "video" }, src)
                .class("hc-media")
                .into(),
            None => refused(name, ctx),
        },
        (_, Some(u), _) => match crate::url::media(u) {
            Some(href) => el("a")
                .class("hc-file")
                .attr("href", href)
                .attr("target", "_blank")
                .attr("rel", "noopener noreferrer")
                .attr("download", "")
                .text(name.unwrap_or(ctx.t(S::Download)))
                .into(),
            None => refused(name, ctx),
        },
        _ => cant_show(ctx),
    })
}

fn cant_show(ctx: &Ctx) -> Node {
    el("p")
        .class("hc-cant-show")
        .text(ctx.t(S::CantShow))
        .into()
}

/// What stands in for an attachment whose URL was refused: its name, else "can't show".
fn refused(name: Option<&str>, ctx: &Ctx) -> Node {
    match name {
        Some(n) => el("p").class("hc-plain").text(n).into(),
        None => cant_show(ctx),
    }
}

/// An `audio`/`video` element with controls (never autoplay).
fn player(tag: &'static str, src: String) -> El {
    el(tag)
        .attr("controls", "")
        .attr("preload", "metadata")
        .attr("src", src)
}

/// Adds a card's title, subtitle and (markdown) text.
fn head(mut card: El, c: &Value, ctx: &Ctx, out: &mut Rendered) -> El {
    for (key, class) in [
        ("title", "hc-card__title"),
        ("subtitle", "hc-card__subtitle"),
    ] {
        if let Some(t) = as_text(&c[key]).filter(|t| !t.is_empty()) {
            if ctx.spend() {
                card = card.child(el("p").class(class).text(t));
            }
        }
    }
    if let Some(t) = str_of(&c["text"]) {
        if ctx.spend() {
            let mut nodes = crate::markdown::render(t, ctx, out);
            if nodes.is_empty() {
                nodes.push(text(t));
            }
            card = card.child(el("div").class("hc-card__text").kids(nodes));
        }
    }
    card
}

/// Adds a card's buttons (`div.hc-card__actions`); each posts with `replyToId` = the card
/// activity, sign-in buttons open a popup. Buttons the widget cannot run are left out.
fn buttons(card: El, list: &Value, ctx: &Ctx, out: &mut Rendered) -> El {
    let mut row = el("div").class("hc-card__actions");
    for b in list.as_array().into_iter().flatten() {
        let Some(act) = card_action(b, ctx.activity_id.as_deref()) else {
            continue;
        };
        let mut l = label(b);
        if l.is_empty() && matches!(act, Action::Open { popup: true, .. }) {
            l = ctx.t(S::SignIn).into();
        }
        if l.is_empty() || !ctx.spend() {
            continue;
        }
        row.kids.push(
            el("button")
                .attr("type", "button")
                .class("hc-card__button")
                .attr("data-action", out.action(act))
                .text(l)
                .into(),
        );
    }
    if row.kids.is_empty() || !ctx.spend() {
        return card;
    }
    card.child(row)
}

/// A card image (`{url, alt, tap}`); one with a runnable `tap` is the content of a button.
fn image(i: &Value, ctx: &Ctx, out: &mut Rendered) -> Option<Node> {
    if !ctx.spend() {
        return None;
    }
    let alt = str_of(&i["alt"]);
    let Some(src) = i["url"].as_str().and_then(crate::url::image) else {
        return alt.map(|a| el("p").class("hc-plain").text(a).into());
    };
    let img = el("img")
        .class("hc-card__img")
        .attr("src", src)
        .attr("alt", alt.unwrap_or(ctx.t(S::Image)))
        .attr("loading", "lazy");
    Some(match card_action(&i["tap"], ctx.activity_id.as_deref()) {
        Some(act) if ctx.spend() => el("button")
            .attr("type", "button")
            .class("hc-card__tap")
            .attr("data-action", out.action(act))
            .child(img)
            .into(),
        _ => img.into(),
    })
}

/// Hero and thumbnail cards: images, title, subtitle, text, buttons (the card's own
/// `tap` is ignored: the whole card as one button would swallow its buttons).
fn hero(class: &'static str, c: &Value, ctx: &Ctx, out: &mut Rendered) -> El {
    let mut card = el("div").class(class);
    for i in c["images"].as_array().into_iter().flatten() {
        card.kids.extend(image(i, ctx, out));
    }
    let card = head(card, c, ctx, out);
    buttons(card, &c["buttons"], ctx, out)
}

/// Receipt cards: title, facts, items, tax, VAT, total, buttons. Amounts are the bot's
/// formatted strings (numbers shown as given).
fn receipt(c: &Value, ctx: &Ctx, out: &mut Rendered) -> El {
    let card = head(el("div").class("hc-card hc-card--receipt"), c, ctx, out);
    let mut facts = el("dl").class("hc-receipt__facts");
    for f in c["facts"].as_array().into_iter().flatten() {
        if !(ctx.spend() && ctx.spend()) {
            break;
        }
        let key = as_text(&f["key"]).unwrap_or_default();
        let value = as_text(&f["value"]).unwrap_or_default();
        facts = facts.child(el("dt").text(key)).child(el("dd").text(value));
    }
    let mut items = el("ul").class("hc-receipt__items");
    for it in c["items"].as_array().into_iter().flatten() {
        if !ctx.spend() {
            break;
        }
        let mut li = el("li").class("hc-receipt__item");
        if let Some(src) = it["image"]["url"].as_str().and_then(crate::url::image) {
            if ctx.spend() {
                let alt = str_of(&it["image"]["alt"]).unwrap_or_default();
                li = li.child(
                    el("img")
                        .class("hc-receipt__img")
                        .attr("src", src)
                        .attr("alt", alt),
                );
            }
        }
        for (key, class) in [
            ("title", "hc-receipt__name"),
            ("subtitle", "hc-receipt__sub"),
            ("text", "hc-receipt__sub"),
            ("quantity", "hc-receipt__qty"),
            ("price", "hc-receipt__price"),
        ] {
            if let Some(t) = as_text(&it[key]).filter(|t| !t.is_empty()) {
                if ctx.spend() {
                    li = li.child(el("span").class(class).text(t));
                }
            }
        }
        items = items.child(li);
    }
    let mut totals = el("dl").class("hc-receipt__totals");
    for (key, s, class) in [
        ("tax", S::Tax, "hc-receipt__tax"),
        ("vat", S::Vat, "hc-receipt__vat"),
        ("total", S::Total, "hc-receipt__total"),
    ] {
        if let Some(t) = as_text(&c[key]).filter(|t| !t.is_empty()) {
            if ctx.spend() && ctx.spend() {
                totals = totals
                    .child(el("dt").class(class).text(ctx.t(s)))
                    .child(el("dd").class(class).text(t));
            }
        }
    }
    let mut card = card;
    for part in [facts, items, totals] {
        if !part.kids.is_empty() && ctx.spend() {
            card = card.child(part);
        }
    }
    buttons(card, &c["buttons"], ctx, out)
}

/// Animation, audio and video cards: players (never autoplay), then title, text, buttons.
fn media_card(kind: &str, c: &Value, ctx: &Ctx, out: &mut Rendered) -> El {
    let mut card = el("div").class(match kind {
        "animation" => "hc-card hc-card--animation",
        "audio" => "hc-card hc-card--audio",
        _ => "hc-card hc-card--video",
    });
    let poster = c["image"]["url"].as_str().and_then(crate::url::image);
    for m in c["media"].as_array().into_iter().flatten() {
        let Some(u) = m["url"].as_str() else {
            continue;
        };
        if !ctx.spend() {
            break;
        }
        let node = if kind == "animation" && is_image(u) {
            crate::url::image(u).map(|src| {
                let alt = str_of(&c["title"]).unwrap_or(ctx.t(S::Image));
                el("img").attr("src", src).attr("alt", alt)
            })
        } else if kind == "audio" {
            crate::url::media(u).map(|src| player("audio", src))
        } else {
            crate::url::media(u).map(|src| match &poster {
                Some(p) => player("video", src).attr("poster", p.clone()),
                None => player("video", src),
            })
        };
        card.kids
            .extend(node.map(|n| n.class("hc-card__media").into()));
    }
    let card = head(card, c, ctx, out);
    buttons(card, &c["buttons"], ctx, out)
}

/// An animation URL that names an image (a GIF, mostly) rather than a video.
fn is_image(u: &str) -> bool {
    let u = u.to_ascii_lowercase();
    let path = u.split(['?', '#']).next().unwrap_or_default();
    u.starts_with("data:image/")
        || [".gif", ".png", ".jpg", ".jpeg", ".webp"]
            .iter()
            .any(|e| path.ends_with(e))
}

#[cfg(test)]
mod tests;
