//! `--state FILE`: a server restored from the file another instance wrote continues every
//! conversation (activities, watermarks, tokens, bot memory, handoffs, agents), and a real
//! dev server killed with SIGKILL right after answering loses nothing.
#![allow(clippy::unwrap_used, reason = "tests: a panic is the failure report")]

mod common;

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use axum::http::StatusCode;
use common::ws::{connect, next_set};
use common::{
    activity_ids, config, event, events, ids, message, survey, texts_from, TempDist, TestApp,
    Visitor, BOT, START,
};
use serde_json::{json, Value};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

fn state_config(file: &Path) -> devserver::Config {
    let mut cfg = config(PathBuf::from("/nonexistent-dist"));
    cfg.state_file = Some(file.to_owned());
    cfg
}

fn with_client_id(mut activity: Value, id: &str) -> Value {
    activity["channelData"] = json!({ "clientActivityID": id });
    activity
}

fn assert_ids_run_from_one(visitor: &Visitor, history: &[Value]) {
    let expected = activity_ids(&visitor.conv, 1..=history.len());
    assert_eq!(
        ids(&json!(history)),
        expected,
        "no activity lost or repeated"
    );
}

#[tokio::test]
async fn a_server_built_from_the_state_file_continues_every_conversation() {
    let dir = TempDist::new();
    let file = dir.0.join("state.json");
    let before = TestApp::open(state_config(&file), START);

    // Ada: two messages the bot did not understand (one more escalates).
    let ada = before.visitor("/api/directline/token").await;
    before
        .post_as(&ada, event("startConversation", survey("Ada", "L")))
        .await;
    for _ in 0..2 {
        before.post_as(&ada, message("bananas")).await;
    }
    // Bob: waiting for an agent, with a message the agent has not read yet.
    let bob = before.visitor("/api/directline/token").await;
    before
        .post_as(&bob, event("startConversation", survey("Bob", "L")))
        .await;
    before.post_as(&bob, message("talk to a person")).await;
    let bob_handoff = before.handoff_of("Bob").await;
    before
        .post_as(&bob, with_client_id(message("are you there?"), "bob-1"))
        .await;
    // Cleo: a bridge conversation on the hub, engaged with Alex.
    let alex = before.agent("Alex").await;
    let cleo = before.visitor("/hub/api/token").await;
    let initiate = json!({"type": "event", "name": "handoff.initiate",
                          "value": {"survey": survey("Cleo", "L")}});
    before.post_as(&cleo, initiate).await;
    let cleo_handoff = before.handoff_of("Cleo").await;
    let accepted = before
        .agent_post(&cleo_handoff, "accept", &alex, json!({}))
        .await;
    assert_eq!(accepted.status, StatusCode::OK, "{}", accepted.json);
    before.agent_says(&cleo_handoff, &alex, "Hi Cleo").await;
    before.clock.advance(10_000);
    let histories = [
        before.history(&ada).await,
        before.history(&bob).await,
        before.history(&cleo).await,
    ];
    drop(before);

    let after = TestApp::open(state_config(&file), START + 10_000);
    for (visitor, history) in [&ada, &bob, &cleo].into_iter().zip(&histories) {
        assert_eq!(&after.history(visitor).await, history, "same activities");
    }

    // A client reconnects with its old token and its watermark.
    let watermark = histories[1].len() - 1;
    let reconnect = after
        .reconnect(&bob.conv, &bob.token, Some(&watermark.to_string()))
        .await
        .ok();
    let stream_url = reconnect["streamUrl"].as_str().unwrap();
    assert!(stream_url.ends_with(&format!("&watermark={watermark}")));
    let since = after
        .activities(&bob.conv, &bob.token, Some(&watermark.to_string()))
        .await;
    assert_eq!(since["activities"].as_array().unwrap().len(), 1);
    assert_eq!(since["watermark"], histories[1].len().to_string());

    // Bob still waits (10 s now) and Alex, still signed in, takes him: the message he sent
    // while waiting is there once, even after a retried POST of it.
    let waiting = after.waiting().await;
    assert_eq!(waiting.len(), 1);
    assert_eq!(waiting[0]["handoffId"], bob_handoff.as_str());
    assert_eq!(waiting[0]["waitingSeconds"], 10);
    after
        .post_as(&bob, with_client_id(message("are you there?"), "bob-1"))
        .await;
    let detail = after
        .agent_post(&bob_handoff, "accept", &alex, json!({}))
        .await;
    assert_eq!(detail.status, StatusCode::OK, "{}", detail.json);
    let texts: Vec<&Value> = detail.json["messages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| &m["text"])
        .collect();
    assert_eq!(texts, [&json!("are you there?")]);
    let bob_history = after.history(&bob).await;
    assert_ids_run_from_one(&bob, &bob_history);
    assert_eq!(events(&bob_history, "handoff.status").len(), 1);

    // Alex's engaged chat with Cleo goes on.
    let mine = after.agent_handoffs(&alex).await;
    assert_eq!(mine.json["handoffs"].as_array().unwrap().len(), 2);
    let said = after.agent_says(&cleo_handoff, &alex, "Still here").await;
    assert_eq!(said.status, StatusCode::OK, "{}", said.json);
    let cleo_history = after.history(&cleo).await;
    assert_ids_run_from_one(&cleo, &cleo_history);
    assert_eq!(
        texts_from(&cleo_history, &format!("agent:{alex}")),
        ["Hi Cleo", "Still here"]
    );

    // The bot remembers Ada: her third miss escalates, with her survey answers.
    after.post_as(&ada, message("bananas")).await;
    let ada_history = after.history(&ada).await;
    assert_ids_run_from_one(&ada, &ada_history);
    let initiate = events(&ada_history, "handoff.initiate");
    assert_eq!(initiate.len(), 1, "fallback count survived the restart");
    assert_eq!(initiate[0]["value"]["firstName"], "Ada");
    assert_eq!(initiate[0]["value"]["reason"], "fallback");

    // Tokens keep their absolute expiry: issued at START for 60 s.
    after.clock.advance(49_999);
    after.activities(&ada.conv, &ada.token, None).await;
    after.clock.advance(1);
    let expired = after.list(BOT, &ada.conv, &ada.token, None).await;
    assert_eq!(expired.status, StatusCode::FORBIDDEN, "{}", expired.json);
    assert_eq!(expired.json["error"]["code"], "TokenExpired");

    // Only the state file is left: every save renamed its temporary file.
    let names: Vec<String> = std::fs::read_dir(&dir.0)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names, ["state.json"]);
}

#[tokio::test(start_paused = true)]
async fn restored_waiting_handoffs_fail_when_their_accept_time_is_up() {
    let dir = TempDist::new();
    let file = dir.0.join("state.json");
    let mut cfg = state_config(&file);
    cfg.token_lifetime = Duration::from_secs(3600);
    let before = TestApp::open(cfg.clone(), START);
    let bob = before.visitor("/api/directline/token").await;
    before
        .post_as(&bob, event("startConversation", survey("Bob", "L")))
        .await;
    before.post_as(&bob, message("talk to a person")).await;
    drop(before);

    // Restarted 100 s into the 120 s accept timeout: 20 s are left.
    let after = TestApp::open(cfg, START + 100_000);
    devserver::directline::resume_accept_timeouts(&after.state);
    tokio::time::sleep(Duration::from_secs(19)).await;
    assert_eq!(after.waiting().await.len(), 1);
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert!(after.waiting().await.is_empty());
    let history = after.history(&bob).await;
    let statuses = events(&history, "handoff.status");
    assert_eq!(statuses[0]["value"]["state"], "failed");
}

#[test]
fn an_unreadable_state_file_stops_the_server_and_is_left_alone() {
    let dir = TempDist::new();
    let file = dir.0.join("state.json");
    for contents in [&b"{\"version\": 1, \"conversa"[..], br#"{"version": 99}"#] {
        std::fs::write(&file, contents).unwrap();
        let opened = devserver::AppState::open(state_config(&file), devserver::Clock::system());
        assert!(opened.is_err(), "{}", String::from_utf8_lossy(contents));
        assert_eq!(std::fs::read(&file).unwrap(), contents);
    }
    let error = devserver::AppState::open(state_config(&file), devserver::Clock::system())
        .err()
        .unwrap();
    assert!(error.to_string().contains("version 99"), "{error}");
}

// ---- a real process, killed -----------------------------------------------------------

/// The `devserver` binary running on loopback; killed (SIGKILL) on drop.
struct Server {
    child: Child,
    port: u16,
}

impl Server {
    fn start(port: u16, state: &Path) -> Self {
        let mut child = Command::new(env!("CARGO_BIN_EXE_devserver"))
            .args(["--port", &port.to_string(), "--secret", common::SECRET])
            .args(["--dist", "/nonexistent-dist"])
            .arg("--state")
            .arg(state)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("start the dev server");
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        let first = lines.next().expect("a line").expect("stdout");
        let port = first
            .rsplit(':')
            .next()
            .and_then(|p| p.trim_end_matches('/').parse().ok())
            .unwrap_or_else(|| panic!("unexpected line: {first}"));
        // Keep draining stdout so the server never blocks on a full pipe.
        std::thread::spawn(move || lines.for_each(drop));
        Self { child, port }
    }

    /// `kill -9`, and wait until the process is gone.
    fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// A request over a fresh connection: status and JSON body.
    async fn call(
        &self,
        method: &str,
        path: &str,
        bearer: Option<&str>,
        body: Option<Value>,
    ) -> (u16, Value) {
        let mut stream = TcpStream::connect(("127.0.0.1", self.port)).await.unwrap();
        let body = body.map(|b| b.to_string()).unwrap_or_default();
        let mut request = format!(
            "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{}\r\nConnection: close\r\n\
             Content-Type: application/json\r\nContent-Length: {}\r\n",
            self.port,
            body.len()
        );
        if let Some(credential) = bearer {
            request.push_str(&format!("Authorization: Bearer {credential}\r\n"));
        }
        request.push_str("\r\n");
        request.push_str(&body);
        stream.write_all(request.as_bytes()).await.unwrap();
        let mut raw = Vec::new();
        stream.read_to_end(&mut raw).await.unwrap();
        let raw = String::from_utf8(raw).unwrap();
        let (head, body) = raw.split_once("\r\n\r\n").expect("a complete response");
        let status = head.split_whitespace().nth(1).unwrap().parse().unwrap();
        (status, serde_json::from_str(body).unwrap_or(Value::Null))
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.kill();
    }
}

#[tokio::test]
async fn a_server_killed_right_after_answering_restarts_without_losing_or_repeating() {
    let dir = TempDist::new();
    let file = dir.0.join("state.json");
    let mut server = Server::start(0, &file);
    let (status, token) = server
        .call("GET", "/api/directline/token", None, None)
        .await;
    assert_eq!(status, 200);
    let conv = token["conversationId"].as_str().unwrap().to_owned();
    let token = token["token"].as_str().unwrap().to_owned();
    let path = format!("/v3/directline/conversations/{conv}/activities");
    let (status, _) = server
        .call(
            "POST",
            &path,
            Some(&token),
            Some(event("startConversation", survey("Ada", "L"))),
        )
        .await;
    assert_eq!(status, 200);
    // The client has seen the greeting (watermark 3); then it sends ten questions.
    let mut posted = Vec::new();
    for n in 1..=10 {
        let text = format!("opening hours {n}");
        let body = with_client_id(message(&text), &format!("hc-{n}"));
        let (status, reply) = server.call("POST", &path, Some(&token), Some(body)).await;
        assert_eq!(status, 200, "{reply}");
        posted.push(reply["id"].as_str().unwrap().to_owned());
    }
    // kill -9 right after the last 200.
    server.kill();
    let port = server.port;
    drop(server);

    let server = Server::start(port, &file);
    let (status, reconnect) = server
        .call(
            "GET",
            &format!("/v3/directline/conversations/{conv}?watermark=3"),
            Some(&token),
            None,
        )
        .await;
    assert_eq!(status, 200, "{reconnect}");
    let url = reconnect["streamUrl"].as_str().unwrap();
    assert!(url.starts_with(&format!("ws://127.0.0.1:{port}/")), "{url}");
    let mut socket = connect(url).await;
    let backlog = next_set(&mut socket).await;
    let replayed = backlog["activities"].as_array().unwrap();
    assert_eq!(
        ids(&backlog["activities"]),
        activity_ids(&conv, 4..=33),
        "nothing lost, nothing repeated"
    );
    assert_eq!(backlog["watermark"], "33");
    for (n, id) in posted.iter().enumerate() {
        let echo = replayed.iter().find(|a| a["id"] == id.as_str()).unwrap();
        assert_eq!(echo["text"], format!("opening hours {}", n + 1));
    }

    // The conversation goes on where it was.
    let (status, reply) = server
        .call("POST", &path, Some(&token), Some(message("order status")))
        .await;
    assert_eq!(status, 200, "{reply}");
    assert_eq!(reply["id"], format!("{conv}|0000034"));
}
