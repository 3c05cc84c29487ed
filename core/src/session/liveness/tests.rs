//! The watchdog and the stalls it ends, each replayed as the sequence of events that used to
//! leave a chat waiting forever. The whole-system check (a fake server, faults, every
//! transport state) is `core/tests/liveness.rs`.

use super::super::recovery::SLOW_MS;
use super::super::tests::{
    chatting, connected_with, conversation, posts, reconnects, set, texts, token, NOW,
};
use super::*;
use serde_json::json;

const BOT: Channel = Channel::Bot;

fn bot_message(id: &str, text: &str) -> Value {
    json!({"type": "message", "id": id, "text": text, "from": {"id": "bot", "role": "bot"}})
}

/// The regular reads asked for: (channel, watermark, delay).
fn reads(effects: &[Effect]) -> Vec<(Channel, Option<String>, Millis)> {
    effects
        .iter()
        .filter_map(|e| match e {
            Effect::Poll {
                channel,
                watermark,
                after_ms,
                once: false,
                ..
            } => Some((*channel, watermark.clone(), *after_ms)),
            _ => None,
        })
        .collect()
}

/// Fires a watchdog tick every [`WATCHDOG_MS`] from `from` to `to`; all their effects.
fn watch(s: &mut Session, from: Millis, to: Millis) -> Vec<Effect> {
    (from..=to)
        .step_by(WATCHDOG_MS as usize)
        .flat_map(|t| s.step(Event::Tick, t))
        .collect()
}

fn opened(s: &mut Session, channel: Channel, now: Millis) {
    s.step(
        Event::StreamOpened {
            channel,
            generation: 0,
        },
        now,
    );
}

fn streamed(s: &mut Session, activities: Vec<Value>, watermark: &str, now: Millis) -> Vec<Effect> {
    let set = set(activities, watermark);
    s.step(
        Event::Streamed {
            channel: BOT,
            generation: 0,
            set,
        },
        now,
    )
}

fn polled(s: &mut Session, activities: Vec<Value>, watermark: &str, now: Millis) -> Vec<Effect> {
    let set = set(activities, watermark);
    s.step(
        Event::Polled {
            channel: BOT,
            generation: 0,
            set,
            once: false,
        },
        now,
    )
}

fn poll_failed(s: &mut Session, error: ChatError, now: Millis) -> Vec<Effect> {
    s.step(
        Event::PollFailed {
            channel: BOT,
            generation: 0,
            error,
            once: false,
        },
        now,
    )
}

fn http(status: u16) -> ChatError {
    ChatError::Http {
        status,
        message: String::new(),
    }
}

/// Fires every tick the session asks for, in time order, until `until`; how many fired.
fn run_timers(s: &mut Session, mut due: Vec<Millis>, until: Millis) -> usize {
    let mut fired = 0;
    while let Some(i) = (0..due.len()).min_by_key(|&i| due[i]) {
        let at = due.swap_remove(i);
        if at > until {
            break;
        }
        fired += 1;
        for effect in s.step(Event::Tick, at) {
            if let Effect::ScheduleTick { after_ms } = effect {
                due.push(at + after_ms);
            }
        }
    }
    fired
}

#[test]
fn the_bounds_are_65_s_to_receive_and_45_s_to_say_so() {
    assert_eq!(STALE_MS, 45_000);
    assert_eq!(RECEIVE_BOUND_MS, 65_000);
}

#[test]
fn one_watchdog_rhythm_runs_while_chatting_and_stops_after() {
    let (mut s, effects) = connected_with(HandoffMode::Relay, true);
    assert!(effects.contains(&Effect::ScheduleTick {
        after_ms: WATCHDOG_MS
    }));
    opened(&mut s, BOT, NOW);
    // A stream failure asks for a tick of its own (the slow banner): no second rhythm.
    let failed = s.step(
        Event::StreamFailed {
            channel: BOT,
            generation: 0,
        },
        NOW,
    );
    assert!(failed.contains(&Effect::ScheduleTick { after_ms: SLOW_MS }));
    let fired = run_timers(&mut s, vec![NOW + WATCHDOG_MS, NOW + SLOW_MS], NOW + 60_000);
    assert_eq!(fired, 12 + 1, "one tick every 5 s, plus the slow banner's");
    s.step(Event::EndChat, NOW + 60_000);
    let due = vec![NOW + 60_000 + WATCHDOG_MS];
    assert_eq!(
        run_timers(&mut s, due, NOW + 600_000),
        1,
        "no rhythm once ended"
    );
}

#[test]
fn replay_a_stream_that_stays_open_but_delivers_nothing() {
    // Ten agent messages accepted while the socket stays open and silent: no frame, no
    // keep-alive, no close (a zombie). Nothing used to notice: no effect, ever.
    let mut s = chatting(HandoffMode::Relay);
    opened(&mut s, BOT, NOW);
    streamed(&mut s, vec![], "3", NOW);
    let effects = watch(&mut s, NOW + WATCHDOG_MS, NOW + SILENT_MS - 1);
    assert_eq!(reads(&effects), [], "a stream silent for less is trusted");
    let effects = watch(&mut s, NOW + SILENT_MS, NOW + SILENT_MS + WATCHDOG_MS);
    assert_eq!(reads(&effects), [(BOT, Some("3".into()), 0)], "checked");
    let agent = (60..70)
        .map(|i| bot_message(&format!("conv1|{i}"), &format!("agent {i}")))
        .collect();
    let t = NOW + SILENT_MS + WATCHDOG_MS;
    let effects = polled(&mut s, agent, "13", t);
    assert_eq!(texts(&s).len(), 10, "the read brings them");
    assert_eq!(reconnects(&effects).len(), 1, "the zombie is replaced");
    assert_eq!(s.connectivity(t), Connectivity::Reconnecting, "and says so");
    assert_eq!(reads(&effects), [], "no polling rhythm on a stream");
}

#[test]
fn a_quiet_healthy_stream_is_read_now_and_then_and_kept() {
    let mut s = chatting(HandoffMode::Relay);
    opened(&mut s, BOT, NOW);
    let effects = watch(&mut s, NOW, NOW + SILENT_MS);
    assert_eq!(reads(&effects).len(), 1);
    let effects = polled(&mut s, vec![], "2", NOW + SILENT_MS + 300);
    assert_eq!(effects, []);
    assert_eq!(s.connectivity(NOW + STALE_MS), Connectivity::Online);
    let effects = watch(&mut s, NOW + SILENT_MS + WATCHDOG_MS, NOW + 2 * SILENT_MS);
    assert_eq!(reads(&effects), [], "next read after another silence");
    let effects = watch(
        &mut s,
        NOW + 2 * SILENT_MS + WATCHDOG_MS,
        NOW + 3 * SILENT_MS,
    );
    assert_eq!(reads(&effects).len(), 1);
}

#[test]
fn keep_alives_count_as_signs_of_life() {
    let mut s = chatting(HandoffMode::Relay);
    opened(&mut s, BOT, NOW);
    for k in 1..=8 {
        let t = NOW + k * 15_000;
        streamed(&mut s, vec![], "2", t);
        assert_eq!(reads(&watch(&mut s, t, t + 10_000)), []);
    }
    assert_eq!(s.connectivity(NOW + 130_000), Connectivity::Online);
}

#[test]
fn a_frame_after_the_check_proves_the_stream_alive() {
    let mut s = chatting(HandoffMode::Relay);
    opened(&mut s, BOT, NOW);
    assert_eq!(reads(&watch(&mut s, NOW, NOW + SILENT_MS)).len(), 1);
    let a = bot_message("conv1|4", "a");
    streamed(&mut s, vec![a.clone()], "4", NOW + SILENT_MS + 10);
    let effects = polled(
        &mut s,
        vec![a, bot_message("conv1|5", "b")],
        "5",
        NOW + SILENT_MS + 20,
    );
    assert_eq!(texts(&s), ["a", "b"]);
    assert_eq!(
        reconnects(&effects),
        [],
        "the stream spoke since: not a zombie"
    );
}

#[test]
fn reads_form_one_rhythm_however_many_were_started() {
    // A socket that never opens: polling, and the socket tried again later. Its retry
    // failing again used to start a second polling rhythm, and a token refresh a third.
    let mut s = chatting(HandoffMode::Relay);
    let fallback = s.step(
        Event::StreamFailed {
            channel: BOT,
            generation: 0,
        },
        NOW,
    );
    assert_eq!(reads(&fallback).len(), 1);
    let effects = s.step(
        Event::ReconnectFailed {
            channel: BOT,
            generation: 0,
            error: http(502),
        },
        NOW + 100,
    );
    assert_eq!(reads(&effects), [], "a read is out: its answer goes on");
    let refreshed = Event::TokenRefreshed {
        channel: BOT,
        generation: 0,
        token: token("t2"),
    };
    assert_eq!(reads(&s.step(refreshed, NOW + 150)), []);
    let effects = polled(&mut s, vec![], "1", NOW + 200);
    assert_eq!(reads(&effects), [(BOT, Some("1".into()), POLL_INTERVAL_MS)]);
    assert_eq!(s.bot.reads, 1);
}

#[test]
fn replay_a_reload_during_a_502_burst_held_every_message_forever() {
    let mut s = chatting(HandoffMode::Relay);
    streamed(&mut s, vec![], "3", NOW);
    s.step(Event::MessageTyped("typed before the reload".into()), NOW);
    let mut s =
        Session::from_stored(&s.to_stored(), "en-US".into(), HandoffMode::Relay).expect("stored");
    let client_prefix = "hc2".into();
    let effects = s.step(Event::Resume { client_prefix }, NOW);
    assert_eq!(reads(&effects).len(), 1);
    // The reload's read meets a 502; the reconnect gets through and the stream opens.
    let effects = poll_failed(&mut s, http(502), NOW + 100);
    let retry = reads(&effects);
    assert_eq!(
        retry.len(),
        1,
        "the read is retried (it used to be dropped)"
    );
    let conv = conversation("conv1", true);
    let reconnected = Event::Reconnected {
        channel: BOT,
        generation: 0,
        conversation: conv,
    };
    s.step(reconnected, NOW + 200);
    opened(&mut s, BOT, NOW + 300);
    assert_eq!(posts(&streamed(&mut s, vec![], "3", NOW + 400)), []);
    let effects = polled(&mut s, vec![], "3", NOW + 100 + retry[0].2);
    assert_eq!(posts(&effects).len(), 1, "what was held goes out once read");
}

#[test]
fn replay_retry_on_an_open_stream_then_an_expired_token_left_it_closed() {
    let mut s = chatting(HandoffMode::Relay);
    opened(&mut s, BOT, NOW);
    // The visitor presses Retry: the browser closes the stream for the reconnect …
    assert_eq!(
        reconnects(&s.step(Event::RetryConnection, NOW + 1)).len(),
        1
    );
    let failed = Event::ReconnectFailed {
        channel: BOT,
        generation: 0,
        error: http(403),
    };
    assert!(matches!(
        &s.step(failed, NOW + 2)[..],
        [Effect::RefreshToken { .. }]
    ));
    let refreshed = Event::TokenRefreshed {
        channel: BOT,
        generation: 0,
        token: token("t2"),
    };
    let effects = s.step(refreshed, NOW + 3);
    // … and with the new token nothing reopened it: it still counted as healthy.
    assert_eq!(reconnects(&effects).len(), 1, "{effects:?}");
}

#[test]
fn a_read_that_never_answers_is_forgotten() {
    let (mut s, effects) = connected_with(HandoffMode::Relay, false);
    assert_eq!(reads(&effects).len(), 1);
    let effects = watch(&mut s, NOW, NOW + READ_LOST_MS - 1);
    assert_eq!(reads(&effects), []);
    let effects = watch(&mut s, NOW + READ_LOST_MS, NOW + READ_LOST_MS + WATCHDOG_MS);
    assert_eq!(reads(&effects).len(), 1, "asked again");
    let effects = polled(&mut s, vec![], "1", NOW + READ_LOST_MS + 1);
    assert_eq!(reads(&effects).len(), 1, "and polling goes on");
}

#[test]
fn a_day_long_retry_after_waits_five_minutes() {
    let (mut s, _) = connected_with(HandoffMode::Relay, false);
    let asked = ChatError::Throttled {
        retry_after_ms: Some(86_400_000),
    };
    let effects = poll_failed(&mut s, asked, NOW);
    assert_eq!(reads(&effects), [(BOT, None, 300_000)]);
}

#[test]
fn a_stale_failed_read_does_not_leave_a_working_stream_reconnecting() {
    let mut s = chatting(HandoffMode::Relay);
    opened(&mut s, BOT, NOW);
    for k in 1..=3 {
        poll_failed(&mut s, http(502), NOW + k);
    }
    assert_eq!(s.connectivity(NOW + 3), Connectivity::Lost);
    streamed(&mut s, vec![], "1", NOW + 15_000);
    assert_eq!(s.connectivity(NOW + 15_000), Connectivity::Online);
}

#[test]
fn a_link_unheard_for_long_says_so_whatever_its_state() {
    // Polling; the token is refused and its refresh keeps failing: nothing is read, and the
    // banner used to stay "online".
    let (mut s, _) = connected_with(HandoffMode::Relay, false);
    let effects = poll_failed(&mut s, http(403), NOW);
    assert!(matches!(&effects[..], [Effect::RefreshToken { .. }]));
    let mut t = NOW;
    while t < NOW + STALE_MS {
        t += 5_000;
        let failed = Event::RefreshFailed {
            channel: BOT,
            generation: 0,
            error: http(503),
        };
        s.step(failed, t);
        assert_eq!(
            reads(&s.step(Event::Tick, t)),
            [],
            "no read with a refused token"
        );
    }
    assert_eq!(s.connectivity(NOW + STALE_MS - 1), Connectivity::Online);
    assert_eq!(s.connectivity(NOW + STALE_MS), Connectivity::Reconnecting);
}

#[test]
fn the_hub_link_is_watched_too() {
    let (mut s, _) = super::super::tests::bridged();
    opened(&mut s, BOT, NOW);
    opened(&mut s, Channel::Hub, NOW);
    streamed(&mut s, vec![], "9", NOW + SILENT_MS);
    let effects = watch(&mut s, NOW + SILENT_MS, NOW + SILENT_MS + WATCHDOG_MS);
    assert_eq!(reads(&effects), [(Channel::Hub, None, 0)]);
}
