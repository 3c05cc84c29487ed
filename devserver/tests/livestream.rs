//! The demo bot's livestreams through Direct Line, on paused tokio time: the pieces arrive
//! paced, their sequence numbers rise, every piece after the first names the first one's
//! id as the stream id, and the final message closes the stream with the whole text.
#![allow(clippy::unwrap_used, reason = "tests: a panic is the failure report")]

mod common;

use std::time::Duration;

use common::{message, replies_to, TestApp, Visitor};
use devserver::bot::livestream::{PACE, SEARCHING_TEXT, STREAMED_TEXT};
use serde_json::{json, Value};

/// Asks for a stream; the visitor, and the id of the asking message.
async fn ask_stream(app: &TestApp, phrase: &str) -> (Visitor, String) {
    let visitor = app.visitor("/api/directline/token").await;
    let id = app.post_as(&visitor, message(phrase)).await;
    (visitor, id)
}

/// The pieces answering `id` so far.
async fn pieces(app: &TestApp, visitor: &Visitor, id: &str) -> Vec<Value> {
    let history = app.history(visitor).await;
    replies_to(&history, id).into_iter().cloned().collect()
}

/// Checks what every livestream shares and returns its interim pieces (all but the final):
/// typing pieces with rising sequence numbers that name the first piece's id, then the
/// final message with the whole text.
#[track_caller]
fn interim_pieces(pieces: &[Value]) -> &[Value] {
    let (last, interim) = pieces.split_last().unwrap();
    let stream_id = interim[0]["id"].clone();
    assert!(interim[0]["channelData"].get("streamId").is_none());
    for (n, piece) in interim.iter().enumerate() {
        assert_eq!(piece["type"], "typing");
        assert_eq!(piece["from"]["id"], "demo-bot");
        assert_eq!(piece["channelData"]["streamSequence"], n + 1, "{piece}");
        if n > 0 {
            assert_eq!(piece["channelData"]["streamId"], stream_id);
        }
    }
    assert_eq!(last["type"], "message");
    assert_eq!(last["text"], STREAMED_TEXT);
    assert_eq!(
        last["channelData"],
        json!({"streamId": stream_id, "streamType": "final"})
    );
    interim
}

/// The `streamType` of each piece.
fn stream_types(pieces: &[Value]) -> Vec<&str> {
    pieces
        .iter()
        .map(|p| p["channelData"]["streamType"].as_str().unwrap())
        .collect()
}

#[tokio::test(start_paused = true)]
async fn a_long_answer_streams_paced_growing_text_then_closes() {
    let app = TestApp::new();
    let (ada, id) = ask_stream(&app, "Stream a long answer").await;
    // The first piece comes with the answer to the POST; the rest one per PACE.
    assert_eq!(pieces(&app, &ada, &id).await.len(), 1);
    tokio::time::sleep(PACE + Duration::from_millis(10)).await;
    assert_eq!(pieces(&app, &ada, &id).await.len(), 2);
    tokio::time::sleep(PACE * 20).await;

    let all = pieces(&app, &ada, &id).await;
    let interim = interim_pieces(&all);
    let types = stream_types(interim);
    assert_eq!(types[..2], ["streaming", "informative"]);
    assert!(types[2..].iter().all(|t| *t == "streaming"));
    assert_eq!(interim[1]["text"], SEARCHING_TEXT);
    // Each streaming piece replaces the text: it grows towards the final one.
    let texts: Vec<&str> = interim
        .iter()
        .filter(|p| p["channelData"]["streamType"] == "streaming")
        .map(|p| p["text"].as_str().unwrap())
        .collect();
    assert!(texts.len() >= 3);
    for pair in texts.windows(2) {
        assert!(pair[1].starts_with(pair[0]) && pair[1].len() > pair[0].len());
    }
    assert_eq!(*texts.last().unwrap(), STREAMED_TEXT);
    assert!(interim
        .iter()
        .all(|p| p["channelData"].get("chunkType").is_none()));
}

#[tokio::test(start_paused = true)]
async fn deltas_open_with_the_informative_piece_and_append() {
    let app = TestApp::new();
    let (ada, id) = ask_stream(&app, "stream deltas").await;
    tokio::time::sleep(PACE * 20).await;
    let all = pieces(&app, &ada, &id).await;
    let interim = interim_pieces(&all);
    assert_eq!(stream_types(&interim[..1]), ["informative"]);
    let deltas = &interim[1..];
    assert!(deltas.len() >= 3);
    assert!(deltas
        .iter()
        .all(|p| p["channelData"]["streamType"] == "streaming"
            && p["channelData"]["chunkType"] == "delta"));
    let appended: String = deltas.iter().map(|p| p["text"].as_str().unwrap()).collect();
    assert_eq!(appended, STREAMED_TEXT);
}
