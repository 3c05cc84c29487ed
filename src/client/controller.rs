//! The controller: owns the core [`Session`], feeds it events, performs the effects it
//! returns, and mirrors the visible state into signals. The only place that starts I/O.

use gloo_timers::future::TimeoutFuture;
use handoff_core::config::WidgetConfig;
use handoff_core::session::{Effect, Event, Phase, Session};
use handoff_core::time::Millis;
use handoff_core::transcript::Entry;
use leptos::prelude::*;
use leptos::task::spawn_local;

use super::{api, stream};

/// Handle to one chat, shared with the components through context. Copy: it only holds
/// arena ids, so closures can capture it freely.
#[derive(Clone, Copy)]
pub struct Chat {
    session: StoredValue<Session>,
    config: StoredValue<WidgetConfig>,
    /// Where the conversation is (survey, connecting, chatting, failed).
    pub phase: RwSignal<Phase>,
    /// The visible transcript.
    pub entries: RwSignal<Vec<Entry>>,
}

impl Chat {
    /// A chat waiting for its survey.
    pub fn new(config: WidgetConfig) -> Self {
        let session = Session::new(random_id("dl_"), random_id("hc"), config.locale.clone());
        Self {
            phase: RwSignal::new(session.phase.clone()),
            entries: RwSignal::new(Vec::new()),
            session: StoredValue::new(session),
            config: StoredValue::new(config),
        }
    }

    /// Feeds an event to the session, updates the signals, and starts the resulting I/O.
    pub fn dispatch(self, event: Event) {
        let Some(effects) = self.session.try_update_value(|s| s.step(event, now())) else {
            return; // the widget was unmounted
        };
        self.session.with_value(|s| {
            if self.phase.get_untracked() != s.phase {
                self.phase.set(s.phase.clone());
            }
            if self
                .entries
                .with_untracked(|e| e.as_slice() != s.transcript.entries())
            {
                self.entries.set(s.transcript.entries().to_vec());
            }
        });
        for effect in effects {
            self.perform(effect);
        }
    }

    fn perform(self, effect: Effect) {
        let (base, token_url) = self
            .config
            .with_value(|c| (c.directline_url.clone(), c.token_url.clone()));
        spawn_local(async move {
            let event = match effect {
                Effect::FetchToken => match api::fetch_token(&token_url).await {
                    Ok(token) => Event::TokenReceived(token),
                    Err(e) => Event::ConnectFailed(e),
                },
                Effect::StartConversation { token } => {
                    match api::start_conversation(&base, &token).await {
                        Ok(conversation) => Event::ConversationStarted(conversation),
                        Err(e) => Event::ConnectFailed(e),
                    }
                }
                Effect::OpenStream { url } => {
                    stream::run(&url, |set| self.dispatch(Event::Streamed(set))).await;
                    Event::StreamFailed
                }
                Effect::Poll {
                    endpoint,
                    watermark,
                    after_ms,
                } => {
                    sleep(after_ms).await;
                    match api::get_activities(&base, &endpoint, watermark.as_deref()).await {
                        Ok(set) => Event::Polled(set),
                        Err(e) => Event::PollFailed(e),
                    }
                }
                Effect::PostActivity {
                    endpoint,
                    activity,
                    after_ms,
                } => {
                    sleep(after_ms).await;
                    let client_id = activity.client_activity_id().unwrap_or_default().to_owned();
                    match api::post_activity(&base, &endpoint, &activity).await {
                        Ok(response) => Event::Posted {
                            client_id,
                            id: response.id,
                        },
                        Err(error) => Event::PostFailed { client_id, error },
                    }
                }
            };
            self.dispatch(event);
        });
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
