//! Ids, tokens, secrets and the state file: ids, tokens, agent sessions and the Direct Line
//! secret a start draws (without `--secret`) are long random letters and digits (at least
//! 128 bits); the `--state` file is readable by its owner only and written through a
//! fresh temporary file, so a file or symlink planted next to it is never followed.
#![allow(clippy::unwrap_used, reason = "tests: a panic is the failure report")]

mod common;

use std::collections::HashSet;
use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Command, Stdio};

use common::{config, event, message, survey, TempDist, TestApp, START};

/// At least 128 bits in letters and digits (log2(62) ≈ 5.95 bits each).
const MIN_ALNUM: usize = 22;

fn assert_random(id: &str, prefix: &str) {
    let rest = id.strip_prefix(prefix).unwrap_or_else(|| panic!("{id}"));
    assert!(rest.len() >= MIN_ALNUM, "{id}");
    assert!(rest.bytes().all(|b| b.is_ascii_alphanumeric()), "{id}");
}

#[tokio::test]
async fn ids_and_tokens_carry_at_least_128_random_bits() {
    let app = TestApp::new();
    let mut seen = HashSet::new();
    for _ in 0..20 {
        let visitor = app.visitor("/api/directline/token").await;
        assert_random(&visitor.conv, "");
        assert_random(&visitor.token, "");
        let history = app.history(&visitor).await;
        // No `from`: the service names the token's user.
        let hi = serde_json::json!({"type": "message", "text": "hi"});
        app.post_as(&visitor, hi).await;
        let user = &app.history(&visitor).await[history.len()]["from"]["id"];
        assert_random(user.as_str().unwrap(), "dl_");
        assert!(seen.insert(visitor.conv) && seen.insert(visitor.token));
    }
    let agent = app.agent("Grace").await;
    assert_random(&agent, "a");
    assert_random(&common::hub::session_of(&agent).unwrap(), "");
    let visitor = app.visitor("/api/directline/token").await;
    app.post_as(&visitor, event("startConversation", survey("Ada", "L")))
        .await;
    app.post_as(&visitor, message("agent")).await;
    let handoff = app.handoff_of("Ada").await;
    assert_random(&handoff, "h");
}

#[cfg(unix)]
#[tokio::test]
async fn the_state_file_is_private_and_a_planted_symlink_is_not_followed() {
    use std::os::unix::fs::{symlink, PermissionsExt};

    let dir = TempDist::new();
    let file = dir.0.join("state.json");
    // What an attacker would plant at the temporary name the server used to write through.
    let victim = dir.0.join("victim.txt");
    std::fs::write(&victim, "untouched").unwrap();
    symlink(&victim, dir.0.join(".state.json.tmp")).unwrap();

    let mut cfg = config(PathBuf::from("/nonexistent-dist"));
    cfg.state_file = Some(file.clone());
    let app = TestApp::open(cfg.clone(), START);
    let visitor = app.visitor("/api/directline/token").await;
    app.post_as(&visitor, message("hi")).await;

    let mode = std::fs::metadata(&file).unwrap().permissions().mode();
    assert_eq!(mode & 0o777, 0o600, "{mode:o}");
    assert_eq!(std::fs::read_to_string(&victim).unwrap(), "untouched");
    let mut names: Vec<String> = std::fs::read_dir(&dir.0)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    names.sort();
    assert_eq!(names, [".state.json.tmp", "state.json", "victim.txt"]);
    // And the file reopens with what was saved.
    let saved = app.history(&visitor).await;
    let reopened = TestApp::open(cfg, START);
    assert_eq!(reopened.history(&visitor).await, saved);
}

/// The secret `devserver` prints when started without `--secret` (then stopped).
fn printed_secret() -> String {
    let mut child = Command::new(env!("CARGO_BIN_EXE_devserver"))
        .args(["--port", "0", "--dist", "/nonexistent-dist"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("start the dev server");
    let lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let secret = lines
        .map_while(Result::ok)
        .find_map(|line| line.split_once("secret").map(|(_, s)| s.to_owned()))
        .expect("a secret line");
    let _ = child.kill();
    let _ = child.wait();
    secret.rsplit(' ').next().unwrap().to_owned()
}

#[test]
fn each_start_without_secret_draws_and_prints_its_own() {
    let first = printed_secret();
    let second = printed_secret();
    assert_random(&first, "");
    assert_random(&second, "");
    assert_ne!(first, second);
}
