//! Livestreamed answers (Web Chat's LIVESTREAMING.md): interim `typing` activities grow
//! one bubble, informative pieces are a status line, the final message replaces the
//! bubble and closes the stream. Late, repeated or post-final pieces change nothing.

use super::{entry_for, sent_by_visitor, Author, Transcript};
use crate::activity::Activity;
use crate::handoff::agent_of;
use crate::i18n::Lang;

/// A stream seen since the page loaded: its session id, last sequence, whether it ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Stream {
    id: String,
    seq: u64,
    closed: bool,
}

/// What a livestream piece did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Piece {
    /// The streamed bubble changed, was retracted, or became the final message.
    Changed,
    /// A status line to show while the answer is prepared ("Searching…").
    Informative(String),
    /// Late, repeated or after the end: ignored.
    Ignored,
}

/// Stream metadata, from `channelData` or a `streaminfo` entity.
struct Info<'a> {
    id: Option<&'a str>,
    kind: &'a str,
    seq: Option<u64>,
    delta: bool,
}

fn info(activity: &Activity) -> Option<Info<'_>> {
    let data = activity.channel_data.as_ref();
    let entity = || {
        activity
            .entities
            .as_ref()?
            .as_array()?
            .iter()
            .find(|e| e["type"] == "streaminfo")
    };
    let meta = data
        .filter(|d| d.get("streamType").is_some() || d.get("streamId").is_some())
        .or_else(entity)?;
    let id = meta["streamId"].as_str();
    let kind = match meta["streamType"].as_str() {
        Some(kind) => kind,
        // A message naming its stream ends it, whatever it calls itself.
        None if activity.kind == "message" && id.is_some() => "final",
        None => return None,
    };
    let seq = &meta["streamSequence"];
    Some(Info {
        id,
        kind,
        seq: seq
            .as_u64()
            .or_else(|| seq.as_str().and_then(|s| s.trim().parse().ok())),
        delta: data.is_some_and(|d| d["chunkType"] == "delta"),
    })
}

impl Transcript {
    /// Applies a livestream piece; `None` when `activity` is not one.
    pub fn stream(&mut self, activity: &Activity, user_id: &str, lang: Lang) -> Option<Piece> {
        if !matches!(activity.kind.as_str(), "typing" | "message")
            || sent_by_visitor(activity, user_id)
        {
            return None;
        }
        let info = info(activity)?;
        // The first piece names no stream: its own id is the session.
        let key = info.id.or(activity.id.as_deref())?.to_owned();
        let last = activity.kind == "message" || info.kind == "final";
        let at = self.streams.iter().position(|s| s.id == key);
        let state = match at {
            Some(i) => &mut self.streams[i],
            None => {
                self.streams.push(Stream {
                    id: key.clone(),
                    seq: 0,
                    closed: false,
                });
                self.streams.last_mut()?
            }
        };
        if state.closed || (!last && at.is_some() && info.seq.is_some_and(|n| n <= state.seq)) {
            return Some(Piece::Ignored);
        }
        state.seq = info.seq.unwrap_or(state.seq.saturating_add(1));
        state.closed = last;
        let pos = self.entries.iter().position(|e| e.key == key);
        if last {
            // The final message takes the bubble's place; a final typing retracts it; a
            // final message with nothing to show leaves the streamed text.
            let interim = pos.map(|p| self.entries.remove(p));
            let shown = activity.kind == "message" && self.upsert(activity, user_id, lang);
            if let Some(p) = pos {
                let keep = match (shown, activity.kind.as_str()) {
                    (true, _) => self.entries.pop(),
                    (false, "message") => interim,
                    _ => None,
                };
                if let Some(entry) = keep {
                    self.entries.insert(p, entry);
                }
            }
            return Some(Piece::Changed);
        }
        let piece = activity.text.as_deref().unwrap_or_default();
        if info.kind == "informative" {
            return Some(Piece::Informative(piece.to_owned()));
        }
        let text = match (info.delta, pos) {
            (true, Some(p)) => self.entries[p].text.clone() + piece,
            _ => piece.to_owned(),
        };
        if text.trim().is_empty() && activity.attachments.is_empty() {
            return Some(Piece::Ignored);
        }
        let mut shown = activity.clone();
        shown.kind = "message".into();
        shown.text = Some(text);
        shown.suggested_actions = None;
        let author = if agent_of(activity).is_some() {
            Author::Agent
        } else {
            Author::Bot
        };
        let entry = entry_for(&shown, key, author, &[], lang);
        match pos {
            Some(p) => self.entries[p] = entry,
            None => self.entries.push(entry),
        }
        self.offer_last_only();
        Some(Piece::Changed)
    }
}
