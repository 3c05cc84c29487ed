//! Where each conversation's requests go: the page's configured URLs (never stored: a
//! resumed chat takes them from the page again) and the policy that picks the base URL
//! and the token source of a channel.

use super::{Channel, Session};
use crate::config::{HubConfig, WidgetConfig};

/// The page's endpoints.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Urls {
    /// The bot's Direct Line base URL (when none is discovered).
    pub directline: String,
    /// Where a token for the bot's conversation comes from.
    pub token: String,
    /// Copilot Studio's settings URL naming the bot's regional Direct Line host.
    pub discovery: Option<String>,
    /// A Direct Line secret (local testing only): tokens are generated with it.
    pub secret: Option<String>,
    /// The live-agent hub, in bridge mode.
    pub hub: Option<HubConfig>,
}

impl Urls {
    pub fn of(config: &WidgetConfig) -> Self {
        Self {
            directline: config.directline_url.clone(),
            token: config.token_url.clone(),
            discovery: config.discovery_url.clone(),
            secret: config.secret.clone(),
            hub: config.hub.clone(),
        }
    }
}

/// How to get a token for a new conversation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TokenSource {
    /// `GET`/`POST` the site's token URL.
    Url(String),
    /// `POST {base}/tokens/generate` with the secret.
    Secret { base: String, secret: String },
}

impl Session {
    /// The Direct Line base URL of a channel: the hub's, or the bot's (the discovered
    /// regional host of a Copilot Studio bot, kept with the session, else the page's).
    pub(super) fn base(&self, channel: Channel) -> String {
        match (channel, &self.urls.hub) {
            (Channel::Hub, Some(hub)) => hub.url.clone(),
            _ => self
                .directline
                .clone()
                .unwrap_or_else(|| self.urls.directline.clone()),
        }
    }

    /// Where the channel's next token comes from.
    pub(super) fn token_source(&self, channel: Channel) -> TokenSource {
        match (channel, &self.urls.hub, &self.urls.secret) {
            (Channel::Hub, Some(hub), _) => TokenSource::Url(hub.token_url.clone()),
            (Channel::Bot, _, Some(secret)) => TokenSource::Secret {
                base: self.base(channel),
                secret: secret.clone(),
            },
            _ => TokenSource::Url(self.urls.token.clone()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::activity::TokenResponse;
    use crate::error::ChatError;
    use crate::handoff::HandoffMode;
    use crate::session::{Effect, Event, Phase};
    use crate::survey::SurveyAnswers;

    const NOW: u64 = 1_700_000_000_000;

    fn session(urls: Urls) -> Session {
        Session::new("dl_v".into(), "hc".into(), "en".into(), HandoffMode::Bridge).with_urls(urls)
    }

    fn copilot() -> Urls {
        Urls {
            directline: "https://directline.botframework.com/v3/directline".into(),
            token: "https://site.test/token".into(),
            discovery: Some("https://env.test/powervirtualagents/regionalchannelsettings".into()),
            ..Urls::default()
        }
    }

    fn token() -> Event {
        Event::TokenReceived {
            channel: Channel::Bot,
            token: TokenResponse {
                token: "t".into(),
                ..TokenResponse::default()
            },
        }
    }

    #[test]
    fn a_copilot_studio_bot_is_discovered_before_its_token_and_talked_to_on_its_region() {
        let mut s = session(copilot());
        let effects = s.step(Event::SurveySubmitted(SurveyAnswers::default()), NOW);
        assert_eq!(
            effects,
            vec![Effect::DiscoverDirectLine {
                url: "https://env.test/powervirtualagents/regionalchannelsettings".into()
            }]
        );
        let regional = "https://europe.directline.botframework.com/v3/directline";
        let effects = s.step(
            Event::DirectLineDiscovered {
                url: regional.into(),
            },
            NOW,
        );
        assert_eq!(
            effects,
            vec![Effect::FetchToken {
                channel: Channel::Bot,
                source: TokenSource::Url("https://site.test/token".into()),
            }]
        );
        assert!(matches!(
            &s.step(token(), NOW)[..],
            [Effect::StartConversation { base, .. }] if base == regional
        ));
        assert_eq!(s.directline.as_deref(), Some(regional), "kept for a resume");
    }

    #[test]
    fn a_failed_discovery_fails_the_connection_and_a_retry_discovers_again() {
        let mut s = session(copilot());
        s.step(Event::SurveySubmitted(SurveyAnswers::default()), NOW);
        s.step(
            Event::ConnectFailed {
                channel: Channel::Bot,
                error: ChatError::Network("offline".into()),
            },
            NOW,
        );
        assert!(matches!(s.phase, Phase::Failed(_)));
        assert!(matches!(
            &s.step(Event::RetryConnect, NOW)[..],
            [Effect::DiscoverDirectLine { .. }]
        ));
        let discovered = |url: &str| Event::DirectLineDiscovered { url: url.into() };
        assert!(s.step(discovered("https://x.test/v3"), NOW).len() == 1);
        assert!(
            s.step(discovered("https://y.test/v3"), NOW).len() == 1,
            "a late answer while connecting still only asks for a token"
        );
    }

    #[test]
    fn a_regional_host_that_is_not_https_fails_the_discovery_and_a_retry_asks_again() {
        for bad in [
            "http://europe.directline.botframework.com/v3/directline",
            "//evil.test/v3/directline",
            "/v3/directline",
            "https://europe.directline.botframework.com@evil.test/v3",
            "javascript:alert(1)",
        ] {
            let mut s = session(copilot());
            s.step(Event::SurveySubmitted(SurveyAnswers::default()), NOW);
            let effects = s.step(Event::DirectLineDiscovered { url: bad.into() }, NOW);
            assert_eq!(effects, vec![], "{bad}: no token is asked for");
            assert!(matches!(s.phase, Phase::Failed(_)), "{bad}");
            assert_eq!(s.directline, None, "{bad}: not kept for a resume");
            assert!(matches!(
                &s.step(Event::RetryConnect, NOW)[..],
                [Effect::DiscoverDirectLine { .. }]
            ));
        }
        let mut local = session(copilot());
        local.step(Event::SurveySubmitted(SurveyAnswers::default()), NOW);
        let dev = "http://127.0.0.1:8080/v3/directline";
        local.step(Event::DirectLineDiscovered { url: dev.into() }, NOW);
        assert_eq!(local.directline.as_deref(), Some(dev), "a local dev server");
    }

    #[test]
    fn a_secret_generates_tokens_for_the_bot_only_and_the_hub_has_its_own_urls() {
        let hub = HubConfig {
            url: "https://hub.test/v3/directline".into(),
            token_url: "https://hub.test/token".into(),
        };
        let s = session(Urls {
            directline: "https://dl.test/v3/directline".into(),
            secret: Some("s3cret".into()),
            hub: Some(hub),
            ..Urls::default()
        });
        assert_eq!(
            s.token_source(Channel::Bot),
            TokenSource::Secret {
                base: "https://dl.test/v3/directline".into(),
                secret: "s3cret".into()
            }
        );
        assert_eq!(
            s.token_source(Channel::Hub),
            TokenSource::Url("https://hub.test/token".into())
        );
        assert_eq!(s.base(Channel::Hub), "https://hub.test/v3/directline");
        let relay = session(Urls {
            directline: "https://dl.test/v3/directline".into(),
            ..Urls::default()
        });
        assert_eq!(
            relay.base(Channel::Hub),
            "https://dl.test/v3/directline",
            "without a hub, the bot's conversation carries the agent"
        );
    }
}
