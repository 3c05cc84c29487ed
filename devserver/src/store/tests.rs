//! The store's conversations, tokens and routing (bot, hub, relay), in memory. The state
//! file's round trip is tested in `snapshot.rs`.

use super::*;

pub(super) fn message(text: &str) -> Activity {
    Activity {
        kind: "message".into(),
        text: Some(text.into()),
        ..Activity::default()
    }
}

/// Posts `activity` to a bot conversation at time 0, as its user.
fn say(store: &Store, conv: &str, activity: Activity) -> Posted {
    store
        .post_activity(Service::Bot, conv, activity, None, "", 0)
        .unwrap()
}

pub(super) fn bot_conversation(store: &Store, mode: HandoffMode) -> String {
    store
        .create_conversation(Service::Bot, mode, None, 0)
        .unwrap()
        .conversation_id
}

fn kinds(store: &Store, conv: &str, after: u64) -> Vec<String> {
    let set = store
        .activities_after(Service::Bot, conv, Some(after))
        .unwrap();
    set.activities
        .iter()
        .map(|a| a.name.clone().unwrap_or_else(|| a.kind.clone()))
        .collect()
}

#[test]
fn tokens_expire_after_their_lifetime() {
    let store = Store::new(Duration::from_secs(60));
    let issued = store
        .create_conversation(Service::Bot, HandoffMode::Relay, None, 1_000)
        .unwrap();
    assert_eq!(issued.expires_in, 60);
    let grant = store.grant(Service::Bot, &issued.token).unwrap();
    assert!(grant.user.id.starts_with("dl_"));
    assert!(!grant.is_expired(60_999));
    assert!(grant.is_expired(61_000));
}

#[test]
fn tokens_and_conversations_belong_to_one_service() {
    let store = Store::new(Duration::from_secs(60));
    let issued = store
        .create_conversation(Service::Hub, HandoffMode::Relay, None, 0)
        .unwrap();
    assert!(store.grant(Service::Bot, &issued.token).is_none());
    assert!(store.grant(Service::Hub, &issued.token).is_some());
    assert!(!store.contains(Service::Bot, &issued.conversation_id));
    assert!(store.contains(Service::Hub, &issued.conversation_id));
    // The hub does not answer like the bot.
    store
        .post_activity(
            Service::Hub,
            &issued.conversation_id,
            message("opening hours"),
            None,
            "",
            0,
        )
        .unwrap();
    let set = store
        .activities_after(Service::Hub, &issued.conversation_id, None)
        .unwrap();
    assert_eq!(set.activities.len(), 1);
}

#[test]
fn posting_appends_the_activity_and_the_bot_replies() {
    let store = Store::new(Duration::from_secs(60));
    let conv = bot_conversation(&store, HandoffMode::Relay);
    let posted = say(&store, &conv, message("opening hours"));
    assert_eq!(posted.id, format!("{conv}|0000001"));
    assert!(posted.new_handoffs.is_empty());
    let set = store.activities_after(Service::Bot, &conv, None).unwrap();
    let kinds: Vec<&str> = set.activities.iter().map(|a| a.kind.as_str()).collect();
    assert_eq!(kinds, ["message", "typing", "message"]);
    assert_eq!(set.watermark.as_deref(), Some("3"));
    let echo = &set.activities[0];
    assert_eq!(echo.from.as_ref().unwrap().role.as_deref(), Some("user"));
    assert_eq!(echo.channel_id.as_deref(), Some("directline"));
    assert_eq!(echo.timestamp.as_deref(), Some("1970-01-01T00:00:00.000Z"));
}

#[test]
fn relay_escalation_enqueues_and_the_bot_goes_quiet_until_it_ends() {
    let store = Store::new(Duration::from_secs(60));
    let conv = bot_conversation(&store, HandoffMode::Relay);
    let posted = say(&store, &conv, message("a human please"));
    assert_eq!(posted.new_handoffs.len(), 1);
    assert_eq!(
        kinds(&store, &conv, 0),
        [
            "message",
            "typing",
            "message",
            "handoff.initiate",
            "handoff.queue"
        ]
    );
    say(&store, &conv, message("opening hours"));
    assert_eq!(kinds(&store, &conv, 5), ["message"], "bot quiet");

    store.expire_handoff(&posted.new_handoffs[0], 0);
    assert_eq!(kinds(&store, &conv, 6), ["handoff.status"]);
    say(&store, &conv, message("opening hours"));
    assert_eq!(kinds(&store, &conv, 7), ["message", "typing", "message"]);
}

#[test]
fn bridge_bot_conversations_are_not_relayed() {
    let store = Store::new(Duration::from_secs(60));
    let conv = bot_conversation(&store, HandoffMode::Bridge);
    let posted = say(&store, &conv, message("a human please"));
    assert!(posted.new_handoffs.is_empty());
    assert!(store.queue(0).is_empty());
}

#[test]
fn watermark_past_the_end_gives_nothing() {
    let store = Store::new(Duration::from_secs(60));
    let conv = bot_conversation(&store, HandoffMode::Relay);
    say(&store, &conv, message("hi"));
    let set = store
        .activities_after(Service::Bot, &conv, Some(99))
        .unwrap();
    assert!(set.activities.is_empty());
    assert_eq!(set.watermark.as_deref(), Some("3"));
}

#[test]
fn a_new_token_lifetime_applies_to_tokens_issued_afterwards() {
    let store = Store::new(Duration::from_secs(60));
    let before = store
        .create_conversation(Service::Bot, HandoffMode::Relay, None, 0)
        .unwrap();
    store.set_token_lifetime(Duration::from_secs(5));
    assert_eq!(store.token_lifetime(), Duration::from_secs(5));
    let refreshed = store
        .issue_token(Service::Bot, &before.conversation_id, None, 1_000)
        .unwrap();
    assert_eq!(refreshed.expires_in, 5);
    let grant = store.grant(Service::Bot, &refreshed.token).unwrap();
    assert_eq!(grant.expires_at, 6_000);
    assert_eq!(
        store.grant(Service::Bot, &before.token).unwrap().expires_at,
        60_000
    );
}

#[test]
fn unknown_conversation_is_not_found() {
    let store = Store::new(Duration::from_secs(60));
    assert_eq!(
        store.post_activity(Service::Bot, "nope", message("hi"), None, "", 0),
        Err(AppError::ConversationNotFound("nope".into()))
    );
}
