//! Markdown (CommonMark + GFM tables, strikethrough, task lists and autolink literals) to the
//! safe tree, for a chat bubble: headings start at `h3`, raw HTML is shown as text, links
//! and images pass [`crate::url`], citation markers become buttons ([`crate::citations`]).
//!
//! pulldown-cmark's events are folded into the tree with an explicit stack (no recursion).
//! Hostile input stays bounded: past [`LIMIT`] levels an element's content goes into the
//! deepest element allowed, and once [`Ctx::spend`] says the budget is gone elements are no
//! longer created but their text still is.

mod autolink;
mod link;
#[cfg(test)]
mod tests;

use pulldown_cmark::{Alignment, Event, HeadingLevel, Options, Parser, Tag};

pub(crate) use link::anchor;

use crate::citations::Citations;
use crate::node::{el, text, Ctx, El, Node, Rendered, MAX_DEPTH};
use crate::url;

/// Deepest element nesting of the markdown itself (room left for the bubble's wrappers).
const LIMIT: usize = MAX_DEPTH - 4;

/// Renders markdown text; links register their actions in `out`. No citations.
pub fn render(md: &str, ctx: &Ctx, out: &mut Rendered) -> Vec<Node> {
    build(md, ctx, out, None)
}

/// Renders markdown text whose `[n]` links may be citations of `cites` (which learns the
/// reference definitions, for [`citations::sources`]).
pub fn render_with(md: &str, ctx: &Ctx, out: &mut Rendered, cites: &Citations) -> Vec<Node> {
    build(md, ctx, out, Some(cites))
}

enum Kind {
    Plain,
    Code,
    Table,
    Link(link::Link),
    Image(String),
}

/// An open markdown element. `el: None`: not created (too deep, no budget, or decided at
/// its end like links); its content then goes to `sink`, the nearest frame that keeps it.
struct Frame {
    el: Option<El>,
    /// Wrapper created with it (`pre` around `code`, `div` around `table`, `thead` around `tr`).
    outer: Option<El>,
    kids: Vec<Node>,
    sink: usize,
    depth: usize,
    kind: Kind,
    /// Ends a block: when not created, a line break keeps its text apart from the next.
    block: bool,
}

/// Reference definitions, sorted by lower-cased label (a map's hashing code costs more).
struct Defs(Vec<(String, (String, String))>);

impl Defs {
    /// Destination and title of the definition with this (lower-cased) label.
    fn get(&self, label: &str) -> Option<&(String, String)> {
        let i = self
            .0
            .binary_search_by(|(k, _)| k.as_str().cmp(label))
            .ok()?;
        self.0.get(i).map(|(_, v)| v)
    }
}

struct Builder<'a> {
    ctx: &'a Ctx,
    out: &'a mut Rendered,
    cites: Option<&'a Citations>,
    /// Reference definitions by lower-cased label: destination and title.
    defs: Defs,
    stack: Vec<Frame>,
    /// Text not yet searched for autolinks (pulldown-cmark splits text events).
    pending: String,
    aligns: Vec<Alignment>,
    col: usize,
    in_head: bool,
    /// Inside code or a link: no autolinks.
    literal: usize,
    /// Inside an image: only its alt text counts.
    alt: usize,
}

fn build(md: &str, ctx: &Ctx, out: &mut Rendered, cites: Option<&Citations>) -> Vec<Node> {
    let opts = Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH | Options::ENABLE_TASKLISTS;
    let parser = Parser::new_ext(md, opts);
    let mut defs = Defs(Vec::new());
    if let Some(cites) = cites {
        for (label, def) in parser.reference_definitions().iter() {
            let title = def.title.as_deref().unwrap_or_default();
            cites.define(label, &def.dest, title);
            defs.0.push((
                label.to_lowercase(),
                (def.dest.to_string(), title.to_owned()),
            ));
        }
        defs.0.sort_unstable_by(|a, b| a.0.cmp(&b.0));
    }
    let root = Frame {
        el: None,
        outer: None,
        kids: Vec::new(),
        sink: 0,
        depth: 0,
        kind: Kind::Plain,
        block: false,
    };
    let mut b = Builder {
        ctx,
        out,
        cites,
        defs,
        stack: vec![root],
        pending: String::new(),
        aligns: Vec::new(),
        col: 0,
        in_head: false,
        literal: 0,
        alt: 0,
    };
    for event in parser {
        b.event(event);
    }
    b.flush();
    while b.stack.len() > 1 {
        b.close();
    }
    b.stack.pop().map(|root| root.kids).unwrap_or_default()
}

impl Builder<'_> {
    fn event(&mut self, event: Event<'_>) {
        match event {
            Event::Text(t) if self.literal == 0 && self.alt == 0 => self.pending.push_str(&t),
            Event::SoftBreak if self.literal == 0 && self.alt == 0 => self.pending.push('\n'),
            _ => {
                self.flush();
                match event {
                    Event::Start(tag) => self.open(tag),
                    Event::End(_) => self.close(),
                    Event::Code(t) => self.leaf(el("code").text(t.as_ref()), &t),
                    Event::HardBreak => self.leaf(el("br"), "\n"),
                    Event::SoftBreak => self.text("\n"),
                    Event::Rule => self.leaf(el("hr"), "\n"),
                    Event::TaskListMarker(done) => {
                        let input = el("input").attr("type", "checkbox").attr("disabled", "");
                        let input = if done {
                            input.attr("checked", "")
                        } else {
                            input
                        };
                        self.leaf(input, if done { "[x] " } else { "[ ] " });
                    }
                    // Raw HTML, and anything else textual, is shown as it was written.
                    Event::Text(t)
                    | Event::Html(t)
                    | Event::InlineHtml(t)
                    | Event::FootnoteReference(t)
                    | Event::InlineMath(t)
                    | Event::DisplayMath(t) => self.text(&t),
                }
            }
        }
    }

    fn open(&mut self, tag: Tag<'_>) {
        let (tag, outer, kind, block) = match tag {
            Tag::Paragraph | Tag::HtmlBlock => ("p", None, Kind::Plain, true),
            Tag::Heading { level, .. } => {
                let h = match level {
                    HeadingLevel::H1 => "h3",
                    HeadingLevel::H2 => "h4",
                    HeadingLevel::H3 => "h5",
                    _ => "h6",
                };
                (h, None, Kind::Plain, true)
            }
            Tag::BlockQuote(_) => ("blockquote", None, Kind::Plain, true),
            Tag::CodeBlock(_) => {
                self.literal += 1;
                ("code", Some(el("pre")), Kind::Code, true)
            }
            Tag::List(Some(1)) => ("ol", None, Kind::Plain, true),
            Tag::List(Some(start)) => {
                let ol = el("ol").attr("start", start.to_string());
                return self.push_frame(Some(ol), None, Kind::Plain, true);
            }
            Tag::List(None) => ("ul", None, Kind::Plain, true),
            Tag::Item => ("li", None, Kind::Plain, true),
            Tag::Table(aligns) => {
                self.aligns = aligns;
                let wrap = el("div").class("hc-md-table");
                ("table", Some(wrap), Kind::Table, true)
            }
            Tag::TableHead => {
                (self.in_head, self.col) = (true, 0);
                ("tr", Some(el("thead")), Kind::Plain, true)
            }
            Tag::TableRow => {
                (self.in_head, self.col) = (false, 0);
                ("tr", None, Kind::Plain, true)
            }
            Tag::TableCell => {
                let cell = el(if self.in_head { "th" } else { "td" });
                let cell = match self.aligns.get(self.col) {
                    Some(Alignment::Left) => cell.class("hc-left"),
                    Some(Alignment::Center) => cell.class("hc-center"),
                    Some(Alignment::Right) => cell.class("hc-right"),
                    _ => cell,
                };
                self.col += 1;
                return self.push_frame(Some(cell), None, Kind::Plain, true);
            }
            Tag::Emphasis => ("em", None, Kind::Plain, false),
            Tag::Strong => ("strong", None, Kind::Plain, false),
            Tag::Strikethrough => ("del", None, Kind::Plain, false),
            Tag::Superscript => ("sup", None, Kind::Plain, false),
            Tag::Subscript => ("sub", None, Kind::Plain, false),
            Tag::Link {
                link_type,
                dest_url,
                title,
                id,
            } => {
                self.literal += 1;
                let kind = Kind::Link(link::Link {
                    dest: dest_url.to_string(),
                    title: title.to_string(),
                    id: id.to_string(),
                    ty: link_type,
                });
                return self.push_frame(None, None, kind, false);
            }
            Tag::Image { dest_url, .. } => {
                self.alt += 1;
                return self.push_frame(None, None, Kind::Image(dest_url.to_string()), false);
            }
            // Footnotes, definition lists and metadata are not enabled; keep their text.
            _ => return self.push_frame(None, None, Kind::Plain, true),
        };
        self.push_frame(Some(el(tag)), outer, kind, block);
    }

    fn push_frame(&mut self, el: Option<El>, outer: Option<El>, kind: Kind, block: bool) {
        let (depth, sink) = self.stack.last().map_or((0, 0), |f| (f.depth, f.sink));
        let levels = 1 + usize::from(outer.is_some());
        let made = el.is_some()
            && self.alt == 0
            && depth + levels <= LIMIT
            && self.ctx.spend()
            && (outer.is_none() || self.ctx.spend());
        // Links and images keep their content until their end decides what it becomes.
        let keeps = made || matches!(kind, Kind::Link(_) | Kind::Image(_));
        self.stack.push(Frame {
            el: el.filter(|_| made),
            outer: outer.filter(|_| made),
            kids: Vec::new(),
            sink: if keeps { self.stack.len() } else { sink },
            depth: if keeps { depth + levels } else { depth },
            kind,
            block,
        });
    }

    fn close(&mut self) {
        if self.stack.len() < 2 {
            return; // never the root
        }
        let Some(f) = self.stack.pop() else { return };
        match f.kind {
            Kind::Link(link) => {
                self.literal -= 1;
                return self.link(f.kids, f.depth, link);
            }
            Kind::Image(dest) => {
                self.alt -= 1;
                return self.image(&f.kids, &dest);
            }
            Kind::Code => self.literal -= 1,
            Kind::Table | Kind::Plain => {}
        }
        let Some(mut e) = f.el else {
            if f.block {
                self.text("\n");
            }
            return;
        };
        if matches!(f.kind, Kind::Table) {
            // Rows after the head go into a `tbody`.
            let mut rows = f.kids.into_iter().peekable();
            if matches!(rows.peek(), Some(Node::El(h)) if h.tag == "thead") {
                e.kids.extend(rows.next());
            }
            let body: Vec<Node> = rows.collect();
            if !body.is_empty() && self.ctx.spend() {
                e.kids.push(el("tbody").kids(body).into());
            } else {
                e.kids.extend(body);
            }
        } else {
            e.kids = f.kids;
        }
        let node = match f.outer {
            Some(outer) => outer.child(e),
            None => e,
        };
        self.push(node.into());
    }

    /// A childless element, or its text when it cannot be created.
    fn leaf(&mut self, e: El, fallback: &str) {
        let depth = self.stack.last().map_or(0, |f| f.depth);
        if self.alt == 0 && depth < LIMIT && self.ctx.spend() {
            self.push(e.into());
        } else {
            self.text(fallback);
        }
    }

    /// Adds the pending text, with its citation markers and autolinks.
    fn flush(&mut self) {
        if !self.pending.is_empty() {
            let s = std::mem::take(&mut self.pending);
            self.markers(&s);
        }
    }

    /// Adds text, its autolink literals as links.
    fn linkify(&mut self, s: &str) {
        let mut at = 0;
        let depth = self.stack.last().map_or(0, |f| f.depth);
        for (start, end, href) in autolink::find(s) {
            let Some(href) = url::link(&href).filter(|_| depth < LIMIT && self.ctx.spend()) else {
                continue; // stays in the text
            };
            self.text(s.get(at..start).unwrap_or_default());
            let shown = s.get(start..end).unwrap_or_default();
            let a = anchor(href, vec![text(shown)], self.ctx);
            self.push(a.into());
            at = end;
        }
        self.text(s.get(at..).unwrap_or_default());
    }

    fn text(&mut self, s: &str) {
        if !s.is_empty() {
            self.push(Node::Text(s.to_owned()));
        }
    }

    /// Appends to the frame that keeps content, merging adjacent text (fewer DOM nodes).
    fn push(&mut self, node: Node) {
        let sink = self.stack.last().map_or(0, |f| f.sink);
        let Some(f) = self.stack.get_mut(sink) else {
            return;
        };
        match (f.kids.last_mut(), node) {
            (Some(Node::Text(last)), Node::Text(t)) => last.push_str(&t),
            (_, node) => f.kids.push(node),
        }
    }
}
