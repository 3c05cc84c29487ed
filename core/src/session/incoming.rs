//! What arrives: applying a stream frame or a poll's activities (new ones only, signals
//! apart from messages) and scheduling the reads of a polled conversation.

use super::*;

impl Session {
    /// Applies the activities of a stream or poll; returns how many were new.
    pub(super) fn receive(
        &mut self,
        channel: Channel,
        set: ActivitySet,
        now: Millis,
        effects: &mut Vec<Effect>,
    ) -> usize {
        let user_id = self.user_id.clone();
        let fresh = self.link_mut(channel).fresh(set, &user_id);
        let count = fresh.len();
        let lang = self.lang();
        for activity in fresh {
            // The echo of our own activity says what the service calls the visitor.
            let ours = activity
                .client_activity_id()
                .is_some_and(|c| c.starts_with(&self.client_prefix));
            if ours && activity.from_id() != user_id {
                self.transcript.alias = Some(activity.from_id().to_owned());
            }
            if let Some(piece) = self.transcript.stream(&activity, &user_id, lang) {
                match piece {
                    Piece::Informative(line) => {
                        self.show_typing(line, INFORMATIVE_MS, now, effects)
                    }
                    Piece::Changed => self.typing = None,
                    Piece::Ignored => {}
                }
            } else if let Some(signal) = signal(&activity) {
                self.on_signal(channel, signal, &activity, now, effects);
            } else if activity.kind == "typing" && !sent_by_visitor(&activity, &user_id) {
                let name = activity.from.as_ref().and_then(|f| f.name.as_deref());
                let line = fill(lang.t(Text::IsTyping), &[name.unwrap_or("Bot")]);
                self.show_typing(line, AGENT_TYPING_MS, now, effects);
            } else if self.transcript.upsert(&activity, &user_id, lang)
                && self
                    .transcript
                    .entries()
                    .last()
                    .is_some_and(|e| e.author != Author::Visitor)
            {
                self.typing = None;
            }
        }
        count
    }

    /// Shows a typing or status line for `ms` (a tick takes it down).
    pub(super) fn show_typing(
        &mut self,
        line: String,
        ms: Millis,
        now: Millis,
        effects: &mut Vec<Effect>,
    ) {
        self.typing = Some((line, now + ms));
        self.schedule_tick(ms, effects);
    }

    /// The next regular poll, when the channel is polling and no read is out (that one's
    /// answer goes on polling).
    pub(super) fn poll(
        &mut self,
        channel: Channel,
        after_ms: Millis,
        now: Millis,
        effects: &mut Vec<Effect>,
    ) {
        let link = self.link_mut(channel);
        if link.transport == Transport::Polling && link.reads == 0 {
            self.read(channel, after_ms, false, now, effects);
        }
    }

    /// When polling, reads once shortly after a send so the reply shows without waiting for
    /// the next regular poll.
    pub(super) fn poll_soon(&mut self, channel: Channel, now: Millis, effects: &mut Vec<Effect>) {
        if self.link_mut(channel).transport == Transport::Polling {
            self.read(channel, POLL_AFTER_SEND_MS, true, now, effects);
        }
    }

    /// `GET activities?watermark=` on the channel's open conversation, whatever its
    /// transport. A regular read (not `once`) is counted until it answers.
    pub(super) fn read(
        &mut self,
        channel: Channel,
        after_ms: Millis,
        once: bool,
        now: Millis,
        effects: &mut Vec<Effect>,
    ) {
        let base = self.base(channel);
        let link = self.link_mut(channel);
        if let Some(endpoint) = link.endpoint.clone() {
            if !once {
                link.reads += 1;
                link.read_at = now.saturating_add(after_ms);
            }
            effects.push(Effect::Poll {
                channel,
                generation: link.generation,
                base,
                endpoint,
                watermark: link.watermark.clone(),
                after_ms,
                once,
            });
        }
    }
}

#[cfg(test)]
mod tests;

#[cfg(test)]
mod rich_tests;
