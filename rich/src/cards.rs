//! Attachments: hero, thumbnail, receipt, sign-in/OAuth cards, media, files, carousels.
// STUB: helper B implements.
use serde_json::Value;

use crate::node::{Ctx, Node, Rendered};

/// The attachments of `activity` (a list, or a carousel), if it has any.
pub fn attachments(_activity: &Value, _ctx: &Ctx, _out: &mut Rendered) -> Option<Node> {
    None
}
