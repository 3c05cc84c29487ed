//! The demo bot's livestreams ("stream a long answer", "stream deltas"), in Copilot Studio's
//! protocol (Web Chat's `docs/LIVESTREAMING.md`, `../shared/RICH-CONTENT.md` §6): interim
//! `typing` activities with `channelData.streamType` `streaming` or `informative` and a
//! rising `streamSequence`, then a `message` with `streamType: "final"` and the whole text.
//! The session id is the id the service gives the first piece; every later piece names it
//! in `streamId`, so the pieces after the first are built once that id is known
//! ([`Livestream::rest`]). The two streams cover both orders a client meets: the long answer
//! interleaves its informative piece (as in the spec's example), the deltas one opens with
//! it (Web Chat's advice) and sends `chunkType: "delta"` pieces that append instead of
//! replace. Pure: the caller stamps ids and paces the pieces [`PACE`] apart.

use std::time::Duration;

use handoff_core::activity::Activity;
use serde_json::{json, Value};

/// Time between two pieces: slow enough to watch, fast enough for a demo.
pub const PACE: Duration = Duration::from_millis(150);
/// The informative piece (a status line while the answer is prepared).
pub const SEARCHING_TEXT: &str = "Searching the knowledge base…";
/// The streamed answer, also the text of the final message.
pub const STREAMED_TEXT: &str = "Here is a long answer, streamed piece by piece the way \
Copilot Studio streams its generative answers. Each interim piece replaces the text shown \
so far, so a client that missed one still shows the latest; **markdown** stays markdown \
while it streams, and the final message closes the stream.";
/// How many interim pieces carry the answer.
const CHUNKS: usize = 6;

/// A livestream: the piece that opens it now, the others once its id is known.
#[derive(Debug, Clone, PartialEq)]
pub struct Livestream {
    /// The first piece; its activity id becomes the stream id.
    pub first: Activity,
    deltas: bool,
    template: Activity,
}

/// The livestream answering a visitor's message; `template` is the bot's reply skeleton
/// (sender, `replyToId`). `deltas`: interim pieces append (`chunkType: "delta"`).
pub fn livestream(template: Activity, deltas: bool) -> Livestream {
    let first = if deltas {
        piece(&template, None, "informative", 1, SEARCHING_TEXT)
    } else {
        piece(&template, None, "streaming", 1, &chunks()[0])
    };
    Livestream {
        first,
        deltas,
        template,
    }
}

impl Livestream {
    /// The pieces after the first, in order, each naming `stream_id`: the interim pieces
    /// with sequence numbers 2, 3, … and the final message.
    pub fn rest(self, stream_id: &str) -> Vec<Activity> {
        let chunks = chunks();
        let mut pieces = Vec::new();
        let mut seq = 1;
        let mut next = |kind: &str, text: &str| {
            seq += 1;
            piece(&self.template, Some(stream_id), kind, seq, text)
        };
        if self.deltas {
            for chunk in &chunks {
                let mut delta = next("streaming", chunk);
                if let Some(data) = delta.channel_data.as_mut() {
                    data["chunkType"] = json!("delta");
                }
                pieces.push(delta);
            }
        } else {
            pieces.push(next("informative", SEARCHING_TEXT));
            for n in 2..=chunks.len() {
                pieces.push(next("streaming", &chunks[..n].concat()));
            }
        }
        let mut last = self.template;
        last.kind = "message".into();
        last.text = Some(STREAMED_TEXT.into());
        last.channel_data = Some(json!({"streamId": stream_id, "streamType": "final"}));
        pieces.push(last);
        pieces
    }
}

/// One interim `typing` piece.
fn piece(
    template: &Activity,
    stream_id: Option<&str>,
    kind: &str,
    seq: u32,
    text: &str,
) -> Activity {
    let mut typing = template.clone();
    typing.kind = "typing".into();
    typing.text = Some(text.into());
    let mut data = json!({"streamType": kind, "streamSequence": seq});
    if let Some(id) = stream_id {
        data["streamId"] = Value::from(id);
    }
    typing.channel_data = Some(data);
    typing
}

/// [`STREAMED_TEXT`] cut at word boundaries into [`CHUNKS`] pieces that concatenate back to
/// it (each but the first starts with its space).
pub fn chunks() -> Vec<String> {
    let words: Vec<&str> = STREAMED_TEXT.split(' ').collect();
    let per = words.len().div_ceil(CHUNKS);
    words
        .chunks(per)
        .enumerate()
        .map(|(i, group)| {
            let joined = group.join(" ");
            if i == 0 {
                joined
            } else {
                format!(" {joined}")
            }
        })
        .collect()
}
