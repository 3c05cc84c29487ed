//! A burst of bot messages in the visitor's conversation (`/burst N`): Enter → all shown,
//! first frame → all shown, frames, order, long tasks; the JS heap, wasm memory and shadow
//! DOM size before and after.

use e2e::cdp::Cdp;
use fantoccini::Client;
use serde_json::{json, Value};

use crate::metrics::{record_fields, Samples};
use crate::page::page;
use crate::RunExtras;

/// Sends `/burst N` → all N burst bubbles rendered; order, frames and long tasks.
pub(crate) const BURST: &str = r#"
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

/// The burst of `count` messages with the heap before and after, recorded.
pub(crate) async fn burst(
    client: &Client,
    cdp: &Cdp,
    count: u32,
    samples: &mut Samples,
    extra: &mut RunExtras,
) -> Result<(), String> {
    let before = heap(client, cdp, extra).await?;
    record_fields(
        samples,
        &before,
        &[
            ("heap.js_before_burst", "js"),
            ("heap.wasm_before_burst", "wasm"),
        ],
    );
    let burst = page(
        client,
        BURST,
        vec![json!(count), json!(burst_timeout(count))],
    )
    .await?;
    record_fields(
        samples,
        &burst,
        &[
            ("burst.all_rendered_ms", "ms"),
            ("burst.first_frame_to_all_ms", "firstFrameToAll"),
            ("burst.stream_frames", "frames"),
            ("burst.out_of_order", "outOfOrder"),
            ("burst.long_tasks", "longTasks"),
            ("burst.long_task_total_ms", "longTaskMs"),
            ("burst.long_task_max_ms", "longTaskMax"),
        ],
    );
    if burst["count"].as_u64() != Some(u64::from(count)) {
        extra.note(format!(
            "burst: expected {} burst bubbles, found {} (duplicates?)",
            count, burst["count"]
        ));
    }
    let after = heap(client, cdp, extra).await?;
    record_fields(
        samples,
        &after,
        &[
            ("heap.js_after_burst", "js"),
            ("heap.wasm_after_burst", "wasm"),
            ("heap.dom_nodes_after_burst", "nodes"),
        ],
    );
    Ok(())
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

/// How long a burst of `count` messages may take.
pub(crate) fn burst_timeout(count: u32) -> u64 {
    30_000 + u64::from(count) * 30
}
