//! The controller: owns the core [`Session`], feeds it events, performs the effects it
//! returns, and mirrors the visible state into signals. The only place that starts I/O.

use futures::future::{AbortHandle, Abortable};
use gloo_timers::future::TimeoutFuture;
use handoff_core::activity::TokenResponse;
use handoff_core::config::WidgetConfig;
use handoff_core::error::ChatError;
use handoff_core::handoff::Handoff;
use handoff_core::page_events::{self, PageEvent, Seen};
use handoff_core::session::{Channel, Connectivity, Effect, Event, Phase, Session};
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
    config: StoredValue<WidgetConfig>,
    /// Open streams, so a finished conversation's socket can be closed.
    streams: StoredValue<Vec<(Channel, AbortHandle)>>,
    /// Whether a signal update is already scheduled for the next animation frame.
    sync_scheduled: StoredValue<bool>,
    /// Browser storage keeping the session across page loads.
    store: StoredValue<Store, LocalStorage>,
    /// Where the conversation is (survey, connecting, chatting, failed, ended).
    pub phase: RwSignal<Phase>,
    /// Bot, waiting for an agent, or with an agent.
    pub handoff: RwSignal<Handoff>,
    /// Name of the agent currently typing.
    pub agent_typing: RwSignal<Option<String>>,
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
        let session = restored.unwrap_or_else(|| {
            Session::new(
                random_id("dl_"),
                random_id("hc"),
                config.locale.clone(),
                config.handoff,
            )
        });
        let chat = Self {
            phase: RwSignal::new(session.phase.clone()),
            handoff: RwSignal::new(session.handoff.clone()),
            agent_typing: RwSignal::new(None),
            connectivity: RwSignal::new(Connectivity::Online),
            entries: RwSignal::new(session.transcript.entries().to_vec()),
            session: StoredValue::new(session),
            streams: StoredValue::new(Vec::new()),
            sync_scheduled: StoredValue::new(false),
            store: StoredValue::new_local(store),
            config: StoredValue::new(config),
        };
        if resuming {
            chat.dispatch(Event::Resume {
                client_prefix: random_id("hc"),
            });
        }
        chat
    }

    /// Feeds an event to the session, updates the signals, and starts the resulting I/O.
    pub fn dispatch(self, event: Event) {
        let Some(effects) = self.session.try_update_value(|s| s.step(event, now())) else {
            return; // the widget was unmounted
        };
        self.schedule_sync();
        for effect in effects {
            self.perform(effect);
        }
    }

    /// Starts over after the visitor ended the chat: a fresh conversation, survey first,
    /// prefilled with the previous answers.
    pub fn restart(self) {
        self.session.update_value(|s| {
            let answers = s.answers.take();
            let context = std::mem::take(&mut s.context);
            *s = Session::new(random_id("dl_"), random_id("hc"), s.locale.clone(), s.mode);
            s.answers = answers;
            s.context = context;
        });
        self.sync();
    }

    /// The survey answers given last (to prefill the survey).
    pub fn answers(self) -> Option<SurveyAnswers> {
        self.session.with_value(|s| s.answers.clone())
    }

    /// Updates the signals once per animation frame however many events arrived: a burst
    /// of a thousand stream frames costs a few renders, not a thousand.
    fn schedule_sync(self) {
        if self.sync_scheduled.try_get_value() != Some(false) {
            return;
        }
        self.sync_scheduled.set_value(true);
        request_animation_frame(move || {
            if self.sync_scheduled.try_set_value(false).is_none() {
                self.sync();
            }
        });
    }

    /// Mirrors the session into the signals the UI reads.
    fn sync(self) {
        let events = self.session.with_value(|s| {
            self.store.with_value(|store| store.save(s));
            let events = self.changes(s);
            set_if_changed(self.connectivity, &s.connectivity(now()));
            set_if_changed(self.phase, &s.phase);
            set_if_changed(self.handoff, &s.handoff);
            set_if_changed(
                self.agent_typing,
                &s.agent_typing.as_ref().map(|(name, _)| name.clone()),
            );
            if self
                .entries
                .with_untracked(|e| e.as_slice() != s.transcript.entries())
            {
                self.entries.set(s.transcript.entries().to_vec());
            }
            events
        });
        // After the session is released: a listener may call the API (endChat, ...).
        for (name, detail) in events {
            page_api::emit(name, &detail);
        }
    }

    /// What the page hears about since the signals were last set.
    fn changes(self, s: &Session) -> Vec<PageEvent> {
        self.phase.with_untracked(|phase| {
            self.handoff.with_untracked(|handoff| {
                self.entries.with_untracked(|entries| {
                    let before = Seen {
                        phase,
                        handoff,
                        entries,
                    };
                    let after = Seen {
                        phase: &s.phase,
                        handoff: &s.handoff,
                        entries: s.transcript.entries(),
                    };
                    page_events::changes(&before, &after, s.lang())
                })
            })
        })
    }

    /// (Direct Line base URL, token URL) of a channel. A Copilot Studio bot's base URL is
    /// the one discovered when its conversation started (kept with the session).
    fn urls(self, channel: Channel) -> (String, String) {
        let discovered = self.session.with_value(|s| s.directline.clone());
        self.config.with_value(|c| match (channel, &c.hub) {
            (Channel::Hub, Some(hub)) => (hub.url.clone(), hub.token_url.clone()),
            _ => (
                discovered.unwrap_or_else(|| c.directline_url.clone()),
                c.token_url.clone(),
            ),
        })
    }

    /// A token for a new conversation: from the token URL, or (local testing) the secret.
    /// A Copilot Studio bot's regional Direct Line URL is discovered first.
    async fn token(self, channel: Channel) -> Result<TokenResponse, ChatError> {
        let (discovery, secret) = self.config.with_value(|c| match channel {
            Channel::Bot => (c.discovery_url.clone(), c.secret.clone()),
            Channel::Hub => (None, None),
        });
        if let Some(settings_url) = discovery {
            let found = api::discover_directline(&settings_url).await?;
            self.session.update_value(|s| s.directline = Some(found));
        }
        let (base, token_url) = self.urls(channel);
        match secret {
            Some(secret) => api::generate_token(&base, &secret).await,
            None => api::fetch_token(&token_url).await,
        }
    }

    /// Merges values for the bot (`HandoffChat.setContext`).
    pub fn set_context(self, values: serde_json::Map<String, serde_json::Value>) {
        self.dispatch(Event::ContextSet(values));
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
            Effect::FetchToken { channel } => match self.token(channel).await {
                Ok(token) => Event::TokenReceived { channel, token },
                Err(error) => Event::ConnectFailed { channel, error },
            },
            Effect::StartConversation { channel, token } => {
                match api::start_conversation(&self.urls(channel).0, &token).await {
                    Ok(conversation) => Event::ConversationStarted {
                        channel,
                        conversation,
                    },
                    Err(error) => Event::ConnectFailed { channel, error },
                }
            }
            Effect::Poll {
                channel,
                generation,
                endpoint,
                watermark,
                after_ms,
                once,
            } => {
                sleep(after_ms).await;
                match api::get_activities(&self.urls(channel).0, &endpoint, watermark.as_deref())
                    .await
                {
                    Ok(set) if once => Event::Streamed {
                        channel,
                        generation,
                        set,
                    },
                    Ok(set) => Event::Polled {
                        channel,
                        generation,
                        set,
                    },
                    Err(_) if once => return None,
                    Err(error) => Event::PollFailed {
                        channel,
                        generation,
                        error,
                    },
                }
            }
            Effect::PostActivity {
                channel,
                endpoint,
                activity,
                after_ms,
            } => {
                sleep(after_ms).await;
                let client_id = activity.client_activity_id().unwrap_or_default().to_owned();
                match api::post_activity(&self.urls(channel).0, &endpoint, &activity).await {
                    Ok(_) => Event::Posted { channel, client_id },
                    Err(error) => Event::PostFailed {
                        channel,
                        client_id,
                        error,
                    },
                }
            }
            Effect::SendTyping {
                channel,
                endpoint,
                activity,
            } => {
                // A lost typing indicator is harmless: no retry, no report.
                let _ = api::post_activity(&self.urls(channel).0, &endpoint, &activity).await;
                return None;
            }
            Effect::Reconnect {
                channel,
                generation,
                endpoint,
                watermark,
                after_ms,
            } => {
                self.close_stream(channel);
                sleep(after_ms).await;
                match api::reconnect(&self.urls(channel).0, &endpoint, watermark.as_deref()).await {
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
                endpoint,
                after_ms,
            } => {
                sleep(after_ms).await;
                match api::refresh_token(&self.urls(channel).0, &endpoint).await {
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
