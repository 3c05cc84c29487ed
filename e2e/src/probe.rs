//! Watching the widget from outside during long runs (the soak test), so that a failure
//! explains itself: what the widget's connection was doing, what it had stored, what the
//! server had. The widget defines no globals for this; everything is read from the page.
//!
//! - [`Probe::install`], before the page loads: a script that runs before any page script
//!   (CDP `Page.addScriptToEvaluateOnNewDocument`, through [`Cdp`]) and records, under a
//!   `Symbol` key on `window`: every WebSocket (opened, closed and why, frames, last frame),
//!   the Direct Line requests by kind (count, failed, in flight, the last one's times and
//!   status) through a `fetch` wrapper, and when each transcript text first appeared (a
//!   `MutationObserver` on every shadow root). Optionally throttles the CPU
//!   (`Emulation.setCPUThrottlingRate`).
//! - [`Probe::first_seen`]: those appearance times, to measure how long messages took.
//! - [`Probe::report`]: the state as text: the connection banner, sockets and requests, the
//!   stored session (`handoff-chat:*` in session or local storage, see
//!   `core/src/session/stored.rs`: watermark, undelivered outbox), the transcript's delivery
//!   states, and the server's view (armed faults, each conversation's activities).
//!
//! Times are wall-clock milliseconds (`Date.now()` in the page, [`epoch_ms`] here), so
//! times taken by the test and by the page compare.

use std::collections::HashMap;
use std::fmt::Write as _;

use serde_json::{json, Value};

use crate::cdp::Cdp;
use crate::Harness;

/// Records sockets, Direct Line requests and transcript appearances; installed before any
/// page script. `fetch` is kept unwrapped as `probe.fetch` for the test's own requests.
const INSTALL: &str = r#"(() => {
  const KEY = Symbol.for('handoff-chat-probe');
  if (window[KEY]) return;
  const nativeFetch = window.fetch;
  const probe = { sockets: [], requests: {}, seen: new Map(),
                  fetch: (...args) => nativeFetch.apply(window, args) };
  Object.defineProperty(window, KEY, { value: probe });

  const NativeWebSocket = window.WebSocket;
  window.WebSocket = class WebSocket extends NativeWebSocket {
    constructor(...args) {
      super(...args);
      const s = { socket: this, url: String(args[0]).replace(/([?&]t=)[^&]*/, '$1…'),
                  created: Date.now(), opened: null, closed: null, code: null, reason: '',
                  errors: 0, frames: 0, lastFrame: null };
      probe.sockets.push(s);
      if (probe.sockets.length > 50) probe.sockets.shift();
      this.addEventListener('open', () => { s.opened = Date.now(); });
      this.addEventListener('message', () => { s.frames += 1; s.lastFrame = Date.now(); });
      this.addEventListener('error', () => { s.errors += 1; });
      this.addEventListener('close', e => { s.closed = Date.now(); s.code = e.code; s.reason = e.reason; });
    }
  };

  // "GET activities", "POST conversation", "hub GET activities", ...
  const kind = (method, url) => {
    const path = new URL(url, location.href).pathname;
    const m = path.match(/\/directline\/(?:conversations(?:\/[^/]+(\/activities)?)?|(.*))$/);
    if (!m) return null;
    const what = m[2] !== undefined ? m[2] : m[1] ? 'activities' : /conversations$/.test(path) ? 'conversations' : 'conversation';
    return (path.startsWith('/hub/') ? 'hub ' : '') + method + ' ' + what;
  };
  const record = (promise, input, init) => {
    const url = typeof input === 'string' ? input : String(input && input.url || input);
    const k = kind(String(init && init.method || input && input.method || 'GET').toUpperCase(), url);
    if (k === null) return;
    const stat = probe.requests[k] || (probe.requests[k] = { count: 0, failed: 0, out: 0, last: null });
    const r = { sent: Date.now(), answered: null, status: null, error: null };
    stat.count += 1; stat.out += 1; stat.last = r;
    promise.then(res => { r.answered = Date.now(); r.status = res.status; stat.out -= 1; if (!res.ok) stat.failed += 1; },
                 e => { r.answered = Date.now(); r.error = String(e && e.name || e); stat.out -= 1; stat.failed += 1; });
  };
  // The widget's requests go through untouched; a recording error never reaches them.
  window.fetch = function (input, init) {
    const promise = nativeFetch.apply(window, arguments);
    try { record(promise, input, init); } catch (_) {}
    return promise;
  };

  const note = node => {
    const el = node.nodeType === 1 ? node : node.parentElement;
    if (!el) return;
    const hit = el.closest('.hc-msg__text, .hc-notice');
    for (const t of hit ? [hit] : el.querySelectorAll('.hc-msg__text, .hc-notice')) {
      const text = t.textContent;
      if (text && !probe.seen.has(text)) probe.seen.set(text, Date.now());
    }
  };
  const attachShadow = Element.prototype.attachShadow;
  Element.prototype.attachShadow = function () {
    const root = attachShadow.apply(this, arguments);
    new MutationObserver(list => {
      for (const m of list) {
        if (m.type === 'characterData') note(m.target);
        else m.addedNodes.forEach(note);
      }
    }).observe(root, { childList: true, subtree: true, characterData: true });
    return root;
  };
})();"#;

/// Everything the page can tell about the widget, as JSON (see [`Probe::report`]).
const READ_STATE: &str = r#"
  const probe = window[Symbol.for('handoff-chat-probe')];
  const storageKey = s => { try { return Object.keys(s).find(k => k.startsWith('handoff-chat:')); } catch (_) { return undefined; } };
  const store = [sessionStorage, localStorage].find(storageKey);
  let stored = null;
  try { stored = store ? JSON.parse(store.getItem(storageKey(store))) : null; } catch (e) { stored = { error: String(e) }; }
  const root = document.querySelector('[data-handoff-chat]')?.shadowRoot;
  const entries = root ? [...root.querySelectorAll('.hc-transcript > *')] : [];
  const deliveries = {};
  for (const e of entries) { const d = e.dataset.delivery || 'notice'; deliveries[d] = (deliveries[d] || 0) + 1; }
  const text = e => e.querySelector('.hc-msg__text')?.textContent ?? e.textContent;
  const unreceived = entries.filter(e => e.dataset.delivery && e.dataset.delivery !== 'received')
    .map(e => e.dataset.delivery + ': ' + text(e));
  return {
    now: Date.now(), online: navigator.onLine, visibility: document.visibilityState,
    probe: !!probe,
    banner: root ? [...root.querySelectorAll('.hc-status')].map(e => e.textContent.trim()) : null,
    entries: entries.length, deliveries, unreceived: unreceived.slice(-10),
    tail: entries.slice(-5).map(text),
    stored,
    sockets: (probe?.sockets ?? []).map(s => ({ ...s, socket: undefined, state: s.socket.readyState })),
    requests: probe?.requests ?? {},
  };
"#;

/// Handle to the probe installed in the harness's browser.
#[derive(Clone, Copy)]
pub struct Probe;

impl Probe {
    /// Installs the probe for every page loaded from now on, and throttles the CPU when
    /// `cpu_throttle` is more than 1 (4.0: everything in the page runs four times slower).
    pub async fn install(h: &Harness, cpu_throttle: Option<f64>) -> Result<Probe, String> {
        let cdp = Cdp::new(h).await?;
        cdp.call(
            "Page.addScriptToEvaluateOnNewDocument",
            json!({ "source": INSTALL }),
        )
        .await?;
        if let Some(rate) = cpu_throttle.filter(|r| *r > 1.0) {
            cdp.call("Emulation.setCPUThrottlingRate", json!({ "rate": rate }))
                .await?;
        }
        Ok(Probe)
    }

    /// When each transcript text first appeared in the widget (wall-clock ms).
    pub async fn first_seen(&self, h: &Harness) -> HashMap<String, u64> {
        let script = "const p = window[Symbol.for('handoff-chat-probe')];
            return p ? Object.fromEntries(p.seen) : {};";
        match h.client.execute(script, vec![]).await {
            Ok(Value::Object(seen)) => seen
                .into_iter()
                .filter_map(|(text, t)| Some((text, t.as_f64()? as u64)))
                .collect(),
            _ => HashMap::new(),
        }
    }

    /// The widget's state and the server's view, as lines of text for a failure report.
    /// Never panics: what cannot be read is said.
    pub async fn report(&self, h: &Harness) -> String {
        match h.client.execute(READ_STATE, vec![]).await {
            Ok(state) => describe(&state) + &server_view(h, &state["stored"]).await,
            Err(e) => format!("widget state: the page could not be read: {e}\n"),
        }
    }
}

/// The page's state (from [`READ_STATE`]) as text.
fn describe(state: &Value) -> String {
    let now = state["now"].as_f64().unwrap_or(0.0);
    let ago = |t: &Value| match t.as_f64() {
        Some(t) => format!("{:.1} s ago", (now - t) / 1000.0),
        None => "never".to_owned(),
    };
    let mut lines = vec![format!(
        "banner: {}; navigator.onLine {}, page {}",
        state["banner"], state["online"], state["visibility"]
    )];
    if state["probe"] != json!(true) {
        lines.push("(no probe in this page: sockets and requests unknown)".into());
    }
    lines.push(transport(state, &ago));
    let sockets = state["sockets"].as_array().map_or(&[][..], Vec::as_slice);
    for s in sockets.iter().rev().take(3) {
        let state = s["state"]
            .as_u64()
            .and_then(|i| READY_STATES.get(i as usize));
        let reason = s["reason"].as_str().filter(|r| !r.is_empty());
        lines.push(format!(
            "  socket {}: {}, opened {}, {} frames, last frame {}, closed {} (code {}{}), {} errors",
            s["url"].as_str().unwrap_or("?"),
            state.unwrap_or(&"?"),
            ago(&s["opened"]),
            s["frames"],
            ago(&s["lastFrame"]),
            ago(&s["closed"]),
            s["code"],
            reason.map(|r| format!(" {r:?}")).unwrap_or_default(),
            s["errors"],
        ));
    }
    for (kind, r) in state["requests"].as_object().into_iter().flatten() {
        let last = &r["last"];
        let answer = match (&last["status"], &last["error"]) {
            (Value::Number(status), _) => format!("{status} {}", ago(&last["answered"])),
            (_, Value::String(error)) => format!("{error} {}", ago(&last["answered"])),
            _ => "no answer yet".to_owned(),
        };
        lines.push(format!(
            "{kind}: {} sent, {} failed, {} out; last sent {}, answered {answer}",
            r["count"],
            r["failed"],
            r["out"],
            ago(&last["sent"])
        ));
    }
    let stored = &state["stored"];
    if stored.is_null() {
        lines.push("no stored session (no handoff-chat:* key in storage)".into());
    }
    for name in ["bot", "hub"] {
        let link = &stored[name];
        if link["endpoint"].is_null() {
            continue;
        }
        // Undelivered activities are kept as their own JSON text.
        let pending: Vec<Value> = link["pending"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|p| serde_json::from_str::<Value>(p.as_str().unwrap_or("null")))
            .map(|a| a.map_or(Value::Null, |a| a["text"].clone()))
            .collect();
        lines.push(format!(
            "stored {name} link: conversation {}, watermark {}, outbox {} undelivered {}",
            link["endpoint"][0],
            link["watermark"],
            pending.len(),
            Value::from(pending)
        ));
    }
    lines.push(format!(
        "transcript: {} entries, by delivery {}; not received: {}; last: {}",
        state["entries"], state["deliveries"], state["unreceived"], state["tail"]
    ));
    let mut out = String::from("widget state (read from the page):\n");
    for line in lines {
        let _ = writeln!(out, "  {line}");
    }
    out
}

/// The server's view: armed faults, and each stored conversation's activities.
async fn server_view(h: &Harness, stored: &Value) -> String {
    let mut out = String::from("server:\n");
    let faults = server_json(h, "/_dev/faults", None).await;
    let _ = writeln!(
        out,
        "  faults armed: {}",
        faults.unwrap_or_else(Value::from)
    );
    for name in ["bot", "hub"] {
        if stored[name]["endpoint"].is_null() {
            continue;
        }
        let line = match conversation(h, stored, name).await {
            Ok(set) => {
                let activities = set["activities"].as_array().map_or(&[][..], Vec::as_slice);
                let last = activities.iter().rev().find(|a| a["type"] == "message");
                format!(
                    "{} activities, watermark {}, last message {}",
                    activities.len(),
                    set["watermark"],
                    last.map_or(&Value::Null, |a| &a["text"])
                )
            }
            Err(e) => e,
        };
        let _ = writeln!(out, "  {name} conversation: {line}");
    }
    out
}

/// `WebSocket.readyState` names.
const READY_STATES: [&str; 4] = ["CONNECTING", "OPEN", "CLOSING", "CLOSED"];

/// One line on the transport: the newest socket, or reads when no socket is open.
fn transport(state: &Value, ago: &dyn Fn(&Value) -> String) -> String {
    let sockets = state["sockets"].as_array().cloned().unwrap_or_default();
    let closed = sockets.iter().filter(|s| !s["closed"].is_null()).count();
    let reads = &state["requests"]["GET activities"];
    let reads = format!(
        "last read sent {}, {} out",
        ago(&reads["last"]["sent"]),
        reads["out"].as_u64().unwrap_or(0)
    );
    match sockets.iter().rev().find(|s| s["state"] == json!(1)) {
        Some(open) => format!(
            "transport: stream open since {}, last frame {} ({} sockets, {closed} closed); {reads}",
            ago(&open["opened"]),
            ago(&open["lastFrame"]),
            sockets.len()
        ),
        None => format!(
            "transport: no open stream ({} sockets, {closed} closed), so reads (polling): {reads}",
            sockets.len()
        ),
    }
}

/// The stored session's conversation on `link` (`bot` or `hub`), read from the server with
/// the conversation's own token: its activity set.
pub async fn conversation(h: &Harness, stored: &Value, link: &str) -> Result<Value, String> {
    // Stored as `"endpoint": [conversationId, token]` (core/src/session/stored.rs).
    let endpoint = &stored[link]["endpoint"];
    let (Some(id), Some(token)) = (endpoint[0].as_str(), endpoint[1].as_str()) else {
        return Err(format!("no {link} conversation stored"));
    };
    let base = if link == "hub" {
        "/hub/v3/directline"
    } else {
        "/v3/directline"
    };
    let path = format!("{base}/conversations/{id}/activities");
    server_json(h, &path, Some(token)).await
}

/// The widget's stored session (`handoff-chat:*` in session or local storage).
pub async fn stored_session(h: &Harness) -> Result<Value, String> {
    let script = "for (const s of [sessionStorage, localStorage]) {
          const k = Object.keys(s).find(k => k.startsWith('handoff-chat:'));
          if (k) return s.getItem(k);
        }
        return null;";
    let text = h
        .client
        .execute(script, vec![])
        .await
        .map_err(|e| e.to_string())?;
    let text = text.as_str().ok_or("no stored session")?;
    serde_json::from_str(text).map_err(|e| format!("stored session: {e}"))
}

/// `GET path` from the page, past the probe's request counts; the JSON answer of a 2xx.
async fn server_json(h: &Harness, path: &str, token: Option<&str>) -> Result<Value, String> {
    let script = "const [path, token, done] = arguments;
        const f = window[Symbol.for('handoff-chat-probe')]?.fetch ?? fetch;
        f(path, {headers: token ? {Authorization: `Bearer ${token}`} : {}})
          .then(async r => done({status: r.status, body: await r.text()}), e => done({status: 0, body: String(e)}));";
    let answer = h
        .client
        .execute_async(script, vec![json!(path), json!(token)])
        .await
        .map_err(|e| format!("GET {path}: {e}"))?;
    let status = answer["status"].as_u64().unwrap_or(0);
    let body = answer["body"].as_str().unwrap_or_default();
    if !(200..300).contains(&status) {
        return Err(format!("GET {path}: {status} {body}"));
    }
    serde_json::from_str(body).map_err(|e| format!("GET {path}: {e}: {body}"))
}

/// Now, in wall-clock milliseconds (the page's `Date.now()`).
pub fn epoch_ms() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as u64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_page_without_probe_or_session_is_still_described() {
        let text = describe(&json!({"now": 10_000, "banner": [], "entries": 0}));
        assert!(text.contains("no probe in this page"), "{text}");
        assert!(
            text.contains("no open stream (0 sockets, 0 closed)"),
            "{text}"
        );
        assert!(text.contains("no stored session"), "{text}");
    }

    #[test]
    fn the_stored_outbox_and_the_open_socket_are_named() {
        let text = describe(&json!({
            "now": 10_000, "probe": true,
            "sockets": [{"url": "ws://x/stream", "state": 1, "opened": 4_000, "frames": 3,
                         "lastFrame": 9_000, "closed": null, "code": null, "errors": 0}],
            "requests": {"GET activities": {"count": 2, "failed": 1, "out": 1,
                         "last": {"sent": 8_000, "answered": null, "status": null, "error": null}}},
            "stored": {"bot": {"endpoint": ["c1", "tok"], "watermark": "7",
                       "pending": ["{\"type\":\"message\",\"text\":\"hi\"}"]}},
        }));
        assert!(
            text.contains("stream open since 6.0 s ago, last frame 1.0 s ago"),
            "{text}"
        );
        assert!(text.contains("last read sent 2.0 s ago, 1 out"), "{text}");
        assert!(text.contains("GET activities: 2 sent, 1 failed, 1 out; last sent 2.0 s ago, answered no answer yet"), "{text}");
        assert!(
            text.contains(r#"watermark "7", outbox 1 undelivered ["hi"]"#),
            "{text}"
        );
    }
}
