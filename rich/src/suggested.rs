//! Suggested actions: the buttons of the bot's last message.
// STUB: helper B implements.
use serde_json::Value;

use crate::node::{Ctx, Rendered};

/// The suggested-action buttons of `activity` for this visitor (empty when `to` excludes
/// them or there are none).
pub fn render(_activity: &Value, _ctx: &Ctx) -> Rendered {
    Rendered::default()
}
