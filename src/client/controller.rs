//! The controller: owns the core [`Session`], feeds it events, performs the effects it
//! returns, and mirrors the visible state into signals. The only place that starts I/O.
//!
//! What follows a state change happens with it: the session is saved and the page hears
//! its events before the event handler returns, so a hidden tab, where animation frames
//! do not run, loses nothing. Only drawing waits for a frame.

use futures::future::{AbortHandle, Abortable};
use gloo_timers::future::TimeoutFuture;
use handoff_core::config::WidgetConfig;
use handoff_core::handoff::Handoff;
use handoff_core::page_events::{PageEvent, Seen};
use handoff_core::session::{
    Channel, Connectivity, Effect, Event, Phase, Session, TokenSource, Urls,
};
use handoff_core::survey::SurveyAnswers;
use handoff_core::time::Millis;
use handoff_core::transcript::Entry;
use leptos::prelude::*;
use leptos::task::spawn_local;

use super::storage::Store;
use super::{api, page_api, stream};

/// Handle to one chat, shared with the components through context. Copy: it only holds
/// arena ids, so closures can capture it freely.
#[derive(Clone, Copy)]
pub struct Chat {
    session: StoredValue<Session>,
    /// Open streams, so a finished conversation's socket can be closed.
    streams: StoredValue<Vec<(Channel, AbortHandle)>>,
    /// Whether a signal update is already scheduled for the next animation frame.
    render_scheduled: StoredValue<bool>,
    /// What the page has heard of, and the events it is still to hear (in order, also
    /// when a listener calls the API while they are told).
    seen: StoredValue<Seen>,
    page_events: StoredValue<(Vec<PageEvent>, bool)>,
    /// Browser storage keeping the session across page loads.
    store: StoredValue<Store, LocalStorage>,
    /// Where the conversation is (survey, connecting, chatting, failed, ended).
    pub phase: RwSignal<Phase>,
    /// Bot, waiting for an agent, or with an agent.
    pub handoff: RwSignal<Handoff>,
    /// Who is typing, or what the bot is doing ("Searching…").
    pub typing: RwSignal<Option<String>>,
    /// Whether messages get through (drives the connection banner).
    pub connectivity: RwSignal<Connectivity>,
    /// The visible transcript.
    pub entries: RwSignal<Vec<Entry>>,
}

impl Chat {
    /// A chat: the one stored for this page if there is a live one (resumed at once:
    /// survey not asked again, transcript restored), else a new one waiting for its survey.
    pub fn new(config: WidgetConfig) -> Self {
        let store = Store::new(config.persist, &config.token_url);
        // The stored chat omits what the page's config says.
        let restored = store.load(&config.locale, config.handoff);
        let resuming = restored.is_some();
        let session = restored
            .unwrap_or_else(|| {
                Session::new(
                    random_id("dl_"),
                    random_id("hc"),
                    config.locale.clone(),
                    config.handoff,
                )
            })
            .with_urls(Urls::of(&config));
        let chat = Self {
            phase: RwSignal::new(session.phase.clone()),
            handoff: RwSignal::new(session.handoff.clone()),
            typing: RwSignal::new(None),
            connectivity: RwSignal::new(Connectivity::Online),
            entries: RwSignal::new(session.transcript.entries().to_vec()),
            seen: StoredValue::new(Seen::of(&session)),
            page_events: StoredValue::new((Vec::new(), false)),
            session: StoredValue::new(session),
            streams: StoredValue::new(Vec::new()),
            render_scheduled: StoredValue::new(false),
            store: StoredValue::new_local(store),
        };
        if resuming {
            chat.dispatch(Event::Resume {
                client_prefix: random_id("hc"),
            });
        }
        chat
    }

    /// Feeds an event to the session, saves it, starts the resulting I/O, tells the page
    /// what changed, and schedules drawing.
    pub fn dispatch(self, event: Event) {
        // A keystroke changes nothing that is kept.
        let save = event != Event::VisitorTyping;
        let Some((effects, events)) = self.session.try_update_value(|s| {
            let effects = s.step(event, now());
            if save {
                self.store.with_value(|store| store.save(s));
            }
            let events = self.seen.try_update_value(|seen| {
                let events = seen.since(s);
                *seen = Seen::of(s);
                events
            });
            (effects, events.unwrap_or_default())
        }) else {
            return; // the widget was unmounted
        };
        self.schedule_render();
        for effect in effects {
            self.perform(effect);
        }
        self.tell_page(events);
    }

    /// Starts over after the visitor ended the chat: a fresh conversation, survey first,
    /// prefilled with the previous answers.
    pub fn restart(self) {
        self.dispatch(Event::Restart {
            user_id: random_id("dl_"),
            client_prefix: random_id("hc"),
        });
    }

    /// The survey answers given last (to prefill the survey).
    pub fn answers(self) -> Option<SurveyAnswers> {
        self.session.with_value(|s| s.answers.clone())
    }

    /// Tells the page about `events` in the order they happened. A listener calling the
    /// API (endChat, ...) adds its own events behind those not told yet.
    fn tell_page(self, events: Vec<PageEvent>) {
        let busy = self.page_events.try_update_value(|(queue, busy)| {
            queue.extend(events);
            std::mem::replace(busy, true)
        });
        if busy != Some(false) {
            return;
        }
        while let Some(Some((name, detail))) = self
            .page_events
            .try_update_value(|(queue, _)| (!queue.is_empty()).then(|| queue.remove(0)))
        {
            page_api::emit(name, &detail);
        }
        self.page_events.update_value(|(_, busy)| *busy = false);
    }

    /// Updates the signals once per animation frame however many events arrived: a burst
    /// of a thousand stream frames costs a few renders, not a thousand.
    fn schedule_render(self) {
        if self.render_scheduled.try_get_value() != Some(false) {
            return;
        }
        self.render_scheduled.set_value(true);
        request_animation_frame(move || {
            if self.render_scheduled.try_set_value(false).is_none() {
                self.render();
            }
        });
    }

    /// Mirrors the session into the signals the UI reads.
    fn render(self) {
        self.session.with_value(|s| {
            set_if_changed(self.connectivity, &s.connectivity(now()));
            set_if_changed(self.phase, &s.phase);
            set_if_changed(self.handoff, &s.handoff);
            set_if_changed(
                self.typing,
                &s.typing.as_ref().map(|(line, _)| line.clone()),
            );
            if self
                .entries
                .with_untracked(|e| e.as_slice() != s.transcript.entries())
            {
                self.entries.set(s.transcript.entries().to_vec());
            }
        });
    }

    /// Where the conversation is now (the `phase` signal follows at the next frame).
    pub fn phase_now(self) -> Option<Phase> {
        self.session.try_with_value(|s| s.phase.clone())
    }

    fn perform(self, effect: Effect) {
        match effect {
            Effect::CloseStream { channel } => self.close_stream(channel),
            Effect::OpenStream {
                channel,
                generation,
                url,
            } => {
                // Never two sockets for one conversation.
                self.close_stream(channel);
                let (handle, registration) = AbortHandle::new_pair();
                self.streams.update_value(|s| s.push((channel, handle)));
                spawn_local(async move {
                    let read = stream::run(
                        &url,
                        || {
                            self.dispatch(Event::StreamOpened {
                                channel,
                                generation,
                            })
                        },
                        |set| {
                            self.dispatch(Event::Streamed {
                                channel,
                                generation,
                                set,
                            })
                        },
                    );
                    if Abortable::new(read, registration).await.is_ok() {
                        self.dispatch(Event::StreamFailed {
                            channel,
                            generation,
                        });
                    }
                });
            }
            effect => spawn_local(async move {
                if let Some(event) = self.request(effect).await {
                    self.dispatch(event);
                }
            }),
        }
    }

    fn close_stream(self, channel: Channel) {
        self.streams.update_value(|streams| {
            streams.retain(|(c, handle)| {
                if *c == channel {
                    handle.abort();
                }
                *c != channel
            })
        });
    }

    /// Performs a request-like effect and returns the event reporting its outcome.
    async fn request(self, effect: Effect) -> Option<Event> {
        Some(match effect {
            Effect::DiscoverDirectLine { url } => match api::discover_directline(&url).await {
                Ok(url) => Event::DirectLineDiscovered { url },
                Err(error) => Event::ConnectFailed {
                    channel: Channel::Bot,
                    error,
                },
            },
            Effect::FetchToken { channel, source } => {
                let token = match source {
                    TokenSource::Url(url) => api::fetch_token(&url).await,
                    TokenSource::Secret { base, secret } => {
                        api::generate_token(&base, &secret).await
                    }
                };
                match token {
                    Ok(token) => Event::TokenReceived { channel, token },
                    Err(error) => Event::ConnectFailed { channel, error },
                }
            }
            Effect::StartConversation {
                channel,
                base,
                token,
            } => match api::start_conversation(&base, &token).await {
                Ok(conversation) => Event::ConversationStarted {
                    channel,
                    conversation,
                },
                Err(error) => Event::ConnectFailed { channel, error },
            },
            Effect::Poll {
                channel,
                generation,
                base,
                endpoint,
                watermark,
                after_ms,
                once,
            } => {
                sleep(after_ms).await;
                match api::get_activities(&base, &endpoint, watermark.as_deref()).await {
                    Ok(set) => Event::Polled {
                        channel,
                        generation,
                        set,
                        once,
                    },
                    Err(error) => Event::PollFailed {
                        channel,
                        generation,
                        error,
                        once,
                    },
                }
            }
            Effect::PostActivity {
                channel,
                base,
                endpoint,
                activity,
                after_ms,
            } => {
                sleep(after_ms).await;
                let client_id = activity.client_activity_id().unwrap_or_default().to_owned();
                match api::post_activity(&base, &endpoint, &activity).await {
                    Ok(_) => Event::Posted { channel, client_id },
                    Err(error) => Event::PostFailed {
                        channel,
                        client_id,
                        error,
                    },
                }
            }
            Effect::SendTyping {
                base,
                endpoint,
                activity,
                ..
            } => {
                // A lost typing indicator is harmless: no retry, no report.
                let _ = api::post_activity(&base, &endpoint, &activity).await;
                return None;
            }
            Effect::Reconnect {
                channel,
                generation,
                base,
                endpoint,
                watermark,
                after_ms,
            } => {
                self.close_stream(channel);
                sleep(after_ms).await;
                match api::reconnect(&base, &endpoint, watermark.as_deref()).await {
                    Ok(conversation) => Event::Reconnected {
                        channel,
                        generation,
                        conversation,
                    },
                    Err(error) => Event::ReconnectFailed {
                        channel,
                        generation,
                        error,
                    },
                }
            }
            Effect::RefreshToken {
                channel,
                generation,
                base,
                endpoint,
                after_ms,
            } => {
                sleep(after_ms).await;
                match api::refresh_token(&base, &endpoint).await {
                    Ok(token) => Event::TokenRefreshed {
                        channel,
                        generation,
                        token,
                    },
                    Err(error) => Event::RefreshFailed {
                        channel,
                        generation,
                        error,
                    },
                }
            }
            Effect::ScheduleTick { after_ms } => {
                sleep(after_ms).await;
                Event::Tick
            }
            Effect::OpenStream { .. } | Effect::CloseStream { .. } => return None,
        })
    }
}

fn set_if_changed<T: Clone + PartialEq + Send + Sync + 'static>(signal: RwSignal<T>, value: &T) {
    if signal.with_untracked(|current| current != value) {
        signal.set(value.clone());
    }
}

async fn sleep(ms: Millis) {
    if ms > 0 {
        TimeoutFuture::new(u32::try_from(ms).unwrap_or(u32::MAX)).await;
    }
}

fn now() -> Millis {
    js_sys::Date::now() as Millis
}

/// A random id with a prefix (not security-sensitive: it only keeps ids apart).
fn random_id(prefix: &str) -> String {
    let n = (js_sys::Math::random() * 2f64.powi(52)) as u64;
    format!("{prefix}{n:013x}")
}
