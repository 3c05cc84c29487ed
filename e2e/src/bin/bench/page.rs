//! The benchmark's instrumentation and its way of running code in the page: the script
//! installed before any page script (wasm memory, WebSocket frames, long tasks, when the
//! launcher first shows), the helpers every step script starts with, and [`page`], which
//! runs one step script and returns what it measured.

use fantoccini::Client;
use serde_json::Value;

/// Longest wait for one interaction (open, submit, send, reply).
const STEP_TIMEOUT_MS: u64 = 20_000;

/// Installed before any page script (CDP `Page.addScriptToEvaluateOnNewDocument`). Bench
/// only: wraps WebAssembly instantiation to keep the exported memory, counts WebSocket
/// frames (and when the first and the last containing a watched string arrive), records
/// long tasks, and notes when the launcher first renders (for a loader without the User
/// Timing mark).
pub(crate) const INSTRUMENT: &str = r#"(() => {
  const bench = { memories: [], wasmAt: null, frames: 0, frameChars: 0, watches: [],
                  longTasks: [], launcherSeen: null };
  Object.defineProperty(window, Symbol.for('handoff-chat-bench'), { value: bench });
  const keep = result => {
    const instance = result instanceof WebAssembly.Instance ? result : result && result.instance;
    // Any exported memory: the build minifies export names (`memory` becomes a letter).
    const memory = instance && Object.values(instance.exports)
      .find(value => value instanceof WebAssembly.Memory);
    if (memory instanceof WebAssembly.Memory) {
      bench.memories.push(memory);
      if (bench.wasmAt === null) bench.wasmAt = performance.now();
    }
    return result;
  };
  const instantiate = WebAssembly.instantiate;
  WebAssembly.instantiate = function () { return instantiate.apply(this, arguments).then(keep); };
  const streaming = WebAssembly.instantiateStreaming;
  if (streaming) {
    WebAssembly.instantiateStreaming = function () { return streaming.apply(this, arguments).then(keep); };
  }
  const NativeWebSocket = window.WebSocket;
  window.WebSocket = class WebSocket extends NativeWebSocket {
    constructor(...args) {
      super(...args);
      this.addEventListener('message', event => {
        const t = performance.now();
        const data = typeof event.data === 'string' ? event.data : '';
        bench.frames += 1;
        bench.frameChars += data.length;
        for (const w of bench.watches) {
          if (data.includes(w.needle)) { w.hits += 1; w.last = t; if (w.t === null) w.t = t; }
        }
      });
    }
  };
  try {
    new PerformanceObserver(list => {
      for (const e of list.getEntries()) bench.longTasks.push([e.startTime, e.duration]);
    }).observe({ type: 'longtask', buffered: true });
  } catch (_) {}
  let observer = null;
  const check = () => {
    if (bench.launcherSeen !== null) return true;
    const shadow = document.querySelector('[data-handoff-chat]')?.shadowRoot;
    if (shadow && !observer) {
      observer = new MutationObserver(check);
      observer.observe(shadow, { subtree: true, childList: true, attributes: true });
    }
    const launcher = shadow?.querySelector('.hc-launcher');
    if (launcher && launcher.getClientRects().length > 0) {
      bench.launcherSeen = performance.now();
      observer?.disconnect();
      return true;
    }
    return false;
  };
  const frame = () => { if (!check()) requestAnimationFrame(frame); };
  requestAnimationFrame(frame);
})();"#;

/// Helpers every step script starts with. `waitFor(check, ms)` resolves with the
/// `performance.now()` at which `check()` first returned something truthy, testing at every
/// mutation in the shadow root and at every animation frame.
const PRELUDE: &str = r#"
  const bench = window[Symbol.for('handoff-chat-bench')];
  const root = () => document.querySelector('[data-handoff-chat]')?.shadowRoot ?? null;
  const $ = sel => root()?.querySelector(sel) ?? null;
  const $$ = sel => root() ? [...root().querySelectorAll(sel)] : [];
  const visible = el => !!el && el.isConnected && el.getClientRects().length > 0
    && getComputedStyle(el).visibility !== 'hidden';
  const frame = () => new Promise(resolve => requestAnimationFrame(resolve));
  const sleep = ms => new Promise(resolve => setTimeout(resolve, ms));
  const waitFor = (check, ms, what) => new Promise((resolve, reject) => {
    let finished = false, observer = null, observed = null;
    const finish = (value, error) => {
      if (finished) return;
      finished = true;
      const t = performance.now();
      observer?.disconnect();
      clearTimeout(timer);
      if (error) reject(new Error(error)); else resolve({ t, value });
    };
    const test = () => {
      if (finished) return;
      const r = root();
      if (r && r !== observed) {
        observer?.disconnect();
        observer = new MutationObserver(test);
        observer.observe(r, { subtree: true, childList: true, attributes: true, characterData: true });
        observed = r;
      }
      let value = null;
      try { value = check(); } catch (_) { value = null; }
      if (value) finish(value);
    };
    const tick = () => { if (!finished) { test(); requestAnimationFrame(tick); } };
    const timer = setTimeout(() => finish(null, 'timed out after ' + ms + ' ms waiting for ' + what), ms);
    test();
    requestAnimationFrame(tick);
  });
  const input = (el, value) => {
    el.value = value;
    el.dispatchEvent(new Event('input', { bubbles: true, composed: true }));
  };
  const enter = el => el.dispatchEvent(new KeyboardEvent('keydown',
    { key: 'Enter', code: 'Enter', keyCode: 13, bubbles: true, composed: true, cancelable: true }));
"#;

/// Progress on stderr with `BENCH_VERBOSE=1`.
pub(crate) fn trace(what: &str) {
    if std::env::var_os("BENCH_VERBOSE").is_some() {
        eprintln!("[bench]   {what}");
    }
}

/// Runs one step script in the page (async, its arguments in `args`) and returns its value.
pub(crate) async fn page(client: &Client, body: &str, args: Vec<Value>) -> Result<Value, String> {
    let script = format!(
        "const done = arguments[arguments.length - 1];
         const args = Array.prototype.slice.call(arguments, 0, -1);
         const STEP_MS = {STEP_TIMEOUT_MS};
         (async () => {{ {PRELUDE}\n{body} }})()
           .then(done, e => done({{ __error: String(e && e.message || e) }}));"
    );
    let value = client
        .execute_async(&script, args)
        .await
        .map_err(|e| format!("page script: {e}"))?;
    match value.get("__error").and_then(Value::as_str) {
        Some(error) => Err(error.to_owned()),
        None => Ok(value),
    }
}
