//! The safe element tree every renderer produces, and what a render hands the DOM layer.
//!
//! There is no raw-HTML node: text is always a text node, tags and attribute names are
//! `&'static str` picked by this crate, and attribute values that are URLs have passed
//! [`crate::url`]. Controls refer to their [`Action`] by index (`data-action="3"`), so no
//! event handler or script is ever written into the tree. Hostile input is bounded: a render
//! spends from [`Ctx`]'s node budget and stops adding elements when it runs out.

use std::cell::Cell;

use crate::action::Action;
use crate::strings::{Lang, S};

/// Deepest nesting the DOM layer builds; anything deeper is dropped.
pub const MAX_DEPTH: usize = 48;
/// Most elements one activity may render (a 10,000-element card is cut short, not hung on).
pub const MAX_NODES: usize = 2_000;

/// An element or a text node.
#[derive(Debug, Clone, PartialEq)]
pub enum Node {
    El(El),
    Text(String),
}

/// An element: tag, attributes (names chosen by this crate), children.
#[derive(Debug, Clone, PartialEq)]
pub struct El {
    pub tag: &'static str,
    pub attrs: Vec<(&'static str, String)>,
    pub kids: Vec<Node>,
}

/// A new element with this tag.
pub fn el(tag: &'static str) -> El {
    El {
        tag,
        attrs: Vec::new(),
        kids: Vec::new(),
    }
}

/// A text node.
pub fn text(s: impl Into<String>) -> Node {
    Node::Text(s.into())
}

impl El {
    pub fn attr(mut self, name: &'static str, value: impl Into<String>) -> Self {
        self.attrs.push((name, value.into()));
        self
    }

    pub fn class(self, class: &'static str) -> Self {
        self.attr("class", class)
    }

    pub fn child(mut self, node: impl Into<Node>) -> Self {
        self.kids.push(node.into());
        self
    }

    pub fn kids(mut self, nodes: impl IntoIterator<Item = Node>) -> Self {
        self.kids.extend(nodes);
        self
    }

    /// Appends a text node.
    pub fn text(self, s: impl Into<String>) -> Self {
        self.child(text(s))
    }

    /// The value of an attribute, if set.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| v.as_str())
    }
}

impl From<El> for Node {
    fn from(el: El) -> Self {
        Node::El(el)
    }
}

impl Node {
    /// All text inside, in order (what a person reads).
    pub fn text_content(&self) -> String {
        let mut out = String::new();
        self.collect_text(&mut out);
        out
    }

    fn collect_text(&self, out: &mut String) {
        match self {
            Node::Text(t) => out.push_str(t),
            Node::El(e) => e.kids.iter().for_each(|k| k.collect_text(out)),
        }
    }

    /// Markup for tests to read (escaped; attributes in the order set).
    #[cfg(test)]
    pub fn html(&self) -> String {
        fn esc(s: &str) -> String {
            s.replace('&', "&amp;")
                .replace('<', "&lt;")
                .replace('>', "&gt;")
                .replace('"', "&quot;")
        }
        match self {
            Node::Text(t) => esc(t),
            Node::El(e) => {
                let attrs: String = e
                    .attrs
                    .iter()
                    .map(|(n, v)| format!(" {n}=\"{}\"", esc(v)))
                    .collect();
                let kids: String = e.kids.iter().map(Node::html).collect();
                format!("<{}{attrs}>{kids}</{}>", e.tag, e.tag)
            }
        }
    }
}

/// What a render produced: its nodes, and the actions its controls name by index.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Rendered {
    pub nodes: Vec<Node>,
    pub actions: Vec<Action>,
}

impl Rendered {
    /// Registers an action; the returned string is the control's `data-action` value.
    pub fn action(&mut self, action: Action) -> String {
        self.actions.push(action);
        (self.actions.len() - 1).to_string()
    }

    /// Markup of every node, for tests.
    #[cfg(test)]
    pub fn html(&self) -> String {
        self.nodes.iter().map(Node::html).collect()
    }

    /// Text of every node, for tests.
    #[cfg(test)]
    pub fn text(&self) -> String {
        self.nodes.iter().map(Node::text_content).collect()
    }
}

/// What one render knows about its surroundings.
#[derive(Debug)]
pub struct Ctx {
    /// The visitor's id on this conversation (suggested actions' `to`).
    pub user_id: String,
    pub lang: Lang,
    /// The activity's id: Action.Submit and card postBacks reply to it.
    pub activity_id: Option<String>,
    /// Makes element ids unique in the widget's shadow root (one per render).
    pub prefix: String,
    next_id: Cell<usize>,
    budget: Cell<usize>,
}

impl Ctx {
    pub fn new(user_id: &str, lang: Lang, activity_id: Option<String>, prefix: &str) -> Self {
        Ctx {
            user_id: user_id.to_owned(),
            lang,
            activity_id,
            prefix: prefix.to_owned(),
            next_id: Cell::new(0),
            budget: Cell::new(MAX_NODES),
        }
    }

    /// A localized string.
    pub fn t(&self, s: S) -> &'static str {
        self.lang.t(s)
    }

    /// A fresh element id, unique in the page.
    pub fn uid(&self) -> String {
        let n = self.next_id.get();
        self.next_id.set(n + 1);
        format!("{}-{n}", self.prefix)
    }

    /// The page-unique id for an id a card gave one of its elements.
    pub fn scoped(&self, id: &str) -> String {
        format!("{}-e-{id}", self.prefix)
    }

    /// Spends one element of the budget; false once it is used up (stop adding elements).
    pub fn spend(&self) -> bool {
        let left = self.budget.get();
        self.budget.set(left.saturating_sub(1));
        left > 0
    }
}
