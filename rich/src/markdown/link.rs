//! Where markdown links and images end up: citation buttons, `a` elements opening in a new
//! tab, `img` elements, or just their text when the URL is refused.

use pulldown_cmark::LinkType;

use super::{Builder, LIMIT};
use crate::citations;
use crate::node::{el, text, Ctx, El, Node};
use crate::strings::S;
use crate::url;

/// A link's destination, title, reference label and kind, kept until its end.
pub(super) struct Link {
    pub dest: String,
    pub title: String,
    pub id: String,
    pub ty: LinkType,
}

/// An `a` opening an allowed `href` in a new tab, plus the hidden "(opens in a new tab)"
/// for web links. The caller has spent the `a`.
pub(crate) fn anchor(href: String, kids: Vec<Node>, ctx: &Ctx) -> El {
    let web = href
        .get(..4)
        .is_some_and(|s| s.eq_ignore_ascii_case("http"));
    let mut a = el("a")
        .attr("href", href)
        .attr("target", "_blank")
        .attr("rel", "noopener noreferrer")
        .kids(kids);
    if web && ctx.spend() {
        let mut hint = String::from(" ");
        hint.push_str(ctx.t(S::OpensInNewTab));
        a = a.child(el("span").class("hc-visually-hidden").text(hint));
    }
    a
}

impl Builder<'_> {
    /// A link's end: a citation button, an `a`, or (refused scheme) just its content.
    pub(super) fn link(&mut self, kids: Vec<Node>, depth: usize, link: Link) {
        let Link {
            dest,
            title,
            id,
            ty,
        } = link;
        let mut kids = kids;
        let mut label: String = kids.iter().map(Node::text_content).collect();
        if let Some(cites) = self.cites.filter(|_| self.alt == 0) {
            let reference = matches!(
                ty,
                LinkType::Reference | LinkType::Collapsed | LinkType::Shortcut
            );
            // `[1][2]` parses as one link (text 1, definition 2): two markers.
            if ty == LinkType::Reference && label != id {
                let first = self
                    .defs
                    .get(&label.to_lowercase())
                    .and_then(|(d, t)| cites.link(&label, d, t, true));
                if let Some(c) = first {
                    let node = citations::button(&c, self.ctx, self.out);
                    self.push(node);
                    label.clone_from(&id);
                    kids = vec![text(id.clone())];
                }
            }
            let own = reference && label == id;
            let key = if reference {
                id.as_str()
            } else {
                label.as_str()
            };
            if let Some(c) = cites.link(key, &dest, &title, own) {
                let node = citations::button(&c, self.ctx, self.out);
                return self.push(node);
            }
        }
        let href = if ty == LinkType::Email {
            let mut mail = String::from("mailto:");
            mail.push_str(&dest);
            url::link(&mail)
        } else {
            url::link(&dest)
        };
        match href.filter(|_| self.alt == 0 && depth <= LIMIT && self.ctx.spend()) {
            Some(href) => {
                let a = anchor(href, kids, self.ctx);
                self.push(a.into());
            }
            None => kids.into_iter().for_each(|k| self.push(k)),
        }
    }

    /// An image's end: `img` with its alt text, or only that text when the URL is refused.
    pub(super) fn image(&mut self, kids: &[Node], dest: &str) {
        let alt: String = kids.iter().map(Node::text_content).collect();
        match url::image(dest).filter(|_| self.alt == 0 && self.ctx.spend()) {
            Some(src) => {
                let img = el("img").attr("src", src).attr("alt", alt);
                self.push(img.attr("loading", "lazy").into());
            }
            None => self.text(&alt),
        }
    }

    /// Text with `[n]` markers CommonMark left as text (`[1][2]` when `[2]` is undefined is
    /// not a link): a marker naming a citation definition is still a citation.
    pub(super) fn markers(&mut self, s: &str) {
        let Some(cites) = self.cites.filter(|_| !self.defs.0.is_empty()) else {
            return self.linkify(s);
        };
        let mut at = 0;
        for (open, _) in s.match_indices('[') {
            // A short label without brackets (bounded look-ahead keeps this linear).
            let Some(label) = s.get(open + 1..).and_then(|r| {
                let end = r
                    .char_indices()
                    .take(33)
                    .find(|&(_, c)| c == ']' || c == '[')?;
                (end.1 == ']' && end.0 > 0)
                    .then(|| r.get(..end.0))
                    .flatten()
            }) else {
                continue;
            };
            let cite = (open >= at)
                .then(|| self.defs.get(&label.to_lowercase()))
                .flatten()
                .and_then(|(d, t)| cites.link(label, d, t, true));
            if let Some(c) = cite {
                self.linkify(s.get(at..open).unwrap_or_default());
                let node = citations::button(&c, self.ctx, self.out);
                self.push(node);
                at = open + label.len() + 2;
            }
        }
        self.linkify(s.get(at..).unwrap_or_default());
    }
}
