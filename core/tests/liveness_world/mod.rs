//! The fake world of the liveness test: a fake clock, a fake Direct Line server (streams,
//! zombies, refused upgrades, failing, throttled and hanging requests, expiring tokens) and
//! a driver that performs the session's effects against it and checks every deadline.

use std::collections::{HashSet, VecDeque};

use handoff_core::activity::{Activity, ActivitySet, Conversation, TokenResponse};
use handoff_core::error::ChatError;
use handoff_core::handoff::HandoffMode;
use handoff_core::session::{
    Channel, Connectivity, Effect, Event, Session, RECEIVE_BOUND_MS, REQUEST_TIMEOUT_MS, STALE_MS,
};
use handoff_core::survey::SurveyAnswers;
use handoff_core::time::Millis;
use handoff_core::transcript::Delivery;
use serde_json::{json, Value};

pub(crate) const START: Millis = 1_000_000;
pub(crate) const KEEPALIVE_MS: Millis = 15_000;
pub(crate) const CHANNELS: [Channel; 2] = [Channel::Bot, Channel::Hub];

/// What requests meet during a window of time.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum Trouble {
    /// Never answered: the browser layer's timeout fails them.
    Hang,
    /// Answered with a 502.
    Fail502,
    /// 429 with `Retry-After: 2`.
    Throttle,
    /// Answers take 300 ms.
    Slow,
    /// No fault: a refused token's renewal, or a failed request (deadlines count after it).
    Renewal,
}

/// Something that happens at a time.
#[derive(Clone, Debug)]
pub(crate) enum Act {
    /// The agent (or bot) says something: it must reach the transcript.
    Say(Channel, String),
    /// Any other activity from the server's side.
    Emit(Channel, Value),
    /// The visitor sends a message: it must reach the server once (or show failed).
    Type(String),
    /// Requests meet this trouble for this long.
    Requests(Trouble, Millis),
    /// The next requests fail with 502 (as the dev server's fault API does).
    FailNext(u32),
    Drop(Channel),
    /// The stream stays open and delivers nothing more, keep-alives included.
    Zombie(Channel),
    Refuse(bool),
    ExpireToken(Channel),
    Reload,
    /// Requests hang and streams go silent for this long: the chat must say so.
    Down(Millis),
}

mod net;
pub(crate) use net::{Item, Live, Net};

pub(crate) struct World {
    pub(crate) s: Session,
    pub(crate) mode: HandoffMode,
    pub(crate) n: Net,
}

pub(crate) fn ix(channel: Channel) -> usize {
    usize::from(channel == Channel::Hub)
}

pub(crate) fn activity(value: Value) -> Activity {
    serde_json::from_value(value).unwrap()
}

pub(crate) fn http(status: u16) -> ChatError {
    let message = String::new();
    ChatError::Http { status, message }
}

impl World {
    pub(crate) fn new(mode: HandoffMode, no_stream_url: bool) -> World {
        let s = Session::new("dl_v".into(), "hc".into(), "en-US".into(), mode);
        let tokens = ["tok-0".into(), "tok-1".into()];
        let n = Net {
            now: START,
            tokens,
            no_stream_url,
            ..Net::default()
        };
        let mut w = World { s, mode, n };
        let answers = SurveyAnswers {
            first_name: "Ada".into(),
            ..SurveyAnswers::default()
        };
        w.step(Event::SurveySubmitted(answers));
        w.run(START + 2_000);
        w
    }

    pub(crate) fn run(&mut self, until: Millis) {
        let queue = |n: &Net| (0..n.queue.len()).min_by_key(|&i| (n.queue[i].0, n.queue[i].1));
        while let Some(i) = queue(&self.n).filter(|&i| self.n.queue[i].0 <= until) {
            let (t, _, item) = self.n.queue.swap_remove(i);
            self.n.now = t;
            match item {
                Item::Event(Some(sid), _) if self.n.aborted.contains(&sid) => {}
                Item::Event(_, event) => self.step(event),
                Item::Send(effect) => {
                    if let Some((at, event)) = self.n.answer(effect) {
                        self.n.at(at, Item::Event(None, event));
                    }
                }
                Item::KeepAlive(c, sid) => {
                    let live = self.n.streams[c]
                        .as_ref()
                        .filter(|l| l.sid == sid && !l.zombie);
                    if let Some(generation) = live.map(|l| l.generation) {
                        let (channel, set) = (CHANNELS[c], ActivitySet::default());
                        let event = Event::Streamed {
                            channel,
                            generation,
                            set,
                        };
                        self.n.at(t, Item::Event(Some(sid), event));
                        self.n.at(t + KEEPALIVE_MS, Item::KeepAlive(c, sid));
                    }
                }
                Item::Act(act) => self.apply(act),
            }
            self.n.push_frames();
            self.check();
        }
        self.n.now = until;
    }

    pub(crate) fn apply(&mut self, act: Act) {
        let (now, n) = (self.n.now, &mut self.n);
        match act {
            Act::Say(channel, text) => {
                let id = format!("c{}|{}", ix(channel), n.logs[ix(channel)].len());
                let from = json!({"id": "agent", "role": "bot"});
                let said = json!({"type": "message", "id": id, "text": text, "from": from});
                n.logs[ix(channel)].push(activity(said));
                n.said.push((text, now));
            }
            Act::Emit(channel, value) => n.logs[ix(channel)].push(activity(value)),
            Act::Type(text) => {
                n.typed.push(text.clone());
                self.step(Event::MessageTyped(text));
            }
            Act::Requests(kind, ms) => n.windows.push((now, now + ms, kind)),
            Act::FailNext(count) => n.fail_next = count,
            Act::Drop(channel) => {
                if let Some(Live {
                    sid, generation, ..
                }) = n.streams[ix(channel)].take()
                {
                    let failed = Event::StreamFailed {
                        channel,
                        generation,
                    };
                    n.at(now + 5, Item::Event(Some(sid), failed));
                }
            }
            Act::Zombie(channel) => n.streams[ix(channel)]
                .iter_mut()
                .for_each(|l| l.zombie = true),
            Act::Refuse(on) => n.refuse = on,
            Act::ExpireToken(channel) => {
                n.tokens[ix(channel)] = "expired".into();
                n.windows
                    .push((now, now + 2 * REQUEST_TIMEOUT_MS, Trouble::Renewal));
            }
            Act::Reload => {
                // The page's timers, requests and sockets are gone; what reached the server stays.
                let stored = self.s.to_stored();
                self.s = Session::from_stored(&stored, "en-US".into(), self.mode).unwrap();
                n.queue.retain(|(_, _, item)| matches!(item, Item::Act(_)));
                CHANNELS.into_iter().for_each(|c| n.close(c));
                self.step(Event::Resume {
                    client_prefix: format!("r{now}"),
                });
            }
            Act::Down(ms) => {
                n.windows.push((now, now + ms, Trouble::Hang));
                n.streams.iter_mut().flatten().for_each(|l| l.zombie = true);
                n.down = Some((now, now + ms));
            }
        }
    }

    pub(crate) fn step(&mut self, event: Event) {
        self.trace(format!("{event:?}"));
        for effect in self.s.step(event, self.n.now) {
            self.trace(format!("  -> {effect:?}"));
            self.perform(effect);
        }
    }

    pub(crate) fn trace(&mut self, line: String) {
        let trace = &mut self.n.trace;
        trace.push_back(format!("{:>7} {line:.160}", self.n.now - START));
        if trace.len() > 60 {
            trace.pop_front();
        }
    }

    /// Carries out an effect as the browser layer does.
    pub(crate) fn perform(&mut self, effect: Effect) {
        let n = &mut self.n;
        let now = n.now;
        match effect {
            Effect::ScheduleTick { after_ms } => {
                n.at(now + after_ms, Item::Event(None, Event::Tick))
            }
            Effect::OpenStream {
                channel,
                generation,
                url,
            } => {
                n.close(channel); // never two sockets
                n.seq += 1;
                let sid = n.seq;
                n.sockets[ix(channel)] = Some(sid);
                let event = if n.refuse {
                    Event::StreamFailed {
                        channel,
                        generation,
                    }
                } else {
                    let next = url.rsplit('/').next().unwrap().parse().unwrap();
                    n.streams[ix(channel)] = Some(Live {
                        sid,
                        generation,
                        next,
                        zombie: false,
                    });
                    n.at(now + KEEPALIVE_MS, Item::KeepAlive(ix(channel), sid));
                    Event::StreamOpened {
                        channel,
                        generation,
                    }
                };
                n.at(now + 10, Item::Event(Some(sid), event));
            }
            Effect::CloseStream { channel } => n.close(channel),
            Effect::Reconnect {
                channel, after_ms, ..
            } => {
                n.close(channel); // closed at once, asked after the delay
                n.at(now + after_ms, Item::Send(effect));
            }
            Effect::Poll { after_ms, .. }
            | Effect::PostActivity { after_ms, .. }
            | Effect::RefreshToken { after_ms, .. } => n.at(now + after_ms, Item::Send(effect)),
            Effect::FetchToken { .. } | Effect::StartConversation { .. } => {
                n.at(now, Item::Send(effect))
            }
            Effect::SendTyping { .. } | Effect::DiscoverDirectLine { .. } => {}
        }
    }

    pub(crate) fn shown(&self, text: &str) -> usize {
        self.s
            .transcript
            .entries()
            .iter()
            .filter(|e| e.text == text)
            .count()
    }

    pub(crate) fn check(&self) {
        let now = self.n.now;
        for (text, t) in &self.n.said {
            if now > self.n.deadline(*t) && self.shown(text) == 0 {
                self.fail(&format!("{text:?} said at {} not shown", t - START));
            }
        }
        let says_so = self.s.connectivity(now) != Connectivity::Online;
        if self
            .n
            .down
            .is_some_and(|(from, to)| (from + STALE_MS..to).contains(&now))
            && !says_so
        {
            self.fail("down, and the banner says online");
        }
    }

    pub(crate) fn fail(&self, what: &str) -> ! {
        let (now, trace) = (self.n.now, &self.n.trace);
        let connectivity = self.s.connectivity(now);
        let pending = self.s.pending();
        panic!(
            "at {}: {what}; {connectivity:?}, {pending} pending\n{trace:#?}",
            now - START
        );
    }

    /// Runs to `end`, then long enough for everything to arrive; checks both sides' records.
    pub(crate) fn finish(mut self, end: Millis) {
        self.run(end);
        self.n.windows.retain(|w| w.1 <= end);
        self.run(end + 2 * RECEIVE_BOUND_MS);
        for (text, _) in &self.n.said {
            assert_eq!(self.shown(text), 1, "{text:?} shown once");
        }
        let server = self
            .n
            .logs
            .iter()
            .flatten()
            .filter_map(|a| a.text.as_deref());
        let server: Vec<&str> = server.collect();
        for text in &self.n.typed {
            // Posted once, or given up after its attempts and shown failed (the visitor can
            // send it again): never lost silently, never twice.
            let entries = self.s.transcript.entries().iter();
            let failed = entries
                .filter(|e| e.text == *text)
                .any(|e| e.delivery == Delivery::Failed);
            let posted = server.iter().filter(|t| *t == text).count();
            assert!(
                posted == 1 || (posted == 0 && failed),
                "{text:?} posted {posted}×"
            );
        }
    }
}
