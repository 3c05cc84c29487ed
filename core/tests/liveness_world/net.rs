//! The fake Direct Line server of the liveness world: streams (live, zombie, refused),
//! request troubles, expiring tokens, and the timeline of what happens when.

use super::*;

#[allow(
    clippy::large_enum_variant,
    reason = "a test's queue: size does not matter"
)]
pub(crate) enum Item {
    /// An event, from the socket `sid` when given (lost once the client closed it).
    Event(Option<u64>, Event),
    Send(Effect),
    Act(Act),
    KeepAlive(usize, u64),
}

pub(crate) struct Live {
    pub(crate) sid: u64,
    pub(crate) generation: u32,
    pub(crate) next: usize,
    pub(crate) zombie: bool,
}

/// The fake server, the page's timers and sockets, and what was said and typed.
#[derive(Default)]
pub(crate) struct Net {
    pub(crate) now: Millis,
    pub(crate) queue: Vec<(Millis, u64, Item)>,
    pub(crate) seq: u64,
    pub(crate) logs: [Vec<Activity>; 2],
    pub(crate) streams: [Option<Live>; 2],
    pub(crate) sockets: [Option<u64>; 2],
    pub(crate) aborted: HashSet<u64>,
    pub(crate) tokens: [String; 2],
    pub(crate) windows: Vec<(Millis, Millis, Trouble)>,
    pub(crate) refuse: bool,
    pub(crate) fail_next: u32,
    pub(crate) no_stream_url: bool,
    pub(crate) said: Vec<(String, Millis)>,
    pub(crate) typed: Vec<String>,
    pub(crate) down: Option<(Millis, Millis)>,
    pub(crate) trace: VecDeque<String>,
}

impl Net {
    pub(crate) fn at(&mut self, t: Millis, item: Item) {
        self.seq += 1;
        self.queue.push((t, self.seq, item));
    }

    pub(crate) fn trouble(&self, t: Millis) -> Option<Trouble> {
        let found = self.windows.iter().find(|(a, b, _)| (*a..*b).contains(&t));
        found.map(|w| w.2).filter(|k| *k != Trouble::Renewal)
    }

    /// When an activity said at `t` must be shown: the bound, counted from when requests
    /// are answered again for that long.
    pub(crate) fn deadline(&self, t: Millis) -> Millis {
        let mut x = t;
        let blocks = |x: Millis, (a, b, k): &(Millis, Millis, Trouble)| {
            *a < x + RECEIVE_BOUND_MS && *b > x && *k != Trouble::Slow
        };
        while let Some(w) = self.windows.iter().find(|w| blocks(x, w)) {
            x = w.1;
        }
        x + RECEIVE_BOUND_MS
    }

    pub(crate) fn close(&mut self, channel: Channel) {
        if let Some(sid) = self.sockets[ix(channel)].take() {
            self.aborted.insert(sid);
        }
        self.streams[ix(channel)] = None;
    }

    pub(crate) fn stream_url(&self, channel: Channel, watermark: Option<String>) -> Option<String> {
        let mark = watermark.unwrap_or_else(|| "0".into());
        (!self.no_stream_url).then(|| format!("wss://fake.test/{}/{mark}", ix(channel)))
    }

    /// Open, live streams push what they have not sent yet.
    pub(crate) fn push_frames(&mut self) {
        for (c, channel) in CHANNELS.into_iter().enumerate() {
            let len = self.logs[c].len();
            let Some(live) = self.streams[c].as_mut().filter(|l| !l.zombie) else {
                continue;
            };
            if live.next < len {
                let activities = self.logs[c][live.next..].to_vec();
                let watermark = Some(len.to_string());
                let set = ActivitySet {
                    activities,
                    watermark,
                };
                live.next = len;
                let (sid, generation) = (live.sid, live.generation);
                let event = Event::Streamed {
                    channel,
                    generation,
                    set,
                };
                self.at(self.now + 20, Item::Event(Some(sid), event));
            }
        }
    }

    /// A request reaches the server now: the event answering it, and when. (A table of
    /// requests and answers, kept one per line.)
    #[rustfmt::skip]
    pub(crate) fn answer(&mut self, effect: Effect) -> Option<(Millis, Event)> {
        let now = self.now;
        let mut trouble = self.trouble(now);
        if self.fail_next > 0 && trouble.is_none() {
            self.fail_next -= 1;
            trouble = Some(Trouble::Fail502);
            self.windows.push((now, now + 1, Trouble::Renewal));
        }
        let (wait, mut error) = match trouble {
            Some(Trouble::Hang) => (REQUEST_TIMEOUT_MS, Some(ChatError::Network("timed out".into()))),
            Some(Trouble::Fail502) => (20, Some(http(502))),
            Some(Trouble::Throttle) => (20, Some(ChatError::Throttled { retry_after_ms: Some(2_000) })),
            Some(Trouble::Slow) => (300, None),
            _ => (20, None),
        };
        let used = match &effect {
            Effect::Poll { endpoint, channel, .. }
            | Effect::PostActivity { endpoint, channel, .. }
            | Effect::Reconnect { endpoint, channel, .. } => Some((*channel, &endpoint.token)),
            _ => None,
        };
        if used.is_some_and(|(c, token)| *token != self.tokens[ix(c)]) {
            error = error.or(Some(http(403)));
        }
        let event = match (effect, error) {
            (Effect::FetchToken { channel, .. }, _) => {
                let token = TokenResponse { token: self.tokens[ix(channel)].clone(), ..Default::default() };
                Event::TokenReceived { channel, token }
            }
            (Effect::StartConversation { channel, token, .. }, _) => {
                let id = format!("c{}", ix(channel));
                let stream_url = self.stream_url(channel, None);
                let conversation = Conversation { conversation_id: id, token: Some(token), stream_url, ..Default::default() };
                Event::ConversationStarted { channel, conversation }
            }
            (Effect::Poll { channel, generation, once, .. }, Some(error)) => Event::PollFailed { channel, generation, error, once },
            (Effect::Poll { channel, generation, watermark, once, .. }, None) => {
                let log = &self.logs[ix(channel)];
                let from = watermark.map_or(0, |w| w.parse().unwrap());
                let set = ActivitySet { activities: log[from..].to_vec(), watermark: Some(log.len().to_string()) };
                Event::Polled { channel, generation, set, once }
            }
            (Effect::PostActivity { channel, activity, .. }, Some(error)) => {
                let client_id = activity.client_activity_id().unwrap().to_owned();
                Event::PostFailed { channel, client_id, error }
            }
            (Effect::PostActivity { channel, mut activity, .. }, None) => {
                let client_id = activity.client_activity_id().unwrap().to_owned();
                activity.id = Some(format!("c{}|{}", ix(channel), self.logs[ix(channel)].len()));
                self.logs[ix(channel)].push(activity);
                Event::Posted { channel, client_id }
            }
            (Effect::Reconnect { channel, generation, .. }, Some(error)) => Event::ReconnectFailed { channel, generation, error },
            (Effect::Reconnect { channel, generation, endpoint, watermark, .. }, None) => {
                let stream_url = self.stream_url(channel, watermark);
                let conversation = Conversation { conversation_id: endpoint.conversation_id, stream_url, ..Default::default() };
                Event::Reconnected { channel, generation, conversation }
            }
            (Effect::RefreshToken { channel, generation, .. }, Some(error)) => Event::RefreshFailed { channel, generation, error },
            (Effect::RefreshToken { channel, generation, .. }, None) => {
                self.tokens[ix(channel)] = format!("tok-{now}");
                let token = TokenResponse { token: self.tokens[ix(channel)].clone(), expires_in: Some(1800), ..Default::default() };
                Event::TokenRefreshed { channel, generation, token }
            }
            _ => return None,
        };
        Some((now + wait, event))
    }
}
