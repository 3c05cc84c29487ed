//! Rich content as the session sees it: livestreams, typing lines, suggested actions on
//! offer, and card actions posted exactly as the rich module asked.

use crate::session::tests::*;
use crate::session::*;
use serde_json::{json, Value};

fn bot(v: Value) -> Value {
    let mut v = v;
    v["from"] = json!({"id": "demo-bot", "name": "Demo Bot", "role": "bot"});
    v
}

#[test]
fn a_livestream_grows_one_bubble_shows_its_status_and_ends_with_the_final_message() {
    let mut s = chatting(HandoffMode::Relay);
    let piece = |id: &str, cd: Value, text: &str| {
        bot(json!({"type": "typing", "id": id, "text": text, "channelData": cd}))
    };
    streamed(
        &mut s,
        Channel::Bot,
        vec![piece(
            "a-1",
            json!({"streamType": "streaming", "streamSequence": 1}),
            "A quick",
        )],
    );
    assert_eq!(texts(&s), ["A quick"]);
    streamed(
        &mut s,
        Channel::Bot,
        vec![piece(
            "a-2",
            json!({"streamId": "a-1", "streamType": "informative", "streamSequence": 2}),
            "Searching…",
        )],
    );
    assert_eq!(s.typing.as_ref().map(|t| t.0.as_str()), Some("Searching…"));
    streamed(
        &mut s,
        Channel::Bot,
        vec![piece(
            "a-3",
            json!({"streamId": "a-1", "streamType": "streaming", "streamSequence": 3}),
            "A quick brown",
        )],
    );
    assert_eq!(texts(&s), ["A quick brown"], "each piece replaces the text");
    assert_eq!(s.typing, None, "text arriving ends the status line");
    streamed(
        &mut s,
        Channel::Bot,
        vec![piece(
            "a-9",
            json!({"streamId": "a-1", "streamType": "streaming", "streamSequence": 2}),
            "A qu",
        )],
    );
    assert_eq!(texts(&s), ["A quick brown"], "a late piece is ignored");
    streamed(
        &mut s,
        Channel::Bot,
        vec![bot(
            json!({"type": "message", "id": "a-4", "text": "A quick brown fox…",
        "channelData": {"streamId": "a-1", "streamType": "final"}}),
        )],
    );
    streamed(
        &mut s,
        Channel::Bot,
        vec![piece(
            "a-5",
            json!({"streamId": "a-1", "streamType": "streaming", "streamSequence": 9}),
            "again",
        )],
    );
    assert_eq!(
        texts(&s),
        ["A quick brown fox…"],
        "the final message closes the stream"
    );
    assert_eq!(s.transcript.entries()[0].id.as_deref(), Some("a-4"));
}

#[test]
fn delta_chunks_append_streaminfo_entities_count_and_a_final_typing_retracts() {
    let mut s = chatting(HandoffMode::Relay);
    let delta = |id: &str, seq: u64, text: &str| {
        bot(json!({"type": "typing", "id": id, "text": text,
            "channelData": {"chunkType": "delta"},
            "entities": [{"type": "streaminfo", "streamId": "s", "streamType": "streaming", "streamSequence": seq}]}))
    };
    streamed(
        &mut s,
        Channel::Bot,
        vec![
            delta("d1", 1, "Hel"),
            delta("d2", 2, "lo"),
            delta("d2b", 2, "lo"),
        ],
    );
    assert_eq!(texts(&s), ["Hello"], "appended once, the repeat ignored");
    streamed(
        &mut s,
        Channel::Bot,
        vec![bot(json!({"type": "typing", "id": "d3",
        "channelData": {"streamId": "s", "streamType": "final"}}))],
    );
    assert!(
        texts(&s).is_empty(),
        "a final typing without text retracts the bubble"
    );
}

#[test]
fn bot_typing_shows_a_line_until_its_message_arrives() {
    let mut s = chatting(HandoffMode::Relay);
    streamed(
        &mut s,
        Channel::Bot,
        vec![bot(json!({"type": "typing", "id": "t1"}))],
    );
    assert_eq!(
        s.typing.as_ref().map(|t| t.0.as_str()),
        Some("Demo Bot is typing…")
    );
    streamed(
        &mut s,
        Channel::Bot,
        vec![bot(json!({"type": "message", "id": "m1", "text": "Hi"}))],
    );
    assert_eq!(s.typing, None);
}

#[test]
fn suggested_actions_are_on_offer_until_the_visitor_posts_and_a_later_message_replaces_them() {
    let mut s = chatting(HandoffMode::Relay);
    let choices = bot(json!({"type": "message", "id": "m1", "text": "Pick one",
        "suggestedActions": {"actions": [{"type": "imBack", "title": "Yes", "value": "Yes"}]}}));
    streamed(&mut s, Channel::Bot, vec![choices.clone()]);
    let offer = s.transcript.suggestions().expect("on offer");
    assert!(offer
        .rich
        .as_deref()
        .is_some_and(|r| r.contains("suggestedActions")));
    s.step(Event::MessageTyped("no thanks".into()), NOW);
    assert!(s.transcript.suggestions().is_none(), "the visitor posted");

    let mut s = chatting(HandoffMode::Relay);
    streamed(&mut s, Channel::Bot, vec![choices]);
    streamed(
        &mut s,
        Channel::Bot,
        vec![bot(
            json!({"type": "message", "id": "m2", "text": "Or not"}),
        )],
    );
    assert!(
        s.transcript.suggestions().is_none(),
        "a later bot message replaces them"
    );
}

#[test]
fn card_actions_post_exactly_what_the_rich_module_asked_and_hidden_ones_never_show() {
    let mut s = chatting(HandoffMode::Relay);
    let effects = s.step(
        Event::CardAction(r#"{"text":"Yes","textFormat":"plain","display":"Yes"}"#.into()),
        NOW,
    );
    let (_, im_back) = posted(&effects[0]);
    assert_eq!(
        serde_json::to_value(im_back).unwrap(),
        json!({"type": "message", "text": "Yes", "textFormat": "plain", "locale": "en-US",
               "localTimestamp": im_back.local_timestamp, "from": {"id": "dl_visitor", "name": "Ada", "role": "user"},
               "channelData": {"clientActivityID": im_back.client_activity_id()}})
    );
    assert_eq!(texts(&s), ["Yes"], "imBack shows what was sent");
    s.step(
        Event::Posted {
            channel: Channel::Bot,
            client_id: im_back.client_activity_id().unwrap().into(),
        },
        NOW,
    );

    let submit = r#"{"value":{"actionSubmitId":"Submit","name":"Ann"},"channelData":{"postBack":true,"clientActivityID":"forged"},"replyToId":"card-1"}"#;
    let effects = s.step(Event::CardAction(submit.into()), NOW);
    let (_, post_back) = posted(&effects[0]);
    assert_eq!(post_back.text, None);
    assert_eq!(post_back.reply_to_id.as_deref(), Some("card-1"));
    assert_eq!(
        post_back.value,
        Some(json!({"actionSubmitId": "Submit", "name": "Ann"}))
    );
    let data = post_back.channel_data.as_ref().unwrap();
    assert_eq!(data["postBack"], json!(true));
    assert_ne!(
        data["clientActivityID"],
        json!("forged"),
        "the widget's own id wins"
    );
    assert_eq!(texts(&s), ["Yes"], "a postBack is not shown");
    let echoed = echo(post_back, "conv1|0000009");
    streamed(&mut s, Channel::Bot, vec![echoed]);
    assert_eq!(texts(&s), ["Yes"], "nor is its echo");
    assert!(s.step(Event::CardAction("not json".into()), NOW).is_empty());
}

#[test]
fn suggested_actions_for_the_name_the_service_gave_the_visitor_are_on_offer() {
    let mut s = chatting(HandoffMode::Relay);
    let effects = s.step(Event::MessageTyped("hi".into()), NOW);
    // A token names its own user: the echo of our message says what the service calls us.
    let mut echoed = echo(posted(&effects[0]).1, "conv1|0000005");
    echoed["from"]["id"] = json!("dl_from_token");
    streamed(&mut s, Channel::Bot, vec![echoed]);
    let offer = |id: &str, to: &str| {
        bot(json!({"type": "message", "id": id, "text": "Pick one",
            "suggestedActions": {"to": [to], "actions": [{"type": "imBack", "value": "A"}]}}))
    };
    streamed(&mut s, Channel::Bot, vec![offer("m1", "dl_from_token")]);
    assert!(s.transcript.suggestions().is_some());
    streamed(&mut s, Channel::Bot, vec![offer("m2", "someone else")]);
    assert!(s.transcript.suggestions().is_none(), "not for this visitor");
    s.step(Event::EndChat, NOW);
    assert!(s.transcript.suggestions().is_none());
}
