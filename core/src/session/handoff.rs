//! The handoff to a live agent as the session sees it: the bot's `handoff.initiate`, the
//! queue, the agent joining, typing and leaving, and the way back to the bot. In bridge
//! mode the initiate is forwarded to the hub with the survey and the transcript.

use super::*;
use crate::handoff::{
    is_transcript, transcript_attachment, BOT_ROLE, COMPLETED, FAILED, INITIATE_EVENT,
    STATUS_EVENT, USER_ROLE,
};

impl Session {
    pub(super) fn on_signal(
        &mut self,
        channel: Channel,
        signal: Signal,
        activity: &Activity,
        now: Millis,
        effects: &mut Vec<Effect>,
    ) {
        let from_agent_side = self.handoff.is_active() && channel == self.agent_channel();
        match signal {
            Signal::Initiate if channel == Channel::Bot && !self.handoff.is_active() => {
                self.start_handoff(activity, now, effects);
            }
            Signal::Queue {
                position,
                wait_secs,
            } if from_agent_side => {
                if let Handoff::Waiting { .. } = self.handoff {
                    self.handoff = Handoff::Waiting {
                        position,
                        wait_secs,
                    };
                }
            }
            Signal::Accepted(mut agent) if from_agent_side => {
                if agent.name.is_empty() {
                    agent.name = self.lang().t(Text::AnAgent).to_owned();
                }
                let text = fill(self.lang().t(Text::AgentJoined), &[&agent.name]);
                self.notice(&text, now);
                self.handoff = Handoff::Engaged { agent };
            }
            Signal::Completed(agent) if from_agent_side => {
                let name = agent
                    .map(|a| a.name)
                    .or_else(|| self.agent().map(|a| a.name.clone()));
                let lang = self.lang();
                let name = name.as_deref().unwrap_or(lang.t(Text::TheAgent));
                self.notice(&fill(lang.t(Text::AgentLeft), &[name]), now);
                self.end_handoff(None, now, effects);
            }
            Signal::Failed(message) if from_agent_side => {
                let message = message.unwrap_or_else(|| self.lang().t(Text::NoAgent).to_owned());
                self.end_handoff(Some(message), now, effects)
            }
            Signal::AgentTyping(agent) if from_agent_side => {
                let line = fill(self.lang().t(Text::IsTyping), &[&agent.name]);
                self.show_typing(line, AGENT_TYPING_MS, now, effects);
            }
            _ => {}
        }
    }

    pub(super) fn start_handoff(
        &mut self,
        initiate: &Activity,
        now: Millis,
        effects: &mut Vec<Effect>,
    ) {
        self.handoff = Handoff::Waiting {
            position: None,
            wait_secs: None,
        };
        self.notice(self.lang().t(Text::ConnectingToAgent), now);
        if self.mode == HandoffMode::Bridge {
            let forwarded = self.bridged_initiate(initiate, now);
            self.hub.queue_first(forwarded);
            self.fetch_token(Channel::Hub, effects);
        }
    }

    /// Back to the bot: `failure` is the reason when no agent took (or could take) the chat.
    pub(super) fn end_handoff(
        &mut self,
        failure: Option<String>,
        now: Millis,
        effects: &mut Vec<Effect>,
    ) {
        if let Some(message) = &failure {
            self.notice(message, now);
        }
        self.handoff = Handoff::None;
        self.typing = None;
        if self.hub.endpoint.is_some() || self.hub.pending() > 0 {
            effects.push(Effect::CloseStream {
                channel: Channel::Hub,
            });
        }
        // What the hub did not get goes to the bot instead: nothing typed is lost.
        for activity in self.hub.reset() {
            if activity.kind == "message" {
                self.bot.queue(activity);
            }
        }
        let value = match failure {
            Some(message) => json!({"state": FAILED, "message": message}),
            None => json!({"state": COMPLETED}),
        };
        let status = self.outgoing("event", now, |a| {
            a.name = Some(STATUS_EVENT.into());
            a.value = Some(value);
        });
        self.bot.queue(status);
        self.pump(Channel::Bot, 0, effects);
    }

    /// The bot's `handoff.initiate`, enriched for the hub: survey answers, the bot
    /// conversation id, and a transcript (the bot's, or the widget's own when it sent none).
    pub(super) fn bridged_initiate(&mut self, initiate: &Activity, now: Millis) -> Activity {
        let mut value = match initiate.value.clone() {
            Some(Value::Object(map)) => map,
            _ => serde_json::Map::new(),
        };
        let survey = self.answers.as_ref().map(SurveyAnswers::to_map);
        value.insert("survey".into(), survey.map_or(Value::Null, Value::Object));
        let conversation_id = self
            .bot
            .endpoint
            .as_ref()
            .map(|e| e.conversation_id.clone());
        value.insert("botConversationId".into(), json!(conversation_id));
        let mut attachments = initiate.attachments.clone();
        if !attachments.iter().any(is_transcript) {
            attachments.push(self.transcript_attachment());
        }
        self.outgoing("event", now, |a| {
            a.name = Some(INITIATE_EVENT.into());
            a.value = Some(Value::Object(value));
            a.attachments = attachments;
        })
    }

    /// The widget's own transcript, for a hub whose bot sent none.
    pub(super) fn transcript_attachment(&self) -> Attachment {
        let activities: Vec<Value> = self
            .transcript
            .entries()
            .iter()
            .filter(|e| e.author != Author::System)
            .map(|e| {
                let role = if e.author == Author::Visitor {
                    USER_ROLE
                } else {
                    BOT_ROLE
                };
                json!({"type": "message", "text": e.text, "timestamp": e.timestamp,
                       "from": {"name": e.sender, "role": role}})
            })
            .collect();
        transcript_attachment(activities)
    }
}

/// The status line for the waiting state.
pub fn waiting_text(handoff: &Handoff, lang: Lang) -> Option<String> {
    match handoff {
        Handoff::Waiting {
            position,
            wait_secs,
        } => Some(queue_text(*position, *wait_secs, lang)),
        _ => None,
    }
}

#[cfg(test)]
mod bridge_tests;
#[cfg(test)]
mod relay_tests;
