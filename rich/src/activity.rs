//! One activity's rich rendering: its text, citations and attachments.
// STUB: helper A implements.
use serde_json::Value;

use crate::node::{Ctx, Rendered};

/// Everything shown inside the message bubble of `activity`.
pub fn render(_activity: &Value, _ctx: &Ctx) -> Rendered {
    Rendered::default()
}
