//! Liveness, whole system: the session on a fake clock against a fake Direct Line server
//! that drops streams, turns them into zombies (open, silent, never closed), refuses
//! upgrades, fails, throttles and hangs requests, expires tokens and reloads the page.
//! Every activity the server accepts must reach the transcript within `RECEIVE_BOUND_MS` of
//! requests being answered again, and a chat that cannot receive must say so within
//! `STALE_MS`. A hanging request is answered as the browser layer answers it: a network
//! error after `REQUEST_TIMEOUT_MS` (`AbortSignal.timeout`).
#![allow(clippy::unwrap_used, reason = "tests: a panic is the failure report")]

mod liveness_world;

use handoff_core::handoff::HandoffMode;
use handoff_core::session::Channel;
use handoff_core::time::Millis;
use liveness_world::*;
use serde_json::json;

/// A chat in `mode` (bridge: with the agent on the hub) where the agent says something
/// every 2 s for five minutes while `acts` happen (times from 10 s in).
fn scenario(mode: HandoffMode, polling: bool, acts: &[(Millis, Act)]) {
    let mut w = World::new(mode, polling);
    let t0 = START + 10_000;
    let mut channel = Channel::Bot;
    if mode == HandoffMode::Bridge {
        let from = json!({"id": "bot", "role": "bot"});
        let initiate = json!({"type": "event", "name": "handoff.initiate", "from": from});
        w.n.at(START + 3_000, Item::Act(Act::Emit(Channel::Bot, initiate)));
        let value = json!({"state": "accepted", "agent": {"id": "a", "name": "Al"}});
        let accepted = json!({"type": "event", "name": "handoff.status", "value": value});
        w.n.at(START + 6_000, Item::Act(Act::Emit(Channel::Hub, accepted)));
        w.run(t0 - 1);
        assert!(w.s.handoff.is_active(), "the agent is on the hub");
        channel = Channel::Hub;
    }
    for (at, act) in acts {
        w.n.at(t0 + at, Item::Act(act.clone()));
    }
    for k in 0..150 {
        w.n.at(
            t0 + k * 2_000,
            Item::Act(Act::Say(channel, format!("agent {k}"))),
        );
    }
    w.finish(t0 + 300_000);
}

/// A transport state: its name, the mode, whether the server only polls, and what happens.
type State = (&'static str, HandoffMode, bool, Vec<(Millis, Act)>);

#[test]
fn every_transport_state_receives_within_the_bound_or_says_so() {
    use Act::*;
    use Trouble::*;
    let (relay, bridge, b, h) = (
        HandoffMode::Relay,
        HandoffMode::Bridge,
        Channel::Bot,
        Channel::Hub,
    );
    let typed = |text: &str| Type(text.into());
    #[rustfmt::skip]
    let states: [State; 14] = [
        ("stream open and healthy", relay, false, vec![]),
        ("stream open but silent (zombie)", relay, false, vec![(0, Zombie(b))]),
        ("zombie again after reconnecting", relay, false, vec![(0, Zombie(b)), (40_000, Zombie(b))]),
        ("stream reconnect backoff", relay, false, vec![(0, Requests(Fail502, 40_000)), (0, Drop(b))]),
        ("reconnect request in flight", relay, false, vec![(0, Requests(Hang, 50_000)), (1_000, Drop(b))]),
        ("refused upgrades", relay, false, vec![(0, Refuse(true)), (1, Drop(b)), (120_000, Refuse(false))]),
        ("polling", relay, true, vec![]),
        ("polling with failures", relay, true, vec![(0, Requests(Fail502, 10_000)),
            (30_000, Requests(Throttle, 5_000)), (60_000, Requests(Hang, 40_000)), (120_000, Requests(Slow, 80_000))]),
        ("refresh in flight", relay, false, vec![(0, Zombie(b)), (0, ExpireToken(b)),
            (500, typed("after expiry")), (1_000, Requests(Fail502, 14_000))]),
        ("resume after reload", relay, false, vec![(0, Requests(Fail502, 5_000)),
            (0, typed("before the reload")), (10, Reload), (20, typed("after the reload"))]),
        ("resume after reload, its first read failing", relay, false, vec![(0, typed("before")),
            (10, FailNext(1)), (10, Reload), (20, typed("after"))]),
        ("resume after reload, polling", relay, true, vec![(0, Requests(Hang, 5_000)), (0, Reload)]),
        ("bridge-mode hub link", bridge, false, vec![(0, Zombie(h)), (120_000, Drop(h))]),
        ("network down, then back", relay, false, vec![(20_000, Down(100_000))]),
    ];
    for (name, mode, polling, acts) in states {
        let run = std::panic::catch_unwind(|| scenario(mode, polling, &acts));
        assert!(run.is_ok(), "state {name:?} failed (see the panic above)");
    }
}

#[test]
fn random_faults_lose_nothing_across_seeds() {
    for seed in 1..=20u64 {
        let mut rng = seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1;
        let mut below = |n: u64| {
            rng ^= rng << 13;
            rng ^= rng >> 7;
            rng ^= rng << 17;
            rng % n
        };
        let mut acts = vec![];
        let b = Channel::Bot;
        for k in 0..60u64 {
            let (t, ms) = (k * 5_000 + below(5_000), 1_000 + below(30_000));
            #[rustfmt::skip]
            let act = match below(11) {
                0 => Act::Drop(b),
                1 => Act::Zombie(b),
                2 => Act::Requests(Trouble::Fail502, ms),
                3 => Act::Requests(Trouble::Throttle, ms),
                4 => Act::Requests(Trouble::Hang, ms),
                5 => Act::Requests(Trouble::Slow, ms),
                6 => { acts.push((t + ms, Act::Refuse(false))); Act::Refuse(true) }
                7 => Act::Reload,
                8 => Act::ExpireToken(b),
                9 => Act::FailNext(1 + below(3) as u32),
                _ => Act::Type(format!("visitor {seed}/{k}")),
            };
            acts.push((t, act));
        }
        let run = std::panic::catch_unwind(|| scenario(HandoffMode::Relay, false, &acts));
        assert!(run.is_ok(), "seed {seed} failed (see the panic above)");
    }
}
