//! One transcript entry as DOM, built by hand (see [`super::transcript`]). Text goes in as
//! text nodes: markup in it stays visible text. An entry with rich content carries its
//! activity in `data-rich`; the rich module, once the loader has fetched it, draws that
//! over the text, and the suggested actions of an entry marked `data-suggest` under it.

use handoff_core::i18n::{fill, Text};
use handoff_core::transcript::{Author, Delivery, Entry};
use wasm_bindgen::JsValue;
use web_sys::Element;

use super::t;

/// What an entry's element shows depends on: when this changes, the element is rebuilt.
pub fn key(entry: &Entry) -> String {
    format!(
        "{}\u{1}{}\u{1}{}\u{1}{}",
        entry.key,
        entry.delivery.as_str(),
        entry.text.len(),
        entry.suggested
    )
}

/// A message bubble with sender, time and (for the visitor's own) delivery state and a
/// retry button (`data-key` names the entry); agent messages carry the agent's initial,
/// and widget notices are a centred line.
pub fn element(list: &Element, entry: &Entry) -> Option<Element> {
    let li = list.owner_document()?.create_element("li").ok()?;
    li.set_attribute("data-k", &key(entry)).ok()?;
    if entry.author == Author::System {
        li.set_class_name("hc-notice");
        li.set_text_content(Some(&entry.text));
        return Some(li);
    }
    let failed = entry.delivery == Delivery::Failed;
    li.set_class_name(match (entry.author, failed) {
        (Author::Visitor, true) => "hc-msg hc-msg--visitor hc-msg--failed",
        (Author::Visitor, false) => "hc-msg hc-msg--visitor",
        (Author::Agent, _) => "hc-msg hc-msg--agent",
        _ => "hc-msg hc-msg--bot",
    });
    li.set_attribute("data-delivery", entry.delivery.as_str())
        .ok()?;
    li.set_attribute("data-key", &entry.key).ok()?;
    if entry.suggested {
        li.set_attribute("data-suggest", "").ok()?;
    }
    let name = &entry.sender;
    if entry.author != Author::Visitor && !name.is_empty() {
        let sender = add(&li, "span", "hc-msg__sender", "")?;
        if entry.author == Author::Agent {
            // Screen readers hear "Alex (agent)"; sighted visitors see the initial and name.
            // ASCII upper-casing only: full Unicode case tables cost kilobytes of wasm.
            let initial = name
                .chars()
                .next()
                .map(|c| c.to_ascii_uppercase().to_string());
            add(
                &sender,
                "span",
                "hc-msg__avatar",
                &initial.unwrap_or_default(),
            )?
            .set_attribute("aria-hidden", "true")
            .ok()?;
            add(&sender, "span", "", name)?
                .set_attribute("aria-hidden", "true")
                .ok()?;
            add(
                &sender,
                "span",
                "hc-visually-hidden",
                &fill(t(Text::AgentSuffix), &[name]),
            )?;
        } else {
            sender.set_text_content(Some(name));
        }
    }
    let body = add(&li, "div", "hc-msg__text", &entry.text)?;
    if let Some(rich) = &entry.rich {
        body.set_attribute("data-rich", rich).ok()?;
    }
    let meta = add(&li, "span", "hc-msg__meta", "")?;
    add(&meta, "time", "", &clock(&entry.timestamp))?
        .set_attribute("datetime", &entry.timestamp)
        .ok()?;
    let status = match entry.delivery {
        Delivery::Queued => Some(Text::WaitingToSend),
        Delivery::Sending => Some(Text::Sending),
        Delivery::Sent => Some(Text::Sent),
        Delivery::Failed => Some(Text::NotSent),
        Delivery::Received => None,
    };
    if let Some(status) = status {
        add(&meta, "span", "hc-msg__status", t(status))?;
    }
    if failed {
        add(&meta, "button", "hc-msg__retry", t(Text::Retry))?
            .set_attribute("type", "button")
            .ok()?;
    }
    Some(li)
}

/// Appends a `tag` element with `class` and `text` (either may be empty) to `parent`.
fn add(parent: &Element, tag: &str, class: &str, text: &str) -> Option<Element> {
    let el = parent.owner_document()?.create_element(tag).ok()?;
    if !class.is_empty() {
        el.set_class_name(class);
    }
    if !text.is_empty() {
        el.set_text_content(Some(text));
    }
    parent.append_child(&el).ok()?;
    Some(el)
}

/// Local "HH:MM" for an ISO 8601 timestamp ("" when it cannot be read).
fn clock(timestamp: &str) -> String {
    let date = js_sys::Date::new(&JsValue::from_str(timestamp));
    if timestamp.is_empty() || date.get_time().is_nan() {
        return String::new();
    }
    format!("{:02}:{:02}", date.get_hours(), date.get_minutes())
}
