//! Soak test: many visitor↔bot and visitor↔agent exchanges through the real widget while
//! faults are injected at random (seeded, reproducible), then both sides' records are
//! checked: nothing lost, nothing duplicated, order kept.
//!
//! Environment:
//! - `SOAK_EXCHANGES` (default 200, half with the bot, half with an agent);
//! - `SOAK_SEED`: the fault schedule. Unset, each run picks one from the clock and prints it
//!   first, so a failure replays with `SOAK_SEED=<n>`;
//! - `SOAK_CPU_THROTTLE`: e.g. `4` runs the page on a CPU slowed four times (CDP
//!   `Emulation.setCPUThrottlingRate`, from before the page loads).
//!
//! It ends with one line for `scripts/soak.sh` (seeds × speeds) to tabulate:
//! `soak-result seed=3 speed=4x exchanges=40 faults=9 lost=0 duplicated=0 reordered=0
//! longest_wait_ms=2345 time_s=120.5 result=ok`. The longest wait is the slowest message to
//! show in the widget: a bot answer from the visitor's message appearing (Enter pressed) to
//! the answer appearing, an agent's message from the server accepting it to it appearing;
//! both times are taken in the page (see `e2e::probe`). On any failure (a wait timed out, a
//! count is off, any panic of the run) the widget's state is printed: banner, sockets,
//! requests, stored watermark and outbox, and the server's view.
#![allow(clippy::unwrap_used, reason = "tests: a panic is the failure report")]

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use e2e::agent::ApiAgent;
use e2e::probe::{self, epoch_ms, Probe};
use e2e::{button, messages, send_message, submit_survey, wait_for_message, Harness};
use fantoccini::elements::ShadowRoot;
use serde_json::{json, Value};

/// Messages sent before waiting for their answers.
const BATCH: usize = 10;
/// How long one batch may take to be answered, faults included.
const BATCH_WAIT: Duration = Duration::from_secs(90);

/// The run's settings, from the environment (see the module header).
#[derive(Clone, Copy)]
struct Settings {
    exchanges: usize,
    seed: u64,
    /// The CPU slow-down factor; 1 is normal speed.
    throttle: f64,
}

impl Settings {
    fn from_env() -> (Settings, &'static str) {
        let var = |name| std::env::var(name).ok().filter(|v| !v.is_empty());
        let exchanges = var("SOAK_EXCHANGES")
            .map(|v| v.parse().expect("SOAK_EXCHANGES is a number"))
            .unwrap_or(200);
        let throttle = var("SOAK_CPU_THROTTLE")
            .map(|v| v.parse().expect("SOAK_CPU_THROTTLE is a number"))
            .unwrap_or(1.0_f64)
            .max(1.0);
        let (seed, origin) = match var("SOAK_SEED") {
            Some(v) => (v.parse().expect("SOAK_SEED is a number"), "SOAK_SEED"),
            None => (1 + epoch_ms() % 1_000_000, "new this run"),
        };
        let settings = Settings {
            exchanges,
            seed,
            throttle,
        };
        (settings, origin)
    }

    /// `1x`, `4x`, `2.5x`.
    fn speed(&self) -> String {
        format!("{}x", self.throttle)
    }
}

/// A reproducible random source (xorshift64*).
struct Rng(u64);

impl Rng {
    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d) % n
    }
}

/// The faults injected so far, shared with the test around the run so that a run that
/// panicked still reports them.
#[derive(Default)]
struct Faults {
    counts: BTreeMap<&'static str, u32>,
    /// Each fault with when it was injected (wall-clock ms), in order.
    log: Vec<(u64, &'static str)>,
}

type SharedFaults = Arc<Mutex<Faults>>;

/// Injects one random fault and records it; faults that persist are cleared later.
async fn inject(h: &Harness, rng: &mut Rng, faults: &SharedFaults) {
    let (name, body): (&'static str, Option<Value>) = match rng.below(6) {
        0 => ("drop stream", None),
        1 => ("drop stream abruptly", Some(json!({"abrupt": true}))),
        2 => (
            "502 for the next requests",
            Some(json!({"status": 502, "count": 1 + rng.below(3), "scope": "all"})),
        ),
        3 => (
            "429 with Retry-After",
            Some(json!({"status": 429, "count": 1, "retryAfter": 1, "scope": "all"})),
        ),
        4 => ("latency 300 ms", Some(json!({"latencyMs": 300}))),
        _ => (
            "refused stream upgrades",
            Some(json!({"refuseStreams": true})),
        ),
    };
    if name.starts_with("drop") {
        h.api("POST", "/_dev/faults/drop-streams", body).await;
    } else {
        h.api("POST", "/_dev/faults", body).await;
    }
    let mut faults = faults.lock().unwrap();
    *faults.counts.entry(name).or_default() += 1;
    faults.log.push((epoch_ms(), name));
}

/// Waits until every expected text is in the widget's transcript.
async fn wait_all(shadow: &ShadowRoot, expected: &[String]) {
    let start = Instant::now();
    loop {
        let transcript = messages(shadow).await;
        if expected.iter().all(|e| transcript.contains(e)) {
            return;
        }
        let missing: Vec<_> = expected
            .iter()
            .filter(|e| !transcript.contains(e))
            .collect();
        assert!(
            start.elapsed() < BATCH_WAIT,
            "still missing after {BATCH_WAIT:?}: {missing:?}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Lost, duplicated and out-of-order counts of `expected` within `seen` (ordered).
fn audit(expected: &[String], seen: &[String]) -> (usize, usize, usize) {
    let mut lost = 0;
    let mut duplicated = 0;
    let mut positions = Vec::new();
    for e in expected {
        let at: Vec<usize> = seen
            .iter()
            .enumerate()
            .filter(|(_, s)| *s == e)
            .map(|(i, _)| i)
            .collect();
        match at.len() {
            0 => lost += 1,
            n => {
                duplicated += n - 1;
                positions.push(at[0]);
            }
        }
    }
    let reordered = positions.windows(2).filter(|w| w[0] > w[1]).count();
    (lost, duplicated, reordered)
}

/// The server's record of the bot conversation: its message texts, in order. Read with
/// the conversation's own token, found in the widget's stored session.
async fn server_texts(h: &Harness) -> Vec<String> {
    let stored = probe::stored_session(h).await.unwrap();
    let set = probe::conversation(h, &stored, "bot").await.unwrap();
    set["activities"]
        .as_array()
        .expect("activities")
        .iter()
        .filter(|a| a["type"] == "message")
        .filter_map(|a| a["text"].as_str().map(str::to_owned))
        .collect()
}

/// What a run that completed found.
struct Outcome {
    /// Lost, duplicated, reordered per direction and side.
    checks: Vec<(&'static str, (usize, usize, usize))>,
    /// Each message shown in the widget with its wait (ms), from sent or accepted to shown.
    waits: Vec<(String, u64)>,
}

/// The exchanges themselves, then both sides' records.
async fn run(h: Arc<Harness>, probe: Probe, settings: Settings, faults: SharedFaults) -> Outcome {
    let h = &*h;
    let exchanges = settings.exchanges;
    let mut rng = Rng(settings.seed.max(1).wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1);

    let shadow = h.open_demo().await;
    button(&shadow, "Open chat").await.click().await.unwrap();
    let answers = [("First name", "Soak"), ("Email", "soak@example.com")];
    submit_survey(&shadow, &answers).await;
    wait_for_message(&shadow, "Hello Soak").await;

    // Visitor ↔ bot.
    let with_bot = exchanges / 2;
    let mut asked = Vec::new();
    let mut answered = Vec::new();
    for batch in (0..with_bot).collect::<Vec<_>>().chunks(BATCH) {
        for &i in batch {
            if rng.below(4) == 0 {
                inject(h, &mut rng, &faults).await;
            }
            let text = format!("/echo bot {i}");
            send_message(&shadow, &text).await;
            answered.push(format!("echo: bot {i}"));
            asked.push(text);
        }
        wait_all(&shadow, &answered[answered.len() - batch.len()..]).await;
        h.api("DELETE", "/_dev/faults", None).await;
    }

    // Visitor ↔ agent (relay): an agent answers every visitor message through the console API.
    send_message(&shadow, "talk to a person").await;
    let agent = ApiAgent::sign_in(h, "Sam").await;
    let handoff = agent.accept(h, "Soak").await;
    wait_for_message(&shadow, "Sam joined the chat").await;
    let mut to_agent = Vec::new();
    let mut from_agent = Vec::new();
    // When the server accepted each agent message (wall-clock ms).
    let mut accepted = Vec::new();
    for batch in (0..exchanges - with_bot).collect::<Vec<_>>().chunks(BATCH) {
        for &i in batch {
            if rng.below(4) == 0 {
                inject(h, &mut rng, &faults).await;
            }
            let text = format!("visitor {i}");
            send_message(&shadow, &text).await;
            to_agent.push(text);
        }
        // The agent answers each message once it has it.
        let batch_start = Instant::now();
        for &i in batch {
            let wanted = format!("visitor {i}");
            loop {
                if agent.visitor_messages(h, &handoff).await.contains(&wanted) {
                    break;
                }
                assert!(
                    batch_start.elapsed() < BATCH_WAIT,
                    "the agent never got {wanted:?}"
                );
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
            let reply = format!("agent {i}");
            agent.say(h, &handoff, &reply).await;
            accepted.push(epoch_ms());
            from_agent.push(reply);
        }
        wait_all(&shadow, &from_agent[from_agent.len() - batch.len()..]).await;
        h.api("DELETE", "/_dev/faults", None).await;
    }

    // How long each message took to show.
    let seen = probe.first_seen(h).await;
    let shown = |text: &String, since: Option<u64>| {
        Some((text.clone(), seen.get(text)?.saturating_sub(since?)))
    };
    let bot_waits = asked
        .iter()
        .zip(&answered)
        .filter_map(|(q, a)| shown(a, seen.get(q).copied()));
    let agent_waits = from_agent
        .iter()
        .zip(&accepted)
        .filter_map(|(m, t)| shown(m, Some(*t)));
    let waits = bot_waits.chain(agent_waits).collect();

    // Both sides' records.
    let widget = messages(&shadow).await;
    let server = server_texts(h).await;
    let agent_saw = agent.visitor_messages(h, &handoff).await;
    let checks = vec![
        ("widget: visitor → bot", audit(&asked, &widget)),
        ("widget: bot → visitor", audit(&answered, &widget)),
        ("widget: visitor → agent", audit(&to_agent, &widget)),
        ("widget: agent → visitor", audit(&from_agent, &widget)),
        ("server: visitor → bot", audit(&asked, &server)),
        ("server: visitor → agent", audit(&to_agent, &server)),
        (
            "agent console: visitor → agent",
            audit(&to_agent, &agent_saw),
        ),
    ];
    Outcome { checks, waits }
}

/// The faults injected, and after a failure the last few with how long ago.
fn print_faults(faults: &Faults, failed: bool) {
    let total: u32 = faults.counts.values().sum();
    println!("soak: {total} faults injected: {:?}", faults.counts);
    if !failed {
        return;
    }
    let now = epoch_ms();
    let recent: Vec<String> = faults.log[faults.log.len().saturating_sub(5)..]
        .iter()
        .map(|(t, name)| format!("{name} {:.1} s ago", now.saturating_sub(*t) as f64 / 1000.0))
        .collect();
    println!("soak: last faults: {recent:?}");
}

#[tokio::test]
async fn soak_exchanges_under_random_faults_lose_and_duplicate_nothing() {
    let (settings, origin) = Settings::from_env();
    let Settings {
        exchanges, seed, ..
    } = settings;
    let speed = settings.speed();
    println!(
        "soak: seed {seed} ({origin}), {exchanges} exchanges, CPU {speed}; replay: \
         SOAK_SEED={seed} SOAK_EXCHANGES={exchanges} SOAK_CPU_THROTTLE={}",
        settings.throttle
    );
    let started = Instant::now();
    let h = Arc::new(Harness::start(&["--faults"]).await);
    let probe = Probe::install(&h, Some(settings.throttle))
        .await
        .expect("probe installed");
    let faults = SharedFaults::default();
    let run = tokio::spawn(run(Arc::clone(&h), probe, settings, Arc::clone(&faults))).await;
    let faults = std::mem::take(&mut *faults.lock().unwrap());
    let fault_count: u32 = faults.counts.values().sum();
    let result = |counts: &str, wait: &str, ok: bool| {
        println!(
            "soak-result seed={seed} speed={speed} exchanges={exchanges} faults={fault_count} \
             {counts} longest_wait_ms={wait} time_s={:.1} result={}",
            started.elapsed().as_secs_f64(),
            if ok { "ok" } else { "failed" }
        );
    };
    let outcome = match run {
        Ok(outcome) => outcome,
        Err(error) => {
            print_faults(&faults, true);
            println!("{}", probe.report(&h).await);
            result("lost=- duplicated=- reordered=-", "-", false);
            match error.try_into_panic() {
                Ok(panic) => std::panic::resume_unwind(panic),
                Err(error) => panic!("the run did not finish: {error}"),
            }
        }
    };

    let Outcome { checks, waits } = outcome;
    let (lost, duplicated, reordered) = checks
        .iter()
        .fold((0, 0, 0), |(l, d, r), (_, (a, b, c))| (l + a, d + b, r + c));
    let longest = waits.iter().max_by_key(|(_, wait)| *wait);
    println!(
        "soak: {exchanges} exchanges ({} with the bot, {} with an agent), seed {seed}, CPU {speed}",
        exchanges / 2,
        exchanges - exchanges / 2
    );
    let ok = (lost, duplicated, reordered) == (0, 0, 0);
    print_faults(&faults, !ok);
    for (what, (l, d, r)) in &checks {
        println!("soak: {what:32} lost {l}, duplicated {d}, reordered {r}");
    }
    match longest {
        Some((text, wait)) => println!(
            "soak: longest wait {wait} ms, for {text:?} ({} messages timed)",
            waits.len()
        ),
        None => println!("soak: no message could be timed"),
    }
    if !ok {
        println!("{}", probe.report(&h).await);
    }
    result(
        &format!("lost={lost} duplicated={duplicated} reordered={reordered}"),
        &longest.map_or("-".to_owned(), |(_, wait)| wait.to_string()),
        ok,
    );
    assert!(
        ok,
        "lost {lost}, duplicated {duplicated}, reordered {reordered}: see the figures above"
    );
    if let Ok(h) = Arc::try_unwrap(h) {
        h.finish().await;
    }
}
