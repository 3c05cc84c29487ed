//! Pure logic of handoff-chat, shared by the widget (wasm) and the dev server (native).
//!
//! Layout:
//! - [`activity`]: Direct Line 3.0 wire types.
//! - [`config`]: site-owner configuration from `data-*` attributes.
//! - [`survey`]: pre-conversation survey fields and validation.
//! - [`transcript`]: which activities are visible, and the echo-safe transcript.
//! - [`handoff`]: the live-agent handoff vocabulary (docs/handoff.md): event names, mode,
//!   who sent an activity, the transcript attachment, the signals the session acts on.
//! - [`link`]: one Direct Line conversation: outbox, watermark, seen ids.
//! - [`page_events`]: what the page's JS API hears about the chat.
//! - [`session`]: the conversation state machine (events in, effects out).
//! - [`i18n`]: every visible string, per language.
//! - [`error`]: request errors, their recovery, and the text a visitor reads.
//! - [`time`]: time as an input.
//! - [`url`]: which endpoint URLs the widget talks to (https, http only on localhost).
//!
//! Must not import leptos, web-sys, gloo or tokio: everything here runs under `cargo test`.

pub mod activity;
pub mod config;
pub mod error;
pub mod handoff;
pub mod i18n;
pub mod link;
pub mod page_events;
pub mod session;
pub mod survey;
pub mod time;
pub mod transcript;
pub mod url;
