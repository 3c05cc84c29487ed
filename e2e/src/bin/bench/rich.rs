//! Bursts the rich module draws, in the visitor's conversation after the plain burst:
//! `/burst N cards` (a hero card each) and `/burst N markdown` (a short markdown text each).
//! Enter → every bubble of the burst drawn (`data-drawn` with the module's `.hc-rich`
//! inside, and for cards its `.hc-card`), the last WebSocket frame carrying the burst → all
//! drawn, how many frames carried it, and the long tasks meanwhile. Warm: the module is
//! loaded before the clock starts (it drew the greeting's suggested actions), so its
//! download and instantiation are not in these times.

use fantoccini::Client;
use serde_json::json;

use crate::burst::burst_timeout;
use crate::metrics::{record_fields, Samples};
use crate::page::{page, trace};
use crate::RunExtras;

/// Sends `/burst N KIND` → all N bubbles of that burst drawn by the rich module; order and
/// long tasks. A bubble is the burst's when its `data-rich` (the activity) holds
/// `LABEL i of N` (the card's title, the markdown's heading).
const RICH_BURST: &str = r#"
  const [n, kind, label, timeout] = args;
  const list = () => $('.hc-transcript');
  await waitFor(() => list()?.querySelector('[data-drawn] .hc-rich'), STEP_MS,
    'the rich module (an earlier message drawn)');
  const number = new RegExp(label + ' (\\d+) of ' + n + '(?!\\d)');
  const frames = { needle: label + ' ', t: null, last: null, hits: 0 };
  bench.watches.push(frames);
  const base = list().childElementCount;
  const box = $('#hc-message');
  input(box, '/burst ' + n + ' ' + kind);
  const t0 = performance.now();
  enter(box);
  const drawn = () => [...list().querySelectorAll('.hc-msg__text[data-drawn]')]
    .map(el => [el, number.exec(el.getAttribute('data-rich') ?? '')])
    .filter(([el, m]) => m && el.querySelector('.hc-rich'));
  const r = await waitFor(() => {
    // Cheap test first: the scan only once there are enough entries.
    if (list().childElementCount < base + n) return null;
    const ours = drawn();
    if (ours.length < n || !visible(list().lastElementChild)) return null;
    const cards = ours.reduce((s, [el]) => s + el.querySelectorAll('.hc-card').length, 0);
    return kind !== 'cards' || cards >= n ? { ours, cards } : null;
  }, timeout, n + ' ' + kind + ' drawn');
  let outOfOrder = 0;
  r.value.ours.forEach(([, m], i) => { if (parseInt(m[1], 10) !== i + 1) outOfOrder += 1; });
  await frame();
  await sleep(200); // long-task entries are delivered asynchronously
  const tasks = bench.longTasks.filter(([start]) => start >= t0 && start <= r.t);
  return { ms: r.t - t0, lastFrameToAll: frames.last === null ? null : r.t - frames.last,
           frames: frames.hits, count: r.value.ours.length, cards: r.value.cards, outOfOrder,
           longTasks: tasks.length, longTaskMs: tasks.reduce((s, [, d]) => s + d, 0),
           longTaskMax: tasks.reduce((m, [, d]) => Math.max(m, d), 0) };
"#;

/// One rich burst: its `/burst` kind, the numbered label the bot gives each message, and
/// the ids its numbers are recorded under, in [`FIELDS`] order.
struct Kind {
    kind: &'static str,
    label: &'static str,
    ids: [&'static str; 6],
}

/// What [`RICH_BURST`] returns for each of a [`Kind`]'s ids.
const FIELDS: [&str; 6] = [
    "ms",
    "lastFrameToAll",
    "frames",
    "longTasks",
    "longTaskMs",
    "longTaskMax",
];

const CARDS: Kind = Kind {
    kind: "cards",
    label: "Card burst",
    ids: [
        "cards.all_drawn_ms",
        "cards.last_frame_to_all_ms",
        "cards.stream_frames",
        "cards.long_tasks",
        "cards.long_task_total_ms",
        "cards.long_task_max_ms",
    ],
};

const MARKDOWN: Kind = Kind {
    kind: "markdown",
    label: "Markdown burst",
    ids: [
        "markdown.all_drawn_ms",
        "markdown.last_frame_to_all_ms",
        "markdown.stream_frames",
        "markdown.long_tasks",
        "markdown.long_task_total_ms",
        "markdown.long_task_max_ms",
    ],
};

/// The card burst of `cards` messages, then the markdown burst of `markdown`, recorded.
pub(crate) async fn rich_bursts(
    client: &Client,
    cards: u32,
    markdown: u32,
    samples: &mut Samples,
    extra: &mut RunExtras,
) -> Result<(), String> {
    for (kind, count) in [(CARDS, cards), (MARKDOWN, markdown)] {
        trace(kind.kind);
        let args = vec![
            json!(count),
            json!(kind.kind),
            json!(kind.label),
            json!(burst_timeout(count)),
        ];
        let r = page(client, RICH_BURST, args).await?;
        let fields: Vec<_> = kind.ids.into_iter().zip(FIELDS).collect();
        record_fields(samples, &r, &fields);
        if r["count"].as_u64() != Some(u64::from(count)) || r["outOfOrder"] != json!(0) {
            extra.note(format!(
                "{} burst: expected {count} drawn in order, found {} ({} out of order)",
                kind.kind, r["count"], r["outOfOrder"]
            ));
        }
    }
    Ok(())
}
