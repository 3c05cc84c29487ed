//! Performance benchmark: what a visitor downloads and how fast the widget answers, measured
//! in headless Chromium against the dev server on loopback.
//!
//! `cargo run --release -p e2e --bin bench -- [--runs 5] [--out target/bench/results.json]
//! [--burst 1000] [--scroll 5000]` (or `bash scripts/bench.sh`, which builds everything first).
//!
//! Layout:
//! - sizes: the four widget files raw, `gzip -9` and `brotli -q 11` (the CLIs), checked against
//!   the brotli budget; over budget exits 1 after everything is printed and written.
//! - runs: each run starts its own dev server, ChromeDriver and browser with a fresh profile
//!   (see [`e2e::Harness`]), so the first page load is a cold start (empty HTTP and code cache)
//!   and the visitor gets a fresh conversation. Every timing is taken INSIDE the page with
//!   `performance.now()` (one `execute_async` script per step that acts and then waits, checking
//!   at every DOM mutation and every animation frame), never from WebDriver round trips.
//! - instrumentation, bench-only and installed before any page script through ChromeDriver's
//!   CDP passthrough (`Page.addScriptToEvaluateOnNewDocument`): keeps the wasm instance's
//!   exported memory, counts WebSocket frames, records long tasks. It lives under a `Symbol`
//!   key on `window`; the product itself defines nothing.
//!
//! Exit codes: 0 ok, 1 the brotli total is over budget, 2 a run could not complete a step.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, Stdio};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use e2e::cdp::Cdp;
use e2e::Harness;
use fantoccini::wd::TimeoutConfiguration;
use fantoccini::Client;
use serde_json::{json, Value};

/// Brotli budget for everything the page loads for the widget (150 KiB).
const BUDGET_BROTLI: u64 = 150 * 1024;
/// The files the page loads for the widget: loader, JS glue, wasm, stylesheet.
const WIDGET_FILES: [&str; 4] = [
    "handoff-chat.js",
    "handoff-chat-widget.js",
    "handoff-chat-widget_bg.wasm",
    "handoff-chat.css",
];
/// Chromium flags on top of the harness's: exact `performance.memory` numbers.
const CHROME_ARGS: [&str; 1] = ["--enable-precise-memory-info"];
/// Longest wait for one interaction (open, submit, send, reply).
const STEP_TIMEOUT_MS: u64 = 20_000;
/// Frames the transcript scroll takes from bottom to top.
const SCROLL_FRAMES: u32 = 120;
/// A frame longer than this counts as a visible stutter.
const JANK_FRAME_MS: f64 = 50.0;

const USAGE: &str = "usage: bench [--runs N] [--out FILE] [--burst N] [--scroll N]
  --runs N     runs, each with a fresh dev server and browser profile (default 5)
  --out FILE   JSON results (default target/bench/results.json)
  --burst N    bot messages in the burst (1..=10000, default 1000)
  --scroll N   transcript length for the scroll test (1..=10000, default 5000)
env: DEVSERVER_BIN (default target/release/devserver), DIST_DIR (default dist),
     CHROMEDRIVER (default chromedriver on PATH)";

// ---- what is measured ---------------------------------------------------------------------

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Unit {
    Ms,
    Count,
    Bytes,
}

impl Unit {
    fn label(self) -> &'static str {
        match self {
            Unit::Ms => "ms",
            Unit::Count => "count",
            Unit::Bytes => "MiB",
        }
    }
}

/// One reported metric: `id` names it in the JSON, `label` in the table.
struct Metric {
    id: &'static str,
    label: &'static str,
    unit: Unit,
}

const fn metric(id: &'static str, label: &'static str, unit: Unit) -> Metric {
    Metric { id, label, unit }
}

/// Every metric, in table order. Labels use `{burst}` / `{scroll}` for the configured sizes.
const METRICS: &[Metric] = &[
    metric(
        "cold.launcher_ms",
        "cold load: navigation → launcher visible",
        Unit::Ms,
    ),
    metric(
        "cold.wasm_instantiated_ms",
        "cold load: navigation → wasm instantiated",
        Unit::Ms,
    ),
    metric(
        "cold.ready_ms",
        "cold load: navigation → ready mark",
        Unit::Ms,
    ),
    metric(
        "warm.launcher_ms",
        "warm load: navigation → launcher visible",
        Unit::Ms,
    ),
    metric(
        "warm.wasm_instantiated_ms",
        "warm load: navigation → wasm instantiated",
        Unit::Ms,
    ),
    metric(
        "warm.ready_ms",
        "warm load: navigation → ready mark",
        Unit::Ms,
    ),
    metric(
        "chat.open_survey_ms",
        "launcher click → survey interactive",
        Unit::Ms,
    ),
    metric(
        "chat.first_bot_message_ms",
        "survey submit → first bot message",
        Unit::Ms,
    ),
    metric(
        "chat.own_message_ms",
        "Enter → own message visible",
        Unit::Ms,
    ),
    metric(
        "chat.reply_render_ms",
        "bot reply frame received → rendered",
        Unit::Ms,
    ),
    metric(
        "chat.reply_roundtrip_ms",
        "Enter → bot reply rendered",
        Unit::Ms,
    ),
    metric(
        "burst.all_rendered_ms",
        "burst {burst}: Enter → all rendered",
        Unit::Ms,
    ),
    metric(
        "burst.first_frame_to_all_ms",
        "burst {burst}: first frame → all rendered",
        Unit::Ms,
    ),
    metric(
        "burst.stream_frames",
        "burst {burst}: WebSocket frames carrying it",
        Unit::Count,
    ),
    metric(
        "burst.out_of_order",
        "burst {burst}: messages out of order",
        Unit::Count,
    ),
    metric(
        "burst.long_tasks",
        "burst {burst}: long tasks (> 50 ms)",
        Unit::Count,
    ),
    metric(
        "burst.long_task_total_ms",
        "burst {burst}: long tasks, total",
        Unit::Ms,
    ),
    metric(
        "burst.long_task_max_ms",
        "burst {burst}: longest task",
        Unit::Ms,
    ),
    metric(
        "heap.js_before_burst",
        "JS heap before the burst (after GC)",
        Unit::Bytes,
    ),
    metric(
        "heap.js_after_burst",
        "JS heap after the burst (after GC)",
        Unit::Bytes,
    ),
    metric(
        "heap.wasm_before_burst",
        "wasm memory before the burst",
        Unit::Bytes,
    ),
    metric(
        "heap.wasm_after_burst",
        "wasm memory after the burst",
        Unit::Bytes,
    ),
    metric(
        "heap.dom_nodes_after_burst",
        "shadow DOM elements after the burst",
        Unit::Count,
    ),
    metric(
        "scroll.all_rendered_ms",
        "burst {scroll}: Enter → all rendered",
        Unit::Ms,
    ),
    metric(
        "scroll.frame_p50_ms",
        "scroll {scroll}: frame time p50",
        Unit::Ms,
    ),
    metric(
        "scroll.frame_p95_ms",
        "scroll {scroll}: frame time p95",
        Unit::Ms,
    ),
    metric(
        "scroll.frame_max_ms",
        "scroll {scroll}: frame time max",
        Unit::Ms,
    ),
    metric(
        "scroll.frames_over_50ms",
        "scroll {scroll}: frames > 50 ms",
        Unit::Count,
    ),
];

/// Samples per metric id, one per run that measured it.
type Samples = BTreeMap<&'static str, Vec<f64>>;

fn record(samples: &mut Samples, id: &'static str, value: Option<f64>) {
    debug_assert!(METRICS.iter().any(|m| m.id == id), "unknown metric {id}");
    if let Some(v) = value.filter(|v| v.is_finite()) {
        samples.entry(id).or_default().push(v);
    }
}

// ---- arguments ----------------------------------------------------------------------------

struct Args {
    runs: u32,
    out: PathBuf,
    burst: u32,
    scroll: u32,
}

fn parse_args() -> Result<Args, String> {
    let mut args = Args {
        runs: 5,
        out: PathBuf::from("target/bench/results.json"),
        burst: 1000,
        scroll: 5000,
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        if flag == "-h" || flag == "--help" {
            return Err(String::new());
        }
        let value = it.next().ok_or_else(|| format!("{flag} needs a value"))?;
        let count = |max: u32| {
            value
                .parse::<u32>()
                .ok()
                .filter(|n| (1..=max).contains(n))
                .ok_or_else(|| format!("{flag}: expected 1..={max}, got {value:?}"))
        };
        match flag.as_str() {
            "--runs" => args.runs = count(100)?,
            "--burst" => args.burst = count(10_000)?,
            "--scroll" => args.scroll = count(10_000)?,
            "--out" => args.out = PathBuf::from(&value),
            _ => return Err(format!("unknown argument {flag:?}")),
        }
    }
    Ok(args)
}

// ---- main ---------------------------------------------------------------------------------

fn main() -> ExitCode {
    let args = match parse_args() {
        Ok(args) => args,
        Err(message) if message.is_empty() => {
            println!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Err(message) => {
            eprintln!("bench: {message}\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    // Defaults for running from the workspace root; set before any thread exists.
    for (key, default) in [
        ("DEVSERVER_BIN", "target/release/devserver"),
        ("DIST_DIR", "dist"),
    ] {
        if std::env::var_os(key).is_none() {
            std::env::set_var(key, default);
        }
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("tokio runtime");
    runtime.block_on(bench(args))
}

async fn bench(args: Args) -> ExitCode {
    let started = Instant::now();
    let dist = PathBuf::from(std::env::var("DIST_DIR").unwrap_or_default());
    let sizes = match measure_sizes(&dist) {
        Ok(sizes) => sizes,
        Err(e) => {
            eprintln!("bench: sizes: {e}");
            return ExitCode::from(2);
        }
    };
    print_sizes(&sizes);

    let mut samples = Samples::new();
    let mut scroll_frames: Vec<Vec<f64>> = Vec::new();
    let mut errors = Vec::new();
    let mut extra = RunExtras::default();
    for run in 1..=args.runs {
        let run_start = Instant::now();
        eprint!("[bench] run {run}/{}: ", args.runs);
        match run_once(&args, &mut samples, &mut scroll_frames, &mut extra).await {
            Ok(()) => eprintln!("ok ({:.1} s)", run_start.elapsed().as_secs_f64()),
            Err(e) => {
                eprintln!("FAILED: {e}");
                errors.push(format!("run {run}: {e}"));
            }
        }
    }

    let summary = summarize(&samples, &args);
    print_table(&summary, &args);
    let over_budget = sizes.total.brotli > BUDGET_BROTLI;
    let elapsed = started.elapsed().as_secs_f64();
    let results = json!({
        "schema": 1,
        "unix_time": SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs()),
        "elapsed_s": round2(elapsed),
        "machine": machine_info(extra.browser_version.as_deref()),
        "settings": {"runs": args.runs, "burst": args.burst, "scroll": args.scroll,
                     "scroll_frames": SCROLL_FRAMES, "jank_frame_ms": JANK_FRAME_MS},
        "sizes": sizes.to_json(),
        "metrics": summary.iter().map(MetricSummary::to_json).collect::<Vec<_>>(),
        "scroll_frame_ms": scroll_frames.iter()
            .map(|run| run.iter().map(|v| round2(*v)).collect::<Vec<_>>()).collect::<Vec<_>>(),
        "loaded_resources": extra.resources,
        "notes": extra.notes,
        "errors": errors,
    });
    if let Err(e) = write_json(&args.out, &results) {
        eprintln!("bench: writing {}: {e}", args.out.display());
    } else {
        println!("results: {} ({elapsed:.0} s)", args.out.display());
    }
    for note in &extra.notes {
        println!("note: {note}");
    }
    for error in &errors {
        println!("error: {error}");
    }
    if over_budget {
        println!(
            "FAIL: widget brotli total {} B > budget {BUDGET_BROTLI} B ({:.1} KiB > {:.0} KiB)",
            sizes.total.brotli,
            sizes.total.brotli as f64 / 1024.0,
            BUDGET_BROTLI as f64 / 1024.0
        );
        return ExitCode::from(1);
    }
    println!(
        "size budget ok: widget brotli total {} B ≤ {BUDGET_BROTLI} B",
        sizes.total.brotli
    );
    if errors.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(2)
    }
}

/// Things learnt along the way that are not per-run samples.
#[derive(Default)]
struct RunExtras {
    browser_version: Option<String>,
    /// What the cold and the warm page load fetched (first run), from Resource Timing.
    resources: Value,
    notes: Vec<String>,
}

impl RunExtras {
    fn note(&mut self, note: String) {
        if !self.notes.contains(&note) {
            self.notes.push(note);
        }
    }
}

// ---- one run ------------------------------------------------------------------------------

/// One run: fresh dev server, ChromeDriver and browser profile.
async fn run_once(
    args: &Args,
    samples: &mut Samples,
    scroll_frames: &mut Vec<Vec<f64>>,
    extra: &mut RunExtras,
) -> Result<(), String> {
    let h = Harness::start_with_chrome_args(&[], &CHROME_ARGS).await;
    let result = measure_run(&h, args, samples, scroll_frames, extra).await;
    h.finish().await;
    result
}

async fn measure_run(
    h: &Harness,
    args: &Args,
    samples: &mut Samples,
    scroll_frames: &mut Vec<Vec<f64>>,
    extra: &mut RunExtras,
) -> Result<(), String> {
    let client = &h.client;
    client
        .update_timeouts(TimeoutConfiguration::new(
            Some(Duration::from_secs(300)),
            Some(Duration::from_secs(60)),
            Some(Duration::ZERO),
        ))
        .await
        .map_err(|e| format!("set timeouts: {e}"))?;
    if extra.browser_version.is_none() {
        extra.browser_version = client
            .capabilities()
            .and_then(|c| c.get("browserVersion"))
            .and_then(Value::as_str)
            .map(str::to_owned);
    }
    trace("instrumentation");
    let cdp = Cdp::new(h).await?;
    cdp.call(
        "Page.addScriptToEvaluateOnNewDocument",
        json!({ "source": INSTRUMENT }),
    )
    .await?;

    trace("cold load");
    // Cold: the profile is new, so HTTP cache and V8/wasm code caches are empty.
    let cold = load(h, "cold", samples).await?;
    if extra.resources.is_null() {
        check_resources(&cold["resources"], extra);
        extra.resources = json!({ "cold": cold["resources"] });
    }
    if cold["marked"] != json!(true) {
        extra.note(
            "no `handoff-chat:launcher` User Timing mark: launcher time is when the bench first \
             saw `.hc-launcher` rendered (mutation/frame polling), and there is no ready time"
                .into(),
        );
    }
    // Warm: the same profile loads the page again with its cache (the dev server answers
    // `no-cache`, so files are revalidated: 304s, bodies and compiled code from the cache).
    trace("warm load");
    let warm = load(h, "warm", samples).await?;
    if extra.resources.get("warm").is_none() {
        extra.resources["warm"] = warm["resources"].clone();
    }

    // A visitor's first chat, on the warm page.
    trace("chat");
    let open = page(client, OPEN_SURVEY, vec![]).await?;
    record(samples, "chat.open_survey_ms", open["ms"].as_f64());
    if open["focused"] != json!(true) {
        extra.note("the survey's first field was not focused when it appeared".into());
    }
    let submit = page(client, SUBMIT_SURVEY, vec![]).await?;
    record(samples, "chat.first_bot_message_ms", submit["ms"].as_f64());
    let chat = page(client, SEND, vec![json!("opening hours"), json!("Monday")]).await?;
    record(samples, "chat.own_message_ms", chat["own"].as_f64());
    record(samples, "chat.reply_roundtrip_ms", chat["reply"].as_f64());
    record(
        samples,
        "chat.reply_render_ms",
        chat["frameToRender"].as_f64(),
    );
    if chat["frameToRender"].is_null() {
        extra
            .note("no WebSocket frame carried the reply (polling?): no frame → render time".into());
    }

    // Burst in the same conversation, with the heap before and after.
    trace("burst");
    let before = heap(client, &cdp, extra).await?;
    record(samples, "heap.js_before_burst", before["js"].as_f64());
    record(samples, "heap.wasm_before_burst", before["wasm"].as_f64());
    let burst = page(
        client,
        BURST,
        vec![json!(args.burst), json!(burst_timeout(args.burst))],
    )
    .await?;
    record(samples, "burst.all_rendered_ms", burst["ms"].as_f64());
    record(
        samples,
        "burst.first_frame_to_all_ms",
        burst["firstFrameToAll"].as_f64(),
    );
    record(samples, "burst.stream_frames", burst["frames"].as_f64());
    record(samples, "burst.out_of_order", burst["outOfOrder"].as_f64());
    record(samples, "burst.long_tasks", burst["longTasks"].as_f64());
    record(
        samples,
        "burst.long_task_total_ms",
        burst["longTaskMs"].as_f64(),
    );
    record(
        samples,
        "burst.long_task_max_ms",
        burst["longTaskMax"].as_f64(),
    );
    if burst["count"].as_u64() != Some(u64::from(args.burst)) {
        extra.note(format!(
            "burst: expected {} burst bubbles, found {} (duplicates?)",
            args.burst, burst["count"]
        ));
    }
    let after = heap(client, &cdp, extra).await?;
    record(samples, "heap.js_after_burst", after["js"].as_f64());
    record(samples, "heap.wasm_after_burst", after["wasm"].as_f64());
    record(
        samples,
        "heap.dom_nodes_after_burst",
        after["nodes"].as_f64(),
    );

    trace("scroll test");
    // A fresh chat with a long transcript, scrolled. The widget keeps its session in browser
    // storage and resumes it after a reload, so forget it first: the reload starts anew.
    client
        .execute("sessionStorage.clear(); localStorage.clear();", vec![])
        .await
        .map_err(|e| format!("clear storage: {e}"))?;
    client
        .goto(&h.url)
        .await
        .map_err(|e| format!("reload for the scroll test: {e}"))?;
    page(client, WAIT_LOADED, vec![]).await?;
    page(client, OPEN_SURVEY, vec![]).await?;
    page(client, SUBMIT_SURVEY, vec![]).await?;
    let long = page(
        client,
        BURST,
        vec![json!(args.scroll), json!(burst_timeout(args.scroll))],
    )
    .await?;
    record(samples, "scroll.all_rendered_ms", long["ms"].as_f64());
    let scroll = page(client, SCROLL, vec![json!(SCROLL_FRAMES)]).await?;
    let frames: Vec<f64> = scroll["deltas"]
        .as_array()
        .map(|a| a.iter().filter_map(Value::as_f64).collect())
        .unwrap_or_default();
    if frames.is_empty() {
        return Err(format!("scroll measured no frames: {scroll}"));
    }
    if scroll["range"].as_f64().unwrap_or(0.0) <= 0.0 {
        extra.note("scroll: the transcript did not overflow, nothing to scroll".into());
    }
    record(
        samples,
        "scroll.frame_p50_ms",
        Some(percentile(&frames, 50.0)),
    );
    record(
        samples,
        "scroll.frame_p95_ms",
        Some(percentile(&frames, 95.0)),
    );
    record(
        samples,
        "scroll.frame_max_ms",
        frames.iter().copied().reduce(f64::max),
    );
    let janky = frames.iter().filter(|f| **f > JANK_FRAME_MS).count();
    record(samples, "scroll.frames_over_50ms", Some(janky as f64));
    scroll_frames.push(frames);
    Ok(())
}

/// Loads the demo page and records navigation → launcher / wasm / ready under `prefix`.
async fn load(h: &Harness, prefix: &str, samples: &mut Samples) -> Result<Value, String> {
    h.client
        .goto(&h.url)
        .await
        .map_err(|e| format!("{prefix} load: {e}"))?;
    let loaded = page(&h.client, WAIT_LOADED, vec![]).await?;
    let (launcher, wasm, ready) = match prefix {
        "cold" => (
            "cold.launcher_ms",
            "cold.wasm_instantiated_ms",
            "cold.ready_ms",
        ),
        _ => (
            "warm.launcher_ms",
            "warm.wasm_instantiated_ms",
            "warm.ready_ms",
        ),
    };
    record(samples, launcher, loaded["launcher"].as_f64());
    record(samples, wasm, loaded["wasm"].as_f64());
    record(samples, ready, loaded["ready"].as_f64());
    Ok(loaded)
}

/// Forces a garbage collection, then reads the JS heap and the wasm linear memory.
async fn heap(client: &Client, cdp: &Cdp, extra: &mut RunExtras) -> Result<Value, String> {
    if let Err(e) = cdp.call("HeapProfiler.collectGarbage", json!({})).await {
        extra.note(format!("heap is read without a forced GC ({e})"));
    }
    let heap = page(client, HEAP, vec![]).await?;
    if heap["js"].is_null() {
        extra.note("performance.memory is not available: no JS heap numbers".into());
    }
    if heap["wasm"].is_null() {
        extra.note("no wasm memory was captured at instantiation: no wasm heap numbers".into());
    }
    Ok(heap)
}

fn burst_timeout(count: u32) -> u64 {
    30_000 + u64::from(count) * 30
}

/// Warns when the page loads widget files other than the four budgeted ones (a new chunk,
/// a second wasm): anything named `handoff-chat*` or ending in `.wasm`. The host page's own
/// files and the Direct Line API are not the widget's.
fn check_resources(resources: &Value, extra: &mut RunExtras) {
    let Some(list) = resources.as_array() else {
        return;
    };
    for entry in list {
        let name = entry["name"].as_str().unwrap_or_default();
        let path = name.split(['?', '#']).next().unwrap_or_default();
        let file = path.rsplit('/').next().unwrap_or_default();
        let widget_like = file.starts_with("handoff-chat") || file.ends_with(".wasm");
        if widget_like && !WIDGET_FILES.contains(&file) {
            extra.note(format!(
                "the page loaded {file}, which is not one of the budgeted widget files"
            ));
        }
    }
}

// ---- in-page scripts ----------------------------------------------------------------------

/// Installed before any page script (CDP `Page.addScriptToEvaluateOnNewDocument`). Bench
/// only: wraps WebAssembly instantiation to keep the exported memory, counts WebSocket
/// frames (and when ones containing a watched string arrive), records long tasks, and notes
/// when the launcher first renders (for a loader without the User Timing mark).
const INSTRUMENT: &str = r#"(() => {
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
          if (data.includes(w.needle)) { w.hits += 1; if (w.t === null) w.t = t; }
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

/// After navigation: launcher time (User Timing mark, else the instrumentation's), wasm
/// instantiation, ready mark, and what the page fetched.
const WAIT_LOADED: &str = r#"
  const mark = name => performance.getEntriesByName(name)[0]?.startTime ?? null;
  const r = await waitFor(() => {
    const marked = mark('handoff-chat:launcher');
    const launcher = marked ?? bench.launcherSeen;
    if (launcher === null) return null;
    // A loader that marks the launcher also marks the mounted widget: wait for it.
    if (marked !== null && mark('handoff-chat:ready') === null) return null;
    if (!visible($('.hc-launcher'))) return null;
    return { launcher, marked: marked !== null };
  }, STEP_MS, 'the launcher');
  await frame();
  const resources = performance.getEntriesByType('resource').map(e => ({
    name: e.name, initiator: e.initiatorType, transferSize: e.transferSize,
    encodedBodySize: e.encodedBodySize, decodedBodySize: e.decodedBodySize,
    durationMs: Math.round(e.duration * 10) / 10 }));
  return { launcher: r.value.launcher, marked: r.value.marked, ready: mark('handoff-chat:ready'),
           wasm: bench.wasmAt, resources };
"#;

/// Launcher click → the survey's first field is present and visible.
const OPEN_SURVEY: &str = r#"
  const launcher = $('.hc-launcher');
  if (!launcher) throw new Error('no launcher');
  const t0 = performance.now();
  launcher.click();
  const r = await waitFor(() => {
    const field = $('#hc-field-firstName');
    return visible(field) ? { focused: root().activeElement === field } : null;
  }, STEP_MS, 'the survey');
  return { ms: r.t - t0, focused: r.value.focused };
"#;

/// Fills the required survey fields, submits → the first bot message is rendered.
const SUBMIT_SURVEY: &str = r#"
  input($('#hc-field-firstName'), 'Ada');
  input($('#hc-field-email'), 'ada@example.com');
  const submit = $('.hc-survey button[type=submit]') ?? $('button[type=submit]');
  const t0 = performance.now();
  submit.click();
  const r = await waitFor(() => $$('.hc-msg--bot').find(visible), STEP_MS, 'the first bot message');
  await waitFor(() => visible($('#hc-message')), STEP_MS, 'the composer');
  return { ms: r.t - t0 };
"#;

/// Types `text` and presses Enter → own message visible → a bot message containing `needle`.
const SEND: &str = r#"
  const [text, needle] = args;
  const box = $('#hc-message');
  input(box, text);
  const known = new Set($$('.hc-msg--visitor'));
  const watch = { needle, t: null, hits: 0 };
  bench.watches.push(watch);
  const t0 = performance.now();
  enter(box);
  const own = await waitFor(() => $$('.hc-msg--visitor').find(el => !known.has(el) && visible(el)
    && el.querySelector('.hc-msg__text')?.textContent === text), STEP_MS, 'own message');
  const reply = await waitFor(() => $$('.hc-msg--bot .hc-msg__text')
    .find(el => el.textContent.includes(needle) && visible(el)), STEP_MS, 'the bot reply');
  return { own: own.t - t0, reply: reply.t - t0,
           frameToRender: watch.t === null ? null : reply.t - watch.t };
"#;

/// Sends `/burst N` → all N burst bubbles rendered; order, frames and long tasks.
const BURST: &str = r#"
  const [n, timeout] = args;
  const suffix = ' of ' + n;
  const first = { needle: '"Burst message 1' + suffix + '"', t: null, hits: 0 };
  const all = { needle: suffix + '"', t: null, hits: 0 };
  bench.watches.push(first, all);
  const list = () => $('.hc-transcript');
  const base = list().childElementCount;
  const box = $('#hc-message');
  input(box, '/burst ' + n);
  const t0 = performance.now();
  enter(box);
  const burstTexts = () => [...list().querySelectorAll('.hc-msg__text')]
    .map(el => el.textContent).filter(t => t.startsWith('Burst message ') && t.endsWith(suffix));
  const r = await waitFor(() => {
    // Cheap test first: the full scan only once there are enough entries.
    if (list().childElementCount < base + n) return null;
    const texts = burstTexts();
    return texts.length >= n && visible(list().lastElementChild) ? texts : null;
  }, timeout, n + ' burst messages');
  const texts = r.value;
  let outOfOrder = 0;
  texts.forEach((t, i) => { if (parseInt(t.slice('Burst message '.length), 10) !== i + 1) outOfOrder += 1; });
  await frame();
  await sleep(200); // long-task entries are delivered asynchronously
  const tasks = bench.longTasks.filter(([start]) => start >= t0 && start <= r.t);
  return { ms: r.t - t0, firstFrameToAll: first.t === null ? null : r.t - first.t,
           frames: all.hits, count: texts.length, outOfOrder,
           longTasks: tasks.length, longTaskMs: tasks.reduce((s, [, d]) => s + d, 0),
           longTaskMax: tasks.reduce((m, [, d]) => Math.max(m, d), 0) };
"#;

/// JS heap (`performance.memory`, precise with the Chromium flag), wasm linear memory and
/// the number of elements in the widget's shadow root.
const HEAP: &str = r#"
  await frame();
  const memory = performance.memory;
  return { js: memory ? memory.usedJSHeapSize : null,
           jsTotal: memory ? memory.totalJSHeapSize : null,
           wasm: bench.memories.length ? bench.memories.reduce((s, m) => s + m.buffer.byteLength, 0) : null,
           nodes: root().querySelectorAll('*').length };
"#;

/// Scrolls the transcript from bottom to top over `frames` animation frames (one scrollTop
/// step per frame) and returns the time between frames.
const SCROLL: &str = r#"
  const [frames] = args;
  const list = $('.hc-transcript');
  for (let i = 0; i < 5; i++) await frame(); // let the widget's own scroll-to-bottom settle
  const range = list.scrollHeight - list.clientHeight;
  list.scrollTop = range;
  let previous = await frame();
  const deltas = [];
  for (let i = 1; i <= frames; i++) {
    list.scrollTop = Math.round(range * (1 - i / frames));
    const now = await frame();
    deltas.push(now - previous);
    previous = now;
  }
  return { deltas, range, top: list.scrollTop };
"#;

/// Progress on stderr with `BENCH_VERBOSE=1`.
fn trace(what: &str) {
    if std::env::var_os("BENCH_VERBOSE").is_some() {
        eprintln!("[bench]   {what}");
    }
}

/// Runs one step script in the page (async, its arguments in `args`) and returns its value.
async fn page(client: &Client, body: &str, args: Vec<Value>) -> Result<Value, String> {
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

// ---- sizes --------------------------------------------------------------------------------

#[derive(Debug, Clone, Default)]
struct FileSize {
    file: String,
    raw: u64,
    gzip: u64,
    brotli: u64,
}

struct Sizes {
    files: Vec<FileSize>,
    total: FileSize,
}

impl Sizes {
    fn to_json(&self) -> Value {
        let one = |f: &FileSize| json!({"file": f.file, "raw": f.raw, "gzip": f.gzip, "brotli": f.brotli});
        json!({
            "files": self.files.iter().map(one).collect::<Vec<_>>(),
            "total": one(&self.total),
            "budget_brotli": BUDGET_BROTLI,
            "within_budget": self.total.brotli <= BUDGET_BROTLI,
            "compression": "gzip -9, brotli -q 11 (the CLIs)",
        })
    }
}

/// Each widget file raw, `gzip -9` and `brotli -q 11`, like scripts/sizes.sh.
fn measure_sizes(dist: &Path) -> Result<Sizes, String> {
    let mut files = Vec::new();
    let mut total = FileSize {
        file: "total".into(),
        ..FileSize::default()
    };
    for name in WIDGET_FILES {
        let path = dist.join(name);
        let raw = std::fs::metadata(&path)
            .map_err(|e| {
                format!(
                    "{}: {e} (build the widget: bash scripts/build.sh)",
                    path.display()
                )
            })?
            .len();
        let gzip = compressed_len("gzip", &["-9", "-c"], &path)?;
        let brotli = compressed_len("brotli", &["-q", "11", "-c"], &path)?;
        total.raw += raw;
        total.gzip += gzip;
        total.brotli += brotli;
        files.push(FileSize {
            file: name.into(),
            raw,
            gzip,
            brotli,
        });
    }
    Ok(Sizes { files, total })
}

fn compressed_len(tool: &str, args: &[&str], path: &Path) -> Result<u64, String> {
    let out = Command::new(tool)
        .args(args)
        .arg(path)
        .stderr(Stdio::inherit())
        .output()
        .map_err(|e| format!("{tool}: {e} (install it: apt-get install {tool})"))?;
    if !out.status.success() {
        return Err(format!("{tool} {} failed", path.display()));
    }
    Ok(out.stdout.len() as u64)
}

fn print_sizes(sizes: &Sizes) {
    println!("\nWidget download (first-time visitor), bytes");
    println!(
        "{:<30} {:>10} {:>10} {:>10}",
        "file", "raw", "gzip -9", "brotli 11"
    );
    for f in sizes.files.iter().chain([&sizes.total]) {
        println!(
            "{:<30} {:>10} {:>10} {:>10}",
            f.file, f.raw, f.gzip, f.brotli
        );
    }
    println!(
        "{:<30} {:>10} {:>10} {:>10}  ({})",
        "budget (brotli total)",
        "",
        "",
        BUDGET_BROTLI,
        if sizes.total.brotli <= BUDGET_BROTLI {
            "ok"
        } else {
            "OVER"
        }
    );
}

// ---- statistics and output ----------------------------------------------------------------

struct MetricSummary {
    id: &'static str,
    label: String,
    unit: Unit,
    samples: Vec<f64>,
    median: Option<f64>,
    min: Option<f64>,
    max: Option<f64>,
}

impl MetricSummary {
    fn to_json(&self) -> Value {
        let scale = |v: f64| match self.unit {
            Unit::Bytes => v.round(),
            _ => round2(v),
        };
        json!({
            "id": self.id,
            "label": self.label,
            "unit": match self.unit { Unit::Bytes => "bytes", Unit::Ms => "ms", Unit::Count => "count" },
            "samples": self.samples.iter().map(|v| scale(*v)).collect::<Vec<_>>(),
            "median": self.median.map(scale),
            "min": self.min.map(scale),
            "max": self.max.map(scale),
        })
    }
}

fn summarize(samples: &Samples, args: &Args) -> Vec<MetricSummary> {
    METRICS
        .iter()
        .map(|m| {
            let values = samples.get(m.id).cloned().unwrap_or_default();
            MetricSummary {
                id: m.id,
                label: m
                    .label
                    .replace("{burst}", &args.burst.to_string())
                    .replace("{scroll}", &args.scroll.to_string()),
                unit: m.unit,
                median: (!values.is_empty()).then(|| percentile(&values, 50.0)),
                min: values.iter().copied().reduce(f64::min),
                max: values.iter().copied().reduce(f64::max),
                samples: values,
            }
        })
        .collect()
}

fn print_table(summary: &[MetricSummary], args: &Args) {
    println!(
        "\nTimings and memory: {} runs (median, min, max over runs)",
        args.runs
    );
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{:<48} {:>10} {:>10} {:>10}  {:<5} {:>2}",
        "metric", "median", "min", "max", "unit", "n"
    );
    for m in summary {
        let show = |v: Option<f64>| match v {
            None => "n/a".to_owned(),
            Some(v) => match m.unit {
                Unit::Ms => format!("{v:.1}"),
                Unit::Count => format!("{v:.0}"),
                Unit::Bytes => format!("{:.2}", v / (1024.0 * 1024.0)),
            },
        };
        let _ = writeln!(
            out,
            "{:<48} {:>10} {:>10} {:>10}  {:<5} {:>2}",
            m.label,
            show(m.median),
            show(m.min),
            show(m.max),
            m.unit.label(),
            m.samples.len()
        );
    }
    print!("{out}");
}

/// Linear-interpolated percentile (`p` in 0..=100) of unsorted values; the median is p50.
fn percentile(values: &[f64], p: f64) -> f64 {
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    if sorted.len() == 1 {
        return sorted[0];
    }
    let rank = p / 100.0 * (sorted.len() - 1) as f64;
    let (low, high) = (rank.floor() as usize, rank.ceil() as usize);
    sorted[low] + (sorted[high] - sorted[low]) * (rank - low as f64)
}

fn round2(v: f64) -> f64 {
    (v * 100.0).round() / 100.0
}

fn machine_info(browser_version: Option<&str>) -> Value {
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|info| {
            info.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split_once(':'))
                .map(|(_, v)| v.trim().to_owned())
        });
    let kernel = std::fs::read_to_string("/proc/sys/kernel/osrelease")
        .ok()
        .map(|s| s.trim().to_owned());
    let git = Command::new("git")
        .args(["describe", "--always", "--dirty"])
        .stderr(Stdio::null())
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned());
    json!({
        "nproc": std::thread::available_parallelism().map_or(0, |n| n.get()),
        "cpu": cpu,
        "kernel": kernel,
        "chromium": browser_version,
        "headless": true,
        "git": git,
    })
}

fn write_json(path: &Path, value: &Value) -> std::io::Result<()> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)?;
    }
    let text = serde_json::to_string_pretty(value).map_err(std::io::Error::other)?;
    std::fs::write(path, text + "\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_interpolate() {
        assert_eq!(percentile(&[3.0, 1.0, 2.0], 50.0), 2.0);
        assert_eq!(percentile(&[4.0, 1.0, 2.0, 3.0], 50.0), 2.5);
        assert_eq!(percentile(&[5.0], 95.0), 5.0);
        assert_eq!(percentile(&[0.0, 10.0], 95.0), 9.5);
    }

    #[test]
    fn every_recorded_metric_is_listed_once() {
        let mut ids: Vec<_> = METRICS.iter().map(|m| m.id).collect();
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(ids.len(), METRICS.len());
    }
}
