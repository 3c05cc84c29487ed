//! Performance benchmark: what a visitor downloads and how fast the widget answers, measured
//! in headless Chromium against the dev server on loopback. This file owns the command line,
//! the runs and the exit code; what each part measures is a module of its own.
//!
//! `cargo run --release -p e2e --bin bench -- [--runs 5] [--out target/bench/results.json]
//! [--burst 1000] [--cards 50] [--markdown 200] [--scroll 5000]` (or `bash scripts/bench.sh`, which builds everything first).
//!
//! Layout:
//! - [`sizes`]: the widget files raw, `gzip -9` and `brotli -q 11`, checked against the brotli
//!   budget (both named by `scripts/sizes.sh`); over budget exits 1 after everything is
//!   printed and written.
//! - runs: each run starts its own dev server, ChromeDriver and browser with a fresh profile
//!   (see [`e2e::Harness`]), so the first page load is a cold start (empty HTTP and code cache)
//!   and the visitor gets a fresh conversation. Every timing is taken INSIDE the page with
//!   `performance.now()` (one `execute_async` script per step that acts and then waits, checking
//!   at every DOM mutation and every animation frame), never from WebDriver round trips:
//!   [`load`] (cold and warm), [`chat`], [`burst`] (with the heap), [`rich`] (card and
//!   markdown bursts the rich module draws), [`scroll`].
//! - [`page`]: the instrumentation, bench-only and installed before any page script through
//!   ChromeDriver's CDP passthrough (`Page.addScriptToEvaluateOnNewDocument`): keeps the wasm
//!   instance's exported memory, counts WebSocket frames, records long tasks. It lives under a
//!   `Symbol` key on `window`; the product itself defines nothing. And the step scripts' runner.
//! - [`metrics`]: every metric, its samples and their summary; [`report`]: the table and JSON.
//!
//! Exit codes: 0 ok, 1 the brotli total is over budget, 2 a run could not complete a step.

mod burst;
mod chat;
mod load;
mod metrics;
mod page;
mod report;
mod rich;
mod scroll;
mod sizes;

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use e2e::cdp::Cdp;
use e2e::Harness;
use fantoccini::wd::TimeoutConfiguration;
use serde_json::{json, Value};

use metrics::{round2, Samples};
use page::{trace, INSTRUMENT};
use sizes::Sizes;

/// Chromium flags on top of the harness's: exact `performance.memory` numbers.
const CHROME_ARGS: [&str; 1] = ["--enable-precise-memory-info"];

const USAGE: &str =
    "usage: bench [--runs N] [--out FILE] [--burst N] [--cards N] [--markdown N] [--scroll N]
  --runs N     runs, each with a fresh dev server and browser profile (default 5)
  --out FILE   JSON results (default target/bench/results.json)
  --burst N    bot messages in the burst (1..=10000, default 1000)
  --cards N    bot messages with a hero card each in the card burst (1..=10000, default 50)
  --markdown N markdown bot messages in the markdown burst (1..=10000, default 200)
  --scroll N   transcript length for the scroll test (1..=10000, default 5000)
env: DEVSERVER_BIN (default target/release/devserver), DIST_DIR (default dist),
     CHROMEDRIVER (default chromedriver on PATH)";

struct Args {
    runs: u32,
    out: PathBuf,
    burst: u32,
    cards: u32,
    markdown: u32,
    scroll: u32,
}

fn parse_args() -> Result<Args, String> {
    let mut args = Args {
        runs: 5,
        out: PathBuf::from("target/bench/results.json"),
        burst: 1000,
        cards: 50,
        markdown: 200,
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
            "--cards" => args.cards = count(10_000)?,
            "--markdown" => args.markdown = count(10_000)?,
            "--scroll" => args.scroll = count(10_000)?,
            "--out" => args.out = PathBuf::from(&value),
            _ => return Err(format!("unknown argument {flag:?}")),
        }
    }
    Ok(args)
}

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
    let sizes = match sizes::measure() {
        Ok(sizes) => sizes,
        Err(e) => {
            eprintln!("bench: sizes: {e}");
            return ExitCode::from(2);
        }
    };
    sizes::print(&sizes);

    let mut gathered = Gathered::default();
    let mut errors = Vec::new();
    for run in 1..=args.runs {
        let run_start = Instant::now();
        eprint!("[bench] run {run}/{}: ", args.runs);
        match run_once(&args, &sizes, &mut gathered).await {
            Ok(()) => eprintln!("ok ({:.1} s)", run_start.elapsed().as_secs_f64()),
            Err(e) => {
                eprintln!("FAILED: {e}");
                errors.push(format!("run {run}: {e}"));
            }
        }
    }

    let Gathered {
        samples,
        scroll_frames,
        extra,
    } = gathered;
    let summary = metrics::summarize(&samples, &args);
    report::print_table(&summary, &args);
    let elapsed = started.elapsed().as_secs_f64();
    let results = json!({
        "schema": 1,
        "unix_time": SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs()),
        "elapsed_s": round2(elapsed),
        "machine": report::machine_info(extra.browser_version.as_deref()),
        "settings": {"runs": args.runs, "burst": args.burst, "cards": args.cards,
                     "markdown": args.markdown, "scroll": args.scroll,
                     "scroll_frames": scroll::SCROLL_FRAMES, "jank_frame_ms": scroll::JANK_FRAME_MS},
        "sizes": sizes.to_json(),
        "metrics": summary.iter().map(metrics::MetricSummary::to_json).collect::<Vec<_>>(),
        "scroll_frame_ms": scroll_frames.iter()
            .map(|run| run.iter().map(|v| round2(*v)).collect::<Vec<_>>()).collect::<Vec<_>>(),
        "loaded_resources": extra.resources,
        "notes": extra.notes,
        "errors": errors,
    });
    if let Err(e) = report::write_json(&args.out, &results) {
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
    let (total, budget) = (sizes.total.brotli, sizes.budget);
    if !sizes.within_budget() {
        println!(
            "FAIL: widget brotli total {total} B > budget {budget} B ({:.1} KiB > {:.0} KiB)",
            total as f64 / 1024.0,
            budget as f64 / 1024.0
        );
        return ExitCode::from(1);
    }
    println!("size budget ok: widget brotli total {total} B ≤ {budget} B");
    if errors.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(2)
    }
}

/// What the runs gather.
#[derive(Default)]
struct Gathered {
    /// One sample per metric and run.
    samples: Samples,
    /// Each run's scroll frame times.
    scroll_frames: Vec<Vec<f64>>,
    extra: RunExtras,
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

/// One run: fresh dev server, ChromeDriver and browser profile.
async fn run_once(args: &Args, sizes: &Sizes, gathered: &mut Gathered) -> Result<(), String> {
    let h = Harness::start_with_chrome_args(&[], &CHROME_ARGS).await;
    let result = measure_run(&h, args, sizes, gathered).await;
    h.finish().await;
    result
}

async fn measure_run(
    h: &Harness,
    args: &Args,
    sizes: &Sizes,
    gathered: &mut Gathered,
) -> Result<(), String> {
    let Gathered {
        samples,
        scroll_frames,
        extra,
    } = gathered;
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
    let cold = load::load(h, "cold", samples).await?;
    if extra.resources.is_null() {
        let widget_files: Vec<&str> = sizes.files.iter().map(|f| f.file.as_str()).collect();
        load::check_resources(&cold["resources"], &widget_files, extra);
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
    let warm = load::load(h, "warm", samples).await?;
    if extra.resources.get("warm").is_none() {
        extra.resources["warm"] = warm["resources"].clone();
    }

    // A visitor's first chat, on the warm page.
    trace("chat");
    chat::chat(client, samples, extra).await?;

    // Burst in the same conversation, with the heap before and after.
    trace("burst");
    burst::burst(client, &cdp, args.burst, samples, extra).await?;

    // Cards and markdown for the rich module, loaded since the greeting, in the same chat.
    trace("rich bursts");
    rich::rich_bursts(client, args.cards, args.markdown, samples, extra).await?;

    // A fresh chat with a long transcript, scrolled.
    trace("scroll test");
    scroll_frames.push(scroll::scroll(h, args.scroll, samples, extra).await?);
    Ok(())
}
