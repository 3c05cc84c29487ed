//! A reload: what is kept, and resuming without sending anything twice.

use crate::session::tests::*;
use crate::session::*;
use serde_json::json;

#[test]
fn session_survives_a_storage_round_trip() {
    let (mut s, _) = connected_with(HandoffMode::Bridge, true);
    s.step(
        Event::MessageTyped("queued behind the start event".into()),
        NOW,
    );
    s.step(
        Event::ContextSet(json!({"plan": "gold"}).as_object().unwrap().clone()),
        NOW,
    );
    s.directline = Some("https://europe.directline.botframework.com/v3/directline".into());
    s.handoff = Handoff::Engaged {
        agent: Agent {
            id: "a1".into(),
            name: "Alex".into(),
        },
    };
    s.transcript
        .push_notice("n1".into(), "Alex joined the chat".into(), "t".into());
    let text = s.to_stored();
    let back = Session::from_stored(&text, "fr-FR".into(), HandoffMode::Bridge).unwrap();
    assert_eq!(back.phase, Phase::Chatting);
    assert_eq!(
        (
            &back.user_id,
            &back.answers,
            &back.transcript,
            &back.context
        ),
        (&s.user_id, &s.answers, &s.transcript, &s.context)
    );
    assert_eq!(
        (
            &back.directline,
            &back.handoff,
            back.next_seq,
            back.locale.as_str()
        ),
        (&s.directline, &s.handoff, s.next_seq, "fr-FR")
    );
    assert_eq!(back.bot.endpoint, s.bot.endpoint);
    assert_eq!(back.bot.watermark, s.bot.watermark);
    assert_eq!(
        back.pending(),
        4,
        "undelivered activities are kept: start, context, message, context update"
    );
    assert_eq!(
        back.bot.undelivered().collect::<Vec<_>>(),
        s.bot.undelivered().collect::<Vec<_>>()
    );
    for bad in [
        "",
        "{}",
        r#"{"v": 1}"#,
        &text.replace(r#""v":2"#, r#""v":3"#),
    ] {
        assert!(
            Session::from_stored(bad, "en".into(), HandoffMode::Relay).is_none(),
            "{bad}"
        );
    }
}

#[test]
fn a_reloaded_session_reads_since_the_watermark_before_sending_so_nothing_is_sent_twice() {
    let mut s = chatting(HandoffMode::Relay);
    s.step(
        Event::Streamed {
            channel: Channel::Bot,
            generation: 0,
            set: set(vec![], "3"),
        },
        NOW,
    );
    let effects = s.step(
        Event::MessageTyped("sent just before the reload".into()),
        NOW,
    );
    let in_flight = posted(&effects[0]).1.clone();
    s.step(
        Event::MessageTyped("typed just before the reload".into()),
        NOW,
    );

    // The page reloads: the state comes back from storage.
    let mut s = Session::from_stored(&s.to_stored(), "en-US".into(), HandoffMode::Relay).unwrap();
    let effects = s.step(
        Event::Resume {
            client_prefix: "hc2".into(),
        },
        NOW,
    );
    assert!(
        matches!(&effects[0], Effect::Poll { watermark: Some(w), after_ms: 0, .. } if w == "3")
    );
    assert_eq!(reconnects(&effects).len(), 1, "the stream is reopened");
    assert!(
        posts(&effects).is_empty(),
        "nothing is posted before the read"
    );
    assert_eq!(texts(&s).len(), 2, "transcript restored");

    // The read shows the first message did reach the server before the reload.
    let read = set(vec![echo(&in_flight, "conv1|0000004")], "4");
    let effects = s.step(
        Event::Polled {
            channel: Channel::Bot,
            generation: 0,
            set: read,
            once: false,
        },
        NOW,
    );
    let sent = posts(&effects);
    assert_eq!(sent.len(), 1);
    assert_eq!(
        sent[0].1.text.as_deref(),
        Some("typed just before the reload"),
        "only the undelivered one"
    );
    assert_eq!(s.transcript.entries()[0].delivery, Delivery::Sent);
    s.step(Event::MessageTyped("after the reload".into()), NOW);
    assert_eq!(s.pending(), 2, "one in flight, one queued behind it");
    let typed = s.transcript.entries().last().unwrap();
    assert!(
        typed.key.starts_with("hc2-"),
        "new ids after a resume: {}",
        typed.key
    );
}

#[test]
fn a_stored_direct_line_url_that_is_not_https_is_ignored_on_resume() {
    let (mut s, _) = connected_with(HandoffMode::Relay, true);
    let kept = "https://europe.directline.botframework.com/v3/directline";
    for (stored, resumed) in [
        (kept, Some(kept)),
        (
            "http://127.0.0.1:8080/v3/directline",
            Some("http://127.0.0.1:8080/v3/directline"),
        ),
        ("http://evil.test/v3/directline", None),
        ("//evil.test/v3/directline", None),
        ("/v3/directline", None),
        (
            "https://europe.directline.botframework.com@evil.test/",
            None,
        ),
        ("https://evil.test/\n", None),
    ] {
        s.directline = Some(stored.into());
        let page = Urls {
            directline: BOT_URL.into(),
            ..Urls::default()
        };
        let mut back = Session::from_stored(&s.to_stored(), "en".into(), HandoffMode::Relay)
            .expect("the rest of the chat resumes")
            .with_urls(page);
        assert_eq!(back.directline.as_deref(), resumed, "{stored:?}");
        let effects = back.step(
            Event::Resume {
                client_prefix: "hc2".into(),
            },
            NOW,
        );
        // The page's URL stands in for an ignored one.
        let base = resumed.unwrap_or(BOT_URL);
        assert!(
            matches!(&effects[0], Effect::Poll { base: b, .. } if b == base),
            "{stored:?}: {effects:?}"
        );
    }
}
