//! Soak test: many visitor↔bot and visitor↔agent exchanges through the real widget while
//! faults are injected at random (seeded, reproducible), then both sides' records are
//! checked: nothing lost, nothing duplicated, order kept.
//!
//! `SOAK_EXCHANGES` (default 200, half with the bot, half with an agent) and `SOAK_SEED`
//! (default 1) set the run; `bash scripts/soak.sh` is the full 1000-exchange run.
#![allow(clippy::unwrap_used, reason = "tests: a panic is the failure report")]

use std::time::{Duration, Instant};

use e2e::agent::ApiAgent;
use e2e::{button, field, messages, wait_for_message, Harness, ENTER};
use fantoccini::elements::ShadowRoot;
use serde_json::{json, Value};

/// Messages sent before waiting for their answers.
const BATCH: usize = 10;
/// How long one batch may take to be answered, faults included.
const BATCH_WAIT: Duration = Duration::from_secs(90);

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

#[derive(Default)]
struct Figures {
    faults: std::collections::BTreeMap<&'static str, u32>,
}

/// Injects one random fault and returns its name; faults that persist are cleared later.
async fn inject(h: &Harness, rng: &mut Rng, figures: &mut Figures) {
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
    *figures.faults.entry(name).or_default() += 1;
}

/// Sends a message as a visitor does (the real composer: input + Enter).
async fn send(shadow: &ShadowRoot, text: &str) {
    let composer = field(shadow, "Message").await;
    composer.send_keys(text).await.unwrap();
    composer.send_keys(ENTER).await.unwrap();
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
    let stored = h
        .js(
            "const k = Object.keys(sessionStorage).find(k => k.startsWith('handoff-chat:'));
             return k ? sessionStorage.getItem(k) : null;",
        )
        .await;
    let session: Value = serde_json::from_str(stored.as_str().expect("a stored session")).unwrap();
    // Stored as `"endpoint": [conversationId, token]` (core/src/session/stored.rs).
    let endpoint = &session["bot"]["endpoint"];
    let script = "const [id, token, done] = arguments;
        fetch(`/v3/directline/conversations/${id}/activities`, {headers: {Authorization: `Bearer ${token}`}})
          .then(r => r.json()).then(done, e => done({error: String(e)}));";
    let set = h
        .client
        .execute_async(script, vec![endpoint[0].clone(), endpoint[1].clone()])
        .await
        .unwrap();
    set["activities"]
        .as_array()
        .expect("activities")
        .iter()
        .filter(|a| a["type"] == "message")
        .filter_map(|a| a["text"].as_str().map(str::to_owned))
        .collect()
}

#[tokio::test]
async fn soak_exchanges_under_random_faults_lose_and_duplicate_nothing() {
    let exchanges: usize = std::env::var("SOAK_EXCHANGES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(200);
    let seed: u64 = std::env::var("SOAK_SEED")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1);
    let mut rng = Rng(seed.max(1).wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1);
    let mut figures = Figures::default();
    let started = Instant::now();

    let h = Harness::start(&[]).await;
    let shadow = h.open_demo().await;
    button(&shadow, "Open chat").await.click().await.unwrap();
    field(&shadow, "First name")
        .await
        .send_keys("Soak")
        .await
        .unwrap();
    let email = field(&shadow, "Email").await;
    email.send_keys("soak@example.com").await.unwrap();
    email.send_keys(ENTER).await.unwrap();
    wait_for_message(&shadow, "Hello Soak").await;

    // Visitor ↔ bot.
    let with_bot = exchanges / 2;
    let mut asked = Vec::new();
    let mut answered = Vec::new();
    for batch in (0..with_bot).collect::<Vec<_>>().chunks(BATCH) {
        for &i in batch {
            if rng.below(4) == 0 {
                inject(&h, &mut rng, &mut figures).await;
            }
            let text = format!("/echo bot {i}");
            send(&shadow, &text).await;
            answered.push(format!("echo: bot {i}"));
            asked.push(text);
        }
        wait_all(&shadow, &answered[answered.len() - batch.len()..]).await;
        h.api("DELETE", "/_dev/faults", None).await;
    }

    // Visitor ↔ agent (relay): an agent answers every visitor message through the console API.
    send(&shadow, "talk to a person").await;
    let agent = ApiAgent::sign_in(&h, "Sam").await;
    let handoff = agent.accept(&h, "Soak").await;
    wait_for_message(&shadow, "Sam joined the chat").await;
    let mut to_agent = Vec::new();
    let mut from_agent = Vec::new();
    for batch in (0..exchanges - with_bot).collect::<Vec<_>>().chunks(BATCH) {
        for &i in batch {
            if rng.below(4) == 0 {
                inject(&h, &mut rng, &mut figures).await;
            }
            let text = format!("visitor {i}");
            send(&shadow, &text).await;
            to_agent.push(text);
        }
        // The agent answers each message once it has it.
        let batch_start = Instant::now();
        for &i in batch {
            let wanted = format!("visitor {i}");
            loop {
                if agent.visitor_messages(&h, &handoff).await.contains(&wanted) {
                    break;
                }
                assert!(
                    batch_start.elapsed() < BATCH_WAIT,
                    "the agent never got {wanted:?}"
                );
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
            let reply = format!("agent {i}");
            agent.say(&h, &handoff, &reply).await;
            from_agent.push(reply);
        }
        wait_all(&shadow, &from_agent[from_agent.len() - batch.len()..]).await;
        h.api("DELETE", "/_dev/faults", None).await;
    }

    // Both sides' records.
    let widget = messages(&shadow).await;
    let server = server_texts(&h).await;
    let agent_saw = agent.visitor_messages(&h, &handoff).await;
    let checks = [
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
    let (lost, duplicated, reordered) = checks
        .iter()
        .fold((0, 0, 0), |(l, d, r), (_, (a, b, c))| (l + a, d + b, r + c));
    let faults: u32 = figures.faults.values().sum();
    println!(
        "soak: {exchanges} exchanges ({with_bot} with the bot, {} with an agent), seed {seed}",
        exchanges - with_bot
    );
    println!("soak: {faults} faults injected: {:?}", figures.faults);
    for (what, (l, d, r)) in &checks {
        println!("soak: {what:32} lost {l}, duplicated {d}, reordered {r}");
    }
    println!(
        "soak: total lost {lost}, duplicated {duplicated}, reordered {reordered}, time {:.1} s",
        started.elapsed().as_secs_f64()
    );
    assert_eq!(
        (lost, duplicated, reordered),
        (0, 0, 0),
        "see the figures above"
    );
    h.finish().await;
}
