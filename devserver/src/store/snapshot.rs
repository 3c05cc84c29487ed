//! The state file's content (`--state FILE`): what a snapshot holds, how a store is
//! restored from one, and how its bytes are written.
//!
//! A store opened with a [`StateFile`] loads its snapshot at start and saves a whole new one
//! after every change, under the lock and before the method returns, so a request answered
//! 200 is on disk (see `persist.rs` for the atomic write). Each conversation's log is also
//! kept encoded, so a save mostly copies bytes. The snapshot holds conversations (activity
//! logs, hence ids and watermarks; user; bot memory; relay/bridge mode), tokens with their
//! absolute expiry, and the hub. Streams and accept timers are not state: clients reconnect,
//! and the caller restarts the timers of waiting handoffs ([`Store::waiting_handoffs`]).
//! Must not know about HTTP.

use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::AtomicU64;
use std::sync::Mutex;
use std::time::Duration;

use handoff_core::activity::{Activity, ChannelAccount};
use handoff_core::handoff::HandoffMode;
use handoff_core::survey::SurveyAnswers;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use tokio::sync::broadcast;

use super::{millis, ConversationState, Grant, Inner, Service, Store, BROADCAST_CAPACITY};
use crate::bot::BotState;
use crate::hub::Hub;
use crate::persist::{PersistError, StateFile};

impl Store {
    /// A store saved to `state_file` after every change, starting from what the file holds
    /// (empty when it does not exist yet). A file that cannot be read is an error: starting
    /// empty would overwrite it at the first change.
    pub fn open(
        token_lifetime: Duration,
        state_file: StateFile,
    ) -> std::result::Result<Self, PersistError> {
        let version_error = |found| PersistError::Version {
            path: state_file.path().to_owned(),
            found,
            expected: STATE_VERSION,
        };
        let inner = match state_file.load::<Snapshot<'static>>() {
            Ok(Some(snapshot)) if snapshot.version != STATE_VERSION => {
                return Err(version_error(snapshot.version))
            }
            Ok(Some(snapshot)) => snapshot.restore(),
            Ok(None) => Inner::default(),
            // Another version may have another shape: say so rather than "not a state file".
            Err(e) => match state_file.load::<Header>() {
                Ok(Some(header)) if header.version != STATE_VERSION => {
                    return Err(version_error(header.version))
                }
                _ => return Err(e),
            },
        };
        Ok(Self {
            inner: Mutex::new(inner),
            token_lifetime_ms: AtomicU64::new(millis(token_lifetime)),
            state_file: Some(state_file),
        })
    }
}

/// Version of the state file format ([`Snapshot`]); a file of another version is refused.
pub const STATE_VERSION: u32 = 1;

/// The part of a state file every version has.
#[derive(Deserialize)]
struct Header {
    version: u32,
}

/// The state file's content: everything of [`Inner`] but the live feeds. Borrowed when
/// saving (no copy of the logs), owned when loading.
#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Snapshot<'a> {
    version: u32,
    conversations: Vec<ConversationRecord<'a>>,
    /// Token → grant, with absolute expiry (epoch ms): a restart does not extend a token.
    tokens: Cow<'a, HashMap<String, Grant>>,
    hub: Cow<'a, Hub>,
}

/// One conversation in the state file.
#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct ConversationRecord<'a> {
    id: Cow<'a, str>,
    service: Service,
    mode: HandoffMode,
    user: Cow<'a, ChannelAccount>,
    bot: BotRecord<'a>,
    /// The log as stamped; an activity's watermark is its 1-based position. Last, and left
    /// out when empty, so [`encode`] can append an already encoded log.
    #[serde(default, skip_serializing_if = "<[Activity]>::is_empty")]
    activities: Cow<'a, [Activity]>,
}

/// The demo bot's [`BotState`], field by field (`bot.rs` stays free of serde). Restoring
/// builds a `BotState` literal, so a field added there fails to compile here until it is
/// persisted too.
#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct BotRecord<'a> {
    fallbacks: u32,
    answers: Cow<'a, SurveyAnswers>,
    topics: Cow<'a, [String]>,
    last_phrase: Cow<'a, str>,
    /// Absent in files written before global variables existed.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    variables: Cow<'a, BTreeMap<String, Value>>,
    /// Absent in files written before the sign-in demo existed.
    #[serde(default, skip_serializing_if = "is_false")]
    signing_in: bool,
}

fn is_false(flag: &bool) -> bool {
    !flag
}

impl<'a> ConversationRecord<'a> {
    /// The record of a conversation, with its activities or (`with_activities` false)
    /// without them.
    fn of(id: &'a str, c: &'a ConversationState, with_activities: bool) -> Self {
        ConversationRecord {
            id: Cow::Borrowed(id),
            service: c.service,
            mode: c.mode,
            user: Cow::Borrowed(&c.user),
            bot: BotRecord {
                fallbacks: c.bot.fallbacks,
                answers: Cow::Borrowed(&c.bot.answers),
                topics: Cow::Borrowed(&c.bot.topics),
                last_phrase: Cow::Borrowed(&c.bot.last_phrase),
                variables: Cow::Borrowed(&c.bot.variables),
                signing_in: c.bot.signing_in,
            },
            activities: Cow::Borrowed(if with_activities { &c.activities } else { &[] }),
        }
    }
}

/// Conversations by id: the same state always gives the same file.
fn sorted(inner: &Inner) -> Vec<(&String, &ConversationState)> {
    let mut conversations: Vec<_> = inner.conversations.iter().collect();
    conversations.sort_by(|a, b| a.0.cmp(b.0));
    conversations
}

/// The state file's bytes: a [`Snapshot`], with each conversation's log copied from its
/// [`ConversationState::log_json`] when kept (the cost of a save is then mostly a copy).
pub(super) fn encode(inner: &Inner) -> serde_json::Result<Vec<u8>> {
    let mut out = Vec::with_capacity(
        inner
            .conversations
            .values()
            .map(|c| c.log_json.as_ref().map_or(0, String::len) + 512)
            .sum::<usize>()
            + 4096,
    );
    out.extend_from_slice(b"{\"version\":");
    serde_json::to_writer(&mut out, &STATE_VERSION)?;
    out.extend_from_slice(b",\"conversations\":[");
    for (n, (id, c)) in sorted(inner).into_iter().enumerate() {
        if n > 0 {
            out.push(b',');
        }
        match &c.log_json {
            // No activities: nothing to append (and serde leaves the field out too).
            Some(log) if log.is_empty() => {
                serde_json::to_writer(&mut out, &ConversationRecord::of(id, c, false))?
            }
            Some(log) => {
                serde_json::to_writer(&mut out, &ConversationRecord::of(id, c, false))?;
                // Reopen the record (it ends with `}`) to append the encoded log.
                out.pop();
                out.extend_from_slice(b",\"activities\":[");
                out.extend_from_slice(log.as_bytes());
                out.extend_from_slice(b"]}");
            }
            None => serde_json::to_writer(&mut out, &ConversationRecord::of(id, c, true))?,
        }
    }
    out.extend_from_slice(b"],\"tokens\":");
    serde_json::to_writer(&mut out, &inner.tokens)?;
    out.extend_from_slice(b",\"hub\":");
    serde_json::to_writer(&mut out, &inner.hub)?;
    out.push(b'}');
    Ok(out)
}

impl<'a> Snapshot<'a> {
    /// The snapshot of `inner`, every activity encoded by serde (what [`encode`] must equal).
    #[cfg(test)]
    fn of(inner: &'a Inner) -> Self {
        Snapshot {
            version: STATE_VERSION,
            conversations: sorted(inner)
                .into_iter()
                .map(|(id, c)| ConversationRecord::of(id, c, true))
                .collect(),
            tokens: Cow::Borrowed(&inner.tokens),
            hub: Cow::Borrowed(&inner.hub),
        }
    }

    fn restore(self) -> Inner {
        let conversations = self
            .conversations
            .into_iter()
            .map(|c| {
                let (feed, _) = broadcast::channel(BROADCAST_CAPACITY);
                let bot = BotState {
                    fallbacks: c.bot.fallbacks,
                    answers: c.bot.answers.into_owned(),
                    topics: c.bot.topics.into_owned(),
                    last_phrase: c.bot.last_phrase.into_owned(),
                    variables: c.bot.variables.into_owned(),
                    signing_in: c.bot.signing_in,
                };
                let activities = c.activities.into_owned();
                let log_json = activities
                    .iter()
                    .map(serde_json::to_string)
                    .collect::<serde_json::Result<Vec<_>>>()
                    .ok()
                    .map(|encoded| encoded.join(","));
                let state = ConversationState {
                    service: c.service,
                    mode: c.mode,
                    activities,
                    user: c.user.into_owned(),
                    bot,
                    feed,
                    log_json,
                };
                (c.id.into_owned(), state)
            })
            .collect();
        Inner {
            conversations,
            tokens: self.tokens.into_owned(),
            hub: self.hub.into_owned(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bot;
    use crate::persist::TempDir;
    use crate::store::tests::{bot_conversation, message};

    /// What a save writes, parsed; checked against serde's encoding of the whole snapshot.
    fn snapshot_json(store: &Store) -> serde_json::Value {
        let inner = store.lock();
        let saved: serde_json::Value = serde_json::from_slice(&encode(&inner).unwrap()).unwrap();
        assert_eq!(saved, serde_json::to_value(Snapshot::of(&inner)).unwrap());
        saved
    }

    #[test]
    fn a_reopened_store_holds_exactly_what_was_saved() {
        let dir = TempDir::new("store-reopen");
        let file = StateFile::new(dir.0.join("state.json"));
        let store = Store::open(Duration::from_secs(60), file.clone()).unwrap();
        let conv = bot_conversation(&store, HandoffMode::Bridge);
        let start = Activity {
            kind: "event".into(),
            name: Some("startConversation".into()),
            value: Some(serde_json::json!({"firstName": "Ada", "caseNumber": "C-1"})),
            ..Activity::default()
        };
        store
            .post_activity(Service::Bot, &conv, start, None, "", 5)
            .unwrap();
        let set_context = Activity {
            kind: "event".into(),
            name: Some(bot::SET_CONTEXT_EVENT.into()),
            value: Some(serde_json::json!({"plan": "gold", "visits": 3})),
            ..Activity::default()
        };
        store
            .post_activity(Service::Bot, &conv, set_context, None, "", 6)
            .unwrap();
        for text in ["opening hours", "bananas"] {
            store
                .post_activity(Service::Bot, &conv, message(text), None, "", 10)
                .unwrap();
        }
        let relay = bot_conversation(&store, HandoffMode::Relay);
        store
            .post_activity(
                Service::Bot,
                &relay,
                message("a human please"),
                None,
                "",
                20,
            )
            .unwrap();
        let alex = store.register_agent("Alex").unwrap();
        store
            .create_conversation(Service::Hub, HandoffMode::Bridge, None, 30)
            .unwrap();

        let reopened = Store::open(Duration::from_secs(60), file).unwrap();
        assert_eq!(snapshot_json(&reopened), snapshot_json(&store));
        // Without the encoded logs (as in memory), a save writes the same.
        for conversation in reopened.lock().conversations.values_mut() {
            conversation.log_json = None;
        }
        assert_eq!(snapshot_json(&reopened), snapshot_json(&store));
        // The agent is still signed in: its session secret was saved.
        assert_eq!(
            reopened.agent_of_session(&alex.session),
            Some(alex.agent_id)
        );
        let inner = reopened.lock();
        let bot = &inner.conversations[&conv].bot;
        assert_eq!(bot.fallbacks, 1);
        assert_eq!(bot.answers.first_name, "Ada");
        assert_eq!(bot.topics, ["Greeting", "Opening hours", "Fallback"]);
        assert_eq!(bot.last_phrase, "bananas");
        assert_eq!(
            serde_json::to_value(&bot.variables).unwrap(),
            serde_json::json!({"firstName": "Ada", "caseNumber": "C-1", "plan": "gold", "visits": 3})
        );
        assert_eq!(inner.conversations[&conv].mode, HandoffMode::Bridge);
        assert_eq!(inner.hub.waiting_since().len(), 1);
    }

    /// Time per save as the log grows: `cargo test -p devserver --release --lib
    /// save_cost -- --ignored --nocapture`.
    #[test]
    #[ignore = "measurement, not a check"]
    fn save_cost() {
        let dir = TempDir::new("store-cost");
        let file = StateFile::new(dir.0.join("state.json"));
        let memory = Store::new(Duration::from_secs(60));
        let conv = bot_conversation(&memory, HandoffMode::Relay);
        let mut activities = 0;
        for target in [100, 1_000, 10_000, 30_000] {
            while activities < target {
                let text = format!("opening hours {activities}");
                memory
                    .post_activity(Service::Bot, &conv, message(&text), None, "", 0)
                    .unwrap();
                activities += 3;
            }
            // The same state, persistent: each change below is one save.
            file.save(&Snapshot::of(&memory.lock())).unwrap();
            let store = Store::open(Duration::from_secs(60), file.clone()).unwrap();
            let rounds = 20;
            let started = std::time::Instant::now();
            for _ in 0..rounds {
                store.register_agent("x").unwrap();
            }
            let per_change = started.elapsed() / rounds;
            let bytes = std::fs::metadata(file.path()).unwrap().len();
            println!("{activities:>6} activities, {bytes:>8} bytes: {per_change:>9.3?} per change");
        }
    }
}
