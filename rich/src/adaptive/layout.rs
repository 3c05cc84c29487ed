//! Adaptive Card display elements: TextBlock, RichTextBlock, Container, ColumnSet/Column,
//! Image, ImageSet, FactSet, Table, Media. Styles become classes chosen here; the only
//! `style` attribute is a column's flex, written from numbers parsed out of its `width`.

use serde_json::Value;

use super::{classes, is, is_true, number, pick, Ac};
use crate::action::{as_text, str_of};
use crate::node::{el, text, El, Node};

const SIZES: &[(&str, &str)] = &[
    ("small", "hc-ac-small"),
    ("medium", "hc-ac-medium"),
    ("large", "hc-ac-large"),
    ("extraLarge", "hc-ac-xlarge"),
];
const WEIGHTS: &[(&str, &str)] = &[("bolder", "hc-ac-bolder"), ("lighter", "hc-ac-lighter")];
const COLORS: &[(&str, &str)] = &[
    ("dark", "hc-ac-dark"),
    ("light", "hc-ac-light"),
    ("accent", "hc-ac-accent"),
    ("good", "hc-ac-good"),
    ("warning", "hc-ac-warning"),
    ("attention", "hc-ac-attention"),
];
const ALIGN: &[(&str, &str)] = &[("center", "hc-ac-center"), ("right", "hc-ac-right")];
const STYLES: &[(&str, &str)] = &[
    ("emphasis", "hc-ac-emphasis"),
    ("good", "hc-ac-good-bg"),
    ("warning", "hc-ac-warning-bg"),
    ("attention", "hc-ac-attention-bg"),
    ("accent", "hc-ac-accent-bg"),
];
const IMG_SIZES: &[(&str, &str)] = &[
    ("small", "hc-ac-img-small"),
    ("medium", "hc-ac-img-medium"),
    ("large", "hc-ac-img-large"),
    ("stretch", "hc-ac-img-stretch"),
];

impl Ac<'_> {
    pub(super) fn text_block(&mut self, v: &Value) -> Option<El> {
        let t = as_text(&v["text"]).filter(|t| !t.is_empty())?;
        let heading = is(&v["style"], "heading");
        let c = classes(
            "hc-ac-text",
            &[
                pick(&v["size"], SIZES),
                pick(&v["weight"], WEIGHTS),
                pick(&v["color"], COLORS),
                is_true(&v["isSubtle"]).then_some("hc-ac-subtle"),
                pick(&v["horizontalAlignment"], ALIGN),
                heading.then_some("hc-ac-heading"),
            ],
        );
        let mut e = el("div").attr("class", c);
        if heading {
            e = e.attr("role", "heading").attr("aria-level", "3");
        }
        Some(e.kids(self.md(&t)))
    }

    pub(super) fn rich_text(&mut self, v: &Value) -> Option<El> {
        let mut p = el("p").attr(
            "class",
            classes("hc-ac-rich", &[pick(&v["horizontalAlignment"], ALIGN)]),
        );
        for i in v["inlines"].as_array().into_iter().flatten() {
            if let Some(t) = i.as_str() {
                p = p.text(t);
            } else if let Some(n) = self.text_run(i) {
                p = p.child(n);
            }
        }
        (!p.kids.is_empty()).then_some(p)
    }

    fn text_run(&mut self, r: &Value) -> Option<Node> {
        let mut n = text(as_text(&r["text"])?);
        let marks = [
            (is(&r["weight"], "bolder"), "strong"),
            (is_true(&r["italic"]), "em"),
            (is_true(&r["strikethrough"]), "del"),
            (is_true(&r["underline"]), "u"),
            (is_true(&r["highlight"]), "mark"),
        ];
        for (on, tag) in marks {
            if on && self.ctx.spend() {
                n = el(tag).child(n).into();
            }
        }
        let looks = [
            pick(&r["size"], SIZES),
            pick(&r["color"], COLORS),
            is_true(&r["isSubtle"]).then_some("hc-ac-subtle"),
        ];
        if looks.iter().any(Option::is_some) && self.ctx.spend() {
            n = el("span")
                .attr("class", classes("hc-ac-run", &looks))
                .child(n)
                .into();
        }
        Some(n)
    }

    pub(super) fn container(&mut self, v: &Value, depth: usize) -> Option<El> {
        let c = classes("hc-ac-container", &[pick(&v["style"], STYLES)]);
        Some(
            el("div")
                .attr("class", c)
                .kids(self.elements(&v["items"], depth + 1)),
        )
    }

    pub(super) fn column_set(&mut self, v: &Value, depth: usize) -> Option<El> {
        let c = classes("hc-ac-columns", &[pick(&v["style"], STYLES)]);
        let mut row = el("div").attr("class", c);
        for col in v["columns"].as_array().into_iter().flatten() {
            row.kids.extend(self.element_as(col, "Column", depth + 1));
        }
        Some(row)
    }

    pub(super) fn column(&mut self, v: &Value, depth: usize) -> Option<El> {
        let c = classes("hc-ac-column", &[pick(&v["style"], STYLES)]);
        Some(
            el("div")
                .attr("class", c)
                .attr("style", flex(&v["width"]))
                .kids(self.elements(&v["items"], depth + 1)),
        )
    }

    /// `size`: an ImageSet's `imageSize`, for images that give none.
    pub(super) fn image(&mut self, v: &Value, size: Option<&'static str>) -> Option<El> {
        let alt = as_text(&v["altText"]).unwrap_or_default();
        let Some(src) = v["url"].as_str().and_then(crate::url::image) else {
            // Refused or missing: its alt text, if any, instead.
            return (!alt.is_empty()).then(|| el("span").class("hc-ac-alt").text(alt));
        };
        let c = classes(
            "hc-ac-img",
            &[
                pick(&v["size"], IMG_SIZES).or(size),
                is(&v["style"], "person").then_some("hc-ac-person"),
                pick(&v["horizontalAlignment"], ALIGN),
            ],
        );
        Some(
            el("img")
                .attr("class", c)
                .attr("src", src)
                .attr("alt", alt)
                .attr("loading", "lazy"),
        )
    }

    pub(super) fn image_set(&mut self, v: &Value) -> Option<El> {
        let size = pick(&v["imageSize"], IMG_SIZES);
        let mut set = el("div").class("hc-ac-imageset");
        for i in v["images"].as_array().into_iter().flatten() {
            if !self.ctx.spend() {
                break;
            }
            if let Some(img) = self.image(i, size) {
                set.kids.push(self.decorate(img, i));
            }
        }
        Some(set)
    }

    pub(super) fn fact_set(&mut self, v: &Value) -> Option<El> {
        let mut dl = el("dl").class("hc-ac-facts");
        for f in v["facts"].as_array().into_iter().flatten() {
            if !(self.ctx.spend() && self.ctx.spend()) {
                break;
            }
            let title = as_text(&f["title"]).unwrap_or_default();
            let value = as_text(&f["value"]).unwrap_or_default();
            let dd = el("dd").kids(self.md(&value));
            dl = dl.child(el("dt").text(title)).child(dd);
        }
        Some(dl)
    }

    pub(super) fn table(&mut self, v: &Value, depth: usize) -> Option<El> {
        // Both default to true in the schema.
        let header = !super::is_false(&v["firstRowAsHeader"]);
        let grid = !super::is_false(&v["showGridLines"]);
        let c = classes("hc-ac-table", &[grid.then_some("hc-ac-grid")]);
        let mut table = el("table").attr("class", c);
        for (i, row) in v["rows"].as_array().into_iter().flatten().enumerate() {
            if !self.ctx.spend() {
                break;
            }
            let mut tr = el("tr");
            for cell in row["cells"].as_array().into_iter().flatten() {
                if !self.ctx.spend() {
                    break;
                }
                let mut td = if header && i == 0 {
                    el("th").attr("scope", "col")
                } else {
                    el("td")
                };
                td.kids = self.elements(&cell["items"], depth + 3);
                tr.kids.push(self.decorate(td, cell));
            }
            table.kids.push(tr.into());
        }
        Some(table)
    }

    pub(super) fn media(&mut self, v: &Value) -> Option<El> {
        let sources = v["sources"].as_array()?;
        let audio = sources.iter().any(|s| {
            s["mimeType"]
                .as_str()
                .is_some_and(|m| m.get(..6).is_some_and(|p| p.eq_ignore_ascii_case("audio/")))
        });
        let src = sources
            .iter()
            .find_map(|s| s["url"].as_str().and_then(crate::url::media))?;
        let mut e = el(if audio { "audio" } else { "video" })
            .class("hc-ac-media")
            .attr("controls", "")
            .attr("preload", "metadata")
            .attr("src", src);
        if let Some(poster) = v["poster"].as_str().and_then(crate::url::image) {
            e = e.attr("poster", poster);
        }
        if let Some(alt) = str_of(&v["altText"]) {
            e = e.attr("aria-label", alt);
        }
        Some(e)
    }
}

/// A column's flex from its `width`: "auto" → its content's width, "50px" → fixed,
/// a number (or numeric string) → a weight, "stretch" or anything else → weight 1.
fn flex(width: &Value) -> String {
    // Rounded and bounded, so the style is short and only ever digits.
    let tidy = |n: f64| crate::num::fmt((n.clamp(0.0, 10_000.0) * 100.0).round() / 100.0);
    if is(width, "auto") {
        return "flex:0 0 auto".into();
    }
    if let Some(px) = width.as_str().and_then(|s| s.trim().strip_suffix("px")) {
        if let Some(n) = crate::num::parse(px.trim()) {
            return ["flex:0 0 ", &tidy(n), "px"].concat();
        }
    }
    let w = number(width).unwrap_or(1.0);
    ["flex:", &tidy(w), " 1 0"].concat()
}
