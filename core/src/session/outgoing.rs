//! What the visitor sends: messages (queued in order, retried, resent by hand), typing,
//! the context events carrying the survey answers, and ending the chat. Every activity
//! gets its clientActivityID here.

use super::*;
use crate::handoff::USER_ROLE;

impl Session {
    pub(super) fn on_typed(&mut self, text: String, now: Millis, effects: &mut Vec<Effect>) {
        let text = text.trim().to_owned();
        if text.is_empty() {
            return;
        }
        let activity = self.outgoing("message", now, |a| {
            a.text = Some(text.clone());
            a.text_format = Some("plain".into());
        });
        self.send(activity, Some(text), now, effects);
    }

    /// A card or suggested action's post (RICH-CONTENT.md §3, §5): exactly the fields the
    /// rich module worked out, plus `from`, `locale` and the clientActivityID.
    pub(super) fn on_card_action(&mut self, json: &str, now: Millis, effects: &mut Vec<Effect>) {
        let Ok(Value::Object(post)) = serde_json::from_str::<Value>(json) else {
            return;
        };
        let text = |k: &str| post.get(k).and_then(Value::as_str).map(str::to_owned);
        let mut activity = self.outgoing("message", now, |a| {
            a.text = text("text");
            a.text_format = text("textFormat");
            a.value = post.get("value").cloned();
            a.reply_to_id = text("replyToId");
        });
        if let (Some(Value::Object(extra)), Some(Value::Object(data))) =
            (post.get("channelData"), activity.channel_data.as_mut())
        {
            for (k, v) in extra {
                data.entry(k.clone()).or_insert_with(|| v.clone());
            }
        }
        self.send(activity, text("display"), now, effects);
    }

    /// Queues a message on the current channel; `shown`: its transcript text (none for a
    /// hidden post). Suggested actions are spent once the visitor posts anything.
    fn send(
        &mut self,
        activity: Activity,
        shown: Option<String>,
        now: Millis,
        effects: &mut Vec<Effect>,
    ) {
        self.transcript.drop_suggestions();
        let channel = self.agent_channel();
        if let Some(text) = shown {
            let key = activity.client_activity_id().unwrap_or_default().to_owned();
            let delivery = if self.link_mut(channel).endpoint.is_some() {
                Delivery::Sending
            } else {
                Delivery::Queued
            };
            self.transcript
                .push_local(key, text, iso8601(now), delivery);
        }
        self.link_mut(channel).queue(activity);
        self.pump(channel, 0, effects);
    }

    pub(super) fn on_visitor_typing(&mut self, now: Millis, effects: &mut Vec<Effect>) {
        if !self.handoff.is_active()
            || self
                .last_typing_sent
                .is_some_and(|t| now < t + TYPING_THROTTLE_MS)
        {
            return;
        }
        let channel = self.agent_channel();
        let Some(endpoint) = self.link_mut(channel).endpoint.clone() else {
            return;
        };
        self.last_typing_sent = Some(now);
        let activity = self.outgoing("typing", now, |_| {});
        effects.push(Effect::SendTyping {
            channel,
            base: self.base(channel),
            endpoint,
            activity,
        });
    }

    pub(super) fn on_retry_message(&mut self, key: &str, now: Millis, effects: &mut Vec<Effect>) {
        let Some(text) = self
            .transcript
            .entries()
            .iter()
            .find(|e| e.key == key && e.delivery == Delivery::Failed)
            .map(|e| e.text.clone())
        else {
            return;
        };
        let activity = self.outgoing("message", now, |a| {
            a.text = Some(text);
            a.text_format = Some("plain".into());
        });
        // Keep the transcript key: the resent activity carries the same clientActivityID.
        let activity = with_client_id(activity, key);
        self.transcript.set_delivery(key, Delivery::Sending);
        let channel = self.agent_channel();
        self.link_mut(channel).queue(activity);
        self.pump(channel, 0, effects);
    }

    pub(super) fn on_end_chat(&mut self, now: Millis, effects: &mut Vec<Effect>) {
        let end = |s: &mut Self| {
            s.outgoing("endOfConversation", now, |a| {
                a.code = Some("userCancelled".into())
            })
        };
        if self.hub.endpoint.is_some() {
            let activity = end(self);
            self.hub.queue(activity);
            self.pump(Channel::Hub, 0, effects);
        }
        let activity = end(self);
        self.bot.queue(activity);
        self.pump(Channel::Bot, 0, effects);
        self.handoff = Handoff::None;
        self.typing = None;
        self.transcript.drop_suggestions();
        self.phase = Phase::Ended;
        self.notice(self.lang().t(Text::YouEndedChat), now);
        effects.push(Effect::CloseStream {
            channel: Channel::Bot,
        });
        effects.push(Effect::CloseStream {
            channel: Channel::Hub,
        });
    }

    /// Starts the next POST of a channel when possible.
    pub(super) fn pump(&mut self, channel: Channel, after_ms: Millis, effects: &mut Vec<Effect>) {
        if let Some((endpoint, activity)) = self.link_mut(channel).next_post() {
            if let Some(key) = activity.client_activity_id() {
                self.transcript.set_delivery(key, Delivery::Sending);
            }
            effects.push(Effect::PostActivity {
                channel,
                base: self.base(channel),
                endpoint,
                activity,
                after_ms,
            });
        }
    }

    /// The Copilot Studio-style `startConversation` event carrying the survey answers and
    /// the page's context.
    pub(super) fn start_event(&mut self, now: Millis) -> Activity {
        self.context_event("startConversation", now)
    }

    /// `pvaSetContext`: the same values, for Copilot Studio global variables that
    /// "external sources can set".
    pub(super) fn set_context_event(&mut self, now: Millis) -> Activity {
        self.context_event("pvaSetContext", now)
    }

    pub(super) fn context_event(&mut self, name: &str, now: Millis) -> Activity {
        let mut value = self
            .answers
            .as_ref()
            .map(SurveyAnswers::to_map)
            .unwrap_or_default();
        value.extend(self.context.clone());
        self.outgoing("event", now, |a| {
            a.name = Some(name.into());
            a.value = Some(Value::Object(value));
        })
    }

    /// A new outgoing activity from the visitor with a fresh clientActivityID.
    pub(super) fn outgoing(
        &mut self,
        kind: &str,
        now: Millis,
        fill: impl FnOnce(&mut Activity),
    ) -> Activity {
        self.next_seq += 1;
        let name = self
            .answers
            .as_ref()
            .map(|a| a.first_name.clone())
            .filter(|n| !n.is_empty());
        let mut activity = Activity {
            kind: kind.into(),
            from: Some(ChannelAccount {
                id: self.user_id.clone(),
                name,
                role: Some(USER_ROLE.into()),
            }),
            locale: Some(self.locale.clone()),
            local_timestamp: Some(iso8601(now)),
            ..Activity::default()
        };
        fill(&mut activity);
        with_client_id(
            activity,
            &format!("{}-{}", self.client_prefix, self.next_seq),
        )
    }
}

pub(super) fn with_client_id(mut activity: Activity, client_id: &str) -> Activity {
    activity.channel_data = Some(json!({ CLIENT_ACTIVITY_ID: client_id }));
    activity
}

#[cfg(test)]
mod tests;
