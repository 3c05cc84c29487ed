//! End-to-end harness: starts the real dev server binary and ChromeDriver on loopback and
//! drives headless Chromium to the demo page (which loads the widget through the real
//! `handoff-chat.js` tag).
//!
//! Layout: this file, the harness (processes, browser sessions, page scripts, polling);
//! [`widget`], the widget as a visitor meets it (elements by visible labels and accessible
//! names, filling the survey, sending a message; re-exported here); [`agent`], a live agent
//! through the console's API; [`cdp`], Chrome DevTools commands; [`probe`], the widget's
//! state for the soak test's reports.
//!
//! Environment: `DEVSERVER_BIN` (the built dev server), `DIST_DIR` (the built widget),
//! `CHROMEDRIVER` (optional, default `chromedriver` on PATH). [`Harness::with_server`] drives
//! the browser against another server instead (see `tests/third_party.rs`).

pub mod agent;
pub mod cdp;
pub mod probe;
pub mod widget;

pub use widget::{
    button, field, messages, send_message, submit_survey, text_of, wait_for_message,
    wait_for_panel, ADA, ADA_REQUIRED, ENTER,
};

use std::path::PathBuf;
use std::process::Stdio;
use std::time::{Duration, Instant};

use fantoccini::elements::ShadowRoot;
use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::{json, Value};
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

/// How long any wait for the page may take before the test fails.
pub const WAIT: Duration = Duration::from_secs(20);

/// A running dev server, ChromeDriver and browser session.
pub struct Harness {
    pub client: Client,
    /// Base URL of the dev server, e.g. `http://127.0.0.1:41234/`.
    pub url: String,
    driver_url: String,
    extra_clients: Vec<Client>,
    server_args: Vec<String>,
    server: Child,
    _driver: Child,
    _profile: TempDir,
    _extra_profiles: Vec<TempDir>,
}

impl Harness {
    /// Starts everything with extra dev server arguments.
    pub async fn start(server_args: &[&str]) -> Harness {
        Harness::start_with_chrome_args(server_args, &[]).await
    }

    /// Starts everything with extra dev server arguments and extra Chromium flags (e.g. the
    /// benchmark's `--enable-precise-memory-info`). The browser always gets a fresh profile.
    pub async fn start_with_chrome_args(server_args: &[&str], chrome_args: &[&str]) -> Harness {
        let server_args: Vec<String> = server_args.iter().map(|a| a.to_string()).collect();
        let (server, url) = start_server(&server_args, 0).await;
        let mut harness = Harness::with_server(server, url, chrome_args).await;
        harness.server_args = server_args;
        harness
    }

    /// Starts ChromeDriver and the browser against a server that already runs (the dev
    /// server, or another one from [`spawn_server`] such as the third-party test's), with
    /// extra Chromium flags. Owns `server` (killed on drop); `url` is its base URL.
    /// [`Harness::restart_server`] restarts the dev server only.
    pub async fn with_server(server: Child, url: String, chrome_args: &[&str]) -> Harness {
        let profile = TempDir::new("hc-e2e-profile");
        let (driver, driver_url) = start_driver().await;
        let client = ClientBuilder::native()
            .capabilities(chrome_caps(&profile, chrome_args))
            .connect(&driver_url)
            .await
            .expect("connect to chromedriver");
        Harness {
            client,
            url,
            driver_url,
            extra_clients: Vec::new(),
            server_args: Vec::new(),
            server,
            _driver: driver,
            _profile: profile,
            _extra_profiles: Vec::new(),
        }
    }

    /// Kills the dev server (SIGKILL, no goodbye) and leaves it down.
    pub async fn kill_server(&mut self) {
        self.server.kill().await.expect("kill dev server");
    }

    /// Starts the dev server again on the same port with the same arguments.
    pub async fn restart_server(&mut self) {
        let port = self
            .url
            .trim_end_matches('/')
            .rsplit(':')
            .next()
            .and_then(|p| p.parse().ok())
            .expect("port");
        let (server, url) = start_server(&self.server_args, port).await;
        assert_eq!(url, self.url, "same address after the restart");
        self.server = server;
    }

    /// ChromeDriver's base URL (for endpoints fantoccini has no method for, like
    /// `POST /session/{id}/goog/cdp/execute`).
    pub fn driver_url(&self) -> &str {
        &self.driver_url
    }

    /// Ends the browser sessions (the processes are killed on drop).
    pub async fn finish(self) {
        for client in self.extra_clients.iter().chain([&self.client]) {
            let _ = client.clone().close().await;
        }
    }

    /// Opens a page of the dev server (path like `/demo-bridge.html`) and waits for the widget.
    pub async fn open_page(&self, path: &str) -> ShadowRoot {
        let url = format!("{}{}", self.url.trim_end_matches('/'), path);
        self.client.goto(&url).await.expect("open page");
        self.widget().await
    }

    /// Opens the demo page and waits for the widget's launcher.
    pub async fn open_demo(&self) -> ShadowRoot {
        self.client.goto(&self.url).await.expect("open demo page");
        self.widget().await
    }

    /// The widget's shadow root, once the widget is mounted.
    pub async fn widget(&self) -> ShadowRoot {
        let host = self
            .client
            .wait()
            .at_most(WAIT)
            .for_element(Locator::Css("[data-handoff-chat]"))
            .await;
        let shadow = host
            .expect("widget host element")
            .shadow_root()
            .await
            .expect("open shadow root");
        // The loader draws a placeholder launcher at once; the widget swaps in its own when
        // the wasm is mounted ("handoff-chat:ready"), so wait for that before touching it.
        let ready = "return performance.getEntriesByName('handoff-chat:ready').length > 0";
        wait_until("widget mounted", || async {
            self.client.execute(ready, vec![]).await.ok() == Some(Value::Bool(true))
        })
        .await;
        shadow
    }

    /// Saves a PNG of the viewport as `<E2E_SCREENSHOTS>/<name>.png` when that variable
    /// names a folder (for looking at what a visitor sees); does nothing otherwise.
    pub async fn screenshot(&self, name: &str) {
        if let Ok(dir) = std::env::var("E2E_SCREENSHOTS") {
            let png = self.client.screenshot().await.expect("screenshot");
            std::fs::create_dir_all(&dir).expect("screenshot folder");
            std::fs::write(PathBuf::from(dir).join(format!("{name}.png")), png)
                .expect("write screenshot");
        }
    }

    /// Runs JavaScript in the page and returns its result.
    pub async fn js(&self, script: &str) -> Value {
        self.client
            .execute(script, vec![])
            .await
            .expect("script runs")
    }

    /// Calls one of the dev server's JSON APIs (fault injection, agent console) from the
    /// page, which is same-origin with it. Panics unless the answer is 2xx; returns its body.
    pub async fn api(&self, method: &str, path: &str, body: Option<Value>) -> Value {
        self.api_with(method, path, json!({}), body).await
    }

    /// [`Harness::api`] with more request headers (`{"name": "value"}`), e.g. an agent's
    /// `X-Agent-Session`.
    pub async fn api_with(
        &self,
        method: &str,
        path: &str,
        headers: Value,
        body: Option<Value>,
    ) -> Value {
        let script = "const [method, path, headers, body, done] = arguments;
            fetch(path, {method, headers: {...headers, 'Content-Type': 'application/json'},
                         body: body === null ? undefined : JSON.stringify(body)})
              .then(async r => done({status: r.status, body: await r.text()}), e => done({status: 0, body: String(e)}));";
        let args = vec![
            json!(method),
            json!(path),
            headers,
            body.unwrap_or(Value::Null),
        ];
        let answer = self
            .client
            .execute_async(script, args)
            .await
            .expect("API call runs");
        let status = answer["status"].as_u64().unwrap_or(0);
        let text = answer["body"].as_str().unwrap_or_default();
        assert!(
            (200..300).contains(&status),
            "{method} {path}: {status} {text}"
        );
        serde_json::from_str(text).unwrap_or(Value::Null)
    }

    /// A second, separate browser (its own profile) on the same ChromeDriver, e.g. for the
    /// live-agent console next to the visitor's page.
    pub async fn second_browser(&mut self) -> Client {
        let profile = TempDir::new("hc-e2e-profile2");
        let client = ClientBuilder::native()
            .capabilities(chrome_caps(&profile, &[]))
            .connect(&self.driver_url)
            .await
            .expect("second browser session");
        self._extra_profiles.push(profile);
        self.extra_clients.push(client.clone());
        client
    }
}

/// Polls `find` until it yields a value or [`WAIT`] passes.
pub async fn wait_for<T, F, Fut>(what: &str, mut find: F) -> T
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Option<T>>,
{
    let start = Instant::now();
    loop {
        if let Some(value) = find().await {
            return value;
        }
        assert!(start.elapsed() < WAIT, "timed out waiting for: {what}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Polls `check` until it is true or [`WAIT`] passes.
pub async fn wait_until<F, Fut>(what: &str, mut check: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let start = Instant::now();
    while !check().await {
        assert!(start.elapsed() < WAIT, "timed out waiting for: {what}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Headless Chromium capabilities: loopback only, a fresh profile, plus `extra` flags.
fn chrome_caps(profile: &TempDir, extra: &[&str]) -> serde_json::Map<String, Value> {
    let mut args = json!([
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--window-size=1280,900",
        "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1",
        format!("--user-data-dir={}", profile.0.display()),
    ]);
    if let Some(list) = args.as_array_mut() {
        list.extend(extra.iter().map(|a| json!(a)));
    }
    let mut caps = serde_json::Map::new();
    caps.insert("goog:chromeOptions".into(), json!({ "args": args }));
    caps
}

async fn start_server(args: &[String], port: u16) -> (Child, String) {
    let bin = std::env::var("DEVSERVER_BIN").unwrap_or_else(|_| "../target/debug/devserver".into());
    let dist = std::env::var("DIST_DIR").unwrap_or_else(|_| "../dist".into());
    let mut command = Command::new(&bin);
    command
        .args(["--port", &port.to_string(), "--dist", &dist])
        .args(args);
    spawn_server(command).await
}

/// Spawns a server that prints its URL as the last word of its first stdout line (like
/// `handoff-chat dev server: http://127.0.0.1:PORT/`); returns the process (killed on drop,
/// its stderr passed through) and that URL.
pub async fn spawn_server(mut command: Command) -> (Child, String) {
    let mut child = command
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .kill_on_drop(true)
        .spawn()
        .unwrap_or_else(|e| panic!("start {:?}: {e}", command.as_std().get_program()));
    let stdout = child.stdout.take().expect("stdout");
    let mut lines = BufReader::new(stdout).lines();
    let line = tokio::time::timeout(WAIT, lines.next_line())
        .await
        .expect("server printed its URL in time")
        .expect("read stdout")
        .expect("a line");
    let url = line
        .split_whitespace()
        .last()
        .expect("URL on the line")
        .to_owned();
    assert!(
        url.starts_with("http://127.0.0.1:"),
        "unexpected line: {line}"
    );
    // Keep draining stdout so the server never blocks on a full pipe.
    tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
    (child, url)
}

async fn start_driver() -> (Child, String) {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .expect("a free port on 127.0.0.1 for chromedriver")
        .port();
    let bin = std::env::var("CHROMEDRIVER").unwrap_or_else(|_| "chromedriver".into());
    let child = Command::new(&bin)
        .arg(format!("--port={port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .unwrap_or_else(|e| panic!("start {bin}: {e}"));
    wait_until("chromedriver listening", || async move {
        tokio::net::TcpStream::connect(("127.0.0.1", port))
            .await
            .is_ok()
    })
    .await;
    (child, format!("http://127.0.0.1:{port}"))
}

/// A temporary directory removed on drop.
struct TempDir(PathBuf);

impl TempDir {
    fn new(prefix: &str) -> Self {
        let path =
            std::env::temp_dir().join(format!("{prefix}-{}-{}", std::process::id(), nanos()));
        std::fs::create_dir_all(&path).expect("temp dir");
        TempDir(path)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        // A test that panicked never closed its browser: end whatever still runs on this
        // profile, so no Chromium outlives the test run.
        let _ = std::process::Command::new("pkill")
            .arg("-f")
            .arg(&self.0)
            .status();
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn nanos() -> u128 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos())
}
