//! Scrolling a long transcript: a new page and conversation receives a burst of N messages,
//! then the transcript is scrolled from bottom to top, one step per animation frame: frame
//! time p50 / p95 / max and frames over [`JANK_FRAME_MS`].

use e2e::Harness;
use serde_json::{json, Value};

use crate::burst::{burst_timeout, BURST};
use crate::chat::{OPEN_SURVEY, SUBMIT_SURVEY};
use crate::load::WAIT_LOADED;
use crate::metrics::{percentile, record, Samples};
use crate::page::page;
use crate::RunExtras;

/// Frames the transcript scroll takes from bottom to top.
pub(crate) const SCROLL_FRAMES: u32 = 120;
/// A frame longer than this counts as a visible stutter.
pub(crate) const JANK_FRAME_MS: f64 = 50.0;

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

/// A fresh chat with a transcript of `count` messages, scrolled; returns the frame times.
pub(crate) async fn scroll(
    h: &Harness,
    count: u32,
    samples: &mut Samples,
    extra: &mut RunExtras,
) -> Result<Vec<f64>, String> {
    let client = &h.client;
    // The widget keeps its session in browser storage and resumes it after a reload, so
    // forget it first: the reload starts anew.
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
        vec![json!(count), json!(burst_timeout(count))],
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
    Ok(frames)
}
