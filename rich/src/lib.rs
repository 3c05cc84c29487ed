//! handoff-chat's rich content: what a Copilot Studio or Bot Framework bot sends beyond
//! plain text (markdown, citations, suggested actions, cards, Adaptive Cards), turned into a
//! safe element tree ([`node::Node`]) by plain Rust that tests natively, then into DOM by
//! the thin [`web`] layer. Built as its own wasm module: the widget loads it when the
//! browser is idle or on the first activity that needs it, and shows text until then.
//!
//! Safety by construction: the tree has no raw-HTML node, tags and attribute names are
//! `&'static str` chosen here, and every URL from an activity goes through [`url`].

pub mod action;
pub mod activity;
pub mod adaptive;
pub mod cards;
pub mod citations;
pub mod markdown;
pub mod node;
pub mod num;
pub mod strings;
pub mod suggested;
pub mod url;
#[cfg(target_arch = "wasm32")]
mod web;
