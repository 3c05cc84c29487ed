//! The session as kept in browser storage between page loads.
//!
//! Written by hand over `serde_json::Value` instead of derived: derived (de)serializers
//! for the session's types cost the widget about 9.6 KB of brotli'd wasm (measured), more
//! than every other feature of the page API together. Activities are kept as their own
//! JSON text, reusing the (de)serializer the network already needs. Only what a reload
//! needs is kept; connection state, typing and the page's config are re-derived.

use serde_json::{Map, Value};

use super::{Phase, Session};
use crate::activity::Activity;
use crate::handoff::{Agent, Handoff, HandoffMode};
use crate::link::{Endpoint, Link};
use crate::survey::{FieldId, SurveyAnswers};
use crate::transcript::{Author, Delivery, Entry, Transcript};

/// Version of the stored format; anything else is ignored (the visitor starts afresh).
const VERSION: u64 = 2;

impl Session {
    /// The session as storage text.
    pub fn to_stored(&self) -> String {
        let answers = self.answers.as_ref().map(|a| {
            FieldId::ALL
                .iter()
                .map(|id| Value::from(a.get(*id)))
                .collect::<Vec<_>>()
        });
        let entries: Vec<Value> = self.transcript.entries().iter().map(entry).collect();
        let stored = object([
            ("v", VERSION.into()),
            ("user", self.user_id.as_str().into()),
            ("answers", answers.into()),
            ("context", Value::Object(self.context.clone())),
            ("directline", self.directline.clone().into()),
            ("handoff", handoff(&self.handoff)),
            ("entries", entries.into()),
            ("bot", link(&self.bot)),
            ("hub", link(&self.hub)),
            ("prefix", self.client_prefix.as_str().into()),
            ("seq", self.next_seq.into()),
        ]);
        serde_json::to_string(&stored).unwrap_or_default()
    }

    /// A stored session, live (`Chatting`), with `locale` and `mode` from the page; `None`
    /// for text that is not a stored session of this version.
    pub fn from_stored(text: &str, locale: String, mode: HandoffMode) -> Option<Session> {
        let v: Value = serde_json::from_str(text).ok()?;
        if v["v"].as_u64() != Some(VERSION) {
            return None;
        }
        let mut session = Session::new(
            v["user"].as_str()?.to_owned(),
            v["prefix"].as_str()?.to_owned(),
            locale,
            mode,
        );
        session.phase = Phase::Chatting;
        session.answers = match &v["answers"] {
            Value::Array(values) => {
                let mut answers = SurveyAnswers::default();
                for (id, value) in FieldId::ALL.iter().zip(values) {
                    answers.set(*id, value.as_str()?.to_owned());
                }
                Some(answers)
            }
            _ => None,
        };
        session.context = v["context"].as_object().cloned().unwrap_or_default();
        // A stored base that is not https is ignored: the page's URL (or a new discovery) is.
        session.directline = v["directline"]
            .as_str()
            .filter(|url| crate::url::is_endpoint(url))
            .map(str::to_owned);
        session.handoff = handoff_from(&v["handoff"])?;
        let entries = v["entries"].as_array()?.iter().map(entry_from);
        session.transcript = Transcript::from_entries(entries.collect::<Option<_>>()?);
        session.bot = link_from(&v["bot"])?;
        session.hub = link_from(&v["hub"])?;
        session.next_seq = v["seq"].as_u64()?;
        Some(session)
    }
}

/// A JSON object from its fields (values are built directly: `json!` would pull in a
/// serializer per field type).
fn object<const N: usize>(fields: [(&str, Value); N]) -> Value {
    let mut map = Map::new();
    for (key, value) in fields {
        map.insert(key.to_owned(), value);
    }
    Value::Object(map)
}

fn handoff(handoff: &Handoff) -> Value {
    match handoff {
        Handoff::None => Value::Null,
        Handoff::Waiting {
            position,
            wait_secs,
        } => Value::from(vec![
            Value::from("waiting"),
            (*position).into(),
            (*wait_secs).into(),
        ]),
        Handoff::Engaged { agent } => vec![
            Value::from("engaged"),
            agent.id.as_str().into(),
            agent.name.as_str().into(),
        ]
        .into(),
    }
}

fn handoff_from(v: &Value) -> Option<Handoff> {
    let number = |v: &Value| v.as_u64().and_then(|n| u32::try_from(n).ok());
    Some(match (v[0].as_str(), v) {
        (None, Value::Null) => Handoff::None,
        (Some("waiting"), _) => Handoff::Waiting {
            position: number(&v[1]),
            wait_secs: number(&v[2]),
        },
        (Some("engaged"), _) => Handoff::Engaged {
            agent: Agent {
                id: v[1].as_str()?.to_owned(),
                name: v[2].as_str()?.to_owned(),
            },
        },
        _ => return None,
    })
}

const AUTHORS: [Author; 4] = [Author::Visitor, Author::Bot, Author::Agent, Author::System];
const DELIVERIES: [Delivery; 5] = [
    Delivery::Queued,
    Delivery::Sending,
    Delivery::Sent,
    Delivery::Failed,
    Delivery::Received,
];

/// One entry as a compact array: key, id, author, sender, text, timestamp, delivery, the
/// rich module's JSON, whether its suggested actions are on offer.
fn entry(e: &Entry) -> Value {
    let author = AUTHORS.iter().position(|a| *a == e.author).unwrap_or(0);
    let delivery = DELIVERIES
        .iter()
        .position(|d| *d == e.delivery)
        .unwrap_or(0);
    Value::from(vec![
        Value::from(e.key.as_str()),
        e.id.clone().into(),
        author.into(),
        e.sender.as_str().into(),
        e.text.as_str().into(),
        e.timestamp.as_str().into(),
        delivery.into(),
        e.rich.clone().into(),
        e.suggested.into(),
    ])
}

fn entry_from(v: &Value) -> Option<Entry> {
    let text = |i: usize| v[i].as_str().map(str::to_owned);
    let index = |i: usize| v[i].as_u64().and_then(|n| usize::try_from(n).ok());
    Some(Entry {
        key: text(0)?,
        id: text(1),
        author: *AUTHORS.get(index(2)?)?,
        sender: text(3)?,
        text: text(4)?,
        timestamp: text(5)?,
        delivery: *DELIVERIES.get(index(6)?)?,
        rich: text(7),
        suggested: v[8].as_bool().unwrap_or_default(),
    })
}

/// A link: credentials, watermark and the undelivered activities (in flight first).
fn link(link: &Link) -> Value {
    let endpoint = link.endpoint.as_ref().map(|e| {
        Value::from(vec![
            Value::from(e.conversation_id.as_str()),
            e.token.as_str().into(),
        ])
    });
    let pending: Vec<Value> = link
        .undelivered()
        .map(|a| Value::from(serde_json::to_string(a).unwrap_or_default()))
        .collect();
    object([
        ("endpoint", endpoint.into()),
        ("watermark", link.watermark.clone().into()),
        ("pending", pending.into()),
    ])
}

fn link_from(v: &Value) -> Option<Link> {
    let mut link = Link::default();
    if let Some(pair) = v["endpoint"].as_array() {
        link.endpoint = Some(Endpoint {
            conversation_id: pair.first()?.as_str()?.to_owned(),
            token: pair.get(1)?.as_str()?.to_owned(),
        });
    }
    link.watermark = v["watermark"].as_str().map(str::to_owned);
    for text in v["pending"].as_array()? {
        link.queue(serde_json::from_str::<Activity>(text.as_str()?).ok()?);
    }
    Some(link)
}

#[cfg(test)]
mod tests;
